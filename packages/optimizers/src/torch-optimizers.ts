import { checkOptions, optionKeys } from '@krylov/core-array';
import type { Rate } from './schedules.js';
import { type GradientTransformation, chain, named, withMaximize } from './transform.js';
import {
  type AdadeltaState,
  type AdamaxState,
  type NadamState,
  type RadamState,
  type SparseAdamState,
  scaleByAdadeltaIn,
  scaleByAdamaxIn,
  scaleByNadamIn,
  scaleByRadamIn,
  scaleBySparseAdamIn,
} from './transforms/adaptive.js';
import { type LearningRateState, decayedWeights, learningRate } from './transforms/basic.js';
import { booleanOption } from './transforms/moments.js';
import {
  type AsgdOptions,
  type AsgdState,
  type RpropOptions,
  type RpropState,
  scaleByAsgdIn,
  scaleByRpropIn,
} from './transforms/step-size.js';

/**
 * The rest of torch.optim's first-order optimizers: Adamax, NAdam, RAdam, Adadelta, Rprop, ASGD
 * and SparseAdam, each matching its torch.optim counterpart step for step (PyTorch 1.13 fixtures
 * over 60 steps with zero and near-eps gradients, 1e-12 relative; NAdam's and RAdam's
 * `decoupledWeightDecay` against a reference written after torch 2.x). Every one takes `maximize`
 * (the gradients are negated first, as in torch.optim; NAdam and RAdam, which lack the option in
 * torch 1.13, by that definition, as torch 2.x).
 */

interface Common {
  /** Ascend instead of descend: the gradients are negated first (torch.optim's `maximize`; default false). */
  maximize?: boolean;
}

export interface AdamaxOptions extends Common {
  /** Learning rate, a finite number >= 0 or a schedule (default 2e-3). */
  lr?: Rate;
  /** Moment decays in [0, 1) (defaults 0.9 and 0.999). */
  b1?: number;
  b2?: number;
  /** Guard > 0 in the infinity norm (default 1e-8). */
  eps?: number;
  /** Coupled (L2) weight decay >= 0 (default 0). */
  weightDecay?: number;
}

/** `adamax`'s state: [weight decay, moments, step count]. */
export type AdamaxOptimizerState = [null, AdamaxState, LearningRateState];

const ADAMAX_OPTIONS_KEYS = optionKeys<AdamaxOptions>()('lr', 'b1', 'b2', 'eps', 'weightDecay', 'maximize');

/**
 * Adamax (Kingma & Ba 2015, section 7.1), Adam with the infinity norm, as torch.optim.Adamax. O(n).
 * @throws InvalidArgumentError for an option out of range.
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { Optimizer, adamax } from '@krylov/optimizers';
 * const w = array([[1, -2], [0.5, 3]]); // minimize f(w) = ||w||^2, gradient 2 w
 * const opt = new Optimizer({ w }, adamax, { lr: 0.1 });
 * for (let i = 0; i < 100; i++) opt.step({ w: array(w.toArray().map((r) => r.map((v) => 2 * v))) });
 * console.assert(Math.max(...w.toFlatArray().map(Math.abs)) < 1, 'descends from max |w| = 3');
 * ```
 */
export function adamax(options: AdamaxOptions = {}): GradientTransformation<AdamaxOptimizerState> {
  const fn = 'adamax';
  checkOptions(fn, options, ADAMAX_OPTIONS_KEYS);
  const { lr = 2e-3, weightDecay = 0, maximize, ...moments } = options ?? {};
  return named(
    fn,
    withMaximize(
      fn,
      { maximize },
      chain(
        decayedWeights(fn, 'options.weightDecay', weightDecay),
        scaleByAdamaxIn(moments, fn),
        learningRate(fn, 'options.lr', lr),
      ),
    ),
  );
}

export interface NadamOptions extends AdamaxOptions {
  /** psi >= 0 of the momentum schedule b1 (1 - 0.96^(t psi) / 2) (default 4e-3). */
  momentumDecay?: number;
  /**
   * Weight decay as AdamW's, p *= 1 - lr wd, instead of added to the gradient (default false;
   * torch 2.x's `decoupled_weight_decay`, NAdamW).
   */
  decoupledWeightDecay?: boolean;
}

/** `nadam`'s state: [coupled weight decay, moments, decoupled weight decay, step count]. */
export type NadamOptimizerState = [null, NadamState, null, LearningRateState];

/** [coupled, decoupled] weight decay transformations; the unused one decays by 0. */
function weightDecays(fn: string, options: { weightDecay?: number; decoupledWeightDecay?: boolean }) {
  const decoupled = booleanOption(fn, options, 'decoupledWeightDecay', false);
  const wd = options.weightDecay ?? 0;
  return [
    decayedWeights(fn, 'options.weightDecay', decoupled ? 0 : wd),
    decayedWeights(fn, 'options.weightDecay', decoupled ? wd : 0),
  ] as const;
}

const NADAM_OPTIONS_KEYS = optionKeys<NadamOptions>()(
  'lr',
  'b1',
  'b2',
  'eps',
  'weightDecay',
  'momentumDecay',
  'decoupledWeightDecay',
  'maximize',
);

