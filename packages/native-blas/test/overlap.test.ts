// The overlap property suite of core-array with the native backend first: outputs that overlap
// inputs must give copy-then-compute's answer whichever backend runs the kernel.
import { type Mat, NDArray, explain, use } from '@krylov/core-array';
import { describe, expect, it } from 'vitest';
import { overlapProperties } from '../../core-array/test/overlap-suite.js';
import { nativeAddon, plugin } from '../src/index.js';

use(plugin);
const built = nativeAddon() !== null;

describe.skipIf(!built)('overlap suite runs on native', () => {
  it('the registry picks native for the suite’s small strided operands', () => {
    const buf = new Float64Array(100);
    const a = new NDArray(buf, [3, 4], [10, -1], 5) as Mat;
    const c = new NDArray(buf, [3, 3], [-10, 2], 60) as Mat;
    expect(explain('gemm', { alpha: 1, a, b: a.T as Mat, beta: 0, c }).backend).toBe('native');
  });
});

if (built) overlapProperties('native', ['native', 'js']);
