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
import {
  checkArray,
  checkBatch,
  checkModel,
  checkSchedule,
  checkSeed,
  checkTime,
  checkVector,
} from './check.js';
import { type DiffusionModel, type NoiseLevel, toX0 } from './model.js';
import type { NoiseSchedule } from './schedules.js';
import { type Batch, lincomb } from './vector.js';

/**
 * Exact models for tests and demos: data distributions whose denoiser E[x0 | x_t] is known in
 * closed form, so sampler error is measured against the truth rather than a trained network.
 */

/** Gaussian data N(mean, Q diag(variances) Q^T); Q orthonormal (identity when omitted). */
export interface GaussianData {
  readonly dim: number;
  readonly mean: Float64Array;
  readonly variances: Float64Array;
  /** The denoiser E[x0 | x_t], predicting `'x0'`. */
  readonly model: DiffusionModel;
  /** n exact samples, shape [n, dim]. */
  sample(n: number, seed: SeedLike): Batch;
  /** The data covariance, dim x dim. */
  covariance(): NDArray<'float64'>;
  /**
   * Exact solution of the probability-flow ODE from x at time `from` to time `to` (to = 0 is clean
   * data): with x~ = x / alpha and s = sigma / alpha, each eigen-coordinate y of x~ - mean scales as
   * sqrt(v + s^2), since dy/ds = s y / (v + s^2).
   */
  odeSolution(x: Batch, from: number, to: number, schedule: NoiseSchedule): Batch;
}

const GAUSSIAN_DATA_OPTIONS_KEYS = optionKeys<GaussianDataOptions>()('mean', 'variances', 'basis');

/** Options of {@link gaussianData}. */
export type GaussianDataOptions = {
  mean: ArrayLike<number>;
  variances: ArrayLike<number>;
  basis?: NDArray;
};

/**
 * Gaussian data with mean `mean` and covariance Q diag(variances) Q^T, with its exact denoiser
 * D(x_t) = mean + Q diag(v / (v + s^2)) Q^T (x_t / alpha - mean), s = sigma / alpha. O(batch dim^2).
 * @throws InvalidArgumentError for non-positive variances; ShapeError when `basis` is not dim x dim.
 * @returns `{ dim, mean, variances, model, sample(n, seed), covariance(), odeSolution(x, from, to, schedule) }`.
 * @example
 * ```ts
 * import { rng } from '@krylov/core-array';
 * import { gaussianData } from '@krylov/diffusion-samplers';
 * const data = gaussianData({ mean: [1, -1], variances: [0.5, 2] });
 * const xs = data.sample(4, rng(1)); // 4 x 2 exact samples
 * console.assert(xs.shape[0] === 4 && data.covariance().get(1, 1) === 2, 'N(mean, diag(variances))');
 * ```
 */
