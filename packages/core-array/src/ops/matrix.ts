import { zeros } from '../creation.js';
import type { DType } from '../dtype.js';
import { ShapeError } from '../errors.js';
import { NDArray, copyInto } from '../ndarray.js';
import { checkArray, checkInteger } from '../validate.js';
import { sum } from './reductions.js';

function checkOffset(fn: string, k: number): void {
  checkInteger(fn, 'k', k);
}

function requireMatrixStack(fn: string, a: NDArray): void {
  checkArray(fn, 'a', a);
  if (a.ndim < 2)
    throw new ShapeError(fn, 'a', 'expected at least 2 dimensions (a matrix or a stack)', a.shape);
}

/**
 * The k-th diagonal of the last two axes as a zero-copy strided view (k > 0 above the main
 * diagonal, k < 0 below), as `numpy.linalg.diagonal`: shape `[..., len]`. Writing through the view
 * writes the matrix. O(1).
 * @throws ShapeError for fewer than 2 dimensions; InvalidArgumentError for a non-integer k.
 * @example
 * ```ts
 * import { array, diagonal } from '@krylov/core-array';
 * const a = array([[1, 2], [3, 4]]);
 * console.assert(diagonal(a).toFlatArray().join() === '1,4' && diagonal(a, 1).toFlatArray().join() === '2');
 * ```
 */
export function diagonal<D extends DType>(a: NDArray<D>, k = 0): NDArray<D> {
  const fn = 'diagonal';
  requireMatrixStack(fn, a);
  checkOffset(fn, k);
  const nd = a.ndim;
  const [m, n] = [a.shape[nd - 2], a.shape[nd - 1]];
  const [rs, cs] = [a.strides[nd - 2], a.strides[nd - 1]];
  const len = Math.max(0, k >= 0 ? Math.min(m, n - k) : Math.min(m + k, n));
  const offset = len === 0 ? a.offset : a.offset + (k >= 0 ? k * cs : -k * rs);
  return new NDArray(
    a.data,
    [...a.shape.slice(0, nd - 2), len],
    [...a.strides.slice(0, nd - 2), rs + cs],
    offset,
  );
}

/**
 * A new matrix with `v` on its k-th diagonal (`numpy.diag` for 1-D input): (n + |k|) x (n + |k|).
 * O(n^2).
 * @throws ShapeError unless `v` is 1-D; InvalidArgumentError for a non-integer k.
 * @example
 * ```ts
 * import { array, diag } from '@krylov/core-array';
 * const d = diag(array([1, 2, 3]));
 * console.assert(d.shape.join() === '3,3' && d.get(2, 2) === 3 && d.get(0, 1) === 0);
 * ```
 */
export function diag<D extends DType>(v: NDArray<D>, k = 0): NDArray<D> {
  const fn = 'diag';
  checkArray(fn, 'v', v);
  if (v.ndim !== 1)
    throw new ShapeError(fn, 'v', 'expected a vector (use diagonal() to read a diagonal)', v.shape);
  checkOffset(fn, k);
  const size = v.shape[0] + Math.abs(k);
  const out = zeros([size, size], { dtype: v.dtype }) as NDArray<D>;
  copyInto(diagonal(out, k), v);
  return out;
}

/**
 * The sum of the k-th diagonal of a matrix (`numpy.trace`); for stacks, `sum(diagonal(a), { axis: -1 })`.
 * O(min(m, n)).
 * @throws ShapeError unless `a` is 2-D; InvalidArgumentError for a non-integer k.
 * @example
 * ```ts
 * import { array, trace } from '@krylov/core-array';
 * console.assert(trace(array([[1, 2], [3, 4]])) === 5);
 * ```
 */
export function trace(a: NDArray, k = 0): number {
  checkArray('trace', 'a', a);
  if (a.ndim !== 2) throw new ShapeError('trace', 'a', 'expected a matrix (2 dimensions)', a.shape);
  return sum(diagonal(a, k)).item();
}

function keepTriangle<D extends DType>(fn: string, a: NDArray<D>, k: number, upper: boolean): NDArray<D> {
  requireMatrixStack(fn, a);
  checkOffset(fn, k);
  const out = a.copy();
  const [m, n] = out.shape.slice(-2);
  const d = out.data;
  for (let base = 0; base < out.size; base += m * n)
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) if (upper ? j - i < k : j - i > k) d[base + i * n + j] = 0;
  return out;
}

/**
 * A copy with the entries below the k-th diagonal of the last two axes set to zero (`numpy.triu`).
 * O(size). @throws ShapeError for fewer than 2 dimensions; InvalidArgumentError for a non-integer k.
 * @example
 * ```ts
 * import { array, triu } from '@krylov/core-array';
 * const u = triu(array([[1, 2], [3, 4]]));
 * console.assert(u.get(1, 0) === 0 && u.get(0, 1) === 2);
 * ```
 */
export function triu<D extends DType>(a: NDArray<D>, k = 0): NDArray<D> {
  return keepTriangle('triu', a, k, true);
}

/**
 * A copy with the entries above the k-th diagonal of the last two axes set to zero (`numpy.tril`).
 * O(size). @throws ShapeError for fewer than 2 dimensions; InvalidArgumentError for a non-integer k.
 * @example
 * ```ts
 * import { array, tril } from '@krylov/core-array';
 * const l = tril(array([[1, 2], [3, 4]]));
 * console.assert(l.get(0, 1) === 0 && l.get(1, 0) === 3);
 * ```
 */
export function tril<D extends DType>(a: NDArray<D>, k = 0): NDArray<D> {
  return keepTriangle('tril', a, k, false);
}
