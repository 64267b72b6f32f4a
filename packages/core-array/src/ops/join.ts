import { zeros } from '../creation.js';
import { type DType, promoteTypes } from '../dtype.js';
import { InvalidArgumentError, ShapeError } from '../errors.js';
import { type NDArray, copyInto, normalizeAxis } from '../ndarray.js';
import { checkArray } from '../validate.js';

/**
 * Joins arrays along an existing axis, as `numpy.concatenate`: every extent but `axis` must match;
 * the result has the promoted dtype and is a new contiguous array.
 * Complexity: O(total size).
 * @throws InvalidArgumentError when `arrays` is empty or `axis` is out of range; ShapeError when the
 * other extents differ (naming the offending array).
 * @example
 * ```ts
 * import { array, concatenate } from '@krylov/core-array';
 * const c = concatenate([array([[1, 2]]), array([[3, 4]])], 0);
 * console.assert(c.shape.join() === '2,2' && c.get(1, 0) === 3);
 * ```
 */
export function concatenate(arrays: readonly NDArray[], axis = 0): NDArray {
  const fn = 'concatenate';
  const list: unknown = arrays;
  if (!Array.isArray(list) || list.length === 0)
    throw new InvalidArgumentError(fn, 'arrays', list, 'an array of at least one NDArray');
  arrays.forEach((a, i) => checkArray(fn, `arrays[${i}]`, a));
  const first = arrays[0];
  if (first.ndim === 0) throw new ShapeError(fn, 'arrays[0]', 'zero-dimensional arrays cannot be joined', []);
  const ax = normalizeAxis(fn, 'axis', axis, first.ndim);
  let dtype: DType = first.dtype;
  let extent = 0;
  arrays.forEach((a, i) => {
    if (a.ndim !== first.ndim || a.shape.some((d, k) => k !== ax && d !== first.shape[k]))
      throw new ShapeError(
        fn,
        `arrays[${i}]`,
        `does not match ${JSON.stringify(first.shape)} outside axis ${ax}`,
        a.shape,
      );
    dtype = promoteTypes(dtype, a.dtype);
    extent += a.shape[ax];
  });
  const out = zeros(
    first.shape.map((d, k) => (k === ax ? extent : d)),
    { dtype },
  );
  let start = 0;
  for (const a of arrays) {
    const specs = first.shape.map((_, k) => (k === ax ? `${start}:${start + a.shape[ax]}` : null));
    copyInto(out.slice(...specs), a);
    start += a.shape[ax];
  }
  return out;
}

/**
 * Joins arrays of one shape along a new axis, as `numpy.stack` (`axis` may be -1 for last).
 * Complexity: O(total size).
 * @throws InvalidArgumentError when `arrays` is empty or `axis` is out of range; ShapeError when the
 * shapes differ.
 * @example
 * ```ts
 * import { array, stack } from '@krylov/core-array';
 * const s = stack([array([1, 2]), array([3, 4])], 1);
 * console.assert(s.shape.join() === '2,2' && s.get(0, 1) === 3);
 * ```
 */
export function stack(arrays: readonly NDArray[], axis = 0): NDArray {
  const fn = 'stack';
  const list: unknown = arrays;
  if (!Array.isArray(list) || list.length === 0)
    throw new InvalidArgumentError(fn, 'arrays', list, 'an array of at least one NDArray');
  arrays.forEach((a, i) => checkArray(fn, `arrays[${i}]`, a));
  const shape = arrays[0].shape;
  const ax = normalizeAxis(fn, 'axis', axis, shape.length + 1);
  const expanded = arrays.map((a, i) => {
    if (a.ndim !== shape.length || a.shape.some((d, k) => d !== shape[k]))
      throw new ShapeError(fn, `arrays[${i}]`, `does not match ${JSON.stringify(shape)}`, a.shape);
    return a.reshape([...a.shape.slice(0, ax), 1, ...a.shape.slice(ax)]);
  });
  return concatenate(expanded, ax);
}
