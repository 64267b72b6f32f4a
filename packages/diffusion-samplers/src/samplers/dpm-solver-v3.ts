import {
  ShapeError,
  checkBoolean,
  checkChoice,
  checkInteger,
  checkOptions,
  optionKeys,
} from '@krylov/core-array';
import { type EmpiricalModelStatistics, checkEms } from '../ems.js';
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

export interface DpmSolverV3Options extends FinalStepPolicy {
  /** Empirical model statistics from `computeEms` (required). */
  ems: EmpiricalModelStatistics;
  /**
   * Predictor order p (1, 2 or 3); the corrector adds one. Default 3 (the paper's choice for
   * unconditional sampling; the smaller low-NFE error on the exact models, README).
   */
  order?: 1 | 2 | 3;
  /** Apply the corrector, which reuses the next evaluation as UniPC does (default true). */
  corrector?: boolean;
  /** RK4 sub-steps per step for the EMS integrals (default 16). */
  quadrature?: number;
}

/**
 * The EMS as smooth functions of lambda: a natural cubic spline per coordinate through the grid
 * (clamped to the end values outside it). Smoothness matters: the method's order rests on g being
 * smooth, and piecewise-linear EMS put kinks in g' that cap the global order at 2.
 */
class EmsSpline {
  readonly dim: number;
  private readonly lo: number;
  private readonly step: number;
  private readonly n: number;
  /** values and second derivatives, [3][points][dim] flattened per key: l, s, b */
  private readonly y: Float64Array[];
  private readonly m: Float64Array[];

  constructor(ems: EmpiricalModelStatistics) {
    const g = ems.lambdas;
    this.dim = ems.dim;
    this.n = g.length;
    this.lo = g[0];
    this.step = (g[this.n - 1] - g[0]) / (this.n - 1);
    this.y = [ems.l, ems.s, ems.b].map((rows) => Float64Array.from(rows.flat()));
    this.m = this.y.map((y) => naturalSpline(y, this.n, this.dim, this.step));
  }

  /** Writes l, s, b at lambda into out[0..2]. */
  at(lambda: number, out: Float64Array[]): void {
    const { n, dim, step } = this;
    const u = Math.min(Math.max((lambda - this.lo) / step, 0), n - 1);
    const k = Math.min(Math.floor(u), n - 2);
    const t = u - k;
    const a = 1 - t;
    const ca = ((a * a * a - a) * step * step) / 6;
    const ct = ((t * t * t - t) * step * step) / 6;
    for (let c = 0; c < 3; c++) {
      const y = this.y[c];
      const m = this.m[c];
      const o = out[c];
      for (let j = 0; j < dim; j++) {
        const i0 = k * dim + j;
        const i1 = i0 + dim;
        o[j] = a * y[i0] + t * y[i1] + ca * m[i0] + ct * m[i1];
      }
    }
  }
}

/** Second derivatives of the natural cubic spline through y ([n][dim], uniform spacing h), per coordinate. */
function naturalSpline(y: Float64Array, n: number, dim: number, h: number): Float64Array {
  const m = new Float64Array(n * dim);
  if (n < 3) return m;
  // tridiagonal system (Thomas algorithm): m[k-1] + 4 m[k] + m[k+1] = 6 (y[k+1] - 2 y[k] + y[k-1]) / h^2
  const cp = new Float64Array(n);
  const dp = new Float64Array(n);
  for (let j = 0; j < dim; j++) {
    for (let k = 1; k < n - 1; k++) {
      const r = (6 * (y[(k + 1) * dim + j] - 2 * y[k * dim + j] + y[(k - 1) * dim + j])) / (h * h);
      const denom = 4 - (k > 1 ? cp[k - 1] : 0);
      cp[k] = 1 / denom;
      dp[k] = (r - (k > 1 ? dp[k - 1] : 0)) / denom;
    }
    for (let k = n - 2; k >= 1; k--)
      m[k * dim + j] = dp[k] - cp[k] * (k + 1 < n - 1 ? m[(k + 1) * dim + j] : 0);
  }
  return m;
}

