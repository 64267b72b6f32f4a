import {
  type Mat,
  NDArray,
  SingularMatrixError,
  copyInto,
  defineKernel,
  gemm,
  trsm,
} from '@krylov/core-array';
import { workingCopy } from '../util/validate.js';

const NB = 48;

/**
 * LU with partial pivoting, P A = L U (LAPACK dgetrf, blocked right-looking): each NB-column panel
 * is factored by the unblocked algorithm (dgetf2, swapping whole rows), then U12 = L11^-1 A12 by
 * trsm and the trailing matrix A22 -= L21 U12 by gemm, so almost all flops run in the packed gemm
 * (or a faster backend's). Works on a contiguous copy when the view is strided. O(2/3 n^3).
 * Backward stable in practice (growth factor bounds, Higham 2002 ch. 9).
 */
export const getrf = defineKernel('getrf', ({ a }) => {
  const [m, n] = a.shape;
  const w = a.isContiguous ? a : a.copy();
  const d = w.data;
  const o = w.offset;
  const k = Math.min(m, n);
  const ipiv = new Int32Array(k);
  let info = 0;
  const view = (r0: number, r1: number, c0: number, c1: number) =>
    new NDArray(d, [r1 - r0, c1 - c0], [n, 1], o + r0 * n + c0) as Mat;
  for (let k0 = 0; k0 < k; k0 += NB) {
    const k1 = Math.min(k, k0 + NB);
    for (let j = k0; j < k1; j++) {
      let p = j;
      let best = Math.abs(d[o + j * n + j]);
      for (let i = j + 1; i < m; i++) {
        const v = Math.abs(d[o + i * n + j]);
        if (v > best) [best, p] = [v, i];
      }
      ipiv[j] = p;
      if (p !== j) {
        for (let c = 0; c < n; c++) {
          const t = d[o + j * n + c];
          d[o + j * n + c] = d[o + p * n + c];
          d[o + p * n + c] = t;
        }
      }
      const pivot = d[o + j * n + j];
      if (pivot === 0) {
        if (info === 0) info = j + 1;
        continue;
      }
      for (let i = j + 1; i < m; i++) {
        const r = o + i * n;
        const l = (d[r + j] /= pivot);
        if (l === 0) continue;
        for (let c = j + 1, q = o + j * n + j + 1; c < k1; c++, q++) d[r + c] -= l * d[q];
      }
    }
    if (k1 < n) {
      trsm(view(k0, k1, k0, k1), view(k0, k1, k1, n), { lower: true, unitDiag: true });
      if (k1 < m)
        gemm(view(k1, m, k0, k1), view(k0, k1, k1, n), { c: view(k1, m, k1, n), alpha: -1, beta: 1 });
    }
  }
  if (w !== a) copyInto(a, w);
  return { ipiv, info };
});

/** Solves A X = B (or A^T X = B) in place from getrf's output (LAPACK dgetrs): permute, then two triangular solves. */
export const getrs = defineKernel('getrs', ({ lu, ipiv, b, transpose }) => {
  const swap = (k: number) => {
    const p = ipiv[k];
    if (p === k) return;
    for (let j = 0; j < b.shape[1]; j++) {
      const x = b.get(k, j);
      b.set(b.get(p, j), k, j);
      b.set(x, p, j);
    }
  };
  if (!transpose) {
    for (let k = 0; k < ipiv.length; k++) swap(k);
    trsm(lu, b, { lower: true, unitDiag: true });
    trsm(lu, b, { lower: false });
  } else {
    trsm(lu, b, { lower: false, transA: true });
    trsm(lu, b, { lower: true, unitDiag: true, transA: true });
    for (let k = ipiv.length - 1; k >= 0; k--) swap(k);
  }
});

export interface LUFactor {
  /** L (unit, below the diagonal) and U (on and above) packed in one matrix. */
  lu: NDArray<'float64'>;
  /** Row interchanges: row k was swapped with row ipiv[k], in order (LAPACK convention, 0-based). */
  ipiv: Int32Array;
}

/**
 * The LU factorization P A = L U of a square or rectangular matrix, packed (scipy.linalg.lu_factor).
 * Computed in float64. O(2/3 n^3).
 * @throws ShapeError, DTypeError, InvalidArgumentError for non-finite entries.
 */
export function luFactor(a: NDArray): LUFactor {
  const { w } = workingCopy('luFactor', 'a', a);
  const { ipiv } = getrf({ a: w });
  return { lu: w, ipiv };
}

/**
 * P, L, U with A = P^T L U as separate arrays: `p` lists, for each row of L U, the row of A it
 * came from (so A[p[i]] = (L U)[i]). O(2/3 n^3).
 */
export function lu(a: NDArray): { p: Int32Array; l: NDArray<'float64'>; u: NDArray<'float64'> } {
  const { lu: f, ipiv } = luFactor(a);
  const [m, n] = f.shape;
  const k = Math.min(m, n);
  const p = Int32Array.from({ length: m }, (_, i) => i);
  for (let i = 0; i < ipiv.length; i++) [p[i], p[ipiv[i]]] = [p[ipiv[i]], p[i]];
  const l = f.slice(null, `0:${k}`).copy();
  const u = f.slice(`0:${k}`).copy();
  for (let i = 0; i < m; i++)
    for (let j = 0; j < k; j++) l.data[i * k + j] = j > i ? 0 : j === i ? 1 : l.data[i * k + j];
  for (let i = 0; i < k; i++) for (let j = 0; j < Math.min(i, n); j++) u.data[i * n + j] = 0;
  return { p, l, u };
}

/**
 * Solves A X = B from `luFactor`'s output.
 * @throws SingularMatrixError (with the pivot) when U has an exact zero on its diagonal.
 */
export function luSolve(factor: LUFactor, b: NDArray, options?: { transpose?: boolean }): NDArray<'float64'> {
  const n = factor.lu.shape[0];
  for (let k = 0; k < n; k++)
    if (factor.lu.data[k * n + k] === 0) throw new SingularMatrixError('luSolve', k);
  const x = (b.ndim === 1 ? b.reshape([b.shape[0], 1]) : b).copy('float64');
  getrs({ lu: factor.lu, ipiv: factor.ipiv, b: x, transpose: options?.transpose ?? false });
  return (b.ndim === 1 ? x.reshape([n]) : x) as NDArray<'float64'>;
}
