import type { DType } from './dtype.js';
import { InvalidArgumentError, ShapeError } from './errors.js';
import { NDArray, type NestedArray, isNDArray } from './ndarray.js';

/**
 * What the public functions that take arrays also accept: an NDArray, a nested array of numbers
 * (`[[1, 2], [3, 4]]`), a 1-D typed array, or a number (a 0-d array).
 */
export type ArrayInput<D extends DType = DType> =
  | NDArray<D>
  | NestedArray
  | Float64Array
  | Float32Array
  | Int32Array
  | Uint8Array
  | Int8Array
  | Int16Array
  | Uint16Array
  | Uint32Array
  | Uint8ClampedArray;

export interface AsArrayOptions {
  /** The public function converting, named in errors. */
  fn?: string;
  /** The argument converted, named in errors. */
  arg?: string;
}

/**
 * Converts `x` to an NDArray once, at a public boundary (numpy.asarray): an NDArray is returned as
 * is; a number becomes a 0-d float64 array; a Float64Array, Float32Array, Int32Array or Uint8Array
 * a 1-D view of it (no copy; other typed arrays are copied into float64); a nested array of numbers
 * a float64 array of its shape (booleans count as 0/1). O(size).
 * @throws ShapeError naming `fn` and `arg` for a ragged nested array; InvalidArgumentError for an
 *   entry that is not a number (a string, null, an object) or an input of another kind.
 * @example
 * ```ts
 * import { asarray } from '@krylov/core-array';
 * const a = asarray([[1, 2], [3, 4]]); // nested arrays become float64
 * console.assert(asarray(a) === a, 'an NDArray is returned as is');
 * ```
 */
export function asarray<D extends DType>(x: NDArray<D>, options?: AsArrayOptions): NDArray<D>;
export function asarray(x: ArrayInput, options?: AsArrayOptions): NDArray;
export function asarray(x: ArrayInput, options?: AsArrayOptions): NDArray {
  if (isNDArray(x)) return x;
  const fn = options?.fn ?? 'asarray';
  const arg = options?.arg ?? 'x';
  if (typeof x === 'number') return new NDArray(Float64Array.of(x), []);
  if (ArrayBuffer.isView(x)) {
    if (
      x instanceof Float64Array ||
      x instanceof Float32Array ||
      x instanceof Int32Array ||
      x instanceof Uint8Array
    )
      return new NDArray(x as Float64Array, [x.length]); // the dtype follows the array class
    if (!(x instanceof DataView) && typeof (x as { length?: unknown }).length === 'number')
      return new NDArray(Float64Array.from(x as unknown as ArrayLike<number | bigint>, Number), [
        (x as unknown as ArrayLike<number>).length,
      ]);
  }
  if (!Array.isArray(x))
    throw new InvalidArgumentError(
      fn,
      arg,
      x,
      'an NDArray, a nested array of numbers, a typed array or a number',
    );
  const shape: number[] = [];
  for (let v: NestedArray = x; Array.isArray(v); v = v[0]) {
    shape.push(v.length);
    if (v.length === 0) break;
  }
  let size = 1;
  for (const d of shape) size *= d;
  const data = new Float64Array(size);
  let k = 0;
  const walk = (v: unknown, axis: number, path: string): void => {
    if (axis === shape.length) {
      if (typeof v === 'number') data[k++] = v;
      else if (typeof v === 'boolean') data[k++] = v ? 1 : 0;
      else throw new InvalidArgumentError(fn, `${arg}${path}`, v, 'a number');
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[axis])
      throw new ShapeError(
        fn,
        `${arg}${path}`,
        `ragged nested array: expected ${shape[axis]} entries at depth ${axis}, got ${Array.isArray(v) ? v.length : 'a non-array'}`,
        shape,
      );
    for (let i = 0; i < v.length; i++) walk(v[i], axis + 1, `${path}[${i}]`);
  };
  walk(x, 0, '');
  return new NDArray(data, shape);
}