/**
 * The integrals of one step from the anchor lambda_s to lambda_t, per coordinate, as the solution
 * of the ODE system they satisfy, by classical RK4 on `m` sub-steps: L = int l, S = int s,
 * B = int e^{-S} b and, for `powers` > 0, I_k = int e^{lambda - L + S} (lambda - lambda_s)^k
 * (k < powers) and I_B = int e^{lambda - L + S} B.
 */
function stepIntegrals(spline: EmsSpline, from: number, to: number, m: number, powers: number) {
  const dim = spline.dim;
  const width = 4 + powers;
  const ems = [new Float64Array(dim), new Float64Array(dim), new Float64Array(dim)];
  // state per coordinate j: [L, S, B, I_B, I_0 .. I_{powers-1}] at j * width
  const rhs = (lam: number, y: Float64Array, out: Float64Array) => {
    spline.at(lam, ems);
    const off = lam - from;
    for (let j = 0; j < dim; j++) {
      const o = j * width;
      const e = Math.exp(lam - y[o] + y[o + 1]);
      out[o] = ems[0][j];
      out[o + 1] = ems[1][j];
      out[o + 2] = Math.exp(-y[o + 1]) * ems[2][j];
      out[o + 3] = e * y[o + 2];
      let p = e;
      for (let k = 0; k < powers; k++) {
        out[o + 4 + k] = p;
        p *= off;
      }
    }
  };
  const size = dim * width;
  let y = new Float64Array(size);
  const k1 = new Float64Array(size);
  const k2 = new Float64Array(size);
  const k3 = new Float64Array(size);
  const k4 = new Float64Array(size);
  const tmp = new Float64Array(size);
  const dl = (to - from) / m;
  for (let q = 0; q < m; q++) {
    const lam = from + q * dl;
    rhs(lam, y, k1);
    for (let i = 0; i < size; i++) tmp[i] = y[i] + (dl / 2) * k1[i];
    rhs(lam + dl / 2, tmp, k2);
    for (let i = 0; i < size; i++) tmp[i] = y[i] + (dl / 2) * k2[i];
    rhs(lam + dl / 2, tmp, k3);
    for (let i = 0; i < size; i++) tmp[i] = y[i] + dl * k3[i];
    rhs(lam + dl, tmp, k4);
    const next = new Float64Array(size);
    for (let i = 0; i < size; i++) next[i] = y[i] + (dl / 6) * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
    y = next;
  }
  const pick = (c: number) => Float64Array.from({ length: dim }, (_, j) => y[j * width + c]);
  return {
    L: pick(0),
    S: pick(1),
    B: pick(2),
    IB: pick(3),
    I: Array.from({ length: powers }, (_, k) => pick(4 + k)),
  };
}

/** Monomial coefficients of the interpolant through (offsets[i], values[i]): W with c_k = sum_i W[k][i] g_i. */
function interpolationWeights(offsets: number[]): number[][] {
  const n = offsets.length;
  // invert the Vandermonde matrix V[i][k] = offsets[i]^k by Gauss-Jordan (n <= 4)
  const a = offsets.map((o, i) => [
    ...Array.from({ length: n }, (_, k) => o ** k),
    ...Array.from({ length: n }, (_, c) => (c === i ? 1 : 0)),
  ]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r][c]) > Math.abs(a[p][c])) p = r;
    [a[c], a[p]] = [a[p], a[c]];
    const piv = a[c][c];
    for (let k = 0; k < 2 * n; k++) a[c][k] /= piv;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = a[r][c];
      for (let k = 0; k < 2 * n; k++) a[r][k] -= f * a[c][k];
    }
  }
  return a.map((row) => row.slice(n));
}

interface Past {
  lambda: number;
  /** f = D - l (x / alpha) at the evaluated point (row-major, batch x dim). */
  f: Float64Array;
}

