import {
  InvalidArgumentError,
  NDArray,
  type SeedLike,
  ShapeError,
  checkInteger,
  checkOptions,
  optionKeys,
  toRng,
} from '@krylov/core-array';
import { checkBatchArray, checkModel, checkSchedule, checkSeed } from './check.js';
import { type DiffusionModel, toX0 } from './model.js';
import type { NoiseSchedule } from './schedules.js';
import { type Batch, lincomb } from './vector.js';

/**
 * Empirical model statistics (EMS) of DPM-Solver-v3 (Zheng et al. 2023, arXiv:2310.13268), in the
 * data-prediction form, tabulated per coordinate on a uniform grid of half log-SNR lambda:
 * - `l`: E[diag(d D / d(x / alpha))], the linear part of the denoiser D (eq. 10's l*);
 * - `s`, `b`: the least-squares fit f' ~ s f + b of the total lambda-derivative of
 *   f = D - l (x / alpha) along the ODE trajectories (eq. 11).
 * A plain JSON-serializable object: compute it once with `computeEms`, store it (`JSON.stringify`)
 * and pass it to `dpmSolverV3` for every later run of the same model.
 */
export interface EmpiricalModelStatistics {
  readonly kind: 'dpm-solver-v3-ems';
  /** Coordinates per sample (the product of the sample's dimensions). */
  readonly dim: number;
  /** The grid: lambda[0] (low SNR, tMax) increasing to lambda[last] (tMin), equally spaced. */
  readonly lambdas: number[];
  /** l, s, b at every grid point: arrays [points][dim]. */
  readonly l: number[][];
  readonly s: number[][];
  readonly b: number[][];
}

const COMPUTE_EMS_OPTIONS_KEYS = optionKeys<ComputeEmsOptions>()('points', 'seed', 'smoothing');

/** Options of {@link computeEms}. */
export type ComputeEmsOptions = { points?: number; seed?: SeedLike; smoothing?: number };

/**
 * Computes DPM-Solver-v3's empirical model statistics from the model on the batch `x` (noise at
 * the schedule's tMax, e.g. `initialNoise`): the probability-flow ODE is integrated through
 * `points` equally spaced lambdas from tMax to tMin (DPM-Solver++(2M)); at each point the
 * diagonal of the denoiser's Jacobian is estimated by Hutchinson's estimator E[v (J v)] with one
 * Rademacher probe v per sample and a central difference (2 evaluations), f' by central differences
 * of f along the trajectories, and s, b by per-coordinate least squares over the batch (eq. 11; the
 * variance gets a relative 1e-8 floor for coordinates where f does not vary), then smoothed along
 * the grid by `smoothing` (default 20) passes of a [1, 2, 1] / 4 filter. 3 model evaluations
 * per point: O(3 points) evaluations of the batch. More samples reduce the statistics' noise.
 * @throws InvalidArgumentError for a bad model, schedule, seed, or points < 3; DTypeError or
 *   ShapeError for an x that is not a float batch.
 * @returns a Promise of the EMS (l, s, b on a lambda grid of `points`), for `dpmSolverV3`.
 * @example
 * ```ts
 * import { rng } from '@krylov/core-array';
 * import { computeEms, gaussianData, initialNoise, vpCosine } from '@krylov/diffusion-samplers';
 * const data = gaussianData({ mean: [1, -1], variances: [0.5, 2] });
 * const schedule = vpCosine();
 * const ems = await computeEms(data.model, schedule, initialNoise(schedule, [128, 2], rng(1)), { points: 20, seed: rng(2) });
 * console.log(Object.keys(ems));
 * ```
 */
