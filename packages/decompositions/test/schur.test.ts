import { ConvergenceError, NDArray, ShapeError, matmul, rng } from '@krylov/core-array';
import { describe, expect, it } from 'vitest';
import { eig, eigvals, hessenberg, schur } from '../src/index.js';
import { orthogonality, scaledResidual, withCondition } from './helpers.js';

describe('hessenberg and real Schur', () => {
  const sizes = [0, 1, 2, 3, 17, 64];
  for (const n of sizes) {
    it(`n = ${n}: A = Z T Z^T with scaled residual and orthogonality below 20; T quasi-triangular`, () => {
      const a = n > 0 ? rng(n + 1).normal([n, n]) : new NDArray(new Float64Array(0), [0, 0]);
      const { h, q } = hessenberg(a);
      for (let i = 0; i < n; i++) for (let j = 0; j < i - 1; j++) expect(h.get(i, j)).toBe(0);
      if (n > 0) {
        expect(scaledResidual(a, matmul(matmul(q, h), q.T), n)).toBeLessThan(20);
        expect(orthogonality(q)).toBeLessThan(20);
      }
      const { t, z, wr, wi } = schur(a);
      if (n === 0) return;
      expect(scaledResidual(a, matmul(matmul(z, t), z.T), n)).toBeLessThan(20);
      expect(orthogonality(z)).toBeLessThan(20);
      for (let i = 0; i < n; i++) for (let j = 0; j < i - 1; j++) expect(t.get(i, j)).toBe(0);
      for (let i = 1; i < n; i++) {
        if (t.get(i, i - 1) === 0) continue;
        // A nonzero subdiagonal entry starts a 2 x 2 block of a complex pair, never two in a row.
        expect(wi[i - 1]).toBeGreaterThan(0);
        expect(wi[i]).toBeCloseTo(-wi[i - 1], 12);
        if (i + 1 < n) expect(t.get(i + 1, i)).toBe(0);
      }
      // Trace and determinant agree with the eigenvalues.
      let trace = 0;
      for (let i = 0; i < n; i++) trace += a.get(i, i);
      expect(wr.reduce((s, v) => s + v, 0)).toBeCloseTo(trace, 9);
    });
  }

  it('finds known eigenvalues: a rotation, a similarity transform of a diagonal, a Jordan-like block', () => {
    const th = 0.3;
    const rot = new NDArray(
      Float64Array.from([Math.cos(th), -Math.sin(th), Math.sin(th), Math.cos(th)]),
      [2, 2],
    );
    const e = eigvals(rot);
    expect(e.re.data[0]).toBeCloseTo(Math.cos(th), 14);
    expect(Math.abs(e.im.data[0])).toBeCloseTo(Math.sin(th), 14);
    const n = 30;
    const v = withCondition(n, n, 100, 4);
    const d = new NDArray(new Float64Array(n * n), [n, n]);
    for (let i = 0; i < n; i++) d.data[i * n + i] = i - 10.5;
    // A = V D V^-1 via solving: A V = V D.
    const vd = matmul(v, d);
    const vinvT = invert(v);
    const a = matmul(vd, vinvT);
    const got = Array.from(eigvals(a).re.data).sort((x, y) => x - y);
    got.forEach((g, i) => expect(g).toBeCloseTo(i - 10.5, 8));
    expect(Array.from(eigvals(a).im.data).every((x) => x === 0)).toBe(true);
  });

  it('special matrices: zero, identity, triangular, symmetric, a companion matrix, 150 x 150', () => {
    const n = 12;
    const zero = new NDArray(new Float64Array(n * n), [n, n]);
    const ident = new NDArray(new Float64Array(n * n), [n, n]);
    for (let i = 0; i < n; i++) ident.data[i * n + i] = 1;
    const upper = rng(5).normal([n, n]);
    for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) upper.data[i * n + j] = 0;
    const g = rng(6).normal([n, n]);
    const sym = matmul(g, g.T);
    // Companion matrix of (x - 1)^2 (x - 2)(x + 3) = x^4 - x^3 - 7x^2 + 13x - 6: a double root.
    const comp = new NDArray(Float64Array.from([0, 0, 0, 6, 1, 0, 0, -13, 0, 1, 0, 7, 0, 0, 1, 1]), [4, 4]);
    for (const a of [zero, ident, upper, sym, comp, rng(7).normal([150, 150])]) {
      const m = a.shape[0];
      const { t, z } = schur(a);
      expect(scaledResidual(a, matmul(matmul(z, t), z.T), m)).toBeLessThan(20);
      expect(orthogonality(z)).toBeLessThan(20);
    }
    const roots = Array.from(eigvals(comp).re.data).sort((x, y) => x - y);
    [-3, 1, 1, 2].forEach((r, i) => expect(roots[i]).toBeCloseTo(r, 6));
  });

  it('eigvals lists the values of eig in the same order (the same geev kernel), float64 and float32', () => {
    // sizes on both sides of LAPACK's small-matrix cutoff (dhseqr: dlahqr below 75, dlaqr0 above)
    for (const [n, seed] of [
      [1, 11],
      [2, 12],
      [7, 13],
      [30, 14],
      [90, 15],
      [120, 16],
    ]) {
      for (const dtype of ['float64', 'float32'] as const) {
        const a = rng(seed).normal([n, n]).astype(dtype);
        const e = eig(a);
        const v = eigvals(a);
        expect(v.re.dtype).toBe(dtype);
        expect(Array.from(v.re.data)).toEqual(Array.from(e.re.data));
        expect(Array.from(v.im.data)).toEqual(Array.from(e.im.data));
      }
    }
  });

  it('eig: A V = V Lambda in complex arithmetic, scaled residual below 20, unit vectors', () => {
    for (const [n, seed] of [
      [1, 1],
      [2, 2],
      [5, 3],
      [17, 4],
      [60, 5],
    ]) {
      const a = rng(seed).normal([n, n]);
      const { re, im, vectorsRe: vr, vectorsIm: vi } = eig(a);
      let anorm = 0;
      for (let i = 0; i < n * n; i++) anorm += a.data[i] ** 2;
      anorm = Math.sqrt(anorm);
      const avr = matmul(a, vr);
      const avi = matmul(a, vi);
      let worst = 0;
      for (let k = 0; k < n; k++) {
        let vnorm = 0;
        for (let i = 0; i < n; i++) {
          // A (vr + i vi) - (l + i m)(vr + i vi)
          const rr = avr.get(i, k) - (re.data[k] * vr.get(i, k) - im.data[k] * vi.get(i, k));
          const ri = avi.get(i, k) - (re.data[k] * vi.get(i, k) + im.data[k] * vr.get(i, k));
          worst = Math.max(worst, Math.hypot(rr, ri));
          vnorm += vr.get(i, k) ** 2 + vi.get(i, k) ** 2;
        }
        expect(vnorm).toBeCloseTo(1, 12);
      }
      expect(worst / (n * 2 ** -52 * anorm)).toBeLessThan(20);
      // The same eigenvalues as eigvals (the order may differ on a backend that balances first).
      const ev = eigvals(a);
      const sortPairs = (r: ArrayLike<number>, i: ArrayLike<number>) =>
        Array.from({ length: n }, (_, k) => [r[k], i[k]]).sort((p, q) => p[0] - q[0] || p[1] - q[1]);
      const got = sortPairs(re.data, im.data);
      const want = sortPairs(ev.re.data, ev.im.data);
      for (let k = 0; k < n; k++) for (const c of [0, 1]) expect(got[k][c]).toBeCloseTo(want[k][c], 10);
    }
  });

  it('rejects non-square input', () => {
    expect(() => schur(rng(1).normal([3, 4]))).toThrow(ShapeError);
    expect(ConvergenceError).toBeDefined();
  });
});

/** Gauss-Jordan inverse for the test's similarity transform. */
function invert(a: NDArray<'float64'>): NDArray<'float64'> {
  const n = a.shape[0];
  const m = a.copy() as NDArray<'float64'>;
  const inv = new NDArray(new Float64Array(n * n), [n, n]);
  for (let i = 0; i < n; i++) inv.data[i * n + i] = 1;
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m.data[r * n + c]) > Math.abs(m.data[p * n + c])) p = r;
    for (let j = 0; j < n; j++) {
      [m.data[c * n + j], m.data[p * n + j]] = [m.data[p * n + j], m.data[c * n + j]];
      [inv.data[c * n + j], inv.data[p * n + j]] = [inv.data[p * n + j], inv.data[c * n + j]];
    }
    const piv = m.data[c * n + c];
    for (let j = 0; j < n; j++) {
      m.data[c * n + j] /= piv;
      inv.data[c * n + j] /= piv;
    }
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m.data[r * n + c];
      for (let j = 0; j < n; j++) {
        m.data[r * n + j] -= f * m.data[c * n + j];
        inv.data[r * n + j] -= f * inv.data[c * n + j];
      }
    }
  }
  return inv;
}
