import { InvalidArgumentError, ShapeError, matmul, rng } from '@krylov/core-array';
import { qr, svd } from '@krylov/decompositions';
import { CSRMatrix, randomSparse } from '@krylov/solvers';
import { describe, expect, it } from 'vitest';
import {
  countSketch,
  gaussianSketch,
  rademacherSketch,
  samplingSketch,
  sparseSignSketch,
  srhtSketch,
} from '../src/index.js';
import { minus } from './helpers.js';

const make = {
  gaussian: (d: number, n: number, seed: number) => gaussianSketch(d, n, { seed }),
  rademacher: (d: number, n: number, seed: number) => rademacherSketch(d, n, { seed }),
  countsketch: (d: number, n: number, seed: number) => countSketch(d, n, { seed }),
  'sparse-sign': (d: number, n: number, seed: number) => sparseSignSketch(d, n, { seed }),
  srht: (d: number, n: number, seed: number) => srhtSketch(d, n, { seed }),
  'srht-dct': (d: number, n: number, seed: number) => srhtSketch(d, n, { seed, transform: 'dct' }),
  sampling: (d: number, n: number, seed: number) => samplingSketch(d, n, { seed }),
};

const maxAbs = (a: { data: ArrayLike<number>; size: number }) => {
  let m = 0;
  for (let i = 0; i < a.size; i++) m = Math.max(m, Math.abs(a.data[i]));
  return m;
};

describe('sketching operators', () => {
  for (const [name, f] of Object.entries(make)) {
    it(`${name}: left/right/matvec agree with the dense matrix, on dense and sparse input`, () => {
      const S = f(7, 37, 1);
      const dense = S.toDense();
      const a = rng(2).normal([37, 5]);
      expect(maxAbs(minus(S.left(a), matmul(dense, a)))).toBeLessThan(1e-12);
      const b = rng(3).normal([4, 37]);
      expect(maxAbs(minus(S.right(b), matmul(b, dense.T)))).toBeLessThan(1e-12);
      const sp = randomSparse(37, 6, { density: 0.2, seed: 4, values: 'normal' });
      expect(maxAbs(minus(S.left(sp), matmul(dense, sp.toDense())))).toBeLessThan(1e-12);
      expect(maxAbs(minus(S.right(sp.toDense().T.copy()), matmul(sp.toDense().T, dense.T)))).toBeLessThan(
        1e-12,
      );
      expect(maxAbs(minus(S.T.toDense(), dense.T.copy()))).toBeLessThan(1e-12);
      // Same seed, same sketch; another seed, another.
      expect(f(7, 37, 1).toDense().toArray()).toEqual(dense.toArray());
      expect(f(7, 37, 2).toDense().toArray()).not.toEqual(dense.toArray());
    });
  }

  it('embeds a 10-dimensional subspace with small distortion', () => {
    const u = qr(rng(5).normal([1000, 10])).q!;
    const distortion = (s: ReturnType<typeof gaussianSketch>) => {
      const sv = svd(s.left(u), { mode: 'values' }).s.data;
      return Math.max(Math.abs(sv[0] - 1), Math.abs(sv[sv.length - 1] - 1));
    };
    expect(distortion(gaussianSketch(200, 1000, { seed: 1 }))).toBeLessThan(0.5);
    expect(distortion(srhtSketch(200, 1000, { seed: 1 }))).toBeLessThan(0.5);
    expect(distortion(srhtSketch(200, 1000, { seed: 1, transform: 'dct' }))).toBeLessThan(0.5);
    expect(distortion(sparseSignSketch(200, 1000, { seed: 1 }))).toBeLessThan(0.5);
    expect(distortion(countSketch(600, 1000, { seed: 1 }))).toBeLessThan(0.5);
  });

  it('importance sampling by leverage reweights rows so E[S^T S] = I', () => {
    const p = Float64Array.from({ length: 50 }, (_, i) => (i < 10 ? 0.05 : 0.5 / 40));
    const S = samplingSketch(20000, 50, { seed: 3, probabilities: p });
    const sts = matmul(S.toDense().T, S.toDense());
    for (let i = 0; i < 50; i++) expect(sts.get(i, i)).toBeGreaterThan(0.75);
    for (let i = 0; i < 50; i++) expect(sts.get(i, i)).toBeLessThan(1.25);
  });

  it('rejects bad sizes and shapes', () => {
    expect(() => gaussianSketch(0, 5, { seed: 1 })).toThrow(InvalidArgumentError);
    expect(() => countSketch(-3, 5, { seed: 1 })).toThrow(/'d'/);
    expect(() => sparseSignSketch(4, 5, { seed: 1, s: 5 })).toThrow(InvalidArgumentError);
    expect(() => srhtSketch(9, 8, { seed: 1 })).toThrow(InvalidArgumentError);
    expect(() => srhtSketch(2, 8, { seed: 1, transform: 'fft' as never })).toThrow(InvalidArgumentError);
    expect(() => samplingSketch(3, 2, { seed: 1, probabilities: [0, 0] })).toThrow(/positive sum/);
    expect(() => gaussianSketch(3, 5, { seed: 1 }).left(rng(1).normal([4, 2]))).toThrow(ShapeError);
    expect(() =>
      countSketch(3, 5, { seed: 1 }).right(
        new CSRMatrix([2, 4], Int32Array.of(0, 0, 0), new Int32Array(0), new Float64Array(0)),
      ),
    ).toThrow(ShapeError);
  });
});
