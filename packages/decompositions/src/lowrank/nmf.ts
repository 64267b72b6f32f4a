import {
  type CsrOperand,
  type DType,
  InvalidArgumentError,
  NDArray,
  type SeedLike,
  ShapeError,
  checkBoolean,
  checkChoice,
  checkInteger,
  checkNumber,
  checkOptions,
} from '@krylov/core-array';
import { checkMatrix } from '../util/validate.js';
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
  seedOption,
} from './common.js';
import {
  EPS32,
  type NmfData,
  betaDivergence,
  colSums,
  modelOnPattern,
  nmfData,
  patternValues,
  xTimes,
} from './nmf-data.js';
import { type NmfInit, initialize } from './nmf-init.js';

export type { NmfInit } from './nmf-init.js';

/** Options of `nmf`: scikit-learn 1.2's `NMF` / `non_negative_factorization`, in camelCase. */
export interface NmfOptions extends LowRankIterationOptions {
  /** k, the number of components. Default: the number of columns (scikit-learn's None), or H's rows with `init: 'custom'`. */
  nComponents?: number;
  /**
   * Default: 'nndsvda' when k <= min(m, n), else 'random' (scikit-learn >= 1.1). 'custom' starts
   * from `W` and `H`.
   */
  init?: NmfInit | 'custom';
  /** Initial W (m x k) for `init: 'custom'`. */
  W?: NDArray;
  /** Initial H (k x n) for `init: 'custom'`, or the fixed H when `updateH: false`. */
  H?: NDArray;
  /** 'cd' (coordinate descent / HALS, Frobenius only; default) or 'mu' (multiplicative updates). */
  solver?: 'cd' | 'mu';
  /** beta of the beta-divergence: 'frobenius' (2, default), 'kullback-leibler' (1), 'itakura-saito' (0) or a number ('mu' only unless 2). */
  betaLoss?: 'frobenius' | 'kullback-leibler' | 'itakura-saito' | number;
  /** Tolerance of the stopping test (see `nmf`). Default 1e-4. */
  tol?: number;
  /** Iteration limit. Default 200. */
  maxIter?: number;
  /** Seed of 'random', 'nndsvdar', the randomized SVD of NNDSVD and `shuffle`. Default 0. */
  seed?: SeedLike;
  /** Regularization strength of W (scaled by n, as scikit-learn 1.2). Default 0. */
  alphaW?: number;
  /** Regularization strength of H (scaled by m), or 'same' as alphaW (default). */
  alphaH?: number | 'same';
  /** Share of L1 in the regularization, in [0, 1]. Default 0 (pure L2). */
  l1Ratio?: number;
  /** Visit the coordinates of 'cd' in a random order. Default false. */
  shuffle?: boolean;
  /** Update H too (default true); false solves for W with H fixed (scikit-learn's `transform`). */
  updateH?: boolean;
  /**
   * The SVD behind NNDSVD: 'randomized' (scikit-learn's choice; default) or 'exact' (the gesdd
   * kernel on a dense copy, O(m n min(m, n))).
   */
  svdSolver?: 'randomized' | 'exact';
}

const NMF_OPTIONS = [
  'nComponents',
  'init',
  'W',
  'H',
  'solver',
  'betaLoss',
  'tol',
  'maxIter',
  'seed',
  'alphaW',
  'alphaH',
  'l1Ratio',
  'shuffle',
  'updateH',
  'svdSolver',
  ...ITERATION_OPTIONS,
] as const satisfies readonly (keyof NmfOptions)[];

/** The result of `nmf`: X ~ W H with W, H >= 0, and how the iteration went. */
export interface NmfResult<D extends 'float64' | 'float32' = 'float64' | 'float32'> extends LowRankReport {
  /** m x k, non-negative. */
  W: NDArray<D>;
  /** k x n, non-negative. */
  H: NDArray<D>;
  /** scikit-learn's `reconstruction_err_`: sqrt(2 D_beta(X | W H)), ||X - W H||_F for 'frobenius'. */
  reconstructionError: number;
  /** The initialization used ('custom' for given W and H). */
  init: NmfInit | 'custom';
  /**
   * The KKT residual at exit, sqrt(||min(W, grad_W f)||_F^2 + ||min(H, grad_H f)||_F^2) of the
   * regularized objective f (0 exactly at a stationary point of the constrained problem; the H
   * term is left out with `updateH: false`), and `kktResidualInit`, the same at the starting point.
   */
  kktResidual: number;
  kktResidualInit: number;
}

