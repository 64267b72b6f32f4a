import { ShapeError, checkOptions, optionKeys } from '../errors.js';
import { axpyKernel, dotKernel, nrm2Kernel, scalKernel } from '../kernels/level1.js';
import { gemvKernel, gerKernel, trmvKernel, trsvKernel } from '../kernels/level2.js';
import { syrkKernel, trmmKernel, trsmKernel } from '../kernels/level3.js';
import type { Mat, Vec } from '../kernels/signatures.js';
import { NDArray, isNDArray } from '../ndarray.js';
import { checkWritable, separate } from '../overlap.js';
import { checkBoolean, checkChoice, checkNumber } from '../validate.js';
import { requireNdim, requireSameDType, requireSquare } from './validate.js';

/**
 * BLAS-style public functions: validated entry points over the registered kernels (the pure-JS
 * reference, or a faster backend when one is installed and accepts the arguments). Scalars must be
 * finite numbers; an output (written in place) must not be a broadcast view, and an input that
 * may share memory with it is read from a copy, so every backend computes from the inputs as given.
 */

function vectors(fn: string, x: NDArray, y: NDArray): void {
  requireNdim(fn, 'x', x, 1);
  requireNdim(fn, 'y', y, 1);
  requireSameDType(fn, { x, y });
  if (x.shape[0] !== y.shape[0])
    throw new ShapeError(fn, 'y', `length must equal x's length ${x.shape[0]}`, y.shape);
}

/**
 * x . y (BLAS ddot). O(n). @throws ShapeError, DTypeError.
 * @example
 * ```ts
 * import { array, dot } from '@krylov/core-array';
 * console.assert(dot(array([1, 2, 3]), array([4, 5, 6])) === 32);
 * ```
 */
export function dot(x: NDArray, y: NDArray): number {
  // the checks of `vectors` without allocating, for the common case; anything else takes the
  // general path, which names the fault
  if (
    !isNDArray(x) ||
    !isNDArray(y) ||
    x.ndim !== 1 ||
    y.ndim !== 1 ||
    x.dtype !== y.dtype ||
    (x.dtype !== 'float64' && x.dtype !== 'float32') ||
    x.shape[0] !== y.shape[0]
  )
    vectors('dot', x, y);
  return dotKernel({ x: x as Vec, y: y as Vec });
}

/**
 * y += alpha x in place (BLAS daxpy); returns y. O(n).
 * @throws ShapeError, DTypeError; InvalidArgumentError for a non-finite alpha or a broadcast y.
 * @example
 * ```ts
 * import { array, axpy } from '@krylov/core-array';
 * const y = array([1, 1]);
 * axpy(2, array([1, 2]), y); // y <- 2 x + y, in place
 * console.assert(y.toFlatArray().join() === '3,5');
 * ```
 */
export function axpy(alpha: number, x: NDArray, y: NDArray): NDArray {
  const fn = 'axpy';
  checkNumber(fn, 'alpha', alpha);
  vectors(fn, x, y);
  checkWritable(fn, 'y', y);
  axpyKernel({ alpha, x: separate(y, x) as Vec, y: y as Vec });
  return y;
}

/**
 * x *= alpha in place (BLAS dscal); returns x. O(n).
 * @throws ShapeError, DTypeError; InvalidArgumentError for a non-finite alpha or a broadcast x.
 */
export function scal(alpha: number, x: NDArray): NDArray {
  checkNumber('scal', 'alpha', alpha);
  requireNdim('scal', 'x', x, 1);
  requireSameDType('scal', { x });
  checkWritable('scal', 'x', x);
  scalKernel({ alpha, x: x as Vec });
  return x;
}

/**
 * ||x||_2 with LAPACK dnrm2's overflow-safe scaling. O(n). @throws ShapeError, DTypeError.
 * @example
 * ```ts
 * import { array, nrm2 } from '@krylov/core-array';
 * console.assert(nrm2(array([3, 4])) === 5);
 * ```
 */
export function nrm2(x: NDArray): number {
  requireNdim('nrm2', 'x', x, 1);
  requireSameDType('nrm2', { x });
  return nrm2Kernel({ x: x as Vec });
}

const GEMV_OPTIONS_KEYS = optionKeys<GemvOptions>()('alpha', 'beta', 'y', 'trans');

/** Options of {@link gemv}. */
export type GemvOptions = { alpha?: number; beta?: number; y?: NDArray; trans?: boolean };

