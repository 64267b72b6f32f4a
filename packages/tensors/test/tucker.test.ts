import { readFileSync } from 'node:fs';
import { InvalidArgumentError, ShapeError, rng } from '@krylov/core-array';
import { describe, expect, test } from 'vitest';
import { fold, hosvd, modeProduct, multiModeProduct, tucker, tuckerToTensor, unfold } from '../src/index.js';
import { flat, maxDiff, nd, orthError, relDiff } from './helpers.js';

const fx = JSON.parse(readFileSync(new URL('./fixtures/tucker.json', import.meta.url), 'utf8'));
const small = nd(fx.small.data, fx.small.shape);
const X = nd(fx.tucker.data, fx.tucker.shape);

describe('unfold / fold / modeProduct (TensorLy conventions)', () => {
  test('unfold matches tl.unfold and fold inverts it', () => {
    for (let n = 0; n < 3; n++) {
      const u = unfold(small, n);
      expect(u.shape).toEqual([fx.small.shape[n], 60 / fx.small.shape[n]]);
      expect(maxDiff(flat(u), fx.unfold[n])).toBe(0);
      expect(maxDiff(flat(fold(u, n, [3, 4, 5])), fx.small.data)).toBe(0);
    }
    expect(maxDiff(flat(unfold(small, -1)), fx.unfold[2])).toBe(0);
  });
  test('modeProduct matches tl.mode_dot, transpose and multiModeProduct agree', () => {
    const m = nd(fx.modeDot1.matrix, [2, 4]);
    const y = modeProduct(small, m, 1);
    expect(y.shape).toEqual([3, 2, 5]);
    expect(maxDiff(flat(y), fx.modeDot1.result)).toBeLessThan(1e-14);
    expect(
      maxDiff(flat(modeProduct(small, m.T.copy(), 1, { transpose: true })), fx.modeDot1.result),
    ).toBeLessThan(1e-14);
    const a = rng(1).normal([2, 3]);
    const c = rng(2).normal([6, 5]);
    const both = multiModeProduct(small, [a, c], { modes: [0, 2] });
    const seq = modeProduct(modeProduct(small, c, 2), a, 0);
    expect(maxDiff(flat(both), flat(seq))).toBeLessThan(1e-13);
  });
  test('bad input raises typed errors', () => {
    expect(() => unfold(small, 3)).toThrow(InvalidArgumentError);
    expect(() => modeProduct(small, nd([1, 2, 3], [1, 3]), 1)).toThrow(ShapeError);
    expect(() => fold(nd([1, 2], [1, 2]), 0, [2, 1])).toThrow(ShapeError);
    expect(() => unfold(nd([1, Number.NaN], [2, 1]), 0)).toThrow(InvalidArgumentError);
  });
});

describe('HOSVD and HOOI against the NumPy reference', () => {
  test('full HOSVD is exact with orthonormal factors', () => {
    const h = hosvd(X);
    expect(h.relativeError).toBeLessThan(1e-14);
    for (const f of h.factors) expect(orthError(f)).toBeLessThan(1e-13);
    expect(relDiff(tuckerToTensor(h), X)).toBeLessThan(1e-14);
    for (let n = 0; n < 3; n++)
      expect(maxDiff(flat(h.singularValues[n]), fx.tucker.cases[0].singularValues[n])).toBeLessThan(1e-12);
  });
  for (const c of fx.tucker.cases) {
    test(`rank [${c.rank}]: errors match the reference, HOOI <= HOSVD`, () => {
      const h = hosvd(X, { rank: c.rank });
      expect(Math.abs(h.relativeError - c.hosvdError)).toBeLessThan(1e-12);
      const t = tucker(X, c.rank);
      expect(t.report.converged).toBe(true);
      expect(t.report.iterations).toBe(c.hooiIterations);
      // same sweeps as the reference; both stop at TensorLy's tol = 1e-4 on the error's change
      expect(Math.abs(t.relativeError - c.hooiError)).toBeLessThan(1e-4);
      expect(t.relativeError).toBeLessThanOrEqual(h.relativeError + 1e-15);
      for (const f of t.factors) expect(orthError(f)).toBeLessThan(1e-13);
      expect(Math.abs(relDiff(tuckerToTensor(t), X) - t.relativeError)).toBeLessThan(1e-14);
      // the objective history never increases (HOOI is monotone)
      const hist = t.report.objectiveHistory;
      for (let i = 1; i < hist.length; i++) expect(hist[i]).toBeLessThanOrEqual(hist[i - 1] + 1e-12);
    });
  }
  test('randomized range finder: reproducible by seed, error close to exact HOOI', () => {
    const a = tucker(X, [2, 2, 2], { svd: 'randomized', seed: 7 });
    const b = tucker(X, [2, 2, 2], { svd: 'randomized', seed: 7 });
    expect(maxDiff(flat(a.core), flat(b.core))).toBe(0);
    expect(a.relativeError).toBeLessThan(fx.tucker.cases[1].hooiError * 1.01);
    for (const f of a.factors) expect(orthError(f)).toBeLessThan(1e-12);
  });
  test('energy threshold picks the multilinear rank and bounds the error', () => {
    for (const energy of [0.5, 0.9, 0.99]) {
      const h = hosvd(X, { energy });
      const sv: number[][] = fx.tucker.cases[0].singularValues;
      const total = sv[0].reduce((a, v) => a + v * v, 0);
      const expected = sv.map((s) => {
        let acc = 0;
        return s.findIndex((v) => (acc += v * v) >= energy * total) + 1;
      });
      expect(h.rank).toEqual(expected);
      expect(h.relativeError ** 2).toBeLessThanOrEqual(3 * (1 - energy));
    }
    const all = hosvd(X, { energy: 1 });
    expect(all.rank).toEqual([8, 9, 10]);
  });
  test('onProgress, signal and the report', () => {
    const seen: number[] = [];
    const t = tucker(X, [2, 2, 2], { tol: 0, maxiter: 10, onProgress: (i) => void seen.push(i.objective) });
    expect(t.report.reason).toBe('maxiter');
    expect(seen).toEqual(t.report.objectiveHistory);
    const ctl = new AbortController();
    const s = tucker(X, [2, 2, 2], {
      tol: 0,
      onProgress: (i) => void (i.iteration === 2 && ctl.abort()),
      signal: ctl.signal,
    });
    expect(s.report.reason).toBe('aborted');
    expect(s.report.iterations).toBe(3);
    const c = tucker(X, [2, 2, 2], { tol: 0, onProgress: () => false });
    expect(c.report.reason).toBe('callback');
  });
  test('bad options raise typed errors', () => {
    expect(() => tucker(X, [9, 2, 2])).toThrow(InvalidArgumentError);
    expect(() => tucker(X, [2, 2, 2], { maxiters: 3 } as never)).toThrow(InvalidArgumentError);
    expect(() => tucker(X, [2, 2, 2], { svd: 'fast' as never })).toThrow(InvalidArgumentError);
    expect(() => hosvd(X, { rank: 2, energy: 0.9 })).toThrow(InvalidArgumentError);
    expect(() => hosvd(X, { energy: 0 })).toThrow(InvalidArgumentError);
    expect(() => hosvd(nd([1, 2], [2]))).toThrow(ShapeError);
  });
});
