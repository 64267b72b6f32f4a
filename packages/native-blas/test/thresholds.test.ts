import { type Mat, NDArray, explain, runKernel, use, withBackends } from '@krylov/core-array';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plugin } from '../src/index.js';
import { NATIVE_THRESHOLDS, gemmBelow, useSizeRules } from '../src/thresholds.js';

let previous = true;
beforeAll(() => {
  use(plugin);
  previous = useSizeRules(true);
});
afterAll(() => useSizeRules(previous));

const mat = (m: number, n: number, dtype: 'float64' | 'float32' = 'float64') =>
  new NDArray(dtype === 'float64' ? new Float64Array(m * n).fill(1) : new Float32Array(m * n).fill(1), [
    m,
    n,
  ]) as Mat;

// The size rules are checked by which backend explain names, never by timing.
describe('native size thresholds', () => {
  it('a gemm below the threshold runs on js, and explain names the rule; above it runs on native', () => {
    const small = { alpha: 1, a: mat(16, 16), b: mat(16, 16), beta: 0, c: mat(16, 16) };
    const e = withBackends(['native', 'js'], () => explain('gemm', small));
    expect(e.backend).toBe('js');
    expect(e.considered[0].reason).toMatch(/gemm size rule: m\*n\*k = 4096 < 13824/);
    const big = { alpha: 1, a: mat(32, 32), b: mat(32, 32), beta: 0, c: mat(32, 32) };
    expect(withBackends(['native', 'js'], () => explain('gemm', big)).backend).toBe('native');
    // float32's threshold is lower: 22^3 >= 20^3
    const f32 = {
      alpha: 1,
      a: mat(22, 22, 'float32'),
      b: mat(22, 22, 'float32'),
      beta: 0,
      c: mat(22, 22, 'float32'),
    };
    expect(withBackends(['native', 'js'], () => explain('gemm', f32)).backend).toBe('native');
    // and the call itself computes the product on the backend chosen
    withBackends(['native', 'js'], () => runKernel('gemm', small));
    expect(small.c.data[0]).toBe(16);
  });
  it('states the rules as data', () => {
    expect(gemmBelow(23, 24, 24, 'float64')).toMatch(/< 13824/);
    expect(gemmBelow(24, 24, 24, 'float64')).toBe(false);
    expect(NATIVE_THRESHOLDS.level1).toBe(2048);
  });
  it('level-1 and LAPACK kernels follow their rules', () => {
    const v = (n: number) => new NDArray(new Float64Array(n).fill(1), [n]) as Mat;
    expect(withBackends(['native', 'js'], () => explain('dot', { x: v(4), y: v(4) })).backend).toBe('js');
    expect(withBackends(['native', 'js'], () => explain('dot', { x: v(4096), y: v(4096) })).backend).toBe(
      'native',
    );
    const g4 = withBackends(['native', 'js'], () => explain('gesv', { a: mat(4, 4), b: mat(4, 1) }));
    expect(g4.considered[0].reason).toMatch(/gesv size rule: n = 4 < 8/);
    expect(
      withBackends(['native', 'js'], () => explain('gesv', { a: mat(8, 8), b: mat(8, 1) })).backend,
    ).toBe('native');
    expect(
      withBackends(['native', 'js'], () => explain('geqrf', { a: mat(8, 8) })).considered[0].reason,
    ).toMatch(/geqrf size rule/);
  });
});
