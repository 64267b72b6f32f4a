import {
  ConvergenceError,
  InvalidArgumentError,
  NDArray,
  type SeedLike,
  ShapeError,
  checkBoolean,
  checkChoice,
  checkInteger,
  checkNumber,
  checkOptions,
  zeros,
} from '@krylov/core-array';
import { eigh } from '@krylov/decompositions';
import { LinearOperator, type OperatorLike, aslinearoperator } from '../operator.js';
import { checkSymmetricMatrix } from '../sparse/symmetry.js';
import { type VectorLike, dot, norm2, seededRng, toVector } from '../vector.js';

export type Which = 'LA' | 'SA' | 'LM';
const WHICH: readonly Which[] = ['LA', 'SA', 'LM'];

export interface EigshOptions {
  /** Which end of the spectrum: largest algebraic (default), smallest algebraic, largest magnitude. */
  which?: Which;
  /** Lanczos basis size (default max(2k + 1, 20), capped at n). */
  ncv?: number;
  /** Relative accuracy of the Ritz values: residual <= tol |theta| (default machine epsilon, as ARPACK). */
  tol?: number;
  /** Restart limit (default max(100, 10 n / ncv)). */
  maxiter?: number;
  /** Starting vector (default a seeded random vector). */
  v0?: ArrayLike<number>;
  seed?: SeedLike;
  /** Return eigenvectors (default true). */
  vectors?: boolean;
  /**
   * Check that a dense or sparse A is symmetric (core-array's rule, relative asymmetry <= sqrt(eps);
   * O(n^2) dense, O(nnz) sparse) and throw if not. Default true. A LinearOperator cannot be checked
   * cheaply and is trusted: Lanczos on a non-symmetric operator returns meaningless values.
   */
  checkSymmetry?: boolean;
}

export interface EigshResult {
  /** The k eigenvalues, ascending (as SciPy). */
  values: NDArray<'float64'>;
  /** n x k, eigenvectors as columns; null when `vectors: false`. */
  vectors: NDArray<'float64'> | null;
  /** Restart cycles and operator applications used. */
  restarts: number;
  matvecs: number;
}

function pick(theta: Float64Array, which: Which, k: number): number[] {
  const idx = Array.from(theta, (_, i) => i);
  const key =
    which === 'LA'
      ? (i: number) => -theta[i]
      : which === 'SA'
        ? (i: number) => theta[i]
        : (i: number) => -Math.abs(theta[i]);
  return idx.sort((a, b) => key(a) - key(b)).slice(0, k);
}

/**
 * A few eigenpairs of a symmetric operator by thick-restart Lanczos with full reorthogonalization
 * (Wu & Simon 2000, SIAM J. Matrix Anal. Appl. 22; equivalent to ARPACK's implicitly restarted
 * Lanczos behind scipy.sparse.linalg.eigsh). Each restart keeps the wanted Ritz vectors plus half
 * the rest, so converged directions are never lost. Cost per restart: (ncv - kept) matvecs,
 * O(n ncv^2) for orthogonalization and O(ncv^3) for the small eigenproblem.
 * A dense or sparse A must be symmetric (checked in O(nnz) unless `checkSymmetry: false`); a
 * LinearOperator is trusted.
 * @throws ShapeError for a non-square operator; InvalidArgumentError when k is not in [1, n), an
 *   option is out of range or A is not symmetric;
 *   ConvergenceError when maxiter restarts do not converge (with the worst residual).
 */
export function eigsh(a: OperatorLike, k: number, options?: EigshOptions): EigshResult {
  const fn = 'eigsh';
  checkOptions(fn, options, ['which', 'ncv', 'tol', 'maxiter', 'v0', 'seed', 'vectors', 'checkSymmetry']);
  return lanczos(fn, a, k, options, options?.checkSymmetry ?? true);
}