interface Reg {
  l1: number;
  l2: number;
}

/** The numerator and denominator of the multiplicative update of one factor (their difference is the gradient). */
function muParts(
  x: NmfData,
  beta: number,
  w: Float64Array,
  ht: Float64Array,
  k: number,
  side: 'W' | 'H',
  reg: Reg,
): { num: Float64Array; den: Float64Array; p?: Float64Array; g?: Float64Array } {
  const { m, n } = x;
  const t = side === 'H';
  const [a, b, rows, other] = t ? [ht, w, n, m] : [w, ht, m, n];
  const num = new Float64Array(rows * k);
  let den: Float64Array;
  let g: Float64Array | undefined;
  if (beta === 2) {
    xTimes(x, t, b, k, num);
    g = mm(b, true, b, false, new Float64Array(k * k), k, other, k);
    den = mm(a, false, g, false, new Float64Array(rows * k), rows, k, k);
  } else {
    const whx = modelOnPattern(x, w, ht, k);
    const xv = patternValues(x);
    const y = new Float64Array(whx.length);
    for (let p = 0; p < y.length; p++) {
      const v = beta < 2 && whx[p] === 0 ? EPS32 : whx[p];
      y[p] = beta === 1 ? xv[p] / v : beta === 0 ? xv[p] / (v * v) : xv[p] * v ** (beta - 2);
    }
    xTimes(x, t, b, k, num, y);
    den = new Float64Array(rows * k);
    if (beta === 1) {
      const s = colSums(b, other, k);
      if (t) for (let r = 0; r < k; r++) if (s[r] === 0) s[r] = 1;
      for (let i = 0; i < rows; i++) den.set(s, i * k);
    } else {
      // (W H)^(beta - 1) times the other factor, one row (column) of W H at a time
      const line = new Float64Array(other);
      for (let i = 0; i < rows; i++) {
        mm(a.subarray(i * k, i * k + k), false, b, true, line, 1, k, other);
        for (let j = 0; j < other; j++) {
          const v = beta < 1 && line[j] === 0 ? EPS32 : line[j];
          line[j] = v ** (beta - 1);
        }
        mm(line, false, b, false, den.subarray(i * k, i * k + k), 1, other, k);
      }
    }
  }
  if (reg.l1 > 0) for (let p = 0; p < den.length; p++) den[p] += reg.l1;
  if (reg.l2 > 0) for (let p = 0; p < den.length; p++) den[p] += reg.l2 * a[p];
  return { num, den, p: beta === 2 ? num : undefined, g };
}

/** One multiplicative update of W or H in place (Lee and Seung 2001; Fevotte and Idier 2011 for general beta). */
function muStep(
  x: NmfData,
  beta: number,
  gamma: number,
  w: Float64Array,
  ht: Float64Array,
  k: number,
  side: 'W' | 'H',
  reg: Reg,
) {
  const parts = muParts(x, beta, w, ht, k, side, reg);
  const a = side === 'W' ? w : ht;
  const { num, den } = parts;
  for (let p = 0; p < a.length; p++) {
    const d = den[p] === 0 ? EPS32 : den[p];
    const delta = num[p] / d;
    a[p] *= gamma === 1 ? delta : delta ** gamma;
  }
  const floor = side === 'W' ? beta < 1 : beta <= 1;
  if (floor) for (let p = 0; p < a.length; p++) if (a[p] < 2 ** -52) a[p] = 0;
  return parts;
}

/**
 * One sweep of coordinate descent over the factor of `side` (Cichocki and Phan 2009, HALS; the
 * `_update_cdnmf_fast` loop of scikit-learn): returns the projected-gradient violation and the
 * products P = X B and G = B^T B of the fixed factor B, reused for the objective.
 */
