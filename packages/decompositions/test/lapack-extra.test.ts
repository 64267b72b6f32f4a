// The pure-JS ormqr, trtrs, gelsd and syevr kernels against independent constructions: an explicit
// Q from orgqr, plain substitution, the normal equations / pseudoinverse, and the full syevd.
import { type Mat, NDArray, type Vec, add, matmul, rng, sub, withBackends } from '@krylov/core-array';
import { describe, expect, it } from 'vitest';
import { eigh, lstsq, solve } from '../src/index.js';
import { gelsd, geqrf, orgqr, ormqr, syevd, syevr, trtrs } from '../src/kernels.js';
import { EPS, withCondition } from './helpers.js';

type M = NDArray<'float64'>;
const js = <T>(f: () => T): T => withBackends(['js'], f);
const maxAbs = (x: NDArray) => Math.max(0, ...x.toFlatArray().map(Math.abs));
const diff = (x: NDArray, y: NDArray) => {
  expect(x.shape).toEqual(y.shape);
  const a = x.toFlatArray();
  const b = y.toFlatArray();
  return Math.max(0, ...a.map((v, i) => Math.abs(v - b[i])));
};
/** The same values through a transposed (column-major) view with a padded leading dimension. */
function colMajorPadded(a: NDArray): NDArray {
  const [m, n] = a.shape;
  const big = new NDArray(new Float64Array((n + 2) * (m + 3)).fill(Number.NaN), [n + 2, m + 3]);
  const view = big.slice(`1:${n + 1}`, `2:${m + 2}`).T;
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) view.set(a.get(i, j), i, j);
  return view;
}

describe('ormqr (pure JS)', () => {
  it('applies Q and Q^T from either side, as the explicit Q from orgqr does', () => {
    for (const [m, n] of [
      [0, 0],
      [1, 1],
      [5, 3],
      [3, 5],
      [7, 7],
      [40, 17],
    ]) {
      const a = rng(`ormqr-${m}-${n}`).normal([m, n]) as Mat;
      const f = a.copy() as Mat;
      const { tau } = js(() => geqrf({ a: f }));
      const k = tau.shape[0];
      // the complete m x m Q
      const q = new NDArray(new Float64Array(m * m), [m, m]) as Mat;
      for (let i = 0; i < m; i++) for (let j = 0; j < Math.min(m, n); j++) q.set(f.get(i, j), i, j);
      js(() => orgqr({ a: q, tau }));
      for (const side of ['left', 'right'] as const)
        for (const transpose of [false, true]) {
          const c = rng(`c-${m}-${side}`).normal(side === 'left' ? [m, 4] : [3, m]) as Mat;
          const op = transpose ? q.T : q;
          const want = side === 'left' ? matmul(op, c) : matmul(c, op);
          for (const [name, view] of [
            ['row-major', c.copy()],
            ['column-major padded', colMajorPadded(c)],
          ] as const) {
            js(() => ormqr({ a: colMajorPadded(f) as Mat, tau, c: view as Mat, side, transpose }));
            expect(diff(view, want), `${m}x${n} ${side} T=${transpose} ${name} k=${k}`).toBeLessThan(
              100 * (m + 1) * EPS * Math.max(1, maxAbs(c)),
            );
          }
        }
    }
  });

  it('keeps float32 in float32', () => {
    const a = rng(3).normal([6, 4], { dtype: 'float32' }) as Mat;
    const { tau } = js(() => geqrf({ a }));
    const c = rng(4).normal([6, 2], { dtype: 'float32' }) as Mat;
    const before = c.copy('float64');
    js(() => ormqr({ a, tau, c, side: 'left', transpose: true }));
    js(() => ormqr({ a, tau, c, side: 'left', transpose: false }));
    expect(c.dtype).toBe('float32');
    expect(diff(c, before)).toBeLessThan(1e-5);
  });
});

describe('trtrs (pure JS)', () => {
  it('solves op(A) X = B for either triangle and reports the first zero pivot', () => {
    for (const n of [0, 1, 4, 19]) {
      const a = rng(`trtrs-${n}`).normal([n, n]) as Mat;
      for (let i = 0; i < n; i++) a.set(3 + Math.abs(a.get(i, i)), i, i);
      const b = rng(`trtrs-b-${n}`).normal([n, 3]) as Mat;
      for (const lower of [true, false])
        for (const transpose of [false, true])
          for (const unitDiag of [false, true]) {
            const t = new NDArray(new Float64Array(n * n), [n, n]) as M;
            for (let i = 0; i < n; i++)
              for (let j = 0; j < n; j++)
                if (lower ? j <= i : j >= i) t.data[i * n + j] = i === j && unitDiag ? 1 : a.get(i, j);
            const x = colMajorPadded(b) as Mat;
            // the other triangle holds junk that must not be read
            const stored = a.copy() as Mat;
            expect(js(() => trtrs({ a: stored, b: x, lower, transpose, unitDiag }))).toBe(0);
            const back = matmul(transpose ? t.T : t, x);
            expect(diff(back, b), `n=${n} L=${lower} T=${transpose} U=${unitDiag}`).toBeLessThan(
              1e3 * EPS * 8,
            );
          }
    }
    const z = new NDArray(Float64Array.from([2, 0, 0, 1, 0, 0, 1, 1, 5]), [3, 3]) as Mat;
    const b = new NDArray(Float64Array.from([1, 2, 3]), [3, 1]) as Mat;
    expect(js(() => trtrs({ a: z, b, lower: true, transpose: false, unitDiag: false }))).toBe(2);
    expect(b.toFlatArray()).toEqual([1, 2, 3]);
    expect(js(() => trtrs({ a: z, b, lower: true, transpose: false, unitDiag: true }))).toBe(0);
  });

  it("solve(..., { assume: 'triangular' }) names the zero pivot", () => {
    const z = new NDArray(Float64Array.from([2, 0, 0, 1, 0, 0, 1, 1, 5]), [3, 3]);
    expect(() => solve(z, new NDArray(Float64Array.from([1, 2, 3]), [3]), { assume: 'triangular' })).toThrow(
      /solve.*pivot 1 is zero/,
    );
  });
});

