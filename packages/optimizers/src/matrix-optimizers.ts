import { checkOptions, optionKeys } from '@krylov/core-array';
import type { Rate } from './schedules.js';
import {
  type GradientTransformation,
  type PerParameterState,
  chain,
  named,
  perParameter,
  withMaximize,
} from './transform.js';
import { type LearningRateState, decayedWeights, learningRate } from './transforms/basic.js';
import { BETA, numberOption } from './transforms/moments.js';
import { type ShampooOptions, type ShampooState, scaleByShampoo } from './transforms/shampoo.js';
import { type SoapOptions, type SoapState, scaleBySoap } from './transforms/soap.js';
import { type Buffer, zerosLike } from './tree.js';

/**
 * Named Shampoo and SOAP optimizers with their reference implementations' defaults, beside `muon`
 * and `galore`, so that a user need not assemble `scaleByShampoo` / `scaleBySoap` chains.
 */

/** The state of the bias-corrected gradient EMA that `shampoo` preconditions (its `b1`). */
export type FilteredGradState = PerParameterState<{ m: Buffer }>;

/** m = b1 m + (1 - b1) g, u = m / (1 - b1^t); the identity for b1 = 0 (no buffer is kept then). */
function filteredGrad(fn: string, b1: number): GradientTransformation<FilteredGradState> {
  return perParameter(
    (p) => ({ m: b1 > 0 ? zerosLike(p) : p.dtype === 'float32' ? new Float32Array(0) : new Float64Array(0) }),
    (u, s, _p, t) => {
      if (b1 === 0) return;
      const bc = 1 - b1 ** t;
      for (let i = 0; i < u.length; i++) {
        s.m[i] = b1 * s.m[i] + (1 - b1) * u[i];
        u[i] = s.m[i] / bc;
      }
    },
    { name: `${fn}.filteredGrad` },
  );
}

export interface ShampooOptimizerOptions extends Omit<ShampooOptions, 'beta'> {
  /** Learning rate, a finite number >= 0 or a schedule (default 1e-2). */
  lr?: Rate;
  /** Decay in [0, 1) of the gradient EMA that is preconditioned, with bias correction (default 0.9; 0: none). */
  b1?: number;
  /** Decay of the Kronecker factors in (0, 1] (default 1: sums, as Shampoo and Adagrad). */
  beta?: number;
  /** Decoupled weight decay >= 0, p *= 1 - lr wd (default 0). */
  weightDecay?: number;
  /** Ascend instead of descend (default false). */
  maximize?: boolean;
}

/** `shampoo`'s state: [gradient EMA, Shampoo factors and roots, weight decay, step count]. */
export type ShampooOptimizerState = [FilteredGradState, ShampooState, null, LearningRateState];

const SHAMPOO_OPTIMIZER_OPTIONS_KEYS = optionKeys<ShampooOptimizerOptions>()(
  'lr',
  'b1',
  'beta',
  'epsilon',
  'precondFrequency',
  'blockSize',
  'rootMethod',
  'root',
  'graft',
  'b2',
  'eps',
  'weightDecay',
  'maximize',
);

/**
 * Shampoo (Gupta, Koren & Singer 2018; Anil et al. 2020) with the defaults of Meta's
 * DistributedShampoo (facebookresearch/optimizers, `distributed_shampoo.py`): lr 1e-2,
 * betas (0.9, 1.0) as `b1` (bias-corrected gradient EMA) and `beta` (factor sums), epsilon 1e-12,
 * blocks of at most 1024 (`blockSize`, their `max_preconditioner_dim`), inverse roots every step
 * (`precondFrequency` 1), root 4 for matrices, decoupled weight decay 0; grafting is Adam's
 * (b2 0.999, eps 1e-8), the recipe of that README for replacing AdamW, where their default has
 * none. Differences from that code: `epsilon` is relative to the factor's largest diagonal entry,
 * and vectors get the grafted Adam step instead of a one-sided Shampoo factor. Cost per step and
 * matrix block O(m^3 + n^3) for the roots plus O(mn(m + n)).
 * @throws InvalidArgumentError for an option out of range (as `scaleByShampoo`, plus lr, b1, weightDecay).
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { Optimizer, shampoo } from '@krylov/optimizers';
 * const w = array([[1, -2], [0.5, 3]]); // minimize f(w) = ||w||^2, gradient 2 w
 * const opt = new Optimizer({ w }, shampoo, { lr: 0.1 });
 * for (let i = 0; i < 100; i++) opt.step({ w: array(w.toArray().map((r) => r.map((v) => 2 * v))) });
 * console.assert(Math.max(...w.toFlatArray().map(Math.abs)) < 1, 'descends from max |w| = 3');
 * ```
 */
