import {
  ConvergenceError,
  type DType,
  InvalidArgumentError,
  type NDArray,
  NotPositiveDefiniteError,
  ShapeError,
  checkFunction,
  checkInteger,
  checkNumber,
  checkOptions,
  matmul,
  optionKeys,
} from '@krylov/core-array';
import { eigh } from '../spectral/eigh.js';
import { svd } from '../spectral/svd.js';
import { overStack } from '../util/batch.js';
import {
  type Floating,
  type SymmetryOption,
  checkArray,
  inDTypeOf,
  optChoice,
  symmetricInput,
  workingCopy,
} from '../util/validate.js';
import { spdPower } from './roots.js';

type M = NDArray<'float64'>;

const SYMMETRY_OPTION_KEYS = optionKeys<SymmetryOption>()('checkSymmetry');

/**
 * f(A) = V diag(f(w)) V^T for a symmetric A = V diag(w) V^T (the spectral definition; Higham 2008,
 * "Functions of Matrices", ch. 1). Symmetric input only: the result is exact up to the accuracy of
 * eigh. A is checked with core-array's `checkSymmetric` (relative asymmetry <= sqrt(eps) of its
 * dtype) unless `checkSymmetry: false`, which reads only the lower triangle. Computed in float64,
 * returned in the input's dtype. O(n^3).
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { funm } from '@krylov/decompositions';
 * // f applied to the eigenvalues of a symmetric matrix: here exp
 * const e = funm(array([[0, 1], [1, 0]]), Math.exp); // eigenvalues +-1
 * console.assert(Math.abs(e.get(0, 0) - Math.cosh(1)) < 1e-12 && Math.abs(e.get(0, 1) - Math.sinh(1)) < 1e-12, 'exp of [[0, 1], [1, 0]]');
 * ```
 * @throws InvalidArgumentError for a non-symmetric matrix, an f that is not a function, or
 *   non-finite f(w).
 */
export function funm<D extends DType>(
  a: NDArray<D>,
  f: (w: number) => number,
  options?: SymmetryOption,
): NDArray<Floating<D>> {
  const fn = 'funm';
  checkFunction(fn, 'f', f);
  checkOptions(fn, options, SYMMETRY_OPTION_KEYS);
  checkArray(fn, 'a', a);
  if (a.ndim > 2) return overStack(fn, [a], [2], (m) => funm(m, f, options)) as NDArray<Floating<D>>;
  const w = workingCopy(fn, 'a', a, true);
  const n = w.shape[0];
  symmetricInput(fn, 'a', w, options);
  const { values, vectors } = eigh(w, { checkSymmetry: false });
  const v = vectors!;
  const scaled = v.copy() as M;
  for (let j = 0; j < n; j++) {
    const fw = f(values.data[j]);
    if (!Number.isFinite(fw))
      throw new InvalidArgumentError(
        fn,
        'f',
        fw,
        `finite values of f at the eigenvalues (f(${values.data[j]}) is not)`,
      );
    for (let i = 0; i < n; i++) scaled.data[i * n + j] *= fw;
  }
  return inDTypeOf(matmul(scaled, v.T), a);
}

const POLAR_OPTIONS_KEYS = optionKeys<PolarOptions>()('side');

/** Options of {@link polar}. */
export type PolarOptions = { side?: 'right' | 'left' };

/**
 * The polar decomposition A = U P (side 'right', default) or A = P U ('left'): U with orthonormal
 * columns (the nearest one to A in every unitarily invariant norm) and P symmetric positive
 * semidefinite, from the SVD A = W S V^T: U = W V^T, P = V S V^T (Higham 2008, ch. 8). In the input's
 * dtype (a float32 matrix runs the float32 SVD). O(m n^2).
 * @example
 * ```ts
 * import { array, matmul, norm, sub } from '@krylov/core-array';
 * import { polar } from '@krylov/decompositions';
 * const a = array([[1, 2], [3, 4]]);
 * const { u, p } = polar(a); // a = u p, u orthogonal, p symmetric positive semidefinite
 * console.assert(norm(sub(matmul(u, p), a)).item() < 1e-12, 'U P = A');
 * ```
 * @throws ShapeError for a non-matrix; InvalidArgumentError for non-finite entries or an unknown
 *   side; ConvergenceError when the SVD does not converge.
 */
export function polar<D extends DType>(
  a: NDArray<D>,
  options?: PolarOptions,
): { u: NDArray<Floating<D>>; p: NDArray<Floating<D>> } {
  type F = NDArray<Floating<D>>;
  checkOptions('polar', options, POLAR_OPTIONS_KEYS);
  const side = optChoice('polar', 'options.side', options?.side, 'right', ['right', 'left'] as const);
  checkArray('polar', 'a', a);
  if (a.ndim > 2) return overStack('polar', [a], [2], (m) => polar(m, options)) as { u: F; p: F };
  const { u: w, s, vt } = svd(a);
  const u = matmul(w, vt) as F;
  const basis = side === 'right' ? vt.T : w;
  const scaled = basis.copy();
  const k = s.shape[0];
  for (let i = 0; i < scaled.shape[0]; i++) for (let j = 0; j < k; j++) scaled.data[i * k + j] *= s.data[j];
  return { u, p: matmul(scaled, basis.T) as F };
}

