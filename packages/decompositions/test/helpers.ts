import { NDArray as Arr, type NDArray, matmul, norm, rng, sub } from '@krylov/core-array';
import { qr } from '../src/index.js';

type M = NDArray<'float64'>;
export const EPS = 2 ** -52;
/** Machine epsilon of float32, for residuals of float32 results. */
export const EPS32 = 2 ** -23;

/** A Haar-random orthogonal n x n matrix: Q of the QR of a Gaussian matrix with R's diagonal made positive. */
export function randomOrthogonal(n: number, seed: number): M {
  const { q, r } = qr(rng(seed).normal([n, n]));
  const out = q!.copy() as M;
  for (let j = 0; j < n; j++)
    if (r.data[j * n + j] < 0) for (let i = 0; i < n; i++) out.data[i * n + j] *= -1;
  return out;
}

/** U diag(s) V^T with s log-spaced from 1 down to 1 / cond. */
export function withCondition(m: number, n: number, cond: number, seed: number): M {
  const k = Math.min(m, n);
  const u = randomOrthogonal(m, seed).slice(null, `0:${k}`);
  const v = randomOrthogonal(n, seed + 1).slice(null, `0:${k}`);
  const us = u.copy() as M;
  for (let j = 0; j < k; j++) {
    const s = k === 1 ? 1 : cond ** (-j / (k - 1));
    for (let i = 0; i < m; i++) us.data[i * k + j] *= s;
  }
  return matmul(us, v.T) as M;
}

/** SPD matrix with eigenvalues log-spaced in [1/cond, 1]. */
export function spdWithCondition(n: number, cond: number, seed: number): M {
  const q = randomOrthogonal(n, seed);
  const qs = q.copy() as M;
  for (let j = 0; j < n; j++)
    for (let i = 0; i < n; i++) qs.data[i * n + j] *= n === 1 ? 1 : cond ** (-j / (n - 1));
  const a = matmul(qs, q.T) as M;
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) a.data[i * n + j] = a.data[j * n + i];
  return a;
}

export function hilbert(n: number): M {
  return new Arr(
    Float64Array.from({ length: n * n }, (_, k) => 1 / (Math.floor(k / n) + (k % n) + 1)),
    [n, n],
  ) as M;
}

/** ||x||_F, 0 for empty arrays. */
export const fro = (x: NDArray) => (x.size === 0 ? 0 : norm(x, 'fro').item());

/** LAPACK's scaled residual ||A - B|| / (n eps ||A||), guarded for zero matrices. */
export function scaledResidual(a: NDArray, b: NDArray, n: number, eps = EPS): number {
  const num = fro(sub(a, b));
  const den = Math.max(n, 1) * eps * fro(a);
  return den > 0 ? num / den : num === 0 ? 0 : Number.POSITIVE_INFINITY;
}

/** ||I - Q^T Q|| / (n eps) for the columns of Q. */
export function orthogonality(q: NDArray, eps = EPS): number {
  const k = q.shape[1];
  const g = matmul(q.T, q) as M;
  for (let i = 0; i < k; i++) g.data[i * k + i] -= 1;
  return fro(g) / (Math.max(k, 1) * eps);
}
