import { type FloatDType, InvalidArgumentError, type NDArray, ShapeError } from '@krylov/core-array';
import { DTypeError } from '@krylov/core-array';

/**
 * Validates a matrix argument: a float64/float32 NDArray with two dimensions and finite entries;
 * returns a contiguous float64 working copy (factorizations overwrite it) and the input dtype.
 * @throws ShapeError, DTypeError, InvalidArgumentError (naming the first non-finite position).
 */
export function workingCopy(
  fn: string,
  arg: string,
  a: NDArray,
  square = false,
): { w: NDArray<'float64'>; dtype: FloatDType } {
  if (a.dtype !== 'float64' && a.dtype !== 'float32')
    throw new DTypeError(fn, arg, a.dtype, 'float64 or float32');
  if (a.ndim !== 2) throw new ShapeError(fn, arg, 'expected a matrix (2 dimensions)', a.shape);
  if (square && a.shape[0] !== a.shape[1]) throw new ShapeError(fn, arg, 'expected a square matrix', a.shape);
  const w = a.copy('float64');
  const n = a.shape[1];
  for (let i = 0; i < w.size; i++) {
    if (!Number.isFinite(w.data[i]))
      throw new InvalidArgumentError(
        fn,
        arg,
        w.data[i],
        `finite entries (entry [${Math.floor(i / n)}, ${i % n}] is not)`,
      );
  }
  return { w, dtype: a.dtype };
}

/** Converts a float64 result back to the caller's dtype. */
export function asDType<D extends FloatDType>(a: NDArray<'float64'>, dtype: D): NDArray<D> {
  return a.astype(dtype) as NDArray<D>;
}

/** The unit roundoff of a dtype. */
export function epsOf(dtype: FloatDType): number {
  return dtype === 'float32' ? 2 ** -24 : 2 ** -53;
}

/** max |a_ij - a_ji| / max |a_ij| of a contiguous square float64 matrix (0 for a zero matrix). */
export function relativeAsymmetry(w: NDArray<'float64'>): number {
  const n = w.shape[0];
  let asym = 0;
  let size = 0;
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      asym = Math.max(asym, Math.abs(w.data[i * n + j] - w.data[j * n + i]));
      size = Math.max(size, Math.abs(w.data[i * n + j]));
    }
  return size === 0 ? 0 : asym / size;
}
