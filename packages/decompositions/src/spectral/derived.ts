import { type DType, InvalidArgumentError, type NDArray, checkOptions, matmul } from '@krylov/core-array';
import { overStack } from '../util/batch.js';
import { type Floating, epsOf, floating } from '../util/validate.js';
import { svd } from './svd.js';

/**
 * The Moore-Penrose pseudoinverse by SVD (numpy.linalg.pinv): singular values below
 * rcond * s_max are treated as zero (default rcond = max(m, n) eps of the dtype). O(m n min(m, n)).
 */
export function pinv<D extends DType>(a: NDArray<D>, options?: { rcond?: number }): NDArray<Floating<D>> {
  if (a.ndim > 2) return overStack('pinv', [a], [2], (m) => pinv(m, options)) as NDArray<Floating<D>>;
  checkOptions('pinv', options, ['rcond']);
  const { u, s, vt } = svd(a);
  const [m, n] = a.shape;
  const cutoff = (options?.rcond ?? Math.max(m, n) * epsOf(floating(a))) * (s.data[0] ?? 0);
  const k = s.shape[0];
  const vs = vt.T.copy();
  for (let i = 0; i < n; i++)
    for (let j = 0; j < k; j++) vs.data[i * k + j] *= s.data[j] > cutoff ? 1 / s.data[j] : 0;
  return matmul(vs, u.T) as NDArray<Floating<D>>;
}

/** The numerical rank: singular values above tol (default s_max max(m, n) eps of the dtype), as numpy.linalg.matrix_rank. */
export function matrixRank(a: NDArray, options?: { tol?: number }): number {
  checkOptions('matrixRank', options, ['tol']);
  const { s } = svd(a, { mode: 'values' });
  const tol = options?.tol ?? (s.data[0] ?? 0) * Math.max(...a.shape) * epsOf(floating(a));
  return s.toFlatArray().filter((v) => v > tol).length;
}

/** The 2-norm condition number s_max / s_min (Infinity for a singular matrix). */
export function cond(a: NDArray): number {
  const { s } = svd(a, { mode: 'values' });
  const k = s.shape[0];
  return k === 0 ? 0 : s.data[0] / s.data[k - 1];
}

/** Matrix norms that need singular values: 2 (largest) and 'nuc' (sum). Others are `norm` in core-array. */
export function matrixNorm(a: NDArray, ord: 2 | 'nuc'): number {
  const { s } = svd(a, { mode: 'values' });
  return ord === 2 ? (s.data[0] ?? 0) : s.toFlatArray().reduce((x, y) => x + y, 0);
}

/** The number of singular values above rcond * s_max (default rcond = max(m, n) eps), as SciPy's orth/null_space. */
function rankAbove(fn: string, s: NDArray, shape: readonly number[], rcond: number | undefined): number {
  if (rcond !== undefined && !(rcond >= 0))
    throw new InvalidArgumentError(fn, 'options.rcond', rcond, 'a number >= 0');
  const cutoff = (rcond ?? Math.max(...shape) * epsOf(floating(s))) * (s.data[0] ?? 0);
  return s.toFlatArray().filter((v) => v > cutoff).length;
}

/**
 * An orthonormal basis of the range of A: the left singular vectors of the singular values above
 * rcond * s_max (scipy.linalg.orth). Returns m x r with r the numerical rank. O(m n min(m, n)).
 * @throws ShapeError for a non-matrix; InvalidArgumentError for non-finite entries or a negative rcond.
 */
export function orth<D extends DType>(a: NDArray<D>, options?: { rcond?: number }): NDArray<Floating<D>> {
  checkOptions('orth', options, ['rcond']);
  const { u, s } = svd(a);
  const r = rankAbove('orth', s, a.shape, options?.rcond);
  return u.slice(null, `0:${r}`).copy();
}

/**
 * An orthonormal basis of the null space of A: the right singular vectors beyond the numerical rank,
 * from the full SVD (scipy.linalg.null_space). Returns n x (n - r). O(m n^2 + n^3).
 * @throws ShapeError for a non-matrix; InvalidArgumentError for non-finite entries or a negative rcond.
 */
export function nullSpace<D extends DType>(
  a: NDArray<D>,
  options?: { rcond?: number },
): NDArray<Floating<D>> {
  checkOptions('nullSpace', options, ['rcond']);
  const { s, vt } = svd(a, { mode: 'full' });
  const r = rankAbove('nullSpace', s, a.shape, options?.rcond);
  return vt.slice(`${r}:`).T.copy();
}
