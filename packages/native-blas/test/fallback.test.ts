import {
  type Mat,
  NDArray,
  explain,
  listBackends,
  unregisterBackend,
  use,
  withBackends,
} from '@krylov/core-array';
import { afterEach, describe, expect, it, vi } from 'vitest';

afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

describe('without the addon', () => {
  it('reports itself unavailable with the reason and the fix, and every call falls back to js', async () => {
    vi.stubEnv('KRYLOV_NATIVE_BLAS_ADDON', '/nonexistent/krylov_native_blas.node');
    vi.resetModules();
    const mod = await import('../src/index.js');
    const p = mod.probe();
    expect(p.available).toBe(false);
    expect(p.reason).toMatch(
      /^native addon unavailable: KRYLOV_NATIVE_BLAS_ADDON=.*nonexistent.*Fix: unset KRYLOV_NATIVE_BLAS_ADDON/,
    );
    expect(mod.nativeAddon()).toBeNull();
    expect(() => mod.setThreads(2)).toThrow(/unavailable/);
    // registered under its own name for this test only, so the real backend stays untouched
    const backend = { ...mod.backend, name: 'native-missing' };
    use({ name: 'missing', backends: [backend] });
    try {
      const a = new NDArray(Float64Array.from([1, 2, 3, 4]), [2, 2]) as Mat;
      const e = withBackends(['native-missing', 'js'], () =>
        explain('gemm', { alpha: 1, a, b: a, beta: 0, c: a.copy() as Mat }),
      );
      expect(e.backend).toBe('js');
      expect(e.considered[0]).toEqual({
        backend: 'native-missing',
        chosen: false,
        reason: `unavailable: ${p.reason}`,
      });
      expect(listBackends().find((b) => b.name === 'native-missing')?.reason).toBe(p.reason);
    } finally {
      unregisterBackend('native-missing');
    }
  });

  it('setThreads validates its argument first', async () => {
    const mod = await import('../src/index.js');
    expect(() => mod.setThreads(0)).toThrow(/setThreads: argument 'n' is 0/);
    expect(() => mod.setThreads(1.5)).toThrow(/InvalidArgument|setThreads/);
  });
});
