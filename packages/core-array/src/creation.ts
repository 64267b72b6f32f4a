import { type DType, type DTypeMap, dtypeInfo, dtypeOfTypedArray } from './dtype.js';
import { InvalidArgumentError, ShapeError, checkOptions } from './errors.js';
import { shapeSize } from './iter.js';
import { NDArray, type NestedArray, isNDArray } from './ndarray.js';
import { checkArray, checkBoolean, checkInteger, checkNumber, checkShape } from './validate.js';

export interface DTypeOption<D extends DType> {
  /** Element type; float64 unless stated. */
  dtype?: D;
}

/** A shape: an array of non-negative integer extents, or one integer for a 1-D shape (as NumPy). */
export type ShapeLike = readonly number[] | number;

/**
 * A new array of `shape` with every element zero. O(size).
 * @throws InvalidArgumentError for a shape that is not a non-negative integer or an array of them;
 * DTypeError for an unknown dtype.
 * @example
 * ```ts
 * import { zeros } from '@krylov/core-array';
 * const z = zeros([2, 3], { dtype: 'float32' });
 * console.assert(z.dtype === 'float32' && z.shape.join() === '2,3' && z.get(1, 2) === 0);
 * ```
 */
export function zeros<D extends DType = 'float64'>(shape: ShapeLike, options?: DTypeOption<D>): NDArray<D> {
  checkOptions('zeros', options, ['dtype']);
  const s = checkShape('zeros', 'shape', shape);
  const dtype = (options?.dtype ?? 'float64') as D;
  return new NDArray(new (dtypeInfo(dtype, 'zeros').ctor)(shapeSize(s)), s);
}

/**
 * A new array of `shape` with every element `value` (NaN and infinities included). O(size).
 * @throws InvalidArgumentError for a bad shape or a value that is not a number; DTypeError for an
 * unknown dtype.
 * @example
 * ```ts
 * import { full } from '@krylov/core-array';
 * const f = full([2, 2], 7);
 * console.assert(f.get(1, 0) === 7 && f.dtype === 'float64');
 * ```
 */
export function full<D extends DType = 'float64'>(
  shape: ShapeLike,
  value: number,
  options?: DTypeOption<D>,
): NDArray<D> {
  checkOptions('full', options, ['dtype']);
  const s = checkShape('full', 'shape', shape);
  checkNumber('full', 'value', value, { infinite: true, nan: true });
  const dtype = (options?.dtype ?? 'float64') as D;
  const data = new (dtypeInfo(dtype, 'full').ctor)(shapeSize(s));
  data.fill(value);
  return new NDArray(data, s);
}

/**
 * A new array of `shape` filled with ones. O(size). @throws as `zeros`.
 * @example
 * ```ts
 * import { ones, sum } from '@krylov/core-array';
 * console.assert(sum(ones([3, 4])).item() === 12);
 * ```
 */
export function ones<D extends DType = 'float64'>(shape: ShapeLike, options?: DTypeOption<D>): NDArray<D> {
  checkOptions('ones', options, ['dtype']);
  return full(shape, 1, options);
}

/**
 * Zeros with the shape (and, unless given, the dtype) of `a`. O(size).
 * @throws InvalidArgumentError when `a` is not an NDArray.
 * @example
 * ```ts
 * import { array, zerosLike } from '@krylov/core-array';
 * const z = zerosLike(array([[1, 2], [3, 4]], { dtype: 'int32' }));
 * console.assert(z.dtype === 'int32' && z.get(1, 1) === 0);
 * ```
 */
export function zerosLike<D extends DType>(a: NDArray<D>, options?: DTypeOption<D>): NDArray<D> {
  checkOptions('zerosLike', options, ['dtype']);
  checkArray('zerosLike', 'a', a);
  return zeros(a.shape, { dtype: options?.dtype ?? a.dtype });
}

/**
 * The n x m matrix with ones on diagonal `k` (0 main, >0 above, <0 below). O(nm).
 * @throws InvalidArgumentError for a negative or non-integer n or m, or a non-integer k.
 * @example
 * ```ts
 * import { eye } from '@krylov/core-array';
 * const i = eye(3);
 * console.assert(i.get(1, 1) === 1 && i.get(0, 1) === 0);
 * const super1 = eye(3, { k: 1 }); // ones on the first superdiagonal
 * console.assert(super1.get(0, 1) === 1);
 * ```
 */
export function eye<D extends DType = 'float64'>(
  n: number,
  options?: DTypeOption<D> & { m?: number; k?: number },
): NDArray<D> {
  checkOptions('eye', options, ['dtype', 'm', 'k']);
  checkInteger('eye', 'n', n, { min: 0 });
  const m = checkInteger('eye', 'options.m', options?.m ?? n, { min: 0 });
  const k = checkInteger('eye', 'options.k', options?.k ?? 0);
  const out = zeros([n, m], { dtype: options?.dtype });
  for (let i = Math.max(0, -k); i < n && i + k < m; i++) out.data[i * m + i + k] = 1;
  return out;
}

/**
 * Evenly spaced values in [start, stop) with `step`, as `numpy.arange`; `arange(n)` is 0..n-1.
 * O(n).
 * @throws InvalidArgumentError for a zero or non-finite step, or non-finite bounds.
 * @example
 * ```ts
 * import { arange } from '@krylov/core-array';
 * console.assert(arange(5).toFlatArray().join() === '0,1,2,3,4');
 * console.assert(arange(1, 2, 0.25).toFlatArray().join() === '1,1.25,1.5,1.75');
 * ```
 */
