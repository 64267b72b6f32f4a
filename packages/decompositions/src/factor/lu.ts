import {
  type DType,
  type FloatDType,
  InvalidArgumentError,
  type NDArray,
  ShapeError,
  SingularMatrixError,
  checkOptions,
  defineKernel,
  isNDArray,
  optionKeys,
} from '@krylov/core-array';
import {
  type Floating,
  checkArray,
  checkMatrix,
  floating,
  optBoolean,
  workingCopy,
} from '../util/validate.js';
import { type RowMajor, block, gemmInto, gemvN, rowMajor, trsmLeft } from './dense.js';

/** Panel width, from measurement at n = 256..1024 (32 to 96 are within a few percent). */
const NB = 48;

/**
 * LU with partial pivoting of columns k0..k1 of rows k0..m (LAPACK dgetf2 in its left-looking
 * form, swapping whole rows so the columns left and right of the panel follow the pivots): column
 * j first receives the panel's earlier columns (its top part by forward substitution with the unit
 * L11, the rest by one matrix-vector product over contiguous rows, four at a time), then is pivoted
 * and scaled. Returns LAPACK's info (first zero pivot, 1-based, or 0) given the info so far.
 */
function panel(
  x: RowMajor,
  m: number,
  n: number,
  k0: number,
  k1: number,
  ipiv: Int32Array,
  info: number,
): number {
  const { d, o, ld } = x;
  const u = new Float64Array(k1 - k0);
  for (let j = k0; j < k1; j++) {
    const w = j - k0;
    if (w > 0) {
      // u = L11^-1 a[k0:j, j] (unit lower), then a[j:, j] -= L[j:, k0:j] u
      for (let q = 0; q < w; q++) {
        const row = o + (k0 + q) * ld + k0;
        let s = d[row + j - k0];
        for (let t = 0; t < q; t++) s -= d[row + t] * u[t];
        u[q] = s;
        d[row + j - k0] = s;
      }
      gemvN(d, o + j * ld + k0, ld, m - j, w, u, -1, d, o + j * ld + j, ld);
    }
    let p = j;
    let best = Math.abs(d[o + j * ld + j]);
    for (let i = j + 1, q = o + (j + 1) * ld + j; i < m; i++, q += ld) {
      const v = Math.abs(d[q]);
      if (v > best) {
        best = v;
        p = i;
      }
    }
    ipiv[j] = p;
    const rj = o + j * ld;
    if (p !== j) {
      for (let c = 0, rp = o + p * ld; c < n; c++) {
        const t = d[rj + c];
        d[rj + c] = d[rp + c];
        d[rp + c] = t;
      }
    }
    const pivot = d[rj + j];
    if (pivot === 0) {
      if (info === 0) info = j + 1;
      continue;
    }
    const r = 1 / pivot;
    for (let i = j + 1, q = o + (j + 1) * ld + j; i < m; i++, q += ld) d[q] *= r;
  }
  return info;
}

/**
 * LU with partial pivoting, P A = L U (LAPACK dgetrf, blocked right-looking): each NB-column panel
 * is factored by the unblocked algorithm (left-looking dgetf2, swapping whole rows), then U12 = L11^-1 A12 by
 * substitution over contiguous rows and the trailing matrix A22 -= L21 U12 by one gemm, so almost
 * all flops run in the packed gemm (or a faster backend's). Works on the raw row-major buffer (a
 * float64 copy when the view is strided or float32). O(2/3 n^3). Backward stable in practice
 * (growth factor bounds, Higham 2002 ch. 9).
 */
