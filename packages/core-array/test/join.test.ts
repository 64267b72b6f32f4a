import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, ShapeError, arange, array, concatenate, stack, zeros } from '../src/index.js';

describe('concatenate and stack', () => {
  it('concatenate joins along any axis, through views, with dtype promotion', () => {
    const a = arange(6).reshape([2, 3]);
    const b = arange(6, 12).reshape([3, 2]).T; // a strided view of shape [2, 3]
    expect(concatenate([a, b]).toArray()).toEqual([
      [0, 1, 2],
      [3, 4, 5],
      [6, 8, 10],
      [7, 9, 11],
    ]);
    expect(concatenate([a, b], -1).toArray()).toEqual([
      [0, 1, 2, 6, 8, 10],
      [3, 4, 5, 7, 9, 11],
    ]);
    // The project's promotion rule (promoteTypes), as for elementwise operations.
    const mixed = concatenate([array([1, 2], { dtype: 'int32' }), array([0.5], { dtype: 'float32' })]);
    expect(mixed.dtype).toBe('float32');
    expect(mixed.toArray()).toEqual([1, 2, 0.5]);
    expect(concatenate([zeros([0, 3]), a]).shape).toEqual([2, 3]);
  });

  it('stack adds a new axis at the front, middle or end', () => {
    const a = array([1, 2]);
    const b = array([3, 4]);
    expect(stack([a, b]).toArray()).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(stack([a, b], -1).toArray()).toEqual([
      [1, 3],
      [2, 4],
    ]);
    const m = arange(4).reshape([2, 2]);
    expect(stack([m, m], 1).shape).toEqual([2, 2, 2]);
    expect(stack([m, m], 1).get(1, 0, 1)).toBe(3);
  });

  it('reject empty lists, bad axes and mismatched shapes with the offending argument', () => {
    expect(() => concatenate([])).toThrow(InvalidArgumentError);
    expect(() => concatenate([arange(3)], 1)).toThrow(/concatenate.*'axis'/);
    expect(() => concatenate([arange(4).reshape([2, 2]), arange(3)])).toThrow(ShapeError);
    expect(() => concatenate([arange(4).reshape([2, 2]), arange(3)])).toThrow(/arrays\[1\]/);
    expect(() => stack([arange(2), arange(3)])).toThrow(/stack.*arrays\[1\].*does not match \[2\]/);
    expect(() => stack([arange(2)], 3)).toThrow(/stack.*'axis'/);
  });
});
