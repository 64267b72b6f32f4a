/**
 * Low-rank matrix completion from a subset Omega of observed entries: alternating minimization,
 * soft-impute and ScaledGD. The observed entries come as a CSR operand (its pattern is Omega;
 * explicit zeros are observations) or as a dense matrix with a mask. The row-wise least-squares
 * step is weighted ALS's (`weighted.ts`) with unit weights.
 */
import {
  type CsrOperand,
  InvalidArgumentError,
  NDArray,
  ShapeError,
  checkBoolean,
  checkInteger,
  checkNumber,
  checkOptions,
  isNDArray,
} from '@krylov/core-array';
import { checkMatrix, workingCopy } from '../util/validate.js';
import {
  ITERATION_OPTIONS,
  type LowRankIterationOptions,
  type LowRankReport,
  type LowRankStopReason,
  checkIterationOptions,
  isCsr,
  mm,
  progress,
  report,
  view,
} from './common.js';
import {
  type Entries,
  alsHalf,
  entries,
  entryObjective,
  leadingSvd,
  solvePsd,
  transpose,
} from './weighted.js';

/** Options shared by the completion methods. */
export interface CompletionOptions extends LowRankIterationOptions {
  /** With a dense `observed`: the m x n mask, non-zero where an entry is observed. */
  mask?: NDArray;
  /** Iteration limit. Defaults: 200 (altMinComplete), 100 (softImpute, as R's softImpute), 1000 (scaledGd). */
  maxIter?: number;
  /** Tolerance of the stopping test (see each method). */
  tol?: number;
}

/** A completed low-rank matrix X = u vt (u m x k, vt k x n) and how the iteration went. */
export interface CompletionResult extends LowRankReport {
  u: NDArray<'float64'>;
  vt: NDArray<'float64'>;
  /** ||P_Omega(X - M)||_F / ||P_Omega(M)||_F at the result. */
  residual: number;
}

const COMPLETION_OPTIONS = [
  'mask',
  'maxIter',
  'tol',
  ...ITERATION_OPTIONS,
] as const satisfies readonly (keyof CompletionOptions)[];

/** The observed entries, validated, as unit-weight `Entries`. */
function observedArg(fn: string, x: unknown, mask: unknown): Entries {
  if (isCsr(x)) {
    if (mask !== undefined)
      throw new InvalidArgumentError(fn, 'options.mask', mask, 'no mask with a CSR operand');
    const c = x as CsrOperand;
    const [m, n] = c.shape;
    if (!Number.isInteger(m) || !Number.isInteger(n) || m < 1 || n < 1 || c.indptr.length !== m + 1)
      throw new ShapeError(fn, 'observed', 'expected a CSR operand with indptr of length rows + 1', c.shape);
    const nnz = c.indptr[m];
    const seen = new Int32Array(n).fill(-1);
    for (let i = 0; i < m; i++) {
      if (c.indptr[i + 1] < c.indptr[i])
        throw new InvalidArgumentError(fn, 'observed.indptr', c.indptr[i + 1], 'non-decreasing offsets');
      for (let p = c.indptr[i]; p < c.indptr[i + 1]; p++) {
        const j = c.indices[p];
        if (!(j >= 0 && j < n))
          throw new InvalidArgumentError(fn, 'observed.indices', j, `column indices in [0, ${n})`);
        if (seen[j] === i)
          throw new InvalidArgumentError(fn, 'observed.indices', j, `no duplicate entries (row ${i})`);
        seen[j] = i;
        if (!Number.isFinite(c.data[p]))
          throw new InvalidArgumentError(fn, 'observed.data', c.data[p], `finite values (entry ${p} is not)`);
      }
    }
    return entries(
      m,
      n,
      Int32Array.from(c.indptr),
      c.indices.slice(0, nnz),
      Float64Array.from(c.data.subarray(0, nnz)),
      new Float64Array(nnz).fill(1),
    );
  }
  if (!isNDArray(x))
    throw new InvalidArgumentError(fn, 'observed', x, 'a CSR operand or an NDArray with options.mask');
  const a = workingCopy(fn, 'observed', x);
  const [m, n] = a.shape;
  if (mask === undefined)
    throw new InvalidArgumentError(fn, 'options.mask', mask, 'the mask of observed entries (dense observed)');
  checkMatrix(fn, 'options.mask', mask);
  if (mask.shape[0] !== m || mask.shape[1] !== n)
    throw new ShapeError(fn, 'options.mask', `expected ${m} x ${n}`, mask.shape);
  const md = mask.copy('float64').data;
  const ptr = new Int32Array(m + 1);
  const col: number[] = [];
  const val: number[] = [];
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++)
      if (md[i * n + j] !== 0) {
        col.push(j);
        val.push(a.data[i * n + j]);
      }
    ptr[i + 1] = col.length;
  }
  return entries(
    m,
    n,
    ptr,
    Int32Array.from(col),
    Float64Array.from(val),
    new Float64Array(col.length).fill(1),
  );
}

