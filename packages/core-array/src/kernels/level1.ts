import { defineKernel } from '../registry.js';
import type { Vec } from './signatures.js';

/** BLAS level 1 reference kernels over strided vectors (views with any stride, negative included). */

const at = (v: Vec) => ({ d: v.data, o: v.offset, s: v.strides[0] ?? 0, n: v.shape[0] ?? 1 });

/** x . y (ddot), accumulated in double precision. */
export const dotKernel = defineKernel('dot', ({ x, y }) => {
  const a = at(x);
  const b = at(y);
  let sum = 0;
  for (let i = 0, p = a.o, q = b.o; i < a.n; i++, p += a.s, q += b.s) sum += a.d[p] * b.d[q];
  return sum;
});

/** y += alpha x (daxpy). */
export const axpyKernel = defineKernel('axpy', ({ alpha, x, y }) => {
  const a = at(x);
  const b = at(y);
  if (alpha === 0) return;
  for (let i = 0, p = a.o, q = b.o; i < a.n; i++, p += a.s, q += b.s) b.d[q] += alpha * a.d[p];
});

/** x *= alpha (dscal); alpha = 0 writes exact zeros (NaN in x included), as the reference BLAS. */
export const scalKernel = defineKernel('scal', ({ alpha, x }) => {
  const a = at(x);
  for (let i = 0, p = a.o; i < a.n; i++, p += a.s) a.d[p] = alpha === 0 ? 0 : alpha * a.d[p];
});

/**
 * ||x||_2 without overflow or harmful underflow: the scaled sum of squares of LAPACK's dnrm2
 * (Hammarling's algorithm), so ||[1e200, 1e200]|| = 1.41e200 and ||[1e-200, 1e-200]|| is not 0.
 */
export const nrm2Kernel = defineKernel('nrm2', ({ x }) => {
  const a = at(x);
  let scale = 0;
  let ssq = 1;
  for (let i = 0, p = a.o; i < a.n; i++, p += a.s) {
    const v = a.d[p];
    if (v !== 0) {
      const abs = Math.abs(v);
      if (Number.isNaN(abs)) return Number.NaN;
      if (scale < abs) {
        ssq = 1 + ssq * (scale / abs) ** 2;
        scale = abs;
      } else {
        ssq += (abs / scale) ** 2;
      }
    }
  }
  return scale * Math.sqrt(ssq);
});
