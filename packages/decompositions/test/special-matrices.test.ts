import { NDArray, matmul } from '@krylov/core-array';
import { describe, expect, it } from 'vitest';
import { cholesky, eigh, lu, qr, svd } from '../src/index.js';
import { hilbert, orthogonality, scaledResidual, spdWithCondition, withCondition } from './helpers.js';

type M = NDArray<'float64'>;

/** Kahan's matrix: diag(1, s, ..., s^(n-1)) (I - c U) with U strictly upper ones, s = sin t, c = cos t. */
function kahan(n: number, t = 1.2): M {
  const [s, c] = [Math.sin(t), Math.cos(t)];
  const a = new NDArray(new Float64Array(n * n), [n, n]) as M;
  for (let i = 0; i < n; i++) for (let j = i; j < n; j++) a.data[i * n + j] = s ** i * (i === j ? 1 : -c);
  return a;
}

/** D A D with D = diag(10^(-k i / (n - 1))): rows and columns graded over k decades. */
function graded(a: M, decades: number): M {
  const n = a.shape[0];
  const d = Array.from({ length: n }, (_, i) => 10 ** ((-decades * i) / Math.max(n - 1, 1)));
  const out = a.copy() as M;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out.data[i * n + j] *= d[i] * d[j];
  return out;
}

const permuteRows = (a: M, p: Int32Array) =>
  new NDArray(
    Float64Array.from(
      { length: a.size },
      (_, k) => a.data[p[Math.floor(k / a.shape[1])] * a.shape[1] + (k % a.shape[1])],
    ),
    a.shape,
  ) as M;

/** LAPACK-style checks (thresholds 30 LU/Cholesky/QR, 50 SVD, 60 eigh) on one matrix. */
function checkAll(a: M, spd: M | null): void {
  const n = a.shape[0];
  const { p, l, u } = lu(a);
  expect(scaledResidual(permuteRows(a, p), matmul(l, u), n)).toBeLessThan(30);
  const { q, r } = qr(a);
  expect(scaledResidual(a, matmul(q!, r), n)).toBeLessThan(30);
  expect(orthogonality(q!)).toBeLessThan(30);
  const f = svd(a);
  const us = f.u.copy() as M;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) us.data[i * n + j] *= f.s.data[j];
  expect(scaledResidual(a, matmul(us, f.vt), n)).toBeLessThan(50);
  expect(orthogonality(f.u)).toBeLessThan(50);
  expect(orthogonality(f.vt.T)).toBeLessThan(50);
  if (spd) {
    const c = cholesky(spd);
    expect(scaledResidual(spd, matmul(c, c.T), n)).toBeLessThan(30);
    const { values, vectors } = eigh(spd);
    const vl = vectors!.copy() as M;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) vl.data[i * n + j] *= values.data[j];
    expect(scaledResidual(matmul(spd, vectors!), vl, n)).toBeLessThan(60);
    expect(orthogonality(vectors!)).toBeLessThan(60);
  }
}

describe('hard matrices: LAPACK scaled residuals', () => {
  it('Kahan matrices (n = 17, 64): LU, QR, SVD; Cholesky and eigh of K^T K (n = 17)', () => {
    for (const n of [17, 64]) {
      const k = kahan(n);
      const gram = matmul(k.T, k) as M;
      for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) gram.data[i * n + j] = gram.data[j * n + i];
      // K^T K is numerically singular at n = 64 (LAPACK's dpotrf fails on it too): Cholesky/eigh at n = 17 only
      checkAll(k, n === 17 ? gram : null);
      // the smallest singular value of Kahan's matrix is tiny, and the SVD still orders them
      const s = svd(k, { mode: 'values' }).s.toFlatArray();
      for (let i = 1; i < n; i++) expect(s[i]).toBeLessThanOrEqual(s[i - 1]);
    }
  });

  it('graded matrices over 12 decades (n = 40)', () => {
    const spd = graded(spdWithCondition(40, 10, 3), 12);
    checkAll(graded(withCondition(40, 40, 10, 4), 12), spd);
  });

  it('Hilbert matrix (n = 12, cond ~ 1e16): Cholesky and eigh residuals stay at rounding level', () => {
    const h = hilbert(12);
    checkAll(h, h);
  });

  it('n = 200 with condition number 1e12', () => {
    checkAll(withCondition(200, 200, 1e12, 9), spdWithCondition(200, 1e12, 10));
  });
});