/** P_Omega(M) / p as a dense m x n buffer (p the observed fraction). */
function scaledObserved(e: Entries): Float64Array {
  const d = new Float64Array(e.m * e.n);
  const scale = (e.m * e.n) / Math.max(1, e.col.length);
  for (let i = 0; i < e.m; i++)
    for (let p = e.ptr[i]; p < e.ptr[i + 1]; p++) d[i * e.n + e.col[p]] = scale * e.val[p];
  return d;
}

const observedNorm = (e: Entries) => Math.sqrt(e.val.reduce((s, v) => s + v * v, 0)) || 1;

function finish(
  fn: string,
  e: Entries,
  u: Float64Array,
  v: Float64Array,
  k: number,
  reason: LowRankStopReason,
  iterations: number,
  history: number[],
): CompletionResult {
  return {
    u: view(u, e.m, k),
    vt: view(transpose(v, e.n, k), k, e.n),
    residual: Math.sqrt(entryObjective(e, u, v, k)) / observedNorm(e),
    ...report(fn, reason, iterations, history),
  };
}

function common(fn: string, observed: unknown, rank: number, o: CompletionOptions, extra: readonly string[]) {
  checkOptions(fn, o, [...COMPLETION_OPTIONS, ...extra]);
  checkIterationOptions(fn, o);
  const e = observedArg(fn, observed, o.mask);
  const k = checkInteger(fn, 'rank', rank, { min: 1, max: Math.min(e.m, e.n) });
  return { e, k };
}

/**
 * Matrix completion by alternating minimization (Jain, Netrapalli and Sanghavi, "Low-rank matrix
 * completion using alternating minimization", STOC 2013): from the rank-k SVD of P_Omega(M) / p
 * (p the observed fraction), alternately solve for V and U the least-squares problems
 * min ||P_Omega(U V^T - M)||_F row by row (the clipping step of the analysis is left out). Exact recovery
 * of incoherent low-rank matrices from enough samples (tested: rank 5, 100 x 100, 30% observed,
 * relative error below 1e-6). Stops when ||P_Omega(X - M)||_F / ||P_Omega(M)||_F <= tol (default
 * 1e-10); the history holds that ratio. O(|Omega| k^2 + (m + n) k^3) per sweep plus the initial dense
 * SVD, O(m n min(m, n)).
 *
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { altMinComplete } from '@krylov/decompositions';
 * const m = array([[1, 2, 3], [2, 4, 6], [3, 6, 9]]); // rank 1
 * const mask = array([[1, 1, 1], [1, 0, 1], [1, 1, 0]]);
 * const r = altMinComplete(m, 1, { mask });
 * const x = r.u.get(2, 0) * r.vt.get(0, 2); // the unobserved m[2][2]
 * console.assert(r.converged && Math.abs(x - 9) < 1e-8);
 * ```
 * @throws ShapeError for a mask of the wrong shape or a malformed CSR operand; InvalidArgumentError
 *   for non-finite values, a missing mask, duplicate CSR entries, a rank outside [1, min(m, n)] or
 *   a bad option.
 */
export function altMinComplete(
  observed: CsrOperand | NDArray,
  rank: number,
  options: CompletionOptions = {},
): CompletionResult {
  const fn = 'altMinComplete';
  const { e, k } = common(fn, observed, rank, options, []);
  const maxIter = checkInteger(fn, 'options.maxIter', options.maxIter ?? 200, { min: 0 });
  const tol = checkNumber(fn, 'options.tol', options.tol ?? 1e-10, { min: 0 });
  const { us: u, v } = leadingSvd(scaledObserved(e), e.m, e.n, k);
  const norm = observedNorm(e);
  const history = [Math.sqrt(entryObjective(e, u, v, k)) / norm];
  let reason: LowRankStopReason = 'maxiter';
  let iterations = 0;
  for (let it = 1; it <= maxIter; it++) {
    if (options.signal?.aborted) {
      reason = 'aborted';
      break;
    }
    iterations = it;
    alsHalf(e, true, u, k, v);
    alsHalf(e, false, v, k, u);
    const r = Math.sqrt(entryObjective(e, u, v, k)) / norm;
    history.push(r);
    const stop = r <= tol ? 'converged' : null;
    const asked = progress(options, it, r);
    if (stop || asked) {
      reason = stop ?? asked!;
      break;
    }
  }
  return finish(fn, e, u, v, k, reason, iterations, history);
}

