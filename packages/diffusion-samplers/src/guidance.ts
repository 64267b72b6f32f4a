import {
  InvalidArgumentError,
  type NDArray,
  ShapeError,
  checkFunction,
  checkNumber,
  checkOptions,
  matmul,
} from '@krylov/core-array';
import { solve, svd } from '@krylov/decompositions';
import { checkArray, checkModel, checkSchedule } from './check.js';
import type { DiffusionModel, NoiseLevel } from './model.js';
import { toX0 } from './model.js';
import type { NoiseSchedule } from './schedules.js';
import { type Batch, checkFinite, lincomb } from './vector.js';

/**
 * Inverse-problem guidance as model wrappers: each returns a model predicting the clean sample
 * conditioned on measurements y, so it works with every sampler unchanged. Measurements are rows:
 * y has shape [batch, m] (one measurement per sample) or [m] (shared).
 */

/** The arguments every guidance wrapper shares: a model, options with a schedule, measurements y (finite). */
function checkCommon(fn: string, model: unknown, options: unknown, keys: string[]): void {
  checkModel(fn, 'model', model);
  if (options === null || typeof options !== 'object')
    throw new InvalidArgumentError(fn, 'options', options, 'an options object');
  checkOptions(fn, options, keys);
  const o = options as { schedule: unknown; y: unknown };
  checkSchedule(fn, 'options.schedule', o.schedule);
  checkFinite(fn, 'options.y', checkArray(fn, 'options.y', o.y), 0);
  if ((o.y as NDArray).ndim !== 1 && (o.y as NDArray).ndim !== 2)
    throw new ShapeError(fn, 'options.y', 'expected [m] or [batch, m]', (o.y as NDArray).shape);
}

/** A linear forward operator A (m x d) given as a finite matrix. */
function checkOperator(fn: string, a: NDArray, dim?: number): NDArray<'float64'> {
  checkArray(fn, 'options.operator', a);
  checkFinite(fn, 'options.operator', a, 0);
  if (a.ndim !== 2 || (dim !== undefined && a.shape[1] !== dim))
    throw new ShapeError(fn, 'options.operator', `expected a matrix [m, ${dim ?? 'd'}]`, a.shape);
  return a.copy('float64');
}

/** y as a [batch, m] array (a shared [m] vector is broadcast). */
function rowsOf(fn: string, y: NDArray, batch: number, m: number): NDArray {
  const yy = y.ndim === 1 ? y.reshape([1, m]).broadcastTo([batch, m]) : y;
  if (yy.ndim !== 2 || yy.shape[0] !== batch || yy.shape[1] !== m)
    throw new ShapeError(fn, 'options.y', `expected [${m}] or [${batch}, ${m}]`, y.shape);
  return yy;
}

async function denoised(
  model: DiffusionModel,
  schedule: NoiseSchedule,
  x: Batch,
  level: NoiseLevel,
): Promise<Batch> {
  return toX0((await model.predict(x, level)) as Batch, model.prediction, x, level.t, schedule);
}

export interface LinearGuidanceOptions {
  /** The schedule the model was trained with (to read its prediction as a clean-sample estimate). */
  schedule: NoiseSchedule;
  /** The forward operator A, m x d. */
  operator: NDArray;
  /** Measurements y = A x0 + noise. */
  y: NDArray;
  /** Standard deviation of the measurement noise (0 for exact measurements). */
  noiseStd: number;
  /** Prior variance per coordinate used for Cov(x0 | x_t) ~ r^2 I, r^2 = v s^2 / (v + s^2) with s = sigma / alpha (default 1). */
  dataVariance?: number;
}

