/**
 * What the iterative low-rank methods share: the convergence report (the solvers' shape:
 * `converged`, `reason`, `message`, `iterations`, plus the objective history), the progress hook
 * and AbortSignal handling, option checks, and row-major matrix products dispatched through the
 * registry's `gemm` kernel (so a native or WebGPU backend runs the O(m n k) work).
 */
import { type CsrOperand, InvalidArgumentError, NDArray, Rng, checkFunction } from '@krylov/core-array';
import { gemm } from '@krylov/core-array/internal';

/**
 * Why an iteration stopped (the names of `@krylov/solvers`' StopReason): 'converged' (the method's
 * tolerance test held), 'maxiter', 'aborted' (the AbortSignal fired) or 'callback' (`onProgress`
 * returned false).
 */
export type LowRankStopReason = 'converged' | 'maxiter' | 'aborted' | 'callback';

/** The payload of every low-rank method's `onProgress` hook, once per iteration. */
export interface LowRankProgress {
  /** 1-based iteration just finished. */
  iteration: number;
  /** The objective after it (NaN on iterations where the method does not evaluate it). */
  objective: number;
}

/** Options shared by the iterative low-rank methods. */
export interface LowRankIterationOptions {
  /**
   * Called after every iteration; returning `false` stops the method (reason 'callback'). The sync
   * functions run on the calling thread, so an AbortSignal can only take effect between iterations if
   * something aborts it from inside this hook (an abort from a timer or another event waits until the
   * call returns).
   */
  onProgress?: (info: LowRankProgress) => boolean | undefined | void;
  /** Checked before every iteration; an aborted signal stops the method (reason 'aborted'). */
  signal?: AbortSignal;
}

/** The convergence report every iterative low-rank method returns beside its factors. */
export interface LowRankReport {
  converged: boolean;
  reason: LowRankStopReason;
  /** A sentence for logs: what happened. */
  message: string;
  iterations: number;
  /** The objective at the start and after each iteration where it was evaluated (method-specific). */
  objectiveHistory: number[];
}

export const ITERATION_OPTIONS = ['onProgress', 'signal'] as const;

/** Validates `onProgress` and `signal`. */
export function checkIterationOptions(fn: string, o: LowRankIterationOptions): void {
  if (o.onProgress !== undefined) checkFunction(fn, 'options.onProgress', o.onProgress);
  if (o.signal !== undefined && typeof (o.signal as { aborted?: unknown })?.aborted !== 'boolean')
    throw new InvalidArgumentError(fn, 'options.signal', o.signal, 'an AbortSignal');
}

/** Reports one iteration: returns the stop reason the hook or the signal asks for, or null to go on. */
export function progress(
  o: LowRankIterationOptions,
  iteration: number,
  objective: number,
): LowRankStopReason | null {
  if (o.onProgress && o.onProgress({ iteration, objective }) === false) return 'callback';
  return o.signal?.aborted ? 'aborted' : null;
}

/** The report's sentence. */
export function report(
  fn: string,
  reason: LowRankStopReason,
  iterations: number,
  objectiveHistory: number[],
  detail = '',
): LowRankReport {
  const what = {
    converged: 'converged',
    maxiter: 'reached the iteration limit without meeting the tolerance',
    aborted: 'was aborted by its AbortSignal',
    callback: 'was stopped by onProgress',
  }[reason];
  const last = objectiveHistory.at(-1);
  const obj = last === undefined ? '' : `, objective ${last.toExponential(4)}`;
  return {
    converged: reason === 'converged',
    reason,
    message: `${fn} ${what} after ${iterations} iterations${obj}${detail ? `; ${detail}` : ''}`,
    iterations,
    objectiveHistory,
  };
}

/** A row-major m x n matrix over `data` as an NDArray view (no copy). */
export function view(data: Float64Array, m: number, n: number): NDArray<'float64'> {
  return new NDArray(data, [m, n]);
}

/**
 * C = alpha op(A) op(B) + beta C on row-major buffers through the registry's `gemm` kernel; op(A)
 * is m x k (A is k x m when `ta`), op(B) is k x n.
 */
export function mm(
  a: Float64Array,
  ta: boolean,
  b: Float64Array,
  tb: boolean,
  c: Float64Array,
  m: number,
  k: number,
  n: number,
  alpha = 1,
  beta = 0,
): Float64Array {
  if (m === 0 || n === 0) return c;
  if (k === 0) {
    if (beta === 0) c.fill(0);
    else for (let i = 0; i < m * n; i++) c[i] *= beta;
    return c;
  }
  const av = ta ? view(a, k, m).T : view(a, m, k);
  const bv = tb ? view(b, n, k).T : view(b, k, n);
  gemm({ alpha, a: av, b: bv, beta, c: view(c, m, n) });
  return c;
}

/** Whether `x` is a CSR operand ({shape, indptr, indices, data}, SciPy's layout), not an NDArray. */
export function isCsr(x: unknown): x is CsrOperand {
  if (typeof x !== 'object' || x === null || x instanceof NDArray) return false;
  const c = x as CsrOperand;
  return c.indptr instanceof Int32Array && c.indices instanceof Int32Array;
}

/** sum_i a_i b_i */
export function dotArrays(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/**
 * A seed option: a number, a string or an Rng (advanced in place); default 0, so that a call
 * without a seed gives the same answer on every run.
 */
export function seedOption(fn: string, seed: unknown): Rng {
  if (seed === undefined) return new Rng(0);
  if (seed instanceof Rng) return seed;
  if ((typeof seed === 'number' && Number.isFinite(seed)) || typeof seed === 'string') return new Rng(seed);
  throw new InvalidArgumentError(fn, 'options.seed', seed, 'a number, a string or an Rng');
}
