// The overlap property suite of core-array with the wasm-simd backend first (size thresholds at 0
// so that its kernels take the small operands): outputs that overlap inputs must give
// copy-then-compute's answer whichever backend runs the kernel.
import { type Mat, NDArray, explain, use } from '@krylov/core-array';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { overlapProperties } from '../../core-array/test/overlap-suite.js';
import { THRESHOLDS, plugin } from '../src/index.js';

use(plugin);
const saved = { ...THRESHOLDS };
beforeAll(() => {
  THRESHOLDS.level3Float64 = 0;
  THRESHOLDS.level3Float32 = 0;
  THRESHOLDS.gemvSize = 0;
});
afterAll(() => Object.assign(THRESHOLDS, saved));

describe('overlap suite runs on wasm-simd', () => {
  it('the registry picks wasm-simd for the suite’s small strided operands', () => {
    const buf = new Float64Array(100);
    const a = new NDArray(buf, [3, 4], [10, -1], 5) as Mat;
    const c = new NDArray(buf, [3, 3], [-10, 2], 60) as Mat;
    expect(explain('gemm', { alpha: 1, a, b: a.T as Mat, beta: 0, c }).backend).toBe('wasm-simd');
  });
});

overlapProperties('wasm-simd', ['wasm-simd', 'js']);