/**
 * Pseudoinverse-guided diffusion (Song et al. 2023, "Pseudoinverse-Guided Diffusion Models for
 * Inverse Problems", Pi-GDM) for linear A, computed through the SVD A = U S V^T once:
 * D_y = D + r^2 A^T (r^2 A A^T + noiseStd^2 I)^-1 (y - A D) = D + V diag(r^2 s / (r^2 s^2 + noiseStd^2)) U^T (y - A D),
 * with the Gaussian approximation p(x0 | x_t) = N(D, r^2 I). This is the exact posterior denoiser
 * when the data are N(mean, v I), so sampling with it then draws from the exact posterior.
 * O(batch (m d)) per evaluation after an O(m d min(m, d)) SVD.
 * @throws ShapeError for mismatched operator and measurements; InvalidArgumentError for a negative noise level.
 * @returns a `DiffusionModel` predicting 'x0' (the guided denoiser), for any sampler.
 * @example
 * ```ts
 * import { array, rng } from '@krylov/core-array';
 * import { ddim, gaussianData, initialNoise, pigdm, sample, vpCosine } from '@krylov/diffusion-samplers';
 * const data = gaussianData({ mean: [0, 0], variances: [1, 1] });
 * const schedule = vpCosine();
 * const guided = pigdm(data.model, { schedule, operator: array([[1, 0]]), y: array([2]), noiseStd: 0.01 });
 * const out = await sample(guided, ddim(), initialNoise(schedule, [64, 2], rng(1)), { schedule, steps: 30 });
 * console.assert(out.toFlatArray().filter((_, i) => i % 2 === 0).every((v) => Math.abs(v - 2) < 0.1), 'x0 = y');
 * ```
 */
export function pigdm(model: DiffusionModel, options: LinearGuidanceOptions): DiffusionModel {
  return pigdmFor('pigdm', model, options);
}

function pigdmFor(fn: string, model: DiffusionModel, options: LinearGuidanceOptions): DiffusionModel {
  checkCommon(fn, model, options, ['schedule', 'operator', 'y', 'noiseStd', 'dataVariance']);
  const a = checkOperator(fn, options.operator);
  const [m, d] = a.shape;
  const noise = checkNumber(fn, 'options.noiseStd', options.noiseStd, { min: 0 });
  const v = checkNumber(fn, 'options.dataVariance', options.dataVariance ?? 1, {
    min: 0,
    minExclusive: true,
  });
  if (options.y.shape[options.y.ndim - 1] !== m)
    throw new ShapeError(
      fn,
      'options.y',
      `expected [${m}] or [batch, ${m}] to match the operator`,
      options.y.shape,
    );
  const { u, s, vt } = svd(a, { mode: 'thin' });
  return {
    prediction: 'x0',
    async predict(x, level) {
      const dx = await denoised(model, options.schedule, x, level);
      const rho2 = (level.sigma / level.alpha) ** 2;
      const r2 = (v * rho2) / (v + rho2);
      const yy = rowsOf(fn, options.y, x.shape[0], m);
      // residual (y - A D)^T rows, then project: rows of (y - A D) U diag(c) V^T
      const residual = lincomb([
        [1, yy.copy('float64') as Batch],
        [-1, matmul(dx.astype('float64'), a.T) as Batch],
      ]);
      const coeff = matmul(residual, u) as NDArray<'float64'>;
      const k = s.shape[0];
      for (let i = 0; i < coeff.shape[0]; i++) {
        for (let j = 0; j < k; j++) {
          const sj = s.data[j];
          coeff.data[i * k + j] *= sj === 0 ? 0 : (r2 * sj) / (r2 * sj * sj + noise * noise);
        }
      }
      const correction = matmul(coeff, vt) as Batch;
      if (correction.shape[1] !== d) throw new ShapeError(fn, 'x', `expected [batch, ${d}]`, x.shape);
      return lincomb([
        [1, dx],
        [1, correction.astype(dx.dtype) as Batch],
      ]);
    },
  };
}

/**
 * Hard data consistency: projects the denoised estimate onto {x : A x = y} after every
 * evaluation, D_y = D + A^+ (y - A D) (the A^+ from one SVD). Exact measurements only.
 * @throws ShapeError for mismatched operator and measurements.
 * @returns a `DiffusionModel` predicting 'x0'. O(batch m d) per evaluation after one SVD.
 * @example
 * ```ts
 * import { array, rng } from '@krylov/core-array';
 * import { ddim, gaussianData, initialNoise, projectionGuidance, sample, vpCosine } from '@krylov/diffusion-samplers';
 * const data = gaussianData({ mean: [0, 0], variances: [1, 1] });
 * const schedule = vpCosine();
 * const guided = projectionGuidance(data.model, { schedule, operator: array([[1, 1]]), y: array([1]) });
 * const out = await sample(guided, ddim(), initialNoise(schedule, [8, 2], rng(1)), { schedule, steps: 20 });
 * console.assert(Math.abs(out.get(0, 0) + out.get(0, 1) - 1) < 1e-6, 'A x = y holds');
 * ```
 */
