import {
  DTypeError,
  InvalidArgumentError,
  NDArray,
  Rng,
  type SeedLike,
  ShapeError,
  type Vec,
  checkNumber,
  isNDArray,
  toRng,
} from '@krylov/core-array';
import { LEVEL1_DISPATCH_MIN, axpy as axpyKernel, dot as dotKernel } from '@krylov/core-array/internal';

/** What the solvers accept as a vector: an NDArray with one dimension (or n x 1), a typed array or a plain array. */
export type VectorLike = NDArray | Float64Array | Float32Array | readonly number[];

/**
 * Validates a vector argument of length `n` (any float dtype) and returns a float64 copy.
 * @throws ShapeError on a wrong length; InvalidArgumentError naming the first non-finite entry.
 */
export function toVector(fn: string, arg: string, v: VectorLike, n: number): Float64Array {
  let out: Float64Array;
  if (isNDArray(v)) {
    const a = v as NDArray;
    if (!(a.ndim === 1 || (a.ndim === 2 && a.shape[1] === 1)))
      throw new ShapeError(fn, arg, 'expected a vector', a.shape);
    if (a.dtype !== 'float64' && a.dtype !== 'float32')
      throw new DTypeError(fn, arg, a.dtype, 'float64 or float32');
    out = a.copy('float64').data as Float64Array;
  } else if (v instanceof Float64Array || v instanceof Float32Array) {
    out = Float64Array.from(v);
  } else if (ArrayBuffer.isView(v)) {
    throw new DTypeError(fn, arg, v.constructor.name, 'a Float64Array or Float32Array');
  } else if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++)
      if (typeof v[i] !== 'number')
        throw new InvalidArgumentError(fn, arg, v[i], `an array of numbers (entry ${i} is not a number)`);
    out = Float64Array.from(v as ArrayLike<number>);
  } else {
    throw new InvalidArgumentError(fn, arg, v, 'an NDArray, a typed array or an array of numbers');
  }
  if (out.length !== n)
    throw new ShapeError(fn, arg, `expected length ${n}, got ${out.length}`, [out.length]);
  requireFinite(fn, arg, out);
  return out;
}

/**
 * A Float64Array operand of length `n` for the low-level in-place methods (`matvec(x, out)`).
 * @throws DTypeError for another typed array; InvalidArgumentError for anything else; ShapeError on a
 *   wrong length (naming both lengths).
 */
export function float64Operand(fn: string, arg: string, x: unknown, n: number): Float64Array {
  if (!(x instanceof Float64Array)) {
    if (ArrayBuffer.isView(x)) throw new DTypeError(fn, arg, x.constructor.name, 'a Float64Array');
    if (isNDArray(x)) throw new InvalidArgumentError(fn, arg, x, 'a Float64Array (pass ndarray.data)');
    throw new InvalidArgumentError(fn, arg, x, 'a Float64Array');
  }
  if (x.length !== n) throw new ShapeError(fn, arg, `expected length ${n}, got ${x.length}`, [x.length]);
  return x;
}

/** Whether two typed arrays share any memory (an output that aliases an input). */
export function overlaps(a: ArrayBufferView, b: ArrayBufferView): boolean {
  return (
    a.buffer === b.buffer &&
    a.byteOffset < b.byteOffset + b.byteLength &&
    b.byteOffset < a.byteOffset + a.byteLength
  );
}

/** @throws InvalidArgumentError naming the first entry of `v` that is NaN or infinite. */
export function requireFinite(fn: string, arg: string, v: ArrayLike<number>): void {
  for (let i = 0; i < v.length; i++)
    if (!Number.isFinite(v[i]))
      throw new InvalidArgumentError(fn, arg, v[i], `finite entries (entry ${i} is not)`);
}

/**
 * The generator a `seed` option names (default seed 0): an Rng as is, a string, or a finite number.
 * @throws InvalidArgumentError naming `fn` and `arg` for anything else (NaN, an object, a boolean).
 */
export function seededRng(fn: string, arg: string, seed: unknown, fallback: SeedLike = 0): Rng {
  if (seed === undefined) return toRng(fallback);
  if (seed instanceof Rng || typeof seed === 'string') return toRng(seed);
  if (typeof seed !== 'number')
    throw new InvalidArgumentError(fn, arg, seed, 'a finite number, a string or an Rng');
  return toRng(checkNumber(fn, arg, seed));
}

/**
 * A dense matrix argument: a 2-D NDArray of dtype float64 or float32.
 * @throws InvalidArgumentError when it is not an NDArray; ShapeError when not 2-D; DTypeError for
 *   another dtype.
 */
export function denseMatrix(fn: string, arg: string, a: unknown): NDArray {
  if (!isNDArray(a)) throw new InvalidArgumentError(fn, arg, a, 'an NDArray (a matrix)');
  const m = a as NDArray;
  if (m.ndim !== 2) throw new ShapeError(fn, arg, 'expected a matrix', m.shape);
  if (m.dtype !== 'float64' && m.dtype !== 'float32')
    throw new DTypeError(fn, arg, m.dtype, 'float64 or float32');
  return m;
}

/** A float64 vector as a 1-D NDArray sharing its memory. */
export function asNDArray(v: Float64Array): NDArray<'float64'> {
  return new NDArray(v, [v.length]);
}

// The solvers' work vectors live for a whole solve, so their NDArray wrappers are cached (building
// one costs about as much as a registry dispatch); a typed array's memory never changes, so a
// cached wrapper stays valid.
const wrappers = new WeakMap<Float64Array, Vec>();

/** `v` as a 1-D NDArray sharing its memory, for the kernel layer (cached per array). */
export function asVec(v: Float64Array): Vec {
  let w = wrappers.get(v);
  if (!w) {
    w = new NDArray(v, [v.length]) as Vec;
    wrappers.set(v, w);
  }
  return w;
}

/*
 * Vector kernels of the iterative solvers, on equal-length float64 arrays the caller has checked:
 * from LEVEL1_DISPATCH_MIN elements they dispatch through the registry (core-array/internal), so
 * inner products run on the selected backend; shorter vectors run the local loop, where a dispatch
 * would cost more than the arithmetic (the measurement is beside LEVEL1_DISPATCH_MIN).
 */

/** x . y */
export function dot(x: Float64Array, y: Float64Array): number {
  if (x.length >= LEVEL1_DISPATCH_MIN.size) return dotKernel({ x: asVec(x), y: asVec(y) });
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * y[i];
  return s;
}

/**
 * ||x||_2 as sqrt(x . x), through `dot` (no overflow scaling, which would cost a division per
 * entry every iteration: the solvers' vectors are finite residuals and iterates).
 */
export function norm2(x: Float64Array): number {
  return Math.sqrt(dot(x, x));
}

/** y += alpha x */
export function axpy(alpha: number, x: Float64Array, y: Float64Array): void {
  if (x.length >= LEVEL1_DISPATCH_MIN.size) axpyKernel({ alpha, x: asVec(x), y: asVec(y) });
  else for (let i = 0; i < x.length; i++) y[i] += alpha * x[i];
}