describe('gelsd (pure JS)', () => {
  it('gives the minimum-norm least-squares solution, the singular values and the rank', () => {
    for (const [m, n, cond] of [
      [0, 3, 1],
      [3, 0, 1],
      [1, 1, 1],
      [9, 4, 10],
      [4, 9, 10],
      [30, 12, 1e10],
    ] as const) {
      const a = (m && n ? withCondition(m, n, cond, m + n) : new NDArray(new Float64Array(0), [m, n])) as Mat;
      const b = rng(`gelsd-b-${m}-${n}`).normal([m, 2]) as Mat;
      const r = js(() => gelsd({ a, b, rcond: -1 }));
      expect(r.info).toBe(0);
      expect(r.x.shape).toEqual([n, 2]);
      expect(r.rank).toBe(Math.min(m, n));
      // normal equations A^T (A x - b) = 0, and x in the row space (minimum norm): x = A^T y
      if (m && n) {
        const res = matmul(a.T, sub(matmul(a, r.x), b));
        expect(maxAbs(res)).toBeLessThan(1e3 * Math.max(m, n) * EPS * cond);
      }
    }
    // rank deficiency: a 6 x 4 of rank 2; rcond decides
    const u = rng(1).normal([6, 2]);
    const v = rng(2).normal([2, 4]);
    const a = matmul(u, v) as Mat;
    const b = rng(3).normal([6, 1]) as Mat;
    const r = js(() => gelsd({ a, b, rcond: 1e-10 }));
    expect(r.rank).toBe(2);
    expect(r.s.shape).toEqual([4]);
    expect(r.s.get(3)).toBeLessThan(1e-12 * r.s.get(0));
    const ls = lstsq(a, b, { rcond: 1e-10 });
    expect(diff(ls.x, r.x)).toBeLessThan(1e-10);
    expect(ls.rank).toBe(2);
  });

  it("lstsq's 'qr' and 'svd' drivers agree on a full-rank tall problem", () => {
    const a = withCondition(25, 7, 1e3, 9);
    const b = rng(10).normal([25, 3]);
    const q = lstsq(a, b, { driver: 'qr' });
    const s = lstsq(a, b, { driver: 'svd' });
    expect(diff(q.x, s.x)).toBeLessThan(1e-9);
    expect(q.residuals.length).toBe(3);
    expect(Math.abs(q.residuals[0] - s.residuals[0])).toBeLessThan(1e-9);
    expect(() => lstsq(new NDArray(new Float64Array(6), [3, 2]), b.slice('0:3'), { driver: 'qr' })).toThrow(
      /rank-deficient/,
    );
  });
});

describe('syevr (pure JS)', () => {
  it('returns eigenpairs il..iu of the full decomposition, values only too', () => {
    for (const n of [1, 2, 6, 21]) {
      const g = rng(`syevr-${n}`).normal([n, n]);
      const a = matmul(g, g.T) as Mat;
      const full = js(() => syevd({ a, vectors: true }));
      for (const [il, iu] of [
        [0, n - 1],
        [0, 0],
        [n - 1, n - 1],
        [Math.floor(n / 3), Math.floor((2 * n) / 3)],
        [1, 0],
      ]) {
        if (il > n - 1 && iu >= il) continue;
        const r = js(() => syevr({ a, vectors: true, il, iu }));
        const count = Math.max(0, iu - il + 1);
        expect(r.w.shape).toEqual([count]);
        expect(r.v?.shape).toEqual([n, count]);
        for (let j = 0; j < count; j++) {
          expect(r.w.get(j)).toBe(full.w.get(il + j));
          for (let i = 0; i < n; i++) expect((r.v as Mat).get(i, j)).toBe((full.v as Mat).get(i, il + j));
        }
        const values = js(() => syevr({ a, vectors: false, il, iu }));
        expect(values.v).toBeNull();
        expect(diff(values.w as Vec, r.w)).toBeLessThan(1e-12 * Math.max(1, maxAbs(full.w)));
      }
    }
    // the range option of eigh selects the same pairs
    const a = matmul(rng(5).normal([8, 8]), rng(5).normal([8, 8]).T);
    const sym = add(a, a.T);
    const e = eigh(sym, { range: [2, 4] });
    const r = js(() => syevr({ a: sym as Mat, vectors: false, il: 2, iu: 4 }));
    expect(diff(e.values, r.w)).toBeLessThan(1e-12);
  });
});
