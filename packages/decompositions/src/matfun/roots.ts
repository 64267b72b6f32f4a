import {
  NDArray as Arr,
  ConvergenceError,
  type DType,
  type FloatDType,
  type NDArray,
  NotPositiveDefiniteError,
  checkInteger,
  checkNumber,
  checkOptions,
  eye,
  matmul,
  optionKeys,
} from '@krylov/core-array';
import { eigh } from '../spectral/eigh.js';
import { overStack } from '../util/batch.js';
import {
  type Floating,
  type SymmetryOption,
  checkArray,
  inDTypeOf,
  optChoice,
  optNumber,
  symmetricInput,
  workingCopy,
} from '../util/validate.js';

type M = NDArray<'float64'>;

const SPD_POWER_OPTIONS_KEYS = optionKeys<SpdPowerOptions>()('floor', 'checkSymmetry');

/** Options of {@link spdPower}. */
export type SpdPowerOptions = { floor?: number } & SymmetryOption;

/**
 * A^p for a symmetric positive (semi)definite A through its eigendecomposition: V diag(max(w, floor)^p) V^T.
 * Negative eigenvalues beyond rounding raise NotPositiveDefiniteError. A is checked symmetric
 * (core-array's `checkSymmetric`) unless `checkSymmetry: false`, which reads only the lower
 * triangle. `floor` (default 0, finite, >= 0) replaces smaller eigenvalues before the power.
 * Computed in float64 (as Shampoo implementations compute their roots), returned in the input's
 * dtype. O(n^3). The spectral definition of a matrix function (Higham, "Functions of Matrices", SIAM
 * 2008, ch. 1); scipy.linalg.fractional_matrix_power for SPD input.
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { spdPower } from '@krylov/decompositions';
 * const r = spdPower(array([[4, 0], [0, 9]]), 0.5); // the SPD square root
 * console.assert(Math.abs(r.get(0, 0) - 2) < 1e-12 && Math.abs(r.get(1, 1) - 3) < 1e-12, 'sqrt of diag(4, 9)');
 * ```
 * @throws NotPositiveDefiniteError naming the eigenvalue; InvalidArgumentError for a non-finite p,
 *   a bad floor or a non-symmetric matrix; ShapeError.
 */
export function spdPower<D extends DType>(
  a: NDArray<D>,
  p: number,
  options?: SpdPowerOptions,
): NDArray<Floating<D>> {
  const fn = 'spdPower';
  checkOptions(fn, options, SPD_POWER_OPTIONS_KEYS);
  checkNumber(fn, 'p', p);
  const floor = optNumber(fn, 'options.floor', options?.floor, 0, { min: 0 });
  checkArray(fn, 'a', a);
  if (a.ndim > 2) return overStack(fn, [a], [2], (m) => spdPower(m, p, options)) as NDArray<Floating<D>>;
  const w = workingCopy(fn, 'a', a, true);
  symmetricInput(fn, 'a', w, options);
  const { values, vectors } = eigh(w, { checkSymmetry: false });
  const v = vectors!;
  const n = values.shape[0];
  const top = Math.max(0, ...values.toFlatArray().map(Math.abs));
  const scaled = v.copy();
  for (let j = 0; j < n; j++) {
    const w = values.data[j];
    if (w < -n * 2 ** -52 * top) throw new NotPositiveDefiniteError(fn, j);
    const f = Math.max(w, floor) ** p;
    for (let i = 0; i < n; i++) scaled.data[i * n + j] *= f;
  }
  return inDTypeOf(matmul(scaled, v.T), a);
}

export interface InverseRootResult<D extends FloatDType = 'float64'> {
  root: NDArray<D>;
  /** Coupled Newton iterations taken (0 for 'eigh'). */
  iterations: number;
  /** max |M_k - I| at the end (Newton), or ||A X^p - I||_max (eigh). */
  residual: number;
}

const INVERSE_ROOT_OPTIONS_KEYS = optionKeys<InverseRootOptions>()(
  'method',
  'epsilon',
  'maxIter',
  'tol',
  'checkSymmetry',
);

/** Options of {@link inverseRoot}. */
export type InverseRootOptions = {
  method?: 'eigh' | 'newton';
  epsilon?: number;
  maxIter?: number;
  tol?: number;
} & SymmetryOption;

