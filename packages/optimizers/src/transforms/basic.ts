import { InvalidArgumentError, checkNumber } from '@krylov/core-array';
import type { Rate } from '../schedules.js';
import type { GradientTransformation } from '../transform.js';
import { elementsOf } from '../tree.js';

/** The state of `scaleByLearningRate`: the number of updates made. */
export interface LearningRateState {
  count: number;
}

/**
 * Throws unless `lr` is a finite number >= 0 or a function (a schedule); returns it.
 * A schedule's values are checked step by step (`rateAtStep`).
 */
export function checkRate(fn: string, arg: string, lr: unknown): Rate {
  if (typeof lr === 'function') return lr as Rate;
  if (lr === undefined)
    throw new InvalidArgumentError(
      fn,
      arg,
      lr,
      'a learning rate (a finite number >= 0 or a schedule); it has no default',
    );
  if (typeof lr !== 'number' || !(lr >= 0) || !Number.isFinite(lr))
    throw new InvalidArgumentError(fn, arg, lr, 'a finite number >= 0 or a schedule (count) => number');
  return lr;
}

/**
 * The rate at 1-based step `count`, refusing a schedule value that is not a finite number >= 0
 * with an error naming the optimizer `fn` and the step.
 */
export function rateAtStep(fn: string, arg: string, lr: Rate, count: number): number {
  const rate = typeof lr === 'number' ? lr : lr(count);
  if (typeof rate !== 'number' || !(rate >= 0) || !Number.isFinite(rate))
    throw new InvalidArgumentError(
      fn,
      `${arg}(${count})`,
      rate,
      `a finite learning rate >= 0 from the schedule at step ${count}; the step was refused before any parameter or state changed`,
    );
  return rate;
}

/**
 * Multiplies every update by -lr(t), the step count t kept in the state; `fn` and `arg` name the
 * optimizer and option in errors (a schedule's value is checked at every step).
 */
export function learningRate(
  fn: string,
  arg: string,
  lr: unknown,
): GradientTransformation<LearningRateState> {
  const rate = checkRate(fn, arg, lr);
  return {
    name: 'scaleByLearningRate',
    init: () => ({ count: 0 }),
    check: (state) => void rateAtStep(fn, arg, rate, state.count + 1),
    update(updates, state) {
      const r = rateAtStep(fn, arg, rate, state.count + 1);
      state.count++;
      for (const name of Object.keys(updates)) {
        const u = elementsOf(updates[name]);
        for (let i = 0; i < u.length; i++) u[i] *= -r;
      }
    },
  };
}

/**
 * Adds `weightDecay * p` to the update. Placed before a moment transformation it is coupled
 * (L2) weight decay, as torch's Adam; placed after, before the learning rate, it is decoupled
 * (Loshchilov & Hutter 2019, AdamW). O(n).
 * @throws InvalidArgumentError unless `weightDecay` is a finite number >= 0.
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { addDecayedWeights } from '@krylov/optimizers';
 * const t = addDecayedWeights(0.1);
 * const params = { w: array([2]) };
 * const updates = { w: array([1]) };
 * t.update(updates, t.init(params), params);
 * console.assert(Math.abs(updates.w.get(0) - 1.2) < 1e-15, 'u + 0.1 w');
 * ```
 */
export function addDecayedWeights(weightDecay: number): GradientTransformation<null> {
  return decayedWeights('addDecayedWeights', 'weightDecay', weightDecay);
}

/** `addDecayedWeights` with the caller's names in errors. */
export function decayedWeights(fn: string, arg: string, value: unknown): GradientTransformation<null> {
  const weightDecay = checkNumber(fn, arg, value, { min: 0 });
  return {
    name: 'addDecayedWeights',
    init: () => null,
    update(updates, _state, params) {
      if (weightDecay === 0) return;
      for (const name of Object.keys(updates)) {
        const u = elementsOf(updates[name]);
        const p = elementsOf(params[name]);
        for (let i = 0; i < u.length; i++) u[i] += weightDecay * p[i];
      }
    },
  };
}

/**
 * Multiplies the update by -lr(t) (the step count is kept in the state). O(n).
 * @throws InvalidArgumentError unless `lr` is a finite number >= 0 or a schedule; at a step where
 * the schedule returns NaN, a negative or a non-number, naming the step (nothing is changed).
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { scaleByLearningRate, stepSchedule } from '@krylov/optimizers';
 * const t = scaleByLearningRate(stepSchedule(0.1, { stepSize: 10 }));
 * const params = { w: array([0]) };
 * const updates = { w: array([2]) };
 * t.update(updates, t.init(params), params);
 * console.assert(Math.abs(updates.w.get(0) + 0.2) < 1e-15, '-lr u');
 * ```
 */
export function scaleByLearningRate(lr: Rate): GradientTransformation<LearningRateState> {
  return learningRate('scaleByLearningRate', 'lr', lr);
}

/**
 * Rescales all updates together so their global 2-norm is at most `maxNorm` (torch.nn.utils.clip_grad_norm_). O(n).
 * @throws InvalidArgumentError unless `maxNorm` is a number > 0 (Infinity: no clipping).
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { clipByGlobalNorm } from '@krylov/optimizers';
 * const t = clipByGlobalNorm(1);
 * const params = { a: array([0]), b: array([0]) };
 * const updates = { a: array([3]), b: array([4]) }; // global norm 5
 * t.update(updates, t.init(params), params);
 * console.assert(Math.abs(updates.a.get(0) - 0.6) < 1e-6 && Math.abs(updates.b.get(0) - 0.8) < 1e-6, 'scaled to norm 1');
 * ```
 */
export function clipByGlobalNorm(maxNorm: number): GradientTransformation<null> {
  checkNumber('clipByGlobalNorm', 'maxNorm', maxNorm, { min: 0, minExclusive: true, infinite: true });
  return {
    name: 'clipByGlobalNorm',
    init: () => null,
    update(updates) {
      let sq = 0;
      for (const name of Object.keys(updates)) for (const v of elementsOf(updates[name])) sq += v * v;
      const norm = Math.sqrt(sq);
      if (norm <= maxNorm) return;
      const c = maxNorm / (norm + 1e-6);
      for (const name of Object.keys(updates)) {
        const u = elementsOf(updates[name]);
        for (let i = 0; i < u.length; i++) u[i] *= c;
      }
    },
  };
}
