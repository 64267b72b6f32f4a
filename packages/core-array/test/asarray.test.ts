import { describe, expect, it } from 'vitest';
import {
  InvalidArgumentError,
  NDArray,
  ShapeError,
  array,
  asarray,
  matmul,
  mean,
  std,
  sum,
} from '../src/index.js';

describe('asarray', () => {
  it('converts nested arrays, typed arrays and numbers; passes NDArrays through', () => {
    const m = asarray([
      [1, 2],
      [3, 4],
    ]);
    expect(m.shape).toEqual([2, 2]);
    expect(m.dtype).toBe('float64');
    expect(m.toFlatArray()).toEqual([1, 2, 3, 4]);
    const f = new Float32Array([1, 2, 3]);
    const v = asarray(f);
    expect(v.dtype).toBe('float32');
    expect(v.data).toBe(f);
    expect(asarray(new Int16Array([1, -2])).toFlatArray()).toEqual([1, -2]);
    const s = asarray(3);
    expect(s.shape).toEqual([]);
    expect(s.get()).toBe(3);
    const a = array([1, 2]);
    expect(asarray(a)).toBe(a);
  });

  it('names the function and argument for ragged or non-numeric input', () => {
    expect(() => asarray([[1, 2], [3]], { fn: 'matmul', arg: 'a' })).toThrow(ShapeError);
    expect(() => asarray([[1, 2], [3]], { fn: 'matmul', arg: 'a' })).toThrow(/matmul: .*'a\[1\]'/);
    expect(() => asarray([1, '2' as unknown as number], { fn: 'f', arg: 'x' })).toThrow(InvalidArgumentError);
    expect(() => asarray([1, '2' as unknown as number], { fn: 'f', arg: 'x' })).toThrow(/f: .*'x\[1\]'/);
    expect(() => asarray({} as unknown as number, { fn: 'f', arg: 'y' })).toThrow(/f: .*'y'/);
  });

  it('lets matmul take nested arrays', () => {
    const c = matmul(
      [
        [1, 2],
        [3, 4],
      ],
      [
        [5, 6],
        [7, 8],
      ],
    );
    expect(c).toBeInstanceOf(NDArray);
    expect(c.toFlatArray()).toEqual([19, 22, 43, 50]);
    expect(matmul(new Float64Array([1, 2]), [3, 4]).get()).toBe(11);
    expect(() => matmul([[1, 2], [3]], [[1], [2]])).toThrow(/matmul/);
  });
});

describe('positional axis', () => {
  it('mean(a, 0) is mean(a, { axis: 0 })', () => {
    const a = array([
      [1, 2],
      [3, 4],
    ]);
    expect(mean(a, 0).toFlatArray()).toEqual([2, 3]);
    expect(sum(a, [0, 1]).get()).toBe(10);
    expect(std(a, 1).toFlatArray()).toEqual(std(a, { axis: 1 }).toFlatArray());
    expect(() => mean(a, 2)).toThrow(/mean/);
  });
});
