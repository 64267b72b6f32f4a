import { InvalidArgumentError, ShapeError, rng } from '@krylov/core-array';
import { describe, expect, test } from 'vitest';
import { cpToTensor, parafac } from '../src/index.js';
import { flat, fro, nd, relDiff } from './helpers.js';

/** Planted rank-R tensor with Gaussian factors. */
function planted(shape: number[], R: number, seed: number) {
  const r = rng(seed);
  const factors = shape.map((d) => r.normal([d, R]));
  return { factors, X: cpToTensor({ factors }) };
}

/** 1 - min over components of the best |cosine| product (factor match score, 0 = exact recovery up to permutation and scaling). */
function factorMismatch(a: ReturnType<typeof planted>['factors'], b: typeof a): number {
  const R = a[0].shape[1];
  let worst = 0;
  for (let r = 0; r < R; r++) {
    let best = 0;
    for (let s = 0; s < R; s++) {
      let prod = 1;
      for (let n = 0; n < a.length; n++) {
        const x = flat(a[n]);
        const y = flat(b[n]);
        const I = a[n].shape[0];
        let d = 0;
        let nx = 0;
        let ny = 0;
        for (let i = 0; i < I; i++) {
          d += x[i * R + r] * y[i * R + s];
          nx += x[i * R + r] ** 2;
          ny += y[i * R + s] ** 2;
        }
        prod *= Math.abs(d) / Math.sqrt(nx * ny);
      }
      best = Math.max(best, prod);
    }
    worst = Math.max(worst, 1 - best);
  }
  return worst;
}

describe('parafac (CP-ALS)', () => {
  test('exact recovery of a planted rank-3 tensor to 1e-10, with and without line search', () => {
    const { factors, X } = planted([6, 7, 8], 3, 1);
    const plain = parafac(X, 3, { tol: 1e-15, maxiter: 2000 });
    const ls = parafac(X, 3, { tol: 1e-15, maxiter: 2000, linesearch: true });
    for (const f of [plain, ls]) {
      expect(f.relativeError).toBeLessThan(1e-10);
      expect(relDiff(cpToTensor(f), X)).toBeLessThan(1e-10);
      expect(factorMismatch(factors, f.factors)).toBeLessThan(1e-10);
      expect(f.report.converged).toBe(true);
    }
    // Bro's extrapolation takes fewer iterations on this problem
    expect(ls.report.iterations).toBeLessThan(plain.report.iterations);
  });
  test('four-way tensor, random init, normalized factors', () => {
    const { X } = planted([4, 5, 3, 6], 2, 2);
    const f = parafac(X, 2, {
      init: 'random',
      seed: 3,
      tol: 1e-15,
      maxiter: 3000,
      normalizeFactors: true,
      linesearch: true,
    });
    expect(f.relativeError).toBeLessThan(1e-10);
    for (const a of f.factors) {
      const d = flat(a);
      for (let r = 0; r < 2; r++) {
        let s = 0;
        for (let i = 0; i < a.shape[0]; i++) s += d[i * 2 + r] ** 2;
        expect(Math.abs(Math.sqrt(s) - 1)).toBeLessThan(1e-12);
      }
    }
  });
  test('error proportional to the noise', () => {
    const { X } = planted([8, 9, 10], 3, 4);
    const x = flat(X);
    const noise = flat(rng(5).normal([8, 9, 10]));
    const scale = fro(x) / fro(noise);
    const ratios: number[] = [];
    for (const eta of [1e-2, 1e-4, 1e-6]) {
      const y = nd(
        x.map((v, i) => v + eta * scale * noise[i]),
        [8, 9, 10],
      );
      const f = parafac(y, 3, { tol: 1e-14, maxiter: 1000, linesearch: true });
      // distance to the noiseless tensor, relative to its norm, divided by the relative noise level
      ratios.push(relDiff(cpToTensor(f), X) / eta);
    }
    for (const r of ratios) expect(r).toBeLessThan(1);
    expect(Math.max(...ratios) / Math.min(...ratios)).toBeLessThan(2);
  });
  test('same seed, same answer; report, onProgress and abort', () => {
    const { X } = planted([5, 5, 5], 2, 6);
    const a = parafac(X, 2, { init: 'random', seed: 9, maxiter: 5 });
    const b = parafac(X, 2, { init: 'random', seed: 9, maxiter: 5 });
    expect(flat(a.factors[0])).toEqual(flat(b.factors[0]));
    expect(a.report.reason).toBe('maxiter');
    expect(a.report.objectiveHistory).toHaveLength(5);
    const ctl = new AbortController();
    const c = parafac(X, 2, {
      tol: 0,
      onProgress: ({ iteration }) => void (iteration === 3 && ctl.abort()),
      signal: ctl.signal,
    });
    expect(c.report.reason).toBe('aborted');
    expect(c.report.iterations).toBe(4);
  });
  test('bad input raises typed errors', () => {
    const { X } = planted([3, 3, 3], 1, 7);
    expect(() => parafac(X, 0)).toThrow(InvalidArgumentError);
    expect(() => parafac(X, 2, { init: 'nndsvd' as never })).toThrow(InvalidArgumentError);
    expect(() => parafac(X, 2, { init: { factors: [nd([1, 2], [2, 1])] } })).toThrow(InvalidArgumentError);
    expect(() => parafac(X, 2, { tol: -1 })).toThrow(InvalidArgumentError);
    expect(() => parafac(nd([1, 2], [2]), 1)).toThrow(ShapeError);
    expect(() => cpToTensor({ factors: [nd([1, 2], [1, 2]), nd([1], [1, 1])] })).toThrow(ShapeError);
  });
});
