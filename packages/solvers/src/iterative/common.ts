import {
  InvalidArgumentError,
  type NDArray,
  ShapeError,
  checkFunction,
  checkInteger,
  checkNumber,
  checkOptions,
} from '@krylov/core-array';
import { type LinearOperator, type OperatorLike, aslinearoperator } from '../operator.js';
import { checkSymmetricMatrix } from '../sparse/symmetry.js';
import { type VectorLike, asNDArray, norm2, toVector } from '../vector.js';

/**
 * A preconditioner M ~ A^-1 (SciPy's convention for `M`): `apply` writes M r into `out`. A
 * preconditioner for CG or MINRES must be symmetric positive definite and fixed; only flexible
 * GMRES accepts one that changes between applications (an inner iterative solve).
 */
export interface Preconditioner {
  readonly name: string;
  readonly size: number;
  apply(r: Float64Array, out: Float64Array): void;
}

/** Why an iteration stopped. */
export type StopReason =
  | 'converged'
  | 'maxiter'
  | 'breakdown'
  | 'indefinite'
  | 'conlim'
  | 'aborted'
  | 'callback';

/**
 * The progress payload of every iterative solver (`onProgress`), after each iteration. The
 * fraction done is not known in advance for an iterative solve, so it is not reported.
 */
export interface IterationInfo {
  iteration: number;
  /** ||b - A x|| (or the solver's running estimate of it, as SciPy's callbacks). */
  residualNorm: number;
  /** The current iterate (read-only view; copy it to keep it). */
  x: Float64Array;
}

/** What `onProgress` may return: `false` stops the solve with reason 'callback'. */
export type ProgressHook = (info: IterationInfo) => boolean | undefined | void;

/**
 * A solver written once as a step program: it yields after every iteration and returns the
 * result. `runToEnd` drives it for the sync form, core-array's `drive` (time-sliced, yielding to
 * the event loop) for the async form.
 */
export type SolveProgram<R extends SolveResult = SolveResult> = Generator<void, R, void>;

/** Options shared by the iterative linear solvers (SciPy's names and defaults where SciPy has them). */
export interface IterativeOptions {
  /** Initial guess (default zero). */
  x0?: VectorLike;
  /** Relative tolerance: stop when ||b - A x|| <= max(atol, rtol ||b||). Default 1e-5 (SciPy). */
  rtol?: number;
  /** Absolute tolerance. Default 0. */
  atol?: number;
  /** Iteration limit (solver-specific default). */
  maxiter?: number;
  /** Preconditioner M ~ A^-1: a Preconditioner or anything aslinearoperator accepts. */
  M?: Preconditioner | OperatorLike;
  /** Called after every iteration; returning `false` stops the solve (reason 'callback'). */
  onProgress?: ProgressHook;
  /** @deprecated The old name of `onProgress` (same payload and return convention). */
  callback?: ProgressHook;
  /**
   * Checked after every iteration: an aborted signal stops the solve with reason 'aborted' and the
   * partial iterate and history. In the sync form (`cg`) nothing else runs during the solve, so
   * only an abort made from `onProgress` (or an already aborted signal) can stop it; a timer such as
   * `AbortSignal.timeout(50)` fires only in the async form (`cgAsync`), which yields to the event
   * loop every few milliseconds.
   */
  signal?: AbortSignal;
}

/** Options of the solvers that assume a symmetric A (`cg`, `minres`, `RecyclingCG.solve`). */
export interface SymmetricIterativeOptions extends IterativeOptions {
  /**
   * Check that a dense or sparse A is symmetric (relative asymmetry <= sqrt(eps), core-array's rule;
   * O(n^2) dense, O(nnz) sparse, about one matvec) and throw an InvalidArgumentError if not. Default
   * true. A LinearOperator cannot be checked and is trusted. SciPy does not check.
   */
  checkSymmetry?: boolean;
}

/** The result of an iterative solve: the solution and a report of how it went. */
export interface SolveResult {
  x: NDArray<'float64'>;
  converged: boolean;
  reason: StopReason;
  /** A sentence for logs: what happened and, for failures, why. */
  message: string;
  iterations: number;
  /** The final residual norm (true ||b - A x|| recomputed at exit). */
  residualNorm: number;
  /** Residual norm before the first iteration and after each one (the solver's recurrence). */
  residualHistory: number[];
}