function cdStep(
  x: NmfData,
  w: Float64Array,
  ht: Float64Array,
  k: number,
  side: 'W' | 'H',
  reg: Reg,
  perm: Int32Array,
) {
  const t = side === 'H';
  const [a, b, rows, other] = t ? [ht, w, x.n, x.m] : [w, ht, x.m, x.n];
  const g = mm(b, true, b, false, new Float64Array(k * k), k, other, k);
  const p = xTimes(x, t, b, k, new Float64Array(rows * k));
  let violation = 0;
  for (let s = 0; s < k; s++) {
    const c = perm[s];
    const hess = g[c * k + c] + reg.l2;
    for (let i = 0; i < rows; i++) {
      const ai = i * k;
      let grad = reg.l1 - p[ai + c] + reg.l2 * a[ai + c];
      for (let r = 0; r < k; r++) grad += g[c * k + r] * a[ai + r];
      const v = a[ai + c];
      violation += Math.abs(v === 0 ? Math.min(0, grad) : grad);
      if (hess !== 0) a[ai + c] = Math.max(v - grad / hess, 0);
    }
  }
  return { violation, p, g };
}

/** 0.5 ||X - W H||_F^2 from P = X B and G = B^T B of the fixed factor and the updated one, A. */
function frobeniusFromProducts(
  x: NmfData,
  a: Float64Array,
  rows: number,
  k: number,
  p: Float64Array,
  g: Float64Array,
) {
  let cross = 0;
  for (let q = 0; q < a.length; q++) cross += a[q] * p[q];
  const ata = mm(a, true, a, false, new Float64Array(k * k), k, rows, k);
  let model = 0;
  for (let q = 0; q < k * k; q++) model += ata[q] * g[q];
  return Math.max(0, (x.norm2 - 2 * cross + model) / 2);
}

function regularization(w: Float64Array, ht: Float64Array, rw: Reg, rh: Reg): number {
  let s = 0;
  for (const [a, r] of [
    [w, rw],
    [ht, rh],
  ] as const) {
    if (r.l1 === 0 && r.l2 === 0) continue;
    let l1 = 0;
    let l2 = 0;
    for (const v of a) {
      l1 += v;
      l2 += v * v;
    }
    s += r.l1 * l1 + 0.5 * r.l2 * l2;
  }
  return s;
}

function kkt(
  x: NmfData,
  beta: number,
  w: Float64Array,
  ht: Float64Array,
  k: number,
  rw: Reg,
  rh: Reg,
  updateH: boolean,
) {
  let s = 0;
  for (const side of updateH ? (['W', 'H'] as const) : (['W'] as const)) {
    const { num, den } = muParts(x, beta, w, ht, k, side, side === 'W' ? rw : rh);
    const a = side === 'W' ? w : ht;
    for (let p = 0; p < a.length; p++) s += Math.min(a[p], den[p] - num[p]) ** 2;
  }
  return Math.sqrt(s);
}

function nonNegativeFactor(fn: string, arg: string, a: unknown, shape: [number, number]): Float64Array {
  checkMatrix(fn, arg, a);
  if (a.shape[0] !== shape[0] || a.shape[1] !== shape[1])
    throw new ShapeError(fn, arg, `expected ${shape[0]} x ${shape[1]}`, a.shape);
  const d = Float64Array.from(a.copy('float64').data);
  for (let p = 0; p < d.length; p++)
    if (!(Number.isFinite(d[p]) && d[p] >= 0))
      throw new InvalidArgumentError(
        fn,
        arg,
        `a matrix with ${arg}[${Math.floor(p / shape[1])}, ${p % shape[1]}] = ${d[p]}`,
        'finite, non-negative entries',
      );
  return d;
}

