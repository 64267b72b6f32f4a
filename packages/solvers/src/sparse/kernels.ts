import { type Mat, defineKernel } from '@krylov/core-array';

/** The arrays of a compressed-row matrix, as the sparse kernels take them. */
export interface CsrArrays {
  readonly shape: readonly [number, number];
  readonly indptr: Int32Array;
  readonly indices: Int32Array;
  readonly data: Float64Array;
}

declare module '@krylov/core-array' {
  interface KernelSignatures {
    /** y = alpha op(A) x + beta y for a CSR matrix A (op(A) = A^T when `transpose`); beta = 0 ignores y's contents. */
    spmv: {
      args: {
        a: CsrArrays;
        x: Float64Array;
        y: Float64Array;
        alpha: number;
        beta: number;
        transpose: boolean;
      };
      result: void;
    };
    /** C = alpha A B + beta C for a CSR matrix A and dense row-major-or-strided B, C. */
    spmm: { args: { a: CsrArrays; b: Mat; c: Mat; alpha: number; beta: number }; result: void };
  }
}

/** y = A x over CSR arrays (the common alpha = 1, beta = 0 case, without the per-row scaling). */
function csrMatvec(
  indptr: Int32Array,
  indices: Int32Array,
  data: Float64Array,
  x: Float64Array,
  y: Float64Array,
  m: number,
): void {
  let start = indptr[0];
  for (let i = 0; i < m; i++) {
    const end = indptr[i + 1];
    let s = 0;
    for (let p = start; p < end; p++) s += data[p] * x[indices[p]];
    y[i] = s;
    start = end;
  }
}

export const spmv = defineKernel('spmv', ({ a, x, y, alpha, beta, transpose }) => {
  const { indptr, indices, data } = a;
  const m = a.shape[0];
  if (!transpose) {
    if (alpha === 1 && beta === 0) return csrMatvec(indptr, indices, data, x, y, m);
    for (let i = 0; i < m; i++) {
      let s = 0;
      for (let p = indptr[i]; p < indptr[i + 1]; p++) s += data[p] * x[indices[p]];
      y[i] = beta === 0 ? alpha * s : alpha * s + beta * y[i];
    }
    return;
  }
  if (beta === 0) y.fill(0);
  else if (beta !== 1) for (let j = 0; j < y.length; j++) y[j] *= beta;
  for (let i = 0; i < m; i++) {
    const xi = alpha * x[i];
    if (xi === 0) continue;
    for (let p = indptr[i]; p < indptr[i + 1]; p++) y[indices[p]] += data[p] * xi;
  }
});

export const spmm = defineKernel('spmm', ({ a, b, c, alpha, beta }) => {
  const { indptr, indices, data } = a;
  const [m] = a.shape;
  const n = b.shape[1];
  const [bs0, bs1] = b.strides;
  const [cs0, cs1] = c.strides;
  const bd = b.data;
  const cd = c.data;
  const row = new Float64Array(n);
  for (let i = 0; i < m; i++) {
    row.fill(0);
    for (let p = indptr[i]; p < indptr[i + 1]; p++) {
      const v = data[p];
      const base = b.offset + indices[p] * bs0;
      for (let j = 0; j < n; j++) row[j] += v * bd[base + j * bs1];
    }
    const cb = c.offset + i * cs0;
    for (let j = 0; j < n; j++) {
      const at = cb + j * cs1;
      cd[at] = beta === 0 ? alpha * row[j] : alpha * row[j] + beta * cd[at];
    }
  }
});
