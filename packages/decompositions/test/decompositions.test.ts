import {
  InvalidArgumentError,
  NDArray,
  ShapeError,
  SingularMatrixError,
  matmul,
  rng,
} from '@krylov/core-array';
import { describe, expect, it } from 'vitest';
import {
  cholesky,
  cond,
  det,
  eigh,
  inv,
  ldl,
  lstsq,
  lu,
  luFactor,
  luSolve,
  matrixRank,
  pinv,
  pivotedCholesky,
  qr,
  slogdet,
  solve,
  solveBanded,
  svd,
} from '../src/index.js';
import { hilbert, orthogonality, scaledResidual, spdWithCondition, withCondition } from './helpers.js';

type M = NDArray<'float64'>;
const conds = [1, 1e6, 1e12];
const square = [0, 1, 2, 3, 17, 64];
const shapes: [number, number][] = [
  [5, 3],
  [3, 5],
  [40, 17],
  [17, 40],
  [130, 100],
];

/** Rows of A permuted by p: (P A)[i] = A[p[i]]. */
const permuteRows = (a: M, p: Int32Array) => {
  const n = a.shape[1];
  return new NDArray(
    Float64Array.from({ length: a.size }, (_, k) => a.data[p[Math.floor(k / n)] * n + (k % n)]),
    a.shape,
  );
};

describe('LU, Cholesky and QR: LAPACK scaled residuals below 30', () => {
  for (const n of square) {
    for (const c of conds) {
      it(`n=${n}, cond=${c}`, () => {
        const a = withCondition(n, n, c, n + 10);
        const { p, l, u } = lu(a);
        expect(scaledResidual(permuteRows(a, p), matmul(l, u), n)).toBeLessThan(30);
        const s = spdWithCondition(n, c, n + 20);
        const lc = cholesky(s);
        expect(scaledResidual(s, matmul(lc, lc.T), n)).toBeLessThan(30);
        const { q, r } = qr(a);
        expect(scaledResidual(a, matmul(q!, r), n)).toBeLessThan(30);
        expect(orthogonality(q!)).toBeLessThan(30);
      });
    }
  }
  for (const [m, n] of shapes) {
    it(`QR of a ${m}x${n} matrix, reduced and complete`, () => {
      const a = withCondition(m, n, 1e6, m * n);
      for (const mode of ['reduced', 'complete'] as const) {
        const { q, r } = qr(a, { mode });
        expect(q!.shape[1]).toBe(mode === 'complete' ? m : Math.min(m, n));
        expect(scaledResidual(a, matmul(q!, r), Math.max(m, n))).toBeLessThan(30);
        expect(orthogonality(q!)).toBeLessThan(30);
      }
      expect(qr(a, { mode: 'r' }).q).toBeNull();
    });
  }
});

