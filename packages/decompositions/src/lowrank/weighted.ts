/**
 * Weighted low-rank approximation: min over rank-k X of sum_ij W_ij (A_ij - X_ij)^2. General
 * (element) weights by alternating weighted least squares (Srebro and Jaakkola 2003); weights of
 * rank one (W = r c^T, which includes row weights and FWSVD's Fisher row weights) in closed form.
 * The row-by-row weighted least-squares step is shared with matrix completion (`completion.ts`).
 */
import {
  type DType,
  InvalidArgumentError,
  NDArray,
  ShapeError,
  checkChoice,
  checkInteger,
  checkNumber,
  checkOptions,
  isNDArray,
  optionKeys,
} from '@krylov/core-array';
import { syevd } from '../spectral/eigh.js';
import { gesdd } from '../spectral/svd.js';
import { type Floating, inDTypeOf, workingCopy } from '../util/validate.js';
import {
  ITERATION_OPTIONS,
  type LowRankIterationOptions,
  type LowRankReport,
  type LowRankStopReason,
  checkIterationOptions,
  mm,
  progress,
  report,
  seedOption,
  view,
} from './common.js';

/**
 * Observed (or weighted) entries of an m x n matrix, by rows (`ptr`, `col`, `val`, `wt`) and by
 * columns (`cptr`, `row`, `pos`: the row-order position of each column-order entry).
 */
export interface Entries {
  m: number;
  n: number;
  ptr: Int32Array;
  col: Int32Array;
  val: Float64Array;
  wt: Float64Array;
  cptr: Int32Array;
  row: Int32Array;
  pos: Int32Array;
}

/** Builds `Entries` from row-ordered triplets (the by-column index by a counting sort). */
export function entries(
  m: number,
  n: number,
  ptr: Int32Array,
  col: Int32Array,
  val: Float64Array,
  wt: Float64Array,
): Entries {
  const nnz = col.length;
  const cptr = new Int32Array(n + 1);
  for (let p = 0; p < nnz; p++) cptr[col[p] + 1]++;
  for (let j = 0; j < n; j++) cptr[j + 1] += cptr[j];
  const next = cptr.slice(0, n);
  const row = new Int32Array(nnz);
  const pos = new Int32Array(nnz);
  for (let i = 0; i < m; i++)
    for (let p = ptr[i]; p < ptr[i + 1]; p++) {
      const q = next[col[p]]++;
      row[q] = i;
      pos[q] = p;
    }
  return { m, n, ptr, col, val, wt, cptr, row, pos };
}

/**
 * Solves the k x k symmetric positive semidefinite system G X = B (B k x nrhs) in place on B: by an
 * unblocked Cholesky (k is a rank: a registry potrf call, blocked for large n, costs more than
 * the k^3 / 3 flops here), or, when G is numerically singular, the minimum-norm solution from its
 * eigendecomposition (registry syevd), so that a least-squares step stays an exact minimizer.
 */
export function solvePsd(g: Float64Array, b: Float64Array, k: number, nrhs = 1): void {
  const l = Float64Array.from(g);
  let ok = true;
  for (let j = 0; j < k && ok; j++) {
    let d = l[j * k + j];
    for (let t = 0; t < j; t++) d -= l[j * k + t] ** 2;
    if (!(d > 1e-14 * Math.abs(g[j * k + j]))) ok = false;
    const ljj = Math.sqrt(d);
    l[j * k + j] = ljj;
    for (let i = j + 1; i < k; i++) {
      let s = l[i * k + j];
      for (let t = 0; t < j; t++) s -= l[i * k + t] * l[j * k + t];
      l[i * k + j] = s / ljj;
    }
  }
  if (ok) {
    for (let c = 0; c < nrhs; c++) {
      for (let i = 0; i < k; i++) {
        let s = b[i * nrhs + c];
        for (let t = 0; t < i; t++) s -= l[i * k + t] * b[t * nrhs + c];
        b[i * nrhs + c] = s / l[i * k + i];
      }
      for (let i = k - 1; i >= 0; i--) {
        let s = b[i * nrhs + c];
        for (let t = i + 1; t < k; t++) s -= l[t * k + i] * b[t * nrhs + c];
        b[i * nrhs + c] = s / l[i * k + i];
      }
    }
    return;
  }
  const e = syevd({ a: view(Float64Array.from(g), k, k), vectors: true });
  const w = e.w.copy('float64').data as Float64Array;
  const q = e.v!.copy('float64').data as Float64Array;
  const cut = Math.max(0, ...w) * k * 2 ** -52;
  const t = mm(q, true, b, false, new Float64Array(k * nrhs), k, k, nrhs);
  for (let i = 0; i < k; i++)
    for (let c = 0; c < nrhs; c++) t[i * nrhs + c] = w[i] > cut ? t[i * nrhs + c] / w[i] : 0;
  mm(q, false, t, false, b, k, k, nrhs);
}

