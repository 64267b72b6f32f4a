import { type Mat, NDArray, configure, rng } from '@krylov/core-array';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gesdd, getrf, getrs, potrf, potrs, syevd } from '../src/kernels.js';
import { withCondition } from './helpers.js';

/**
 * The pure-JS kernels work on a raw row-major float64 buffer: in place when the argument already is
 * one, otherwise on a copy written back at the end. These tests call the kernels with the layouts
 * that take the copy path (a transposed view, a view with a row stride wider than its width, a
 * float32 matrix) and compare with the in-place path, entry by entry.
 */

type M = NDArray<'float64'>;

/** The same matrix as a transposed view of its transpose (strides [1, n]). */
const transposedView = (a: M): Mat => a.T.copy().T as Mat;
/** The same matrix inside a wider buffer (row stride n + 3). */
const paddedView = (a: M): Mat => {
  const [m, n] = a.shape;
  const big = new NDArray(new Float64Array(m * (n + 3)).fill(Number.NaN), [m, n + 3]);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) big.data[i * (n + 3) + j] = a.data[i * n + j];
  return big.slice(null, `0:${n}`) as Mat;
};
const float32 = (a: M): Mat => a.astype('float32') as Mat;
const entries = (a: NDArray) => a.toFlatArray() as number[];

function expectClose(a: number[], b: number[], tol: number): void {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThanOrEqual(tol);
}

describe('pure-JS kernels on strided and float32 layouts (n = 70, more than one block)', () => {
  // The bitwise comparisons are about the JS kernels' copy path; this file also runs under the
  // native backend's configuration, where LAPACK's results may differ in the last bit by layout.
  beforeAll(() => configure({ backends: ['js'] }));
  afterAll(() => configure({ backends: null }));
  const n = 70;
  const a = withCondition(n, n, 100, 21);
  const spd = (() => {
    const g = rng(22).normal([n, n]);
    const s = new NDArray(new Float64Array(n * n), [n, n]) as M;
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        let t = i === j ? n : 0;
        for (let k = 0; k < n; k++) t += g.data[i * n + k] * g.data[j * n + k];
        s.data[i * n + j] = t;
      }
    return s;
  })();

  it('getrf and getrs: identical factors and solutions for transposed and padded views', () => {
    const ref = a.copy() as M;
    const { ipiv } = getrf({ a: ref });
    const b = rng(23).normal([n, 3]) as M;
    const x = b.copy() as M;
    getrs({ lu: ref, ipiv, b: x, transpose: false });
    for (const view of [transposedView(a as M), paddedView(a as M)]) {
      const r = getrf({ a: view });
      expect(Array.from(r.ipiv)).toEqual(Array.from(ipiv));
      expect(entries(view)).toEqual(entries(ref));
      const xb = transposedView(b);
      getrs({ lu: view, ipiv: r.ipiv, b: xb, transpose: false });
      expect(entries(xb)).toEqual(entries(x));
    }
  });

  it('potrf and potrs: the strict upper triangle is untouched on every layout', () => {
    const ref = spd.copy() as M;
    expect(potrf({ a: ref })).toBe(0);
    const padded = paddedView(spd);
    expect(potrf({ a: padded })).toBe(0);
    expect(entries(padded)).toEqual(entries(ref));
    for (let i = 0; i < n; i++)
      for (let j = i + 1; j < n; j++) expect(padded.get(i, j)).toBe(spd.data[i * n + j]);
    const b = rng(24).normal([n, 2]) as M;
    const x = b.copy() as M;
    potrs({ l: ref, b: x });
    const xp = paddedView(b);
    potrs({ l: padded, b: xp });
    expect(entries(xp)).toEqual(entries(x));
    const f = float32(spd);
    expect(potrf({ a: f })).toBe(0);
    expectClose(entries(f), entries(ref).map(Math.fround), 1e-3);
  });

  it('gesdd and syevd: float32 and transposed inputs give the float64 results to their precision', () => {
    const s64 = gesdd({ a: a.copy() as Mat, job: 'thin' });
    const sT = gesdd({ a: transposedView(a as M), job: 'thin' });
    expectClose(entries(sT.s), entries(s64.s), 1e-14);
    const s32 = gesdd({ a: float32(a as M), job: 'values' });
    expect(s32.s.dtype).toBe('float32');
    expectClose(entries(s32.s), entries(s64.s), 1e-5);
    const e64 = syevd({ a: spd.copy() as Mat, vectors: true });
    const eT = syevd({ a: transposedView(spd), vectors: false });
    expectClose(entries(eT.w), entries(e64.w), 1e-12 * n * n);
    const e32 = syevd({ a: float32(spd), vectors: true });
    expect(e32.v!.dtype).toBe('float32');
    expectClose(entries(e32.w), entries(e64.w), 1e-5 * n * n);
  });
});