/**
 * y = alpha op(A) x + beta y (BLAS dgemv), op(A) = A or A^T; allocates y when not given. O(mn).
 * @throws ShapeError, DTypeError; InvalidArgumentError for unknown options, a non-finite alpha or
 * beta, a non-boolean trans, or a broadcast y.
 */
export function gemv(a: NDArray, x: NDArray, options?: GemvOptions): NDArray {
  const fn = 'gemv';
  checkOptions(fn, options, GEMV_OPTIONS_KEYS);
  const alpha = checkNumber(fn, 'options.alpha', options?.alpha ?? 1);
  const beta = checkNumber(fn, 'options.beta', options?.beta ?? 0);
  requireNdim(fn, 'a', a, 2);
  requireNdim(fn, 'x', x, 1);
  const op = checkBoolean(fn, 'options.trans', options?.trans ?? false) ? a.T : a;
  const y =
    options?.y ??
    new NDArray(new (a.data.constructor as Float64ArrayConstructor)(op.shape[0]), [op.shape[0]]);
  requireNdim(fn, options?.y ? 'options.y' : 'y', y, 1);
  requireSameDType(fn, { a, x, y });
  if (x.shape[0] !== op.shape[1])
    throw new ShapeError(fn, 'x', `length must equal op(a)'s ${op.shape[1]} columns`, x.shape);
  if (y.shape[0] !== op.shape[0])
    throw new ShapeError(fn, 'y', `length must equal op(a)'s ${op.shape[0]} rows`, y.shape);
  checkWritable(fn, 'options.y', y);
  gemvKernel({
    alpha,
    a: separate(y, op) as Mat,
    x: separate(y, x) as Vec,
    beta: options?.y ? beta : 0,
    y: y as Vec,
  });
  return y;
}

/**
 * A += alpha x y^T in place (BLAS dger); returns A. O(mn).
 * @throws ShapeError, DTypeError; InvalidArgumentError for a non-finite alpha or a broadcast a.
 */
export function ger(alpha: number, x: NDArray, y: NDArray, a: NDArray): NDArray {
  const fn = 'ger';
  checkNumber(fn, 'alpha', alpha);
  requireNdim(fn, 'x', x, 1);
  requireNdim(fn, 'y', y, 1);
  requireNdim(fn, 'a', a, 2);
  requireSameDType(fn, { a, x, y });
  if (a.shape[0] !== x.shape[0] || a.shape[1] !== y.shape[0])
    throw new ShapeError(fn, 'a', `expected [${x.shape[0]}, ${y.shape[0]}] to match x and y`, a.shape);
  checkWritable(fn, 'a', a);
  gerKernel({ alpha, x: separate(a, x) as Vec, y: separate(a, y) as Vec, a: a as Mat });
  return a;
}

export interface TriangularOptions {
  /** Which triangle of `a` is read (default true: lower). */
  lower?: boolean;
  /** Treat the diagonal as ones (default false). */
  unitDiag?: boolean;
  /** Use A^T instead of A (default false). */
  transA?: boolean;
}

function triangular(fn: string, a: NDArray, options: TriangularOptions | undefined, extra: string[]) {
  checkOptions(fn, options, ['lower', 'unitDiag', 'transA', ...extra]);
  requireSquare(fn, 'a', a);
  const lower = checkBoolean(fn, 'options.lower', options?.lower ?? true);
  const trans = checkBoolean(fn, 'options.transA', options?.transA ?? false);
  const unitDiag = checkBoolean(fn, 'options.unitDiag', options?.unitDiag ?? false);
  return { a: (trans ? a.T : a) as Mat, lower: trans ? !lower : lower, unitDiag };
}

function triangularVector(
  fn: 'trmv' | 'trsv',
  a: NDArray,
  x: NDArray,
  options: TriangularOptions | undefined,
): NDArray {
  const t = triangular(fn, a, options, []);
  requireNdim(fn, 'x', x, 1);
  requireSameDType(fn, { a, x });
  if (x.shape[0] !== a.shape[0])
    throw new ShapeError(fn, 'x', `length must equal a's order ${a.shape[0]}`, x.shape);
  checkWritable(fn, 'x', x);
  (fn === 'trmv' ? trmvKernel : trsvKernel)({ ...t, a: separate(x, t.a), x: x as Vec });
  return x;
}

/**
 * x = op(A) x in place, A triangular (BLAS dtrmv); returns x. O(n^2).
 * @throws ShapeError, DTypeError; InvalidArgumentError for non-boolean flags or a broadcast x.
 */
