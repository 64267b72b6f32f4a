import { checkChoice, checkNumber, checkOptions, optionKeys } from '@krylov/core-array';
import { type Batch, lincomb } from '../vector.js';
import {
  type FinalStepPolicy,
  type Point,
  checkFinalStepPolicy,
  noisySteps,
  pointAt,
  request,
  stepOrder,
} from './common.js';
import type { Sampler, SamplerProgram } from './types.js';

export interface DpmSolverPPOptions extends FinalStepPolicy {
  /** 2 (DPM-Solver++(2M)) or 3 (3M). Default 2. */
  order?: 2 | 3;
  /** 0 for the ODE solver; > 0 for the SDE variant (k-diffusion `sample_dpmpp_2m_sde` / `3m_sde` eta). Default 0. */
  eta?: number;
  /**
   * The second-order update (every step of 2M after the first; the second step of 3M), as
   * diffusers' `solver_type`: `'midpoint'` (default; DPM-Solver++ Algorithm 2, k-diffusion's
   * `sample_dpmpp_2m`) weights the divided difference h D' by h_eta phi_1 / 2, `'heun'` by
   * h_eta phi_2 (the Taylor coefficient). Both are second order; the default is the one with the
   * smaller measured error at NFE 10-25 (README).
   */
  solverType?: 'midpoint' | 'heun';
  /**
   * The third-order update (order 3 only; 2M is the same in both):
   * - `'taylor'` (default): the coefficients of the third-order Taylor expansion, so 3M converges
   *   at order 3;
   * - `'reference'`: the coefficients of k-diffusion's `sample_dpmpp_3m_sde` and diffusers'
   *   `multistep_dpm_solver_third_order_update` (and DPM-Solver's `multistep_dpm_solver_third_order_update`),
   *   which weight the second divided difference by half the Taylor coefficient and so converge
   *   at order 2 only. For reproducing those libraries' samples.
   */
  variant?: 'taylor' | 'reference';
}

const DPM_SOLVER_PPOPTIONS_KEYS = optionKeys<DpmSolverPPOptions>()(
  'order',
  'eta',
  'lowerOrderFinal',
  'eulerAtFinal',
  'solverType',
  'variant',
);

/**
 * DPM-Solver++ multistep in data prediction (Lu et al. 2022, "DPM-Solver++: Fast Solver for Guided
 * Sampling of Diffusion Probabilistic Models", arXiv:2211.01095: Algorithm 2 for 2M; the third-order
 * multistep from the same Taylor expansion; the SDE variants as in k-diffusion's `sample_dpmpp_2m_sde`
 * / `sample_dpmpp_3m_sde`). With h = lambda_s - lambda_t and h_eta = (1 + eta) h, the data prediction
 * D(lambda) expanded about lambda_t gives
 *
 *   x_s = (sigma_s / sigma_t) e^{-eta h} x_t + alpha_s [h_eta phi_1 D + h h_eta phi_2 D' + h^2 h_eta phi_3 D'']
 *         + sigma_s sqrt(1 - e^{-2 eta h}) z,
 *
 * phi_1(z) = (1 - e^{-z}) / z, phi_2(z) = (z - 1 + e^{-z}) / z^2, phi_3(z) = (z^2/2 - z + 1 - e^{-z}) / z^3
 * at z = h_eta. 3M estimates h D' and h^2 D'' from the last three outputs by Newton divided differences
 * on the (non-uniform) lambda grid: with r0 = h_1 / h, r1 = h_2 / h,
 * d1_0 = (D - D_1) / r0, d1_1 = (D_1 - D_2) / r1, d2 = (d1_0 - d1_1) / (r0 + r1) = h^2 D[l, l_1, l_2]
 * ~ h^2 D'' / 2 and d1 = d1_0 + r0 d2 ~ h D'. The D'' term is therefore 2 h_eta phi_3 d2; the
 * reference code (variant 'reference') uses h_eta phi_3 d2, leaving an O(h^3) error per step, so its
 * global order is 2 on every grid, uniform or not.
 *
 * One evaluation per step; order 2 or 3 for eta = 0 (measured slopes in the README).
 * @throws InvalidArgumentError for an order outside {2, 3}, a negative or non-finite eta, a
 *   non-boolean lowerOrderFinal or an unknown variant.
 * @returns a `Sampler` for `sample` or `SamplingRun`; the result batch has x's shape and dtype.
 * @example
 * ```ts
 * import { rng } from '@krylov/core-array';
 * import { dpmSolverPP, gaussianData, initialNoise, sample, vpCosine } from '@krylov/diffusion-samplers';
 * const data = gaussianData({ mean: [1, -1], variances: [0.5, 2] }); // exact denoiser, no network
 * const schedule = vpCosine();
 * const x = initialNoise(schedule, [512, 2], rng(1));
 * const out = await sample(data.model, dpmSolverPP({ order: 2 }), x, { schedule, steps: 20 });
 * const m0 = out.toFlatArray().filter((_, i) => i % 2 === 0).reduce((s, v) => s + v, 0) / 512;
 * console.assert(Math.abs(m0 - 1) < 0.15, 'the samples have the data mean');
 * ```
 */
