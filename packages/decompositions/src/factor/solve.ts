import {
  InvalidArgumentError,
  type NDArray,
  ShapeError,
  SingularMatrixError,
  checkOptions,
  eye,
  matmul,
  trsm,
} from '@krylov/core-array';
import { workingCopy } from '../util/validate.js';
import { cholesky } from './cholesky.js';
import { getrf, luFactor, luSolve } from './lu.js';
import { geqrf, orgqr } from './qr.js';

export type Assume = 'general' | 'symmetric' | 'positive definite' | 'triangular';

function rhs(fn: string, a: NDArray, b: NDArray): NDArray<'float64'> {
  const { w } = workingCopy(fn, 'b', b.ndim === 1 ? b.reshape([b.shape[0], 1]) : b);
  if (w.shape[0] !== a.shape[0])
    throw new ShapeError(fn, 'b', `needs ${a.shape[0]} rows to match a`, b.shape);
  return w;
}

/**
 * Solves A X = B (as scipy.linalg.solve), choosing the factorization from `assume`: 'general'
 * (LU with partial pivoting, dgesv), 'positive definite' (Cholesky, dposv), 'symmetric' (LU; the
 * structure is used only for validation), 'triangular' (substitution, dtrtrs; `lower` picks the
 * triangle). A 1-D b gives a 1-D x. Computed in float64. O(n^3) (O(n^2) triangular).
 * @throws SingularMatrixError with the zero pivot; NotPositiveDefiniteError for 'positive definite'
 *   input that is not; ShapeError; InvalidArgumentError for non-finite entries or unknown options.
 */
export function solve(
  a: NDArray,
  b: NDArray,
  options?: { assume?: Assume; lower?: boolean },
): NDArray<'float64'> {
  const fn = 'solve';
  checkOptions(fn, options, ['assume', 'lower']);
  const assume = options?.assume ?? 'general';
  if (!['general', 'symmetric', 'positive definite', 'triangular'].includes(assume)) {
    throw new InvalidArgumentError(
      fn,
      'options.assume',
      assume,
      "'general', 'symmetric', 'positive definite' or 'triangular'",
    );
  }
  const { w } = workingCopy(fn, 'a', a, true);
  const x = rhs(fn, a, b);
  const n = w.shape[0];
  if (assume === 'positive definite') {
    const l = cholesky(w);
    trsm(l, x, { lower: true });
    trsm(l, x, { lower: true, transA: true });
  } else if (assume === 'triangular') {
    const lower = options?.lower ?? true;
    for (let k = 0; k < n; k++)
      if (w.data[k * n + k] === 0)
        throw new SingularMatrixError(fn, k, 'zero on the diagonal of a triangular matrix');
    trsm(w, x, { lower });
  } else {
    const f = luFactor(w);
    for (let k = 0; k < n; k++) if (f.lu.data[k * n + k] === 0) throw new SingularMatrixError(fn, k);
    return b.ndim === 1 ? (luSolve(f, x).reshape([n]) as NDArray<'float64'>) : luSolve(f, x);
  }
  return (b.ndim === 1 ? x.reshape([n]) : x) as NDArray<'float64'>;
}

/**
 * The inverse of a square matrix by LU (dgetri's result, via solving A X = I). O(n^3).
 * @throws SingularMatrixError with the zero pivot.
 */
export function inv(a: NDArray): NDArray<'float64'> {
  const { w } = workingCopy('inv', 'a', a, true);
  const n = w.shape[0];
  const f = luFactor(w);
  for (let k = 0; k < n; k++) if (f.lu.data[k * n + k] === 0) throw new SingularMatrixError('inv', k);
  return luSolve(f, eye(n));
}

/**
 * sign(det A) and log|det A| from the LU factorization (numpy.linalg.slogdet): no overflow for
 * large matrices. A singular matrix gives sign 0 and logabsdet -Infinity. O(n^3).
 */
export function slogdet(a: NDArray): { sign: number; logabsdet: number } {
  const { w } = workingCopy('slogdet', 'a', a, true);
  const n = w.shape[0];
  const { ipiv } = getrf({ a: w });
  let sign = 1;
  let logabsdet = 0;
  for (let k = 0; k < n; k++) {
    const u = w.data[k * n + k];
    if (u === 0) return { sign: 0, logabsdet: Number.NEGATIVE_INFINITY };
    if (u < 0) sign = -sign;
    if (ipiv[k] !== k) sign = -sign;
    logabsdet += Math.log(Math.abs(u));
  }
  return { sign, logabsdet };
}

/** The determinant (sign * exp(logabsdet); may overflow to +-Infinity for huge matrices: prefer slogdet). O(n^3). */
export function det(a: NDArray): number {
  const { sign, logabsdet } = slogdet(a);
  return sign * Math.exp(logabsdet);
}

/**
 * Least squares min ||A x - b|| for a tall full-rank A by Householder QR (LAPACK dgels): R x = Q^T b.
 * Returns the residual sum of squares per column (as numpy.linalg.lstsq). O(2 m n^2).
 * @throws SingularMatrixError when R has a zero diagonal entry (rank deficient); ShapeError when m < n.
 */
export function lstsq(a: NDArray, b: NDArray): { x: NDArray<'float64'>; residuals: number[]; rank: number } {
  const fn = 'lstsq';
  const { w } = workingCopy(fn, 'a', a);
  const [m, n] = w.shape;
  if (m < n)
    throw new ShapeError(
      fn,
      'a',
      'needs at least as many rows as columns (use pinv for underdetermined systems)',
      a.shape,
    );
  const y = rhs(fn, a, b);
  const { tau } = geqrf({ a: w });
  const q = w.copy();
  orgqr({ a: q, tau });
  const qty = matmul(q.T, y) as NDArray<'float64'>;
  const r = w.slice(`0:${n}`).copy();
  for (let i = 0; i < n; i++) {
    if (r.data[i * n + i] === 0) throw new SingularMatrixError(fn, i, 'rank-deficient matrix');
    for (let j = 0; j < i; j++) r.data[i * n + j] = 0;
  }
  trsm(r, qty, { lower: false });
  const fit = matmul(a.astype('float64'), qty) as NDArray<'float64'>;
  const k = y.shape[1];
  const residuals = Array.from({ length: k }, (_, j) => {
    let s = 0;
    for (let i = 0; i < m; i++) s += (fit.data[i * k + j] - y.data[i * k + j]) ** 2;
    return s;
  });
  return { x: (b.ndim === 1 ? qty.reshape([n]) : qty) as NDArray<'float64'>, residuals, rank: n };
}