/**
 * One half-step of alternating weighted least squares: every row i of `out` (rows x k) becomes
 * argmin_x sum_p wt_p (val_p - x . other[idx_p])^2 over row i's entries p, i.e. the solution of
 * (O_i^T D_i O_i) x = O_i^T D_i a_i with O_i the gathered rows of `other` (`solvePsd`). `byColumns` walks the column index instead.
 * O(nnz k^2 + rows k^3).
 */
export function alsHalf(
  e: Entries,
  byColumns: boolean,
  other: Float64Array,
  k: number,
  out: Float64Array,
): void {
  const [rows, ptr, idx] = byColumns ? [e.n, e.cptr, e.row] : [e.m, e.ptr, e.col];
  const g = new Float64Array(k * k);
  for (let i = 0; i < rows; i++) {
    const x = out.subarray(i * k, i * k + k);
    x.fill(0);
    if (ptr[i + 1] === ptr[i]) continue;
    // the Gram's lower triangle and the right-hand side, accumulated entry by entry: for the small
    // k of low-rank work a registry call per row would cost more than the O(len k^2) flops
    g.fill(0);
    for (let p = ptr[i]; p < ptr[i + 1]; p++) {
      const q = byColumns ? e.pos[p] : p;
      const w = e.wt[q];
      const src = idx[p] * k;
      const wy = w * e.val[q];
      for (let r = 0; r < k; r++) {
        const o = other[src + r];
        const wo = w * o;
        x[r] += wy * o;
        for (let c = 0; c <= r; c++) g[r * k + c] += wo * other[src + c];
      }
    }
    for (let r = 0; r < k; r++) for (let c = 0; c < r; c++) g[c * k + r] = g[r * k + c];
    solvePsd(g, x, k);
  }
}

/** sum_p wt_p (val_p - u_i . v_j)^2 over the entries. O(nnz k). */
export function entryObjective(e: Entries, u: Float64Array, v: Float64Array, k: number): number {
  let f = 0;
  for (let i = 0; i < e.m; i++)
    for (let p = e.ptr[i]; p < e.ptr[i + 1]; p++) {
      let s = 0;
      const a = i * k;
      const b = e.col[p] * k;
      for (let r = 0; r < k; r++) s += u[a + r] * v[b + r];
      f += e.wt[p] * (e.val[p] - s) ** 2;
    }
  return f;
}

/** The leading k singular triplets of a row-major m x n buffer (registry gesdd): U_k S_k and V_k. */
export function leadingSvd(
  a: Float64Array,
  m: number,
  n: number,
  k: number,
): { us: Float64Array; v: Float64Array; s: Float64Array; u: Float64Array } {
  const f = gesdd({ a: view(Float64Array.from(a), m, n), job: 'thin' });
  const s = (f.s.copy('float64').data as Float64Array).slice(0, k);
  const uf = f.u!.copy('float64').data as Float64Array;
  const vt = f.vt!.copy('float64').data as Float64Array;
  const p = Math.min(m, n);
  const u = new Float64Array(m * k);
  const us = new Float64Array(m * k);
  const v = new Float64Array(n * k);
  for (let i = 0; i < m; i++)
    for (let r = 0; r < k; r++) {
      u[i * k + r] = uf[i * p + r];
      us[i * k + r] = uf[i * p + r] * s[r];
    }
  for (let j = 0; j < n; j++) for (let r = 0; r < k; r++) v[j * k + r] = vt[r * n + j];
  return { us, v, s, u };
}

/** vt (k x n) from V (n x k), both row-major. */
export function transpose(v: Float64Array, n: number, k: number): Float64Array {
  const t = new Float64Array(n * k);
  for (let j = 0; j < n; j++) for (let r = 0; r < k; r++) t[r * n + j] = v[j * k + r];
  return t;
}

/** The factors of a weighted low-rank approximation A ~ u vt. */
export interface WeightedLowRankFactors<D extends DType = 'float64'> {
  /** m x k. */
  u: NDArray<Floating<D>>;
  /** k x n. */
  vt: NDArray<Floating<D>>;
  /** The weighted objective sum_ij W_ij (A_ij - (u vt)_ij)^2 at the result. */
  objective: number;
}

