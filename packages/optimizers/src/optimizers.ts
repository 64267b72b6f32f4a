import { checkOptions, optionKeys } from '@krylov/core-array';
import { type Rate, rateAt } from './schedules.js';
import { type GradientTransformation, chain, named, withMaximize } from './transform.js';
import { type LearningRateState, checkRate, decayedWeights, learningRate } from './transforms/basic.js';
import {
  type AdamState,
  BETA,
  type LionState,
  NON_NEGATIVE,
  type RmsState,
  type RssState,
  type TraceState,
  booleanOption,
  numberOption,
  scaleByAdamIn,
  scaleByLionIn,
  scaleByRmsIn,
  scaleByRssIn,
  traceIn,
} from './transforms/moments.js';

/**
 * The classic optimizers as chains of transformations, each matching its torch.optim counterpart
 * step for step (checked against PyTorch fixtures over 200 steps in float64). Each returns the
 * transformation producing the final update (add it to the parameters); use `Optimizer` for the
 * PyTorch-style object with parameter groups. Every option is checked when the optimizer is made,
 * with torch.optim's ranges (stricter where torch's would give NaN: every `eps` must be > 0), and
 * a learning-rate schedule's value is checked at every step.
 */

export interface SgdOptions {
  /** Learning rate (required, no default): a finite number >= 0 or a schedule. */
  lr: Rate;
  /** Momentum in [0, 1) (default 0). */
  momentum?: number;
  /** Dampening in [0, 1] (default 0). */
  dampening?: number;
  /** Nesterov momentum (default false); needs momentum > 0 and zero dampening, as torch.optim.SGD. */
  nesterov?: boolean;
  /** Coupled (L2) weight decay >= 0, added to the gradient as torch.optim.SGD does. */
  weightDecay?: number;
  /** Ascend instead of descend: the gradients are negated first (torch.optim's `maximize`; default false). */
  maximize?: boolean;
}

/** `sgd`'s state: [weight decay, momentum buffers (null without momentum), step count]. */
export type SgdState = [null, TraceState | null, LearningRateState];

const SGD_OPTIONS_KEYS = optionKeys<SgdOptions>()(
  'lr',
  'momentum',
  'dampening',
  'nesterov',
  'weightDecay',
  'maximize',
);

/**
 * SGD with momentum, dampening and Nesterov (torch.optim.SGD).
 * @throws InvalidArgumentError for a missing `lr` or an option out of range.
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { Optimizer, sgd } from '@krylov/optimizers';
 * const w = array([[1, -2], [0.5, 3]]); // minimize f(w) = ||w||^2, gradient 2 w
 * const opt = new Optimizer({ w }, sgd, { lr: 0.1, momentum: 0.9 });
 * for (let i = 0; i < 100; i++) opt.step({ w: array(w.toArray().map((r) => r.map((v) => 2 * v))) });
 * console.assert(Math.max(...w.toFlatArray().map(Math.abs)) < 1, 'descends from max |w| = 3');
 * ```
 */
export function sgd(options: SgdOptions): GradientTransformation<SgdState> {
  const fn = 'sgd';
  checkOptions(fn, options, SGD_OPTIONS_KEYS);
  const lr = checkRate(fn, 'options.lr', options?.lr);
  const momentum = numberOption(fn, options, 'momentum', 0, BETA);
  const dampening = numberOption(fn, options, 'dampening', 0, { min: 0, max: 1 });
  const nesterov = booleanOption(fn, options, 'nesterov', false);
  const wd = decayedWeights(fn, 'options.weightDecay', options?.weightDecay ?? 0);
  // validates nesterov against momentum and dampening even when there is no momentum buffer
  const momentumStep = traceIn({ momentum, dampening, nesterov }, fn);
  const none: GradientTransformation<null> = { name: 'none', init: () => null, update() {} };
  return named(
    fn,
    withMaximize(
      fn,
      options,
      chain(wd, momentum > 0 ? momentumStep : none, learningRate(fn, 'options.lr', lr)),
    ),
  );
}

