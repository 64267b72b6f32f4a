import {
  type DType,
  type NDArray,
  ShapeError,
  SingularMatrixError,
  checkChoice,
  checkNumber,
  checkOptions,
  matmul,
  optionKeys,
} from '@krylov/core-array';
import { inv } from '../factor/solve.js';
import { overStack } from '../util/batch.js';
import { type Floating, checkArray, epsOf, floating, singleMatrix, workingCopy } from '../util/validate.js';
import { svd } from './svd.js';

const PINV_OPTIONS_KEYS = optionKeys<PinvOptions>()('rcond');

/** Options of {@link pinv}. */
export type PinvOptions = { rcond?: number };

/**
 * The Moore-Penrose pseudoinverse by SVD (numpy.linalg.pinv): singular values below
 * rcond * s_max are treated as zero (default rcond = max(m, n) eps of the dtype). Stacks map over
 * the leading dimensions. O(m n min(m, n)).
 * @example
 * ```ts
 * import { array, matmul, norm, sub } from '@krylov/core-array';
 * import { pinv } from '@krylov/decompositions';
 * const a = array([[1, 2], [2, 4], [3, 6]]); // rank 1
 * const p = pinv(a); // 2 x 3
 * console.assert(norm(sub(matmul(matmul(a, p), a), a)).item() < 1e-12, 'A A^+ A = A');
 * ```
 * @throws InvalidArgumentError for a negative or non-finite rcond or non-finite entries; ShapeError.
 */
export function pinv<D extends DType>(a: NDArray<D>, options?: PinvOptions): NDArray<Floating<D>> {
  checkArray('pinv', 'a', a);
  if (a.ndim > 2) return overStack('pinv', [a], [2], (m) => pinv(m, options)) as NDArray<Floating<D>>;
  checkOptions('pinv', options, PINV_OPTIONS_KEYS);
  if (options?.rcond !== undefined) checkNumber('pinv', 'options.rcond', options.rcond, { min: 0 });
  const { u, s, vt } = svd(a);
  const [m, n] = a.shape;
  const cutoff = (options?.rcond ?? Math.max(m, n) * epsOf(floating(a))) * (s.data[0] ?? 0);
  const k = s.shape[0];
  const vs = vt.T.copy();
  for (let i = 0; i < n; i++)
    for (let j = 0; j < k; j++) vs.data[i * k + j] *= s.data[j] > cutoff ? 1 / s.data[j] : 0;
  return matmul(vs, u.T) as NDArray<Floating<D>>;
}

const MATRIX_RANK_OPTIONS_KEYS = optionKeys<MatrixRankOptions>()('tol');

/** Options of {@link matrixRank}. */
export type MatrixRankOptions = { tol?: number };

/**
 * The numerical rank: the number of singular values above tol (default s_max max(m, n) eps of the
 * dtype), as numpy.linalg.matrix_rank. One matrix: map a stack with `batched(matrixRank)`.
 * Singular values only (LAPACK ?gesdd with job 'values'): O(m n min(m, n)).
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { matrixRank } from '@krylov/decompositions';
 * console.assert(matrixRank(array([[1, 2, 3], [2, 4, 6], [1, 0, 1]])) === 2, 'rank 2');
 * ```
 * @throws ShapeError for a stack; InvalidArgumentError for a negative or non-finite tol or
 *   non-finite entries.
 */
export function matrixRank(a: NDArray, options?: MatrixRankOptions): number {
  const fn = 'matrixRank';
  checkOptions(fn, options, MATRIX_RANK_OPTIONS_KEYS);
  if (options?.tol !== undefined) checkNumber(fn, 'options.tol', options.tol, { min: 0 });
  checkArray(fn, 'a', a);
  singleMatrix(fn, 'a', a);
  const { s } = svd(a, { mode: 'values' });
  const tol = options?.tol ?? (s.data[0] ?? 0) * Math.max(...a.shape) * epsOf(floating(a));
  return s.toFlatArray().filter((v) => v > tol).length;
}

/** The matrix norms `matrixNorm` and `cond` take (numpy.linalg.norm's orders for a matrix). */
export type MatrixOrder =
  | 'fro'
  | 'nuc'
  | 1
  | -1
  | 2
  | -2
  | typeof Number.POSITIVE_INFINITY
  | typeof Number.NEGATIVE_INFINITY;