/** Options of `softImpute`. */
export interface SoftImputeOptions extends CompletionOptions {
  /** The nuclear-norm weight lambda >= 0. Default 0 (with `maxRank`, hard impute). */
  lambda?: number;
  /** Keep at most this many singular values per step. Default min(m, n). */
  maxRank?: number;
}

/** The result of `softImpute`: X = u diag(s) vt. */
export interface SoftImputeResult extends LowRankReport {
  u: NDArray<'float64'>;
  s: NDArray<'float64'>;
  vt: NDArray<'float64'>;
  /** ||P_Omega(X - M)||_F / ||P_Omega(M)||_F at the result. */
  residual: number;
}

/**
 * Soft-impute (Mazumder, Hastie and Tibshirani, "Spectral regularization algorithms for learning
 * large incomplete matrices", JMLR 11, 2010, Algorithm 1 at one lambda): from Z = 0, repeat
 * Z <- S_lambda(P_Omega(M) + P_Omega-perp(Z)), S_lambda soft-thresholding the singular values by
 * lambda (and keeping at most `maxRank` of them), until ||Z_new - Z_old||_F^2 / ||Z_old||_F^2 <= tol
 * (default 1e-5, as the paper and R's softImpute). For lambda > 0 and no rank cap it minimizes
 * 1/2 ||P_Omega(M - Z)||_F^2 + lambda ||Z||_*, and that objective never increases (the paper's
 * Lemma 2; tested); the history holds it. Warm-start a decreasing lambda path by hand if needed.
 * O(m n min(m, n)) per iteration (a dense registry gesdd).
 *
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { softImpute } from '@krylov/decompositions';
 * const m = array([[1, 2, 3], [2, 4, 6], [3, 6, 9]]);
 * const mask = array([[1, 1, 1], [1, 0, 1], [1, 1, 1]]);
 * const r = softImpute(m, { mask, maxRank: 1, tol: 1e-20, maxIter: 500 });
 * const x = r.u.get(1, 0) * r.s.get(0) * r.vt.get(0, 1); // the unobserved m[1][1]
 * console.assert(Math.abs(x - 4) < 1e-6);
 * ```
 * @throws as `altMinComplete`; InvalidArgumentError for a negative lambda or a bad maxRank.
 */
export function softImpute(
  observed: CsrOperand | NDArray,
  options: SoftImputeOptions = {},
): SoftImputeResult {
  const fn = 'softImpute';
  checkOptions(fn, options, [...COMPLETION_OPTIONS, 'lambda', 'maxRank']);
  checkIterationOptions(fn, options);
  const e = observedArg(fn, observed, options.mask);
  const { m, n } = e;
  const lambda = checkNumber(fn, 'options.lambda', options.lambda ?? 0, { min: 0 });
  const maxRank = checkInteger(fn, 'options.maxRank', options.maxRank ?? Math.min(m, n), {
    min: 1,
    max: Math.min(m, n),
  });
  const maxIter = checkInteger(fn, 'options.maxIter', options.maxIter ?? 100, { min: 0 });
  const tol = checkNumber(fn, 'options.tol', options.tol ?? 1e-5, { min: 0 });
  let z = new Float64Array(m * n);
  let f = { u: new Float64Array(0), s: new Float64Array(0), v: new Float64Array(0), k: 0 };
  const objective = (zz: Float64Array, s: Float64Array) => {
    let o = 0;
    for (let i = 0; i < m; i++)
      for (let p = e.ptr[i]; p < e.ptr[i + 1]; p++) o += (e.val[p] - zz[i * n + e.col[p]]) ** 2;
    return 0.5 * o + lambda * s.reduce((a, b) => a + b, 0);
  };
  const history = [objective(z, f.s)];
  let reason: LowRankStopReason = 'maxiter';
  let iterations = 0;
  for (let it = 1; it <= maxIter; it++) {
    if (options.signal?.aborted) {
      reason = 'aborted';
      break;
    }
    iterations = it;
    const y = Float64Array.from(z);
    for (let i = 0; i < m; i++) for (let p = e.ptr[i]; p < e.ptr[i + 1]; p++) y[i * n + e.col[p]] = e.val[p];
    const full = leadingSvd(y, m, n, maxRank);
    let k = 0;
    while (k < maxRank && full.s[k] > lambda) k++;
    const s = full.s.slice(0, k).map((x) => x - lambda);
    const u = new Float64Array(m * k);
    const v = new Float64Array(n * k);
    for (let i = 0; i < m; i++) for (let r = 0; r < k; r++) u[i * k + r] = full.u[i * maxRank + r] * s[r];
    for (let j = 0; j < n; j++) for (let r = 0; r < k; r++) v[j * k + r] = full.v[j * maxRank + r];
    const next = mm(u, false, v, true, new Float64Array(m * n), m, k, n);
    let diff = 0;
    let old = 0;
    for (let p = 0; p < m * n; p++) {
      diff += (next[p] - z[p]) ** 2;
      old += z[p] ** 2;
    }
    z = next;
    f = { u: full.u, s, v, k };
    const obj = objective(z, s);
    history.push(obj);
    const stop = old > 0 && diff <= tol * old ? 'converged' : null;
    const asked = progress(options, it, obj);
    if (stop || asked) {
      reason = stop ?? asked!;
      break;
    }
  }
  const { k } = f;
  const uk = new Float64Array(m * k);
  for (let i = 0; i < m; i++) for (let r = 0; r < k; r++) uk[i * k + r] = f.u[i * maxRank + r];
  let res = 0;
  for (let i = 0; i < m; i++)
    for (let p = e.ptr[i]; p < e.ptr[i + 1]; p++) res += (e.val[p] - z[i * n + e.col[p]]) ** 2;
  return {
    u: view(uk, m, k),
    s: new NDArray(f.s, [k]),
    vt: view(transpose(f.v, n, k), k, n),
    residual: Math.sqrt(res) / observedNorm(e),
    ...report(fn, reason, iterations, history, `rank ${k}`),
  };
}

