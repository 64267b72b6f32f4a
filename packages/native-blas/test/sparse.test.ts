import { NDArray, type Vec, explain, rng, withBackends } from '@krylov/core-array';
import { CSRMatrix, poisson, randomSparse } from '@krylov/solvers';
import { spmv } from '@krylov/solvers/kernels';
import { describe, expect, it } from 'vitest';
import { nativeAddon } from '../src/index.js';
import { built } from './helpers.js';

describe.skipIf(!built)("native spmv (the catalogue kernel whose JS reference is @krylov/solvers')", () => {
  it('matches the pure-JS kernel, plain and transposed, with alpha and beta', () => {
    for (const a of [
      randomSparse(37, 23, { density: 0.2, seed: 1, values: 'normal' }),
      poisson([9, 7]),
      randomSparse(5, 8, { density: 0, seed: 2 }),
    ]) {
      const [m, n] = a.shape;
      for (const transpose of [false, true]) {
        const x = rng(3).normal([transpose ? m : n]) as Vec;
        const y0 = rng(4).normal([transpose ? n : m]) as Vec;
        for (const [alpha, beta] of [
          [1, 0],
          [2.5, -0.5],
          [0, 1],
        ]) {
          const args = { a, x, alpha, beta, transpose };
          const yNative = y0.copy() as Vec;
          const yJs = y0.copy() as Vec;
          withBackends(['native'], () => spmv({ ...args, y: yNative }));
          withBackends(['js'], () => spmv({ ...args, y: yJs }));
          yNative.data.forEach((v, i) => expect(v).toBeCloseTo(yJs.data[i], 12));
        }
      }
    }
    expect(
      explain('spmv', {
        a: poisson([3]),
        x: new NDArray(new Float64Array(3), [3]) as Vec,
        y: new NDArray(new Float64Array(3), [3]) as Vec,
        alpha: 1,
        beta: 0,
        transpose: false,
      }).backend,
    ).toBe('native');
    // CSRMatrix.matvec goes through the registry, so it runs natively too.
    const p = poisson([20, 20]);
    const x = rng(5).normal([400]).data as Float64Array;
    const native = p.matvec(x);
    const js = withBackends(['js'], () => p.matvec(x));
    native.forEach((v, i) => expect(v).toBeCloseTo(js[i], 12));
  });

  it('rejects malformed CSR arrays with a RangeError or TypeError, never a crash', () => {
    const addon = nativeAddon()!;
    const ip = Int32Array.of(0, 1, 2);
    const ix = Int32Array.of(0, 1);
    const dv = Float64Array.of(1, 2);
    const x = new Float64Array(2);
    const y = new Float64Array(2);
    const call = (over: Partial<Record<number, unknown>>) => {
      const args: unknown[] = [ip, ix, dv, 2, 2, x, y, 1, 0, false];
      for (const [k, v] of Object.entries(over)) args[Number(k)] = v;
      return () => (addon.spmv as (...a: unknown[]) => void)(...args);
    };
    expect(call({})).not.toThrow();
    expect(call({ 0: Int32Array.of(0, 1) })).toThrow(RangeError); // indptr too short
    expect(call({ 0: Int32Array.of(0, 3, 2) })).toThrow(/indptr\[1\]/); // beyond nnz
    expect(call({ 0: Int32Array.of(0, 2, 1) })).toThrow(/indptr\[2\]/); // decreasing
    expect(call({ 0: Int32Array.of(1, 1, 2) })).toThrow(/indptr\[0\]/);
    expect(call({ 1: Int32Array.of(0, 7) })).toThrow(/indices\[1\] = 7/);
    expect(call({ 1: Int32Array.of(-1, 0) })).toThrow(/indices\[0\] = -1/);
    expect(call({ 2: new Float32Array(2) })).toThrow(TypeError);
    expect(call({ 5: new Float64Array(3) })).toThrow(/x has length 3/);
    expect(call({ 6: x })).toThrow(/share memory/);
    expect(call({ 3: -1 })).toThrow(RangeError);
    expect(call({ 3: 2.5 })).toThrow(RangeError);
    expect(call({ 9: 1 })).toThrow(TypeError);
    expect(() => (addon.spmv as (...a: unknown[]) => void)(ip, ix)).toThrow();
    // Random garbage: always an exception or a clean run.
    const r = rng(6);
    const pool: unknown[] = [
      ip,
      ix,
      dv,
      x,
      y,
      0,
      1,
      2,
      -3,
      1e300,
      Number.NaN,
      null,
      undefined,
      true,
      'a',
      {},
      new Int32Array(5),
      new Float64Array(0),
    ];
    for (let t = 0; t < 2000; t++) {
      const args = Array.from({ length: 10 }, () => pool[r.below(pool.length)]);
      try {
        (addon.spmv as (...a: unknown[]) => void)(...args);
      } catch (e) {
        expect(e).toBeInstanceOf(Error);
      }
    }
  });

  it('declines what it cannot take', () => {
    const a = new CSRMatrix([2, 2], Int32Array.of(0, 1, 2), Int32Array.of(0, 1), Float64Array.of(2, 3));
    const buf = new Float64Array(4);
    const args = { a, alpha: 1, beta: 0, transpose: false };
    const dense = new NDArray(new Float64Array(2), [2]) as Vec;
    // a strided x, the same vector as x and y, and float32 vectors all go to the JS kernel
    const strided = new NDArray(buf, [2], [2], 0) as Vec;
    expect(explain('spmv', { ...args, x: strided, y: dense }).backend).toBe('js');
    expect(explain('spmv', { ...args, x: dense, y: dense }).backend).toBe('js');
    const f32 = new NDArray(new Float32Array(2), [2]) as Vec;
    expect(explain('spmv', { ...args, x: f32, y: f32.copy() as Vec }).backend).toBe('js');
  });
});
