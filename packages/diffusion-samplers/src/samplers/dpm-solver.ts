import { InvalidArgumentError, checkOptions } from '@krylov/core-array';
import { type Batch, lincomb } from '../vector.js';
import { type Point, noisySteps, pointAt, request, stepOrder } from './common.js';
import type { Sampler, SamplerProgram } from './types.js';

export interface DpmSolverPPOptions {
  /** 2 (DPM-Solver++(2M)) or 3 (3M). Default 2. */
  order?: 2 | 3;
  /** 0 for the ODE solver; > 0 for the SDE variant (k-diffusion `sample_dpmpp_2m_sde` / `3m_sde` eta). */
  eta?: number;
  /** Use lower orders on the last steps (default true), as the reference code does for few steps. */
  lowerOrderFinal?: boolean;
}

/**
 * DPM-Solver++ multistep in data prediction (Lu et al. 2022, "DPM-Solver++", Algorithm 2 for 2M;
 * the third-order multistep and the SDE variants as in k-diffusion's `sample_dpmpp_3m_sde`).
 * With h = lambda_s - lambda_t and h_eta = (1 + eta) h:
 * x_s = (sigma_s / sigma_t) e^{-eta h} x_t + alpha_s (1 - e^{-h_eta}) D_t + alpha_s (corrections from
 * earlier D) + sigma_s sqrt(1 - e^{-2 eta h}) z. One evaluation per step; order 2 or 3 for eta = 0.
 */
export function dpmSolverPP(options?: DpmSolverPPOptions): Sampler {
  checkOptions('dpmSolverPP', options, ['order', 'eta', 'lowerOrderFinal']);
  const order = options?.order ?? 2;
  const eta = options?.eta ?? 0;
  const lowerOrderFinal = options?.lowerOrderFinal ?? true;
  if (order !== 2 && order !== 3)
    throw new InvalidArgumentError('dpmSolverPP', 'options.order', order, '2 or 3');
  if (!(eta >= 0 && Number.isFinite(eta)))
    throw new InvalidArgumentError('dpmSolverPP', 'options.eta', eta, 'a finite non-negative number');
  return {
    name: `dpmpp-${order}m${eta > 0 ? '-sde' : ''}`,
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
        const k = stepOrder(order, i, n, lowerOrderFinal);
        const terms: [number, Batch][] = [
          [(q.sigma / p.sigma) * Math.exp(-eta * h), x],
          [q.alpha * -Math.expm1(-hEta), d],
        ];
        if (k >= 2 && order === 2) {
          // Algorithm 2: D' = (1 + 1/(2r)) D_t - 1/(2r) D_prev, r = h_prev / h
          const c = (q.alpha * -Math.expm1(-hEta)) / (2 * (history[0].h / h));
          terms.push([c, d], [-c, history[0].d]);
        } else if (k >= 2) {
          const phi2 = Math.expm1(-hEta) / hEta + 1;
          const r0 = history[0].h / h;
          if (k === 2) {
            terms.push([(q.alpha * phi2) / r0, d], [-(q.alpha * phi2) / r0, history[0].d]);
          } else {
            const phi3 = phi2 / hEta - 0.5;
            const r1 = history[1].h / h;
            // d1_0 = (D - D1) / r0, d1_1 = (D1 - D2) / r1; d1 = d1_0 + (d1_0 - d1_1) r0 / (r0 + r1); d2 = (d1_0 - d1_1) / (r0 + r1)
            const [d0, d1, d2] = [d, history[0].d, history[1].d];
            const a = 1 / r0;
            const b = 1 / r1;
            const w = r0 / (r0 + r1);
            const v = 1 / (r0 + r1);
            // coefficients of D, D1, D2 in phi2 * d1 - phi3 * d2
            const cD = phi2 * a * (1 + w) - phi3 * a * v;
            const cD1 = phi2 * (-a * (1 + w) - b * w) - phi3 * (-a * v - b * v);
            const cD2 = phi2 * (b * w) - phi3 * (b * v);
            terms.push([q.alpha * cD, d0], [q.alpha * cD1, d1], [q.alpha * cD2, d2]);
          }
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
 * Singlestep DPM-Solver of order 1, 2 or 3 in noise prediction (Lu et al. 2022, "DPM-Solver",
 * eq. 3.7 and Algorithms 1 and 2 with r1 = 1/2, and DPM-Solver-3 with r1 = 1/3, r2 = 2/3).
 * `order` evaluations per step; a final step to t = 0 denoises with the first evaluation.
 */
export function dpmSolver(options?: { order?: 1 | 2 | 3 }): Sampler {
  checkOptions('dpmSolver', options, ['order']);
  const order = options?.order ?? 2;
  if (order !== 1 && order !== 2 && order !== 3)
    throw new InvalidArgumentError('dpmSolver', 'options.order', order, '1, 2 or 3');
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