function lanczos(
  fn: string,
  a: OperatorLike,
  k: number,
  options: EigshOptions | undefined,
  checkSymmetry: unknown,
): EigshResult {
  const A = aslinearoperator(a);
  const n = A.shape[0];
  if (A.shape[1] !== n) throw new ShapeError(fn, 'A', 'expected a square operator', A.shape);
  if (!Number.isInteger(k) || k < 1 || k >= n)
    throw new InvalidArgumentError(fn, 'k', k, `an integer in [1, ${n}) (use eigh for all eigenvalues)`);
  checkSymmetricMatrix(fn, 'A', a, checkSymmetry);
  const which = options?.which === undefined ? 'LA' : checkChoice(fn, 'options.which', options.which, WHICH);
  const ncv =
    options?.ncv === undefined
      ? Math.min(n, Math.max(2 * k + 1, 20))
      : checkInteger(fn, 'options.ncv', options.ncv, { min: k + 1, max: n });
  const tol =
    options?.tol === undefined ? Number.EPSILON : checkNumber(fn, 'options.tol', options.tol, { min: 0 });
  const maxiter =
    options?.maxiter === undefined
      ? Math.max(100, Math.ceil((10 * n) / ncv))
      : checkInteger(fn, 'options.maxiter', options.maxiter, { min: 1 });
  if (options?.vectors !== undefined) checkBoolean(fn, 'options.vectors', options.vectors);
  const V = Array.from({ length: ncv + 1 }, () => new Float64Array(n));
  if (options?.v0 !== undefined) {
    V[0].set(toVector(fn, 'options.v0', options.v0 as VectorLike, n));
  } else {
    const r = seededRng(fn, 'options.seed', options?.seed);
    for (let i = 0; i < n; i++) V[0][i] = r.nextNormal();
  }
  const v0norm = norm2(V[0]);
  if (!(v0norm > 0) || !Number.isFinite(v0norm))
    throw new InvalidArgumentError(fn, 'options.v0', 'zero or non-finite', 'a finite nonzero vector');
  for (let i = 0; i < n; i++) V[0][i] /= v0norm;
  const T = new Float64Array(ncv * ncv);
  const w = new Float64Array(n);
  let kept = 0;
  let matvecs = 0;
  let worst = Number.POSITIVE_INFINITY;
  for (let restart = 0; restart < maxiter; restart++) {
    let beta = 0;
    let size = ncv;
    for (let j = kept; j < ncv; j++) {
      A.matvec(V[j], w);
      matvecs++;
      // Full reorthogonalization by classical Gram-Schmidt, repeated only when cancellation was
      // large (the DGKS criterion of ARPACK's dgetv0/dsaitr): T = V^T A V stays exact.
      const before = norm2(w);
      for (let pass = 0; pass < 2; pass++) {
        const h = new Float64Array(j + 1);
        for (let i = 0; i <= j; i++) h[i] = dot(w, V[i]);
        for (let i = 0; i <= j; i++) {
          T[i * ncv + j] = pass === 0 ? h[i] : T[i * ncv + j] + h[i];
          T[j * ncv + i] = T[i * ncv + j];
          const vi = V[i];
          const hi = h[i];
          for (let t = 0; t < n; t++) w[t] -= hi * vi[t];
        }
        beta = norm2(w);
        if (beta > Math.SQRT1_2 * before) break;
      }
      if (j + 1 < ncv) {
        if (beta <= 1e-14 * Math.abs(T[j * ncv + j]) || beta === 0) {
          // An invariant subspace: its Ritz pairs are exact; stop the cycle here.
          size = j + 1;
          beta = 0;
          break;
        }
        T[(j + 1) * ncv + j] = T[j * ncv + j + 1] = beta;
        for (let t = 0; t < n; t++) V[j + 1][t] = w[t] / beta;
      } else for (let t = 0; t < n; t++) V[ncv][t] = beta > 0 ? w[t] / beta : 0;
    }
    const small = new NDArray(new Float64Array(size * size), [size, size]);
    for (let i = 0; i < size; i++) for (let j = 0; j < size; j++) small.data[i * size + j] = T[i * ncv + j];
    const { values, vectors } = eigh(small);
    const theta = values.data as Float64Array;
    const S = (vectors as NDArray<'float64'>).data as Float64Array;
    const want = pick(theta, which, Math.min(k, size));
    const anorm = Math.max(...Array.from(theta, Math.abs));
    const resid = (i: number) => Math.abs(beta * S[(size - 1) * size + i]);
    worst = Math.max(...want.map(resid));
    const done =
      want.length === k &&
      want.every((i) => resid(i) <= Math.max(tol * Math.abs(theta[i]), Number.EPSILON * anorm));
    if (done || size < ncv) {
      if (want.length < k)
        throw new ConvergenceError(
          fn,
          restart + 1,
          0,
          `the starting vector spans an invariant subspace of dimension ${size} < k`,
        );
      const order = [...want].sort((p, q) => theta[p] - theta[q]);
      const out = options?.vectors === false ? null : asMatrix(ritzColumns(V, S, size, order, n), n);
      return {
        values: new NDArray(
          Float64Array.from(order, (i) => theta[i]),
          [k],
        ),
        vectors: out,
        restarts: restart,
        matvecs,
      };
    }
    // Thick restart: keep the wanted Ritz vectors and the next-best half of the others.
    const keep = pick(theta, which, Math.min(size - 1, k + Math.floor((ncv - k) / 2)));
    const Y = ritzColumns(V, S, size, keep, n);
    const f = V[ncv].slice();
    T.fill(0);
    keep.forEach((i, c) => {
      V[c].set(Y[c]);
      T[c * ncv + c] = theta[i];
      T[keep.length * ncv + c] = T[c * ncv + keep.length] = beta * S[(size - 1) * size + i];
    });
    kept = keep.length;
    V[kept].set(f);
  }
  throw new ConvergenceError(fn, maxiter, worst, 'increase maxiter or ncv');
}