describe('solve, inv, det, least squares', () => {
  it('solve with every assume option: backward error below 30 n eps', () => {
    const n = 30;
    const g = rng(5);
    const b = g.normal([n, 2]);
    for (const [assume, a] of [
      ['general', withCondition(n, n, 1e8, 1)],
      ['symmetric', spdWithCondition(n, 1e4, 2)],
      ['positive definite', spdWithCondition(n, 1e8, 3)],
    ] as const) {
      const x = solve(a, b, { assume });
      expect(scaledResidual(b, matmul(a, x), n) / 1e8).toBeLessThan(30);
    }
    const t = withCondition(n, n, 10, 4);
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) t.data[i * n + j] = 0;
    for (let i = 0; i < n; i++) t.data[i * n + i] += 3;
    expect(scaledResidual(b, matmul(t, solve(t, b, { assume: 'triangular' })), n)).toBeLessThan(30);
    expect(solve(withCondition(3, 3, 2, 9), g.normal([3])).shape).toEqual([3]);
    const f = luFactor(withCondition(n, n, 100, 6));
    expect(luSolve(f, b).shape).toEqual([n, 2]);
  });
  it('inv, det and slogdet against closed forms', () => {
    const a = new NDArray(Float64Array.from([4, 3, 6, 3]), [2, 2]);
    expect(det(a)).toBeCloseTo(-6, 13);
    expect(slogdet(a)).toEqual({ sign: -1, logabsdet: Math.log(6) });
    expect(inv(a).toArray()).toEqual(
      [
        [-0.5, 0.5],
        [1, -2 / 3],
      ].map((r) => r.map((v) => expect.closeTo(v, 14))),
    );
    const h = hilbert(8);
    expect(
      scaledResidual(
        new NDArray(
          Float64Array.from({ length: 64 }, (_, k) => +(k % 9 === 0)),
          [8, 8],
        ),
        matmul(h, inv(h)),
        8,
      ) *
        2 ** -52,
    ).toBeLessThan(1e-4);
    const big = withCondition(60, 60, 10, 3);
    for (let i = 0; i < big.size; i++) big.data[i] *= 1e10;
    expect(slogdet(big).logabsdet).toBeGreaterThan(1000);
  });
  it('lstsq matches the normal-equations solution on a well-conditioned tall problem', () => {
    const a = withCondition(40, 6, 10, 8);
    const b = rng(9).normal([40]);
    const { x, residuals, rank } = lstsq(a, b);
    const normal = solve(matmul(a.T, a), matmul(a.T, b.reshape([40, 1])));
    for (let i = 0; i < 6; i++) expect(x.data[i]).toBeCloseTo(normal.data[i], 10);
    expect(rank).toBe(6);
    expect(residuals[0]).toBeGreaterThan(0);
  });
  it('lstsq drivers: QR and SVD agree on full rank; SVD gives the minimum-norm solution otherwise', () => {
    const a = withCondition(30, 8, 1e3, 4);
    const b = rng(5).normal([30]);
    const q = lstsq(a, b, { driver: 'qr' });
    const s = lstsq(a, b);
    for (let i = 0; i < 8; i++) expect(s.x.data[i]).toBeCloseTo(q.x.data[i], 10);
    expect(s.residuals[0]).toBeCloseTo(q.residuals[0], 10);
    expect(s.s?.shape).toEqual([8]);
    // Rank 3 (two repeated column blocks): the minimum-norm solution is pinv(A) b.
    const base = rng(6).normal([20, 3]);
    const deficient = new NDArray(new Float64Array(20 * 6), [20, 6]);
    for (let i = 0; i < 20; i++) for (let j = 0; j < 6; j++) deficient.data[i * 6 + j] = base.get(i, j % 3);
    const rhs = rng(7).normal([20]);
    const md = lstsq(deficient, rhs);
    expect(md.rank).toBe(3);
    expect(md.residuals).toEqual([]);
    const viaPinv = matmul(pinv(deficient), rhs.reshape([20, 1]));
    for (let j = 0; j < 6; j++) expect(md.x.data[j]).toBeCloseTo(viaPinv.data[j], 10);
    // Columns j and j + 3 are equal, so the minimum-norm solution splits the weight evenly.
    for (let j = 0; j < 3; j++) expect(md.x.data[j]).toBeCloseTo(md.x.data[j + 3], 10);
    // The QR driver, like dgels, only detects exact rank deficiency (here a zero column).
    const zeroColumn = base.copy();
    for (let i = 0; i < 20; i++) zeroColumn.data[i * 3 + 2] = 0;
    expect(() => lstsq(zeroColumn, rhs, { driver: 'qr' })).toThrow(SingularMatrixError);
    // Underdetermined: A x = b exactly, with the smallest ||x||.
    const wide = rng(8).normal([4, 9]);
    const u = lstsq(wide, rng(9).normal([4]));
    expect(u.rank).toBe(4);
    const back = matmul(wide, u.x.reshape([9, 1]));
    const target = rng(9).normal([4]);
    for (let i = 0; i < 4; i++) expect(back.data[i]).toBeCloseTo(target.data[i], 10);
    expect(() => lstsq(wide, rng(9).normal([4]), { driver: 'qr' })).toThrow(/svd/);
  });
  it('banded solve matches the dense solve, with pivoting, in compact and dense forms', () => {
    const n = 40;
    const [kl, ku] = [2, 3];
    const dense = new NDArray(new Float64Array(n * n), [n, n]);
    const r = rng(10);
    for (let i = 0; i < n; i++)
      for (let j = Math.max(0, i - kl); j <= Math.min(n - 1, i + ku); j++)
        dense.data[i * n + j] = r.nextNormal();
    for (let i = 0; i < n; i++) dense.data[i * n + i] = i % 5 === 0 ? 0 : dense.data[i * n + i];
    const ab = new NDArray(new Float64Array((kl + ku + 1) * n), [kl + ku + 1, n]);
    for (let i = 0; i < n; i++)
      for (let j = Math.max(0, i - kl); j <= Math.min(n - 1, i + ku); j++)
        ab.data[(ku + i - j) * n + j] = dense.data[i * n + j];
    const b = rng(11).normal([n, 2]);
    const expected = solve(dense, b);
    const compact = solveBanded([kl, ku], ab, b);
    const viaSolve = solve(dense, b, { assume: 'banded' });
    for (let i = 0; i < 2 * n; i++) {
      expect(compact.data[i]).toBeCloseTo(expected.data[i], 9);
      expect(viaSolve.data[i]).toBeCloseTo(expected.data[i], 9);
    }
    expect(
      solveBanded([1, 1], new NDArray(Float64Array.from([0, 1, 2, 2, 1, 0]), [3, 2]), rng(1).normal([2]))
        .shape,
    ).toEqual([2]);
    expect(() =>
      solveBanded([0, 0], new NDArray(Float64Array.from([1, 0]), [1, 2]), rng(1).normal([2])),
    ).toThrow(SingularMatrixError);
    expect(() => solveBanded([1, 0], ab, b)).toThrow(ShapeError);
    expect(() => solveBanded([-1, 0], ab, b)).toThrow(InvalidArgumentError);
  });
  it('bad input raises typed errors', () => {
    const singular = new NDArray(Float64Array.from([1, 2, 2, 4]), [2, 2]);
    expect(() => solve(singular, new NDArray(Float64Array.from([1, 1]), [2]))).toThrow(
      'solve: matrix is singular: pivot 1 is zero',
    );
    expect(() => inv(singular)).toThrow('inv: matrix is singular: pivot 1 is zero');
    expect(() => cholesky(new NDArray(Float64Array.from([1, 2, 2, 1]), [2, 2]))).toThrow(
      'cholesky: matrix is not positive definite: the leading minor of order 2 is not positive (column 1)',
    );
    expect(() =>
      solve(
        new NDArray(Float64Array.from([1, 2, 2, 1]), [2, 2]),
        new NDArray(Float64Array.from([1, 1]), [2]),
        {
          assume: 'positive definite',
        },
      ),
    ).toThrow(
      'solve: matrix is not positive definite: the leading minor of order 2 is not positive (column 1)',
    );
    expect(() =>
      solve(new NDArray(new Float64Array(6), [2, 3]), new NDArray(new Float64Array(2), [2])),
    ).toThrow("solve: argument 'a' with shape [2, 3]: expected a square matrix");
    expect(() => lu(new NDArray(Float64Array.from([1, Number.NaN, 0, 1]), [2, 2]))).toThrow(
      "luFactor: argument 'a' is NaN; expected finite entries (entry [0, 1] is not)",
    );
    expect(() => solve(singular, singular, { assume: 'hermitian' as never })).toThrow(
      'solve: argument \'options.assume\' is "hermitian"',
    );
    expect(() =>
      solve(new NDArray(Float64Array.from([1, 0, 0, 1]), [2, 2]), new NDArray(new Float64Array(3), [3])),
    ).toThrow("solve: argument 'b' with shape [3]: needs 2 rows to match a");
  });
});

