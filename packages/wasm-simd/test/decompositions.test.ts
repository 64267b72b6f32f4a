import {
  type FloatDType,
  type Mat,
  NDArray,
  explain,
  rng,
  runKernel,
  withBackends,
} from '@krylov/core-array';
// registers the pure-JS LAPACK kernels (getrf, potrf, geqrf): blocked, so their updates call gemm and trsm
import { cholesky } from '@krylov/decompositions';
import { describe, expect, it, vi } from 'vitest';
import { backend } from '../src/index.js';
import { DTYPES, epsOf, f64, relErr } from './helpers.js';

void cholesky;

/** The blocked factorizations of @krylov/decompositions give the same factors with wasm-simd under them. */
describe('decompositions on the wasm-simd kernels', () => {
  for (const dtype of DTYPES) {
    const eps = epsOf(dtype);
    const n = 150;

    const spd = (): Mat => {
      const a = rng(`spd-${dtype}`).normal([n, n]);
      const s = new NDArray(new Float64Array(n * n), [n, n]) as Mat;
      withBackends(['js'], () => runKernel('gemm', { alpha: 1, a: a as Mat, b: a.T as Mat, beta: 0, c: s }));
      for (let i = 0; i < n; i++) s.set(s.get(i, i) + n, i, i);
      return s.astype(dtype) as Mat;
    };

    /** Runs `kernel` under [wasm-simd, js] and under [js] alone; counts the wasm-simd calls. */
    function both<R>(fn: () => R): { wasm: R; js: R; calls: Record<string, number> } {
      const calls: Record<string, number> = {};
      const kernels = backend.kernels as Record<string, { run: (args: unknown) => unknown }>;
      const spies = ['gemm', 'trsm', 'syrk'].map((k) => [k, vi.spyOn(kernels[k], 'run')] as const);
      const wasm = withBackends(['wasm-simd', 'js'], fn);
      for (const [k, s] of spies) {
        calls[k] = s.mock.calls.length;
        s.mockRestore();
      }
      return { wasm, js: withBackends(['js'], fn), calls };
    }

    it(`getrf ${dtype} (blocked LU: trsm + gemm updates)`, () => {
      const a = rng(`lu-${dtype}`).normal([n, n], { dtype }) as Mat;
      const r = both(() => {
        const w = a.copy() as Mat;
        return { w, ...runKernel('getrf', { a: w }) };
      });
      expect(r.calls.gemm).toBeGreaterThan(0);
      expect(r.wasm.info).toBe(0);
      expect([...r.wasm.ipiv]).toEqual([...r.js.ipiv]);
      expect(relErr(r.wasm.w, r.js.w)).toBeLessThan(100 * n * eps);
    });

    it(`potrf ${dtype} (blocked left-looking Cholesky: gemm updates)`, () => {
      const a = spd();
      const r = both(() => {
        const w = a.copy() as Mat;
        return { w, info: runKernel('potrf', { a: w }) };
      });
      // since decompositions 4fb0154, potrf updates each block column with one gemm (no syrk or trsm)
      expect(r.calls.gemm).toBeGreaterThan(0);
      expect(r.wasm.info).toBe(0);
      expect(relErr(r.wasm.w, r.js.w)).toBeLessThan(100 * n * eps);
    });

    it(`geqrf ${dtype} (blocked Householder QR: gemm updates)`, () => {
      const a = rng(`qr-${dtype}`).normal([n + 20, n], { dtype }) as Mat;
      const r = both(() => {
        const w = a.copy() as Mat;
        return { w, ...runKernel('geqrf', { a: w }) };
      });
      expect(r.calls.gemm).toBeGreaterThan(0);
      expect(relErr(r.wasm.w, r.js.w)).toBeLessThan(100 * n * eps);
      expect(relErr(f64(r.wasm.tau), f64(r.js.tau))).toBeLessThan(100 * n * eps);
    });
  }

  it('a large gemm in a factorization is chosen for wasm-simd by the registry', () => {
    const a = rng('x').normal([100, 100]) as Mat;
    const e = withBackends(['wasm-simd', 'js'], () =>
      explain('gemm', { alpha: -1, a, b: a, beta: 1, c: a.copy() as Mat }),
    );
    expect(e.backend).toBe('wasm-simd');
  });
});