type Metric = 'affine-invariant' | 'bures-wasserstein';
const METRICS: readonly Metric[] = ['affine-invariant', 'bures-wasserstein'];

/** (X + X^T) / 2 in place: products of symmetric matrices are symmetric only up to rounding. */
function symmetrize(x: M): M {
  const n = x.shape[0];
  for (let i = 0; i < n; i++)
    for (let j = 0; j < i; j++)
      x.data[i * n + j] = x.data[j * n + i] = 0.5 * (x.data[i * n + j] + x.data[j * n + i]);
  return x;
}

/**
 * `a` validated as a symmetric positive definite matrix: a float64 working copy, checked symmetric
 * (unless checkSymmetry is false; its upper triangle is then overwritten by its lower one, the
 * triangle LAPACK reads), with a positive smallest eigenvalue.
 */
function spd(fn: string, arg: string, a: NDArray, options: SymmetryOption | undefined): M {
  const w = workingCopy(fn, arg, a, true);
  symmetricInput(fn, arg, w, options);
  const n = w.shape[0];
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) w.data[i * n + j] = w.data[j * n + i];
  const { values } = eigh(w, { vectors: false, checkSymmetry: false });
  if (n > 0 && !(values.data[0] > 0)) throw new NotPositiveDefiniteError(fn, 0);
  return w;
}

/** The same n x n shape for every SPD argument of `fn`. */
function sameShape(fn: string, arg: string, a: M, ref: M): void {
  if (a.shape[0] !== ref.shape[0])
    throw new ShapeError(
      fn,
      arg,
      `expected the shape [${ref.shape.join(', ')}] of the first matrix`,
      a.shape,
    );
}

/** ||f(A)||_F for a symmetric A, from its eigenvalues: sqrt(sum f(w_i)^2). */
function frobeniusOfFunction(a: M, f: (w: number) => number): number {
  const { values } = eigh(symmetrize(a), { vectors: false, checkSymmetry: false });
  return Math.sqrt(values.toFlatArray().reduce((s, w) => s + f(w) ** 2, 0));
}

/**
 * The affine-invariant (Fisher-Rao) distance ||log(A^-1/2 B A^-1/2)||_F between SPD matrices
 * (Pennec, Fillard & Ayache 2006; Bhatia 2007, ch. 6). Invariant under A, B -> X A X^T. A and B
 * are checked symmetric unless `checkSymmetry: false` (lower triangles read). O(n^3).
 * @example
 * ```ts
 * import { array, eye } from '@krylov/core-array';
 * import { affineInvariantDistance } from '@krylov/decompositions';
 * // ||log(A^-1/2 B A^-1/2)||_F; for A = I, B = e^2 I (2 x 2): sqrt(2) * 2
 * const d = affineInvariantDistance(eye(2), array([[Math.E ** 2, 0], [0, Math.E ** 2]]));
 * console.assert(Math.abs(d - 2 * Math.SQRT2) < 1e-12, 'distance 2 sqrt(2)');
 * ```
 * @throws NotPositiveDefiniteError; ShapeError (also for A and B of different sizes);
 *   InvalidArgumentError for a non-symmetric matrix.
 */
export function affineInvariantDistance(a: NDArray, b: NDArray, options?: SymmetryOption): number {
  const fn = 'affineInvariantDistance';
  checkOptions(fn, options, SYMMETRY_OPTION_KEYS);
  const sa = spd(fn, 'a', a, options);
  const sb = spd(fn, 'b', b, options);
  sameShape(fn, 'b', sb, sa);
  const ra = spdPower(sa, -0.5, { checkSymmetry: false });
  const mid = matmul(matmul(ra, sb), ra) as M;
  return frobeniusOfFunction(mid, Math.log);
}

/**
 * The Bures-Wasserstein distance d(A, B)^2 = tr A + tr B - 2 tr (A^1/2 B A^1/2)^1/2, the 2-Wasserstein
 * distance between N(0, A) and N(0, B) (Bhatia, Jain & Lim 2019). A and B are checked symmetric
 * unless `checkSymmetry: false` (lower triangles read). O(n^3).
 * @example
 * ```ts
 * import { array, eye } from '@krylov/core-array';
 * import { buresWassersteinDistance } from '@krylov/decompositions';
 * // the 2-Wasserstein distance between N(0, A) and N(0, B); for A = I, B = 4 I (2 x 2): sqrt(2)
 * const d = buresWassersteinDistance(eye(2), array([[4, 0], [0, 4]]));
 * console.assert(Math.abs(d - Math.SQRT2) < 1e-12, 'distance sqrt(2)');
 * ```
 * @throws NotPositiveDefiniteError; ShapeError (also for A and B of different sizes);
 *   InvalidArgumentError for a non-symmetric matrix.
 */
