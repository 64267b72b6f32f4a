import { checkNumber, checkOptions } from '@krylov/core-array';
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

/** DDIM with `eta` (default 0, deterministic); see `ddimFamily` above for the update. */
export function ddim(options?: { eta?: number }): Sampler {
  checkOptions('ddim', options, ['eta']);
  return ddimFamily('ddim', 'ddim', options?.eta ?? 0, 1);
}

/** DDPM ancestral sampling (Ho et al. 2020, Algorithm 2): DDIM with eta = 1. */
export function ddpm(): Sampler {
  return ddimFamily('ddpm', 'ddpm', 1, 1);
}

/** Euler's method on the probability-flow ODE in k-diffusion's variables (`sample_euler`); equals DDIM with eta = 0. */
export function euler(): Sampler {
  return ddimFamily('euler', 'euler', 0, 1);
}

/** Euler ancestral (k-diffusion `sample_euler_ancestral`, with `eta` and `noiseScale` = s_noise). */
export function eulerAncestral(options?: { eta?: number; noiseScale?: number }): Sampler {
  checkOptions('eulerAncestral', options, ['eta', 'noiseScale']);
  return ddimFamily('eulerAncestral', 'euler-ancestral', options?.eta ?? 1, options?.noiseScale ?? 1);
}