export const getrf = defineKernel('getrf', ({ a }) => {
  const [m, n] = a.shape;
  const x = rowMajor(a);
  const k = Math.min(m, n);
  const ipiv = new Int32Array(k);
  let info = 0;
  for (let k0 = 0; k0 < k; k0 += NB) {
    const k1 = Math.min(k, k0 + NB);
    info = panel(x, m, n, k0, k1, ipiv, info);
    if (k1 < n) {
      trsmLeft(
        k1 - k0,
        n - k1,
        { d: x.d, o: x.o + k0 * x.ld + k0, ld: x.ld },
        { d: x.d, o: x.o + k0 * x.ld + k1, ld: x.ld },
        true,
        false,
        true,
      );
      if (k1 < m)
        gemmInto(
          -1,
          block(x, k1, k0, m - k1, k1 - k0),
          block(x, k0, k1, k1 - k0, n - k1),
          1,
          block(x, k1, k1, m - k1, n - k1),
        );
    }
  }
  x.commit();
  return { ipiv, info };
});

/**
 * Solves A X = B (or A^T X = B) in place from getrf's output (LAPACK dgetrs): permute the rows of
 * B, then two blocked triangular solves on the raw buffers. O(n^2 nrhs).
 */
export const getrs = defineKernel('getrs', ({ lu, ipiv, b, transpose }) => {
  const n = lu.shape[0];
  const nrhs = b.shape[1];
  const f = rowMajor(lu);
  const x = rowMajor(b);
  const swap = (k: number) => {
    const p = ipiv[k];
    if (p === k) return;
    for (let c = 0, rk = x.o + k * x.ld, rp = x.o + p * x.ld; c < nrhs; c++) {
      const t = x.d[rk + c];
      x.d[rk + c] = x.d[rp + c];
      x.d[rp + c] = t;
    }
  };
  if (!transpose) {
    for (let k = 0; k < ipiv.length; k++) swap(k);
    trsmLeft(n, nrhs, f, x, true, false, true);
    trsmLeft(n, nrhs, f, x, false, false, false);
  } else {
    trsmLeft(n, nrhs, f, x, false, true, false);
    trsmLeft(n, nrhs, f, x, true, true, true);
    for (let k = ipiv.length - 1; k >= 0; k--) swap(k);
  }
  x.commit();
});

/**
 * Solves A X = B for a square A (LAPACK dgesv's result): the registered `getrf` kernel on `a`, then
 * `getrs` on `b` unless U has an exact zero pivot. `b` is overwritten with X and `a` with the packed
 * LU factors (a native backend may store another form, e.g. the factors of A^T: callers must not
 * read it). O(2/3 n^3 + 2 n^2 nrhs). Backward stable in practice, as getrf.
 * @returns LAPACK's info: 0, or k > 0 when U(k, k) (1-based) is exactly zero; `b` is then unsolved.
 */
export const gesv = defineKernel('gesv', ({ a, b }) => {
  const { ipiv, info } = getrf({ a });
  if (info === 0) getrs({ lu: a, ipiv, b, transpose: false });
  return info;
});

export interface LUFactor<D extends FloatDType = FloatDType> {
  /** L (unit, below the diagonal) and U (on and above) packed in one matrix. */
  lu: NDArray<D>;
  /** Row interchanges: row k was swapped with row ipiv[k], in order (LAPACK convention, 0-based). */
  ipiv: Int32Array;
}

/**
 * The LU factorization P A = L U of a square or rectangular matrix, packed (scipy.linalg.lu_factor;
 * LAPACK ?getrf). A float32 matrix is factored in float32. O(2/3 n^3).
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { luFactor, luSolve } from '@krylov/decompositions';
 * const f = luFactor(array([[2, 1], [1, 3]])); // factor once...
 * const x = luSolve(f, array([3, 4])); // ...solve for many right-hand sides
 * console.assert(Math.abs(x.get(0) - 1) < 1e-12 && Math.abs(x.get(1) - 1) < 1e-12, 'x = [1, 1]');
 * ```
 * @throws ShapeError, DTypeError, InvalidArgumentError for non-finite entries.
 */
export function luFactor<D extends DType>(a: NDArray<D>): LUFactor<Floating<D>> {
  const w = workingCopy('luFactor', 'a', a, false, floating(a));
  const { ipiv } = getrf({ a: w });
  return { lu: w, ipiv } as LUFactor<Floating<D>>;
}

