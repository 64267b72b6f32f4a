import {
  InvalidArgumentError,
  NDArray,
  NotPositiveDefiniteError,
  type SeedLike,
  ShapeError,
  checkFunction,
  checkInteger,
  checkOptions,
  isNDArray,
  matmul,
  optionKeys,
  trsm,
  zeros,
} from '@krylov/core-array';
import { cholesky, qr, svd } from '@krylov/decompositions';
import { mul } from './products.js';
import { type MatrixLike, matrixArg, rankArg, seedArg, symmetricArg } from './validate.js';

const NYSTROM_OPTIONS_KEYS = optionKeys<NystromOptions>()('seed', 'checkSymmetry');

/** Options of {@link nystrom}. */
export type NystromOptions = { seed?: SeedLike; checkSymmetry?: boolean };

/**
 * Randomized Nystrom approximation A ~ U diag(lambda) U^T of a symmetric positive semidefinite
 * matrix from one product Y = A Omega, in the numerically stable form with a small shift nu
 * (Tropp, Yurtsever, Udell & Cevher 2017, "Fixed-rank approximation of a positive-semidefinite
 * matrix from streaming data", Alg. 3): Y_nu = Y + nu Omega, C = chol(Omega^T Y_nu), B = Y_nu C^-T,
 * U S V^T = svd(B), lambda = max(S^2 - nu, 0). O(cost(A Omega) + n k^2).
 * A is checked for symmetry (core-array's rule; O(n^2) dense, O(nnz) sparse) unless
 * `checkSymmetry: false`.
 * @throws InvalidArgumentError when k > n or A is not symmetric; NotPositiveDefiniteError when A
 *   is detectably not positive semidefinite (a negative diagonal entry or Omega^T A Omega indefinite).
 * @returns `{ u, lambda }`, float64: u n x k with orthonormal columns, lambda the k eigenvalue estimates (descending).
 * @example
 * ```ts
 * import { matmul, rng } from '@krylov/core-array';
 * import { nystrom } from '@krylov/sketching';
 * const g = rng(1).normal([50, 3]);
 * const a = matmul(g, g.T); // PSD, rank 3
 * const { u, lambda } = nystrom(a, 5, { seed: rng(1) });
 * console.assert(u.shape[1] === 5 && lambda.toFlatArray()[0] > 0, 'rank-5 Nystrom');
 * ```
 */
export function nystrom(
  a: MatrixLike,
  k: number,
  options?: NystromOptions,
): { u: NDArray<'float64'>; lambda: NDArray<'float64'> } {
  const fn = 'nystrom';
  checkOptions(fn, options, NYSTROM_OPTIONS_KEYS);
  const A = matrixArg(fn, 'A', a);
  const n = A.shape[0];
  if (A.shape[1] !== n) throw new ShapeError(fn, 'A', 'expected a square symmetric matrix', A.shape);
  rankArg(fn, k, n);
  symmetricArg(fn, 'A', A, options?.checkSymmetry);
  const diag = new Float64Array(n);
  for (let i = 0; i < n; i++) diag[i] = 'indptr' in A ? A.get(i, i) : A.data[i * n + i];
  for (let i = 0; i < n; i++) if (diag[i] < 0) throw new NotPositiveDefiniteError(fn, i);
  const omega = qr(seedArg(fn, 'options.seed', options?.seed).normal([n, k])).q as NDArray<'float64'>;
  const y = mul(A, omega);
  let ynorm = 0;
  for (let i = 0; i < y.size; i++) ynorm += y.data[i] ** 2;
  const nu = Math.sqrt(n) * Number.EPSILON * Math.sqrt(ynorm);
  for (let i = 0; i < y.size; i++) y.data[i] += nu * omega.data[i];
  const small = matmul(omega.T, y) as NDArray<'float64'>;
  for (let i = 0; i < k; i++)
    for (let j = 0; j < i; j++) {
      const avg = (small.data[i * k + j] + small.data[j * k + i]) / 2;
      const scale = Math.abs(small.data[i * k + i]) + Math.abs(small.data[j * k + j]);
      if (Math.abs(small.data[i * k + j] - small.data[j * k + i]) > 1e-8 * scale)
        throw new InvalidArgumentError(
          fn,
          'A',
          'a nonsymmetric matrix',
          'a symmetric positive semidefinite matrix',
        );
      small.data[i * k + j] = small.data[j * k + i] = avg;
    }
  let l: NDArray<'float64'>;
  try {
    l = cholesky(small);
  } catch (e) {
    if (e instanceof NotPositiveDefiniteError) throw new NotPositiveDefiniteError(fn, e.column);
    throw e;
  }
  // B = Y_nu L^-T: solve B L^T = Y_nu from the right.
  const b = y.copy() as NDArray<'float64'>;
  trsm(l, b, { side: 'right', lower: true, transA: true });
  const f = svd(b);
  const lambda = new NDArray(
    Float64Array.from(f.s.data, (s) => Math.max(s * s - nu, 0)),
    [k],
  );
  return { u: f.u, lambda };
}

/** A kernel matrix known by entries: its diagonal and any column on demand (for RPCholesky). */
export interface KernelOracle {
  readonly size: number;
  diagonal(): Float64Array;
  column(j: number): Float64Array;
}

const RP_CHOLESKY_OPTIONS_KEYS = optionKeys<RpCholeskyOptions>()('seed', 'checkSymmetry');

/** Options of {@link rpCholesky}. */
export type RpCholeskyOptions = { seed?: SeedLike; checkSymmetry?: boolean };

