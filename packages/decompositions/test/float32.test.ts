import { matmul, rng } from '@krylov/core-array';
import { describe, expect, it } from 'vitest';
import { geqrf, orgqr } from '../src/index.js';

describe('float32 kernels', () => {
  it('the blocked geqrf/orgqr kernels accept float32 matrices wider than one block', () => {
    const a = rng(3).normal([80, 70], { dtype: 'float32' });
    const w = a.copy();
    const { tau } = geqrf({ a: w });
    const r = w.slice('0:70').copy();
    for (let i = 0; i < 70; i++) for (let j = 0; j < i; j++) r.data[i * 70 + j] = 0;
    orgqr({ a: w, tau });
    const back = matmul(w, r);
    let err = 0;
    for (let i = 0; i < back.size; i++) err = Math.max(err, Math.abs(back.data[i] - a.data[i]));
    expect(back.dtype).toBe('float32');
    expect(err).toBeLessThan(1e-4);
  });
});
