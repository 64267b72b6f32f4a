import type { NDArray } from '@krylov/core-array';

/** Float32Array or Float64Array: the storage of a float operand. */
export type FloatData = Float32Array | Float64Array;

/** Where a matrix copied into linear memory lives: its strides there, in elements. */
export interface Placed {
  rs: number;
  cs: number;
}

/**
 * Copies the m x n matrix view `x` (any strides, offset) densely into `dst`, row-major when its
 * rows are the longer stride (so rows copy as contiguous runs), column-major otherwise (a
 * transposed view copies column by column); returns the strides of the copy. Contiguous runs go
 * through `TypedArray.set` (a memcpy), the rest element by element.
 */
export function copyIn(x: NDArray, dst: FloatData): Placed {
  const [m, n] = x.shape;
  const [rs, cs] = x.strides;
  const src = x.data as FloatData;
  const o = x.offset;
  if (m === 0 || n === 0) return { rs: n, cs: 1 };
  const colMajor = n > 1 && (m === 1 ? false : Math.abs(rs) < Math.abs(cs));
  if (!colMajor) {
    if (cs === 1 && (rs === n || m === 1)) dst.set(src.subarray(o, o + m * n));
    else if (cs === 1) for (let i = 0; i < m; i++) dst.set(src.subarray(o + i * rs, o + i * rs + n), i * n);
    else
      for (let i = 0, q = 0; i < m; i++)
        for (let j = 0, p = o + i * rs; j < n; j++, p += cs) dst[q++] = src[p];
    return { rs: n, cs: 1 };
  }
  if (rs === 1 && cs === m) dst.set(src.subarray(o, o + m * n));
  else if (rs === 1) for (let j = 0; j < n; j++) dst.set(src.subarray(o + j * cs, o + j * cs + m), j * m);
  else
    for (let j = 0, q = 0; j < n; j++) for (let i = 0, p = o + j * cs; i < m; i++, p += rs) dst[q++] = src[p];
  return { rs: 1, cs: m };
}

/** Copies the m x n view `x` into `dst` row-major (leading dimension n). */
export function copyInRowMajor(x: NDArray, dst: FloatData): void {
  const [m, n] = x.shape;
  const [rs, cs] = x.strides;
  const src = x.data as FloatData;
  const o = x.offset;
  if (cs === 1) for (let i = 0; i < m; i++) dst.set(src.subarray(o + i * rs, o + i * rs + n), i * n);
  else
    for (let i = 0, q = 0; i < m; i++) for (let j = 0, p = o + i * rs; j < n; j++, p += cs) dst[q++] = src[p];
}

/**
 * Writes the row-major m x n `src` (leading dimension n) back into the view `x`; with `tri` only
 * the lower ('lower': j <= i) or upper ('upper': j >= i) triangle, leaving the rest untouched.
 */
export function copyOut(src: FloatData, x: NDArray, tri?: 'lower' | 'upper'): void {
  const [m, n] = x.shape;
  const [rs, cs] = x.strides;
  const dst = x.data as FloatData;
  const o = x.offset;
  for (let i = 0; i < m; i++) {
    const j0 = tri === 'upper' ? i : 0;
    const j1 = tri === 'lower' ? Math.min(n, i + 1) : n;
    if (j1 <= j0) continue;
    if (cs === 1) dst.set(src.subarray(i * n + j0, i * n + j1), o + i * rs + j0);
    else for (let j = j0, p = o + i * rs + j0 * cs; j < j1; j++, p += cs) dst[p] = src[i * n + j];
  }
}

/** Copies the vector view `x` (any stride) into `dst` contiguously. */
export function copyVecIn(x: NDArray, dst: FloatData): void {
  const n = x.shape[0];
  const s = x.strides[0];
  const src = x.data as FloatData;
  if (s === 1) dst.set(src.subarray(x.offset, x.offset + n));
  else for (let i = 0, p = x.offset; i < n; i++, p += s) dst[i] = src[p];
}

/** Writes the contiguous `src` back into the vector view `x`. */
export function copyVecOut(src: FloatData, x: NDArray): void {
  const n = x.shape[0];
  const s = x.strides[0];
  const dst = x.data as FloatData;
  if (s === 1) dst.set(src.subarray(0, n), x.offset);
  else for (let i = 0, p = x.offset; i < n; i++, p += s) dst[p] = src[i];
}

/** Whether a matrix view's columns are closer together than its rows (a transposed layout). */
export function isColumnMajor(x: NDArray): boolean {
  const [m, n] = x.shape;
  return m > 1 && n > 1 && Math.abs(x.strides[0]) < Math.abs(x.strides[1]);
}
