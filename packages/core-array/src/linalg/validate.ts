import { type DType, type FloatDType, promoteTypes } from '../dtype.js';
import { DTypeError, ShapeError } from '../errors.js';
import type { NDArray } from '../ndarray.js';
import { checkArray } from '../validate.js';

/** Throws DTypeError unless `a` is float64 or float32. */
export function requireFloat(fn: string, arg: string, a: NDArray): asserts a is NDArray<FloatDType> {
  if (a.dtype !== 'float64' && a.dtype !== 'float32')
    throw new DTypeError(fn, arg, a.dtype, 'float64 or float32');
}

/** Throws DTypeError unless every array shares the dtype of the first. */
export function requireSameDType(fn: string, arrays: Record<string, NDArray>): void {
  const entries = Object.entries(arrays);
  const [, first] = entries[0];
  for (const [arg, a] of entries) {
    requireFloat(fn, arg, a);
    if (a.dtype !== first.dtype)
      throw new DTypeError(fn, arg, a.dtype, `${first.dtype} like '${entries[0][0]}'`);
  }
}

/** Throws InvalidArgumentError unless `a` is an NDArray, ShapeError unless it has `ndim` dimensions. */
export function requireNdim(fn: string, arg: string, a: NDArray, ndim: number): void {
  checkArray(fn, arg, a);
  if (a.ndim !== ndim) throw new ShapeError(fn, arg, `expected ${ndim} dimensions`, a.shape);
}

/** Throws InvalidArgumentError unless `a` is an NDArray, ShapeError unless it is a square matrix. */
export function requireSquare(fn: string, arg: string, a: NDArray): void {
  checkArray(fn, arg, a);
  if (a.ndim !== 2 || a.shape[0] !== a.shape[1])
    throw new ShapeError(fn, arg, 'expected a square matrix', a.shape);
}

/** The float dtype two operands compute in: the promoted type, with integers and bools promoted to float64. */
export function floatResult(a: DType, b: DType): FloatDType {
  const t = promoteTypes(a, b);
  return t === 'float32' ? 'float32' : 'float64';
}
