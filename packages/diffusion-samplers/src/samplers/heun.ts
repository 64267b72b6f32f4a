import { InvalidArgumentError, checkNumber, checkOptions, optionKeys } from '@krylov/core-array';
import type { NoiseSchedule } from '../schedules.js';
import { type Batch, lincomb } from '../vector.js';
import { type Point, pointAt, request, timeOfRho } from './common.js';
import type { Sampler, SamplerProgram } from './types.js';

/**
 * One Heun step (EDM, Karras et al. 2022, Algorithm 1 lines 5-8) in k-diffusion's variables
 * y = x / alpha and rho = sigma / alpha, where the probability-flow ODE is dy/drho = (y - D) / rho:
 * an Euler predictor, then the trapezoidal corrector; a step to rho = 0 stays Euler (Algorithm 1 line 6).
 */
function* heunStep(
  x: Batch,
  d: Batch,
  p: Point,
  q: Point,
  step: number,
): Generator<ReturnType<typeof request>, Batch, Batch> {
  // Euler predictor in y = x / alpha: y' = y + (q.rho - p.rho) (y - D) / p.rho
  const r = q.rho / p.rho;
  const euler = lincomb([
    [(q.alpha * r) / p.alpha, x],
    [q.alpha * (1 - r), d],
  ]);
  if (q.sigma === 0) return euler;
  const d2 = yield request(euler, q, step);
  // y_s = y + (q.rho - p.rho) / 2 * ((y - D) / p.rho + (y' - D2) / q.rho), written back as x = alpha y
  const h = (q.rho - p.rho) / 2;
  return lincomb([
    [(q.alpha / p.alpha) * (1 + h / p.rho), x],
    [-q.alpha * (h / p.rho), d],
    [h / q.rho, euler],
    [-q.alpha * (h / q.rho), d2],
  ]);
}

/**
 * EDM's deterministic second-order Heun sampler (Karras et al. 2022, Algorithm 1). Two evaluations per step, one on the last step to t = 0.
 * @returns a `Sampler` for `sample` or `SamplingRun`; the result batch has x's shape and dtype.
 * @example
 * ```ts
 * import { rng } from '@krylov/core-array';
 * import { heun, gaussianData, initialNoise, sample, edm } from '@krylov/diffusion-samplers';
 * const data = gaussianData({ mean: [1, -1], variances: [0.5, 2] }); // exact denoiser, no network
 * const schedule = edm();
 * const x = initialNoise(schedule, [512, 2], rng(1));
 * const out = await sample(data.model, heun(), x, { schedule, steps: 20 });
 * const m0 = out.toFlatArray().filter((_, i) => i % 2 === 0).reduce((s, v) => s + v, 0) / 512;
 * console.assert(Math.abs(m0 - 1) < 0.15, 'the samples have the data mean');
 * ```
 */
export function heun(): Sampler {
  return {
    name: 'heun',
    stochastic: false,
    *program({ schedule, times, x }): SamplerProgram {
      for (let i = 0; i + 1 < times.length; i++) {
        const p = pointAt(schedule, times[i]);
        const d = yield request(x, p, i);
        x = yield* heunStep(x, d, p, pointAt(schedule, times[i + 1]), i);
      }
      return x;
    },
  };
}

export interface EdmStochasticOptions {
  /** S_churn: total noise injected over the run (default 40 / 80 of the steps, as EDM's ImageNet setting is 40 over 256). */
  churn?: number;
  /** Churn only while rho is within [churnMin, churnMax] (default all). */
  churnMin?: number;
  churnMax?: number;
  /** S_noise: scale of the injected noise (default 1.003 as in EDM). */
  noiseScale?: number;
}

const EDM_STOCHASTIC_OPTIONS_KEYS = optionKeys<EdmStochasticOptions>()(
  'churn',
  'churnMin',
  'churnMax',
  'noiseScale',
);

/**
 * EDM's stochastic sampler (Karras et al. 2022, Algorithm 2): raise the noise level by a factor
 * 1 + gamma (gamma = min(churn / N, sqrt 2 - 1)) with fresh noise, then take a Heun step. Two
 * evaluations per step.
 * @returns a `Sampler` for `sample` or `SamplingRun`; the result batch has x's shape and dtype.
 * @example
 * ```ts
 * import { rng } from '@krylov/core-array';
 * import { edmStochastic, gaussianData, initialNoise, sample, edm } from '@krylov/diffusion-samplers';
 * const data = gaussianData({ mean: [1, -1], variances: [0.5, 2] }); // exact denoiser, no network
 * const schedule = edm();
 * const x = initialNoise(schedule, [512, 2], rng(1));
 * const out = await sample(data.model, edmStochastic({ churn: 10 }), x, { schedule, steps: 20, seed: rng(2) }); // (stochastic: needs a seed)
 * const m0 = out.toFlatArray().filter((_, i) => i % 2 === 0).reduce((s, v) => s + v, 0) / 512;
 * console.assert(Math.abs(m0 - 1) < 0.15, 'the samples have the data mean');
 * ```
 */
export function edmStochastic(options?: EdmStochasticOptions): Sampler {
  const fn = 'edmStochastic';
  checkOptions(fn, options, EDM_STOCHASTIC_OPTIONS_KEYS);
  const churn = checkNumber(fn, 'options.churn', options?.churn ?? 10, { min: 0 });
  const churnMin = checkNumber(fn, 'options.churnMin', options?.churnMin ?? 0, { min: 0 });
  const churnMax = checkNumber(fn, 'options.churnMax', options?.churnMax ?? Number.POSITIVE_INFINITY, {
    min: churnMin,
    infinite: true,
  });
  const noiseScale = checkNumber(fn, 'options.noiseScale', options?.noiseScale ?? 1.003, { min: 0 });
  return {
    name: 'edm-stochastic',
    stochastic: churn > 0,
    *program({ schedule, times, x, noise }): SamplerProgram {
      const n = times.length - 1;
      for (let i = 0; i < n; i++) {
        let p = pointAt(schedule, times[i]);
        const gamma = p.rho >= churnMin && p.rho <= churnMax ? Math.min(churn / n, Math.SQRT2 - 1) : 0;
        if (gamma > 0) {
          const hat = raisedPoint(schedule, p, p.rho * (1 + gamma));
          // y_hat = y + sqrt(rho_hat^2 - rho^2) S_noise z, in x = alpha y
          x = lincomb([
            [hat.alpha / p.alpha, x],
            [hat.alpha * Math.sqrt(hat.rho ** 2 - p.rho ** 2) * noiseScale, noise()],
          ]);
          p = hat;
        }
        const d = yield request(x, p, i);
        x = yield* heunStep(x, d, p, pointAt(schedule, times[i + 1]), i);
      }
      return x;
    },
  };
}

/** The point with noise level rho, which may lie beyond tMax (EDM lets churn exceed sigma_max slightly). */
function raisedPoint(schedule: NoiseSchedule, p: Point, rho: number): Point {
  const t = timeOfRho(schedule, rho);
  if (!Number.isFinite(t))
    throw new InvalidArgumentError(
      'edmStochastic',
      'options.churn',
      rho,
      `a churn that keeps the noise level inside the ${schedule.name} schedule`,
    );
  return { ...pointAt(schedule, t), rho };
}
