import {
  InvalidArgumentError,
  type SeedLike,
  ShapeError,
  checkInteger,
  checkNumber,
  checkOptions,
  optionKeys,
  trsm,
} from '@krylov/core-array';
import { qr, svd } from '@krylov/decompositions';
import { CSRMatrix } from '@krylov/solvers';
import { sparseSignSketch } from './operators.js';
import { mul } from './products.js';
import { type MatrixLike, matrixArg, positiveInt, seedArg } from './validate.js';

/**
 * Exact statistical leverage scores of the rows of A: l_i = ||U_i||^2 for the left singular vectors
 * of the numerical rank (singular values above eps max(m, n) s_max); they sum to the rank.
 * O(m n^2).
 * Reference: Drineas, Magdon-Ismail, Mahoney & Woodruff 2012 (definition).
 * @returns a Float64Array of length m.
 * @throws ShapeError for a non-matrix A.
 * @example
 * ```ts
 * import { rng } from '@krylov/core-array';
 * import { leverageScores } from '@krylov/sketching';
 * const l = leverageScores(rng(1).normal([20, 3]));
 * const total = l.reduce((s, v) => s + v, 0);
 * console.assert(Math.abs(total - 3) < 1e-10, 'scores sum to the rank');
 * ```
 */
export function leverageScores(a: MatrixLike): Float64Array {
  const A = matrixArg('leverageScores', 'A', a);
  const f = svd(A instanceof CSRMatrix ? A.toDense() : A);
  const [m, n] = A.shape;
  const k = f.s.size;
  const cutoff = Number.EPSILON * Math.max(m, n) * (k > 0 ? f.s.data[0] : 0);
  const out = new Float64Array(m);
  for (let j = 0; j < k; j++) {
    if (!(f.s.data[j] > cutoff)) break;
    for (let i = 0; i < m; i++) out[i] += f.u.data[i * k + j] ** 2;
  }
  return out;
}

/**
 * Ridge leverage scores tau_i(lambda) = [A (A^T A + lambda I)^-1 A^T]_ii = sum_j s_j^2 / (s_j^2 +
 * lambda) U_ij^2 (Alaoui & Mahoney 2015; Cohen, Musco & Musco 2017). They sum to the effective
 * dimension. O(m n^2). @throws InvalidArgumentError for lambda < 0.
 * @returns a Float64Array of length m.
 * @example
 * ```ts
 * import { rng } from '@krylov/core-array';
 * import { ridgeLeverageScores } from '@krylov/sketching';
 * const tau = ridgeLeverageScores(rng(1).normal([20, 3]), 1);
 * console.assert(tau.reduce((s, v) => s + v, 0) < 3, 'effective dimension below the rank');
 * ```
 */
export function ridgeLeverageScores(a: MatrixLike, lambda: number): Float64Array {
  const fn = 'ridgeLeverageScores';
  checkNumber(fn, 'lambda', lambda, { min: 0 });
  const A = matrixArg(fn, 'A', a);
  const f = svd(A instanceof CSRMatrix ? A.toDense() : A);
  const m = A.shape[0];
  const k = f.s.size;
  const out = new Float64Array(m);
  for (let j = 0; j < k; j++) {
    const s2 = f.s.data[j] ** 2;
    const w = s2 + lambda > 0 ? s2 / (s2 + lambda) : 0;
    for (let i = 0; i < m; i++) out[i] += w * f.u.data[i * k + j] ** 2;
  }
  return out;
}

const APPROXIMATE_LEVERAGE_SCORES_OPTIONS_KEYS = optionKeys<ApproximateLeverageScoresOptions>()(
  'sketchSize',
  'jlDim',
  'seed',
);

/** Options of {@link approximateLeverageScores}. */
export type ApproximateLeverageScoresOptions = { sketchSize?: number; jlDim?: number; seed?: SeedLike };

/**
 * Approximate leverage scores of a tall full-rank A in O(nnz(A) log m + n^3) (Drineas,
 * Magdon-Ismail, Mahoney & Woodruff 2012): R from the QR of a sparse sign sketch S A makes A R^-1
 * nearly orthonormal, and a Gaussian Johnson-Lindenstrauss map with `jlDim` columns estimates its
 * row norms (defaults: a sketch of 10 n rows and max(50, 20 ln m) JL columns). Each score is within
 * a constant factor of the exact one with high probability.
 * @throws InvalidArgumentError for a wide A or bad sizes.
 * @returns a Float64Array of length m.
 * @example
 * ```ts
 * import { rng } from '@krylov/core-array';
 * import { approximateLeverageScores } from '@krylov/sketching';
 * const l = approximateLeverageScores(rng(1).normal([500, 4]), { seed: rng(1) });
 * console.assert(l.length === 500, 'one score per row');
 * ```
 */
export function approximateLeverageScores(
  a: MatrixLike,
  options?: ApproximateLeverageScoresOptions,
): Float64Array {
  const fn = 'approximateLeverageScores';
  checkOptions(fn, options, APPROXIMATE_LEVERAGE_SCORES_OPTIONS_KEYS);
  const A = matrixArg(fn, 'A', a);
  const [m, n] = A.shape;
  if (m < n) throw new ShapeError(fn, 'A', 'expected a tall matrix (m >= n)', A.shape);
  const d =
    options?.sketchSize === undefined
      ? Math.min(m, 10 * n)
      : checkInteger(fn, 'options.sketchSize', options.sketchSize, { min: Math.max(n, 1) });
  const r = positiveInt(fn, 'options.jlDim', options?.jlDim ?? Math.max(50, Math.ceil(20 * Math.log(m))));
  const rng = seedArg(fn, 'options.seed', options?.seed);
  const S = sparseSignSketch(d, m, { seed: rng.split() });
  const R = qr(S.left(A), { mode: 'r' }).r.slice(`0:${n}`).copy();
  // A rank-deficient A gives a singular R: R^-1 would turn every score into Inf or NaN.
  let rmax = 0;
  for (let i = 0; i < n; i++) rmax = Math.max(rmax, Math.abs(R.data[i * n + i]));
  for (let i = 0; i < n; i++)
    if (!(Math.abs(R.data[i * n + i]) > rmax * n * Number.EPSILON))
      throw new InvalidArgumentError(
        fn,
        'A',
        'numerically rank deficient',
        'a matrix of full column rank (use leverageScores)',
      );
  // Omega' = R^-1 G / sqrt(r), then row norms of A Omega'.
  const g = rng.normal([n, r]);
  for (let i = 0; i < g.size; i++) g.data[i] /= Math.sqrt(r);
  trsm(R, g, { lower: false });
  const y = mul(A, g);
  const out = new Float64Array(m);
  for (let i = 0; i < m; i++) for (let c = 0; c < r; c++) out[i] += y.data[i * r + c] ** 2;
  return out;
}
