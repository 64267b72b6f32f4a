// The native BLAS kernels' own behaviour. Their agreement with the pure-JS kernels over every
// layout, size and dtype is the conformance suite's (conformance.test.ts).
import { type Mat, explain, rng } from '@krylov/core-array';
import { describe, expect, it } from 'vitest';
import { built, on, relErr } from './helpers.js';

describe.skipIf(!built)('native BLAS kernels', () => {
  it('declines what it cannot take, so the pure-JS kernel reports the error', () => {
    const a = rng(1).normal([3, 4]) as Mat;
    const b = rng(2).normal([3, 4], { dtype: 'float32' }) as Mat;
    const c = rng(3).normal([3, 4]) as Mat;
    const e = explain('gemm', { alpha: 1, a, b, beta: 0, c });
    expect(e.considered.find((x) => x.backend === 'native')?.reason).toMatch(
      /^declined: (mixed dtypes|shape mismatch)/,
    );
    const square = explain('gemm', { alpha: 1, a, b: a.T as Mat, beta: 0, c: rng(4).normal([3, 3]) as Mat });
    expect(square.backend).toBe('native');
  });

  it('copies inputs that share storage with the output', () => {
    const a = rng(5).normal([4, 4]) as Mat;
    const ref = a.copy() as Mat;
    on('js', 'gemm', { alpha: 1, a: a.copy() as Mat, b: a.copy() as Mat, beta: 1, c: ref });
    on('native', 'gemm', { alpha: 1, a, b: a, beta: 1, c: a });
    expect(relErr(a, ref)).toBeLessThan(1e-14);
  });
});