const ORDERS: readonly MatrixOrder[] = [
  'fro',
  'nuc',
  1,
  -1,
  2,
  -2,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
];

/**
 * The condition number of A in the norm `p` (numpy.linalg.cond): for p = 2 (default) s_max / s_min
 * from the SVD (any shape), for p = -2 s_min / s_max; for the other orders (1, -1, Infinity,
 * -Infinity, 'fro', 'nuc'; square A only) ||A||_p ||A^-1||_p. A singular matrix gives Infinity
 * (s_min exactly zero, the zero matrix included, or an exactly zero pivot in the inverse's LU), and
 * 0 for p = -2; a numerically singular matrix whose computed s_min is a rounding-level nonzero gives
 * a huge finite number (>~ 1/eps), as NumPy. One matrix: map a stack with `batched(cond)`.
 * O(m n min(m, n)).
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { cond } from '@krylov/decompositions';
 * console.assert(Math.abs(cond(array([[1, 0], [0, 1e-3]])) - 1e3) < 1e-9, 'sigma_max / sigma_min = 1000');
 * ```
 * @throws ShapeError for an empty matrix, a stack, or a non-square A with p other than +-2;
 *   InvalidArgumentError for an unknown order or non-finite entries.
 */
export function cond(a: NDArray, p: MatrixOrder = 2): number {
  const fn = 'cond';
  const ord = checkChoice(fn, 'p', p, ORDERS);
  checkArray(fn, 'a', a);
  singleMatrix(fn, 'a', a);
  if (a.size === 0)
    throw new ShapeError(fn, 'a', 'the condition number of an empty matrix is not defined', a.shape);
  if (ord === 2 || ord === -2) {
    const { s } = svd(a, { mode: 'values' });
    const big = s.data[0];
    const small = s.data[s.shape[0] - 1];
    if (small === 0) return ord === 2 ? Number.POSITIVE_INFINITY : 0;
    return ord === 2 ? big / small : small / big;
  }
  if (a.shape[0] !== a.shape[1])
    throw new ShapeError(fn, 'a', `expected a square matrix for the order ${String(ord)}`, a.shape);
  let ainv: NDArray;
  try {
    ainv = inv(a);
  } catch (e) {
    if (e instanceof SingularMatrixError) return Number.POSITIVE_INFINITY;
    throw e;
  }
  const c = matrixNorm(a, ord) * matrixNorm(ainv, ord);
  return Number.isFinite(c) ? c : Number.POSITIVE_INFINITY;
}

/**
 * A matrix norm, with numpy.linalg.norm's orders for a 2-D array: 'fro' (default, Frobenius),
 * 'nuc' (sum of the singular values), 2 / -2 (largest / smallest singular value), 1 / -1 (largest /
 * smallest absolute column sum), Infinity / -Infinity (largest / smallest absolute row sum). The
 * singular-value orders cost an SVD (O(m n min(m, n))), the others O(m n). Any other order is
 * refused (vector norms are core-array's `norm`). An empty matrix has norm 0. One matrix: map a
 * stack with `batched(matrixNorm)`.
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { matrixNorm } from '@krylov/decompositions';
 * const a = array([[3, 0], [0, 4]]);
 * console.assert(matrixNorm(a, 2) === 4 && matrixNorm(a, 'nuc') === 7, 'spectral 4, nuclear 7');
 * ```
 * @throws InvalidArgumentError for an unknown order or non-finite entries; ShapeError for a stack.
 */