export function buresWassersteinDistance(a: NDArray, b: NDArray, options?: SymmetryOption): number {
  const fn = 'buresWassersteinDistance';
  checkOptions(fn, options, SYMMETRY_OPTION_KEYS);
  const sa = spd(fn, 'a', a, options);
  const sb = spd(fn, 'b', b, options);
  sameShape(fn, 'b', sb, sa);
  const ra = spdPower(sa, 0.5, { checkSymmetry: false });
  const cross = spdPower(symmetrize(matmul(matmul(ra, sb), ra) as M), 0.5, { checkSymmetry: false });
  const n = sa.shape[0];
  let t = 0;
  for (let i = 0; i < n; i++) t += sa.data[i * n + i] + sb.data[i * n + i] - 2 * cross.data[i * n + i];
  return Math.sqrt(Math.max(t, 0));
}

const SPD_GEODESIC_OPTIONS_KEYS = optionKeys<SpdGeodesicOptions>()('metric', 'checkSymmetry');

/** Options of {@link spdGeodesic}. */
export type SpdGeodesicOptions = { metric?: Metric } & SymmetryOption;

/**
 * The point at t in [0, 1] on the geodesic from A to B: affine-invariant
 * A^1/2 (A^-1/2 B A^-1/2)^t A^1/2, or Bures-Wasserstein ((1 - t) I + t T) A ((1 - t) I + t T) with T
 * the optimal transport map A^-1/2 (A^1/2 B A^1/2)^1/2 A^-1/2 (Bhatia, Jain & Lim 2019). Computed in
 * float64; float32 when both inputs are. A and B are checked symmetric unless
 * `checkSymmetry: false` (lower triangles read). O(n^3).
 * @example
 * ```ts
 * import { array, eye } from '@krylov/core-array';
 * import { spdGeodesic } from '@krylov/decompositions';
 * // the affine-invariant midpoint of I and diag(4, 9) is diag(2, 3)
 * const m = spdGeodesic(eye(2), array([[4, 0], [0, 9]]), 0.5);
 * console.assert(Math.abs(m.get(0, 0) - 2) < 1e-12 && Math.abs(m.get(1, 1) - 3) < 1e-12, 'geometric mean');
 * ```
 * @throws NotPositiveDefiniteError; InvalidArgumentError for t outside [0, 1], an unknown metric or
 *   a non-symmetric matrix; ShapeError (also for A and B of different sizes).
 */
export function spdGeodesic<A extends DType, B extends DType>(
  a: NDArray<A>,
  b: NDArray<B>,
  t: number,
  options?: SpdGeodesicOptions,
): NDArray<Floating<A | B>> {
  const fn = 'spdGeodesic';
  checkOptions(fn, options, SPD_GEODESIC_OPTIONS_KEYS);
  const metric = optChoice(fn, 'options.metric', options?.metric, 'affine-invariant', METRICS);
  checkNumber(fn, 't', t, { min: 0, max: 1 });
  const sa = spd(fn, 'a', a, options);
  const sb = spd(fn, 'b', b, options);
  sameShape(fn, 'b', sb, sa);
  const sym = { checkSymmetry: false };
  const half = spdPower(sa, 0.5, sym);
  const invHalf = spdPower(sa, -0.5, sym);
  if (metric === 'affine-invariant')
    return inDTypeOf<A | B>(
      matmul(matmul(half, spdPower(symmetrize(matmul(matmul(invHalf, sb), invHalf) as M), t, sym)), half),
      a,
      b,
    );
  const transport = matmul(
    matmul(invHalf, spdPower(symmetrize(matmul(matmul(half, sb), half) as M), 0.5, sym)),
    invHalf,
  ) as M;
  const n = sa.shape[0];
  const step = transport.copy() as M;
  for (let i = 0; i < n * n; i++) step.data[i] = t * transport.data[i] + (i % (n + 1) === 0 ? 1 - t : 0);
  return inDTypeOf<A | B>(matmul(matmul(step, sa), step), a, b);
}

const SPD_BARYCENTER_OPTIONS_KEYS = optionKeys<SpdBarycenterOptions>()(
  'weights',
  'metric',
  'tol',
  'maxIter',
  'checkSymmetry',
);

/** Options of {@link spdBarycenter}. */
export type SpdBarycenterOptions = {
  weights?: number[];
  metric?: Metric;
  tol?: number;
  maxIter?: number;
} & SymmetryOption;