/** e^{-S(lambda_i)} and B(lambda_i) from the anchor: g_i = scale f_i - shift. */
interface GTerm {
  scale: Float64Array;
  shift: Float64Array;
}

/**
 * The integrals of one step from the anchor `from` to `to`: the main ones with `powers` moments,
 * the g terms of the stored points (`history`, the anchor first) and of the new point at `to`
 * (which the corrector needs: S and B at lambda_t are the main integrals' own).
 */
function prepareStep(spline: EmsSpline, from: Point, to: Point, history: Past[], powers: number, m: number) {
  const main = stepIntegrals(spline, from.lambda, to.lambda, m, powers);
  const past: GTerm[] = history.map((p) => {
    if (p.lambda === from.lambda)
      return { scale: new Float64Array(spline.dim).fill(1), shift: new Float64Array(spline.dim) };
    const r = stepIntegrals(spline, from.lambda, p.lambda, m, 0);
    return { scale: r.S.map((v) => Math.exp(-v)), shift: r.B };
  });
  const next: GTerm = { scale: main.S.map((v) => Math.exp(-v)), shift: main.B };
  return { main, past, next };
}
type StepIntegrals = ReturnType<typeof prepareStep>;

/**
 * One DPM-Solver-v3 update from the anchor (x at point `from`) to `to` with the interpolant of g
 * through `pts` (the anchor first; for the corrector, the new point last) and their g terms.
 */
function v3Update(
  x: Batch,
  from: Point,
  to: Point,
  pts: Past[],
  terms: GTerm[],
  main: StepIntegrals['main'],
): Batch {
  const dim = main.L.length;
  const n = pts.length;
  const W = interpolationWeights(pts.map((p) => p.lambda - from.lambda));
  // weight of point i per coordinate: sum_k W[k][i] I_k
  const weights = pts.map((_, i) => {
    const w = new Float64Array(dim);
    for (let k = 0; k < n; k++) for (let j = 0; j < dim; j++) w[j] += W[k][i] * main.I[k][j];
    return w;
  });
  const xc = x.contiguous();
  const res = x.copy() as Batch;
  const batch = x.size / dim;
  for (let bi = 0; bi < batch; bi++)
    for (let j = 0; j < dim; j++) {
      const idx = bi * dim + j;
      let acc = xc.data[xc.offset + idx] / from.sigma + main.IB[j];
      for (let i = 0; i < n; i++)
        acc += weights[i][j] * (terms[i].scale[j] * pts[i].f[idx] - terms[i].shift[j]);
      res.data[idx] = to.sigma * Math.exp(main.L[j]) * acc;
    }
  return res;
}

const DPM_SOLVER_V3_OPTIONS_KEYS = optionKeys<DpmSolverV3Options>()(
  'ems',
  'order',
  'corrector',
  'quadrature',
  'lowerOrderFinal',
  'eulerAtFinal',
);

