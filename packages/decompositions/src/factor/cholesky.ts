import {
  InvalidArgumentError,
  type Mat,
  NDArray,
  NotPositiveDefiniteError,
  checkOptions,
  defineKernel,
  syrk,
  trsm,
} from '@krylov/core-array';
import { workingCopy } from '../util/validate.js';

const NB = 64;

/** Unblocked left-looking Cholesky (dpotf2) of an n x n view, lower triangle; returns LAPACK's info. */
function potf2(a: Mat): number {
  const n = a.shape[0];
  const [rs, cs] = a.strides;
  const d = a.data;
  const at = (i: number, j: number) => a.offset + i * rs + j * cs;
  for (let j = 0; j < n; j++) {
    let s = d[at(j, j)];
    for (let k = 0; k < j; k++) s -= d[at(j, k)] ** 2;
    if (!(s > 0)) return j + 1;
    const ljj = Math.sqrt(s);
    d[at(j, j)] = ljj;
    for (let i = j + 1; i < n; i++) {
      let t = d[at(i, j)];
      for (let k = 0; k < j; k++) t -= d[at(i, k)] * d[at(j, k)];
      d[at(i, j)] = t / ljj;
    }
  }
  return 0;
}

/**
 * Cholesky A = L L^T on the lower triangle (LAPACK dpotrf, blocked right-looking): factor the
 * NB x NB diagonal block (dpotf2), solve the block column below it with trsm, and update the
 * trailing matrix with syrk, so most flops run in the packed level-3 kernels. The upper triangle
 * is not touched. Returns info k > 0 when the leading minor of order k is not positive definite.
 * O(n^3 / 3).
 */
export const potrf = defineKernel('potrf', ({ a }) => {
  const n = a.shape[0];
  const view = (r0: number, r1: number, c0: number, c1: number) =>
    new NDArray(
      a.data,
      [r1 - r0, c1 - c0],
      a.strides,
      a.offset + r0 * a.strides[0] + c0 * a.strides[1],
    ) as Mat;
  for (let k0 = 0; k0 < n; k0 += NB) {
    const k1 = Math.min(n, k0 + NB);
    const info = potf2(view(k0, k1, k0, k1));
    if (info > 0) return k0 + info;
    if (k1 < n) {
      trsm(view(k0, k1, k0, k1), view(k1, n, k0, k1), { side: 'right', lower: true, transA: true });
      syrk(view(k1, n, k0, k1), { c: view(k1, n, k1, n), alpha: -1, beta: 1, lower: true });
    }
  }
  return 0;
});

/** Solves (L L^T) X = B in place given the lower factor (LAPACK dpotrs). */
export const potrs = defineKernel('potrs', ({ l, b }) => {
  trsm(l, b, { lower: true });
  trsm(l, b, { lower: true, transA: true });
});

/**
 * The Cholesky factor of a symmetric positive definite matrix: lower L with A = L L^T (default),
 * or upper U = L^T with A = U^T U. Reads only the lower triangle. O(n^3 / 3).
 * @throws NotPositiveDefiniteError naming the column where a pivot was not positive;
 *   ShapeError for non-square input; InvalidArgumentError for non-finite entries.
 */
export function cholesky(a: NDArray, options?: { lower?: boolean }): NDArray<'float64'> {
  checkOptions('cholesky', options, ['lower']);
  const { w } = workingCopy('cholesky', 'a', a, true);
  const info = potrf({ a: w });
  if (info > 0) throw new NotPositiveDefiniteError('cholesky', info - 1);
  const n = w.shape[0];
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) w.data[i * n + j] = 0;
  return options?.lower === false ? (w.T.copy() as NDArray<'float64'>) : w;
}

/**
 * Cholesky with diagonal pivoting for symmetric positive semidefinite matrices (LAPACK dpstrf,
 * unblocked; Higham 2002 section 10.3): at step k the largest remaining diagonal entry of the Schur
 * complement is the pivot; the factorization stops when it falls below `tol` (default
 * n eps max diag), giving P A P^T ~ L L^T with L n x rank. A[perm][:, perm] = L L^T up to tol.
 * O(n^2 rank).
 * @throws InvalidArgumentError for a negative tolerance; ShapeError; InvalidArgumentError for non-finite entries.
 */
export function pivotedCholesky(
  a: NDArray,
  options?: { tol?: number },
): { l: NDArray<'float64'>; perm: Int32Array; rank: number } {
  const fn = 'pivotedCholesky';
  checkOptions(fn, options, ['tol']);
  const { w } = workingCopy(fn, 'a', a, true);
  const n = w.shape[0];
  const d = w.data;
  const perm = Int32Array.from({ length: n }, (_, i) => i);
  let maxDiag = 0;
  for (let i = 0; i < n; i++) maxDiag = Math.max(maxDiag, d[i * n + i]);
  const tol = options?.tol ?? n * 2 ** -52 * maxDiag;
  if (!(tol >= 0)) throw new InvalidArgumentError(fn, 'options.tol', tol, 'a non-negative number');
  // w holds the Schur complement in its trailing block and L in its leading columns (lower part)
  let rank = 0;
  for (let k = 0; k < n; k++) {
    let p = k;
    for (let i = k + 1; i < n; i++) if (d[i * n + i] > d[p * n + p]) p = i;
    if (!(d[p * n + p] > tol)) break;
    if (p !== k) {
      for (let j = 0; j < n; j++) [d[k * n + j], d[p * n + j]] = [d[p * n + j], d[k * n + j]];
      for (let i = 0; i < n; i++) [d[i * n + k], d[i * n + p]] = [d[i * n + p], d[i * n + k]];
      [perm[k], perm[p]] = [perm[p], perm[k]];
    }
    const lkk = Math.sqrt(d[k * n + k]);
    d[k * n + k] = lkk;
    for (let i = k + 1; i < n; i++) d[i * n + k] /= lkk;
    for (let i = k + 1; i < n; i++)
      for (let j = k + 1; j <= i; j++) d[i * n + j] -= d[i * n + k] * d[j * n + k];
    for (let i = k + 1; i < n; i++) for (let j = k + 1; j < i; j++) d[j * n + i] = d[i * n + j];
    rank++;
  }
  const l = new NDArray(new Float64Array(n * rank), [n, rank]) as NDArray<'float64'>;
  for (let i = 0; i < n; i++)
    for (let j = 0; j < Math.min(i + 1, rank); j++) l.data[i * rank + j] = d[i * n + j];
  return { l, perm, rank };
}