export function dpmSolverPP(options?: DpmSolverPPOptions): Sampler {
  const fn = 'dpmSolverPP';
  checkOptions(fn, options, DPM_SOLVER_PPOPTIONS_KEYS);
  const order = checkChoice(fn, 'options.order', options?.order ?? 2, [2, 3] as const);
  const eta = checkNumber(fn, 'options.eta', options?.eta ?? 0, { min: 0 });
  const policy = checkFinalStepPolicy(fn, options);
  const solverType = checkChoice(fn, 'options.solverType', options?.solverType ?? 'midpoint', [
    'midpoint',
    'heun',
  ] as const);
  const variant = checkChoice(fn, 'options.variant', options?.variant ?? 'taylor', [
    'taylor',
    'reference',
  ] as const);
  // the weight of d2 = h^2 D[l, l_1, l_2] relative to h_eta phi_3: 2 from the Taylor expansion, 1 in the reference code
  const d2Weight = variant === 'taylor' ? 2 : 1;
  return {
    name: `dpmpp-${order}m${eta > 0 ? '-sde' : ''}${order === 3 && variant === 'reference' ? '-reference' : ''}`,
    stochastic: eta > 0,
    *program({ schedule, times, x, noise }): SamplerProgram {
      const n = noisySteps(times);
      const history: { d: Batch; h: number }[] = [];
      for (let i = 0; i + 1 < times.length; i++) {
        const p = pointAt(schedule, times[i]);
        const q = pointAt(schedule, times[i + 1]);
        const d = yield request(x, p, i);
        if (q.sigma === 0) return lincomb([[q.alpha, d]]);
        const h = q.lambda - p.lambda;
        const hEta = h * (1 + eta);
        const k = stepOrder(order, i, n, policy);
        const terms: [number, Batch][] = [
          [(q.sigma / p.sigma) * Math.exp(-eta * h), x],
          [q.alpha * -Math.expm1(-hEta), d],
        ];
        if (k === 2) {
          // D1 = (D - D_1) / r0 ~ h D', r0 = h_prev / h, weighted h_eta phi_1 / 2 (midpoint) or h_eta phi_2 (heun)
          const r0 = history[0].h / h;
          const w = solverType === 'midpoint' ? -Math.expm1(-hEta) / 2 : phiTerms(hEta)[0];
          terms.push([(q.alpha * w) / r0, d], [-(q.alpha * w) / r0, history[0].d]);
        } else if (k === 3) {
          // h_eta phi_2(h_eta) and h_eta phi_3(h_eta) (k-diffusion's phi_2 and -phi_3)
          const [phi2, phi3] = phiTerms(hEta);
          const r0 = history[0].h / h;
          const r1 = history[1].h / h;
          const [d0, d1, d2] = [d, history[0].d, history[1].d];
          const a = 1 / r0;
          const b = 1 / r1;
          const w = r0 / (r0 + r1);
          const v = 1 / (r0 + r1);
          // d1_0 = a (D - D1), d1_1 = b (D1 - D2); d1 = (1 + w) d1_0 - w d1_1; d2 = v (d1_0 - d1_1):
          // the coefficients of D, D1, D2 in phi2 d1 + c3 d2 with c3 = d2Weight * phi3
          const c3 = d2Weight * phi3;
          const cD = phi2 * a * (1 + w) + c3 * a * v;
          const cD1 = phi2 * (-a * (1 + w) - b * w) + c3 * (-a * v - b * v);
          const cD2 = phi2 * (b * w) + c3 * (b * v);
          terms.push([q.alpha * cD, d0], [q.alpha * cD1, d1], [q.alpha * cD2, d2]);
        }
        if (eta > 0) terms.push([q.sigma * Math.sqrt(-Math.expm1(-2 * eta * h)), noise()]);
        x = lincomb(terms);
        history.unshift({ d, h });
        history.length = Math.min(history.length, 2);
      }
      return x;
    },
  };
}

/**
 * [z phi_2(z), z phi_3(z)] = [(z - 1 + e^{-z}) / z, 1/2 - (z - 1 + e^{-z}) / z^2], by their Taylor
 * series for |z| <= 1e-2, where the closed forms cancel (k-diffusion's phi_2 and -phi_3).
 */
