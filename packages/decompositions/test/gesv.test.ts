import { type Mat, NDArray, rng } from '@krylov/core-array';
import { describe, expect, it } from 'vitest';
import { gesv } from '../src/kernels.js';
import { EPS, EPS32, withCondition } from './helpers.js';

/** ||A X - B||_F / (||A||_F ||X||_F n eps), by plain float64 loops (no kernel involved). */
function solveResidual(a: NDArray, x: NDArray, b: NDArray, eps: number): number {
  const [n, k] = x.shape;
  const av = a.toFlatArray();
  const xv = x.toFlatArray();
  const bv = b.toFlatArray();
  let r = 0;
  for (let i = 0; i < n; i++)
    for (let j = 0; j < k; j++) {
      let s = -bv[i * k + j];
      for (let p = 0; p < n; p++) s += av[i * n + p] * xv[p * k + j];
      r += s * s;
    }
  const norm = (v: number[]) => Math.sqrt(v.reduce((t, y) => t + y * y, 0));
  const den = Math.max(n, 1) * eps * norm(av) * norm(xv);
  return den === 0 ? Math.sqrt(r) : Math.sqrt(r) / den;
}

describe('the gesv kernel (A X = B in place, LAPACK dgesv)', () => {
  for (const dtype of ['float64', 'float32'] as const) {
    const eps = dtype === 'float64' ? EPS : EPS32;
    it(`${dtype}: scaled residual below 30 for sizes 0 to 70 and condition numbers to 1e12 (1e5 in float32)`, () => {
      for (const n of [0, 1, 2, 3, 17, 70])
        for (const cond of dtype === 'float64' ? [1, 1e6, 1e12] : [1, 1e5])
          for (const nrhs of [1, 4]) {
            const a = withCondition(n, n, cond, 3 * n + 1).astype(dtype);
            const b = rng(`gesv-${n}-${nrhs}`).normal([n, nrhs], { dtype });
            const x = b.copy() as Mat;
            const info = gesv({ a: a.copy() as Mat, b: x });
            const what = `n=${n} cond=${cond} nrhs=${nrhs}`;
            expect(info, what).toBe(0);
            expect(solveResidual(a, x, b, eps), what).toBeLessThan(30);
          }
    });

    it(`${dtype}: an exactly zero pivot gives info > 0 (1-based) and leaves b unsolved`, () => {
      // the third column is zero: U(3, 3) = 0 whichever of A or A^T a backend factors
      const s = new NDArray(Float64Array.from([1, 2, 0, 3, 4, 0, 5, 6, 0]), [3, 3]).astype(dtype) as Mat;
      const b = rng('gesv-singular').normal([3, 2], { dtype });
      const x = b.copy() as Mat;
      expect(gesv({ a: s, b: x })).toBe(3);
      expect(x.toFlatArray()).toEqual(b.toFlatArray());
      const zero = new NDArray(new Float64Array(4), [2, 2]).astype(dtype) as Mat;
      expect(gesv({ a: zero, b: rng(1).normal([2, 1], { dtype }) as Mat })).toBe(1);
    });
  }
});
