import { type Batch, lincomb } from '../vector.js';
import { type Point, pointAt, request } from './common.js';
import type { Sampler, SamplerProgram } from './types.js';

/** The flow velocity dx/dt = alpha' D + sigma' eps with eps = (x - alpha D) / sigma, as terms. */
function velocity(x: Batch, d: Batch, p: Point, dAlpha: number, dSigma: number): [number, Batch][] {
  return [
    [dSigma / p.sigma, x],
    [dAlpha - (dSigma * p.alpha) / p.sigma, d],
  ];
}

function flowSampler(name: string, secondOrder: boolean): Sampler {
  return {
    name,
    stochastic: false,
    *program({ schedule, times, x }): SamplerProgram {
      const v = (y: Batch, d: Batch, p: Point) =>
        velocity(y, d, p, schedule.dAlpha(p.t), schedule.dSigma(p.t));
      for (let i = 0; i + 1 < times.length; i++) {
        const p = pointAt(schedule, times[i]);
        const q = pointAt(schedule, times[i + 1]);
        const dt = q.t - p.t;
        const v0 = v(x, yield request(x, p, i), p);
        const euler = lincomb([[1, x], ...v0.map(([c, b]) => [c * dt, b] as [number, Batch])]);
        if (!secondOrder || q.sigma === 0) {
          x = euler;
          continue;
        }
        const v1 = v(euler, yield request(euler, q, i), q);
        x = lincomb([[1, x], ...[...v0, ...v1].map(([c, b]) => [(c * dt) / 2, b] as [number, Batch])]);
      }
      return x;
    },
  };
}

/**
 * Euler's method on the flow ODE dx/dt = v(x, t) in the schedule's own time (flow matching / rectified flow samplers;
 * Liu, Gong & Liu 2023, "Flow Straight and Fast").
 * One model evaluation per step, O(batch dim) work besides it.
 * @returns a `Sampler` for `sample` or `SamplingRun`; the result batch has x's shape and dtype.
 * @example
 * ```ts
 * import { rng } from '@krylov/core-array';
 * import { flowEuler, gaussianData, initialNoise, sample, rectifiedFlow } from '@krylov/diffusion-samplers';
 * const data = gaussianData({ mean: [1, -1], variances: [0.5, 2] }); // exact denoiser, no network
 * const schedule = rectifiedFlow();
 * const x = initialNoise(schedule, [512, 2], rng(1));
 * const out = await sample(data.model, flowEuler(), x, { schedule, steps: 20 });
 * const m0 = out.toFlatArray().filter((_, i) => i % 2 === 0).reduce((s, v) => s + v, 0) / 512;
 * console.assert(Math.abs(m0 - 1) < 0.15, 'the samples have the data mean');
 * ```
 */
export function flowEuler(): Sampler {
  return flowSampler('flow-euler', false);
}

/**
 * Heun's method (explicit trapezoid) on the flow ODE in the schedule's own time; Euler on a last step to t = 0.
 * Two model evaluations per step (one on the last).
 * @returns a `Sampler` for `sample` or `SamplingRun`; the result batch has x's shape and dtype.
 * @example
 * ```ts
 * import { rng } from '@krylov/core-array';
 * import { flowHeun, gaussianData, initialNoise, sample, rectifiedFlow } from '@krylov/diffusion-samplers';
 * const data = gaussianData({ mean: [1, -1], variances: [0.5, 2] }); // exact denoiser, no network
 * const schedule = rectifiedFlow();
 * const x = initialNoise(schedule, [512, 2], rng(1));
 * const out = await sample(data.model, flowHeun(), x, { schedule, steps: 20 });
 * const m0 = out.toFlatArray().filter((_, i) => i % 2 === 0).reduce((s, v) => s + v, 0) / 512;
 * console.assert(Math.abs(m0 - 1) < 0.15, 'the samples have the data mean');
 * ```
 */
export function flowHeun(): Sampler {
  return flowSampler('flow-heun', true);
}