export interface AdamOptions {
  /** Learning rate, a finite number >= 0 or a schedule (default 1e-3). */
  lr?: Rate;
  /** Moment decays in [0, 1) (defaults 0.9 and 0.999). */
  b1?: number;
  b2?: number;
  /** Denominator guard > 0 (default 1e-8). */
  eps?: number;
  /** Coupled (L2) weight decay for `adam` (default 0), decoupled for `adamw` (default 0.01); >= 0. */
  weightDecay?: number;
  amsgrad?: boolean;
  /** Ascend instead of descend: the gradients are negated first (torch.optim's `maximize`; default false). */
  maximize?: boolean;
}

const ADAM_KEYS = ['lr', 'b1', 'b2', 'eps', 'weightDecay', 'amsgrad', 'maximize'];

/** `adam`'s state: [weight decay, moments, step count]. */
export type AdamOptimizerState = [null, AdamState, LearningRateState];
/** `adamw`'s state: [moments, weight decay, step count]. */
export type AdamWState = [AdamState, null, LearningRateState];

function adamIn(fn: string, options: AdamOptions | undefined, keys: string[]) {
  checkOptions(fn, options, keys);
  const { weightDecay = 0, lr = 1e-3, maximize, ...moments } = options ?? {};
  return named(
    fn,
    withMaximize(
      fn,
      { maximize },
      chain(
        decayedWeights(fn, 'options.weightDecay', weightDecay),
        scaleByAdamIn(moments, fn),
        learningRate(fn, 'options.lr', lr),
      ),
    ),
  );
}

/**
 * Adam (Kingma & Ba 2015) with coupled weight decay and optional AMSGrad, as torch.optim.Adam.
 * @throws InvalidArgumentError for an option out of range.
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { Optimizer, adam } from '@krylov/optimizers';
 * const w = array([[1, -2], [0.5, 3]]); // minimize f(w) = ||w||^2, gradient 2 w
 * const opt = new Optimizer({ w }, adam, { lr: 0.1 });
 * for (let i = 0; i < 100; i++) opt.step({ w: array(w.toArray().map((r) => r.map((v) => 2 * v))) });
 * console.assert(Math.max(...w.toFlatArray().map(Math.abs)) < 1, 'descends from max |w| = 3');
 * ```
 */
export function adam(options: AdamOptions = {}): GradientTransformation<AdamOptimizerState> {
  return adamIn('adam', options, ADAM_KEYS);
}

/**
 * AdamW (Loshchilov & Hutter 2019): decoupled weight decay, p <- p - lr (adam + wd p), as
 * torch.optim.AdamW (default weight decay 0.01).
 * @throws InvalidArgumentError for an option out of range.
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { Optimizer, adamw } from '@krylov/optimizers';
 * const w = array([[1, -2], [0.5, 3]]); // minimize f(w) = ||w||^2, gradient 2 w
 * const opt = new Optimizer({ w }, adamw, { lr: 0.1, weightDecay: 0.01 });
 * for (let i = 0; i < 100; i++) opt.step({ w: array(w.toArray().map((r) => r.map((v) => 2 * v))) });
 * console.assert(Math.max(...w.toFlatArray().map(Math.abs)) < 1, 'descends from max |w| = 3');
 * ```
 */
export function adamw(options: AdamOptions = {}): GradientTransformation<AdamWState> {
  const fn = 'adamw';
  checkOptions(fn, options, ADAM_KEYS);
  const { weightDecay = 1e-2, lr = 1e-3, maximize, ...moments } = options ?? {};
  return named(
    fn,
    withMaximize(
      fn,
      { maximize },
      chain(
        scaleByAdamIn(moments, fn),
        decayedWeights(fn, 'options.weightDecay', weightDecay),
        learningRate(fn, 'options.lr', lr),
      ),
    ),
  );
}

