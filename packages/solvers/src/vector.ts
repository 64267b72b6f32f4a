import { InvalidArgumentError, NDArray, ShapeError, isNDArray } from '@krylov/core-array';

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
    out = a.copy('float64').data as Float64Array;
  } else if (Array.isArray(v) || ArrayBuffer.isView(v)) {
    out = Float64Array.from(v as ArrayLike<number>);
  } else {
    throw new InvalidArgumentError(fn, arg, v, 'an NDArray, a typed array or an array of numbers');
  }
  if (out.length !== n)
    throw new ShapeError(fn, arg, `expected length ${n}, got ${out.length}`, [out.length]);
  requireFinite(fn, arg, out);
  return out;
}

/** @throws InvalidArgumentError naming the first entry of `v` that is NaN or infinite. */
export function requireFinite(fn: string, arg: string, v: ArrayLike<number>): void {
  for (let i = 0; i < v.length; i++)
    if (!Number.isFinite(v[i]))
      throw new InvalidArgumentError(fn, arg, v[i], `finite entries (entry ${i} is not)`);
}

/** A float64 vector as a 1-D NDArray sharing its memory. */
export function asNDArray(v: Float64Array): NDArray<'float64'> {
  return new NDArray(v, [v.length]);
}

export function dot(x: Float64Array, y: Float64Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * y[i];
  return s;
}

export function norm2(x: Float64Array): number {
  return Math.sqrt(dot(x, x));
}

/** y += alpha x */
export function axpy(alpha: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < x.length; i++) y[i] += alpha * x[i];
}
