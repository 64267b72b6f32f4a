import {
  DTypeError,
  InvalidArgumentError,
  type Mat,
  NDArray,
  ShapeError,
  gemm,
  matmul,
  withBackends,
} from '@krylov/core-array';
import { describe, expect, it } from 'vitest';
import {
  type ExecStats,
  SCHEME_NAMES,
  errorBound,
  errorFigures,
  fastMatmul,
  fastSyrk,
  getScheme,
  stabilityFactor,
  testMatrices,
} from '../src/index.js';

// Tolerance from the measured/known error: normwise error <= (bound of the levels run) u ||A|| ||B||.
function normwiseLimit(name: (typeof SCHEME_NAMES)[number], n: number, levels: number): number {
  const s = getScheme(name);
  return Math.max(errorBound(s, Math.max(n, 1), 0), stabilityFactor(s) ** levels * Math.max(n, 1) ** 2) * 4;
}

describe('fastMatmul equals classical gemm within the error bound', () => {
  for (const name of SCHEME_NAMES)
    for (const dtype of ['float64', 'float32'] as const)
      it(`${name} ${dtype} on odd sizes`, () => {
        for (const [m, k, n] of [
          [37, 29, 41],
          [64, 64, 64],
          [50, 75, 33],
        ]) {
          const { a, b } = testMatrices('random', m, k, n, dtype, m + k);
          let stats: ExecStats | undefined;
          const c = fastMatmul(a, b, { scheme: name, cutoff: 3, onStats: (s) => (stats = s) });
          expect(stats!.levels).toBeGreaterThan(0);
          const ref = matmul(a, b) as Mat;
          const e = errorFigures(c as Mat, ref, a, b);
          expect(e.normwise).toBeLessThan(normwiseLimit(name, k, stats!.levels));
        }
      });

  it('reads transposed and strided views', () => {
    const { a, b } = testMatrices('random', 45, 52, 38, 'float64', 7);
    const big = testMatrices('random', 90, 90, 90, 'float64', 8).a;
    const stepped = new NDArray(big.data, [45, 38], [180, 2]) as Mat; // every other row and column
    for (const [x, y] of [
      [b.T, a.T],
      [a, stepped.T.T],
    ] as [Mat, Mat][]) {
      if (x.shape[1] !== y.shape[0]) continue;
      const c = fastMatmul(x, y, { scheme: 'winograd', cutoff: 4 });
      const e = errorFigures(c as Mat, matmul(x, y) as Mat, x, y);
      expect(e.normwise).toBeLessThan(normwiseLimit('winograd', x.shape[1], 3));
    }
    const y2 = new NDArray(big.data, [52, 38], [90, 2]) as Mat;
    const c2 = fastMatmul(a, y2, { scheme: 'laderman', cutoff: 4 });
    expect(errorFigures(c2 as Mat, matmul(a, y2) as Mat, a, y2).normwise).toBeLessThan(1000);
  });

  it('maxDepth caps the recursion, and depth 0 is the base gemm exactly', () => {
    const { a, b } = testMatrices('random', 64, 64, 64, 'float64', 9);
    let levels = -1;
    const c0 = fastMatmul(a, b, { cutoff: 2, maxDepth: 0, onStats: (s) => (levels = s.levels) });
    expect(levels).toBe(0);
    expect(Array.from(c0.data)).toEqual(Array.from(matmul(a, b).data));
    fastMatmul(a, b, { cutoff: 2, maxDepth: 2, onStats: (s) => (levels = s.levels) });
    expect(levels).toBe(2);
  });

  it('runs its base cases on the backend order in force', () => {
    const { a, b } = testMatrices('random', 40, 40, 40, 'float64', 2);
    const c = withBackends(['js'], () => fastMatmul(a, b, { cutoff: 8 }));
    expect(c.shape).toEqual([40, 40]);
  });

  it('reports the temporaries it used', () => {
    const { a, b } = testMatrices('random', 64, 64, 64, 'float64', 3);
    let bytes = 0;
    fastMatmul(a, b, { scheme: 'winograd', cutoff: 16, maxDepth: 1, onStats: (s) => (bytes = s.tempBytes) });
    // one level of Winograd: the 7 products and a few operand sums of 32 x 32 blocks
    expect(bytes).toBeGreaterThanOrEqual(7 * 32 * 32 * 8);
    expect(bytes).toBeLessThanOrEqual(16 * 32 * 32 * 8);
  });

  it('fastSyrk gives A A^T by the symmetric scheme', () => {
    for (const dtype of ['float64', 'float32'] as const) {
      const { a } = testMatrices('random', 53, 47, 1, dtype, 4);
      const c = fastSyrk(a, { cutoff: 4 });
      const ref = gemm(a, a, { transB: true }) as Mat;
      expect(errorFigures(c as Mat, ref, a, a).normwise).toBeLessThan(normwiseLimit('winograd', 47, 4));
      expect(c.get(3, 17)).toBe(c.get(17, 3));
    }
  });

  it('refuses bad input with typed errors', () => {
    const { a, b } = testMatrices('random', 4, 5, 6);
    expect(() => fastMatmul(a, a)).toThrow(ShapeError);
    expect(() => fastMatmul(a, b.astype('float32'))).toThrow(DTypeError);
    expect(() => fastMatmul(a, b, { scheme: 'nope' as never })).toThrow(InvalidArgumentError);
    expect(() => fastMatmul(a, b, { cutoff: 0 })).toThrow(InvalidArgumentError);
    expect(() => fastMatmul(a, b, { maxDepth: 1.5 })).toThrow(InvalidArgumentError);
    expect(() => fastMatmul(a, b, { cse: 'yes' as never })).toThrow(InvalidArgumentError);
    expect(() => fastMatmul(a, b, { cutof: 4 } as never)).toThrow(InvalidArgumentError);
    expect(() => fastMatmul([[1]] as never, b)).toThrow(InvalidArgumentError);
    expect(() => fastMatmul(new NDArray(new Int32Array(4), [2, 2]), b)).toThrow(DTypeError);
  });
});

describe('accuracy against the known bounds', () => {
  it("measured normwise errors stay under Higham's bounds for Strassen and Winograd", () => {
    const n = 128;
    for (const name of ['strassen', 'winograd'] as const)
      for (const kind of ['random', 'scaled', 'positive'] as const) {
        const { a, b } = testMatrices(kind, n, n, n, 'float64', 11);
        const c = fastMatmul(a, b, { scheme: name, cutoff: 16, maxDepth: 3 });
        const e = errorFigures(c as Mat, matmul(a, b) as Mat, a, b);
        expect(e.normwise).toBeLessThan(errorBound(getScheme(name), n, 3) + n);
      }
  });
});
