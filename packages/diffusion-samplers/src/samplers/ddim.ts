import { checkNumber, checkOptions, optionKeys } from '@krylov/core-array';
import { lincomb } from '../vector.js';
import { pointAt, request } from './common.js';
import type { Sampler, SamplerProgram } from './types.js';

/**
 * DDIM (Song, Meng & Ermon 2021, eq. 12) with stochasticity eta: from (x_t, D) to time s,
 * x_s = alpha_s D + sqrt(sigma_s^2 - c^2) eps + c z, eps = (x_t - alpha_t D) / sigma_t,
 * c = eta sigma_s sqrt(1 - (rho_s / rho_t)^2), rho = sigma / alpha.
 *
 * In k-diffusion's variables (x / alpha, rho) this is exactly Euler's method on the probability-
 * flow ODE for eta = 0 (Karras et al. 2022, sec. 4), and Euler ancestral for eta = 1, whose noise
 * split sigma_up = c / alpha_s, sigma_down = rho_s sqrt(1 - (c / sigma_s)^2) is DDPM's posterior
 * (Ho et al. 2020): so `ddim`, `euler`, `eulerAncestral` and `ddpm` share this one step.
 * One model evaluation per step; first order.
 */
function ddimFamily(fn: string, name: string, eta: unknown, noiseScale: unknown): Sampler {
  // eta > 1 would ask for more noise than sigma_s holds (the reference code clamps it silently)
  checkNumber(fn, 'options.eta', eta, { min: 0, max: 1 });
  checkNumber(fn, 'options.noiseScale', noiseScale, { min: 0 });
  return {
    name,
    stochastic: (eta as number) > 0,
    *program({ schedule, times, x, noise }): SamplerProgram {
      for (let i = 0; i + 1 < times.length; i++) {
        const p = pointAt(schedule, times[i]);
        const q = pointAt(schedule, times[i + 1]);
        const d = yield request(x, p, i);
        const c = (eta as number) * q.sigma * Math.sqrt(Math.max(0, 1 - (q.rho / p.rho) ** 2));
        const keep = Math.sqrt(Math.max(0, q.sigma * q.sigma - c * c)) / p.sigma;
        const terms: [number, typeof x][] = [
          [keep, x],
          [q.alpha - keep * p.alpha, d],
        ];
        if (c > 0) terms.push([c * (noiseScale as number), noise()]);
        x = lincomb(terms);
      }
      return x;
    },
  };
}

const DDIM_OPTIONS_KEYS = optionKeys<DdimOptions>()('eta');

/** Options of {@link ddim}. */
export type DdimOptions = { eta?: number };

/**
 * DDIM with `eta` (default 0, deterministic); see `ddimFamily` above for the update (Song, Meng &
 * Ermon 2021, "Denoising Diffusion Implicit Models", eq. 12).
 * One model evaluation per step, O(batch dim) work besides it.
 * @throws InvalidArgumentError for an eta outside [0, 1]; `sample` then requires a seed when eta > 0.
 * @returns a `Sampler` for `sample` or `SamplingRun`; the result batch has x's shape and dtype.
 * @example
 * ```ts
 * import { rng } from '@krylov/core-array';
 * import { ddim, gaussianData, initialNoise, sample, vpCosine } from '@krylov/diffusion-samplers';
 * const data = gaussianData({ mean: [1, -1], variances: [0.5, 2] }); // exact denoiser, no network
 * const schedule = vpCosine();
 * const x = initialNoise(schedule, [512, 2], rng(1));
 * const out = await sample(data.model, ddim(), x, { schedule, steps: 20 });
 * const m0 = out.toFlatArray().filter((_, i) => i % 2 === 0).reduce((s, v) => s + v, 0) / 512;
 * console.assert(Math.abs(m0 - 1) < 0.15, 'the samples have the data mean');
 * ```
 */
export function ddim(options?: DdimOptions): Sampler {
  checkOptions('ddim', options, DDIM_OPTIONS_KEYS);
  return ddimFamily('ddim', 'ddim', options?.eta ?? 0, 1);
}

