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
import { requireMatrix, shiftInvert, spgemm, transposeCSR } from '../direct/shift.js';
import type { LinearOperator, OperatorLike } from '../operator.js';
import { aslinearoperator } from '../operator.js';
import { checkSymmetricMatrix } from '../sparse/symmetry.js';
import { type VectorLike, dot, seededRng, toVector } from '../vector.js';

export type Which = 'LA' | 'SA' | 'LM';
const WHICH: readonly Which[] = ['LA', 'SA', 'LM'];

export interface EigshOptions {
  /**
   * Which end of the spectrum: largest algebraic (default), smallest algebraic, largest magnitude.
   * With sigma: of the transformed values nu (default 'LM': the eigenvalues nearest sigma).
   */
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
  /**
   * Shift-invert about sigma (scipy.sparse.linalg.eigsh's `sigma`): the eigenvalues nearest sigma,
   * by Lanczos on OP = (A - sigma M)^-1 times a mode-dependent matrix. A - sigma M is factored once
   * (sparse Cholesky with AMD when it is positive definite, sparse LU otherwise; or `OPinv`).
   * `which` then refers to the transformed values nu and defaults to 'LM' (those nearest sigma).
   */
  sigma?: number;
  /**
   * Spectral transformation with sigma (SciPy's modes; default 'normal'):
   * 'normal': OP = (A - sigma M)^-1 M, nu = 1 / (lambda - sigma);
   * 'buckling': OP = (A - sigma M)^-1 A with the A inner product (A positive definite, sigma != 0),
   *   nu = lambda / (lambda - sigma);
   * 'cayley': OP = (A - sigma M)^-1 (A + sigma M), nu = (lambda + sigma) / (lambda - sigma) (sigma != 0).
   */
  mode?: ShiftInvertMode;
  /**
   * The symmetric positive definite M of the generalized problem A x = lambda M x (only with sigma).
   * Eigenvectors are then M-orthonormal (A-orthonormal in 'buckling' mode), as ARPACK returns them.
   */
  M?: OperatorLike;
  /** A user-supplied (A - sigma M)^-1 (then A and M may be LinearOperators); default: factor A - sigma M. */
  OPinv?: OperatorLike;
}

export type ShiftInvertMode = 'normal' | 'buckling' | 'cayley';
const MODES: readonly ShiftInvertMode[] = ['normal', 'buckling', 'cayley'];

type Apply = (x: Float64Array, out: Float64Array) => void;

/**
 * What Lanczos iterates with: OP (given v and B v) and the inner product's B (null: Euclidean).
 * OP must be self-adjoint in the B inner product.
 */
