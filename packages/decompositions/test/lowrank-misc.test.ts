import {
  InvalidArgumentError,
  type NDArray,
  NotPositiveDefiniteError,
  ShapeError,
  array,
  matmul,
  norm,
  rng,
  sub,
} from '@krylov/core-array';
import { describe, expect, it } from 'vitest';
import { eigh, eighGeneralized, inv, logEuclideanDistance, pinv, productPinv } from '../src/index.js';
import { EPS, randomOrthogonal } from './helpers.js';

type M = NDArray<'float64'>;
const fro = (a: NDArray) => norm(a, 'fro').item();
const scaleCols = (a: M, d: ArrayLike<number>): M => {
  const c = a.copy() as M;
  const [m, k] = c.shape;
  for (let i = 0; i < m; i++) for (let j = 0; j < k; j++) c.data[i * k + j] *= d[j];
  return c;
};
function symmetric(n: number, seed: number): M {
  const g = rng(seed).normal([n, n]);
  return matmul(g, g.T).astype('float64').copy() as M;
}
function spd(n: number, seed: number, cond = 10): M {
  const q = randomOrthogonal(n, seed);
  return matmul(
    scaleCols(
      q,
      Array.from({ length: n }, (_, i) => cond ** (-i / Math.max(n - 1, 1))),
    ),
    q.T,
  ) as M;
}

describe('eighGeneralized (sygvd by Cholesky reduction)', () => {
  const n = 7;
  // an indefinite symmetric A: G G^T - 3 v v^T, symmetrized exactly
  const asym = symmetric(n, 1);
  const v = rng(9).normal([n]).data;
  for (let i = 0; i < n; i++)
    for (let j = 0; j <= i; j++)
      asym.data[i * n + j] = asym.data[j * n + i] = asym.data[i * n + j] - 3 * v[i] * v[j];
  const b = spd(n, 2, 1e3);
  for (const itype of [1, 2, 3] as const) {
    it(`itype ${itype}: residual and LAPACK's normalization`, () => {
      const { values, vectors } = eighGeneralized(asym, b, { itype });
      const x = vectors! as M;
      const w = values.data;
      for (let i = 1; i < n; i++) expect(w[i]).toBeGreaterThanOrEqual(w[i - 1]);
      const xw = scaleCols(x, w);
      const lhs =
        itype === 1 ? matmul(asym, x) : itype === 2 ? matmul(asym, matmul(b, x)) : matmul(b, matmul(asym, x));
      const rhs = itype === 1 ? matmul(b, xw) : xw;
      const scale = fro(asym) * fro(b) * fro(x);
      expect(fro(sub(lhs, rhs)) / (n * EPS * scale)).toBeLessThan(60 * 1e3);
      const gram = itype === 3 ? matmul(x.T, matmul(inv(b), x)) : matmul(x.T, matmul(b, x));
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++)
          expect(Math.abs(gram.data[i * n + j] - (i === j ? 1 : 0))).toBeLessThan(1e-10);
    });
  }
  it('agrees with the ordinary eigh for B = I and returns values only on request', () => {
    const eye = array(
      Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))),
    );
    const r = eighGeneralized(asym, eye, { vectors: false });
    expect(r.vectors).toBeNull();
    const d = eighGeneralized(
      array([
        [2, 0],
        [0, 3],
      ]),
      array([
        [1, 0],
        [0, 3],
      ]),
    );
    expect(d.values.data[0]).toBeCloseTo(1, 14);
    expect(d.values.data[1]).toBeCloseTo(2, 14);
    const plain = eigh(asym, { vectors: false }).values.data;
    for (let i = 0; i < n; i++) expect(Math.abs(r.values.data[i] - plain[i])).toBeLessThan(1e-12 * fro(asym));
  });
  it('refuses an indefinite B naming the column, and mismatched shapes', () => {
    const bad = array([
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, -1],
    ]);
    expect(() => eighGeneralized(symmetric(3, 3), bad)).toThrow(NotPositiveDefiniteError);
    try {
      eighGeneralized(symmetric(3, 3), bad);
    } catch (e) {
      expect((e as NotPositiveDefiniteError).column).toBe(2);
    }
    expect(() => eighGeneralized(symmetric(3, 3), spd(4, 1))).toThrow(ShapeError);
    expect(() =>
      eighGeneralized(
        array([
          [1, 2],
          [0, 1],
        ]),
        spd(2, 1),
      ),
    ).toThrow(InvalidArgumentError);
    expect(() => eighGeneralized(symmetric(2, 3), spd(2, 1), { itype: 4 as 1 })).toThrow(
      InvalidArgumentError,
    );
  });
});