/**
 * DDPM ancestral sampling (Ho et al. 2020, Algorithm 2): DDIM with eta = 1.
 * One model evaluation per step, O(batch dim) work besides it.
 * Stochastic: `sample` throws InvalidArgumentError without a seed.
 * @returns a `Sampler` for `sample` or `SamplingRun`; the result batch has x's shape and dtype.
 * @example
 * ```ts
 * import { rng } from '@krylov/core-array';
 * import { ddpm, gaussianData, initialNoise, sample, vpCosine } from '@krylov/diffusion-samplers';
 * const data = gaussianData({ mean: [1, -1], variances: [0.5, 2] }); // exact denoiser, no network
 * const schedule = vpCosine();
 * const x = initialNoise(schedule, [512, 2], rng(1));
 * const out = await sample(data.model, ddpm(), x, { schedule, steps: 20, seed: rng(2) }); // (stochastic: needs a seed)
 * const m0 = out.toFlatArray().filter((_, i) => i % 2 === 0).reduce((s, v) => s + v, 0) / 512;
 * console.assert(Math.abs(m0 - 1) < 0.15, 'the samples have the data mean');
 * ```
 */
export function ddpm(): Sampler {
  return ddimFamily('ddpm', 'ddpm', 1, 1);
}

/**
 * Euler's method on the probability-flow ODE in k-diffusion's variables (`sample_euler`); equals DDIM with eta = 0.
 * One model evaluation per step, O(batch dim) work besides it.
 * @returns a `Sampler` for `sample` or `SamplingRun`; the result batch has x's shape and dtype.
 * @example
 * ```ts
 * import { rng } from '@krylov/core-array';
 * import { euler, gaussianData, initialNoise, sample, edm } from '@krylov/diffusion-samplers';
 * const data = gaussianData({ mean: [1, -1], variances: [0.5, 2] }); // exact denoiser, no network
 * const schedule = edm();
 * const x = initialNoise(schedule, [512, 2], rng(1));
 * const out = await sample(data.model, euler(), x, { schedule, steps: 20 });
 * const m0 = out.toFlatArray().filter((_, i) => i % 2 === 0).reduce((s, v) => s + v, 0) / 512;
 * console.assert(Math.abs(m0 - 1) < 0.15, 'the samples have the data mean');
 * ```
 */
export function euler(): Sampler {
  return ddimFamily('euler', 'euler', 0, 1);
}

const EULER_ANCESTRAL_OPTIONS_KEYS = optionKeys<EulerAncestralOptions>()('eta', 'noiseScale');

/** Options of {@link eulerAncestral}. */
export type EulerAncestralOptions = { eta?: number; noiseScale?: number };

/**
 * Euler ancestral (k-diffusion `sample_euler_ancestral`, with `eta` and `noiseScale` = s_noise).
 * One model evaluation per step, O(batch dim) work besides it.
 * @throws InvalidArgumentError for an eta outside [0, 1] or a negative noiseScale; `sample` then requires a seed.
 * @returns a `Sampler` for `sample` or `SamplingRun`; the result batch has x's shape and dtype.
 * @example
 * ```ts
 * import { rng } from '@krylov/core-array';
 * import { eulerAncestral, gaussianData, initialNoise, sample, vpCosine } from '@krylov/diffusion-samplers';
 * const data = gaussianData({ mean: [1, -1], variances: [0.5, 2] }); // exact denoiser, no network
 * const schedule = vpCosine();
 * const x = initialNoise(schedule, [512, 2], rng(1));
 * const out = await sample(data.model, eulerAncestral(), x, { schedule, steps: 20, seed: rng(2) }); // (stochastic: needs a seed)
 * const m0 = out.toFlatArray().filter((_, i) => i % 2 === 0).reduce((s, v) => s + v, 0) / 512;
 * console.assert(Math.abs(m0 - 1) < 0.15, 'the samples have the data mean');
 * ```
 */
export function eulerAncestral(options?: EulerAncestralOptions): Sampler {
  checkOptions('eulerAncestral', options, EULER_ANCESTRAL_OPTIONS_KEYS);
  return ddimFamily('eulerAncestral', 'euler-ancestral', options?.eta ?? 1, options?.noiseScale ?? 1);
}