export function gaussianData(options: GaussianDataOptions): GaussianData {
  const fn = 'gaussianData';
  checkOptions(fn, options, GAUSSIAN_DATA_OPTIONS_KEYS);
  const mean = checkVector(fn, 'options.mean', options.mean, false);
  const variances = checkVector(fn, 'options.variances', options.variances, true);
  const dim = mean.length;
  if (variances.length !== dim)
    throw new ShapeError(fn, 'options.variances', `needs ${dim} entries to match the mean`, [
      variances.length,
    ]);
  const q =
    options.basis !== undefined ? checkArray(fn, 'options.basis', options.basis).copy('float64') : null;
  if (q && (q.ndim !== 2 || q.shape[0] !== dim || q.shape[1] !== dim))
    throw new ShapeError(fn, 'options.basis', `expected [${dim}, ${dim}]`, q.shape);
  const qd = q?.data;
  if (qd) {
    // the denoiser and the flow are exact only for an orthonormal Q: max |Q^T Q - I| <= 1e-8
    let dev = 0;
    for (let i = 0; i < dim; i++)
      for (let j = 0; j < dim; j++) {
        let s = 0;
        for (let k = 0; k < dim; k++) s += qd[k * dim + i] * qd[k * dim + j];
        dev = Math.max(dev, Math.abs(s - (i === j ? 1 : 0)));
      }
    if (!(dev <= 1e-8))
      throw new InvalidArgumentError(
        fn,
        'options.basis',
        `a matrix with max |Q^T Q - I| = ${dev.toExponential(2)}`,
        'an orthonormal matrix (max |Q^T Q - I| <= 1e-8)',
      );
  }

  /** Applies y -> mean + Q diag(scale) Q^T (y - mean) row by row, writing alpha * result. */
  const transform = (x: Batch, inScale: number, scale: (v: number) => number, outScale: number): Batch => {
    checkBatch(fn, x, dim);
    const xc = x.contiguous();
    const out = new NDArray(new (x.data.constructor as Float64ArrayConstructor)(x.size), x.shape) as Batch;
    const r = new Float64Array(dim);
    const c = new Float64Array(dim);
    const f = variances.map(scale);
    for (let b = 0; b < x.shape[0]; b++) {
      const base = xc.offset + b * dim;
      for (let i = 0; i < dim; i++) r[i] = xc.data[base + i] * inScale - mean[i];
      if (qd) {
        c.fill(0);
        for (let i = 0; i < dim; i++) for (let k = 0; k < dim; k++) c[k] += qd[i * dim + k] * r[i];
        for (let k = 0; k < dim; k++) c[k] *= f[k];
        r.fill(0);
        for (let i = 0; i < dim; i++) for (let k = 0; k < dim; k++) r[i] += qd[i * dim + k] * c[k];
      } else {
        for (let i = 0; i < dim; i++) r[i] *= f[i];
      }
      for (let i = 0; i < dim; i++) out.data[b * dim + i] = outScale * (mean[i] + r[i]);
    }
    return out;
  };

  const model: DiffusionModel = {
    prediction: 'x0',
    predict: (x: Batch, { alpha, sigma }: NoiseLevel) => {
      const s2 = (sigma / alpha) ** 2;
      return transform(x, 1 / alpha, (v) => v / (v + s2), 1);
    },
  };

  return {
    dim,
    mean,
    variances,
    model,
    sample(n, seed) {
      checkInteger('gaussianData.sample', 'n', n, { min: 0 });
      checkSeed('gaussianData.sample', 'seed', seed);
      // mean + Q diag(sqrt v) Q^T z is N(mean, cov) because Q^T z is standard normal too
      return transform(addMean(toRng(seed).normal([n, dim]) as Batch, mean), 1, Math.sqrt, 1);
    },
    covariance() {
      const cov = new NDArray(new Float64Array(dim * dim), [dim, dim]);
      for (let i = 0; i < dim; i++) {
        for (let j = 0; j < dim; j++) {
          let s = 0;
          for (let k = 0; k < dim; k++)
            s += (qd ? qd[i * dim + k] * qd[j * dim + k] : i === k && j === k ? 1 : 0) * variances[k];
          cov.data[i * dim + j] = s;
        }
      }
      return cov;
    },
    odeSolution(x, from, to, schedule) {
      const f = 'gaussianData.odeSolution';
      checkSchedule(f, 'schedule', schedule);
      checkTime(f, 'from', from, schedule, false);
      checkTime(f, 'to', to, schedule, true);
      if (!(to < from)) throw new InvalidArgumentError(f, 'to', to, `a time below from = ${from}`);
      const a0 = schedule.alpha(from);
      const s0 = schedule.sigma(from) / a0;
      const a1 = schedule.alpha(to);
      const s1 = to === 0 ? 0 : schedule.sigma(to) / a1;
      return transform(x, 1 / a0, (v) => Math.sqrt((v + s1 * s1) / (v + s0 * s0)), a1);
    },
  };
}

function addMean(z: Batch, mean: Float64Array): Batch {
  const out = z.copy() as Batch;
  const d = mean.length;
  for (let i = 0; i < out.size; i++) out.data[i] += mean[i % d];
  return out;
}