describe('logEuclideanDistance', () => {
  it('is ||log A - log B||_F: diagonal matrices, orthogonal invariance', () => {
    const da = [1, 2, 5, 0.1];
    const db = [3, 0.5, 5, 1];
    const diag = (d: number[]) => array(d.map((v, i) => d.map((_, j) => (i === j ? v : 0))));
    const want = Math.hypot(...da.map((v, i) => Math.log(v) - Math.log(db[i])));
    expect(logEuclideanDistance(diag(da), diag(db))).toBeCloseTo(want, 13);
    const q = randomOrthogonal(4, 5);
    const rot = (x: NDArray) => {
      const y = matmul(matmul(q, x), q.T) as M;
      for (let i = 0; i < 4; i++) for (let j = 0; j < i; j++) y.data[j * 4 + i] = y.data[i * 4 + j];
      return y;
    };
    expect(logEuclideanDistance(rot(diag(da)), rot(diag(db)))).toBeCloseTo(want, 12);
    expect(logEuclideanDistance(diag(da), diag(da))).toBe(0);
  });
  it('refuses non-SPD and mismatched input', () => {
    expect(() =>
      logEuclideanDistance(
        array([
          [1, 0],
          [0, -1],
        ]),
        array([
          [1, 0],
          [0, 1],
        ]),
      ),
    ).toThrow(NotPositiveDefiniteError);
    expect(() => logEuclideanDistance(spd(2, 1), spd(3, 1))).toThrow(ShapeError);
  });
});

describe('productPinv', () => {
  it('matches pinv(C R) on well-conditioned factors and satisfies the Penrose conditions', () => {
    const c = rng(1).normal([9, 4]);
    const r = rng(2).normal([4, 6]);
    const a = matmul(c, r);
    const p = productPinv(c, r);
    expect(p.shape).toEqual([6, 9]);
    expect(fro(sub(p, pinv(a))) / fro(p)).toBeLessThan(1e-12);
    expect(fro(sub(matmul(matmul(a, p), a), a)) / fro(a)).toBeLessThan(1e-13);
    expect(fro(sub(matmul(matmul(p, a), p), p)) / fro(p)).toBeLessThan(1e-13);
  });
  it('is far more accurate than pinv(matmul(C, R)) at condition 1e12 (graded factors)', () => {
    const [m, n, k] = [30, 20, 8];
    const d = Array.from({ length: k }, (_, i) => 10 ** (-12 * (i / (k - 1))));
    const q1 = randomOrthogonal(m, 3).slice(null, `0:${k}`).copy() as M;
    const q2 = randomOrthogonal(n, 4).slice(null, `0:${k}`).copy() as M;
    const c = scaleCols(q1, d.map(Math.sqrt));
    const r = scaleCols(q2, d.map(Math.sqrt)).T.copy() as M;
    const exact = matmul(
      scaleCols(
        q2,
        d.map((v) => 1 / v),
      ),
      q1.T,
    );
    const errFactored = fro(sub(productPinv(c, r), exact)) / fro(exact);
    const errFormed = fro(sub(pinv(matmul(c, r)), exact)) / fro(exact);
    // measured: 6.8e-16 factored against 3.4e-5 formed
    expect(errFactored).toBeLessThan(1e-12);
    expect(errFormed).toBeGreaterThan(100 * errFactored);
  });
  it('handles rank-deficient cores and inner dimensions above min(m, n)', () => {
    const c = array([
      [1, 2],
      [2, 4],
      [3, 6],
    ]);
    const r = array([
      [1, 0, 1],
      [0, 1, 1],
    ]);
    expect(fro(sub(productPinv(c, r), pinv(matmul(c, r)))) / fro(pinv(matmul(c, r)))).toBeLessThan(1e-12);
    const wide = rng(5).normal([3, 5]);
    const tall = rng(6).normal([5, 2]);
    expect(fro(sub(productPinv(wide, tall), pinv(matmul(wide, tall))))).toBeLessThan(1e-12);
  });
  it('refuses mismatched inner dimensions', () => {
    expect(() => productPinv(rng(1).normal([3, 2]), rng(1).normal([3, 3]))).toThrow(ShapeError);
  });
});
