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

/** ||x||_2 without overflow or harmful underflow (see `scaledNorm2`). */
export const nrm2Kernel = defineKernel('nrm2', ({ x }) => {
  const a = at(x);
  return scaledNorm2(a.d, a.o, a.s, a.n);
});

/**
 * ||v||_2 of n strided entries by the scaled sum of squares of LAPACK's dnrm2 (Hammarling):
 * no overflow for 1e200 entries, no underflow to 0 for 1e-200 entries; NaN propagates.
 */
export function scaledNorm2(d: ArrayLike<number>, offset: number, stride: number, n: number): number {
  let scale = 0;
  let ssq = 1;
  for (let i = 0, p = offset; i < n; i++, p += stride) {
    const abs = Math.abs(d[p]);
    if (Number.isNaN(abs)) return Number.NaN;
    if (abs === 0) continue;
    if (scale < abs) {
      ssq = 1 + ssq * (scale / abs) ** 2;
      scale = abs;
    } else {
      ssq += (abs / scale) ** 2;
    }
  }
  return scale * Math.sqrt(ssq);
}
