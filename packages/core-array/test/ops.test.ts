import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  NDArray,
  add,
  argmax,
  argmin,
  array,
  broadcastShapes,
  clip,
  div,
  equal,
  exp,
  greater,
  isnan,
  max,
  maximum,
  mean,
  min,
  mul,
  norm,
  prod,
  rng,
  round,
  std,
  sub,
  sum,
  variance,
  where,
} from '../src/index.js';

const g = rng(77);

/** The value of a broadcast operand at a result index (NumPy rules), computed naively. */
function broadcastGet(a: NDArray, index: number[]): number {
  const pad = index.length - a.ndim;
  return a.get(...a.shape.map((d, i) => (d === 1 ? 0 : index[pad + i])));
}
function* indices(shape: number[]): Generator<number[]> {
  const n = shape.reduce((s, d) => s * d, 1);
  for (let k = 0; k < n; k++) {
    const idx: number[] = [];
    let r = k;
    for (let i = shape.length - 1; i >= 0; i--) {
      idx.unshift(r % shape[i]);
      r = Math.floor(r / shape[i]);
    }
    yield idx;
  }
}

describe('elementwise operations with broadcasting', () => {
  it('match a naive N-D loop on random broadcastable shapes and views (property test)', () => {
    const shapeArb = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 0, maxLength: 4 });
    fc.assert(
      fc.property(
        shapeArb,
        fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
        fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
        fc.boolean(),
        (shape, dropA, dropB, transpose) => {
          const sa = shape.map((d, i) => (dropA[i] ? 1 : d)).slice(dropA[3] ? 1 : 0);
          const sb = shape.map((d, i) => (dropB[i] ? 1 : d));
          let a = g.normal(sa);
          const b = g.normal(sb);
          if (transpose) a = a.copy().T.copy().T; // same values through a transposed round trip
          const out = add(mul(a, b), 2);
          expect(out.shape).toEqual(broadcastShapes('test', sa, sb));
          for (const idx of indices(out.shape as number[])) {
            expect(out.get(...idx)).toBeCloseTo(broadcastGet(a, idx) * broadcastGet(b, idx) + 2, 12);
          }
        },
      ),
      { seed: 42, numRuns: 150 },
    );
  });
  it('promote dtypes like NumPy and accept scalars', () => {
    const i = array([1, 2, 3], { dtype: 'int32' });
    const f = array([0.5, 1, 2], { dtype: 'float32' });
    expect(add(i, 1).dtype).toBe('int32');
    expect(add(i, 0.5).dtype).toBe('float64');
    expect(add(f, 2).dtype).toBe('float32');
    expect(add(i, f).dtype).toBe('float32');
    expect(div(i, 2).toFlatArray()).toEqual([0.5, 1, 1.5]);
    expect(div(i, 2).dtype).toBe('float64');
    expect(sub(10, i).toFlatArray()).toEqual([9, 8, 7]);
    expect(exp(i).dtype).toBe('float64');
    expect(greater(f, 0.9).dtype).toBe('bool');
    expect(greater(f, 0.9).toFlatArray()).toEqual([0, 1, 1]);
    expect(equal(array([Number.NaN]), array([Number.NaN])).toFlatArray()).toEqual([0]);
    expect(isnan(array([1, Number.NaN])).toFlatArray()).toEqual([0, 1]);
    expect(maximum(array([1, Number.NaN, 3]), 2).toFlatArray()).toEqual([2, Number.NaN, 3]);
    expect(round(array([0.5, 1.5, 2.5, -0.5])).toFlatArray()).toEqual([0, 2, 2, -0]);
    expect(clip(array([-2, 0.5, 9]), 0, 1).toFlatArray()).toEqual([0, 0.5, 1]);
    expect(where(greater(f, 0.9), f, -1).toFlatArray()).toEqual([-1, 1, 2]);
  });
  it('write in place through `out`, also when out aliases an input', () => {
    const a = array([
      [1, 2],
      [3, 4],
    ]);
    const r = add(a, a.T, { out: a });
    expect(r).toBe(a);
    expect(a.toArray()).toEqual([
      [2, 5],
      [5, 8],
    ]);
    expect(() => add(a, 1, { out: array([1, 2]) })).toThrow(
      "add: argument 'options.out' with shape [2]: expected the broadcast shape [2,2]",
    );
    expect(() =>
      add(a, 1, {
        out: array(
          [
            [1, 2],
            [3, 4],
          ],
          { dtype: 'float32' },
        ),
      }),
    ).toThrow("add: argument 'options.out' has dtype float32; expected float64");
    expect(() => add(g.normal([2, 3]), g.normal([4, 3]))).toThrow(
      "add: argument 'operand 1' with shape [4, 3]: does not broadcast with shape [2,3]",
    );
    expect(() => add(a, 1, { inplace: true } as never)).toThrow("add: argument 'options.inplace'");
  });
});

