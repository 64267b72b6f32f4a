import {
  type DType,
  DTypeError,
  type DTypeMap,
  type FloatDType,
  InvalidArgumentError,
  NDArray,
  type NumberRange,
  ShapeError,
  checkBoolean,
  checkChoice,
  checkNumber,
  checkSymmetric,
  copyInto,
  isNDArray,
} from '@krylov/core-array';

// One symmetry measure for the whole project (core-array's), re-exported for this package's modules.
export { relativeAsymmetry } from '@krylov/core-array';

/**
 * The dtype a routine returns for inputs of dtype D, as numpy.linalg and scipy.linalg do: float32
 * when every input is float32, float64 otherwise (a union of both when D is not known statically).
 */
export type Floating<D extends DType> = [D] extends ['float32']
  ? 'float32'
  : 'float32' extends D
    ? FloatDType
    : 'float64';

/** The runtime form of `Floating`: float32 when every array is float32, else float64. */
export function floating(...arrays: readonly NDArray[]): FloatDType {
  return arrays.every((a) => a.dtype === 'float32') ? 'float32' : 'float64';
}

/**
 * `x`, a float64 result, in the dtype `Floating` gives for `inputs`: routines that compute in float64
 * (iterations whose stopping tests need float64) return a float32 input's result as float32.
 */
export function inDTypeOf<D extends DType>(
  x: NDArray,
  ...inputs: readonly NDArray<D>[]
): NDArray<Floating<D>> {
  return x.astype(floating(...inputs)) as NDArray<Floating<D>>;
}

/**
 * Validates a matrix argument: a float64/float32 NDArray with two dimensions and finite entries;
 * returns a contiguous working copy in `dtype` (default float64), which factorizations overwrite.
 * @throws ShapeError, DTypeError, InvalidArgumentError (naming the first non-finite position).
 */
export function workingCopy<D extends FloatDType = 'float64'>(
  fn: string,
  arg: string,
  a: NDArray,
  square = false,
  dtype: D = 'float64' as D,
): NDArray<D> {
  checkMatrix(fn, arg, a, square);
  return checkFinite(fn, arg, a.copy(dtype));
}

/**
 * Spare buffers for working copies that never outlive the call (solve's factors, say): reused from
 * call to call, so repeated solves do not fault fresh pages in (about 15 us a page on small VMs,
 * 8 ms for a 512 x 512 copy), and held weakly, so a full GC may reclaim them.
 */
const spare = new Map<FloatDType, WeakRef<Float32Array | Float64Array>>();
let spareInUse = false;

/**
 * `body` applied to `workingCopy(fn, arg, a, square, dtype)`, with the copy in a reused spare
 * buffer: `body` may overwrite the copy but must not keep it or return it. A nested call (a plugin
 * kernel calling back into this package) gets a fresh copy.
 * @throws as workingCopy.
 */
export function withWorkingCopy<D extends FloatDType, T>(
  fn: string,
  arg: string,
  a: NDArray,
  square: boolean,
  dtype: D,
  body: (w: NDArray<D>) => T,
): T {
  if (spareInUse) return body(workingCopy(fn, arg, a, square, dtype));
  checkMatrix(fn, arg, a, square);
  let buffer = spare.get(dtype)?.deref();
  if (!buffer || buffer.length < a.size) {
    buffer = dtype === 'float32' ? new Float32Array(a.size) : new Float64Array(a.size);
    spare.set(dtype, new WeakRef(buffer));
  }
  const w = new NDArray(buffer.subarray(0, a.size) as DTypeMap[D], a.shape);
  copyInto(w, a);
  spareInUse = true;
  try {
    return body(checkFinite(fn, arg, w));
  } finally {
    spareInUse = false;
  }
}

/**
 * Validates a matrix argument without copying it: an NDArray, float64 or float32, two dimensions
 * (square when asked).
 * @throws InvalidArgumentError (not an NDArray), DTypeError, ShapeError.
 */