/**
 * NAdam (Dozat 2016) with the momentum schedule of its `momentumDecay`, as torch.optim.NAdam
 * (matched against 1.13's foreach implementation, which is free of pytorch/pytorch#92699), and
 * with `decoupledWeightDecay` as torch 2.x's. O(n).
 * @throws InvalidArgumentError for an option out of range.
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { Optimizer, nadam } from '@krylov/optimizers';
 * const w = array([[1, -2], [0.5, 3]]); // minimize f(w) = ||w||^2, gradient 2 w
 * const opt = new Optimizer({ w }, nadam, { lr: 0.1 });
 * for (let i = 0; i < 100; i++) opt.step({ w: array(w.toArray().map((r) => r.map((v) => 2 * v))) });
 * console.assert(Math.max(...w.toFlatArray().map(Math.abs)) < 1, 'descends from max |w| = 3');
 * ```
 */
export function nadam(options: NadamOptions = {}): GradientTransformation<NadamOptimizerState> {
  const fn = 'nadam';
  checkOptions(fn, options, NADAM_OPTIONS_KEYS);
  const { lr = 2e-3, weightDecay, decoupledWeightDecay, maximize, ...moments } = options ?? {};
  const [coupled, decoupled] = weightDecays(fn, { weightDecay, decoupledWeightDecay });
  return named(
    fn,
    withMaximize(
      fn,
      { maximize },
      chain(coupled, scaleByNadamIn(moments, fn), decoupled, learningRate(fn, 'options.lr', lr)),
    ),
  );
}

export interface RadamOptions extends AdamaxOptions {
  /** Weight decay as AdamW's, p *= 1 - lr wd (default false; torch.optim.RAdam's `decoupled_weight_decay`). */
  decoupledWeightDecay?: boolean;
}

/** `radam`'s state: [coupled weight decay, moments, decoupled weight decay, step count]. */
export type RadamOptimizerState = [null, RadamState, null, LearningRateState];

const RADAM_OPTIONS_KEYS = optionKeys<RadamOptions>()(
  'lr',
  'b1',
  'b2',
  'eps',
  'weightDecay',
  'decoupledWeightDecay',
  'maximize',
);

/**
 * RAdam (Liu et al. 2020), Adam with the variance rectification, as torch.optim.RAdam (default
 * lr 1e-3), with `decoupledWeightDecay` as torch 2.x's. O(n).
 * @throws InvalidArgumentError for an option out of range.
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { Optimizer, radam } from '@krylov/optimizers';
 * const w = array([[1, -2], [0.5, 3]]); // minimize f(w) = ||w||^2, gradient 2 w
 * const opt = new Optimizer({ w }, radam, { lr: 0.1 });
 * for (let i = 0; i < 100; i++) opt.step({ w: array(w.toArray().map((r) => r.map((v) => 2 * v))) });
 * console.assert(Math.max(...w.toFlatArray().map(Math.abs)) < 1, 'descends from max |w| = 3');
 * ```
 */
export function radam(options: RadamOptions = {}): GradientTransformation<RadamOptimizerState> {
  const fn = 'radam';
  checkOptions(fn, options, RADAM_OPTIONS_KEYS);
  const { lr = 1e-3, weightDecay, decoupledWeightDecay, maximize, ...moments } = options ?? {};
  const [coupled, decoupled] = weightDecays(fn, { weightDecay, decoupledWeightDecay });
  return named(
    fn,
    withMaximize(
      fn,
      { maximize },
      chain(coupled, scaleByRadamIn(moments, fn), decoupled, learningRate(fn, 'options.lr', lr)),
    ),
  );
}

export interface AdadeltaOptions extends Common {
  /** Learning rate, a finite number >= 0 or a schedule (default 1, as torch). */
  lr?: Rate;
  /** Decay rho in [0, 1] (default 0.9). */
  rho?: number;
  /** Guard > 0 inside the square roots (default 1e-6). */
  eps?: number;
  /** Coupled (L2) weight decay >= 0 (default 0). */
  weightDecay?: number;
}

/** `adadelta`'s state: [weight decay, running averages, step count]. */
export type AdadeltaOptimizerState = [null, AdadeltaState, LearningRateState];

const ADADELTA_OPTIONS_KEYS = optionKeys<AdadeltaOptions>()('lr', 'rho', 'eps', 'weightDecay', 'maximize');

/**
 * Adadelta (Zeiler 2012) as torch.optim.Adadelta, whose `lr` (default 1) scales Zeiler's update. O(n).
 * @throws InvalidArgumentError for an option out of range.
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { Optimizer, adadelta } from '@krylov/optimizers';
 * const w = array([[1, -2], [0.5, 3]]); // minimize f(w) = ||w||^2, gradient 2 w
 * const opt = new Optimizer({ w }, adadelta, { lr: 10 });
 * for (let i = 0; i < 100; i++) opt.step({ w: array(w.toArray().map((r) => r.map((v) => 2 * v))) });
 * console.assert(Math.max(...w.toFlatArray().map(Math.abs)) < 1, 'descends from max |w| = 3');
 * ```
 */
