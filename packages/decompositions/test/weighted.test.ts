import { NDArray, array, matmul, rng } from '@krylov/core-array';
import { describe, expect, it } from 'vitest';
import { fisherWeightedSvd, rowWeightedSvd, svd, weightedLowRank } from '../src/index.js';

type M = NDArray<'float64'>;

/** sum_ij w_ij (a_ij - (u vt)_ij)^2, computed directly. */
function weighted(a: M, w: M, u: NDArray, vt: NDArray): number {
  const x = matmul(u, vt).copy('float64').data;
  let f = 0;
  for (let p = 0; p < a.size; p++) f += w.data[p] * (a.data[p] - x[p]) ** 2;
  return f;
}
const outer = (r: Float64Array, c: Float64Array) =>
  new NDArray(
    Float64Array.from(
      { length: r.length * c.length },
      (_, p) => r[Math.floor(p / c.length)] * c[p % c.length],
    ),
    [r.length, c.length],
  ) as M;

describe('weightedLowRank (Srebro & Jaakkola 2003, alternating weighted least squares)', () => {
  const a = rng(1).normal([30, 20]) as M;
  const w = rng(2).uniform([30, 20]) as M;

  it('never increases the weighted objective, from the SVD and from a random start', () => {
    for (const init of ['svd', 'random'] as const) {
      const r = weightedLowRank(a, w, 4, { init, maxIter: 300 });
      const h = r.objectiveHistory;
      expect(h.length).toBeGreaterThan(5);
      for (let t = 1; t < h.length; t++) expect(h[t]).toBeLessThanOrEqual(h[t - 1] * (1 + 1e-13));
      expect(Math.abs(r.objective - weighted(a, w, r.u, r.vt))).toBeLessThan(1e-10 * r.objective);
      // better than the unweighted truncated SVD on the weighted objective
      const { u, s, vt } = svd(a);
      const us = u.slice(null, '0:4').copy() as M;
      for (let i = 0; i < 30; i++) for (let j = 0; j < 4; j++) us.data[i * 4 + j] *= s.data[j];
      expect(r.objective).toBeLessThan(weighted(a, w, us, vt.slice('0:4')));
    }
  });

  it('is exact for rank-one weights: reaches the closed form (rowWeightedSvd with column weights)', () => {
    const r = Float64Array.from({ length: 30 }, (_, i) => 0.1 + (i % 7));
    const c = Float64Array.from({ length: 20 }, (_, j) => 0.5 + ((j * 3) % 5));
    const wr = outer(r, c);
    const exact = rowWeightedSvd(a, new NDArray(r, [30]), 3, { columnWeights: new NDArray(c, [20]) });
    expect(Math.abs(exact.objective - weighted(a, wr, exact.u, exact.vt))).toBeLessThan(
      1e-11 * exact.objective,
    );
    // the closed form is the scaled matrix's discarded energy: sum of its squared trailing singular values
    const sr = r.map(Math.sqrt);
    const sc = c.map(Math.sqrt);
    const b = new NDArray(
      Float64Array.from(a.data, (v, p) => sr[Math.floor(p / 20)] * v * sc[p % 20]),
      [30, 20],
    );
    const sv = svd(b, { mode: 'values' }).s.data;
    let tail = 0;
    for (let i = 3; i < 20; i++) tail += sv[i] ** 2;
    expect(Math.abs(exact.objective - tail)).toBeLessThan(1e-11 * tail);
    const als = weightedLowRank(a, wr, 3, { tol: 1e-15, maxIter: 2000 });
    expect(als.objective).toBeGreaterThanOrEqual(exact.objective * (1 - 1e-12));
    expect((als.objective - exact.objective) / exact.objective).toBeLessThan(1e-8);
  });

  it('fits exactly when a rank-k matrix is observed through 0/1 weights', () => {
    const x = matmul(rng(3).normal([25, 2]), rng(4).normal([2, 18])) as M;
    const mask = new NDArray(
      Float64Array.from({ length: 450 }, (_, p) => (p % 7 === 0 ? 0 : 1)),
      [25, 18],
    ) as M;
    const r = weightedLowRank(x, mask, 2, { tol: 1e-14 });
    expect(r.objective).toBeLessThan(1e-20);
    const full = matmul(r.u, r.vt).copy('float64').data;
    let err = 0;
    for (let p = 0; p < 450; p++) err = Math.max(err, Math.abs(full[p] - x.data[p]));
    expect(err).toBeLessThan(1e-8);
  });

  it('reports onProgress, stops on false or an aborted signal, and checks its input', () => {
    const seen: number[] = [];
    const r = weightedLowRank(a, w, 2, {
      onProgress: ({ iteration }) => {
        seen.push(iteration);
        return iteration < 4;
      },
    });
    expect(r.reason).toBe('callback');
    expect(seen).toEqual([1, 2, 3, 4]);
    const c = new AbortController();
    c.abort();
    expect(weightedLowRank(a, w, 2, { signal: c.signal }).reason).toBe('aborted');
    expect(() => weightedLowRank(a, array([[1]]), 2)).toThrow(/30 x 20/);
    const neg = w.copy() as M;
    neg.data[5] = -1;
    expect(() => weightedLowRank(a, neg, 2)).toThrow(/non-negative/);
    expect(() => weightedLowRank(a, w, 21)).toThrow(/rank/);
    expect(() => weightedLowRank(a, w, 2, { init: 'nope' as 'svd' })).toThrow(/init/);
    expect(() => rowWeightedSvd(a, array([1, 2]), 2)).toThrow(/30 weights/);
  });
});

describe('fisherWeightedSvd (FWSVD, Hsu et al. 2022)', () => {
  it('equals rowWeightedSvd with the Fisher row sums, and is optimal for the row-weighted objective', () => {
    const a = rng(5).normal([16, 12]) as M;
    const g = rng(6).normal([16, 12]) as M;
    const fisher = new NDArray(
      Float64Array.from(g.data, (v) => v * v),
      [16, 12],
    ) as M;
    const rows = new Float64Array(16);
    for (let i = 0; i < 16; i++) for (let j = 0; j < 12; j++) rows[i] += fisher.data[i * 12 + j];
    const f = fisherWeightedSvd(a, fisher, 4);
    const viaRows = rowWeightedSvd(a, new NDArray(rows, [16]), 4);
    expect(Math.abs(f.objective - viaRows.objective)).toBeLessThan(1e-12 * f.objective);
    const fv = fisherWeightedSvd(a, new NDArray(rows, [16]), 4);
    expect(Math.abs(fv.objective - f.objective)).toBeLessThan(1e-12 * f.objective);
    const w = outer(rows, new Float64Array(12).fill(1));
    // no rank-4 fit does better: ALS from a random start and plain SVD both land at or above it
    const als = weightedLowRank(a, w, 4, { init: 'random', seed: 3, maxIter: 2000, tol: 1e-14 });
    expect(als.objective).toBeGreaterThanOrEqual(f.objective * (1 - 1e-12));
    const { u, s, vt } = svd(a);
    const us = u.slice(null, '0:4').copy() as M;
    for (let i = 0; i < 16; i++) for (let j = 0; j < 4; j++) us.data[i * 4 + j] *= s.data[j];
    expect(weighted(a, w, us, vt.slice('0:4'))).toBeGreaterThan(f.objective);
  });
});
