import {
  InvalidArgumentError,
  NDArray,
  NotPositiveDefiniteError,
  type SeedLike,
  ShapeError,
  checkInteger,
  checkOptions,
  checkSymmetric,
  isNDArray,
  optionKeys,
  toRng,
} from '@krylov/core-array';
import { cholesky, eigh } from '@krylov/decompositions';
import { checkBatch, checkSeed, checkVector } from './check.js';
import type { DiffusionModel, NoiseLevel } from './model.js';
import type { Batch } from './vector.js';

/** A covariance matrix: a dim x dim NDArray or nested rows. */
export type CovarianceLike = NDArray | ArrayLike<ArrayLike<number>>;

/** Gaussian mixture sum_k w_k N(mean_k, Sigma_k), isotropic (Sigma_k = v_k I) or with full covariances. */
export interface GaussianMixtureData {
  readonly dim: number;
  readonly weights: Float64Array;
  readonly means: Float64Array[];
  /** The per-component variances v_k of isotropic components; null when full covariances were given. */
  readonly variances: Float64Array | null;
  /** The component covariances Sigma_k (dim x dim, float64; v_k I for isotropic components). */
  readonly covariances: NDArray<'float64'>[];
  /** The exact denoiser E[x0 | x_t] (posterior-weighted component denoisers), predicting `'x0'`. */
  readonly model: DiffusionModel;
  sample(n: number, seed: SeedLike): Batch;
}

/** One component in its eigenbasis: Sigma = Q diag(values) Q^T; Q (row-major) is null for v I. */
interface Component {
  mean: Float64Array;
  values: Float64Array;
  basis: Float64Array | null;
}

const GAUSSIAN_MIXTURE_OPTIONS_KEYS = optionKeys<GaussianMixtureOptions>()(
  'weights',
  'means',
  'variances',
  'covariances',
);

/** Options of {@link gaussianMixture}. */
export type GaussianMixtureOptions = {
  weights: ArrayLike<number>;
  means: ArrayLike<number>[];
  variances?: ArrayLike<number>;
  covariances?: CovarianceLike[];
};

/**
 * A Gaussian mixture and its exact denoiser, with isotropic (`variances`, Sigma_k = v_k I) or full
 * (`covariances`, symmetric positive definite Sigma_k) components. Under x_t = alpha x0 + sigma eps,
 * with x~ = x_t / alpha and s = sigma / alpha, component k gives x~ ~ N(mean_k, Sigma_k + s^2 I)
 * (x_t ~ N(alpha mean_k, alpha^2 Sigma_k + sigma^2 I)), so the posterior weights are
 * r_k ~ w_k N(x~; mean_k, Sigma_k + s^2 I) (in log space) and
 *
 *   D(x_t) = E[x0 | x_t] = sum_k r_k (mean_k + Sigma_k (Sigma_k + s^2 I)^{-1} (x~ - mean_k)).
 *
 * Each Sigma_k is diagonalized once (`eigh` of @krylov/decompositions), Sigma_k = Q diag(v) Q^T, after
 * which (Sigma_k + s^2 I)^{-1} and its log-determinant cost O(dim^2) per sample at any noise level:
 * O(batch K dim^2) per evaluation (O(batch K dim) for isotropic components).
 * @throws InvalidArgumentError for bad weights, variances or covariance entries, giving both or
 *   neither of `variances` and `covariances`, or a non-symmetric covariance; NotPositiveDefiniteError
 *   (with the column) for a covariance that is not positive definite; ShapeError for ragged means or
 *   covariances that are not dim x dim.
 * @returns `{ dim, weights, means, variances, covariances, model, sample(n, seed) }`; `model` predicts 'x0'.
 * @example
 * ```ts
 * import { rng } from '@krylov/core-array';
 * import { dpmSolverPP, gaussianMixture, initialNoise, sample, vpCosine } from '@krylov/diffusion-samplers';
 * const mix = gaussianMixture({ weights: [0.5, 0.5], means: [[-3], [3]], variances: [0.1, 0.1] });
 * const schedule = vpCosine();
 * const out = await sample(mix.model, dpmSolverPP(), initialNoise(schedule, [200, 1], rng(1)), { schedule, steps: 25 });
 * console.assert(out.toFlatArray().every((v) => Math.abs(Math.abs(v) - 3) < 1.5), 'every sample near a mode');
 * ```
 */