export function adadelta(options: AdadeltaOptions = {}): GradientTransformation<AdadeltaOptimizerState> {
  const fn = 'adadelta';
  checkOptions(fn, options, ADADELTA_OPTIONS_KEYS);
  const { lr = 1, weightDecay = 0, maximize, ...rest } = options ?? {};
  return named(
    fn,
    withMaximize(
      fn,
      { maximize },
      chain(
        decayedWeights(fn, 'options.weightDecay', weightDecay),
        scaleByAdadeltaIn(rest, fn),
        learningRate(fn, 'options.lr', lr),
      ),
    ),
  );
}

/**
 * Rprop (Riedmiller & Braun 1993) as torch.optim.Rprop: per-entry step sizes grown by etaplus while
 * the gradient keeps its sign and shrunk by etaminus when it flips; `lr` (a number, default 1e-2)
 * is the initial step size. See `scaleByRprop`. O(n).
 * @throws InvalidArgumentError for an option out of range.
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { Optimizer, rprop } from '@krylov/optimizers';
 * const w = array([[1, -2], [0.5, 3]]); // minimize f(w) = ||w||^2, gradient 2 w
 * const opt = new Optimizer({ w }, rprop, { lr: 0.01 });
 * for (let i = 0; i < 100; i++) opt.step({ w: array(w.toArray().map((r) => r.map((v) => 2 * v))) });
 * console.assert(Math.max(...w.toFlatArray().map(Math.abs)) < 1, 'descends from max |w| = 3');
 * ```
 */
export function rprop(options: RpropOptions & Common = {}): GradientTransformation<RpropState> {
  const fn = 'rprop';
  checkOptions(fn, options, ['lr', 'etas', 'stepSizes', 'maximize']);
  const { maximize, ...rest } = options ?? {};
  return named(fn, withMaximize(fn, { maximize }, scaleByRpropIn(rest, fn)));
}

/**
 * Averaged SGD as torch.optim.ASGD (Polyak & Juditsky 1992); the average is the state's `ax`
 * (`opt.stateDict().groups[0].state.slots[name].ax`). See `scaleByAsgd`. O(n).
 * @throws InvalidArgumentError for an option out of range.
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { Optimizer, asgd } from '@krylov/optimizers';
 * const w = array([[1, -2], [0.5, 3]]); // minimize f(w) = ||w||^2, gradient 2 w
 * const opt = new Optimizer({ w }, asgd, { lr: 0.1 });
 * for (let i = 0; i < 100; i++) opt.step({ w: array(w.toArray().map((r) => r.map((v) => 2 * v))) });
 * console.assert(Math.max(...w.toFlatArray().map(Math.abs)) < 1, 'descends from max |w| = 3');
 * ```
 */
export function asgd(options: AsgdOptions & Common = {}): GradientTransformation<AsgdState> {
  const fn = 'asgd';
  checkOptions(fn, options, ['lr', 'lambd', 'alpha', 't0', 'weightDecay', 'maximize']);
  const { maximize, ...rest } = options ?? {};
  return named(fn, withMaximize(fn, { maximize }, scaleByAsgdIn(rest, fn)));
}

export interface SparseAdamOptions extends Common {
  /** Learning rate, a finite number >= 0 or a schedule (default 1e-3). */
  lr?: Rate;
  b1?: number;
  b2?: number;
  eps?: number;
}

/** `sparseAdam`'s state: [moments, step count]. */
export type SparseAdamOptimizerState = [SparseAdamState, LearningRateState];

const SPARSE_ADAM_OPTIONS_KEYS = optionKeys<SparseAdamOptions>()('lr', 'b1', 'b2', 'eps', 'maximize');

/**
 * SparseAdam as torch.optim.SparseAdam, with a dense gradient's zero entries standing for the
 * entries a sparse gradient lacks: only entries with a non-zero gradient change (moments and
 * parameter); the bias corrections count every step. No weight decay, as torch. O(n).
 * @throws InvalidArgumentError for an option out of range.
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { Optimizer, sparseAdam } from '@krylov/optimizers';
 * const w = array([[1, -2], [0.5, 3]]); // minimize f(w) = ||w||^2, gradient 2 w
 * const opt = new Optimizer({ w }, sparseAdam, { lr: 0.1 });
 * for (let i = 0; i < 100; i++) opt.step({ w: array(w.toArray().map((r) => r.map((v) => 2 * v))) });
 * console.assert(Math.max(...w.toFlatArray().map(Math.abs)) < 1, 'descends from max |w| = 3');
 * ```
 */
export function sparseAdam(
  options: SparseAdamOptions = {},
): GradientTransformation<SparseAdamOptimizerState> {
  const fn = 'sparseAdam';
  checkOptions(fn, options, SPARSE_ADAM_OPTIONS_KEYS);
  const { lr = 1e-3, maximize, ...moments } = options ?? {};
  return named(
    fn,
    withMaximize(
      fn,
      { maximize },
      chain(scaleBySparseAdamIn(moments, fn), learningRate(fn, 'options.lr', lr)),
    ),
  );
}