/**
 * The inverse p-th root (A + epsilon I)^(-1/p) of a symmetric positive definite matrix, as
 * Shampoo's preconditioners need: by eigendecomposition ('eigh', default) or by the coupled Newton
 * iteration of Guo & Higham 2006 ("A Schur-Newton method for the matrix p-th root and its
 * inverse", as implemented in Shampoo): X_0 = z^(1/p) I, M_0 = z A, then T = ((1 + p) I - M) / p,
 * X <- X T, M <- T^p M, until M = I; matrix products only, so it suits accelerators. Computed in
 * float64, the root returned in the input's dtype. A is checked symmetric (core-array's
 * `checkSymmetric`) unless `checkSymmetry: false`, which reads only the lower triangle.
 * Options: epsilon (default 0, finite, >= 0), tol (default 1e-10, >= 0) and maxIter (default 100,
 * an integer >= 1; both Newton only). O(n^3) per step.
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { inverseRoot } from '@krylov/decompositions';
 * // A^(-1/4), as in the Shampoo preconditioner
 * const { root } = inverseRoot(array([[16, 0], [0, 81]]), 4, { epsilon: 0 });
 * console.assert(Math.abs(root.get(0, 0) - 0.5) < 1e-10 && Math.abs(root.get(1, 1) - 1 / 3) < 1e-10, 'diag(1/2, 1/3)');
 * ```
 * @throws ConvergenceError when Newton stalls or exceeds maxIter; NotPositiveDefiniteError;
 *   InvalidArgumentError for a bad p or option or a non-symmetric matrix.
 */
export function inverseRoot<D extends DType>(
  a: NDArray<D>,
  p: number,
  options?: InverseRootOptions,
): InverseRootResult<Floating<D>> {
  const fn = 'inverseRoot';
  checkOptions(fn, options, INVERSE_ROOT_OPTIONS_KEYS);
  checkInteger(fn, 'p', p, { min: 1 });
  const method = optChoice(fn, 'options.method', options?.method, 'eigh', ['eigh', 'newton'] as const);
  const eps = optNumber(fn, 'options.epsilon', options?.epsilon, 0, { min: 0 });
  const tol = optNumber(fn, 'options.tol', options?.tol, 1e-10, { min: 0 });
  const maxIter = optNumber(fn, 'options.maxIter', options?.maxIter, 100, { min: 1, integer: true });
  const w = workingCopy(fn, 'a', a, true);
  symmetricInput(fn, 'a', w, options);
  const n = w.shape[0];
  // the lower triangle is the matrix (the rule with checkSymmetry: false)
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) w.data[i * n + j] = w.data[j * n + i];
  for (let i = 0; i < n; i++) w.data[i * n + i] += eps;
  if (method === 'eigh') {
    return { root: inDTypeOf(spdPower(w, -1 / p, { checkSymmetry: false }), a), iterations: 0, residual: 0 };
  }
  let norm = 0;
  for (const v of w.data) norm += v * v;
  norm = Math.sqrt(norm);
  if (!(norm > 0)) throw new NotPositiveDefiniteError(fn, 0);
  const z = (1 + p) / (2 * norm);
  let x = eye(n) as M;
  for (let i = 0; i < n; i++) x.data[i * n + i] = z ** (1 / p);
  let m = w.copy() as M;
  for (let i = 0; i < m.size; i++) m.data[i] *= z;
  const errorOf = (mm: M) => {
    let e = 0;
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) e = Math.max(e, Math.abs(mm.data[i * n + j] - (i === j ? 1 : 0)));
    return e;
  };
  let error = errorOf(m);
  let k = 0;
  while (error > tol) {
    if (k >= maxIter) throw new ConvergenceError(fn, k, error, 'coupled Newton did not reach the tolerance');
    const t = eye(n) as M;
    for (let i = 0; i < t.size; i++) t.data[i] = ((i % (n + 1) === 0 ? 1 + p : 0) - m.data[i]) / p;
    let tp = t;
    for (let q = 1; q < p; q++) tp = matmul(tp, t) as M;
    const nextM = matmul(tp, m) as M;
    const nextError = errorOf(nextM);
    if (nextError > 1.2 * error)
      throw new ConvergenceError(fn, k, error, 'coupled Newton diverged (is the matrix positive definite?)');
    x = matmul(x, t) as M;
    m = nextM;
    error = nextError;
    k++;
  }
  return { root: inDTypeOf(x, a), iterations: k, residual: error };
}
