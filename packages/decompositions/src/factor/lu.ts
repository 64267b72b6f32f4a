import { type NDArray, SingularMatrixError, defineKernel, trsm } from '@krylov/core-array';
import { workingCopy } from '../util/validate.js';

/**
 * LU with partial pivoting, P A = L U (LAPACK dgetrf, right-looking): at column k, the row with
 * the largest |a_ik| is swapped to the top, the multipliers are stored below the diagonal and the
 * trailing matrix gets a rank-1 update. Row-major storage makes that update a contiguous axpy per row.
 * O(2/3 n^3). Backward stable in practice (growth factor bounds, Higham 2002 ch. 9).
 */
export const getrf = defineKernel('getrf', ({ a }) => {
  const [m, n] = a.shape;
  const [rs, cs] = a.strides;
  const d = a.data;
  const at = (i: number, j: number) => a.offset + i * rs + j * cs;
  const ipiv = new Int32Array(Math.min(m, n));
  let info = 0;
  for (let k = 0; k < Math.min(m, n); k++) {
    let p = k;
    let best = Math.abs(d[at(k, k)]);
    for (let i = k + 1; i < m; i++) {
      const v = Math.abs(d[at(i, k)]);
      if (v > best) [best, p] = [v, i];
    }
    ipiv[k] = p;
    if (p !== k) for (let j = 0; j < n; j++) [d[at(k, j)], d[at(p, j)]] = [d[at(p, j)], d[at(k, j)]];
    const pivot = d[at(k, k)];
    if (pivot === 0) {
      if (info === 0) info = k + 1;
      continue;
    }
    for (let i = k + 1; i < m; i++) {
      const l = (d[at(i, k)] /= pivot);
      if (l === 0) continue;
      for (let j = k + 1; j < n; j++) d[at(i, j)] -= l * d[at(k, j)];
    }
  }
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
