import { checkOptions } from '@krylov/core-array';
import type { Rate } from './schedules.js';
import { type GradientTransformation, chain } from './transform.js';
import { addDecayedWeights, scaleByLearningRate } from './transforms/basic.js';
import { scaleByAdam, scaleByLion, scaleByRms, scaleByRss, trace } from './transforms/moments.js';

/**
 * The classic optimizers as chains of transformations, each matching its torch.optim counterpart
 * step for step (checked against PyTorch fixtures over 200 steps in float64). Each returns the
 * transformation producing the final update (add it to the parameters); use `Optimizer` for the
 * PyTorch-style object with parameter groups.
 */

export interface SgdOptions {
  lr: Rate;
  momentum?: number;
  dampening?: number;
  nesterov?: boolean;
  /** Coupled (L2) weight decay, added to the gradient as torch.optim.SGD does. */
  weightDecay?: number;
}

/** SGD with momentum, dampening and Nesterov (torch.optim.SGD). */
export function sgd(options: SgdOptions): GradientTransformation<unknown[]> {
  checkOptions('sgd', options, ['lr', 'momentum', 'dampening', 'nesterov', 'weightDecay']);
  const momentum = options.momentum ?? 0;
  return chain(
    addDecayedWeights(options.weightDecay ?? 0),
    ...(momentum > 0 ? [trace({ momentum, dampening: options.dampening, nesterov: options.nesterov })] : []),
    scaleByLearningRate(options.lr),
  );
}

export interface AdamOptions {
  lr?: Rate;
  b1?: number;
  b2?: number;
  eps?: number;
  /** Coupled (L2) weight decay for `adam`, decoupled for `adamw`. */
  weightDecay?: number;
  amsgrad?: boolean;
}

const ADAM_KEYS = ['lr', 'b1', 'b2', 'eps', 'weightDecay', 'amsgrad'];

/** Adam (Kingma & Ba 2015) with coupled weight decay and optional AMSGrad, as torch.optim.Adam. */
export function adam(options: AdamOptions = {}): GradientTransformation<unknown[]> {
  checkOptions('adam', options, ADAM_KEYS);
  const { weightDecay = 0, lr = 1e-3, ...moments } = options;
  return chain(addDecayedWeights(weightDecay), scaleByAdam(moments), scaleByLearningRate(lr));
}

/**
 * AdamW (Loshchilov & Hutter 2019): decoupled weight decay, p <- p - lr (adam + wd p), as
 * torch.optim.AdamW (default weight decay 0.01).
 */
export function adamw(options: AdamOptions = {}): GradientTransformation<unknown[]> {
  checkOptions('adamw', options, ADAM_KEYS);
  const { weightDecay = 1e-2, lr = 1e-3, ...moments } = options;
  return chain(scaleByAdam(moments), addDecayedWeights(weightDecay), scaleByLearningRate(lr));
}

/** AMSGrad (Reddi et al. 2018): Adam with the running maximum of the second moment. */
export function amsgrad(options: Omit<AdamOptions, 'amsgrad'> = {}): GradientTransformation<unknown[]> {
  checkOptions(
    'amsgrad',
    options,
    ADAM_KEYS.filter((k) => k !== 'amsgrad'),
  );
  return adam({ ...options, amsgrad: true });
}

/** Adagrad (Duchi et al. 2011) as torch.optim.Adagrad, with its learning-rate decay lr / (1 + (t - 1) lrDecay). */
export function adagrad(
  options: {
    lr?: number;
    lrDecay?: number;
    weightDecay?: number;
    initialAccumulator?: number;
    eps?: number;
  } = {},
) {
  checkOptions('adagrad', options, ['lr', 'lrDecay', 'weightDecay', 'initialAccumulator', 'eps']);
  const lr = options.lr ?? 1e-2;
  const decay = options.lrDecay ?? 0;
  return chain(
    addDecayedWeights(options.weightDecay ?? 0),
    scaleByRss({ initialAccumulator: options.initialAccumulator, eps: options.eps }),
    scaleByLearningRate((t) => lr / (1 + (t - 1) * decay)),
  );
}

/** RMSprop as torch.optim.RMSprop (alpha 0.99, optional centering and momentum). */
export function rmsprop(
  options: {
    lr?: Rate;
    alpha?: number;
    eps?: number;
    centered?: boolean;
    momentum?: number;
    weightDecay?: number;
  } = {},
) {
  checkOptions('rmsprop', options, ['lr', 'alpha', 'eps', 'centered', 'momentum', 'weightDecay']);
  const { lr = 1e-2, weightDecay = 0, ...rest } = options;
  return chain(addDecayedWeights(weightDecay), scaleByRms(rest), scaleByLearningRate(lr));
}

/** Lion (Chen et al. 2023): sign of interpolated momentum, decoupled weight decay. */
export function lion(options: { lr?: Rate; b1?: number; b2?: number; weightDecay?: number } = {}) {
  checkOptions('lion', options, ['lr', 'b1', 'b2', 'weightDecay']);
  const { lr = 1e-4, weightDecay = 0, ...rest } = options;
  return chain(scaleByLion(rest), addDecayedWeights(weightDecay), scaleByLearningRate(lr));
}
