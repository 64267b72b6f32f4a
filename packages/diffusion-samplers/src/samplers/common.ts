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
 * The order a multistep method may use at step i of n (0-based): limited by the history available
 * and, with `lowerOrderFinal` on a run of fewer than `LOWER_ORDER_FINAL_BELOW` steps, by the steps
 * left, which stabilizes few-step sampling (DPM-Solver++ and UniPC reference code). Longer runs keep
 * the full order to the end: one first-order step of size h leaves an O(h^2) error, which would cap
 * the global order of every multistep method at 2.
 */
export function stepOrder(order: number, i: number, n: number, lowerOrderFinal: boolean): number {
  const lower = lowerOrderFinal && n < LOWER_ORDER_FINAL_BELOW;
  return Math.max(1, Math.min(order, i + 1, lower ? n - i : order));
}

/** Number of steps whose target has sigma > 0 (a final step to t = 0 only denoises). */
export function noisySteps(times: Float64Array): number {
  return times[times.length - 1] === 0 ? times.length - 2 : times.length - 1;
}
