import type { FloatDType } from '../dtype.js';
import type { NDArray } from '../ndarray.js';

/**
 * Argument conventions shared by every kernel:
 * - Matrices and vectors are NDArray views with any strides and offset (a transpose is a view,
 *   so there are no transpose flags: pass `a.T`). Kernels must honour the strides; a backend that
 *   cannot take a layout copies, or declines in `supports`.
 * - All float operands of one call share one dtype (float64 or float32).
 * - Outputs named in the arguments (`c`, `y`, `b`, `a` for factorizations) are written in place;
 *   everything else is read-only.
 * - LAPACK-style kernels return `info` as LAPACK does (0 success, k > 0 a 1-based position where
 *   the factorization broke down); the public functions turn it into typed errors.
 */
export type Mat = NDArray<FloatDType>;
export type Vec = NDArray<FloatDType>;

/**
 * A compressed sparse row (CSR) matrix as the sparse kernels take it: row i's entries are
 * `data[p]` at column `indices[p]` for `indptr[i] <= p < indptr[i + 1]` (SciPy's layout; indices
 * sorted or not, duplicates summed). `@krylov/solvers`' `CSRMatrix` is one; so is a plain object of
 * these four fields. `data`'s dtype is the dtype of the call (it matches the dense operands').
 */
export interface CsrOperand {
  readonly shape: readonly [number, number];
  readonly indptr: Int32Array;
  readonly indices: Int32Array;
  readonly data: Float64Array | Float32Array;
}

export interface KernelSignatures {
  /** x . y */
  dot: { args: { x: Vec; y: Vec }; result: number };
  /** y += alpha x */
  axpy: { args: { alpha: number; x: Vec; y: Vec }; result: void };
  /** x *= alpha */
  scal: { args: { alpha: number; x: Vec }; result: void };
  /** ||x||_2 without overflow or underflow */
  nrm2: { args: { x: Vec }; result: number };
  /** y = alpha A x + beta y, A m x n */
  gemv: { args: { alpha: number; a: Mat; x: Vec; beta: number; y: Vec }; result: void };
  /** A += alpha x y^T */
  ger: { args: { alpha: number; x: Vec; y: Vec; a: Mat }; result: void };
  /** C = alpha A B + beta C, A m x k, B k x n (beta = 0 ignores C's old contents, NaN included) */
  gemm: { args: { alpha: number; a: Mat; b: Mat; beta: number; c: Mat }; result: void };
  /** C[i] = alpha A[i] B[i] + beta C[i] over equal leading (batch) shapes; broadcast views allowed in A and B */
  gemmBatched: {
    args: {
      alpha: number;
      a: NDArray<FloatDType>;
      b: NDArray<FloatDType>;
      beta: number;
      c: NDArray<FloatDType>;
    };
    result: void;
  };
  /** C = alpha A A^T + beta C on the lower (or upper) triangle only, A n x k */
  syrk: { args: { alpha: number; a: Mat; beta: number; c: Mat; lower: boolean }; result: void };
  /** x = A x, A triangular (the `lower` or upper triangle of the view is read) */
  trmv: { args: { a: Mat; x: Vec; lower: boolean; unitDiag: boolean }; result: void };
  /** x = A^-1 x, A triangular */
  trsv: { args: { a: Mat; x: Vec; lower: boolean; unitDiag: boolean }; result: void };
  /** B = alpha A B (side left) or alpha B A (side right), A triangular */
  trmm: {
    args: { side: 'left' | 'right'; lower: boolean; unitDiag: boolean; alpha: number; a: Mat; b: Mat };
    result: void;
  };
  /** B = alpha A^-1 B (side left) or alpha B A^-1 (side right), A triangular */
  trsm: {
    args: { side: 'left' | 'right'; lower: boolean; unitDiag: boolean; alpha: number; a: Mat; b: Mat };
    result: void;
  };

  /**
   * Solves op(A) X = B in place on B, A n x n triangular (the `lower` or upper triangle is read;
   * op(A) = A^T with `transpose`), as LAPACK dtrtrs: returns info k > 0, with B untouched, when
   * A[k-1, k-1] is exactly zero (never with `unitDiag`), else 0.
   */
  trtrs: {
    args: { a: Mat; b: Mat; lower: boolean; transpose: boolean; unitDiag: boolean };
    result: number;
  };

