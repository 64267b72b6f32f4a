import {
  DTypeError,
  InvalidArgumentError,
  type NDArray,
  Rng,
  type SeedLike,
  ShapeError,
  checkInteger,
  checkNumber,
  checkOptions,
  isNDArray,
  toRng,
} from '@krylov/core-array';
import { CSRMatrix, type SparseMatrix, checkSymmetricMatrix, isSparse } from '@krylov/solvers';

/** What the sketching routines accept as A: a dense float matrix or a sparse matrix. */
export type MatrixLike = NDArray | SparseMatrix;

/** A positive integer argument (core-array's `checkInteger` with min 1). @throws InvalidArgumentError naming it. */
export function positiveInt(fn: string, arg: string, v: unknown): number {
  return checkInteger(fn, arg, v, { min: 1 });
}

/** A non-negative integer argument. @throws InvalidArgumentError naming it. */
export function nonNegativeInt(fn: string, arg: string, v: unknown): number {
  return checkInteger(fn, arg, v, { min: 0 });
}

/** A rank k with 1 <= k <= limit. @throws InvalidArgumentError ("larger than the matrix"). */
export function rankArg(fn: string, k: unknown, limit: number, arg = 'k'): number {
  positiveInt(fn, arg, k);
  if ((k as number) > limit)
    throw new InvalidArgumentError(fn, arg, k, `at most ${limit} (the smaller dimension of the matrix)`);
  return k as number;
}

/**
 * The generator a `seed` option names (default seed 0): an Rng as is, a string, or a finite number.
 * @throws InvalidArgumentError naming `fn` and `arg` for anything else (NaN, an object, a boolean).
 */
export function seedArg(fn: string, arg: string, seed: unknown): Rng {
  if (seed === undefined) return toRng(0);
  if (seed instanceof Rng || typeof seed === 'string') return toRng(seed);
  if (typeof seed !== 'number')
    throw new InvalidArgumentError(fn, arg, seed, 'a finite number, a string or an Rng');
  return toRng(checkNumber(fn, arg, seed));
}

/**
 * A required options object (`{ matvecs }`, `{ seed }`...): checks it is an object and has no unknown
 * keys, so `f(a)` without it is an InvalidArgumentError naming the function, not a TypeError.
 */
export function requiredOptions<T>(
  fn: string,
  options: T,
  allowed: readonly string[],
  required: readonly string[],
): T {
  if (options === null || typeof options !== 'object' || Array.isArray(options))
    throw new InvalidArgumentError(fn, 'options', options, `an options object with ${required.join(', ')}`);
  checkOptions(fn, options as Record<string, unknown>, allowed);
  for (const key of required)
    if ((options as Record<string, unknown>)[key] === undefined)
      throw new InvalidArgumentError(fn, `options.${key}`, undefined, 'a value (this option is required)');
  return options;
}

/**
 * A seed for the stateless hashes (CountSketch): a finite number or a string (not an Rng, whose
 * state a hash cannot share). @throws InvalidArgumentError naming `fn` and `arg`.
 */
export function hashSeed(fn: string, arg: string, seed: unknown): number | string {
  if (typeof seed === 'string') return seed;
  return checkNumber(fn, arg, seed);
}

/** `seedArg` for APIs that keep the seed itself (the seed is validated, then returned). */
export function seedLike(fn: string, arg: string, seed: unknown): SeedLike {
  seedArg(fn, arg, seed);
  return (seed ?? 0) as SeedLike;
}

/**
 * The project's symmetry rule for a matrix argument assumed symmetric: dense (O(n^2)) and sparse
 * (O(nnz)) input is checked unless `check` is false (the caller's `checkSymmetry` option).
 * @throws InvalidArgumentError naming `fn`, `arg` and the relative asymmetry.
 */
export function symmetricArg(fn: string, arg: string, a: MatrixLike, check: unknown): void {
  checkSymmetricMatrix(fn, arg, a, check ?? true);
}

/**
 * A vector argument of length `n` (an array, Float64Array/Float32Array or 1-D float NDArray) as a
 * float64 copy. @throws InvalidArgumentError (not a vector, non-finite entry), DTypeError (another
 * typed array or dtype), ShapeError (wrong length).
 */
export function vectorArg(fn: string, arg: string, v: unknown, n: number): Float64Array {
  let out: Float64Array;
  if (isNDArray(v)) {
    const a = v as NDArray;
    if (a.dtype !== 'float64' && a.dtype !== 'float32')
      throw new DTypeError(fn, arg, a.dtype, 'float64 or float32');
    if (a.ndim !== 1 && !(a.ndim === 2 && a.shape[1] === 1))
      throw new ShapeError(fn, arg, 'expected a vector', a.shape);
    out = a.copy('float64').data as Float64Array;
  } else if (v instanceof Float64Array || v instanceof Float32Array) out = Float64Array.from(v);
  else if (ArrayBuffer.isView(v))
    throw new DTypeError(fn, arg, v.constructor.name, 'a Float64Array or Float32Array');
  else if (Array.isArray(v)) {
    if (!v.every((x) => typeof x === 'number'))
      throw new InvalidArgumentError(fn, arg, v, 'an array of numbers');
    out = Float64Array.from(v);
  } else throw new InvalidArgumentError(fn, arg, v, 'an array of numbers, a Float64Array or an NDArray');
  if (out.length !== n)
    throw new ShapeError(fn, arg, `expected length ${n}, got ${out.length}`, [out.length]);
  for (let i = 0; i < n; i++)
    if (!Number.isFinite(out[i]))
      throw new InvalidArgumentError(fn, arg, out[i], `finite entries (entry ${i} is not)`);
  return out;
}

/**
 * Validates a matrix argument: a 2-D float NDArray with finite entries (returned as a contiguous
 * float64 copy) or a sparse matrix (returned as CSR).
 * @throws InvalidArgumentError for anything else or a non-finite entry; ShapeError when not 2-D;
 *   DTypeError for a dtype other than float64/float32.
 */
export function matrixArg(fn: string, arg: string, a: MatrixLike): NDArray<'float64'> | CSRMatrix {
  if (isSparse(a)) return a instanceof CSRMatrix ? a : a.toCSR();
  if (!isNDArray(a)) throw new InvalidArgumentError(fn, arg, a, 'an NDArray or a sparse matrix');
  const m = a as NDArray;
  if (m.ndim !== 2) throw new ShapeError(fn, arg, 'expected a matrix', m.shape);
  if (m.dtype !== 'float64' && m.dtype !== 'float32')
    throw new DTypeError(fn, arg, m.dtype, 'float64 or float32');
  // No copy for a contiguous float64 input: sketching inputs can be hundreds of megabytes.
  const w = (
    m.dtype === 'float64' && m.isContiguous && m.offset === 0 && m.data.length === m.size
      ? m
      : m.astype('float64').contiguous()
  ) as NDArray<'float64'>;
  for (let i = 0; i < w.size; i++)
    if (!Number.isFinite(w.data[i]))
      throw new InvalidArgumentError(fn, arg, w.data[i], `finite entries (entry ${i} is not)`);
  return w;
}