describe('reductions', () => {
  const x = g.normal([3, 4, 5]).slice(null, '::-1');
  const naive = (axes: number[], f: (v: number[]) => number) => {
    const keptShape = x.shape.filter((_, i) => !axes.includes(i));
    const out: number[] = [];
    for (const k of indices(keptShape as number[])) {
      const vals: number[] = [];
      for (const idx of indices(x.shape as number[])) {
        const kept = idx.filter((_, i) => !axes.includes(i));
        if (kept.every((v, i) => v === k[i])) vals.push(x.get(...idx));
      }
      out.push(f(vals));
    }
    return out;
  };
  const total = (v: number[]) => v.reduce((s, a) => s + a, 0);
  for (const axes of [[0], [1], [2], [0, 2], [2, 0, 1], [-1]]) {
    it(`sum, mean, prod, min, max, var, std over axes ${JSON.stringify(axes)} match naive loops`, () => {
      const norm3 = axes.map((a) => (a < 0 ? a + 3 : a));
      const close = (got: NDArray, want: number[]) =>
        got.toFlatArray().forEach((v, i) => expect(v).toBeCloseTo(want[i], 10));
      close(sum(x, { axis: axes }), naive(norm3, total));
      close(
        mean(x, { axis: axes }),
        naive(norm3, (v) => total(v) / v.length),
      );
      close(
        prod(x, { axis: axes }),
        naive(norm3, (v) => v.reduce((s, a) => s * a, 1)),
      );
      close(
        min(x, { axis: axes }),
        naive(norm3, (v) => Math.min(...v)),
      );
      close(
        max(x, { axis: axes }),
        naive(norm3, (v) => Math.max(...v)),
      );
      const varOf = (v: number[], ddof: number) => {
        const m = total(v) / v.length;
        return total(v.map((a) => (a - m) ** 2)) / (v.length - ddof);
      };
      close(
        variance(x, { axis: axes, ddof: 1 }),
        naive(norm3, (v) => varOf(v, 1)),
      );
      close(
        std(x, { axis: axes }),
        naive(norm3, (v) => Math.sqrt(varOf(v, 0))),
      );
      expect(sum(x, { axis: axes, keepdims: true }).ndim).toBe(3);
    });
  }
  it('argmin/argmax, full reductions, NaN and empty arrays', () => {
    const a = array([
      [3, 9, 1],
      [7, 2, 8],
    ]);
    expect(argmax(a).item()).toBe(1);
    expect(argmin(a, { axis: 1 }).toFlatArray()).toEqual([2, 1]);
    expect(argmax(a, { axis: 0 }).toFlatArray()).toEqual([1, 0, 1]);
    expect(argmax(array([1, Number.NaN, 5])).item()).toBe(1);
    expect(sum(a).item()).toBe(30);
    expect(Number.isNaN(max(array([1, Number.NaN, 2])).item())).toBe(true);
    expect(sum(array([])).item()).toBe(0);
    expect(() => max(array([]))).toThrow("max: argument 'x' with shape [0]: zero-size array has no maximum");
    expect(() => sum(a, { axis: [0, 0] })).toThrow(
      "sum: argument 'options.axis' is [0, 0]; expected distinct axes",
    );
    expect(() => sum(a, { axis: 2 })).toThrow(
      "sum: argument 'options.axis' is 2; expected an axis in [-2, 2)",
    );
  });
  it('pairwise summation keeps the error small on long sums', () => {
    const n = 1 << 20;
    const v = new NDArray(new Float64Array(n).fill(0.1), [n]);
    expect(Math.abs(sum(v).item() - n * 0.1) / (n * 0.1)).toBeLessThan(1e-14);
  });
  it('vector and matrix norms', () => {
    const v = array([3, -4]);
    expect(norm(v).item()).toBe(5);
    expect(norm(v, 1).item()).toBe(7);
    expect(norm(v, Number.POSITIVE_INFINITY).item()).toBe(4);
    expect(norm(v, Number.NEGATIVE_INFINITY).item()).toBe(3);
    expect(norm(array([1e200, 1e200])).item()).toBeCloseTo(Math.SQRT2 * 1e200, -185);
    const m = array([
      [1, -2],
      [3, 4],
    ]);
    expect(norm(m, 'fro').item()).toBeCloseTo(Math.sqrt(30), 14);
    expect(norm(m, 1).item()).toBe(6);
    expect(norm(m, Number.POSITIVE_INFINITY).item()).toBe(7);
    expect(norm(m, undefined, { axis: 1 }).toFlatArray()).toEqual([Math.sqrt(5), 5]);
    expect(() => norm(m, 'nuc')).toThrow(/norm: argument 'ord' is "nuc"; .*matrixNorm/);
  });
});