  /** Cholesky A = L L^T in place on the lower triangle (upper untouched); info k: minor k not positive definite. */
  potrf: { args: { a: Mat }; result: number };
  /** Solves (L L^T) X = B in place on B given the lower Cholesky factor. */
  potrs: { args: { l: Mat; b: Mat }; result: void };
  /** LU with partial pivoting P A = L U in place (unit L below the diagonal); ipiv[i] is the 0-based row swapped with row i. */
  getrf: { args: { a: Mat }; result: { ipiv: Int32Array; info: number } };
  /** Solves A X = B (or A^T X = B) in place on B from getrf's output. */
  getrs: { args: { lu: Mat; ipiv: Int32Array; b: Mat; transpose: boolean }; result: void };
  /**
   * Solves A X = B, A n x n, B n x nrhs, as LAPACK ?gesv: B is overwritten with X and A with an LU
   * factorization whose form (pivots, which of A or A^T is factored) is unspecified. Returns info:
   * 0, or k > 0 when U(k, k) is exactly zero (1-based), in which case B is left unsolved.
   */
  gesv: { args: { a: Mat; b: Mat }; result: number };
  /** Householder QR in place: R on and above the diagonal, reflectors below, as LAPACK dgeqrf. */
  geqrf: { args: { a: Mat }; result: { tau: Vec } };
  /** QR with column pivoting A P = Q R (dgeqp3); jpvt[j] is the 0-based original column now at j. */
  geqp3: { args: { a: Mat }; result: { tau: Vec; jpvt: Int32Array } };
  /** Overwrites the m x n (m >= n) reflector block from geqrf with the first n columns of Q (dorgqr). */
  orgqr: { args: { a: Mat; tau: Vec }; result: void };
  /** C = op(Q) C (side left) or C op(Q) (side right), Q from geqrf's reflectors in `a` (dormqr). */
  ormqr: { args: { a: Mat; tau: Vec; c: Mat; side: 'left' | 'right'; transpose: boolean }; result: void };
  /** SVD A = U diag(s) V^T (dgesdd); `a` may be overwritten; s descending. */
  gesdd: {
    args: { a: Mat; job: 'values' | 'thin' | 'full' };
    result: { s: Vec; u: Mat | null; vt: Mat | null; info: number };
  };
  /** Symmetric eigendecomposition from the lower triangle (dsyevd); w ascending, eigenvectors as columns of v. */
  syevd: { args: { a: Mat; vectors: boolean }; result: { w: Vec; v: Mat | null; info: number } };
  /** Eigenpairs il..iu (0-based, inclusive, ascending order) of a symmetric matrix (dsyevr). */
  syevr: {
    args: { a: Mat; vectors: boolean; il: number; iu: number };
    result: { w: Vec; v: Mat | null; info: number };
  };
  /** Nonsymmetric eigenproblem (dgeev): eigenvalues wr + i wi; right eigenvectors packed as LAPACK does for conjugate pairs. */
  geev: { args: { a: Mat; vectors: boolean }; result: { wr: Vec; wi: Vec; vr: Mat | null; info: number } };
  /** Minimum-norm least squares by SVD (dgelsd): singular values below rcond * s_max count as zero. */
  gelsd: { args: { a: Mat; b: Mat; rcond: number }; result: { x: Mat; s: Vec; rank: number; info: number } };

  /**
   * y = alpha op(A) x + beta y for a CSR matrix A (op(A) = A^T with `transpose`); beta = 0 ignores
   * y's old contents. x and y are vectors with any stride (as every level-1/2 kernel); a backend that
   * needs unit strides declines in `supports`. y must not share memory with x or A.
   */
  spmv: {
    args: { a: CsrOperand; x: Vec; y: Vec; alpha: number; beta: number; transpose: boolean };
    result: void;
  };
  /** C = alpha A B + beta C for a CSR matrix A (m x k) and strided dense B (k x n) and C (m x n). */
  spmm: { args: { a: CsrOperand; b: Mat; c: Mat; alpha: number; beta: number }; result: void };
}

/**
 * Where each catalogued kernel's pure-JS reference implementation (the `js` backend's, and every
 * other backend's test oracle) comes from: it registers when that package's module is loaded. The
 * registry names the package when no backend has a kernel ("no backend registered a `potrf` kernel;
 * install @krylov/decompositions"). A kernel added by module augmentation is not listed here; its
 * plugin provides it. Typed so that a catalogue entry without a provider does not compile.
 */
const references = {
  dot: '@krylov/core-array',
  axpy: '@krylov/core-array',
  scal: '@krylov/core-array',
  nrm2: '@krylov/core-array',
  gemv: '@krylov/core-array',
  ger: '@krylov/core-array',
  gemm: '@krylov/core-array',
  gemmBatched: '@krylov/core-array',
  syrk: '@krylov/core-array',
  trmv: '@krylov/core-array',
  trsv: '@krylov/core-array',
  trmm: '@krylov/core-array',
  trsm: '@krylov/core-array',
  trtrs: '@krylov/decompositions',
  potrf: '@krylov/decompositions',
  potrs: '@krylov/decompositions',
  getrf: '@krylov/decompositions',
  getrs: '@krylov/decompositions',
  gesv: '@krylov/decompositions',
  geqrf: '@krylov/decompositions',
  geqp3: '@krylov/decompositions',
  orgqr: '@krylov/decompositions',
  ormqr: '@krylov/decompositions',
  gesdd: '@krylov/decompositions',
  syevd: '@krylov/decompositions',
  syevr: '@krylov/decompositions',
  geev: '@krylov/decompositions',
  gelsd: '@krylov/decompositions',
  spmv: '@krylov/solvers',
  spmm: '@krylov/solvers',
} satisfies { readonly [K in keyof KernelSignatures]: string };

/**
 * The package whose pure-JS reference implements `kernel` (see above), or undefined for a kernel
 * outside this catalogue (one a plugin declares by module augmentation).
 */
export function referencePackage(kernel: string): string | undefined {
  return Object.hasOwn(references, kernel) ? references[kernel as keyof typeof references] : undefined;
}