export function gaussianMixture(options: GaussianMixtureOptions): GaussianMixtureData {
  const fn = 'gaussianMixture';
  checkOptions(fn, options, GAUSSIAN_MIXTURE_OPTIONS_KEYS);
  const weights = checkVector(fn, 'options.weights', options.weights, true);
  const k = weights.length;
  if ((options.variances === undefined) === (options.covariances === undefined))
    throw new InvalidArgumentError(
      fn,
      'options',
      options.variances === undefined
        ? 'neither variances nor covariances'
        : 'both variances and covariances',
      'exactly one of variances (isotropic components) and covariances (full)',
    );
  const counts = [options.means.length, (options.variances ?? options.covariances)?.length];
  if (k === 0 || counts.some((c) => c !== k))
    throw new ShapeError(
      fn,
      'options.means',
      `weights, means and ${options.variances ? 'variances' : 'covariances'} need the same non-zero count (${k})`,
      [options.means.length],
    );
  const means = options.means.map((m, i) => checkVector(fn, `options.means[${i}]`, m, false));
  const dim = means[0].length;
  if (means.some((m) => m.length !== dim))
    throw new ShapeError(fn, 'options.means', 'every mean needs the same dimension', [k, dim]);
  const variances =
    options.variances === undefined ? null : checkVector(fn, 'options.variances', options.variances, true);
  const components: Component[] = variances
    ? means.map((mean, c) => ({ mean, values: new Float64Array(dim).fill(variances[c]), basis: null }))
    : (options.covariances as CovarianceLike[]).map((s, c) =>
        fullComponent(fn, `options.covariances[${c}]`, s, means[c], dim),
      );
  const covariances = components.map(covarianceOf);
  const total = weights.reduce((a, b) => a + b, 0);
  const logW = weights.map((w) => Math.log(w / total));

  const model: DiffusionModel = {
    prediction: 'x0',
    predict: (x: Batch, { alpha, sigma }: NoiseLevel) => {
      checkBatch(fn, x, dim);
      const s2 = (sigma / alpha) ** 2;
      const xc = x.contiguous();
      const out = new NDArray(new (x.data.constructor as Float64ArrayConstructor)(x.size), x.shape) as Batch;
      const logR = new Float64Array(k);
      const r = new Float64Array(dim);
      // per component: the shrunk residual in the eigenbasis, then mapped back (dim each)
      const shrunk = components.map(() => new Float64Array(dim));
      for (let b = 0; b < x.shape[0]; b++) {
        const base = xc.offset + b * dim;
        let maxLog = Number.NEGATIVE_INFINITY;
        for (let c = 0; c < k; c++) {
          const { mean, values, basis } = components[c];
          for (let i = 0; i < dim; i++) r[i] = xc.data[base + i] / alpha - mean[i];
          const y = shrunk[c];
          if (basis) {
            y.fill(0);
            for (let i = 0; i < dim; i++) for (let j = 0; j < dim; j++) y[j] += basis[i * dim + j] * r[i];
          } else y.set(r);
          // log N(x~; mean, Sigma + s^2 I) up to the shared constant: -(log det + y^T (V + s^2)^{-1} y) / 2
          let quad = 0;
          let logDet = 0;
          for (let j = 0; j < dim; j++) {
            const v = values[j] + s2;
            quad += (y[j] * y[j]) / v;
            logDet += Math.log(v);
            y[j] *= values[j] / v;
          }
          logR[c] = logW[c] - 0.5 * (logDet + quad);
          maxLog = Math.max(maxLog, logR[c]);
        }
        let norm = 0;
        for (let c = 0; c < k; c++) norm += logR[c] = Math.exp(logR[c] - maxLog);
        for (let c = 0; c < k; c++) {
          const w = logR[c] / norm;
          const { mean, basis } = components[c];
          const y = shrunk[c];
          for (let i = 0; i < dim; i++) {
            let v = y[i];
            if (basis) {
              v = 0;
              for (let j = 0; j < dim; j++) v += basis[i * dim + j] * y[j];
            }
            out.data[b * dim + i] += w * (mean[i] + v);
          }
        }
      }
      return out;
    },
  };

  return {
    dim,
    weights: weights.map((w) => w / total),
    means,
    variances,
    covariances,
    model,
    sample(n, seed) {
      checkInteger('gaussianMixture.sample', 'n', n, { min: 0 });
      checkSeed('gaussianMixture.sample', 'seed', seed);
      const g = toRng(seed);
      const z = g.normal([n, dim]) as Batch;
      const out = z.copy() as Batch;
      const cdf = weights.map(
        (
          (acc) => (w: number) =>
            (acc += w / total)
        )(0),
      );
      for (let b = 0; b < n; b++) {
        const u = g.nextFloat64();
        let c = 0;
        while (c < k - 1 && u >= cdf[c]) c++;
        // mean + Q diag(sqrt v) z ~ N(mean, Q diag(v) Q^T)
        const { mean, values, basis } = components[c];
        for (let i = 0; i < dim; i++) {
          let v = 0;
          if (basis)
            for (let j = 0; j < dim; j++)
              v += basis[i * dim + j] * Math.sqrt(values[j]) * z.data[b * dim + j];
          else v = Math.sqrt(values[i]) * z.data[b * dim + i];
          out.data[b * dim + i] = mean[i] + v;
        }
      }
      return out;
    },
  };
}

