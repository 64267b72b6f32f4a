import { checkBoolean } from '@krylov/core-array';
import { type NoiseLevel, levelAt } from '../model.js';
import type { NoiseSchedule } from '../schedules.js';
import type { Batch } from '../vector.js';
import type { EvalRequest } from './types.js';

/** Noise level plus half log-SNR (infinite at the clean end) and sigma / alpha. */
export interface Point extends NoiseLevel {
  lambda: number;
  /** sigma / alpha: the noise level of x / alpha (k-diffusion's sigma). */
  rho: number;
}

export function pointAt(schedule: NoiseSchedule, t: number): Point {
  const level = levelAt(schedule, t);
  return {
    ...level,
    lambda: level.sigma === 0 ? Number.POSITIVE_INFINITY : schedule.lambda(t),
    rho: level.sigma / level.alpha,
  };
}

/** The request for a model evaluation at x and point p (yield it; the driver answers with x0). */
export function request(x: Batch, p: Point, step: number): EvalRequest {
  return { x, level: { t: p.t, alpha: p.alpha, sigma: p.sigma }, step };
}

/** The time whose sigma / alpha equals rho. */
export function timeOfRho(schedule: NoiseSchedule, rho: number): number {
  return schedule.timeOfLambda(-Math.log(rho));
}

/**
 * Runs of fewer noisy steps than this lower the order of multistep methods on their last steps
 * when `lowerOrderFinal` is set (diffusers' `DPMSolverMultistepScheduler` rule).
 */
export const LOWER_ORDER_FINAL_BELOW = 15;

/**
 * When a multistep method lowers its order near the end of a run (diffusers' `lower_order_final` and
 * `euler_at_final`). The warm-up is fixed: step i (0-based) uses at most order i + 1, since only i
 * earlier model outputs exist.
 */
export interface FinalStepPolicy {
  /**
   * In runs of fewer than `LOWER_ORDER_FINAL_BELOW` (15) noisy steps, step i of n uses at most
   * order n - i, so the last step is first order and the one before at most second order
   * (diffusers' `lower_order_final`, default true there and here).
   */
  lowerOrderFinal?: boolean;
  /** The last noisy step is first order in runs of any length (diffusers' `euler_at_final`, default false). */
  eulerAtFinal?: boolean;
}

/** Checks the policy options of a sampler's options object; defaults lowerOrderFinal true, eulerAtFinal false. */
export function checkFinalStepPolicy(
  fn: string,
  options: FinalStepPolicy | undefined,
): Required<FinalStepPolicy> {
  return {
    lowerOrderFinal: checkBoolean(fn, 'options.lowerOrderFinal', options?.lowerOrderFinal ?? true),
    eulerAtFinal: checkBoolean(fn, 'options.eulerAtFinal', options?.eulerAtFinal ?? false),
  };
}

/**
 * The order a multistep method may use at step i of n noisy steps (0-based): limited by the history
 * available (the warm-up) and by the final-step policy. Long runs keep the full order to the end
 * unless `eulerAtFinal`: one first-order step of size h leaves an O(h^2) error, which caps the
 * global order of every multistep method at 2.
 */
export function stepOrder(order: number, i: number, n: number, policy: Required<FinalStepPolicy>): number {
  if (policy.eulerAtFinal && i === n - 1) return 1;
  const lower = policy.lowerOrderFinal && n < LOWER_ORDER_FINAL_BELOW;
  return Math.max(1, Math.min(order, i + 1, lower ? n - i : order));
}

/** Number of steps whose target has sigma > 0 (a final step to t = 0 only denoises). */
export function noisySteps(times: Float64Array): number {
  return times[times.length - 1] === 0 ? times.length - 2 : times.length - 1;
}