export function matrixNorm(a: NDArray, ord: MatrixOrder = 'fro'): number {
  const fn = 'matrixNorm';
  const o = checkChoice(fn, 'ord', ord, ORDERS);
  checkArray(fn, 'a', a);
  singleMatrix(fn, 'a', a);
  if (o === 2 || o === -2 || o === 'nuc') {
    const { s } = svd(a, { mode: 'values' });
    const k = s.shape[0];
    if (k === 0) return 0;
    return o === 2 ? s.data[0] : o === -2 ? s.data[k - 1] : s.toFlatArray().reduce((x, y) => x + y, 0);
  }
  const w = workingCopy(fn, 'a', a);
  const [m, n] = w.shape;
  if (w.size === 0) return 0;
  if (o === 'fro') {
    // scaled sum of squares (LAPACK dlassq), no overflow for huge entries
    let scale = 0;
    let ssq = 1;
    for (const v of w.data) {
      const x = Math.abs(v);
      if (x === 0) continue;
      if (scale < x) {
        ssq = 1 + ssq * (scale / x) ** 2;
        scale = x;
      } else ssq += (x / scale) ** 2;
    }
    return scale * Math.sqrt(ssq);
  }
  const byColumn = o === 1 || o === -1;
  const sums = new Float64Array(byColumn ? n : m);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) sums[byColumn ? j : i] += Math.abs(w.data[i * n + j]);
  return o > 0 ? Math.max(...sums) : Math.min(...sums);
}

/** The number of singular values above rcond * s_max (default rcond = max(m, n) eps), as SciPy's orth/null_space. */
function rankAbove(fn: string, s: NDArray, shape: readonly number[], rcond: number | undefined): number {
  if (rcond !== undefined) checkNumber(fn, 'options.rcond', rcond, { min: 0 });
  const cutoff = (rcond ?? Math.max(...shape) * epsOf(floating(s))) * (s.data[0] ?? 0);
  return s.toFlatArray().filter((v) => v > cutoff).length;
}

const ORTH_OPTIONS_KEYS = optionKeys<OrthOptions>()('rcond');

/** Options of {@link orth}. */
export type OrthOptions = { rcond?: number };

/**
 * An orthonormal basis of the range of A: the left singular vectors of the singular values above
 * rcond * s_max (scipy.linalg.orth). Returns m x r with r the numerical rank. O(m n min(m, n)).
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { orth } from '@krylov/decompositions';
 * const q = orth(array([[1, 2], [2, 4], [3, 6]])); // rank 1: one orthonormal column
 * console.assert(q.shape[0] === 3 && q.shape[1] === 1, 'range of dimension 1');
 * ```
 * @throws ShapeError for a non-matrix or a stack; InvalidArgumentError for non-finite entries or a
 *   negative or non-finite rcond.
 */
export function orth<D extends DType>(a: NDArray<D>, options?: OrthOptions): NDArray<Floating<D>> {
  checkOptions('orth', options, ORTH_OPTIONS_KEYS);
  checkArray('orth', 'a', a);
  singleMatrix('orth', 'a', a);
  const { u, s } = svd(a);
  const r = rankAbove('orth', s, a.shape, options?.rcond);
  return u.slice(null, `0:${r}`).copy();
}

const NULL_SPACE_OPTIONS_KEYS = optionKeys<NullSpaceOptions>()('rcond');

/** Options of {@link nullSpace}. */
export type NullSpaceOptions = { rcond?: number };

/**
 * An orthonormal basis of the null space of A: the right singular vectors beyond the numerical rank,
 * from the full SVD (scipy.linalg.null_space). Returns n x (n - r). O(m n^2 + n^3).
 * @example
 * ```ts
 * import { array, matmul, norm } from '@krylov/core-array';
 * import { nullSpace } from '@krylov/decompositions';
 * const a = array([[1, 1, 1]]);
 * const z = nullSpace(a); // 3 x 2, orthonormal columns with A z = 0
 * console.assert(z.shape[1] === 2 && norm(matmul(a, z)).item() < 1e-12, 'A Z = 0');
 * ```
 * @throws ShapeError for a non-matrix or a stack; InvalidArgumentError for non-finite entries or a
 *   negative or non-finite rcond.
 */
export function nullSpace<D extends DType>(a: NDArray<D>, options?: NullSpaceOptions): NDArray<Floating<D>> {
  checkOptions('nullSpace', options, NULL_SPACE_OPTIONS_KEYS);
  checkArray('nullSpace', 'a', a);
  singleMatrix('nullSpace', 'a', a);
  const { s, vt } = svd(a, { mode: 'full' });
  const r = rankAbove('nullSpace', s, a.shape, options?.rcond);
  return vt.slice(`${r}:`).T.copy();
}