describe('SVD and eigh: LAPACK scaled residuals (50 and 60)', () => {
  for (const n of square) {
    for (const c of conds) {
      it(`n=${n}, cond=${c}`, () => {
        const a = withCondition(n, n, c, n + 30);
        const { u, s, vt } = svd(a);
        const us = u.copy() as M;
        for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) us.data[i * n + j] *= s.data[j];
        expect(scaledResidual(a, matmul(us, vt), n)).toBeLessThan(50);
        expect(orthogonality(u)).toBeLessThan(50);
        expect(orthogonality(vt.T)).toBeLessThan(50);
        for (let j = 1; j < n; j++) expect(s.data[j]).toBeLessThanOrEqual(s.data[j - 1]);
        const sym = spdWithCondition(n, c, n + 40);
        const { values, vectors } = eigh(sym);
        const vw = vectors!.copy() as M;
        for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) vw.data[i * n + j] *= values.data[j];
        expect(scaledResidual(matmul(sym, vectors!), vw, n) * (n === 0 ? 0 : 1)).toBeLessThan(60);
        expect(orthogonality(vectors!)).toBeLessThan(60);
      });
    }
  }
  for (const [m, n] of shapes) {
    it(`SVD of a ${m}x${n} matrix (thin, full, values) and derived functions`, () => {
      const a = withCondition(m, n, 1e3, m + n);
      const k = Math.min(m, n);
      const { u, s, vt } = svd(a);
      expect([u.shape, vt.shape]).toEqual([
        [m, k],
        [k, n],
      ]);
      const us = u.copy() as M;
      for (let i = 0; i < m; i++) for (let j = 0; j < k; j++) us.data[i * k + j] *= s.data[j];
      expect(scaledResidual(a, matmul(us, vt), Math.max(m, n))).toBeLessThan(50);
      const full = svd(a, { mode: 'full' });
      expect(orthogonality(full.u)).toBeLessThan(50);
      expect(orthogonality(full.vt.T)).toBeLessThan(50);
      expect(svd(a, { mode: 'values' }).s.toFlatArray()).toEqual(
        s.toFlatArray().map((v) => expect.closeTo(v, 12)),
      );
      expect(cond(a)).toBeCloseTo(1e3, 6);
      expect(matrixRank(a)).toBe(k);
      const p = pinv(a);
      expect(scaledResidual(a, matmul(matmul(a, p), a), Math.max(m, n)) / 1e3).toBeLessThan(50);
    });
  }
  it('known closed forms: singular values of a diagonal matrix, eigenvalues of the 1-D Laplacian, rank-deficient input', () => {
    const n = 12;
    const lap = new NDArray(
      Float64Array.from({ length: n * n }, (_, k) => {
        const i = Math.floor(k / n);
        const j = k % n;
        return i === j ? 2 : Math.abs(i - j) === 1 ? -1 : 0;
      }),
      [n, n],
    );
    const exact = Array.from({ length: n }, (_, k) => 2 - 2 * Math.cos(((k + 1) * Math.PI) / (n + 1)));
    eigh(lap, { vectors: false })
      .values.toFlatArray()
      .forEach((v, i) => expect(v).toBeCloseTo(exact[i], 13));
    expect(
      eigh(lap, { range: [2, 4] })
        .values.toFlatArray()
        .map((v) => +v.toFixed(12)),
    ).toEqual(exact.slice(2, 5).map((v) => +v.toFixed(12)));
    const low = matmul(rng(3).normal([8, 2]), rng(4).normal([2, 6]));
    expect(matrixRank(low)).toBe(2);
    const { u } = svd(low);
    expect(orthogonality(u)).toBeLessThan(50);
    expect(() => svd(lap, { mode: 'economy' as never })).toThrow(
      'svd: argument \'options.mode\' is "economy"',
    );
    expect(() => eigh(lap, { range: [3, 1] })).toThrow(
      "eigh: argument 'options.range' is [3, 1]; expected [il, iu], integers with 0 <= il <= iu < 12",
    );
  });
});