export const COMMON_OPTIONS = [
  'x0',
  'rtol',
  'atol',
  'maxiter',
  'M',
  'onProgress',
  'callback',
  'signal',
] as const;

/** The validated problem every solver starts from. */
export interface Problem {
  fn: string;
  A: LinearOperator;
  b: Float64Array;
  x: Float64Array;
  n: number;
  bnorm: number;
  /** max(atol, rtol ||b||) */
  tol: number;
  maxiter: number;
  M: ((r: Float64Array, out: Float64Array) => void) | null;
  history: number[];
  options: IterativeOptions;
  /** The starting guess (a copy): no non-converged exit returns an iterate worse than it. */
  x0: Float64Array;
  /** Whether `finish` compares the returned x with x0 and the best tracked iterate (square solves). */
  guard: boolean;
  /** The iterate of smallest reported residual so far, when the solver tracks one (`trackBest`). */
  best: Float64Array | null;
  bestNorm: number;
  /** MINRES's shift: the system solved is (A - shift I) x = b, and residuals are measured for it. */
  shift: number;
}

/** Validates `onProgress` / `callback` (not both) and `signal`. */
export function checkProgress(
  fn: string,
  o: { onProgress?: unknown; callback?: unknown; signal?: unknown },
): void {
  if (o.onProgress !== undefined) checkFunction(fn, 'options.onProgress', o.onProgress);
  if (o.callback !== undefined) checkFunction(fn, 'options.callback', o.callback);
  if (o.onProgress !== undefined && o.callback !== undefined)
    throw new InvalidArgumentError(
      fn,
      'options.callback',
      o.callback,
      'onProgress or its deprecated alias callback, not both',
    );
  if (o.signal !== undefined && typeof (o.signal as { aborted?: unknown })?.aborted !== 'boolean')
    throw new InvalidArgumentError(fn, 'options.signal', o.signal, 'an AbortSignal');
}

function nonNegative(fn: string, arg: string, v: unknown, fallback: number): number {
  if (v === undefined) return fallback;
  return checkNumber(fn, `options.${arg}`, v, { min: 0 });
}

/**
 * Validates A, b and the options of a square solve.
 * @throws ShapeError (non-square A, wrong lengths), InvalidArgumentError (NaN in b or x0, bad tolerances).
 */
export function setup(
  fn: string,
  a: OperatorLike,
  b: VectorLike,
  options: IterativeOptions | undefined,
  how: {
    allowed: readonly string[];
    maxiter: (shape: readonly [number, number]) => number;
    square?: boolean;
    /** A must be symmetric: dense and sparse A are checked unless `checkSymmetry: false`. */
    symmetric?: boolean;
  },
): Problem {
  checkOptions(fn, options, how.allowed);
  const square = how.square ?? true;
  const o = options ?? {};
  const A = aslinearoperator(a);
  const [m, n] = A.shape;
  if (square && m !== n) throw new ShapeError(fn, 'A', 'expected a square operator', A.shape);
  if (how.symmetric) checkSymmetricMatrix(fn, 'A', a, (o as SymmetricIterativeOptions).checkSymmetry);
  const bv = toVector(fn, 'b', b, m);
  const x = o.x0 === undefined ? new Float64Array(n) : toVector(fn, 'x0', o.x0, n);
  const rtol = nonNegative(fn, 'rtol', o.rtol, 1e-5);
  const atol = nonNegative(fn, 'atol', o.atol, 0);
  const maxiter =
    o.maxiter === undefined
      ? how.maxiter(A.shape)
      : checkInteger(fn, 'options.maxiter', o.maxiter, { min: 0 });
  checkProgress(fn, o);
  const bnorm = norm2(bv);
  return {
    fn,
    A,
    b: bv,
    x,
    n,
    bnorm,
    tol: Math.max(atol, rtol * bnorm),
    maxiter,
    M: o.M === undefined ? null : preconditionerApply(fn, o.M, n),
    history: [],
    options: o,
    x0: x.slice(),
    guard: square,
    best: null,
    bestNorm: Number.POSITIVE_INFINITY,
    shift: 0,
  };
}

/**
 * Makes `step` keep a copy of the iterate with the smallest reported residual, for solvers whose
 * residual is not monotone (CG, BiCGSTAB) and whose `p.x` is current when `step` runs.
 */
export function trackBest(p: Problem): void {
  p.best = p.x.slice();
  p.bestNorm = p.history[0] ?? Number.POSITIVE_INFINITY;
}

