import { NDArray, matmul, rng } from '@krylov/core-array';
import { describe, expect, it } from 'vitest';
import { svd } from '../src/index.js';
import { bdsqr } from '../src/spectral/bdsqr.js';
import { orthogonality, scaledResidual, withCondition } from './helpers.js';

type M = NDArray<'float64'>;

const identity = (n: number) => {
  const d = new Float64Array(n * n);
  for (let i = 0; i < n; i++) d[i * n + i] = 1;
  return d;
};

/** Runs bdsqr on (d, e) with U and V starting from I; returns B, s, U and V as arrays. */
function solveBidiagonal(d0: number[], e0: number[], withShifts = false) {
  const n = d0.length;
  const b = new NDArray(new Float64Array(n * n), [n, n]) as M;
  for (let i = 0; i < n; i++) {
    b.data[i * n + i] = d0[i];
    if (i < n - 1) b.data[i * n + i + 1] = e0[i];
  }
  const d = Float64Array.from(d0);
  const e = Float64Array.from(e0);
  const u = identity(n);
  const v = identity(n);
  let shifts: Float64Array | null = null;
  if (withShifts) {
    // the singular values from a values-only run, ascending, as gesdd passes them
    shifts = Float64Array.from(d0);
    expect(bdsqr(n, shifts, Float64Array.from(e0), null, null)).toBe(0);
    shifts.reverse();
  }
  const info = bdsqr(n, d, e, { d: u, ld: n, rows: n }, { d: v, ld: n, rows: n }, 6, shifts);
  const uM = new NDArray(u, [n, n]) as M;
  const vM = new NDArray(v, [n, n]) as M;
  const us = uM.copy() as M;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) us.data[i * n + j] *= d[j];
  return { b, s: Array.from(d), info, u: uM, v: vM, usvt: matmul(us, vM.T) as M };
}

function expectValidSvd(r: ReturnType<typeof solveBidiagonal>): void {
  const n = r.s.length;
  expect(r.info).toBe(0);
  for (let i = 1; i < n; i++) expect(r.s[i]).toBeLessThanOrEqual(r.s[i - 1]);
  expect(r.s[n - 1]).toBeGreaterThanOrEqual(0);
  expect(scaledResidual(r.b, r.usvt, n)).toBeLessThan(50);
  expect(orthogonality(r.u)).toBeLessThan(50);
  expect(orthogonality(r.v)).toBeLessThan(50);
}