export function projectionGuidance(
  model: DiffusionModel,
  options: { schedule: NoiseSchedule; operator: NDArray; y: NDArray },
): DiffusionModel {
  checkCommon('projectionGuidance', model, options, ['schedule', 'operator', 'y']);
  // with zero measurement noise Pi-GDM's coefficients r^2 s / (r^2 s^2) are 1 / s for any r: A^+
  return pigdmFor('projectionGuidance', model, { ...options, noiseStd: 0 });
}

export interface DpsOptions {
  schedule: NoiseSchedule;
  /** Forward model A(x0) on a [batch, d] batch, returning [batch, m]. */
  forward: (x0: Batch) => NDArray;
  /** Adjoint (vector-Jacobian product) of the forward model: A'(x0)^T r for residual rows r. */
  adjoint: (x0: Batch, residual: Batch) => NDArray;
  y: NDArray;
  /** Step size zeta (default 1). */
  scale?: number;
}

/**
 * Diffusion posterior sampling (Chung et al. 2023, "Diffusion Posterior Sampling for General Noisy
 * Inverse Problems", Algorithm 1) with a user-supplied forward operator and its adjoint. DPS
 * back-propagates ||y - A(D(x_t))|| through the network; without a network Jacobian we take the
 * step on the denoised estimate itself (the manifold-preserving variant, He et al. 2024):
 * D_y = D + zeta A'(D)^T (y - A(D)) / ||y - A(D)|| per sample. Approximate, like DPS itself.
 * @throws ShapeError for forward outputs that do not match y.
 * @returns a `DiffusionModel` predicting 'x0'. O(cost(forward) + cost(adjoint)) per evaluation.
 * @example
 * ```ts
 * import { array, rng } from '@krylov/core-array';
 * import { dps, ddim, gaussianData, initialNoise, sample, vpCosine } from '@krylov/diffusion-samplers';
 * const data = gaussianData({ mean: [0, 0], variances: [1, 1] });
 * const schedule = vpCosine();
 * const guided = dps(data.model, {
 *   schedule, y: array([2]), scale: 0.5,
 *   forward: (x0) => x0.slice(null, '0:1').copy(), // observe the first coordinate
 *   adjoint: (x0, r) => array(r.toArray().map(([v]) => [v, 0])),
 * });
 * const out = await sample(guided, ddim(), initialNoise(schedule, [32, 2], rng(1)), { schedule, steps: 30 });
 * const m = out.toFlatArray().filter((_, i) => i % 2 === 0).reduce((s, v) => s + v, 0) / 32;
 * console.assert(m > 1, 'pulled toward y = 2 (approximately, as DPS)');
 * ```
 */
export function dps(model: DiffusionModel, options: DpsOptions): DiffusionModel {
  const fn = 'dps';
  checkCommon(fn, model, options, ['schedule', 'forward', 'adjoint', 'y', 'scale']);
  checkFunction(fn, 'options.forward', options.forward);
  checkFunction(fn, 'options.adjoint', options.adjoint);
  const zeta = checkNumber(fn, 'options.scale', options.scale ?? 1, { min: 0 });
  return {
    prediction: 'x0',
    async predict(x, level) {
      const dx = await denoised(model, options.schedule, x, level);
      const pred = checkArray(fn, 'options.forward output', options.forward(dx)) as Batch;
      if (pred.ndim !== 2 || pred.shape[0] !== x.shape[0])
        throw new ShapeError(fn, 'options.forward output', `expected [${x.shape[0]}, m]`, pred.shape);
      const yy = rowsOf(fn, options.y, x.shape[0], pred.shape[1] ?? 0);
      const r = lincomb([
        [1, yy.copy(pred.dtype) as Batch],
        [-1, pred],
      ]);
      const m = r.shape[1];
      for (let i = 0; i < r.shape[0]; i++) {
        let norm = 0;
        for (let j = 0; j < m; j++) norm += r.data[i * m + j] ** 2;
        const w = norm > 0 ? zeta / Math.sqrt(norm) : 0;
        for (let j = 0; j < m; j++) r.data[i * m + j] *= w;
      }
      return lincomb([
        [1, dx],
        [1, checkArray(fn, 'options.adjoint output', options.adjoint(dx, r)).astype(dx.dtype) as Batch],
      ]);
    },
  };
}

export interface EnsembleKalmanOptions {
  schedule: NoiseSchedule;
  /** Forward model G(x0) on a [batch, d] batch, returning [batch, m]; derivatives are never needed. */
  forward: (x0: Batch) => NDArray;
  y: NDArray;
  noiseStd: number;
  /** Fraction of the Kalman update applied per evaluation (default 1). */
  scale?: number;
}