export async function computeEms(
  model: DiffusionModel,
  schedule: NoiseSchedule,
  x: Batch,
  options?: ComputeEmsOptions,
): Promise<EmpiricalModelStatistics> {
  const fn = 'computeEms';
  checkModel(fn, 'model', model);
  checkSchedule(fn, 'schedule', schedule);
  checkBatchArray(fn, 'x', x);
  checkOptions(fn, options, COMPUTE_EMS_OPTIONS_KEYS);
  const points = checkInteger(fn, 'options.points', options?.points ?? 200, { min: 3 });
  const smoothing = checkInteger(fn, 'options.smoothing', options?.smoothing ?? 20, { min: 0 });
  const seed = checkSeed(fn, 'options.seed', options?.seed ?? 0);
  const batch = x.shape[0];
  const dim = x.size / Math.max(batch, 1);
  if (batch < 2) throw new ShapeError(fn, 'x', 'needs at least 2 samples for the statistics', x.shape);
  const rng = toRng(seed);
  const lo = schedule.lambda(schedule.tMax);
  const hi = schedule.lambda(schedule.tMin);
  const lambdas = Array.from({ length: points }, (_, k) => lo + ((hi - lo) * k) / (points - 1));
  const level = (lambda: number, k: number) => {
    const t = k === 0 ? schedule.tMax : k === points - 1 ? schedule.tMin : schedule.timeOfLambda(lambda);
    return { t, alpha: schedule.alpha(t), sigma: schedule.sigma(t) };
  };
  const denoise = async (y: Batch, lv: { t: number; alpha: number; sigma: number }) => {
    const out = await model.predict(y, lv);
    return toX0(out as Batch, model.prediction, y, lv.t, schedule).copy('float64') as Batch;
  };
  let xs = x.copy('float64') as Batch;
  const l: number[][] = [];
  const fs: Float64Array[] = [];
  let prev: Batch | null = null;
  for (let k = 0; k < points; k++) {
    const lv = level(lambdas[k], k);
    const d = await denoise(xs, lv);
    // Hutchinson: E[v (J v)] = diag(J) for Rademacher v, J = dD / d(x / alpha)
    const v = new NDArray(new Float64Array(xs.size), xs.shape) as Batch;
    for (let i = 0; i < v.size; i++) v.data[i] = rng.nextFloat64() < 0.5 ? -1 : 1;
    const delta = 1e-4 * (1 + lv.sigma / lv.alpha);
    const up = await denoise(
      lincomb([
        [1, xs],
        [lv.alpha * delta, v],
      ]),
      lv,
    );
    const down = await denoise(
      lincomb([
        [1, xs],
        [-lv.alpha * delta, v],
      ]),
      lv,
    );
    const lk = new Array<number>(dim).fill(0);
    for (let i = 0; i < xs.size; i++)
      lk[i % dim] += (v.data[i] * (up.data[i] - down.data[i])) / (2 * delta * batch);
    l.push(lk);
    const f = new Float64Array(xs.size);
    for (let i = 0; i < xs.size; i++) f[i] = d.data[i] - (lk[i % dim] * xs.data[i]) / lv.alpha;
    fs.push(f);
    if (k + 1 < points) {
      // DPM-Solver++(2M) to the next grid point (first order on the first step)
      const nx = level(lambdas[k + 1], k + 1);
      const h = lambdas[k + 1] - lambdas[k];
      const c = -nx.alpha * Math.expm1(-h);
      const terms: [number, Batch][] = [[nx.sigma / lv.sigma, xs]];
      if (prev) terms.push([c * 1.5, d], [-c * 0.5, prev]);
      else terms.push([c, d]);
      xs = lincomb(terms);
      prev = d;
    }
  }
  const s: number[][] = [];
  const b: number[][] = [];
  for (let k = 0; k < points; k++) {
    const [k0, k1] = [Math.max(0, k - 1), Math.min(points - 1, k + 1)];
    const dl = lambdas[k1] - lambdas[k0];
    const sk = new Array<number>(dim).fill(0);
    const bk = new Array<number>(dim).fill(0);
    for (let j = 0; j < dim; j++) {
      let mf = 0;
      let md = 0;
      for (let n = 0; n < batch; n++) {
        mf += fs[k][n * dim + j] / batch;
        md += (fs[k1][n * dim + j] - fs[k0][n * dim + j]) / (dl * batch);
      }
      let cov = 0;
      let vf = 0;
      let m2 = 0;
      for (let n = 0; n < batch; n++) {
        const f = fs[k][n * dim + j];
        const df = (fs[k1][n * dim + j] - fs[k0][n * dim + j]) / dl;
        cov += (df - md) * (f - mf);
        vf += (f - mf) ** 2;
        m2 += f * f;
      }
      sk[j] = cov / (vf + 1e-8 * m2 + 1e-300);
      bk[j] = md - sk[j] * mf;
    }
    s.push(sk);
    b.push(bk);
  }
  for (const table of [l, s, b]) smooth(table, smoothing);
  return { kind: 'dpm-solver-v3-ems', dim, lambdas, l, s, b };
}

/**
 * `passes` passes of the [1, 2, 1] / 4 filter along the grid (end points kept), in place: the
 * statistics are batch averages with sampling noise, and the solver's order rests on smooth EMS
 * (the noise would reach the spline's second derivatives amplified by 1 / spacing^2). Any smooth
 * l, s, b keep the solver exact up to its order; smoothing only moves them slightly off the optimum.
 */
function smooth(table: number[][], passes: number): void {
  const n = table.length;
  for (let p = 0; p < passes; p++) {
    const prev = table.map((row) => row.slice());
    for (let k = 1; k < n - 1; k++)
      for (let j = 0; j < table[k].length; j++)
        table[k][j] = (prev[k - 1][j] + 2 * prev[k][j] + prev[k + 1][j]) / 4;
  }
}

/** Checks an EMS object (as computed, or parsed back from JSON) for `fn`'s argument `arg`. */
export function checkEms(fn: string, arg: string, e: unknown): EmpiricalModelStatistics {
  const ems = e as EmpiricalModelStatistics;
  if (ems === null || typeof ems !== 'object' || ems.kind !== 'dpm-solver-v3-ems')
    throw new InvalidArgumentError(
      fn,
      arg,
      e,
      "empirical model statistics from computeEms (kind 'dpm-solver-v3-ems')",
    );
  const n = Array.isArray(ems.lambdas) ? ems.lambdas.length : 0;
  if (n < 2 || !Number.isInteger(ems.dim) || ems.dim < 1)
    throw new InvalidArgumentError(fn, `${arg}.lambdas`, n, 'at least 2 grid points and a positive dim');
  for (let k = 0; k < n; k++) {
    if (!Number.isFinite(ems.lambdas[k]) || (k > 0 && !(ems.lambdas[k] > ems.lambdas[k - 1])))
      throw new InvalidArgumentError(fn, `${arg}.lambdas[${k}]`, ems.lambdas[k], 'finite, increasing values');
    for (const key of ['l', 's', 'b'] as const) {
      const row = ems[key]?.[k];
      if (!Array.isArray(row) || row.length !== ems.dim || !row.every(Number.isFinite))
        throw new InvalidArgumentError(fn, `${arg}.${key}[${k}]`, row, `${ems.dim} finite numbers`);
    }
  }
  return ems;
}
