import { describe, expect, it } from 'vitest';
import { dct, idct } from '../src/dct.js';

describe('fast DCT', () => {
  it('matches the O(N^2) orthonormal DCT-II and inverts it, N = 1 .. 64', () => {
    for (const n of [1, 2, 4, 8, 16, 64]) {
      const x = Float64Array.from({ length: n }, (_, i) => Math.sin(3 * i + 1));
      const got = dct(x);
      for (let k = 0; k < n; k++) {
        let s = 0;
        for (let j = 0; j < n; j++) s += x[j] * Math.cos((Math.PI * (2 * j + 1) * k) / (2 * n));
        expect(got[k]).toBeCloseTo(s * (k === 0 ? Math.sqrt(1 / n) : Math.sqrt(2 / n)), 12);
      }
      idct(got).forEach((v, i) => expect(v).toBeCloseTo(x[i], 12));
    }
  });
});