/**
 * Derivative-free ensemble Kalman guidance (Zheng et al. 2024, "Ensemble Kalman Diffusion
 * Guidance"): the batch is the ensemble; with D_j the denoised members and G_j = G(D_j), the
 * update D_j += scale C_DG (C_GG + noiseStd^2 I)^-1 (y - G_j) uses ensemble covariances only,
 * so black-box forward models work. O(batch (d + m) m + m^3) per evaluation.
 * @throws ShapeError for mismatched measurements; InvalidArgumentError for an ensemble of fewer than 2 members.
 * @returns a `DiffusionModel` predicting 'x0'; the batch is the ensemble.
 * @example
 * ```ts
 * import { array, rng } from '@krylov/core-array';
 * import { ddim, ensembleKalmanGuidance, gaussianData, initialNoise, sample, vpCosine } from '@krylov/diffusion-samplers';
 * const data = gaussianData({ mean: [0, 0], variances: [1, 1] });
 * const schedule = vpCosine();
 * const forward = (x0) => array(x0.toArray().map(([a, b]) => [a + b])); // black box, no adjoint needed
 * const guided = ensembleKalmanGuidance(data.model, { schedule, forward, y: array([1]), noiseStd: 0.05 });
 * const out = await sample(guided, ddim(), initialNoise(schedule, [64, 2], rng(1)), { schedule, steps: 30 });
 * const sums = out.toArray().map(([a, b]) => a + b);
 * console.assert(Math.abs(sums.reduce((s, v) => s + v, 0) / 64 - 1) < 0.2, 'ensemble mean fits y');
 * ```
 */
export function ensembleKalmanGuidance(
  model: DiffusionModel,
  options: EnsembleKalmanOptions,
): DiffusionModel {
  const fn = 'ensembleKalmanGuidance';
  checkCommon(fn, model, options, ['schedule', 'forward', 'y', 'noiseStd', 'scale']);
  checkFunction(fn, 'options.forward', options.forward);
  const scale = checkNumber(fn, 'options.scale', options.scale ?? 1, { min: 0 });
  const noise = checkNumber(fn, 'options.noiseStd', options.noiseStd, { min: 0 });
  return {
    prediction: 'x0',
    async predict(x, level) {
      const n = x.shape[0];
      if (n < 2)
        throw new InvalidArgumentError(fn, 'x', x.shape, 'an ensemble (batch) of at least 2 members');
      const dx = (await denoised(model, options.schedule, x, level)).astype('float64') as NDArray<'float64'>;
      const g = checkArray(fn, 'options.forward output', options.forward(dx as Batch)).astype(
        'float64',
      ) as NDArray<'float64'>;
      if (g.ndim !== 2 || g.shape[0] !== n)
        throw new ShapeError(fn, 'options.forward output', `expected [${n}, m]`, g.shape);
      const m = g.shape[1];
      const yy = rowsOf(fn, options.y, n, m).astype('float64');
      const center = (z: NDArray<'float64'>) => {
        const c = z.copy();
        const w = z.shape[1];
        for (let j = 0; j < w; j++) {
          let mean = 0;
          for (let i = 0; i < n; i++) mean += c.data[i * w + j] / n;
          for (let i = 0; i < n; i++) c.data[i * w + j] -= mean;
        }
        return c;
      };
      const dc = center(dx);
      const gc = center(g);
      const cgg = matmul(gc.T, gc) as NDArray<'float64'>;
      for (let i = 0; i < m; i++)
        for (let j = 0; j < m; j++)
          cgg.data[i * m + j] = cgg.data[i * m + j] / (n - 1) + (i === j ? noise * noise : 0);
      const innovations = lincomb([
        [1, yy as Batch],
        [-1, g as Batch],
      ]);
      // K r = C_DG C_GG^-1 r for every row r: (C_GG^-1 R^T)^T rows, then times C_GD = gc^T dc / (n - 1)
      const w = solve(cgg, innovations.T.copy() as NDArray<'float64'>, {
        assume: 'positive definite',
      }) as NDArray<'float64'>;
      const update = matmul(matmul(w.T, gc.T), dc) as Batch;
      const out = lincomb([
        [1, dx as Batch],
        [scale / (n - 1), update],
      ]);
      return out.astype(x.dtype) as Batch;
    },
  };
}