/**
 * Randomly pivoted Cholesky (Chen, Epperly, Tropp & Webber 2023, "Randomly pivoted Cholesky:
 * practical approximation of a kernel matrix with few entry evaluations", Alg. 1): k pivots drawn
 * with probability proportional to the diagonal of the current residual, giving A ~ F F^T with
 * near-optimal trace-norm error. Reads only k columns and the diagonal: O(n k^2) time, (k + 1) n
 * entry evaluations. Stops early when the residual trace vanishes (A has rank < k).
 * A dense A is checked for symmetry (O(n^2), unless `checkSymmetry: false`); a KernelOracle cannot
 * be checked without reading every column and is trusted, but what it returns is checked (n finite
 * entries per call).
 * @throws InvalidArgumentError when k > n, A is not symmetric or the oracle returns a non-finite
 *   entry; ShapeError when the oracle returns the wrong length; NotPositiveDefiniteError on a
 *   negative diagonal entry.
 * @returns `{ f, pivots }`: f float64 n x k' (k' <= k, fewer when A has rank < k) with A ~ F F^T, and the chosen pivots.
 * @example
 * ```ts
 * import { matmul, rng } from '@krylov/core-array';
 * import { rpCholesky } from '@krylov/sketching';
 * const g = rng(1).normal([40, 2]);
 * const { f, pivots } = rpCholesky(matmul(g, g.T), 5, { seed: rng(1) });
 * console.assert(f.shape[1] <= 5 && pivots.length === f.shape[1], 'stops at the rank');
 * ```
 */
export function rpCholesky(
  a: NDArray | KernelOracle,
  k: number,
  options?: RpCholeskyOptions,
): { f: NDArray<'float64'>; pivots: Int32Array } {
  const fn = 'rpCholesky';
  checkOptions(fn, options, RP_CHOLESKY_OPTIONS_KEYS);
  if (a === null || typeof a !== 'object')
    throw new InvalidArgumentError(fn, 'A', a, 'an NDArray or a KernelOracle');
  const isOracle = !isNDArray(a) && typeof (a as KernelOracle).column === 'function';
  if (!isOracle && !isNDArray(a)) throw new InvalidArgumentError(fn, 'A', a, 'an NDArray or a KernelOracle');
  const oracle: KernelOracle = isOracle
    ? checkedOracle(fn, a as KernelOracle)
    : denseOracle(fn, a as NDArray, options?.checkSymmetry);
  const n = oracle.size;
  rankArg(fn, k, n);
  const d = Float64Array.from(oracle.diagonal());
  for (let i = 0; i < n; i++) if (!(d[i] >= 0)) throw new NotPositiveDefiniteError(fn, i);
  const r = seedArg(fn, 'options.seed', options?.seed);
  const F = zeros([n, k]);
  const pivots: number[] = [];
  for (let i = 0; i < k; i++) {
    let total = 0;
    for (let j = 0; j < n; j++) total += d[j];
    if (!(total > 0)) break;
    let u = r.nextFloat64() * total;
    let s = 0;
    while (s < n - 1 && (u >= d[s] || d[s] === 0)) {
      u -= d[s];
      s++;
    }
    const g = Float64Array.from(oracle.column(s));
    for (let j = 0; j < n; j++) {
      let acc = 0;
      for (let t = 0; t < i; t++) acc += F.data[j * k + t] * F.data[s * k + t];
      g[j] -= acc;
    }
    if (!(g[s] > 0)) break;
    const scale = 1 / Math.sqrt(g[s]);
    for (let j = 0; j < n; j++) {
      const v = g[j] * scale;
      F.data[j * k + i] = v;
      d[j] = Math.max(d[j] - v * v, 0);
    }
    pivots.push(s);
  }
  const rank = pivots.length;
  return {
    f: (rank === k ? F : F.slice(null, `0:${rank}`).copy()) as NDArray<'float64'>,
    pivots: Int32Array.from(pivots),
  };
}

/** The oracle with each result checked for length and finiteness (once per call). */
function checkedOracle(fn: string, o: KernelOracle): KernelOracle {
  const n = checkInteger(fn, 'A.size', o.size, { min: 0 });
  checkFunction(fn, 'A.diagonal', o.diagonal);
  const check = (what: string, v: unknown): Float64Array => {
    if (v === null || typeof v !== 'object' || typeof (v as ArrayLike<number>).length !== 'number')
      throw new InvalidArgumentError(fn, what, v, `an array of ${n} numbers`);
    const arr = v as ArrayLike<number>;
    if (arr.length !== n)
      throw new ShapeError(fn, what, `the oracle returned ${arr.length} entries; expected ${n}`, [
        arr.length,
      ]);
    const out = Float64Array.from(arr);
    for (let i = 0; i < n; i++)
      if (!Number.isFinite(out[i]))
        throw new InvalidArgumentError(fn, what, out[i], `finite entries (entry ${i} is not)`);
    return out;
  };
  return {
    size: n,
    diagonal: () => check('A.diagonal()', o.diagonal()),
    column: (j) => check(`A.column(${j})`, o.column(j)),
  };
}

function denseOracle(fn: string, a: NDArray, checkSymmetry: unknown): KernelOracle {
  const A = matrixArg(fn, 'A', a) as NDArray<'float64'>;
  const n = A.shape[0];
  if (A.shape[1] !== n) throw new ShapeError(fn, 'A', 'expected a square matrix', A.shape);
  symmetricArg(fn, 'A', A, checkSymmetry);
  return {
    size: n,
    diagonal: () => Float64Array.from({ length: n }, (_, i) => A.data[i * n + i]),
    column: (j) => Float64Array.from({ length: n }, (_, i) => A.data[i * n + j]),
  };
}