function transpose(a: Float64Array, rows: number, cols: number): Float64Array {
  const t = new Float64Array(a.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = a[i * cols + j];
  return t;
}

const BETA: Record<string, number> = { frobenius: 2, 'kullback-leibler': 1, 'itakura-saito': 0 };

/**
 * Non-negative matrix factorization X ~ W H (W m x k, H k x n, both >= 0), minimizing the
 * beta-divergence D_beta(X | W H) plus the elementwise L1/L2 penalties of scikit-learn 1.2:
 *
 *   f(W, H) = D_beta(X | W H) + n alphaW (l1Ratio |W|_1 + (1 - l1Ratio)/2 ||W||_F^2)
 *                             + m alphaH (l1Ratio |H|_1 + (1 - l1Ratio)/2 ||H||_F^2).
 *
 * Solvers, as scikit-learn's `NMF` (same defaults, same stopping rules, same iteration counts from
 * the same start):
 * - 'cd' (default): cyclic coordinate descent on W then H, i.e. HALS (Cichocki and Phan, "Fast
 *   local algorithms for large scale nonnegative matrix and tensor factorizations", IEICE 2009);
 *   Frobenius loss only. Stops when the projected-gradient violation of an iteration falls to
 *   `tol` times that of the first.
 * - 'mu': multiplicative updates (Lee and Seung, "Algorithms for non-negative matrix
 *   factorization", NIPS 2001) for any beta, with Fevotte and Idier's exponent gamma for beta
 *   outside [1, 2] ("Algorithms for nonnegative matrix factorization with the beta-divergence",
 *   Neural Computation 2011), which makes every update non-increasing. Every 10 iterations, stops
 *   when the error sqrt(2 D_beta) dropped by less than `tol` times its initial value.
 *
 * Initializations: 'random', and NNDSVD (Boutsidis and Gallopoulos, "SVD based initialization: a
 * head start for nonnegative matrix factorization", Pattern Recognition 2008) with its 'a'/'ar'
 * variants; NNDSVD is deterministic given the SVD. X may be a dense NDArray or a CSR operand
 * (`{shape, indptr, indices, data}`, e.g. `@krylov/solvers`' CSRMatrix): products with a CSR X
 * cost O(nnz k) and, for beta != 2, the model is evaluated on X's stored entries only (the
 * general-beta denominator builds W H one row at a time). Computed in float64; W and H come back
 * in X's dtype. Dense products run through the registry's gemm kernel. Cost per iteration
 * O(m n k) dense, O(nnz k + (m + n) k^2) sparse Frobenius.
 *
 * The report's `objectiveHistory` holds f at the start and after every iteration for beta = 2
 * (from products the update already formed), every 10 iterations otherwise; `onProgress` gets
 * it (NaN on the iterations where it is not evaluated). In this synchronous function an
 * AbortSignal is checked before each iteration, so only an abort triggered from `onProgress`
 * can take effect before it returns. The default seed is 0 (scikit-learn's `None` draws fresh
 * entropy); random draws use core-array's generator, so 'random', 'nndsvdar' and `shuffle` do not
 * reproduce NumPy's numbers.
 *
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { nmf } from '@krylov/decompositions';
 * const x = array([[1, 1, 2], [2, 1, 3], [3, 1.2, 4], [4, 1, 5], [5, 0.8, 6]]);
 * const { W, H, reconstructionError, iterations } = nmf(x, { nComponents: 2, init: 'nndsvd' });
 * // W: 5 x 2, H: 2 x 3, both >= 0; reconstructionError = ||X - W H||_F (small)
 * ```
 * @throws InvalidArgumentError for a negative or non-finite entry of X (naming the first), an
 *   unknown option, a solver/loss pair scikit-learn refuses ('cd' with beta != 2), beta <= 0 with
 *   zeros in X, an NNDSVD init with k > min(m, n), or bad custom factors; ShapeError for a
 *   non-matrix X or mis-shaped W/H; DTypeError for a non-float X.
 */
export function nmf<D extends DType>(x: NDArray<D> | CsrOperand, options?: NmfOptions): NmfResult {
  const fn = 'nmf';
  checkOptions(fn, options, NMF_OPTIONS);
  const o = options ?? {};
  checkIterationOptions(fn, o);
  const sparse = isCsr(x);
  if (!sparse && !(x instanceof NDArray))
    throw new InvalidArgumentError(fn, 'x', x, 'an NDArray or a CSR matrix');
  const data = nmfData(fn, x, sparse);
  const { m, n } = data;
  if (m === 0 || n === 0) throw new ShapeError(fn, 'x', 'expected a non-empty matrix', [m, n]);
  const solver = checkChoice(fn, 'options.solver', o.solver ?? 'cd', ['cd', 'mu'] as const);
  const lossArg = o.betaLoss ?? 'frobenius';
  const beta =
    typeof lossArg === 'number'
      ? checkNumber(fn, 'options.betaLoss', lossArg)
      : BETA[
          checkChoice(fn, 'options.betaLoss', lossArg, [
            'frobenius',
            'kullback-leibler',
            'itakura-saito',
          ] as const)
        ];
  if (solver === 'cd' && beta !== 2)
    throw new InvalidArgumentError(
      fn,
      'options.betaLoss',
      lossArg,
      "'frobenius' (2) with solver 'cd'; use solver 'mu' for other losses",
    );
  if (beta <= 0 && data.min === 0)
    throw new InvalidArgumentError(
      fn,
      'x',
      'a matrix with zeros',
      'positive entries when betaLoss <= 0 (the updates divide by W H); add a small constant',
    );
  const tol = checkNumber(fn, 'options.tol', o.tol ?? 1e-4, { min: 0 });
  const maxIter = checkInteger(fn, 'options.maxIter', o.maxIter ?? 200, { min: 1 });
  const alphaW = checkNumber(fn, 'options.alphaW', o.alphaW ?? 0, { min: 0 });
  const alphaH =
    o.alphaH === undefined || o.alphaH === 'same'
      ? alphaW
      : checkNumber(fn, 'options.alphaH', o.alphaH, { min: 0 });
  const l1Ratio = checkNumber(fn, 'options.l1Ratio', o.l1Ratio ?? 0, { min: 0, max: 1 });
  const shuffle = checkBoolean(fn, 'options.shuffle', o.shuffle ?? false);
  const updateH = checkBoolean(fn, 'options.updateH', o.updateH ?? true);
  const svdSolver = checkChoice(fn, 'options.svdSolver', o.svdSolver ?? 'randomized', [
    'randomized',
    'exact',
  ] as const);
  const rng = seedOption(fn, o.seed);
  let init =
    o.init === undefined
      ? undefined
      : checkChoice(fn, 'options.init', o.init, [
          'random',
          'nndsvd',
          'nndsvda',
          'nndsvdar',
          'custom',
        ] as const);
  const hGiven = o.H !== undefined;
  if ((o.W !== undefined || hGiven) && init !== 'custom' && updateH)
    throw new InvalidArgumentError(
      fn,
      'options.W',
      o.W ?? o.H,
      "W and H only with init: 'custom' (or H with updateH: false)",
    );
  const k =
    o.nComponents !== undefined
      ? checkInteger(fn, 'options.nComponents', o.nComponents, { min: 1 })
      : hGiven && o.H instanceof NDArray && o.H.ndim === 2
        ? o.H.shape[0]
        : n;
  if (k < 1) throw new InvalidArgumentError(fn, 'options.nComponents', k, 'an integer >= 1');
  const rw: Reg = { l1: n * alphaW * l1Ratio, l2: n * alphaW * (1 - l1Ratio) };
  const rh: Reg = { l1: m * alphaH * l1Ratio, l2: m * alphaH * (1 - l1Ratio) };

  let w: Float64Array;
  let ht: Float64Array;
  if (!updateH) {
    if (!hGiven)
      throw new InvalidArgumentError(fn, 'options.H', undefined, 'the fixed H (k x n) when updateH is false');
    ht = transpose(nonNegativeFactor(fn, 'options.H', o.H, [k, n]), k, n);
    w = new Float64Array(m * k).fill(solver === 'mu' ? Math.sqrt(data.sum / (m * n) / k) : 0);
    init = 'custom';
  } else if (init === 'custom') {
    if (o.W === undefined || !hGiven)
      throw new InvalidArgumentError(
        fn,
        'options.W',
        o.W,
        "both W (m x k) and H (k x n) with init: 'custom'",
      );
    w = nonNegativeFactor(fn, 'options.W', o.W, [m, k]);
    ht = transpose(nonNegativeFactor(fn, 'options.H', o.H, [k, n]), k, n);
  } else {
    init ??= k <= Math.min(m, n) ? 'nndsvda' : 'random';
    if (init !== 'random' && k > Math.min(m, n))
      throw new InvalidArgumentError(
        fn,
        'options.init',
        init,
        `'random' when nComponents (${k}) > min(m, n) = ${Math.min(m, n)}`,
      );
    ({ w, ht } = initialize(data, k, init, svdSolver, rng));
  }

  const objective = (div: number) => div + regularization(w, ht, rw, rh);
  const div0 = betaDivergence(data, w, ht, k, beta);
  const history = [objective(div0)];
  const kktInit = kkt(data, beta, w, ht, k, rw, rh, updateH);
  const perm = Int32Array.from({ length: k }, (_, i) => i);
  let reason: LowRankStopReason = 'maxiter';
  let iterations = 0;
  const gamma = beta < 1 ? 1 / (2 - beta) : beta > 2 ? 1 / (beta - 1) : 1;
  const errInit = Math.sqrt(2 * Math.max(div0, 0));
  let previous = errInit;
  let violationInit = 0;
  for (let it = 1; it <= maxIter; it++) {
    if (o.signal?.aborted) {
      reason = 'aborted';
      break;
    }
    iterations = it;
    let f = Number.NaN;
    let stop: LowRankStopReason | null = null;
    if (solver === 'cd') {
      if (shuffle) rng.shuffle(perm);
      const sw = cdStep(data, w, ht, k, 'W', rw, perm);
      let violation = sw.violation;
      let last = { a: w, rows: m, ...sw };
      if (updateH) {
        if (shuffle) rng.shuffle(perm);
        const sh = cdStep(data, w, ht, k, 'H', rh, perm);
        violation += sh.violation;
        last = { a: ht, rows: n, ...sh };
      }
      f = objective(frobeniusFromProducts(data, last.a, last.rows, k, last.p, last.g));
      if (it === 1) violationInit = violation;
      if (violationInit === 0 || violation / violationInit <= tol) stop = 'converged';
    } else {
      let parts = muStep(data, beta, gamma, w, ht, k, 'W', rw);
      let last = { a: w, rows: m };
      if (updateH) {
        parts = muStep(data, beta, gamma, w, ht, k, 'H', rh);
        last = { a: ht, rows: n };
      }
      let div = Number.NaN;
      if (beta === 2) div = frobeniusFromProducts(data, last.a, last.rows, k, parts.p!, parts.g!);
      else if (it % 10 === 0) div = betaDivergence(data, w, ht, k, beta);
      f = objective(div);
      if (tol > 0 && it % 10 === 0) {
        const error = Math.sqrt(2 * Math.max(div, 0));
        if (errInit === 0 || (previous - error) / errInit < tol) stop = 'converged';
        previous = error;
      }
    }
    if (!Number.isNaN(f)) history.push(f);
    const asked = progress(o, it, f);
    if (stop || asked) {
      reason = stop ?? asked!;
      break;
    }
  }
  const divEnd = betaDivergence(data, w, ht, k, beta);
  const kktEnd = kkt(data, beta, w, ht, k, rw, rh, updateH);
  const dtype = data.float32 ? 'float32' : 'float64';
  const rep = report(
    fn,
    reason,
    iterations,
    history,
    `KKT residual ${kktEnd.toExponential(2)} (${kktInit.toExponential(2)} at the start)`,
  );
  return {
    W: new NDArray(w, [m, k]).astype(dtype),
    H: new NDArray(transpose(ht, n, k), [k, n]).astype(dtype),
    reconstructionError: Math.sqrt(2 * Math.max(divEnd, 0)),
    init: init!,
    kktResidual: kktEnd,
    kktResidualInit: kktInit,
    ...rep,
  };
}

/**
 * The beta-divergence D_beta(X | W H) as scikit-learn's `_beta_divergence` (half the squared
 * Frobenius norm for beta = 2 or 'frobenius', generalized KL for 1, Itakura-Saito for 0); entries
 * with X <= 2^-23 drop out of the X terms and zeros of W H are floored at 2^-23 there, as in
 * scikit-learn. X dense or CSR. O(m n k) dense.
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { nmfBetaDivergence } from '@krylov/decompositions';
 * const x = array([[1, 2], [2, 4]]);
 * const w = array([[1], [2]]);
 * const h = array([[1, 2]]); // w h = x exactly
 * console.assert(nmfBetaDivergence(x, w, h, 'kullback-leibler') < 1e-12, 'exact factorization');
 * ```
 * @throws as `nmf` for X; ShapeError for mis-shaped W or H.
 */
export function nmfBetaDivergence(
  x: NDArray | CsrOperand,
  W: NDArray,
  H: NDArray,
  beta: NmfOptions['betaLoss'] = 'frobenius',
): number {
  const fn = 'nmfBetaDivergence';
  const data = nmfData(fn, x, isCsr(x));
  const b =
    typeof beta === 'number'
      ? checkNumber(fn, 'beta', beta)
      : BETA[checkChoice(fn, 'beta', beta, ['frobenius', 'kullback-leibler', 'itakura-saito'] as const)];
  checkMatrix(fn, 'W', W);
  const k = W.shape[1];
  const w = nonNegativeFactor(fn, 'W', W, [data.m, k]);
  const ht = transpose(nonNegativeFactor(fn, 'H', H, [k, data.n]), k, data.n);
  return betaDivergence(data, w, ht, k, b);
}
