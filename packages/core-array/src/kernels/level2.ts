import { defineKernel } from '../registry.js';
import type { Mat, Vec } from './signatures.js';

/** BLAS level 2 reference kernels over strided matrices and vectors. */

/** y = alpha A x + beta y (dgemv); beta = 0 ignores y's old contents. Row-wise dot products. */
export const gemvKernel = defineKernel('gemv', ({ alpha, a, x, beta, y }) => {
  const [m, n] = a.shape;
  const [rs, cs] = a.strides;
  const ad = a.data;
  const xd = x.data;
  const xs = x.strides[0] ?? 0;
  const yd = y.data;
  const ys = y.strides[0] ?? 0;
  if (rs === 1 && cs !== 1 && m > 1) {
    // Column-major storage (e.g. A^T of a row-major matrix): sweep columns so the inner loop is
    // contiguous, as reference dgemv does for trans = 'N' (and, like it, skip zero x_j).
    const acc = new Float64Array(m);
    for (let j = 0, p = a.offset, r = x.offset; j < n; j++, p += cs, r += xs) {
      const xj = xd[r];
      if (xj === 0) continue;
      for (let i = 0; i < m; i++) acc[i] += ad[p + i] * xj;
    }
    for (let i = 0, q = y.offset; i < m; i++, q += ys)
      yd[q] = alpha * acc[i] + (beta === 0 ? 0 : beta * yd[q]);
    return;
  }
  for (let i = 0, q = y.offset; i < m; i++, q += ys) {
    let sum = 0;
    for (let j = 0, p = a.offset + i * rs, r = x.offset; j < n; j++, p += cs, r += xs) sum += ad[p] * xd[r];
    yd[q] = alpha * sum + (beta === 0 ? 0 : beta * yd[q]);
  }
});

/** A += alpha x y^T (dger). */
export const gerKernel = defineKernel('ger', ({ alpha, x, y, a }) => {
  const [m, n] = a.shape;
  const [rs, cs] = a.strides;
  for (let i = 0; i < m; i++) {
    const xi = alpha * x.data[x.offset + i * (x.strides[0] ?? 0)];
    if (xi === 0) continue;
    for (let j = 0, p = a.offset + i * rs, q = y.offset; j < n; j++, p += cs, q += y.strides[0] ?? 0)
      a.data[p] += xi * y.data[q];
  }
});

/** Element (i, j) of a matrix view. */
const el = (a: Mat, i: number, j: number) => a.data[a.offset + i * a.strides[0] + j * a.strides[1]];

/** x = A x with A triangular (dtrmv); reads only the `lower` (or upper) triangle. */
export const trmvKernel = defineKernel('trmv', ({ a, x, lower, unitDiag }) =>
  triangularMv(a, x, lower, unitDiag, false),
);

/** x = A^-1 x with A triangular (dtrsv), by forward or back substitution. */
export const trsvKernel = defineKernel('trsv', ({ a, x, lower, unitDiag }) =>
  triangularMv(a, x, lower, unitDiag, true),
);

function triangularMv(a: Mat, x: Vec, lower: boolean, unitDiag: boolean, solve: boolean): void {
  const n = a.shape[0];
  const xs = x.strides[0] ?? 0;
  const xd = x.data;
  const xi = (i: number) => x.offset + i * xs;
  // lower & multiply and upper & solve walk bottom-up; the others top-down, so each x_i reads only finished entries
  const down = lower === solve;
  for (let step = 0; step < n; step++) {
    const i = down ? step : n - 1 - step;
    let sum = 0;
    const [j0, j1] = lower ? [0, i] : [i + 1, n];
    for (let j = j0; j < j1; j++) sum += el(a, i, j) * xd[xi(j)];
    const d = unitDiag ? 1 : el(a, i, i);
    xd[xi(i)] = solve ? (xd[xi(i)] - sum) / d : d * xd[xi(i)] + sum;
  }
}