function phiTerms(z: number): [number, number] {
  if (Math.abs(z) > 1e-2) {
    const zPhi2 = Math.expm1(-z) / z + 1;
    return [zPhi2, 0.5 - zPhi2 / z];
  }
  // z/2 - z^2/6 + z^3/24 - z^4/120 + z^5/720 and z/6 - z^2/24 + z^3/120 - z^4/720 + z^5/5040
  return [
    z * (1 / 2 - z * (1 / 6 - z * (1 / 24 - z * (1 / 120 - z / 720)))),
    z * (1 / 6 - z * (1 / 24 - z * (1 / 120 - z * (1 / 720 - z / 5040)))),
  ];
}

const DPM_SOLVER_OPTIONS_KEYS = optionKeys<DpmSolverOptions>()('order');

/** Options of {@link dpmSolver}. */
export type DpmSolverOptions = { order?: 1 | 2 | 3 };

/**
 * Singlestep DPM-Solver of order 1, 2 or 3 in noise prediction (Lu et al. 2022, "DPM-Solver",
 * eq. 3.7 and Algorithms 1 and 2 with r1 = 1/2, and DPM-Solver-3 with r1 = 1/3, r2 = 2/3).
 * `order` evaluations per step; a final step to t = 0 denoises with the first evaluation.
 * @returns a `Sampler` for `sample` or `SamplingRun`; the result batch has x's shape and dtype.
 * @example
 * ```ts
 * import { rng } from '@krylov/core-array';
 * import { dpmSolver, gaussianData, initialNoise, sample, vpCosine } from '@krylov/diffusion-samplers';
 * const data = gaussianData({ mean: [1, -1], variances: [0.5, 2] }); // exact denoiser, no network
 * const schedule = vpCosine();
 * const x = initialNoise(schedule, [512, 2], rng(1));
 * const out = await sample(data.model, dpmSolver({ order: 3 }), x, { schedule, steps: 20 });
 * const m0 = out.toFlatArray().filter((_, i) => i % 2 === 0).reduce((s, v) => s + v, 0) / 512;
 * console.assert(Math.abs(m0 - 1) < 0.15, 'the samples have the data mean');
 * ```
 */
export function dpmSolver(options?: DpmSolverOptions): Sampler {
  checkOptions('dpmSolver', options, DPM_SOLVER_OPTIONS_KEYS);
  const order = checkChoice('dpmSolver', 'options.order', options?.order ?? 2, [1, 2, 3] as const);
  return {
    name: `dpm-solver-${order}`,
    stochastic: false,
    *program({ schedule, times, x }): SamplerProgram {
      const at = (lambda: number) => pointAt(schedule, schedule.timeOfLambda(lambda));
      for (let i = 0; i + 1 < times.length; i++) {
        const p = pointAt(schedule, times[i]);
        const q = pointAt(schedule, times[i + 1]);
        const d = yield request(x, p, i);
        if (q.sigma === 0) {
          x = lincomb([[q.alpha, d]]);
          continue;
        }
        const eps = (y: Batch, dy: Batch, pt: Point) =>
          lincomb([
            [1 / pt.sigma, y],
            [-pt.alpha / pt.sigma, dy],
          ]);
        const h = q.lambda - p.lambda;
        const e0 = eps(x, d, p);
        // first-order move from t to point u over log-SNR step hu: (alpha_u / alpha_t) x - sigma_u (e^{hu} - 1) eps_t
        const move = (u: Point, hu: number): [number, Batch][] => [
          [u.alpha / p.alpha, x],
          [-u.sigma * Math.expm1(hu), e0],
        ];
        if (order === 1) {
          x = lincomb(move(q, h));
        } else if (order === 2) {
          const u = at(p.lambda + h / 2);
          const xu = lincomb(move(u, h / 2));
          const eu = eps(xu, yield request(xu, u, i), u);
          // - sigma_s / (2 r1) (e^h - 1) (eps_u - eps_t) with r1 = 1/2
          x = lincomb([...move(q, h), [-q.sigma * Math.expm1(h), eu], [q.sigma * Math.expm1(h), e0]]);
        } else {
          const r1 = 1 / 3;
          const r2 = 2 / 3;
          const u1 = at(p.lambda + r1 * h);
          const u2 = at(p.lambda + r2 * h);
          const x1 = lincomb(move(u1, r1 * h));
          const e1 = eps(x1, yield request(x1, u1, i), u1);
          const c2 = -((u2.sigma * r2) / r1) * (Math.expm1(r2 * h) / (r2 * h) - 1);
          const x2 = lincomb([...move(u2, r2 * h), [c2, e1], [-c2, e0]]);
          const e2 = eps(x2, yield request(x2, u2, i), u2);
          const c3 = -(q.sigma / r2) * (Math.expm1(h) / h - 1);
          x = lincomb([...move(q, h), [c3, e2], [-c3, e0]]);
        }
      }
      return x;
    },
  };
}