/** Options of `weightedLowRank`. */
export interface WeightedLowRankOptions extends LowRankIterationOptions {
  /** Sweep limit. Default 500. */
  maxIter?: number;
  /** Stop when a sweep lowers the objective by less than `tol` times its value. Default 1e-10. */
  tol?: number;
  /**
   * 'svd' (default): V from the rank-k SVD of (W / max W) .* A (one EM step of Srebro and Jaakkola
   * from X = 0); 'random': Gaussian V from `seed`.
   */
  init?: 'svd' | 'random';
  /** Seed of 'random'. Default 0. */
  seed?: number | string;
}

const WLRA_OPTIONS = [
  'maxIter',
  'tol',
  'init',
  'seed',
  ...ITERATION_OPTIONS,
] as const satisfies readonly (keyof WeightedLowRankOptions)[];

/** The weights argument: an NDArray of A's shape with finite, non-negative entries. */
function weightsArg(fn: string, w: NDArray, m: number, n: number): Float64Array {
  const ww = workingCopy(fn, 'weights', w);
  if (ww.shape[0] !== m || ww.shape[1] !== n)
    throw new ShapeError(fn, 'weights', `expected ${m} x ${n} (a's shape)`, ww.shape);
  for (let p = 0; p < ww.data.length; p++)
    if (ww.data[p] < 0)
      throw new InvalidArgumentError(
        fn,
        'weights',
        ww.data[p],
        `non-negative entries (flat entry ${p} is not)`,
      );
  return ww.data;
}

/**
 * Element-weighted low-rank approximation: a rank-k X = u vt minimizing
 * sum_ij W_ij (A_ij - X_ij)^2, by alternating weighted least squares (Srebro and Jaakkola,
 * "Weighted low-rank approximations", ICML 2003, section 2): with V fixed each row of u solves
 * (V^T diag(W_i.) V) u_i = V^T diag(W_i.) A_i., then the same for V with u fixed. Each half-step is an
 * exact minimizer, so the objective never increases (tested); singular Gram matrices (rows with
 * fewer than k non-zero weights) get the minimum-norm solution. The problem is non-convex for
 * general W: the result is a local minimum. For weights of rank one use `rowWeightedSvd`, which is
 * exact (and which the ALS reaches, tested). O(nnz(W) k^2 + (m + n) k^3) per sweep; the k x k
 * Grams and solves are short loops (per-row registry calls would cost more than their
 * O(k^3) flops); the initial SVD runs through the registry's gesdd.
 *
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { weightedLowRank } from '@krylov/decompositions';
 * const a = array([[1, 2, 3], [2, 4, 6.5], [3, 6, 9]]);
 * const w = array([[1, 1, 1], [1, 1, 0], [1, 1, 1]]); // ignore a[1][2]
 * const r = weightedLowRank(a, w, 1);
 * console.assert(r.converged && r.objective < 1e-12); // the rank-1 fit matches every weighted entry
 * ```
 * @throws ShapeError when weights' shape differs from a's; InvalidArgumentError for non-finite
 *   entries, negative weights, a rank outside [1, min(m, n)] or a bad option.
 */
