import {
  type Mat,
  NDArray,
  configure,
  explain,
  matmul,
  runKernel,
  unregisterBackend,
  use,
  withBackends,
} from '@krylov/core-array';
import { afterEach, describe, expect, it } from 'vitest';
import * as mod from '../src/index.js';
import { createFastMatmulPlugin, errorFigures, testMatrices } from '../src/index.js';

const { a, b } = testMatrices('random', 96, 96, 96, 'float64', 1);
const args = (n = 96) => ({
  alpha: 1,
  a: n === 96 ? a : (a.T as Mat),
  b,
  beta: 0,
  c: new NDArray(new Float64Array(n * n), [n, n]) as Mat,
});

afterEach(() => {
  unregisterBackend('fast-matmul');
  configure({ backends: null });
});

describe('the plugin', () => {
  it('registers nothing on import', () => {
    expect(explain('gemm', args()).considered.map((c) => c.backend)).not.toContain('fast-matmul');
    expect('plugin' in mod).toBe(false);
  });
  it('is not chosen by default, even when used', () => {
    use(createFastMatmulPlugin({ cutoff: 16 }));
    const e = explain('gemm', args());
    expect(e.backend).not.toBe('fast-matmul');
    expect(e.backend).not.toBeNull();
  });
  it('is chosen when named, explains itself, and delegates its base cases', () => {
    use(createFastMatmulPlugin({ scheme: 'strassen', cutoff: 16 }));
    const e = withBackends(['fast-matmul', 'js'], () => explain('gemm', args()));
    expect(e.backend).toBe('fast-matmul');
    const c = withBackends(['fast-matmul', 'js'], () => matmul(a, b));
    const ref = withBackends(['js'], () => matmul(a, b));
    expect(errorFigures(c as Mat, ref as Mat, a, b).normwise).toBeLessThan(2000);
    const small = testMatrices('random', 20, 20, 20);
    configure({ backends: ['fast-matmul', 'js'] });
    const s = explain('gemm', {
      alpha: 1,
      a: small.a,
      b: small.b,
      beta: 0,
      c: new NDArray(new Float64Array(400), [20, 20]) as Mat,
    });
    expect(s.backend).toBe('js');
    expect(s.considered[0].reason).toMatch(/declined: blocks would be smaller than the cutoff 16/);
  });
  it('handles beta, alpha and syrk through the registry', () => {
    use(createFastMatmulPlugin({ cutoff: 16 }));
    const c0 = testMatrices('random', 96, 96, 96, 'float64', 5).a;
    const c = c0.copy() as Mat;
    const ref = c0.copy() as Mat;
    withBackends(['js'], () => {
      const r = matmul(a, b) as Mat;
      for (let i = 0; i < 96; i++)
        for (let j = 0; j < 96; j++) ref.set(2 * r.get(i, j) + 0.5 * c0.get(i, j), i, j);
    });
    const { gemm } = createFastMatmulPlugin({ cutoff: 16 }).backends![0].kernels;
    gemm!.run!({ alpha: 2, a, b, beta: 0.5, c });
    expect(errorFigures(c, ref, a, b).maxRelative).toBeLessThan(1e-13);
    // syrk: lower triangle only, the upper one untouched
    const s = new NDArray(new Float64Array(96 * 96).fill(7), [96, 96]) as Mat;
    withBackends(['fast-matmul', 'js'], () => {
      expect(explain('syrk', { alpha: 1, a, beta: 0, c: s, lower: true }).backend).toBe('fast-matmul');
      runKernel('syrk', { alpha: 1, a, beta: 0, c: s, lower: true });
    });
    const aat = withBackends(['js'], () => matmul(a, a.T)) as Mat;
    expect(Math.abs(s.get(50, 10) - aat.get(50, 10))).toBeLessThan(1e-12 * 96);
    expect(s.get(10, 50)).toBe(7);
  });
  it('with allowReducedAccuracy runs only above the crossover', () => {
    use(createFastMatmulPlugin({ cutoff: 16, allowReducedAccuracy: true, crossover: 64 }));
    expect(explain('gemm', args()).backend).toBe('fast-matmul');
    const small = testMatrices('random', 48, 48, 48);
    const e = explain('gemm', {
      alpha: 1,
      a: small.a,
      b: small.b,
      beta: 0,
      c: new NDArray(new Float64Array(48 * 48), [48, 48]) as Mat,
    });
    expect(e.backend).not.toBe('fast-matmul');
  });
  it('refuses bad options', () => {
    expect(() => createFastMatmulPlugin({ crossover: -1 })).toThrow(/crossover/);
    expect(() => createFastMatmulPlugin({ allowReducedAccuracy: 1 } as never)).toThrow(
      /allowReducedAccuracy/,
    );
    expect(() => createFastMatmulPlugin({ bogus: 1 } as never)).toThrow(/bogus/);
  });
});