export function shampoo(
  options: ShampooOptimizerOptions = {},
): GradientTransformation<ShampooOptimizerState> {
  const fn = 'shampoo';
  checkOptions(fn, options, SHAMPOO_OPTIMIZER_OPTIONS_KEYS);
  const {
    lr = 1e-2,
    b1: b1Option,
    weightDecay = 0,
    maximize,
    epsilon = 1e-12,
    precondFrequency = 1,
    blockSize = 1024,
    ...rest
  } = options ?? {};
  const b1 = numberOption(fn, { b1: b1Option }, 'b1', 0.9, BETA);
  return named(
    fn,
    withMaximize(
      fn,
      { maximize },
      chain(
        filteredGrad(fn, b1),
        scaleByShampoo({ epsilon, precondFrequency, blockSize, ...rest }),
        decayedWeights(fn, 'options.weightDecay', weightDecay),
        learningRate(fn, 'options.lr', lr),
      ),
    ),
  );
}

export interface SoapOptimizerOptions extends SoapOptions {
  /** Learning rate, a finite number >= 0 or a schedule (default 3e-3). */
  lr?: Rate;
  /** Decoupled weight decay >= 0, p -= lr wd p (default 0.01). */
  weightDecay?: number;
  /** Ascend instead of descend (default false). */
  maximize?: boolean;
}

/** `soap`'s state: [SOAP moments and eigenbases, weight decay, step count]. */
export type SoapOptimizerState = [SoapState, null, LearningRateState];

const SOAP_OPTIMIZER_OPTIONS_KEYS = optionKeys<SoapOptimizerOptions>()(
  'lr',
  'b1',
  'b2',
  'eps',
  'shampooBeta',
  'precondFrequency',
  'maxPrecondDim',
  'weightDecay',
  'maximize',
);

/**
 * SOAP (Vyas et al. 2024) with the defaults of the authors' reference (github.com/nikhilvyas/SOAP,
 * `soap.py`): lr 3e-3, betas (0.95, 0.95), shampoo_beta -1 (= b2), eps 1e-8, decoupled weight decay
 * 0.01, precondition_frequency 10, max_precond_dim 10000. Not implemented from that reference:
 * `merge_dims`, `precondition_1d` (vectors get plain Adam), `normalize_grads`, and its first step,
 * which only initializes the eigenbases without moving the parameters (here the first step moves
 * them in the fresh eigenbasis). Cost as `scaleBySoap`.
 * @throws InvalidArgumentError for an option out of range (as `scaleBySoap`, plus lr and weightDecay).
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { Optimizer, soap } from '@krylov/optimizers';
 * const w = array([[1, -2], [0.5, 3]]); // minimize f(w) = ||w||^2, gradient 2 w
 * const opt = new Optimizer({ w }, soap, { lr: 0.1 });
 * for (let i = 0; i < 100; i++) opt.step({ w: array(w.toArray().map((r) => r.map((v) => 2 * v))) });
 * console.assert(Math.max(...w.toFlatArray().map(Math.abs)) < 1, 'descends from max |w| = 3');
 * ```
 */
export function soap(options: SoapOptimizerOptions = {}): GradientTransformation<SoapOptimizerState> {
  const fn = 'soap';
  checkOptions(fn, options, SOAP_OPTIMIZER_OPTIONS_KEYS);
  const { lr = 3e-3, weightDecay = 0.01, maximize, ...rest } = options ?? {};
  return named(
    fn,
    withMaximize(
      fn,
      { maximize },
      chain(
        scaleBySoap(rest),
        decayedWeights(fn, 'options.weightDecay', weightDecay),
        learningRate(fn, 'options.lr', lr),
      ),
    ),
  );
}
