import { type NDArray, matmul, rng } from '@krylov/core-array';
import { qr, svd } from '@krylov/decompositions';

/** U diag(s) V^T with random orthonormal U (m x r), V (n x r). */
export function withSpectrum(m: number, n: number, s: ArrayLike<number>, seed: number): NDArray<'float64'> {
  const r = s.length;
  const u = qr(rng(seed).normal([m, r])).q as NDArray<'float64'>;
  const v = qr(rng(seed + 1).normal([n, r])).q as NDArray<'float64'>;
  const us = u.copy() as NDArray<'float64'>;
  for (let i = 0; i < m; i++) for (let j = 0; j < r; j++) us.data[i * r + j] *= s[j];
  return matmul(us, v.T) as NDArray<'float64'>;
}

/** Spectral norm by the SVD. */
export function norm2(a: NDArray): number {
  return svd(a, { mode: 'values' }).s.data[0];
}

export function frobenius(a: NDArray): number {
  let s = 0;
  for (const v of a.toFlatArray()) s += v * v;
  return Math.sqrt(s);
}

export function minus(a: NDArray, b: NDArray): NDArray<'float64'> {
  const out = a.astype('float64').copy() as NDArray<'float64'>;
  const bd = b.astype('float64').contiguous().data;
  for (let i = 0; i < out.size; i++) out.data[i] -= bd[i];
  return out;
}