/**
 * DPM-Solver-v3 (Zheng et al. 2023, "DPM-Solver-v3: Improved Diffusion ODE Solver with Empirical
 * Model Statistics", arXiv:2310.13268), multistep predictor-corrector, data-prediction form. With
 * u = x / sigma the probability-flow ODE is du/dlambda = e^lambda D. Splitting D = l (x / alpha) + f
 * with the EMS l, and modelling f' ~ s f + b, the exact solution from lambda_s is
 *
 *   x_t = sigma_t e^{L_t} [x_s / sigma_s + int e^{lambda - L + S} (B + g) dlambda],
 *   g = e^{-S} f - B,  L = int l,  S = int s,  B = int e^{-S} b  (from lambda_s),
 *
 * and g, nearly constant when the EMS fit the model, is replaced by its interpolant through the
 * last p outputs (the predictor, order p) or those and the new output (the corrector, order p + 1,
 * reusing the next step's evaluation as UniPC does). The EMS are interpolated by natural cubic
 * splines in lambda and the integrals computed per coordinate by RK4 on `quadrature` sub-steps. With l = s = b = 0 this is DPM-Solver++ / UniPC's multistep family.
 * One evaluation per step. Pseudo-order and half-corrector tricks of the paper are not included.
 * @throws InvalidArgumentError for missing or malformed EMS and bad options; ShapeError (when
 *   sampling starts) if the EMS were computed for samples of another size.
 * @returns a `Sampler`.
 * @example
 * ```ts
 * import { rng } from '@krylov/core-array';
 * import { computeEms, dpmSolverV3, gaussianData, initialNoise, sample, vpCosine } from '@krylov/diffusion-samplers';
 * const data = gaussianData({ mean: [1, -1], variances: [0.5, 2] });
 * const schedule = vpCosine();
 * const ems = await computeEms(data.model, schedule, initialNoise(schedule, [128, 2], rng(1)), { points: 30, seed: rng(2) });
 * const x = initialNoise(schedule, [128, 2], rng(3));
 * const out = await sample(data.model, dpmSolverV3({ ems }), x, { schedule, steps: 10 });
 * console.assert(out.shape[0] === 128, 'ten evaluations, one batch');
 * ```
 */
export function dpmSolverV3(options: DpmSolverV3Options): Sampler {
  const fn = 'dpmSolverV3';
  checkOptions(fn, options, DPM_SOLVER_V3_OPTIONS_KEYS);
  const ems = checkEms(fn, 'options.ems', options?.ems);
  const order = checkChoice(fn, 'options.order', options.order ?? 3, [1, 2, 3] as const);
  const corrector = checkBoolean(fn, 'options.corrector', options.corrector ?? true);
  const quadrature = checkInteger(fn, 'options.quadrature', options.quadrature ?? 16, { min: 1 });
  const policy = checkFinalStepPolicy(fn, options);
  const spline = new EmsSpline(ems);
  const cur = [new Float64Array(ems.dim), new Float64Array(ems.dim), new Float64Array(ems.dim)];
  return {
    name: `dpm-solver-v3-${order}${corrector ? '' : '-no-corrector'}`,
    stochastic: false,
    *program({ schedule, times, x }): SamplerProgram {
      const size = x.size / Math.max(x.shape[0], 1);
      if (size !== ems.dim)
        throw new ShapeError(
          fn,
          'x',
          `samples of ${ems.dim} coordinates, as the EMS were computed for`,
          x.shape,
        );
      const n = noisySteps(times);
      const history: Past[] = [];
      let last: { x: Batch; from: Point; order: number; pts: Past[]; step: StepIntegrals } | null = null;
      for (let i = 0; i + 1 < times.length; i++) {
        const p = pointAt(schedule, times[i]);
        const q = pointAt(schedule, times[i + 1]);
        const xEval = x;
        const d = yield request(xEval, p, i);
        spline.at(p.lambda, cur);
        const xc = xEval.contiguous();
        const dc = d.contiguous();
        const f = new Float64Array(x.size);
        for (let k = 0; k < f.length; k++)
          f[k] = dc.data[dc.offset + k] - (cur[0][k % ems.dim] * xc.data[xc.offset + k]) / p.alpha;
        const now: Past = { lambda: p.lambda, f };
        if (last && corrector) {
          const { step } = last;
          const terms = [...step.past.slice(0, last.order), step.next];
          x = v3Update(last.x, last.from, p, [...last.pts, now], terms, step.main);
        }
        history.unshift(now);
        history.length = Math.min(history.length, order);
        if (q.sigma === 0) return lincomb([[q.alpha, d]]);
        const k = stepOrder(order, i, n, policy);
        const pts = history.slice(0, k);
        // one more moment than the predictor needs, for the corrector at the next step
        const step = prepareStep(spline, p, q, pts, corrector ? k + 1 : k, quadrature);
        last = { x, from: p, order: k, pts, step };
        x = v3Update(x, p, q, pts, step.past, step.main);
      }
      return x;
    },
  };
}