export function trmv(a: NDArray, x: NDArray, options?: TriangularOptions): NDArray {
  return triangularVector('trmv', a, x, options);
}

/**
 * x = op(A)^-1 x in place, A triangular (BLAS dtrsv); returns x. O(n^2).
 * @throws ShapeError, DTypeError; InvalidArgumentError for non-boolean flags or a broadcast x.
 */
export function trsv(a: NDArray, x: NDArray, options?: TriangularOptions): NDArray {
  return triangularVector('trsv', a, x, options);
}

type SideOptions = TriangularOptions & { side?: 'left' | 'right'; alpha?: number };

function triangularMatrix(fn: string, a: NDArray, b: NDArray, options: SideOptions | undefined) {
  const t = triangular(fn, a, options, ['side', 'alpha']);
  const side = checkChoice(fn, 'options.side', options?.side ?? 'left', ['left', 'right'] as const);
  const alpha = checkNumber(fn, 'options.alpha', options?.alpha ?? 1);
  requireNdim(fn, 'b', b, 2);
  requireSameDType(fn, { a, b });
  const dim = side === 'left' ? b.shape[0] : b.shape[1];
  if (dim !== a.shape[0])
    throw new ShapeError(
      fn,
      'b',
      `${side === 'left' ? 'rows' : 'columns'} must equal a's order ${a.shape[0]}`,
      b.shape,
    );
  checkWritable(fn, 'b', b);
  return { ...t, a: separate(b, t.a), side, alpha, b: b as Mat };
}

/**
 * B = alpha op(A) B (left) or alpha B op(A) (right) in place, A triangular (BLAS dtrmm); returns B.
 * O(n^2 m).
 * @throws ShapeError, DTypeError; InvalidArgumentError for a bad side, flag or alpha, or a broadcast b.
 */
export function trmm(a: NDArray, b: NDArray, options?: SideOptions): NDArray {
  trmmKernel(triangularMatrix('trmm', a, b, options));
  return b;
}

/**
 * B = alpha op(A)^-1 B (left) or alpha B op(A)^-1 (right) in place, A triangular (BLAS dtrsm);
 * returns B. No singularity check (a zero diagonal gives infinities, as BLAS). O(n^2 m).
 * @throws ShapeError, DTypeError; InvalidArgumentError for a bad side, flag or alpha, or a broadcast b.
 */
export function trsm(a: NDArray, b: NDArray, options?: SideOptions): NDArray {
  trsmKernel(triangularMatrix('trsm', a, b, options));
  return b;
}

const SYRK_OPTIONS_KEYS = optionKeys<SyrkOptions>()('alpha', 'beta', 'c', 'lower', 'trans');

/** Options of {@link syrk}. */
export type SyrkOptions = { alpha?: number; beta?: number; c?: NDArray; lower?: boolean; trans?: boolean };

/**
 * C = alpha A A^T + beta C (or alpha A^T A + beta C with `trans`) on the `lower` (default) or upper
 * triangle of C (BLAS dsyrk); allocates C when not given; the other triangle is left as it was.
 * O(n^2 k).
 * @throws ShapeError, DTypeError; InvalidArgumentError for unknown options, a non-finite alpha or
 * beta, non-boolean flags, or a broadcast c.
 */
export function syrk(a: NDArray, options?: SyrkOptions): NDArray {
  const fn = 'syrk';
  checkOptions(fn, options, SYRK_OPTIONS_KEYS);
  const alpha = checkNumber(fn, 'options.alpha', options?.alpha ?? 1);
  const beta = checkNumber(fn, 'options.beta', options?.beta ?? 0);
  const lower = checkBoolean(fn, 'options.lower', options?.lower ?? true);
  requireNdim(fn, 'a', a, 2);
  const op = checkBoolean(fn, 'options.trans', options?.trans ?? false) ? a.T : a;
  const n = op.shape[0];
  const c = options?.c ?? new NDArray(new (a.data.constructor as Float64ArrayConstructor)(n * n), [n, n]);
  requireNdim(fn, 'options.c', c, 2);
  requireSameDType(fn, { a, c });
  if (c.shape[0] !== n || c.shape[1] !== n)
    throw new ShapeError(fn, 'options.c', `expected [${n}, ${n}]`, c.shape);
  checkWritable(fn, 'options.c', c);
  syrkKernel({ alpha, a: separate(c, op) as Mat, beta: options?.c ? beta : 0, c: c as Mat, lower });
  return c;
}