export function checkMatrix(fn: string, arg: string, a: unknown, square = false): asserts a is NDArray {
  if (!isNDArray(a)) throw new InvalidArgumentError(fn, arg, a, 'an NDArray');
  if (a.dtype !== 'float64' && a.dtype !== 'float32')
    throw new DTypeError(fn, arg, a.dtype, 'float64 or float32');
  if (a.ndim !== 2) throw new ShapeError(fn, arg, 'expected a matrix (2 dimensions)', a.shape);
  if (square && a.shape[0] !== a.shape[1]) throw new ShapeError(fn, arg, 'expected a square matrix', a.shape);
}

/** `w` (a contiguous matrix) once every entry is finite. */
function checkFinite<D extends FloatDType>(fn: string, arg: string, w: NDArray<D>): NDArray<D> {
  const n = w.shape[1];
  for (let i = 0; i < w.size; i++) {
    if (!Number.isFinite(w.data[i]))
      throw new InvalidArgumentError(
        fn,
        arg,
        w.data[i],
        `finite entries (entry [${Math.floor(i / n)}, ${i % n}] is not)`,
      );
  }
  return w;
}

/** Machine epsilon of a dtype, as numpy.finfo(dtype).eps: the default rank and rcond cutoffs scale with it. */
export function epsOf(dtype: FloatDType): number {
  return dtype === 'float32' ? 2 ** -23 : 2 ** -52;
}

/** `value` checked as a boolean, or `fallback` when it is undefined. */
export function optBoolean(fn: string, arg: string, value: unknown, fallback: boolean): boolean {
  return value === undefined ? fallback : checkBoolean(fn, arg, value);
}

/** `value` checked by `checkNumber(range)`, or `fallback` when it is undefined. */
export function optNumber(
  fn: string,
  arg: string,
  value: unknown,
  fallback: number,
  range: NumberRange = {},
): number {
  return value === undefined ? fallback : checkNumber(fn, arg, value, range);
}

/** `value` checked as one of `choices`, or `fallback` when it is undefined. */
export function optChoice<T extends string | number>(
  fn: string,
  arg: string,
  value: unknown,
  fallback: T,
  choices: readonly T[],
): T {
  return value === undefined ? fallback : checkChoice(fn, arg, value, choices);
}

/** The option every function that assumes a symmetric matrix takes. */
export interface SymmetryOption {
  /**
   * Check that the matrix is symmetric (relative asymmetry <= sqrt(eps) of its dtype, core-array's
   * `checkSymmetric`) and throw InvalidArgumentError if not. Default true. With false the function
   * reads only the lower triangle, as LAPACK does, and never looks at the upper one.
   */
  checkSymmetry?: boolean;
}

/**
 * The project's symmetry rule for `fn`'s square matrix argument `w` (already validated): checks it
 * with core-array's `checkSymmetric` unless `options.checkSymmetry` is false.
 * @throws InvalidArgumentError for a non-boolean checkSymmetry or a non-symmetric matrix.
 */
export function symmetricInput(fn: string, arg: string, w: NDArray, options?: SymmetryOption): void {
  if (optBoolean(fn, 'options.checkSymmetry', options?.checkSymmetry, true)) checkSymmetric(fn, arg, w);
}

/** Throws an InvalidArgumentError unless `a` is an NDArray (before a stack is split or its fields read). */
export function checkArray(fn: string, arg: string, a: unknown): asserts a is NDArray {
  if (!isNDArray(a)) throw new InvalidArgumentError(fn, arg, a, 'an NDArray');
}

/** Throws a ShapeError for a stack where `fn` takes one matrix (it returns a number or a matrix-sized result). */
export function singleMatrix(fn: string, arg: string, a: NDArray): void {
  if (a.ndim !== 2)
    throw new ShapeError(
      fn,
      arg,
      a.ndim > 2
        ? `expected one matrix (2 dimensions); map a stack with batched(${fn})`
        : 'expected a matrix (2 dimensions)',
      a.shape,
    );
}