/** Checks a full covariance (dim x dim, finite, symmetric, positive definite) and diagonalizes it. */
function fullComponent(
  fn: string,
  arg: string,
  s: CovarianceLike,
  mean: Float64Array,
  dim: number,
): Component {
  let m: NDArray<'float64'>;
  if (isNDArray(s)) {
    if (s.ndim !== 2 || s.shape[0] !== dim || s.shape[1] !== dim)
      throw new ShapeError(fn, arg, `expected [${dim}, ${dim}] to match the means`, s.shape);
    m = s.copy('float64');
  } else {
    const rows = s as ArrayLike<ArrayLike<number>>;
    if (rows === null || typeof rows !== 'object' || rows.length !== dim)
      throw new ShapeError(fn, arg, `expected ${dim} rows of ${dim} to match the means`, [rows?.length ?? 0]);
    m = new NDArray(new Float64Array(dim * dim), [dim, dim]);
    for (let i = 0; i < dim; i++) {
      const row = rows[i];
      if (row === null || typeof row !== 'object' || row.length !== dim)
        throw new ShapeError(fn, `${arg}[${i}]`, `expected ${dim} entries`, [row?.length ?? 0]);
      for (let j = 0; j < dim; j++) m.data[i * dim + j] = row[j];
    }
  }
  for (let i = 0; i < dim * dim; i++)
    if (!Number.isFinite(m.data[i]))
      throw new InvalidArgumentError(
        fn,
        `${arg}[${Math.floor(i / dim)}][${i % dim}]`,
        m.data[i],
        'a finite number',
      );
  checkSymmetric(fn, arg, m);
  try {
    cholesky(m, { checkSymmetry: false });
  } catch (e) {
    if (e instanceof NotPositiveDefiniteError) throw new NotPositiveDefiniteError(`${fn}(${arg})`, e.column);
    throw e;
  }
  const { values, vectors } = eigh(m, { checkSymmetry: false });
  const vals = values.contiguous();
  const v = Float64Array.from(vals.data.subarray(vals.offset, vals.offset + dim));
  // a positive definite matrix can still round to a non-positive eigenvalue when badly conditioned
  for (let j = 0; j < dim; j++)
    if (!(v[j] > 0))
      throw new InvalidArgumentError(
        fn,
        arg,
        `a matrix with eigenvalue ${v[j]}`,
        'a positive definite matrix (all eigenvalues > 0 in float64)',
      );
  const q = (vectors as NDArray<'float64'>).contiguous();
  return { mean, values: v, basis: Float64Array.from(q.data.subarray(q.offset, q.offset + dim * dim)) };
}

/** Q diag(values) Q^T as a dim x dim float64 array. */
function covarianceOf({ values, basis }: Component): NDArray<'float64'> {
  const dim = values.length;
  const cov = new NDArray(new Float64Array(dim * dim), [dim, dim]);
  for (let i = 0; i < dim; i++)
    for (let j = 0; j < dim; j++) {
      let s = 0;
      for (let l = 0; l < dim; l++)
        s += (basis ? basis[i * dim + l] * basis[j * dim + l] : i === l && j === l ? 1 : 0) * values[l];
      cov.data[i * dim + j] = s;
    }
  return cov;
}