/**
 * SciPy's rule for b = 0: the solution is x = 0, returned at once (converged, 0 iterations)
 * whatever x0 was. Returns null when b != 0.
 */
export function zeroRhs(p: Problem): SolveResult | null {
  if (p.bnorm !== 0) return null;
  p.x.fill(0);
  p.history.push(0);
  return finish(p, 'converged', 0);
}

function preconditionerApply(fn: string, M: Preconditioner | OperatorLike, n: number) {
  if (typeof (M as Preconditioner).apply === 'function' && 'size' in M) {
    const p = M as Preconditioner;
    if (p.size !== n) throw new ShapeError(fn, 'M', `expected a preconditioner of size ${n}`, [p.size]);
    return (r: Float64Array, out: Float64Array) => p.apply(r, out);
  }
  const op = aslinearoperator(M as OperatorLike);
  if (op.shape[0] !== n || op.shape[1] !== n) throw new ShapeError(fn, 'M', `expected ${n} x ${n}`, op.shape);
  return (r: Float64Array, out: Float64Array) => void op.matvec(r, out);
}

/**
 * Reports one finished iteration: records the residual, runs `onProgress` and checks the abort
 * signal. Returns the reason to stop early, if any.
 */
export function step(p: Problem, iteration: number, residualNorm: number): StopReason | null {
  p.history.push(residualNorm);
  if (p.best && residualNorm < p.bestNorm) {
    p.best.set(p.x);
    p.bestNorm = residualNorm;
  }
  const { onProgress, callback, signal } = p.options;
  const hook = onProgress ?? callback;
  if (hook && hook({ iteration, residualNorm, x: p.x }) === false) return 'callback';
  if (signal?.aborted) return 'aborted';
  return null;
}

const MESSAGES: Record<StopReason, string> = {
  converged: 'converged',
  maxiter: 'reached maxiter without meeting the tolerance',
  breakdown: 'broke down',
  indefinite:
    'met a direction of non-positive curvature: the operator (or preconditioner) is not positive definite',
  conlim: 'stopped because the condition estimate of A exceeded conlim',
  aborted: 'aborted by the signal',
  callback: 'stopped by onProgress (it returned false)',
};

function trueResidual(p: Problem, x: Float64Array): number {
  const r = p.A.matvec(x);
  for (let i = 0; i < r.length; i++) r[i] = p.b[i] - r[i];
  // only square (MINRES) problems have a shift; a least-squares x is shorter than r
  if (p.shift !== 0) for (let i = 0; i < r.length; i++) r[i] += p.shift * x[i];
  return norm2(r);
}

/**
 * Builds the result, recomputing the true residual norm of the returned x. On a non-converged exit
 * of a square solve, x is the best of the last iterate, the best tracked one and x0 by true
 * residual (a NaN residual counts as worst): no failure returns an x worse than the caller's start.
 */
export function finish(p: Problem, reason: StopReason, iterations: number, detail = ''): SolveResult {
  let residualNorm = trueResidual(p, p.x);
  if (reason !== 'converged' && p.guard) {
    const candidates: [Float64Array, string][] = [];
    if (p.best) candidates.push([p.best, 'the iterate of smallest residual']);
    candidates.push([p.x0, 'x0 (no iterate improved on it)']);
    // Worst: an x with NaN/Inf entries; then a NaN residual; otherwise the smaller residual wins.
    const rank = (v: Float64Array, rn: number) => (!v.every(Number.isFinite) ? 2 : Number.isNaN(rn) ? 1 : 0);
    let chosen = '';
    let current = rank(p.x, residualNorm);
    for (const [cand, label] of candidates) {
      const rn = trueResidual(p, cand);
      const r = rank(cand, rn);
      if (r < current || (r === current && rn < residualNorm)) {
        p.x.set(cand);
        residualNorm = rn;
        current = r;
        chosen = label;
      }
    }
    if (chosen) detail = `${detail ? `${detail}; ` : ''}returned ${chosen}`;
  }
  return {
    x: asNDArray(p.x),
    converged: reason === 'converged',
    reason,
    message: `${p.fn}: ${MESSAGES[reason]} after ${iterations} iterations (||r|| = ${residualNorm.toExponential(3)}, target ${p.tol.toExponential(3)})${detail ? `; ${detail}` : ''}`,
    iterations,
    residualNorm,
    residualHistory: p.history,
  };
}
