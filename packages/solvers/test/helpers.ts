import { NDArray, matmul, rng } from '@krylov/core-array';
import { qr } from '@krylov/decompositions';

/** A dense n x n matrix U diag(s) V^T with singular values from 1 down to 1/kappa (geometric), random orthogonal U, V. */
export function withCondition(n: number, kappa: number, seed: number): NDArray<'float64'> {
  const u = qr(rng(seed).normal([n, n])).q as NDArray<'float64'>;
  const v = qr(rng(seed + 1).normal([n, n])).q as NDArray<'float64'>;
  const s = new NDArray(new Float64Array(n * n), [n, n]);
  for (let i = 0; i < n; i++) s.data[i * n + i] = kappa ** (-i / Math.max(n - 1, 1));
  return matmul(matmul(u, s), v.T) as NDArray<'float64'>;
}

/** b_i = sin(i + 1), the right-hand side of the SciPy fixtures. */
export function sines(n: number): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => Math.sin(i + 1));
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
