import {
  ConvergenceError,
  type DType,
  type FloatDType,
  InvalidArgumentError,
  type Mat,
  type NDArray,
  NotPositiveDefiniteError,
  ShapeError,
  SingularMatrixError,
  checkNumber,
  checkOptions,
  eye,
  isNDArray,
  matmul,
  optionKeys,
  zeros,
} from '@krylov/core-array';
import { gelsd } from '../spectral/gelsd.js';
import { overStack } from '../util/batch.js';
import {
  type Floating,
  type SymmetryOption,
  checkArray,
  checkMatrix,
  epsOf,
  floating,
  optBoolean,
  optChoice,
  singleMatrix,
  symmetricInput,
  withWorkingCopy,
  workingCopy,
} from '../util/validate.js';
import { solveBanded } from './banded.js';
import { potrf, potrs } from './cholesky.js';
import { gesv, getrf, luSolve } from './lu.js';
import { ormqr } from './ormqr.js';
import { geqrf } from './qr.js';
import { trtrs } from './trtrs.js';

export type Assume = 'general' | 'symmetric' | 'positive definite' | 'triangular' | 'banded';
const ASSUME: readonly Assume[] = ['general', 'symmetric', 'positive definite', 'triangular', 'banded'];

function rhs<D extends FloatDType>(fn: string, a: NDArray, b: NDArray, dtype: D): NDArray<D> {
  checkArray(fn, 'b', b);
  const w = workingCopy(fn, 'b', b.ndim === 1 ? b.reshape([b.shape[0], 1]) : b, false, dtype);
  if (w.shape[0] !== a.shape[0])
    throw new ShapeError(fn, 'b', `needs ${a.shape[0]} rows to match a`, b.shape);
  return w;
}

const SOLVE_OPTIONS_KEYS = optionKeys<SolveOptions>()('assume', 'lower', 'checkSymmetry');

/** Options of {@link solve}. */
export type SolveOptions = { assume?: Assume; lower?: boolean } & SymmetryOption;

/**
 * Solves A X = B (as scipy.linalg.solve), choosing the factorization from `assume`: 'general'
 * (LU with partial pivoting, dgesv), 'positive definite' (Cholesky, dposv), 'symmetric' (LU; the
 * structure is used only for validation), 'triangular' (substitution, the `trtrs` kernel; `lower`
 * picks the triangle, the other one is never read), 'banded' (band LU with partial pivoting on the bandwidths found in A, dgbsv:
 * O(n kl (kl + ku)); `solveBanded` takes SciPy's compact band storage directly). A 1-D b gives a
 * 1-D x; stacks `[..., n, n]` and `[..., n, k]` map over broadcast leading dimensions. In float32
 * when both inputs are float32 (LAPACK sgesv natively), else float64. O(n^3) (O(n^2) triangular).
 * 'symmetric' and 'positive definite' first check that A is symmetric (core-array's
 * `checkSymmetric`: relative asymmetry <= sqrt(eps) of the dtype); with `checkSymmetry: false` the
 * check is skipped and 'positive definite' reads only the lower triangle, as LAPACK's dposv.
 * @example
 * ```ts
 * import { array, matmul, norm, sub } from '@krylov/core-array';
 * import { solve } from '@krylov/decompositions';
 * const a = array([[3, 1], [1, 2]]);
 * const b = array([9, 8]);
 * const x = solve(a, b, { assume: 'positive definite' }); // Cholesky instead of LU
 * console.assert(norm(sub(matmul(a, x), b)).item() < 1e-12, 'A x = b');
 * ```
 * @throws SingularMatrixError with the zero pivot (its index comes from the backend's factorization:
 *   the native gesv factors A^T, so it may differ from the pure-JS one); NotPositiveDefiniteError for
 *   'positive definite' input that is not; ShapeError; InvalidArgumentError for non-finite entries,
 *   a non-symmetric A ('symmetric', 'positive definite'), unknown options or ill-typed option values.
 */