export function weightedLowRank<D extends DType>(
  a: NDArray<D>,
  weights: NDArray,
  rank: number,
  options: WeightedLowRankOptions = {},
): WeightedLowRankFactors<D> & LowRankReport {
  const fn = 'weightedLowRank';
  checkOptions(fn, options, WLRA_OPTIONS);
  checkIterationOptions(fn, options);
  const wa = workingCopy(fn, 'a', a);
  const [m, n] = wa.shape;
  const w = weightsArg(fn, weights, m, n);
  const k = checkInteger(fn, 'rank', rank, { min: 1, max: Math.min(m, n) });
  const maxIter = checkInteger(fn, 'options.maxIter', options.maxIter ?? 500, { min: 0 });
  const tol = checkNumber(fn, 'options.tol', options.tol ?? 1e-10, { min: 0 });
  const init = checkChoice(fn, 'options.init', options.init ?? 'svd', ['svd', 'random'] as const);
  const rng = seedOption(fn, options.seed);
  // the entries with non-zero weight, by rows
  const ptr = new Int32Array(m + 1);
  const col: number[] = [];
  const val: number[] = [];
  const wt: number[] = [];
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++)
      if (w[i * n + j] > 0) {
        col.push(j);
        val.push(wa.data[i * n + j]);
        wt.push(w[i * n + j]);
      }
    ptr[i + 1] = col.length;
  }
  const e = entries(m, n, ptr, Int32Array.from(col), Float64Array.from(val), Float64Array.from(wt));
  let v: Float64Array;
  const u = new Float64Array(m * k);
  if (init === 'svd') {
    const wmax = Math.max(0, ...wt);
    const filled = new Float64Array(m * n);
    if (wmax > 0) for (let p = 0; p < m * n; p++) filled[p] = (w[p] / wmax) * wa.data[p];
    const f = leadingSvd(filled, m, n, k);
    v = f.v;
    u.set(f.us);
  } else {
    v = Float64Array.from({ length: n * k }, () => rng.nextNormal());
  }
  const history = [entryObjective(e, u, v, k)];
  let reason: LowRankStopReason = 'maxiter';
  let iterations = 0;
  for (let it = 1; it <= maxIter; it++) {
    if (options.signal?.aborted) {
      reason = 'aborted';
      break;
    }
    iterations = it;
    alsHalf(e, false, v, k, u);
    alsHalf(e, true, u, k, v);
    const f = entryObjective(e, u, v, k);
    const prev = history[history.length - 1];
    history.push(f);
    const stop = prev - f <= tol * prev || f === 0 ? 'converged' : null;
    const asked = progress(options, it, f);
    if (stop || asked) {
      reason = stop ?? asked!;
      break;
    }
  }
  const objective = history[history.length - 1];
  return {
    u: inDTypeOf(view(u, m, k), a),
    vt: inDTypeOf(view(transpose(v, n, k), k, n), a),
    objective,
    ...report(fn, reason, iterations, history),
  };
}

/** Options of `rowWeightedSvd`. */
export interface RowWeightedSvdOptions {
  /** Column weights c (n, non-negative): the weights are W_ij = r_i c_j. Default: all ones. */
  columnWeights?: NDArray;
}

/** A non-negative, finite weight vector of length `len` as float64. */
function weightVector(fn: string, arg: string, x: unknown, len: number): Float64Array {
  if (!isNDArray(x)) throw new InvalidArgumentError(fn, arg, x, 'an NDArray');
  if (x.ndim !== 1 || x.shape[0] !== len)
    throw new ShapeError(fn, arg, `expected a vector of ${len} weights`, x.shape);
  const d = Float64Array.from(x.copy('float64').data);
  for (let i = 0; i < len; i++)
    if (!(d[i] >= 0) || !Number.isFinite(d[i]))
      throw new InvalidArgumentError(fn, arg, d[i], `finite non-negative weights (entry ${i} is not)`);
  return d;
}

/** The closed form for W = r c^T: X = D_r^-1/2 [D_r^1/2 A D_c^1/2]_k D_c^-1/2 (zero weight: zero row/column). */
function separable<D extends DType>(
  a: NDArray<D>,
  wa: Float64Array,
  m: number,
  n: number,
  r: Float64Array,
  c: Float64Array,
  k: number,
): WeightedLowRankFactors<D> & { s: NDArray<'float64'> } {
  const sr = r.map(Math.sqrt);
  const sc = c.map(Math.sqrt);
  const b = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) b[i * n + j] = sr[i] * wa[i * n + j] * sc[j];
  const f = leadingSvd(b, m, n, k);
  const u = f.us;
  for (let i = 0; i < m; i++) for (let t = 0; t < k; t++) u[i * k + t] = sr[i] > 0 ? u[i * k + t] / sr[i] : 0;
  const vt = transpose(f.v, n, k);
  for (let t = 0; t < k; t++)
    for (let j = 0; j < n; j++) vt[t * n + j] = sc[j] > 0 ? vt[t * n + j] / sc[j] : 0;
  // the objective is the discarded energy of the scaled matrix
  const x = mm(u, false, vt, false, new Float64Array(m * n), m, k, n);
  let objective = 0;
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) objective += r[i] * c[j] * (wa[i * n + j] - x[i * n + j]) ** 2;
  return {
    u: inDTypeOf(view(u, m, k), a),
    vt: inDTypeOf(view(vt, k, n), a),
    s: new NDArray(f.s, [k]),
    objective,
  };
}

const ROW_WEIGHTED_SVD_OPTIONS_KEYS = optionKeys<RowWeightedSvdOptions>()('columnWeights');