describe('bidiagonal QR (dbdsqr)', () => {
  it('graded bidiagonal over 200 decades: small singular values to high relative accuracy', () => {
    // |det B| = prod |d_i| = prod s_i exactly, so the sum of log s checks every value's relative
    // accuracy in aggregate; an absolute-accuracy method would return the tiny values as noise
    const n = 40;
    const g = rng(3);
    const d = Array.from({ length: n }, (_, i) => 10 ** (-5 * i) * (1 + g.uniform([1]).data[0]));
    const e = Array.from({ length: n - 1 }, (_, i) => 10 ** (-5 * i) * 0.7);
    const r = solveBidiagonal(d, e);
    expectValidSvd(r);
    const logDet = d.reduce((s, x) => s + Math.log(Math.abs(x)), 0);
    const logProd = r.s.reduce((s, x) => s + Math.log(x), 0);
    expect(Math.abs(logDet - logProd)).toBeLessThan(1e-12 * n);
    expect(r.s[n - 1]).toBeGreaterThan(1e-200);
  });

  it('clustered singular values keep orthonormal vectors', () => {
    const n = 30;
    const d = Array.from({ length: n }, (_, i) => 1 + 1e-13 * i);
    const e = Array.from({ length: n - 1 }, () => 1e-9);
    const r = solveBidiagonal(d, e);
    expectValidSvd(r);
    for (const s of r.s) expect(Math.abs(s - 1)).toBeLessThan(1e-8);
  });

  it('exact zero singular values (zeros on the diagonal) and a split matrix', () => {
    const d = [3, -2, 0, 1.5, 0, 4, 1e-3];
    const e = [1, 0.5, 2, 0, 0.25, -1];
    const r = solveBidiagonal(d, e);
    expectValidSvd(r);
    // two zeros on the diagonal: rank 5
    expect(r.s[5]).toBeLessThan(1e-15 * r.s[0]);
    expect(r.s[6]).toBeLessThan(1e-15 * r.s[0]);
    expect(r.s[4]).toBeGreaterThan(1e-6);
  });

  it('negative entries give non-negative values and matching vectors; 1 x 1 and 2 x 2 blocks', () => {
    expectValidSvd(solveBidiagonal([-2], []));
    expectValidSvd(solveBidiagonal([-1e-3, 5], [7]));
    expectValidSvd(solveBidiagonal([1, -1, 1, -1, 1], [-1, 1, -1, 1]));
  });

  it('reports non-convergence when the iteration budget is exhausted', () => {
    const n = 20;
    const g = rng(5);
    const d = Float64Array.from(g.normal([n]).data);
    const e = Float64Array.from(g.normal([n - 1]).data);
    expect(bdsqr(n, d, e, null, null, 0)).toBeGreaterThan(0);
  });

  it('rank-deficient rectangular matrices through svd: full U and V stay orthogonal', () => {
    for (const [m, n] of [
      [30, 12],
      [12, 30],
    ]) {
      const k = Math.min(m, n);
      const base = withCondition(m, n, 10, 7);
      // zero the smallest singular directions: rank k - 3 via a rank-(k-3) product
      const low = matmul(base.slice(null, `0:${k - 3}`), withCondition(k - 3, n, 1, 8)) as M;
      const f = svd(low, { mode: 'full' });
      expect(orthogonality(f.u)).toBeLessThan(50);
      expect(orthogonality(f.vt.T)).toBeLessThan(50);
      const us = f.u.slice(null, `0:${k}`).copy() as M;
      for (let i = 0; i < m; i++) for (let j = 0; j < k; j++) us.data[i * k + j] *= f.s.data[j];
      expect(scaledResidual(low, matmul(us, f.vt.slice(`0:${k}`)), Math.max(m, n))).toBeLessThan(50);
      for (let j = k - 3; j < k; j++) expect(f.s.data[j]).toBeLessThan(1e-13 * f.s.data[0]);
    }
  });

  it('blocked bidiagonalization (n > 64): tall and wide, cond 1e8, thin and values', () => {
    for (const [m, n] of [
      [300, 130],
      [130, 300],
    ]) {
      const k = Math.min(m, n);
      const a = withCondition(m, n, 1e8, 11);
      const f = svd(a);
      expect(orthogonality(f.u)).toBeLessThan(50);
      expect(orthogonality(f.vt.T)).toBeLessThan(50);
      const us = f.u.copy() as M;
      for (let i = 0; i < m; i++) for (let j = 0; j < k; j++) us.data[i * k + j] *= f.s.data[j];
      expect(scaledResidual(a, matmul(us, f.vt), Math.max(m, n))).toBeLessThan(50);
      // the prescribed singular values are 1e8^(-j/(k-1)): relative error of each
      const s = svd(a, { mode: 'values' }).s.data;
      for (let j = 0; j < k; j++) {
        const exact = 1e8 ** (-j / (k - 1));
        expect(Math.abs(s[j] - exact)).toBeLessThan(1e-6 * exact);
        expect(Math.abs(f.s.data[j] - s[j])).toBeLessThan(1e-12);
      }
    }
  });

  it('known singular values as first shifts: same values, valid vectors (graded, clustered, random)', () => {
    const g = rng(9);
    const cases: [number[], number[]][] = [
      [
        Array.from({ length: 40 }, (_, i) => 10 ** (-5 * i) * 1.3),
        Array.from({ length: 39 }, (_, i) => 10 ** (-5 * i) * 0.7),
      ],
      [Array.from({ length: 30 }, (_, i) => 1 + 1e-13 * i), Array.from({ length: 29 }, () => 1e-9)],
      [Array.from(g.normal([120]).data), Array.from(g.normal([119]).data)],
    ];
    for (const [d, e] of cases) {
      const plain = solveBidiagonal(d, e);
      const shifted = solveBidiagonal(d, e, true);
      expectValidSvd(shifted);
      for (let i = 0; i < d.length; i++)
        expect(Math.abs(shifted.s[i] - plain.s[i])).toBeLessThanOrEqual(1e-13 * plain.s[i] + 1e-300);
    }
  });
});