/**
 * P, L, U with A = P^T L U as separate arrays: `p` lists, for each row of L U, the row of A it
 * came from (so A[p[i]] = (L U)[i]). Partial pivoting (scipy.linalg.lu, LAPACK ?getrf); L unit lower
 * triangular, U upper triangular, in the input's float dtype. O(2/3 n^3).
 * @example
 * ```ts
 * import { array, matmul, norm, sub } from '@krylov/core-array';
 * import { lu } from '@krylov/decompositions';
 * const a = array([[1, 2], [3, 4]]);
 * const { p, l, u } = lu(a); // a[p[i], :] = (l u)[i, :]
 * console.assert(p[0] === 1, 'the larger pivot 3 is moved to the top');
 * console.assert(norm(sub(matmul(l, u), array([[3, 4], [1, 2]]))).item() < 1e-12, 'L U = P A');
 * ```
 * @throws ShapeError, DTypeError, InvalidArgumentError for non-finite entries.
 */
export function lu<D extends DType>(
  a: NDArray<D>,
): { p: Int32Array; l: NDArray<Floating<D>>; u: NDArray<Floating<D>> } {
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

const LU_SOLVE_OPTIONS_KEYS = optionKeys<LuSolveOptions>()('transpose');

/** Options of {@link luSolve}. */
export type LuSolveOptions = { transpose?: boolean };

/**
 * Solves A X = B (or A^T X = B) from `luFactor`'s output (LAPACK ?getrs), in float32 when the factor
 * and B are float32. O(n^2 nrhs).
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { luFactor, luSolve } from '@krylov/decompositions';
 * const f = luFactor(array([[2, 1], [0, 3]]));
 * const y = luSolve(f, array([2, 4]), { transpose: true }); // solves A^T y = b
 * console.assert(Math.abs(y.get(0) - 1) < 1e-12 && Math.abs(y.get(1) - 1) < 1e-12, 'y = [1, 1]');
 * ```
 * @throws SingularMatrixError (with the pivot) when U has an exact zero on its diagonal; ShapeError
 *   for a non-square factor or b without n rows; InvalidArgumentError for a malformed factor
 *   (ipiv not an Int32Array of n row indices), non-finite entries of b or a non-boolean transpose.
 */
export function luSolve<F extends FloatDType, D extends DType>(
  factor: LUFactor<F>,
  b: NDArray<D>,
  options?: LuSolveOptions,
): NDArray<Floating<F | D>> {
  const fn = 'luSolve';
  checkOptions(fn, options, LU_SOLVE_OPTIONS_KEYS);
  const transpose = optBoolean(fn, 'options.transpose', options?.transpose, false);
  if (typeof factor !== 'object' || factor === null)
    throw new InvalidArgumentError(fn, 'factor', factor, "luFactor's result { lu, ipiv }");
  checkMatrix(fn, 'factor.lu', factor.lu, true);
  const n = factor.lu.shape[0];
  const { ipiv } = factor;
  if (!(ipiv instanceof Int32Array) || ipiv.length !== n || ipiv.some((p) => !(p >= 0 && p < n)))
    throw new InvalidArgumentError(fn, 'factor.ipiv', ipiv, `an Int32Array of ${n} row indices in [0, ${n})`);
  for (let k = 0; k < n; k++) if (factor.lu.get(k, k) === 0) throw new SingularMatrixError(fn, k);
  checkArray(fn, 'b', b);
  const dtype = floating(factor.lu, b);
  const x = workingCopy(fn, 'b', b.ndim === 1 ? b.reshape([b.shape[0], 1]) : b, false, dtype);
  if (x.shape[0] !== n) throw new ShapeError(fn, 'b', `needs ${n} rows to match the factor`, b.shape);
  getrs({ lu: factor.lu.astype(dtype), ipiv, b: x, transpose });
  return (b.ndim === 1 ? x.reshape([n]) : x) as NDArray<Floating<F | D>>;
}