export function solve<A extends DType, B extends DType>(
  a: NDArray<A>,
  b: NDArray<B>,
  options?: SolveOptions,
): NDArray<Floating<A | B>> {
  type X = NDArray<Floating<A | B>>;
  const fn = 'solve';
  checkArray(fn, 'a', a);
  checkArray(fn, 'b', b);
  // Stacks as numpy.linalg.solve: b is a vector only when 1-D, else a (stack of) matrices.
  if (a.ndim > 2 || b.ndim > 2)
    return overStack(fn, [a, b], [2, b.ndim === 1 ? 1 : 2], (m, r) => solve(m, r, options)) as X;
  checkOptions(fn, options, SOLVE_OPTIONS_KEYS);
  const assume = optChoice(fn, 'options.assume', options?.assume, 'general', ASSUME);
  const lower = optBoolean(fn, 'options.lower', options?.lower, true);
  const checkSymmetry = optBoolean(fn, 'options.checkSymmetry', options?.checkSymmetry, true);
  if (assume === 'banded') return solveBandedDense(a, b) as X;
  const dtype = floating(a, b);
  // w (a's validated copy, in a reused buffer) and x are factored and solved in place (?gesv, ?posv)
  const x = withWorkingCopy(fn, 'a', a, true, dtype, (w) => {
    const x = rhs(fn, a, b, dtype);
    if (assume === 'symmetric' || assume === 'positive definite')
      symmetricInput(fn, 'a', w, { checkSymmetry });
    if (assume === 'positive definite') {
      const info = potrf({ a: w });
      if (info > 0) throw new NotPositiveDefiniteError(fn, info - 1);
      potrs({ l: w, b: x });
    } else if (assume === 'triangular') {
      const info = trtrs({ a: w, b: x, lower, transpose: false, unitDiag: false });
      if (info > 0)
        throw new SingularMatrixError(fn, info - 1, 'zero on the diagonal of a triangular matrix');
    } else {
      const info = gesv({ a: w, b: x });
      if (info > 0) throw new SingularMatrixError(fn, info - 1);
    }
    return x;
  });
  return (b.ndim === 1 ? x.reshape([a.shape[0]]) : x) as X;
}

/**
 * The inverse of a square matrix by LU (numpy.linalg.inv, scipy.linalg.inv; dgetri's result, via
 * solving A X = I with LAPACK ?gesv), in the input's
 * floating dtype. O(n^3).
 * @example
 * ```ts
 * import { array, eye, matmul, norm, sub } from '@krylov/core-array';
 * import { inv } from '@krylov/decompositions';
 * const a = array([[4, 7], [2, 6]]);
 * console.assert(norm(sub(matmul(a, inv(a)), eye(2))).item() < 1e-12, 'A A^-1 = I');
 * ```
 * @throws SingularMatrixError with the zero pivot.
 */
export function inv<D extends DType>(a: NDArray<D>): NDArray<Floating<D>> {
  checkArray('inv', 'a', a);
  if (a.ndim > 2) return overStack('inv', [a], [2], inv) as NDArray<Floating<D>>;
  const dtype = floating(a) as Floating<D>;
  // w is a validated copy in a reused buffer: factor it in place
  return withWorkingCopy('inv', 'a', a, true, dtype, (w) => {
    const n = w.shape[0];
    const f = { lu: w, ipiv: getrf({ a: w }).ipiv };
    for (let k = 0; k < n; k++) if (w.data[k * n + k] === 0) throw new SingularMatrixError('inv', k);
    return luSolve(f, eye(n, { dtype })) as NDArray<Floating<D>>;
  });
}

/**
 * sign(det A) and log|det A| from the LU factorization (numpy.linalg.slogdet): no overflow for
 * large matrices. A singular matrix gives sign 0 and logabsdet -Infinity. A float32 matrix is
 * factored in float32. O(n^3). One matrix: map a stack with `batched(slogdet)`.
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { slogdet } from '@krylov/decompositions';
 * const { sign, logabsdet } = slogdet(array([[0, 2], [3, 0]])); // det = -6
 * console.assert(sign === -1 && Math.abs(logabsdet - Math.log(6)) < 1e-12, 'det = -6');
 * ```
 * @throws ShapeError for a non-square matrix or a stack; DTypeError; InvalidArgumentError for non-finite entries.
 */