/**
 * Weighted low-rank approximation for weights of rank one, W_ij = r_i c_j (row weights when the
 * column weights are all ones), in closed form: sum_ij r_i c_j (A - X)_ij^2 =
 * ||D_r^1/2 (A - X) D_c^1/2||_F^2, so by Eckart-Young the optimum is
 * X = D_r^-1/2 [D_r^1/2 A D_c^1/2]_k D_c^-1/2 (Srebro and Jaakkola 2003, section 2; rows or
 * columns of zero weight are set to zero). Exact, not iterative: the global minimum, which
 * `weightedLowRank` reaches on such weights (tested). Returns A ~ u vt and `s`, the singular values
 * kept of the scaled matrix. O(m n min(m, n)) (one registry gesdd).
 *
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { rowWeightedSvd } from '@krylov/decompositions';
 * const a = array([[3, 0], [0, 1]]);
 * // weight 0.01 on row 0: the rank-1 fit keeps row 1 (weighted energy 1 > 0.01 * 9)
 * const f = rowWeightedSvd(a, array([0.01, 1]), 1);
 * console.assert(Math.abs(f.objective - 0.09) < 1e-12);
 * ```
 * @throws ShapeError for weight vectors of the wrong length; InvalidArgumentError for non-finite
 *   entries, negative weights or a rank outside [1, min(m, n)].
 */
export function rowWeightedSvd<D extends DType>(
  a: NDArray<D>,
  rowWeights: NDArray,
  rank: number,
  options: RowWeightedSvdOptions = {},
): WeightedLowRankFactors<D> & { s: NDArray<'float64'> } {
  const fn = 'rowWeightedSvd';
  checkOptions(fn, options, ROW_WEIGHTED_SVD_OPTIONS_KEYS);
  const wa = workingCopy(fn, 'a', a);
  const [m, n] = wa.shape;
  const r = weightVector(fn, 'rowWeights', rowWeights, m);
  const c =
    options.columnWeights === undefined
      ? new Float64Array(n).fill(1)
      : weightVector(fn, 'options.columnWeights', options.columnWeights, n);
  const k = checkInteger(fn, 'rank', rank, { min: 1, max: Math.min(m, n) });
  return separable(a, wa.data, m, n, r, c, k);
}

/**
 * Fisher-weighted SVD, FWSVD (Hsu, Hua, Tang, Shen and Jin, "Language model compression with
 * weighted low-rank factorization", ICLR 2022): compresses a weight matrix A (m x n) of a trained
 * model to rank k, weighting each row by its importance I_i = sum_j F_ij, where F estimates the
 * diagonal of the Fisher information, F_ij = mean over data of (dL/dA_ij)^2 (eq. 4-5 of the paper);
 * the row-weighted problem min ||D_I^1/2 (A - u vt)||_F is then solved in closed form as
 * `rowWeightedSvd` (u = D_I^-1/2 U_k S_k, vt = V_k^T). `fisher` is either that m x n matrix (row
 * sums are taken) or the m row importances. O(m n min(m, n)).
 *
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { fisherWeightedSvd } from '@krylov/decompositions';
 * const a = array([[1, 0, 0], [0, 2, 0], [0, 0, 3]]);
 * // squared gradients say row 0 matters most: it is kept, row 2 (larger but unimportant) is dropped
 * const fisher = array([[9, 9, 9], [1, 1, 1], [0.01, 0.01, 0.01]]);
 * const f = fisherWeightedSvd(a, fisher, 2);
 * console.assert(Math.abs(f.u.get(0, 0) * f.vt.get(0, 0) + f.u.get(0, 1) * f.vt.get(1, 0) - 1) < 1e-12);
 * ```
 * @throws ShapeError when `fisher` is neither m x n nor of length m; InvalidArgumentError for
 *   non-finite or negative entries or a rank outside [1, min(m, n)].
 */
export function fisherWeightedSvd<D extends DType>(
  a: NDArray<D>,
  fisher: NDArray,
  rank: number,
): WeightedLowRankFactors<D> & { s: NDArray<'float64'> } {
  const fn = 'fisherWeightedSvd';
  const wa = workingCopy(fn, 'a', a);
  const [m, n] = wa.shape;
  let r: Float64Array;
  if (isNDArray(fisher) && fisher.ndim === 2) {
    const f = weightsArg(fn, fisher, m, n);
    r = new Float64Array(m);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) r[i] += f[i * n + j];
  } else r = weightVector(fn, 'fisher', fisher, m);
  const k = checkInteger(fn, 'rank', rank, { min: 1, max: Math.min(m, n) });
  return separable(a, wa.data, m, n, r, new Float64Array(n).fill(1), k);
}