describe('QR with column pivoting', () => {
  it('A[:, p] = Q R, |R| decreasing on the diagonal, rank revealed for a rank-deficient matrix', () => {
    const low = matmul(rng(11).normal([12, 3]), rng(12).normal([3, 8])) as M;
    const { q, r, p } = qr(low, { pivoting: true });
    const permuted = new NDArray(
      Float64Array.from({ length: 96 }, (_, k) => low.data[Math.floor(k / 8) * 8 + p![k % 8]]),
      [12, 8],
    );
    expect(scaledResidual(permuted, matmul(q!, r), 12)).toBeLessThan(30);
    expect(orthogonality(q!)).toBeLessThan(30);
    const diag = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => Math.abs(r.get(i, i)));
    for (let i = 1; i < 8; i++) expect(diag[i]).toBeLessThanOrEqual(diag[i - 1] * (1 + 1e-12));
    expect(diag[3] / diag[0]).toBeLessThan(1e-12);
    expect(diag[2] / diag[0]).toBeGreaterThan(1e-6);
    expect([...p!].sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });
});

describe('pivoted Cholesky for semidefinite matrices', () => {
  it('A[perm][:, perm] = L L^T with the numerical rank, on a rank-3 PSD matrix', () => {
    const b = rng(21).normal([10, 3]);
    const a = matmul(b, b.T) as M;
    const { l, perm, rank } = pivotedCholesky(a);
    expect(rank).toBe(3);
    const permuted = new NDArray(
      Float64Array.from({ length: 100 }, (_, k) => a.data[perm[Math.floor(k / 10)] * 10 + perm[k % 10]]),
      [10, 10],
    );
    expect(scaledResidual(permuted, matmul(l, l.T), 10)).toBeLessThan(30);
    const full = spdWithCondition(6, 1e3, 22);
    expect(pivotedCholesky(full).rank).toBe(6);
    expect(() => pivotedCholesky(full, { tol: -1 })).toThrow(
      "pivotedCholesky: argument 'options.tol' is -1; expected a finite number >= 0",
    );
  });
});