export function arange<D extends DType = 'float64'>(
  start: number,
  stop?: number,
  step = 1,
  options?: DTypeOption<D>,
): NDArray<D> {
  checkOptions('arange', options, ['dtype']);
  checkNumber('arange', 'start', start);
  if (stop === undefined) [start, stop] = [0, start];
  checkNumber('arange', 'stop', stop);
  if (checkNumber('arange', 'step', step) === 0)
    throw new InvalidArgumentError('arange', 'step', step, 'a finite non-zero number');
  const n = Math.max(0, Math.ceil((stop - start) / step));
  const out = zeros([n], options);
  for (let i = 0; i < n; i++) out.data[i] = start + i * step;
  return out;
}

/**
 * `num` evenly spaced values from `start` to `stop` (inclusive unless `endpoint: false`). O(num).
 * @throws InvalidArgumentError for non-finite bounds, a negative or non-integer num, or a
 * non-boolean endpoint.
 * @example
 * ```ts
 * import { linspace } from '@krylov/core-array';
 * console.assert(linspace(0, 1, 5).toFlatArray().join() === '0,0.25,0.5,0.75,1'); // endpoints included
 * ```
 */
export function linspace<D extends DType = 'float64'>(
  start: number,
  stop: number,
  num: number,
  options?: DTypeOption<D> & { endpoint?: boolean },
): NDArray<D> {
  checkOptions('linspace', options, ['dtype', 'endpoint']);
  checkNumber('linspace', 'start', start);
  checkNumber('linspace', 'stop', stop);
  checkInteger('linspace', 'num', num, { min: 0 });
  const endpoint = checkBoolean('linspace', 'options.endpoint', options?.endpoint ?? true);
  const out = zeros([num], { dtype: options?.dtype });
  const div = endpoint ? num - 1 : num;
  const step = div > 0 ? (stop - start) / div : 0;
  for (let i = 0; i < num; i++) out.data[i] = start + i * step;
  if (endpoint && num > 1) out.data[num - 1] = stop;
  return out;
}

/**
 * A new array from nested JavaScript arrays (rectangular), or a copy of an NDArray.
 * @throws ShapeError for ragged input; InvalidArgumentError for non-numeric entries.
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * const a = array([
 *   [1, 2, 3],
 *   [4, 5, 6],
 * ]);
 * console.assert(a.shape.join() === '2,3' && a.get(1, 2) === 6 && a.dtype === 'float64');
 * ```
 */
export function array<D extends DType = 'float64'>(
  values: NestedArray | NDArray,
  options?: DTypeOption<D>,
): NDArray<D> {
  checkOptions('array', options, ['dtype']);
  if (isNDArray(values)) return values.copy((options?.dtype ?? values.dtype) as D);
  const shape: number[] = [];
  for (let v: NestedArray = values; Array.isArray(v); v = v[0]) {
    shape.push(v.length);
    if (v.length === 0) break;
  }
  const out = zeros(shape, options);
  let k = 0;
  const walk = (v: NestedArray, axis: number): void => {
    if (axis === shape.length) {
      if (typeof v !== 'number' && typeof v !== 'boolean')
        throw new InvalidArgumentError('array', 'values', v, 'numbers');
      out.data[k++] = Number(v);
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[axis]) {
      throw new ShapeError(
        'array',
        'values',
        `ragged nested array: expected ${shape[axis]} entries at depth ${axis}`,
        shape,
      );
    }
    for (const x of v) walk(x, axis + 1);
  };
  walk(values, 0);
  return out;
}

/**
 * Wraps a typed array without copying (shape defaults to 1-D); the dtype follows the array class.
 * @throws ShapeError when `shape` does not match the length.
 * @example
 * ```ts
 * import { fromTypedArray } from '@krylov/core-array';
 * const a = fromTypedArray(new Float32Array([1, 2, 3, 4]), [2, 2]); // no copy
 * console.assert(a.dtype === 'float32' && a.get(1, 0) === 3);
 * ```
 */
export function fromTypedArray<T extends DTypeMap[DType]>(
  data: T,
  shape?: ShapeLike,
): NDArray<{ [K in DType]: DTypeMap[K] extends T ? K : never }[DType]> {
  if (!ArrayBuffer.isView(data))
    throw new InvalidArgumentError('fromTypedArray', 'data', data, 'a typed array');
  dtypeOfTypedArray(data, 'fromTypedArray');
  const s = checkShape('fromTypedArray', 'shape', shape ?? [data.length]);
  if (shapeSize(s) !== data.length)
    throw new ShapeError(
      'fromTypedArray',
      'shape',
      `needs ${shapeSize(s)} elements, data has ${data.length}`,
      s,
    );
  return new NDArray(data as DTypeMap[DType], s) as never;
}

/**
 * A scalar (0-d) array. @throws InvalidArgumentError when `value` is not a number.
 * @example
 * ```ts
 * import { scalar } from '@krylov/core-array';
 * const s = scalar(2.5);
 * console.assert(s.ndim === 0 && s.item() === 2.5);
 * ```
 */
export function scalar<D extends DType = 'float64'>(value: number, options?: DTypeOption<D>): NDArray<D> {
  checkNumber('scalar', 'value', value, { infinite: true, nan: true });
  return full([], value, options);
}