/** Options of `scaledGd`. */
export interface ScaledGdOptions extends CompletionOptions {
  /** eta, the step size. Default 0.5 (the paper's experiments; its theory asks eta <= 2/3). */
  stepSize?: number;
  /**
   * true (default): ScaledGD's preconditioned steps. false: plain gradient descent on the same
   * factored loss with step eta / sigma_1 (sigma_1 of the spectral initialization), for comparison.
   */
  preconditioned?: boolean;
  /**
   * A start X0 = u vt (u m x k, vt k x n) instead of the spectral initialization: a warm start from
   * an earlier fit, say. It is rebalanced (L = U S^1/2, R = V S^1/2 from the SVD of u vt).
   */
  init?: { u: NDArray; vt: NDArray };
}

/** The dense product u vt of a user's starting point, validated. */
function startArg(fn: string, x: { u: NDArray; vt: NDArray }, m: number, n: number, k: number): Float64Array {
  if (typeof x !== 'object' || x === null) throw new InvalidArgumentError(fn, 'options.init', x, '{ u, vt }');
  const u = workingCopy(fn, 'options.init.u', x.u);
  const vt = workingCopy(fn, 'options.init.vt', x.vt);
  if (u.shape[0] !== m || u.shape[1] !== k)
    throw new ShapeError(fn, 'options.init.u', `expected ${m} x ${k}`, u.shape);
  if (vt.shape[0] !== k || vt.shape[1] !== n)
    throw new ShapeError(fn, 'options.init.vt', `expected ${k} x ${n}`, vt.shape);
  return mm(u.data, false, vt.data, false, new Float64Array(m * n), m, k, n);
}

/**
 * ScaledGD for matrix completion (Tong, Ma and Chi, "Accelerating ill-conditioned low-rank matrix
 * estimation via scaled gradient descent", JMLR 22, 2021, Algorithm 1 / section 2.3): with the loss
 * f(L, R) = 1/(2p) ||P_Omega(L R^T - M)||_F^2 (p the observed fraction) and the spectral start
 * L = U S^1/2, R = V S^1/2 from the rank-k SVD of P_Omega(M) / p,
 * L <- L - eta grad_L f (R^T R)^-1, R <- R - eta grad_R f (L^T L)^-1.
 * The preconditioners make the contraction rate independent of the condition number of M, where plain
 * gradient descent slows down in proportion to it. That is a local property (the paper's theorems
 * assume a start within a small multiple of sigma_k(M) of the truth): tested from starts 10% off in
 * every factor direction on planted rank-5 problems, the iteration count is the same over condition
 * numbers 1e1..1e4 while plain gradient descent's grows with it. From the spectral start at 30-50%
 * sampling, condition numbers >= 1e2 put the start outside that region for 100 x 100 matrices and
 * ScaledGD stalls near the weakest component; `altMinComplete` does not. The paper's incoherence
 * projection is left out.
 * Stops when ||P_Omega(X - M)||_F / ||P_Omega(M)||_F <= tol (default 1e-10), the history's quantity.
 * O(|Omega| k + (m + n) k^2) per iteration plus the initial dense SVD, O(m n min(m, n)).
 *
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { scaledGd } from '@krylov/decompositions';
 * const m = array([[1, 2, 3], [2, 4, 6], [3, 6, 9]]);
 * const mask = array([[1, 1, 1], [1, 1, 1], [1, 1, 0]]);
 * const r = scaledGd(m, 1, { mask });
 * console.assert(r.converged && Math.abs(r.u.get(2, 0) * r.vt.get(0, 2) - 9) < 1e-8);
 * ```
 * @throws as `altMinComplete`; InvalidArgumentError for a step size outside (0, 2] or a bad option.
 */
