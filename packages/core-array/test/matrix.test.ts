import { describe, expect, it } from 'vitest';
import {
  InvalidArgumentError,
  ShapeError,
  arange,
  array,
  diag,
  diagonal,
  trace,
  tril,
  triu,
} from '../src/index.js';

describe('diagonals and triangles', () => {
  const a = arange(12).reshape([3, 4]); // [[0 1 2 3] [4 5 6 7] [8 9 10 11]]

  it('diagonal is a strided view for any offset, through transposes and stacks', () => {
    expect(diagonal(a).toArray()).toEqual([0, 5, 10]);
    expect(diagonal(a, 1).toArray()).toEqual([1, 6, 11]);
    expect(diagonal(a, 3).toArray()).toEqual([3]);
    expect(diagonal(a, 4).toArray()).toEqual([]);
    expect(diagonal(a, -1).toArray()).toEqual([4, 9]);
    expect(diagonal(a, -3).toArray()).toEqual([]);
    expect(diagonal(a.T, 1).toArray()).toEqual([4, 9]);
    const s = arange(18).reshape([2, 3, 3]);
    expect(diagonal(s).toArray()).toEqual([
      [0, 4, 8],
      [9, 13, 17],
    ]);
    const b = a.copy();
    diagonal(b).fill(-1);
    expect(b.get(1, 1)).toBe(-1);
    expect(b.get(0, 1)).toBe(1);
  });

  it('diag builds a matrix with the vector on the k-th diagonal; trace sums a diagonal', () => {
    expect(diag(array([1, 2]), 1).toArray()).toEqual([
      [0, 1, 0],
      [0, 0, 2],
      [0, 0, 0],
    ]);
    expect(diag(array([1, 2]), -1).toArray()).toEqual([
      [0, 0, 0],
      [1, 0, 0],
      [0, 2, 0],
    ]);
    expect(diag(array([7], { dtype: 'int32' })).dtype).toBe('int32');
    expect(trace(a)).toBe(15);
    expect(trace(a, -1)).toBe(13);
  });

  it('triu and tril keep a triangle of the last two axes, with offsets and stacks', () => {
    expect(triu(a).toArray()).toEqual([
      [0, 1, 2, 3],
      [0, 5, 6, 7],
      [0, 0, 10, 11],
    ]);
    expect(tril(a, -1).toArray()).toEqual([
      [0, 0, 0, 0],
      [4, 0, 0, 0],
      [8, 9, 0, 0],
    ]);
    expect(triu(a, 2).toArray()).toEqual([
      [0, 0, 2, 3],
      [0, 0, 0, 7],
      [0, 0, 0, 0],
    ]);
    const s = arange(8).reshape([2, 2, 2]);
    expect(tril(s).toArray()).toEqual([
      [
        [0, 0],
        [2, 3],
      ],
      [
        [4, 0],
        [6, 7],
      ],
    ]);
    expect(triu(a.T).toArray()).toEqual([
      [0, 4, 8],
      [0, 5, 9],
      [0, 0, 10],
      [0, 0, 0],
    ]);
  });

  it('reject vectors, non-integer offsets and non-vectors for diag, naming the argument', () => {
    expect(() => diagonal(arange(3))).toThrow(ShapeError);
    expect(() => triu(a, 0.5)).toThrow(InvalidArgumentError);
    expect(() => triu(a, 0.5)).toThrow(/triu.*'k'.*0.5/);
    expect(() => diag(a)).toThrow(/diag.*'v'/);
    expect(() => trace(arange(8).reshape([2, 2, 2]))).toThrow(/trace.*'a'/);
  });
});