export function slogdet(a: NDArray): { sign: number; logabsdet: number } {
  checkArray('slogdet', 'a', a);
  singleMatrix('slogdet', 'a', a);
  return withWorkingCopy('slogdet', 'a', a, true, floating(a), (w) => {
    const n = w.shape[0];
    const { ipiv } = getrf({ a: w });
    let sign = 1;
    let logabsdet = 0;
    for (let k = 0; k < n; k++) {
      const u = w.data[k * n + k];
      if (u === 0) return { sign: 0, logabsdet: Number.NEGATIVE_INFINITY };
      if (u < 0) sign = -sign;
      if (ipiv[k] !== k) sign = -sign;
      logabsdet += Math.log(Math.abs(u));
    }
    return { sign, logabsdet };
  });
}

/**
 * The determinant (numpy.linalg.det: the product of the pivots of LAPACK ?getrf's LU), as
 * sign * exp(logabsdet); may overflow to +-Infinity for huge matrices: prefer slogdet. Computed in
 * float64, returned as a number. O(n^3).
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { det } from '@krylov/decompositions';
 * console.assert(Math.abs(det(array([[1, 2], [3, 4]])) + 2) < 1e-12, 'det = -2');
 * ```
 * @throws as slogdet.
 */
export function det(a: NDArray): number {
  checkArray('det', 'a', a);
  singleMatrix('det', 'a', a);
  const { sign, logabsdet } = slogdet(a);
  return sign * Math.exp(logabsdet);
}

const LSTSQ_OPTIONS_KEYS = optionKeys<LstsqOptions>()('driver', 'rcond');

/** Options of {@link lstsq}. */
export type LstsqOptions = { driver?: 'svd' | 'qr'; rcond?: number };

/**
 * Least squares min ||A x - b||_2 (numpy.linalg.lstsq / scipy.linalg.lstsq), by one of two drivers:
 * - 'svd' (default; the `gelsd` kernel, LAPACK dgelsd on the native backend): x = V diag(1/s_i)
 *   U^T b over the singular values s_i > rcond * s_max, the minimum-norm solution, so
 *   rank-deficient and underdetermined (m < n) problems are fine. rcond defaults to
 *   eps * max(m, n) as NumPy (eps of the dtype). O(m n^2) plus the SVD.
 * - 'qr' (dgels): Householder QR (`geqrf`), Q^T b by the reflectors (`ormqr`), then R x = (Q^T b)
 *   by substitution (`trtrs`), for a tall full-rank A. O(2 m n^2 - 2/3 n^3).
 * `residuals` holds the residual sum of squares per column of b when the rank is n and m > n, and
 * is empty otherwise (NumPy's convention); `s` the singular values ('svd' only). In float32 when
 * both inputs are float32, else float64.
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { lstsq } from '@krylov/decompositions';
 * // fit y = c0 + c1 t through (0, 1), (1, 3), (2, 5)
 * const { x, rank } = lstsq(array([[1, 0], [1, 1], [1, 2]]), array([1, 3, 5]));
 * console.assert(rank === 2 && Math.abs(x.get(0) - 1) < 1e-12 && Math.abs(x.get(1) - 2) < 1e-12, 'y = 1 + 2 t');
 * ```
 * @throws SingularMatrixError naming the index of a zero diagonal in R ('qr', rank deficient);
 *   ConvergenceError when the SVD does not converge ('svd'); ShapeError when 'qr' gets m < n or b's rows do not match; InvalidArgumentError on bad options.
 */