/**
 * AMSGrad (Reddi et al. 2018): Adam with the running maximum of the second moment.
 * @throws InvalidArgumentError for an option out of range.
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { Optimizer, amsgrad } from '@krylov/optimizers';
 * const w = array([[1, -2], [0.5, 3]]); // minimize f(w) = ||w||^2, gradient 2 w
 * const opt = new Optimizer({ w }, amsgrad, { lr: 0.1 });
 * for (let i = 0; i < 100; i++) opt.step({ w: array(w.toArray().map((r) => r.map((v) => 2 * v))) });
 * console.assert(Math.max(...w.toFlatArray().map(Math.abs)) < 1, 'descends from max |w| = 3');
 * ```
 */
export function amsgrad(
  options: Omit<AdamOptions, 'amsgrad'> = {},
): GradientTransformation<AdamOptimizerState> {
  checkOptions(
    'amsgrad',
    options,
    ADAM_KEYS.filter((k) => k !== 'amsgrad'),
  );
  return adamIn('amsgrad', { ...options, amsgrad: true }, ADAM_KEYS);
}

export interface AdagradOptions {
  /** Learning rate, a finite number >= 0 or a schedule (default 1e-2). */
  lr?: Rate;
  /** Learning-rate decay >= 0: the rate is lr / (1 + (t - 1) lrDecay) (default 0). */
  lrDecay?: number;
  /** Coupled weight decay >= 0 (default 0). */
  weightDecay?: number;
  /** Initial value >= 0 of the sum of squares (default 0). */
  initialAccumulator?: number;
  /** Denominator guard > 0 (default 1e-10). */
  eps?: number;
  /** Ascend instead of descend: the gradients are negated first (torch.optim's `maximize`; default false). */
  maximize?: boolean;
}

/** `adagrad`'s state: [weight decay, sums of squares, step count]. */
export type AdagradState = [null, RssState, LearningRateState];

const ADAGRAD_OPTIONS_KEYS = optionKeys<AdagradOptions>()(
  'lr',
  'lrDecay',
  'weightDecay',
  'initialAccumulator',
  'eps',
  'maximize',
);

/**
 * Adagrad (Duchi et al. 2011) as torch.optim.Adagrad, with its learning-rate decay lr / (1 + (t - 1) lrDecay).
 * @throws InvalidArgumentError for an option out of range.
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { Optimizer, adagrad } from '@krylov/optimizers';
 * const w = array([[1, -2], [0.5, 3]]); // minimize f(w) = ||w||^2, gradient 2 w
 * const opt = new Optimizer({ w }, adagrad, { lr: 0.5 });
 * for (let i = 0; i < 100; i++) opt.step({ w: array(w.toArray().map((r) => r.map((v) => 2 * v))) });
 * console.assert(Math.max(...w.toFlatArray().map(Math.abs)) < 1, 'descends from max |w| = 3');
 * ```
 */
export function adagrad(options: AdagradOptions = {}): GradientTransformation<AdagradState> {
  const fn = 'adagrad';
  checkOptions(fn, options, ADAGRAD_OPTIONS_KEYS);
  const lr = checkRate(fn, 'options.lr', options?.lr ?? 1e-2);
  const decay = numberOption(fn, options, 'lrDecay', 0, NON_NEGATIVE);
  return named(
    fn,
    withMaximize(
      fn,
      options,
      chain(
        decayedWeights(fn, 'options.weightDecay', options?.weightDecay ?? 0),
        scaleByRssIn({ initialAccumulator: options?.initialAccumulator, eps: options?.eps }, fn),
        learningRate(fn, 'options.lr', (t: number) => rateAt(lr, t) / (1 + (t - 1) * decay)),
      ),
    ),
  );
}

export interface RmspropOptions {
  /** Learning rate, a finite number >= 0 or a schedule (default 1e-2). */
  lr?: Rate;
  /** Smoothing constant in [0, 1) (default 0.99). */
  alpha?: number;
  /** Denominator guard > 0 (default 1e-8). */
  eps?: number;
  centered?: boolean;
  /** Momentum in [0, 1) (default 0). */
  momentum?: number;
  /** Coupled weight decay >= 0 (default 0). */
  weightDecay?: number;
  /** Ascend instead of descend: the gradients are negated first (torch.optim's `maximize`; default false). */
  maximize?: boolean;
}

