import {
  type Mat,
  NDArray,
  explain,
  getBackend,
  listBackends,
  rng,
  runKernel,
  unregisterBackend,
  use,
  withBackends,
} from '@krylov/core-array';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { THRESHOLDS, backend, plugin, probe, wasmExports } from '../src/index.js';

afterEach(() => {
  vi.unstubAllGlobals();
  vi.resetModules();
});

const mat = (m: number, n: number, dtype: 'float32' | 'float64' = 'float64') =>
  rng(m * 100 + n).normal([m, n], { dtype }) as Mat;

describe('the wasm-simd plugin', () => {
  it('registers at priority 50, between native (100) and js (0), and probes available with SIMD', () => {
    use(plugin);
    expect(getBackend('wasm-simd')).toBe(backend);
    expect(backend.priority).toBe(50);
    const p = probe();
    expect(p.available).toBe(true);
    expect(p.details?.simd).toBe('f32x4, f64x2');
    expect(wasmExports()?.memory).toBeInstanceOf(WebAssembly.Memory);
    const status = listBackends().find((b) => b.name === 'wasm-simd');
    expect(status?.kernels).toEqual(['gemm', 'gemmBatched', 'gemv', 'syrk', 'trsm']);
    // priority order, when nothing is configured: wasm-simd ahead of js
    const a = mat(64, 64);
    const e = withBackends(['wasm-simd', 'js'], () =>
      explain('gemm', { alpha: 1, a, b: a, beta: 0, c: a.copy() as Mat }),
    );
    expect(e.backend).toBe('wasm-simd');
  });

  it('declines sizes under the threshold, other dtypes, mixed dtypes and bad shapes, and js answers', () => {
    use(plugin);
    const run = (args: Parameters<typeof explain<'gemm'>>[1]) =>
      withBackends(['wasm-simd', 'js'], () => explain('gemm', args));
    const tiny = mat(4, 4);
    let e = run({ alpha: 1, a: tiny, b: tiny, beta: 0, c: tiny.copy() as Mat });
    expect(e.backend).toBe('js');
    expect(e.considered[0].reason).toMatch(/^declined: too small \(m n k = 64 < \d+\)/);
    expect(4 * 4 * 4).toBeLessThan(THRESHOLDS.level3Float64);

    const big = mat(20, 20);
    const big32 = mat(20, 20, 'float32');
    e = run({ alpha: 1, a: big, b: big32, beta: 0, c: big.copy() as Mat });
    expect(e.considered[0].reason).toBe('declined: mixed dtypes (float64 and float32)');

    const ints = new NDArray(new Int32Array(400), [20, 20]) as unknown as Mat;
    e = run({ alpha: 1, a: ints, b: ints, beta: 0, c: ints });
    expect(e.considered[0].reason).toBe("declined: 'a' has dtype int32 (float32 and float64 only)");

    e = run({ alpha: 1, a: mat(20, 21), b: big, beta: 0, c: big.copy() as Mat });
    expect(e.considered[0].reason).toMatch(/^declined: shape mismatch/);
    expect(e.backend).toBe('js');

    // and the sizes above it run here, with the same answer as js
    const a = mat(40, 30);
    const b = mat(30, 50);
    const c1 = new NDArray(new Float64Array(2000), [40, 50]) as Mat;
    const c2 = c1.copy() as Mat;
    withBackends(['wasm-simd', 'js'], () => runKernel('gemm', { alpha: 1, a, b, beta: 0, c: c1 }));
    withBackends(['js'], () => runKernel('gemm', { alpha: 1, a, b, beta: 0, c: c2 }));
    for (let i = 0; i < 2000; i++) expect(c1.data[i]).toBeCloseTo(c2.data[i], 12);
  });

  it('without WebAssembly reports itself unavailable with the reason, and every call falls back to js', async () => {
    vi.stubGlobal('WebAssembly', undefined);
    vi.resetModules();
    const mod = await import('../src/index.js');
    const p = mod.probe();
    expect(p).toEqual({ available: false, reason: 'no WebAssembly' });
    expect(mod.wasmExports()).toBeNull();
    vi.unstubAllGlobals();
    // registered under its own name for this test only, so the real backend stays untouched
    const missing = { ...mod.backend, name: 'wasm-missing' };
    use({ name: 'missing', backends: [missing] });
    try {
      const a = mat(64, 64);
      const c = a.copy() as Mat;
      const e = withBackends(['wasm-missing', 'js'], () =>
        explain('gemm', { alpha: 1, a, b: a, beta: 0, c }),
      );
      expect(e.backend).toBe('js');
      expect(e.considered[0]).toEqual({
        backend: 'wasm-missing',
        chosen: false,
        reason: 'unavailable: no WebAssembly',
      });
      expect(() => missing.kernels.gemm?.run?.({ alpha: 1, a, b: a, beta: 0, c })).toThrow(/no WebAssembly/);
      withBackends(['wasm-missing', 'js'], () => runKernel('gemm', { alpha: 1, a, b: a, beta: 0, c }));
      expect(Number.isFinite(c.get(3, 3))).toBe(true);
    } finally {
      unregisterBackend('wasm-missing');
    }
  });

  it('loadWasm() (the async path) resolves to the same availability', async () => {
    vi.resetModules();
    const mod = await import('../src/index.js');
    const p = await mod.loadWasm();
    expect(p.available).toBe(true);
    expect(mod.probe()).toBe(p);
  });
});
