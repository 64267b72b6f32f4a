import { InvalidArgumentError } from '@krylov/core-array';
import { type Rate, rateAt } from '../schedules.js';
import type { GradientTransformation } from '../transform.js';
import type { Buffer } from '../tree.js';

/**
 * Adds `weightDecay * p` to the update. Placed before a moment transformation it is coupled
 * (L2) weight decay, as torch's Adam; placed after, before the learning rate, it is decoupled
 * (Loshchilov & Hutter 2019, AdamW). O(n).
 */
export function addDecayedWeights(weightDecay: number): GradientTransformation<null> {
  if (!(weightDecay >= 0 && Number.isFinite(weightDecay)))
    throw new InvalidArgumentError(
      'addDecayedWeights',
      'weightDecay',
      weightDecay,
      'a finite non-negative number',
    );
  return {
    init: () => null,
    update(updates, _state, params) {
      if (weightDecay === 0) return;
      for (const name of Object.keys(updates)) {
        const u = updates[name].data as Buffer;
        const p = params[name].data as Buffer;
        for (let i = 0; i < u.length; i++) u[i] += weightDecay * p[i];
      }
    },
  };
}

/** Multiplies the update by -lr(t) (the step count is kept in the state). O(n). */
export function scaleByLearningRate(lr: Rate): GradientTransformation<{ count: number }> {
  if (typeof lr === 'number' && !(lr >= 0 && Number.isFinite(lr)))
    throw new InvalidArgumentError(
      'scaleByLearningRate',
      'lr',
      lr,
      'a finite non-negative number or a schedule',
    );
  return {
    init: () => ({ count: 0 }),
    update(updates, state) {
      const rate = rateAt(lr, ++state.count);
      for (const name of Object.keys(updates)) {
        const u = updates[name].data as Buffer;
        for (let i = 0; i < u.length; i++) u[i] *= -rate;
      }
    },
  };
}

/** Rescales all updates together so their global 2-norm is at most `maxNorm` (torch.nn.utils.clip_grad_norm_). O(n). */
export function clipByGlobalNorm(maxNorm: number): GradientTransformation<null> {
  if (!(maxNorm > 0))
    throw new InvalidArgumentError('clipByGlobalNorm', 'maxNorm', maxNorm, 'a positive number');
  return {
    init: () => null,
    update(updates) {
      let sq = 0;
      for (const name of Object.keys(updates)) for (const v of updates[name].data as Buffer) sq += v * v;
      const norm = Math.sqrt(sq);
      if (norm <= maxNorm) return;
      const c = maxNorm / (norm + 1e-6);
      for (const name of Object.keys(updates)) {
        const u = updates[name].data as Buffer;
        for (let i = 0; i < u.length; i++) u[i] *= c;
      }
    },
  };
}