describe('LDL^T with Bunch-Kaufman pivoting', () => {
  const check = (a: M) => {
    const n = a.shape[0];
    const { l, d, perm } = ldl(a);
    const permuted = new NDArray(
      Float64Array.from({ length: n * n }, (_, k) => a.data[perm[Math.floor(k / n)] * n + perm[k % n]]),
      [n, n],
    );
    return scaledResidual(permuted, matmul(matmul(l, d), l.T), n);
  };
  it('factors symmetric indefinite matrices with a small scaled residual, using 2 x 2 pivots when needed', () => {
    const b = rng(31).normal([40, 40]);
    const indefinite = new NDArray(
      Float64Array.from({ length: 1600 }, (_, k) => b.data[k] + b.data[(k % 40) * 40 + Math.floor(k / 40)]),
      [40, 40],
    );
    expect(check(indefinite)).toBeLessThan(30);
    const swapOnly = new NDArray(Float64Array.from([0, 1, 1, 0]), [2, 2]);
    expect(ldl(swapOnly).blocks).toEqual([2]);
    expect(check(swapOnly)).toBeLessThan(30);
    expect(check(spdWithCondition(17, 1e8, 32))).toBeLessThan(30);
    const { l } = ldl(indefinite);
    for (let i = 0; i < 40; i++) for (let j = i + 1; j < 40; j++) expect(l.get(i, j)).toBe(0);
  });
});
