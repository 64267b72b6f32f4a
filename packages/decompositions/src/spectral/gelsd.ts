import { type FloatDType, type Mat, NDArray, type Vec, defineKernel } from '@krylov/core-array';
import { epsOf } from '../util/validate.js';
import { gesdd } from './svd.js';

/**
 * Minimum-norm least squares min ||A X - B||_F by the SVD (LAPACK dgelsd's result):
 * X = V diag(1/s_i) U^T B over the singular values s_i > rcond * s_max (a negative rcond means
 * machine epsilon of the dtype, as in LAPACK), so rank-deficient and underdetermined problems get
 * the minimum-norm solution. A m x n and B m x nrhs are read only; returns X n x nrhs, the
 * singular values s (min(m, n), descending), the effective rank, and the `gesdd` kernel's info
 * (> 0 when the SVD did not converge; X is then zero). Built on the registered `gesdd` kernel
 * (Golub-Kahan bidiagonalization + bidiagonal QR in pure JS), not on LAPACK's bidiagonal divide and conquer; products in double.
 * O(m n min(m, n)) plus the SVD.
 */
export const gelsd = defineKernel('gelsd', ({ a, b, rcond }) => {
  const [m, n] = a.shape;
  const nrhs = b.shape[1];
  const k = Math.min(m, n);
  const Ctor = a.data.constructor as Float64ArrayConstructor;
  const x = new NDArray(new Ctor(n * nrhs), [n, nrhs]) as Mat;
  if (k === 0) return { x, s: new NDArray(new Ctor(0), [0]) as Vec, rank: 0, info: 0 };
  const { s, u, vt, info } = gesdd({ a: a.copy() as Mat, job: 'thin' });
  if (info > 0) return { x, s, rank: 0, info };
  const cutoff = (rcond < 0 ? epsOf(a.dtype as FloatDType) : rcond) * s.get(0);
  let rank = 0;
  while (rank < k && s.get(rank) > cutoff) rank++;
  const uu = u as Mat;
  const v = vt as Mat;
  // y = diag(1/s) U^T B over the first `rank` rows, then X = V y
  const y = new Float64Array(rank * nrhs);
  for (let i = 0; i < rank; i++) {
    const si = s.get(i);
    for (let j = 0; j < nrhs; j++) {
      let sum = 0;
      for (let p = 0; p < m; p++) sum += uu.get(p, i) * b.get(p, j);
      y[i * nrhs + j] = sum / si;
    }
  }
  for (let r = 0; r < n; r++)
    for (let j = 0; j < nrhs; j++) {
      let sum = 0;
      for (let i = 0; i < rank; i++) sum += v.get(i, r) * y[i * nrhs + j];
      x.data[r * nrhs + j] = sum;
    }
  return { x, s, rank, info };
});
