import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import {
  NDArray,
  arange,
  array,
  copyInto,
  eye,
  fromTypedArray,
  full,
  isNDArray,
  linspace,
  ones,
  zeros,
} from '../src/index.js';

/** Naive slicing of a nested array along one axis with NumPy's start/stop/step rules. */
function sliceAxis(n: number, start: number | undefined, stop: number | undefined, step: number): number[] {
  const out: number[] = [];
  const norm = (v: number, lo: number, hi: number) => Math.min(Math.max(v < 0 ? v + n : v, lo), hi);
  if (step > 0)
    for (
      let i = start === undefined ? 0 : norm(start, 0, n);
      i < (stop === undefined ? n : norm(stop, 0, n));
      i += step
    )
      out.push(i);
  else
    for (
      let i = start === undefined ? n - 1 : norm(start, -1, n - 1);
      i > (stop === undefined ? -1 : norm(stop, -1, n - 1));
      i += step
    )
      out.push(i);
  return out;
}

describe('views', () => {
  it('slice with steps (negative included) matches naive index arithmetic (property test)', () => {
    const spec = fc.record({
      start: fc.option(fc.integer({ min: -7, max: 7 }), { nil: undefined }),
      stop: fc.option(fc.integer({ min: -7, max: 7 }), { nil: undefined }),
      step: fc.integer({ min: -3, max: 3 }).filter((s) => s !== 0),
    });
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 6 }),
        spec,
        spec,
        (m, n, s0, s1) => {
          const a = arange(m * n).reshape([m, n]);
          const v = a.slice(s0, s1);
          const rows = sliceAxis(m, s0.start, s0.stop, s0.step);
          const cols = sliceAxis(n, s1.start, s1.stop, s1.step);
          expect(v.shape).toEqual([rows.length, cols.length]);
          expect(v.toArray()).toEqual(rows.map((i) => cols.map((j) => i * n + j)));
          expect(v.data).toBe(a.data);
        },
      ),
      { seed: 7, numRuns: 300 },
    );
  });
  it('string specs, integers, ellipsis and transposes', () => {
    const a = arange(24).reshape([2, 3, 4]);
    expect(a.slice('...', 1).toArray()).toEqual([
      [1, 5, 9],
      [13, 17, 21],
    ]);
    expect(a.slice(1, '::-1', '1:3').toArray()).toEqual([
      [21, 22],
      [17, 18],
      [13, 14],
    ]);
    expect(a.transpose([2, 0, 1]).shape).toEqual([4, 2, 3]);
    expect(a.transpose([2, 0, 1]).get(3, 1, 2)).toBe(a.get(1, 2, 3));
    expect(a.T.shape).toEqual([4, 3, 2]);
    expect(() => a.slice('1:2:0')).toThrow(
      "NDArray.slice: argument 'specs[0].step' is 0; expected a non-zero integer",
    );
    expect(() => a.slice(5)).toThrow(
      "NDArray.slice: argument 'specs[0]' is 5; expected an integer index in [-2, 2)",
    );
    expect(() => a.transpose([0, 0, 1])).toThrow("NDArray.transpose: argument 'axes' is [0, 0, 1]");
  });
  it('reshape is a view when the strides allow and a copy otherwise (property test)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom([2, 3, 4], [6, 4], [4, 6], [24], [3, 8], [2, 12]),
        fc.constantFrom([24], [4, 6], [2, 3, 4], [8, 3], [-1, 2]),
        fc.boolean(),
        (from, to, transposed) => {
          const base = arange(24).reshape(from);
          const a = transposed ? base.T : base;
          const r = a.reshape(to);
          expect(r.toFlatArray()).toEqual(a.toFlatArray());
          if (!transposed) expect(r.data).toBe(base.data);
        },
      ),
      { seed: 3, numRuns: 60 },
    );
    const t = arange(6).reshape([2, 3]).T;
    expect(t.reshape([6]).data).not.toBe(t.data);
    expect(arange(12).reshape([3, 4]).slice(null, '0:2').reshape([3, 2, 1]).shape).toEqual([3, 2, 1]);
    expect(() => arange(6).reshape([4, -1])).toThrow(
      "NDArray.reshape: argument 'shape' with shape [4, -1]: cannot reshape an array of size 6",
    );
  });
  it('broadcast, squeeze, expandDims, copy and contiguous', () => {
    const v = array([1, 2, 3]);
    const b = v.broadcastTo([2, 3]);
    expect(b.strides).toEqual([0, 1]);
    expect(b.toArray()).toEqual([
      [1, 2, 3],
      [1, 2, 3],
    ]);
    expect(() => v.broadcastTo([2, 4])).toThrow(
      "broadcastTo: argument 'shape' with shape [2, 4]: cannot broadcast [3] to it",
    );
    expect(v.expandDims(0).shape).toEqual([1, 3]);
    expect(v.expandDims(-1).shape).toEqual([3, 1]);
    expect(v.expandDims(0).expandDims(2).squeeze().shape).toEqual([3]);
    expect(() => v.reshape([3, 1]).squeeze([0])).toThrow(
      "NDArray.squeeze: argument 'axes' with shape [3, 1]: axis 0 has extent 3, not 1",
    );
    const t = arange(6).reshape([2, 3]).T;
    expect(t.isContiguous).toBe(false);
    const c = t.contiguous();
    expect(c.isContiguous).toBe(true);
    expect(c.toArray()).toEqual(t.toArray());
    expect(c.contiguous()).toBe(c);
    expect(t.copy('int32').dtype).toBe('int32');
  });
  it('creation functions, typed-array wrapping without copy, and printing', () => {
    expect(zeros([2, 2]).toArray()).toEqual([
      [0, 0],
      [0, 0],
    ]);
    expect(ones([2], { dtype: 'int32' }).dtype).toBe('int32');
    expect(full([2], 7).toFlatArray()).toEqual([7, 7]);
    expect(eye(3, { k: -1 }).toArray()).toEqual([
      [0, 0, 0],
      [1, 0, 0],
      [0, 1, 0],
    ]);
    expect(arange(1, 2, 0.25).toFlatArray()).toEqual([1, 1.25, 1.5, 1.75]);
    expect(linspace(0, 1, 5).toFlatArray()).toEqual([0, 0.25, 0.5, 0.75, 1]);
    const data = new Float32Array([1, 2, 3, 4]);
    const w = fromTypedArray(data, [2, 2]);
    expect(w.data).toBe(data);
    expect(w.dtype).toBe('float32');
    expect(
      array([
        [1, 2.5],
        [3, 4],
      ]).toString(),
    ).toBe('array([[ 1., 2.5],\n       [ 3.,  4.]], dtype=float64)');
    expect(String(arange(3, undefined, 1, { dtype: 'int32' }))).toBe('array([0, 1, 2], dtype=int32)');
    expect(String(arange(2000)).includes('...')).toBe(true);
    expect(() => array([[1, 2], [3]])).toThrow(
      "array: argument 'values' with shape [2, 2]: ragged nested array: expected 2 entries at depth 1",
    );
    expect(() => fromTypedArray(new Float64Array(3), [2, 2])).toThrow(
      "fromTypedArray: argument 'shape' with shape [2, 2]: needs 4 elements, data has 3",
    );
    expect(() => new NDArray(new Float64Array(3), [2, 2])).toThrow(
      "NDArray: argument 'strides' with shape [2, 2]: offset 0 and strides [2,1] reach outside storage of length 3",
    );
    expect(() => zeros([2, -1])).toThrow(
      "zeros: argument 'shape' is [2, -1]; expected a non-negative integer or an array of them",
    );
    expect(arange(6).reshape([2, 3]).get(-1, -1)).toBe(5);
    expect(() => arange(6).reshape([2, 3]).get(2, 0)).toThrow(
      "NDArray.get: argument 'index[0]' is 2; expected an integer in [-2, 2)",
    );
  });
});