/** The Ritz vectors V S[:, cols] as separate columns (contiguous, so the sums vectorize). */
function ritzColumns(
  V: Float64Array[],
  S: Float64Array,
  size: number,
  cols: number[],
  n: number,
): Float64Array[] {
  return cols.map((col) => {
    const y = new Float64Array(n);
    for (let j = 0; j < size; j++) {
      const s = S[j * size + col];
      if (s === 0) continue;
      const vj = V[j];
      for (let t = 0; t < n; t++) y[t] += s * vj[t];
    }
    return y;
  });
}

function asMatrix(columns: Float64Array[], n: number): NDArray<'float64'> {
  const k = columns.length;
  const out = zeros([n, k]);
  columns.forEach((y, c) => {
    for (let t = 0; t < n; t++) out.data[t * k + c] = y[t];
  });
  return out;
}

export interface SvdsResult {
  /** m x k left singular vectors (null when `vectors: false`). */
  u: NDArray<'float64'> | null;
  /** The k largest singular values, descending. */
  s: NDArray<'float64'>;
  /** k x n right singular vectors as rows. */
  vt: NDArray<'float64'> | null;
  /** Operator applications (matvec + rmatvec) used. */
  matvecs: number;
}

/**
 * The k largest singular triplets of an m x n operator with rmatvec, by `eigsh` on the smaller of
 * A^T A and A A^T (as scipy.sparse.linalg.svds with the ARPACK solver); the other side's vectors
 * come from u = A v / sigma. Accurate for the leading singular values (relative error ~ eps
 * sigma_1^2 / sigma_i^2 for the vectors of small ones). Singular values descending.
 * Cost: two operator applications per Lanczos step.
 * @throws InvalidArgumentError when k is not in [1, min(m, n)) or A lacks rmatvec.
 */
export function svds(
  a: OperatorLike,
  k: number,
  options?: Omit<EigshOptions, 'which' | 'checkSymmetry'>,
): SvdsResult {
  const fn = 'svds';
  checkOptions(fn, options, ['ncv', 'tol', 'maxiter', 'v0', 'seed', 'vectors']);
  const A = aslinearoperator(a);
  const [m, n] = A.shape;
  if (!A.hasAdjoint)
    throw new InvalidArgumentError(fn, 'A', 'operator without rmatvec', 'an operator with rmatvec');
  if (!Number.isInteger(k) || k < 1 || k >= Math.min(m, n))
    throw new InvalidArgumentError(fn, 'k', k, `an integer in [1, ${Math.min(m, n)})`);
  const tall = m >= n;
  const small = tall ? n : m;
  const tmp = new Float64Array(tall ? m : n);
  const gram = new LinearOperator([small, small], (x, out) => {
    if (tall) A.rmatvec(A.matvec(x, tmp), out);
    else A.matvec(A.rmatvec(x, tmp), out);
  });
  const { values, vectors, matvecs } = lanczos(fn, gram, k, { ...options, which: 'LA' }, false);
  const order = Array.from({ length: k }, (_, i) => k - 1 - i);
  const s = new NDArray(
    Float64Array.from(order, (i) => Math.sqrt(Math.max(values.data[i], 0))),
    [k],
  );
  if (options?.vectors === false) return { u: null, s, vt: null, matvecs: 2 * matvecs };
  const W = vectors as NDArray<'float64'>;
  const big = tall ? m : n;
  const other = zeros([big, k]);
  const side = zeros([small, k]);
  const col = new Float64Array(small);
  const img = new Float64Array(big);
  order.forEach((src, c) => {
    for (let t = 0; t < small; t++) col[t] = side.data[t * k + c] = W.data[t * k + src];
    if (tall) A.matvec(col, img);
    else A.rmatvec(col, img);
    const sigma = s.data[c];
    for (let t = 0; t < big; t++) other.data[t * k + c] = sigma > 0 ? img[t] / sigma : 0;
  });
  return tall
    ? { u: other, s, vt: side.T.copy() as NDArray<'float64'>, matvecs: 2 * matvecs + k }
    : { u: side, s, vt: other.T.copy() as NDArray<'float64'>, matvecs: 2 * matvecs + k };
}
