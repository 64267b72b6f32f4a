import { ConvergenceError, checkInteger, checkNumber, checkOptions, optionKeys } from '@krylov/core-array';
import { type Batch, lincomb } from '../vector.js';
import { pointAt, request, timeOfRho } from './common.js';
import type { Sampler, SamplerProgram } from './types.js';

export interface AdaptiveSdeOptions {
  /** Relative tolerance (default 0.05, the paper's setting for images). */
  rtol?: number;
  /** Absolute tolerance (default 0.0078, one 8-bit level on [-1, 1] data). */
  atol?: number;
  /** Safety factor theta and exponent r of the step-size rule (defaults 0.9, 0.9). */
  safety?: number;
  exponent?: number;
  /** Give up after this many attempted steps (default 1000). */
  maxSteps?: number;
}

const ADAPTIVE_SDE_OPTIONS_KEYS = optionKeys<AdaptiveSdeOptions>()(
  'rtol',
  'atol',
  'safety',
  'exponent',
  'maxSteps',
);

/**
 * Adaptive-step reverse-SDE solver with error control (Jolicoeur-Martineau et al. 2021, "Gotta Go
 * Fast When Generating Data with Score-Based Models", Algorithm 1): an Euler-Maruyama proposal x'
 * and an improved-Euler solution x'' sharing the same noise; the scaled error
 * E = ||(x' - x'') / max(atol, rtol max(|x''|, |x_prev|))||_2 / sqrt(n) over the whole batch accepts the
 * step when E <= 1 and sets the next step h <- theta h E^-r.
 *
 * Works in y = x / alpha with log(rho) as time, where the reverse SDE is
 * dy = 2 (y - D) d(log rho) + rho sqrt(2 |d log rho|) z. Uses only the first and last of `times`;
 * two evaluations per attempted step (plus one to denoise at a final t = 0).
 * @throws ConvergenceError when `maxSteps` attempts do not reach the end.
 * @returns a `Sampler` for `sample` or `SamplingRun`; the result batch has x's shape and dtype.
 * @example
 * ```ts
 * import { rng } from '@krylov/core-array';
 * import { adaptiveSde, gaussianData, initialNoise, sample, vpCosine } from '@krylov/diffusion-samplers';
 * const data = gaussianData({ mean: [1, -1], variances: [0.5, 2] }); // exact denoiser, no network
 * const schedule = vpCosine();
 * const x = initialNoise(schedule, [512, 2], rng(1));
 * const out = await sample(data.model, adaptiveSde(), x, { schedule, steps: 20, seed: rng(2) }); // (stochastic: needs a seed)
 * const m0 = out.toFlatArray().filter((_, i) => i % 2 === 0).reduce((s, v) => s + v, 0) / 512;
 * console.assert(Math.abs(m0 - 1) < 0.15, 'the samples have the data mean');
 * ```
 */
export function adaptiveSde(options?: AdaptiveSdeOptions): Sampler {
  const fn = 'adaptiveSde';
  checkOptions(fn, options, ADAPTIVE_SDE_OPTIONS_KEYS);
  const positive = { min: 0, minExclusive: true };
  const rtol = checkNumber(fn, 'options.rtol', options?.rtol ?? 0.05, positive);
  const atol = checkNumber(fn, 'options.atol', options?.atol ?? 0.0078, positive);
  // a safety factor above 1 grows the step after every rejection, so the loop would only end at maxSteps
  const safety = checkNumber(fn, 'options.safety', options?.safety ?? 0.9, { ...positive, max: 1 });
  const exponent = checkNumber(fn, 'options.exponent', options?.exponent ?? 0.9, positive);
  const maxSteps = checkInteger(fn, 'options.maxSteps', options?.maxSteps ?? 1000, { min: 1 });
  return {
    name: 'adaptive-sde',
    stochastic: true,
    *program({ schedule, times, x, noise }): SamplerProgram {
      const start = pointAt(schedule, times[0]);
      const endT = times[times.length - 1] === 0 ? times[times.length - 2] : times[times.length - 1];
      const uEnd = Math.log(pointAt(schedule, endT).rho);
      let u = Math.log(start.rho);
      let y = lincomb([[1 / start.alpha, x]]);
      let h = Math.min(0.01 * (u - uEnd), u - uEnd);
      let steps = 0;
      const at = (uu: number) => {
        const t = uu <= uEnd ? endT : Math.min(timeOfRho(schedule, Math.exp(uu)), start.t);
        return pointAt(schedule, t);
      };
      const drift = (yy: Batch, d: Batch, du: number): [number, Batch][] => [
        [2 * du, yy],
        [-2 * du, d],
      ];
      while (u > uEnd) {
        if (++steps > maxSteps)
          throw new ConvergenceError(
            'adaptiveSde',
            maxSteps,
            Math.exp(u),
            `log-noise level ${u.toFixed(3)} not reached ${uEnd.toFixed(3)}; raise maxSteps or the tolerances`,
          );
        const du = -Math.min(h, u - uEnd);
        const p = at(u);
        const q = at(u + du);
        const z = noise();
        const d0 = yield request(lincomb([[p.alpha, y]]), p, steps - 1);
        const proposal = lincomb([[1, y], ...drift(y, d0, du), [p.rho * Math.sqrt(2 * -du), z]]);
        const d1 = yield request(lincomb([[q.alpha, proposal]]), q, steps - 1);
        const second = lincomb([[1, y], ...drift(proposal, d1, du), [q.rho * Math.sqrt(2 * -du), z]]);
        const improved = lincomb([
          [0.5, proposal],
          [0.5, second],
        ]);
        const err = scaledError(proposal, improved, y, rtol, atol);
        if (err <= 1) {
          y = improved;
          u += du;
        }
        h = Math.min(u - uEnd, safety * -du * err ** -exponent);
      }
      const last = pointAt(schedule, times[times.length - 1]);
      if (last.sigma === 0) {
        const endPoint = at(uEnd);
        const d = yield request(lincomb([[endPoint.alpha, y]]), endPoint, steps);
        return lincomb([[last.alpha, d]]);
      }
      return lincomb([[last.alpha, y]]);
    },
  };
}

/** The RMS over the whole batch of (a - b) / max(atol, rtol max(|b|, |prev|)). */
function scaledError(a: Batch, b: Batch, prev: Batch, rtol: number, atol: number): number {
  const pc = prev.contiguous();
  let s = 0;
  for (let i = 0; i < a.size; i++) {
    const tol = Math.max(atol, rtol * Math.max(Math.abs(b.data[i]), Math.abs(pc.data[pc.offset + i])));
    s += ((a.data[i] - b.data[i]) / tol) ** 2;
  }
  return Math.sqrt(s / a.size);
}
