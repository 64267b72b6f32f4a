import { InvalidArgumentError, type NDArray, ShapeError, isNDArray } from '@krylov/core-array';
import { CSRMatrix, type SparseMatrix, isSparse } from '@krylov/solvers';

/** What the sketching routines accept as A: a dense float matrix or a sparse matrix. */
export type MatrixLike = NDArray | SparseMatrix;

/** A positive integer argument. @throws InvalidArgumentError naming it. */
export function positiveInt(fn: string, arg: string, v: unknown): number {
  if (!(typeof v === 'number' && Number.isInteger(v) && v >= 1))
    throw new InvalidArgumentError(fn, arg, v, 'a positive integer');
  return v;
}

/** A rank k with 1 <= k <= limit. @throws InvalidArgumentError ("larger than the matrix"). */
export function rankArg(fn: string, k: unknown, limit: number, arg = 'k'): number {
  positiveInt(fn, arg, k);
  if ((k as number) > limit)
    throw new InvalidArgumentError(fn, arg, k, `at most ${limit} (the smaller dimension of the matrix)`);
  return k as number;
}

/**
 * Validates a matrix argument: a 2-D float NDArray with finite entries (returned as a contiguous
 * float64 copy) or a sparse matrix (returned as CSR).
 */
export function matrixArg(fn: string, arg: string, a: MatrixLike): NDArray<'float64'> | CSRMatrix {
  if (isSparse(a)) return a instanceof CSRMatrix ? a : a.toCSR();
  if (!isNDArray(a)) throw new InvalidArgumentError(fn, arg, a, 'an NDArray or a sparse matrix');
  const m = a as NDArray;
  if (m.ndim !== 2) throw new ShapeError(fn, arg, 'expected a matrix', m.shape);
  if (m.dtype !== 'float64' && m.dtype !== 'float32')
    throw new InvalidArgumentError(fn, arg, m.dtype, 'a float64 or float32 array');
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
