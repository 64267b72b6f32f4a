import {
  type Mat,
  NDArray,
  SingularMatrixError,
  matmul,
  registerBackend,
  rng,
  unregisterBackend,
  withBackends,
} from '@krylov/core-array';
import { afterEach, describe, expect, it } from 'vitest';
import { det, eigh, inv, solve, svd } from '../src/index.js';
import { gesv } from '../src/kernels.js';

/** max |A x - b| / max |b|, by plain loops. */
function relativeResidual(a: NDArray, x: NDArray, b: NDArray): number {
  const r = matmul(a, x).toFlatArray();
  const bv = b.toFlatArray();
  return Math.max(...r.map((v, i) => Math.abs(v - bv[i]))) / Math.max(...bv.map(Math.abs));
}

afterEach(() => unregisterBackend('reentrant'));

describe("solve, inv, slogdet, svd and eigh reuse one buffer for a's working copy", () => {
  it('calls of different sizes and dtypes in a row stay correct and never alias their results', () => {
    const results: { a: NDArray; x: NDArray; b: NDArray; copy: number[] }[] = [];
    for (const [n, dtype] of [
      [40, 'float64'],
      [12, 'float64'],
      [40, 'float32'],
      [60, 'float64'],
    ] as const) {
      const a = rng(`wc-a-${n}`).normal([n, n], { dtype });
      const b = rng(`wc-b-${n}`).normal([n, 2], { dtype });
      const x = solve(a, b);
      expect(x.dtype).toBe(dtype);
      results.push({ a, x, b, copy: x.toFlatArray() });
    }
    // later calls (which overwrite the spare buffer) left earlier results and inputs as they were
    for (const { a, x, b, copy } of results) {
      expect(x.toFlatArray()).toEqual(copy);
      expect(relativeResidual(a, x, b)).toBeLessThan(a.dtype === 'float32' ? 1e-3 : 1e-10);
    }
  });

  it('svd and eigh results survive later calls that reuse the buffer', () => {
    const a = rng('wc-svd').normal([30, 20]);
    const spd = matmul(a.T, a);
    const first = { svd: svd(a), eigh: eigh(spd) };
    const copies = [first.svd.u, first.svd.s, first.svd.vt, first.eigh.values, first.eigh.vectors!].map((x) =>
      x.toFlatArray(),
    );
    // other sizes and modes in between, including the empty matrix and a values-only call
    svd(rng('wc-svd-2').normal([25, 40]), { mode: 'full' });
    eigh(matmul(a, a.T), { vectors: false });
    svd(new NDArray(new Float64Array(0), [0, 4]));
    eigh(spd, { range: [2, 5] });
    const again = [first.svd.u, first.svd.s, first.svd.vt, first.eigh.values, first.eigh.vectors!];
    again.forEach((x, i) => expect(x.toFlatArray()).toEqual(copies[i]));
    expect(svd(a).s.toFlatArray()).toEqual(copies[1]);
    expect(eigh(spd).values.toFlatArray()).toEqual(copies[3]);
  });

  it('a throwing call releases the buffer for the next one', () => {
    const singular = new NDArray(Float64Array.from([1, 2, 2, 4]), [2, 2]);
    expect(() => solve(singular, new NDArray(Float64Array.from([1, 1]), [2]))).toThrow(SingularMatrixError);
    expect(() => inv(singular)).toThrow(SingularMatrixError);
    expect(det(singular)).toBe(0);
    const a = new NDArray(Float64Array.from([4, 1, 1, 3]), [2, 2]);
    expect(inv(a).toArray()).toEqual([
      [3 / 11, -1 / 11],
      [-1 / 11, 4 / 11],
    ]);
    expect(det(a)).toBeCloseTo(11, 12);
  });

  it('a kernel that calls solve again while the buffer is in use gets its own copy', () => {
    // a plugin gesv that first solves another system through solve, then solves its own: had the
    // nested solve reused the buffer holding `a`, it would have overwritten it
    const other = rng('wc-other').normal([30, 30]);
    registerBackend({
      name: 'reentrant',
      priority: 0,
      probe: () => ({ available: true }),
      kernels: {
        gesv: {
          run: ({ a, b }: { a: Mat; b: Mat }) =>
            withBackends(['js'], () => {
              solve(other, rng('wc-other-b').normal([30, 1]));
              return gesv({ a, b });
            }),
        },
      },
    });
    const a = rng('wc-nested-a').normal([30, 30]);
    const b = rng('wc-nested-b').normal([30, 3]);
    const x = withBackends(['reentrant', 'js'], () => {
      expect(gesv.explain({ a: a as Mat, b: b as Mat }).backend).toBe('reentrant');
      return solve(a, b);
    });
    expect(relativeResidual(a, x, b)).toBeLessThan(1e-10);
  });
});