export function scaledGd(
  observed: CsrOperand | NDArray,
  rank: number,
  options: ScaledGdOptions = {},
): CompletionResult {
  const fn = 'scaledGd';
  const { e, k } = common(fn, observed, rank, options, ['stepSize', 'preconditioned', 'init']);
  const { m, n } = e;
  const maxIter = checkInteger(fn, 'options.maxIter', options.maxIter ?? 1000, { min: 0 });
  const tol = checkNumber(fn, 'options.tol', options.tol ?? 1e-10, { min: 0 });
  const eta = checkNumber(fn, 'options.stepSize', options.stepSize ?? 0.5, { min: 0, max: 2 });
  if (eta === 0) throw new InvalidArgumentError(fn, 'options.stepSize', eta, 'a step size in (0, 2]');
  const scaled = checkBoolean(fn, 'options.preconditioned', options.preconditioned ?? true);
  const p = e.col.length / (m * n);
  const init = leadingSvd(
    options.init === undefined ? scaledObserved(e) : startArg(fn, options.init, m, n, k),
    m,
    n,
    k,
  );
  const l = new Float64Array(m * k);
  const r = new Float64Array(n * k);
  for (let i = 0; i < m; i++)
    for (let t = 0; t < k; t++) l[i * k + t] = init.u[i * k + t] * Math.sqrt(init.s[t]);
  for (let j = 0; j < n; j++)
    for (let t = 0; t < k; t++) r[j * k + t] = init.v[j * k + t] * Math.sqrt(init.s[t]);
  const plainStep = eta / (init.s[0] || 1);
  const norm = observedNorm(e);
  const gl = new Float64Array(m * k);
  const gr = new Float64Array(n * k);
  const g = new Float64Array(k * k);
  /** Residuals on Omega and the gradients' sparse parts S R and S^T L (S = P_Omega(L R^T - M)); returns ||S||_F^2. */
  const gradients = () => {
    gl.fill(0);
    gr.fill(0);
    let f = 0;
    for (let i = 0; i < m; i++)
      for (let q = e.ptr[i]; q < e.ptr[i + 1]; q++) {
        const j = e.col[q];
        let s = -e.val[q];
        for (let t = 0; t < k; t++) s += l[i * k + t] * r[j * k + t];
        f += s * s;
        for (let t = 0; t < k; t++) {
          gl[i * k + t] += s * r[j * k + t];
          gr[j * k + t] += s * l[i * k + t];
        }
      }
    return f;
  };
  /** X <- X - step * G (F^T F)^-1 (or without the preconditioner), G rows x k. */
  const update = (
    x: Float64Array,
    grad: Float64Array,
    other: Float64Array,
    rows: number,
    otherRows: number,
  ) => {
    if (scaled) {
      mm(other, true, other, false, g, k, otherRows, k);
      const gt = transpose(grad, rows, k); // k x rows
      solvePsd(g, gt, k, rows);
      for (let i = 0; i < rows; i++) for (let t = 0; t < k; t++) x[i * k + t] -= (eta / p) * gt[t * rows + i];
    } else for (let q = 0; q < x.length; q++) x[q] -= (plainStep / p) * grad[q];
  };
  const history = [Math.sqrt(gradients()) / norm];
  let reason: LowRankStopReason = 'maxiter';
  let iterations = 0;
  for (let it = 1; it <= maxIter; it++) {
    if (options.signal?.aborted) {
      reason = 'aborted';
      break;
    }
    iterations = it;
    const lOld = Float64Array.from(l);
    update(l, gl, r, m, n);
    update(r, gr, lOld, n, m);
    const res = Math.sqrt(gradients()) / norm;
    history.push(res);
    const stop = res <= tol ? 'converged' : null;
    const asked = progress(options, it, res);
    if (stop || asked) {
      reason = stop ?? asked!;
      break;
    }
  }
  return finish(fn, e, l, r, k, reason, iterations, history);
}
