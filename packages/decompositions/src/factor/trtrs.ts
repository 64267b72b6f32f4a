import { type Mat, defineKernel } from '@krylov/core-array';
import { separate, trsm } from '@krylov/core-array/internal';

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
  // trsm reads A's lower (or upper) triangle; op(A) = A^T is the transposed view with the other
  // triangle. An A sharing memory with B is read from a copy.
  const op = separate(b, transpose ? a.T : a) as Mat;
  trsm({ side: 'left', lower: transpose ? !lower : lower, unitDiag, alpha: 1, a: op, b });
  return 0;
});