/**
 * The barycentre (Frechet mean) of SPD matrices with weights: affine-invariant by the Karcher
 * fixed-point iteration X <- X^1/2 exp(sum w_i log(X^-1/2 A_i X^-1/2)) X^1/2 (Pennec et al. 2006),
 * Bures-Wasserstein by the fixed point X <- X^-1/2 (sum w_i (X^1/2 A_i X^1/2)^1/2)^2 X^-1/2
 * (Alvarez-Esteban et al. 2016). Stops when the update changes X by less than tol (relative).
 * Every matrix is checked symmetric unless `checkSymmetry: false` (lower triangles read).
 * Computed in float64; float32 when every input is. O(n^3) per iteration and matrix.
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { spdBarycenter } from '@krylov/decompositions';
 * // the Karcher mean of commuting matrices is their geometric mean
 * const m = spdBarycenter([array([[1, 0], [0, 4]]), array([[4, 0], [0, 1]])]);
 * console.assert(Math.abs(m.get(0, 0) - 2) < 1e-8 && Math.abs(m.get(1, 1) - 2) < 1e-8, 'diag(2, 2)');
 * ```
 * @throws ConvergenceError after maxIter iterations; NotPositiveDefiniteError; ShapeError for
 *   matrices of different sizes; InvalidArgumentError for bad weights (not finite, negative, zero
 *   sum, wrong count), tol (negative or not finite), maxIter (not a positive integer), metric or a non-symmetric matrix.
 */
export function spdBarycenter<D extends DType>(
  matrices: NDArray<D>[],
  options?: SpdBarycenterOptions,
): NDArray<Floating<D>> {
  const fn = 'spdBarycenter';
  checkOptions(fn, options, SPD_BARYCENTER_OPTIONS_KEYS);
  const metric = optChoice(fn, 'options.metric', options?.metric, 'affine-invariant', METRICS);
  const tol = options?.tol === undefined ? 1e-12 : checkNumber(fn, 'options.tol', options.tol, { min: 0 });
  const maxIter =
    options?.maxIter === undefined ? 200 : checkInteger(fn, 'options.maxIter', options.maxIter, { min: 1 });
  if (!Array.isArray(matrices) || matrices.length === 0)
    throw new InvalidArgumentError(fn, 'matrices', matrices, 'an array of at least one matrix');
  const mats = matrices.map((m, i) => spd(fn, `matrices[${i}]`, m, options));
  for (let i = 1; i < mats.length; i++) sameShape(fn, `matrices[${i}]`, mats[i], mats[0]);
  const weights = options?.weights ?? mats.map(() => 1 / mats.length);
  const total = Array.isArray(weights) ? weights.reduce((s, w) => s + w, 0) : Number.NaN;
  if (
    !Array.isArray(weights) ||
    weights.length !== mats.length ||
    weights.some((w) => typeof w !== 'number' || !Number.isFinite(w) || w < 0) ||
    !(total > 0 && Number.isFinite(total))
  )
    throw new InvalidArgumentError(
      fn,
      'options.weights',
      weights,
      `${mats.length} non-negative weights with a positive sum`,
    );
  const n = mats[0].shape[0];
  let x = mats[0].copy() as M;
  for (let i = 0; i < n * n; i++)
    x.data[i] = mats.reduce((s, m, k) => s + (weights[k] / total) * m.data[i], 0);
  const sym = { checkSymmetry: false };
  for (let iter = 1; iter <= maxIter; iter++) {
    const half = spdPower(x, 0.5, sym);
    const invHalf = spdPower(x, -0.5, sym);
    const acc = x.copy() as M;
    acc.fill(0);
    for (const [k, m] of mats.entries()) {
      const inner =
        metric === 'affine-invariant'
          ? funm(symmetrize(matmul(matmul(invHalf, m), invHalf) as M), Math.log, sym)
          : spdPower(symmetrize(matmul(matmul(half, m), half) as M), 0.5, sym);
      for (let i = 0; i < n * n; i++) acc.data[i] += (weights[k] / total) * inner.data[i];
    }
    const next = symmetrize(
      (metric === 'affine-invariant'
        ? matmul(matmul(half, funm(symmetrize(acc), Math.exp, sym)), half)
        : matmul(matmul(invHalf, matmul(acc, acc)), invHalf)) as M,
    );
    let change = 0;
    let size = 0;
    for (let i = 0; i < n * n; i++) {
      change = Math.max(change, Math.abs(next.data[i] - x.data[i]));
      size = Math.max(size, Math.abs(next.data[i]));
    }
    x = next;
    if (change <= tol * size) return inDTypeOf(x, ...matrices);
    if (iter === maxIter) throw new ConvergenceError(fn, iter, change / size, 'fixed-point iteration');
  }
  return inDTypeOf(x, ...matrices);
}