interface Iteration {
  n: number;
  op: (v: Float64Array, bv: Float64Array, out: Float64Array) => void;
  B: Apply | null;
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
 *
 * With `sigma` (shift-invert, ARPACK modes 3, 4, 5 as in SciPy) Lanczos runs on
 * OP = (A - sigma M)^-1 B' in the B inner product, with A - sigma M factored once by the sparse
 * direct solvers (Cholesky with AMD when positive definite, else LU), so the eigenvalues nearest
 * sigma converge in a few dozen steps: for the 4 smallest eigenvalues of a 2-D Poisson matrix
 * `eigsh(A, 4, { sigma: 0 })` instead of the slow `which: 'SA'`. Cost: one factorization, then
 * one pair of triangular solves per step.
 * @example
 * ```ts
 * import { COOMatrix, eigsh, poisson } from '@krylov/solvers';
 * const { values } = eigsh(poisson([20, 20]), 4, { sigma: 0 }); // the 4 smallest, ascending
 * const mu = (i: number) => 4 * Math.sin((i * Math.PI) / 42) ** 2; // of poisson([20]); the 2-D ones are sums
 * const exact = [mu(1) + mu(1), mu(1) + mu(2), mu(2) + mu(1), mu(2) + mu(2)];
 * console.assert(exact.every((e, j) => Math.abs(values.get(j) - e) < 1e-10), 'exact eigenvalues');
 * const K = poisson([50]);
 * const d = Array.from({ length: 50 }, (_, i) => i);
 * const Mass = new COOMatrix([50, 50], d, d, d.map(() => 2)).toCSR(); // SPD mass matrix 2 I
 * const g = eigsh(K, 3, { sigma: 1, M: Mass }).values; // K x = lambda Mass x, nearest 1
 * const s = eigsh(K, 3, { sigma: 2 }).values; // K x = mu x, nearest 2: lambda = mu / 2
 * console.assert([0, 1, 2].every((j) => Math.abs(g.get(j) - s.get(j) / 2) < 1e-10), 'lambda = mu / 2');
 * ```
 * @throws ShapeError for a non-square operator; InvalidArgumentError when k is not in [1, n), an
 *   option is out of range or A is not symmetric; SingularMatrixError when sigma is an eigenvalue;
 *   ConvergenceError when maxiter restarts do not converge (with the worst residual).
 */
export function eigsh(a: OperatorLike, k: number, options?: EigshOptions): EigshResult {
  const fn = 'eigsh';
  checkOptions(fn, options, [
    'which',
    'ncv',
    'tol',
    'maxiter',
    'v0',
    'seed',
    'vectors',
    'checkSymmetry',
    'sigma',
    'mode',
    'M',
    'OPinv',
  ]);
  const A = aslinearoperator(a);
  const n = A.shape[0];
  if (A.shape[1] !== n) throw new ShapeError(fn, 'A', 'expected a square operator', A.shape);
  if (!Number.isInteger(k) || k < 1 || k >= n)
    throw new InvalidArgumentError(fn, 'k', k, `an integer in [1, ${n}) (use eigh for all eigenvalues)`);
  const check = options?.checkSymmetry ?? true;
  checkSymmetricMatrix(fn, 'A', a, check);
  if (options?.sigma === undefined) {
    for (const key of ['mode', 'M', 'OPinv'] as const)
      if (options?.[key] !== undefined)
        throw new InvalidArgumentError(
          fn,
          `options.${key}`,
          options[key],
          'to be given only with options.sigma',
        );
    return lanczos(fn, { n, op: (v, _, out) => A.matvec(v, out), B: null }, k, options, 'LA');
  }
  const sigma = checkNumber(fn, 'options.sigma', options.sigma);
  const mode = options.mode === undefined ? 'normal' : checkChoice(fn, 'options.mode', options.mode, MODES);
  if (mode !== 'normal' && sigma === 0)
    throw new InvalidArgumentError(fn, 'options.sigma', 0, `a nonzero shift in '${mode}' mode`);
  let Mop: LinearOperator | null = null;
  if (options.M !== undefined) {
    Mop = aslinearoperator(options.M);
    if (Mop.shape[0] !== n || Mop.shape[1] !== n)
      throw new ShapeError(fn, 'options.M', `expected ${n}x${n} like A`, Mop.shape);
    checkSymmetricMatrix(fn, 'options.M', options.M, check);
  }
  let solveShift: Apply;
  if (options.OPinv !== undefined) {
    const inv = aslinearoperator(options.OPinv);
    if (inv.shape[0] !== n || inv.shape[1] !== n)
      throw new ShapeError(fn, 'options.OPinv', `expected ${n}x${n} like A`, inv.shape);
    solveShift = (x, out) => inv.matvec(x, out);
  } else {
    const why = 'to factor A - sigma M; or pass options.OPinv';
    solveShift = shiftInvert(
      fn,
      requireMatrix(fn, 'A', a, why),
      options.M === undefined ? null : requireMatrix(fn, 'options.M', options.M, why),
      sigma,
    );
  }
  const tmp = new Float64Array(n);
  const Bm: Apply | null = Mop ? (x, out) => (Mop as LinearOperator).matvec(x, out) : null;
  const it: Iteration =
    mode === 'normal'
      ? { n, op: (v, bv, out) => solveShift(Bm ? bv : v, out), B: Bm }
      : mode === 'buckling'
        ? { n, op: (_, bv, out) => solveShift(bv, out), B: (x, out) => A.matvec(x, out) }
        : {
            n,
            op: (v, bv, out) => {
              A.matvec(v, tmp);
              if (Bm) for (let i = 0; i < n; i++) tmp[i] += sigma * bv[i];
              else for (let i = 0; i < n; i++) tmp[i] += sigma * v[i];
              solveShift(tmp, out);
            },
            B: Bm,
          };
  const res = lanczos(fn, it, k, options, 'LM');
  const nu = res.values.data as Float64Array;
  const lambda = Array.from(nu, (v) =>
    mode === 'normal'
      ? sigma + 1 / v
      : mode === 'buckling'
        ? (sigma * v) / (v - 1)
        : (sigma * (v + 1)) / (v - 1),
  );
  const order = lambda.map((_, i) => i).sort((p, q) => lambda[p] - lambda[q]);
  const values = new NDArray(
    Float64Array.from(order, (i) => lambda[i]),
    [k],
  );
  let vectors: NDArray<'float64'> | null = null;
  if (res.vectors) {
    const src = res.vectors.data as Float64Array;
    vectors = zeros([n, k]);
    for (let t = 0; t < n; t++)
      order.forEach((i, c) => ((vectors as NDArray<'float64'>).data[t * k + c] = src[t * k + i]));
  }
  return { values, vectors, restarts: res.restarts, matvecs: res.matvecs };
}

function lanczos(
  fn: string,
  it: Iteration,
  k: number,
  options: EigshOptions | undefined,
  defaultWhich: Which,
): EigshResult {
  const { n, op, B } = it;
  const which =
    options?.which === undefined ? defaultWhich : checkChoice(fn, 'options.which', options.which, WHICH);
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
  // B V, maintained beside V when the inner product is not Euclidean (one B product per step).
  const BV = B ? Array.from({ length: ncv + 1 }, () => new Float64Array(n)) : V;
  if (options?.v0 !== undefined) {
    V[0].set(toVector(fn, 'options.v0', options.v0 as VectorLike, n));
  } else {
    const r = seededRng(fn, 'options.seed', options?.seed);
    for (let i = 0; i < n; i++) V[0][i] = r.nextNormal();
  }
  if (B) B(V[0], BV[0]);
  const v0norm = Math.sqrt(dot(V[0], BV[0]));
  if (!(v0norm > 0) || !Number.isFinite(v0norm))
    throw new InvalidArgumentError(
      fn,
      'options.v0',
      'zero or non-finite',
      B ? 'a vector with positive B-norm (B positive definite)' : 'a finite nonzero vector',
    );
  for (let i = 0; i < n; i++) V[0][i] /= v0norm;
  if (B) for (let i = 0; i < n; i++) BV[0][i] /= v0norm;
  const T = new Float64Array(ncv * ncv);
  const w = new Float64Array(n);
  const Bw = B ? new Float64Array(n) : w;
  let kept = 0;
  let matvecs = 0;
  let worst = Number.POSITIVE_INFINITY;
  for (let restart = 0; restart < maxiter; restart++) {
    let beta = 0;
    let size = ncv;
    for (let j = kept; j < ncv; j++) {
      op(V[j], BV[j], w);
      matvecs++;
      if (B) B(w, Bw);
      // Full reorthogonalization by classical Gram-Schmidt in the B inner product, repeated only
      // when cancellation was large (the DGKS criterion of ARPACK's dgetv0/dsaitr): T = V^T B OP V
      // stays exact.
      const before = Math.sqrt(Math.max(dot(w, Bw), 0));
      for (let pass = 0; pass < 2; pass++) {
        const h = new Float64Array(j + 1);
        for (let i = 0; i <= j; i++) h[i] = dot(w, BV[i]);
        for (let i = 0; i <= j; i++) {
          T[i * ncv + j] = pass === 0 ? h[i] : T[i * ncv + j] + h[i];
          T[j * ncv + i] = T[i * ncv + j];
          const vi = V[i];
          const hi = h[i];
          for (let t = 0; t < n; t++) w[t] -= hi * vi[t];
        }
        // B w recomputed, not updated by the recurrence: OP reads B v, and an error there is
        // amplified by (A - sigma M)^-1 at every step (ARPACK's dsaitr recomputes it too).
        if (B) B(w, Bw);
        beta = Math.sqrt(Math.max(dot(w, Bw), 0));
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
        if (B) for (let t = 0; t < n; t++) BV[j + 1][t] = Bw[t] / beta;
      } else {
        for (let t = 0; t < n; t++) V[ncv][t] = beta > 0 ? w[t] / beta : 0;
        if (B) for (let t = 0; t < n; t++) BV[ncv][t] = beta > 0 ? Bw[t] / beta : 0;
      }
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
    const BY = B ? ritzColumns(BV, S, size, keep, n) : Y;
    const f = V[ncv].slice();
    const Bf = BV[ncv].slice();
    T.fill(0);
    keep.forEach((i, c) => {
      V[c].set(Y[c]);
      if (B) BV[c].set(BY[c]);
      T[c * ncv + c] = theta[i];
      T[keep.length * ncv + c] = T[c * ncv + keep.length] = beta * S[(size - 1) * size + i];
    });
    kept = keep.length;
    V[kept].set(f);
    if (B) BV[kept].set(Bf);
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

export interface SvdsOptions
  extends Omit<EigshOptions, 'which' | 'checkSymmetry' | 'sigma' | 'mode' | 'M' | 'OPinv'> {
  /**
   * Shift-invert: the k singular values nearest sigma (default: the k largest), by Lanczos on
   * (G - sigma^2 I)^-1 with G = A^T A or A A^T (the smaller) formed sparse and factored once
   * (Cholesky, or LU when G - sigma^2 I is indefinite). A must be a sparse or dense matrix. Small
   * singular values come out with absolute accuracy about eps ||A||^2 / s.
   */
  sigma?: number;
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
 * @example
 * ```ts
 * import { rng } from '@krylov/core-array';
 * import { svd } from '@krylov/decompositions';
 * import { svds } from '@krylov/solvers';
 * const a = rng(1).normal([60, 40]);
 * const { s } = svds(a, 2, { seed: 1 }); // the 2 largest singular values, descending
 * console.assert(Math.abs(s.get(0) - svd(a, { mode: 'values' }).s.get(0)) < 1e-8, 'matches the dense SVD');
 * ```
 * @throws InvalidArgumentError when k is not in [1, min(m, n)) or A lacks rmatvec.
 */
export function svds(a: OperatorLike, k: number, options?: SvdsOptions): SvdsResult {
  const fn = 'svds';
  checkOptions(fn, options, ['ncv', 'tol', 'maxiter', 'v0', 'seed', 'vectors', 'sigma']);
  const A = aslinearoperator(a);
  const [m, n] = A.shape;
  if (!A.hasAdjoint)
    throw new InvalidArgumentError(fn, 'A', 'operator without rmatvec', 'an operator with rmatvec');
  if (!Number.isInteger(k) || k < 1 || k >= Math.min(m, n))
    throw new InvalidArgumentError(fn, 'k', k, `an integer in [1, ${Math.min(m, n)})`);
  const tall = m >= n;
  const small = tall ? n : m;
  const tmp = new Float64Array(tall ? m : n);
  let values: NDArray;
  let vectors: NDArray | null;
  let matvecs: number;
  const lanczosOptions = { ...options, which: undefined, sigma: undefined };
  if (options?.sigma === undefined) {
    const gram: Iteration = {
      n: small,
      op: (x, _, out) => {
        if (tall) A.rmatvec(A.matvec(x, tmp), out);
        else A.matvec(A.rmatvec(x, tmp), out);
      },
      B: null,
    };
    ({ values, vectors, matvecs } = lanczos(fn, gram, k, lanczosOptions, 'LA'));
    matvecs *= 2;
  } else {
    // Shift-invert on the Gram matrix: nu = 1 / (s^2 - sigma^2), the singular values nearest sigma.
    const sigma = checkNumber(fn, 'options.sigma', options.sigma);
    const csr = requireMatrix(fn, 'A', a, 'to form and factor the Gram matrix for sigma');
    const t = transposeCSR(csr);
    const G = tall ? spgemm(t, csr) : spgemm(csr, t);
    const solveShift = shiftInvert(fn, G, null, sigma * sigma);
    const res = lanczos(
      fn,
      { n: small, op: (x, _, out) => solveShift(x, out), B: null },
      k,
      lanczosOptions,
      'LM',
    );
    const s2 = Array.from(res.values.data as Float64Array, (v) => sigma * sigma + 1 / v);
    const byValue = s2.map((_, i) => i).sort((p, q) => s2[p] - s2[q]);
    values = new NDArray(
      Float64Array.from(byValue, (i) => s2[i]),
      [k],
    );
    vectors = null;
    if (res.vectors) {
      const src = res.vectors.data as Float64Array;
      const out = zeros([small, k]);
      for (let r = 0; r < small; r++) byValue.forEach((i, c) => (out.data[r * k + c] = src[r * k + i]));
      vectors = out;
    }
    matvecs = res.matvecs;
  }
  const order = Array.from({ length: k }, (_, i) => k - 1 - i);
  const s = new NDArray(
    Float64Array.from(order, (i) => Math.sqrt(Math.max(values.data[i] as number, 0))),
    [k],
  );
  if (options?.vectors === false) return { u: null, s, vt: null, matvecs };
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
    ? { u: other, s, vt: side.T.copy() as NDArray<'float64'>, matvecs: matvecs + k }
    : { u: side, s, vt: other.T.copy() as NDArray<'float64'>, matvecs: matvecs + k };
}