const REFERENCE_ODE_SOLVE_OPTIONS_KEYS = optionKeys<ReferenceOdeSolveOptions>()('steps');

/** Options of {@link referenceOdeSolve}. */
export type ReferenceOdeSolveOptions = { steps?: number };

/**
 * A tight numerical solution of the probability-flow ODE for any model (the reference for
 * mixtures, whose flow has no closed form): classical fourth-order Runge-Kutta in u = log(sigma /
 * alpha), where the ODE for y = x / alpha reads dy/du = y - D(y), with `steps` equal steps from time
 * `from` down to `to` (to = 0: integrate to tMin, then denoise). O(4 steps) model evaluations.
 * @returns a Promise of the batch at time `to` (x's shape).
 * @throws InvalidArgumentError for a bad model, schedule, times or steps.
 * @example
 * ```ts
 * import { rng } from '@krylov/core-array';
 * import { gaussianData, initialNoise, referenceOdeSolve, vpCosine } from '@krylov/diffusion-samplers';
 * const data = gaussianData({ mean: [1], variances: [2] });
 * const s = vpCosine();
 * const x = initialNoise(s, [8, 1], rng(1));
 * const y = await referenceOdeSolve(data.model, x, s.tMax, 0, s, { steps: 100 });
 * const exact = data.odeSolution(x, s.tMax, 0, s).toFlatArray();
 * console.assert(y.toFlatArray().every((v, i) => Math.abs(v - exact[i]) < 1e-4), 'matches the closed form');
 * ```
 */
export async function referenceOdeSolve(
  model: DiffusionModel,
  x: Batch,
  from: number,
  to: number,
  schedule: NoiseSchedule,
  options?: ReferenceOdeSolveOptions,
): Promise<Batch> {
  const fn = 'referenceOdeSolve';
  checkModel(fn, 'model', model);
  checkSchedule(fn, 'schedule', schedule);
  checkTime(fn, 'from', from, schedule, false);
  checkTime(fn, 'to', to, schedule, true);
  if (!(to < from)) throw new InvalidArgumentError(fn, 'to', to, `a time below from = ${from}`);
  checkOptions(fn, options, REFERENCE_ODE_SOLVE_OPTIONS_KEYS);
  const steps = checkInteger(fn, 'options.steps', options?.steps ?? 2000, { min: 1 });
  const end = to === 0 ? schedule.tMin : to;
  const rho = (t: number) => schedule.sigma(t) / schedule.alpha(t);
  const u0 = Math.log(rho(from));
  const u1 = Math.log(rho(end));
  const h = (u1 - u0) / steps;
  const at = (u: number) => schedule.timeOfLambda(-u);
  const denoise = async (y: Batch, t: number) => {
    const a = schedule.alpha(t);
    const level = { t, alpha: a, sigma: schedule.sigma(t) };
    const out = (await model.predict(lincomb([[a, y]]), level)) as Batch;
    return toX0(out, model.prediction, lincomb([[a, y]]), t, schedule);
  };
  const f = async (y: Batch, u: number) =>
    lincomb([
      [1, y],
      [-1, await denoise(y, Math.min(at(u), schedule.tMax))],
    ]);
  let y = lincomb([[1 / schedule.alpha(from), x]]);
  for (let k = 0; k < steps; k++) {
    const u = u0 + k * h;
    const k1 = await f(y, u);
    const k2 = await f(
      lincomb([
        [1, y],
        [h / 2, k1],
      ]),
      u + h / 2,
    );
    const k3 = await f(
      lincomb([
        [1, y],
        [h / 2, k2],
      ]),
      u + h / 2,
    );
    const k4 = await f(
      lincomb([
        [1, y],
        [h, k3],
      ]),
      u + h,
    );
    y = lincomb([
      [1, y],
      [h / 6, k1],
      [h / 3, k2],
      [h / 3, k3],
      [h / 6, k4],
    ]);
  }
  if (to === 0) return lincomb([[schedule.alpha(0), await denoise(y, end)]]);
  return lincomb([[schedule.alpha(end), y]]);
}