describe('isNDArray across loaded copies of the package', () => {
  it('recognizes arrays from another module instance (where instanceof fails) and rejects look-alikes', async () => {
    vi.resetModules();
    const other = await import('../src/index.js');
    const foreign = other.zeros([2, 2]);
    expect(foreign instanceof NDArray).toBe(false);
    expect(isNDArray(foreign)).toBe(true);
    expect(array(foreign as never).toArray()).toEqual([
      [0, 0],
      [0, 0],
    ]);
    expect(isNDArray({ shape: [2], strides: [1], data: new Float64Array(2) })).toBe(false);
    expect(isNDArray(null)).toBe(false);
  });
});

describe('copyInto between contiguous arrays (the bulk path)', () => {
  it('converts dtypes and handles overlapping views of one buffer like an element loop', () => {
    const x = arange(6);
    expect(Array.from(x.copy('float32').data)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(x.copy('int32').dtype).toBe('int32');
    const buf = arange(8);
    copyInto(buf.slice('2:8'), buf.slice('0:6')); // overlapping, destination after source
    expect(buf.toArray()).toEqual([0, 1, 0, 1, 2, 3, 4, 5]);
    const back = arange(8);
    copyInto(back.slice('0:6'), back.slice('2:8')); // overlapping, destination before source
    expect(back.toArray()).toEqual([2, 3, 4, 5, 6, 7, 6, 7]);
    const empty = new NDArray(new Float64Array(3), [0, 2], [2, 1], 7); // an empty view past the storage
    copyInto(empty, zeros([0, 2]));
    expect(empty.copy().shape).toEqual([0, 2]);
    const m = arange(12).reshape([3, 4]);
    const dst = zeros([3, 4]);
    copyInto(dst.slice('1:3'), m.slice('0:2')); // offset views of contiguous rows
    expect(dst.toArray()).toEqual([
      [0, 0, 0, 0],
      [0, 1, 2, 3],
      [4, 5, 6, 7],
    ]);
  });
});
