import { InvalidArgumentError, ShapeError, rng } from '@krylov/core-array';
import { describe, expect, test } from 'vitest';
import { tidentity, tproduct, tsvd, ttranspose, tubalRank } from '../src/index.js';
import { flat, fro, maxDiff, nd, relDiff } from './helpers.js';

/** bcirc(A) unfold(B), straight from Kilmer & Martin's definition. */
function tproductNaive(a: Float64Array, b: Float64Array, [n1, n2, n3]: number[], l: number): Float64Array {
  const c = new Float64Array(n1 * l * n3);
  for (let k = 0; k < n3; k++)
    for (let j = 0; j < n3; j++) {
      const ak = (k - j + n3) % n3; // frontal slice A_{k-j} multiplies B_j
      for (let i = 0; i < n1; i++)
        for (let q = 0; q < l; q++) {
          let s = 0;
          for (let p = 0; p < n2; p++) s += a[(i * n2 + p) * n3 + ak] * b[(p * l + q) * n3 + j];
          c[(i * l + q) * n3 + k] += s;
        }
    }
  return c;
}

describe('t-product and t-SVD (Kilmer & Martin 2011)', () => {
  test.each([1, 2, 5, 6])('t-product matches bcirc(A) unfold(B), n3 = %i', (n3) => {
    const A = rng(1).normal([4, 3, n3]);
    const B = rng(2).normal([3, 5, n3]);
    const C = tproduct(A, B);
    expect(C.shape).toEqual([4, 5, n3]);
    expect(maxDiff(flat(C), tproductNaive(flat(A), flat(B), [4, 3, n3], 5))).toBeLessThan(1e-13);
    expect(maxDiff(flat(tproduct(A, tidentity(3, n3))), flat(A))).toBeLessThan(1e-14);
    // (A * B)^T = B^T * A^T
    expect(maxDiff(flat(ttranspose(C)), flat(tproduct(ttranspose(B), ttranspose(A))))).toBeLessThan(1e-13);
  });
  test.each([
    [5, 4, 1],
    [4, 6, 4],
    [6, 3, 7],
  ])('t-SVD of %i x %i x %i: exact, orthogonal factors, f-diagonal S', (n1, n2, n3) => {
    const A = rng(n1 * n3).normal([n1, n2, n3]);
    const { u, s, v } = tsvd(A);
    const p = Math.min(n1, n2);
    expect(relDiff(tproduct(tproduct(u, s), ttranspose(v)), A)).toBeLessThan(1e-14);
    expect(maxDiff(flat(tproduct(ttranspose(u), u)), flat(tidentity(p, n3)))).toBeLessThan(1e-13);
    expect(maxDiff(flat(tproduct(ttranspose(v), v)), flat(tidentity(p, n3)))).toBeLessThan(1e-13);
    const sd = flat(s);
    for (let i = 0; i < p; i++)
      for (let j = 0; j < p; j++)
        if (i !== j) for (let k = 0; k < n3; k++) expect(Math.abs(sd[(i * p + j) * n3 + k])).toBe(0);
  });
  test('Eckart-Young in the tubal sense: A_k beats every other tubal-rank-k t-product', () => {
    const [n1, n2, n3] = [6, 5, 4];
    const A = rng(11).normal([n1, n2, n3]);
    const full = tsvd(A);
    const sv = flat(full.fourierSingularValues);
    const p = Math.min(n1, n2);
    for (const k of [1, 2, 3]) {
      const t = tsvd(A, { rank: k });
      const Ak = tproduct(tproduct(t.u, t.s), ttranspose(t.v));
      const err = relDiff(Ak, A) * fro(flat(A));
      // ||A - A_k||_F^2 = (1/n3) sum over all n3 Fourier slices of the discarded sigma^2
      let tail = 0;
      for (let f = 0; f <= n3 / 2; f++) {
        const w = f === 0 || 2 * f === n3 ? 1 : 2;
        for (let i = k; i < p; i++) tail += w * sv[f * p + i] ** 2;
      }
      expect(Math.abs(err - Math.sqrt(tail / n3)) / err).toBeLessThan(1e-12);
      expect(tubalRank(Ak)).toBe(k);
      // competitors X * Y with X n1 x k x n3: random ones and perturbations of the optimum
      const r = rng(100 + k);
      for (let trial = 0; trial < 20; trial++) {
        const eps = trial < 10 ? 1e-3 : 1;
        const X = nd(
          flat(t.u).map((v) => v + eps * r.nextNormal()),
          [n1, k, n3],
        );
        const Y = nd(
          flat(tproduct(t.s, ttranspose(t.v))).map((v) => v + eps * r.nextNormal()),
          [k, n2, n3],
        );
        const other = relDiff(tproduct(X, Y), A) * fro(flat(A));
        expect(other).toBeGreaterThan(err);
      }
    }
  });
  test('tubal rank of planted products', () => {
    for (const r of [1, 2, 3]) {
      const X = tproduct(rng(r).normal([7, r, 5]), rng(r + 10).normal([r, 6, 5]));
      expect(tubalRank(X)).toBe(r);
      const { u } = tsvd(X);
      // the t-SVD of a rank-deficient tensor still has orthogonal factors
      expect(maxDiff(flat(tproduct(ttranspose(u), u)), flat(tidentity(6, 5)))).toBeLessThan(1e-12);
    }
    expect(tubalRank(nd(new Float64Array(24), [2, 3, 4]))).toBe(0);
  });
  test('bad input raises typed errors', () => {
    expect(() => tproduct(rng(1).normal([2, 3, 4]), rng(1).normal([2, 3, 4]))).toThrow(ShapeError);
    expect(() => tsvd(rng(1).normal([2, 3]))).toThrow(ShapeError);
    expect(() => tsvd(rng(1).normal([2, 3, 2]), { rank: 3 })).toThrow(InvalidArgumentError);
    expect(() => tubalRank(rng(1).normal([2, 3, 2]), { tol: -1 })).toThrow(InvalidArgumentError);
  });
});
