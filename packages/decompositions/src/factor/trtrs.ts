import { defineKernel, trsm } from '@krylov/core-array';

/**
 * Solves op(A) X = B in place on B for a triangular n x n A (LAPACK dtrtrs): first checks the
 * diagonal for an exact zero and returns info = k + 1 for the first zero A[k, k], leaving B
 * untouched (skipped with `unitDiag`), then substitutes with trsm (op(A) = A^T with `transpose`;
 * only the `lower` or upper triangle is read). Any strides, float64 or float32. O(n^2 nrhs).
 */
export const trtrs = defineKernel('trtrs', ({ a, b, lower, transpose, unitDiag }) => {
  const n = a.shape[0];
  if (!unitDiag) {
    const step = a.strides[0] + a.strides[1];
    for (let k = 0; k < n; k++) if (a.data[a.offset + k * step] === 0) return k + 1;
  }
  trsm(a, b, { lower, transA: transpose, unitDiag });
  return 0;
});