export function lstsq<A extends DType, B extends DType>(
  a: NDArray<A>,
  b: NDArray<B>,
  options?: LstsqOptions,
): { x: NDArray<Floating<A | B>>; residuals: number[]; rank: number; s: NDArray<Floating<A | B>> | null } {
  type X = NDArray<Floating<A | B>>;
  const fn = 'lstsq';
  checkOptions(fn, options, LSTSQ_OPTIONS_KEYS);
  const driver = optChoice(fn, 'options.driver', options?.driver, 'svd', ['svd', 'qr'] as const);
  if (options?.rcond !== undefined) {
    checkNumber(fn, 'options.rcond', options.rcond, { min: 0 });
    if (driver === 'qr')
      throw new InvalidArgumentError(
        fn,
        'options.rcond',
        options.rcond,
        "no rcond with the 'qr' driver (it has no rank cutoff; use 'svd')",
      );
  }
  checkArray(fn, 'a', a);
  singleMatrix(fn, 'a', a);
  checkArray(fn, 'b', b);
  if (b.ndim > 2) throw new ShapeError(fn, 'b', 'expected a vector or a matrix', b.shape);
  const dtype = floating(a, b);
  const w = workingCopy(fn, 'a', a, false, dtype);
  const [m, n] = w.shape;
  const y = rhs(fn, a, b, dtype);
  const k = y.shape[1];
  let x: X;
  let rank = n;
  let s: X | null = null;
  if (driver === 'svd') {
    const rcond = options?.rcond ?? epsOf(dtype) * Math.max(m, n);
    const r = gelsd({ a: w, b: y, rcond });
    if (r.info > 0)
      throw new ConvergenceError(
        fn,
        r.info,
        Number.NaN,
        `the SVD did not converge (gelsd info ${r.info}: that many values of the bidiagonal form did not converge)`,
      );
    x = r.x as X;
    s = r.s as X;
    rank = r.rank;
  } else {
    if (m < n)
      throw new ShapeError(
        fn,
        'a',
        "the 'qr' driver needs at least as many rows as columns (use the 'svd' driver)",
        a.shape,
      );
    const { tau } = geqrf({ a: w });
    // Q^T b by the reflectors (dormqr), never forming Q; then R x = (Q^T b)[0:n] (dtrtrs)
    const qtb = y.copy();
    ormqr({ a: w, tau, c: qtb, side: 'left', transpose: true });
    x = qtb.slice(`0:${n}`).copy() as X;
    const info = trtrs({
      a: w.slice(`0:${n}`) as Mat,
      b: x,
      lower: false,
      transpose: false,
      unitDiag: false,
    });
    if (info > 0) throw new SingularMatrixError(fn, info - 1, "rank-deficient matrix (use the 'svd' driver)");
  }
  const residuals: number[] = [];
  if (rank === n && m > n) {
    const fit = matmul(a.astype('float64'), x.astype('float64'));
    for (let j = 0; j < k; j++) {
      let sum = 0;
      for (let i = 0; i < m; i++) sum += (fit.data[i * k + j] - y.data[i * k + j]) ** 2;
      residuals.push(sum);
    }
  }
  return { x: b.ndim === 1 ? x.reshape([n]) : x, residuals, rank, s };
}

/** solve(..., { assume: 'banded' }): finds the bandwidths of a dense A and packs it for solveBanded. */
function solveBandedDense(a: NDArray, b: NDArray): NDArray<FloatDType> {
  const w = workingCopy('solve', 'a', a, true);
  const n = w.shape[0];
  let kl = 0;
  let ku = 0;
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++)
      if (w.data[i * n + j] !== 0) {
        kl = Math.max(kl, i - j);
        ku = Math.max(ku, j - i);
      }
  // in a's dtype (its entries are exact there), so the result follows floating(a, b)
  const ab = zeros([kl + ku + 1, n], { dtype: floating(a) });
  for (let j = 0; j < n; j++)
    for (let i = Math.max(0, j - ku); i <= Math.min(n - 1, j + kl); i++)
      ab.data[(ku + i - j) * n + j] = w.data[i * n + j];
  return solveBanded([kl, ku], ab, b);
}