/** `rmsprop`'s state: [weight decay, mean squares (and means, momentum), step count]. */
export type RmspropState = [null, RmsState, LearningRateState];

const RMSPROP_OPTIONS_KEYS = optionKeys<RmspropOptions>()(
  'lr',
  'alpha',
  'eps',
  'centered',
  'momentum',
  'weightDecay',
  'maximize',
);

/**
 * RMSprop as torch.optim.RMSprop (alpha 0.99, optional centering and momentum).
 * @throws InvalidArgumentError for an option out of range.
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { Optimizer, rmsprop } from '@krylov/optimizers';
 * const w = array([[1, -2], [0.5, 3]]); // minimize f(w) = ||w||^2, gradient 2 w
 * const opt = new Optimizer({ w }, rmsprop, { lr: 0.01 });
 * for (let i = 0; i < 300; i++) opt.step({ w: array(w.toArray().map((r) => r.map((v) => 2 * v))) });
 * console.assert(Math.max(...w.toFlatArray().map(Math.abs)) < 1, 'descends from max |w| = 3');
 * ```
 */
export function rmsprop(options: RmspropOptions = {}): GradientTransformation<RmspropState> {
  const fn = 'rmsprop';
  checkOptions(fn, options, RMSPROP_OPTIONS_KEYS);
  const { lr = 1e-2, weightDecay = 0, maximize, ...rest } = options ?? {};
  return named(
    fn,
    withMaximize(
      fn,
      { maximize },
      chain(
        decayedWeights(fn, 'options.weightDecay', weightDecay),
        scaleByRmsIn(rest, fn),
        learningRate(fn, 'options.lr', lr),
      ),
    ),
  );
}

export interface LionOptions {
  /** Learning rate, a finite number >= 0 or a schedule (default 1e-4). */
  lr?: Rate;
  /** Interpolation and momentum decays in [0, 1) (defaults 0.9 and 0.99). */
  b1?: number;
  b2?: number;
  /** Decoupled weight decay >= 0 (default 0). */
  weightDecay?: number;
  /** Ascend instead of descend: the gradients are negated first (torch.optim's `maximize`; default false). */
  maximize?: boolean;
}

/** `lion`'s state: [momentum, weight decay, step count]. */
export type LionOptimizerState = [LionState, null, LearningRateState];

const LION_OPTIONS_KEYS = optionKeys<LionOptions>()('lr', 'b1', 'b2', 'weightDecay', 'maximize');

/**
 * Lion (Chen et al. 2023): sign of interpolated momentum, decoupled weight decay.
 * @throws InvalidArgumentError for an option out of range.
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { Optimizer, lion } from '@krylov/optimizers';
 * const w = array([[1, -2], [0.5, 3]]); // minimize f(w) = ||w||^2, gradient 2 w
 * const opt = new Optimizer({ w }, lion, { lr: 0.1 });
 * for (let i = 0; i < 100; i++) opt.step({ w: array(w.toArray().map((r) => r.map((v) => 2 * v))) });
 * console.assert(Math.max(...w.toFlatArray().map(Math.abs)) < 1, 'descends from max |w| = 3');
 * ```
 */
export function lion(options: LionOptions = {}): GradientTransformation<LionOptimizerState> {
  const fn = 'lion';
  checkOptions(fn, options, LION_OPTIONS_KEYS);
  const { lr = 1e-4, weightDecay = 0, maximize, ...rest } = options ?? {};
  return named(
    fn,
    withMaximize(
      fn,
      { maximize },
      chain(
        scaleByLionIn(rest, fn),
        decayedWeights(fn, 'options.weightDecay', weightDecay),
        learningRate(fn, 'options.lr', lr),
      ),
    ),
  );
}
