/**
 * Shared pieces of the tensor methods: the boundary checks, the dense row-major working form, the
 * registry-dispatched matrix kernels on raw buffers, and the convergence report every iterative
 * method returns (the shape of `@krylov/solvers`' report: iterations, history, reason, message).
 */
import {
  ConvergenceError,
  DTypeError,
  InvalidArgumentError,
  NDArray,
  type SeedLike,
  ShapeError,
  checkFunction,
  checkInteger,
  checkNumber,
  isNDArray,
} from '@krylov/core-array';
import { gemm } from '@krylov/core-array/internal';
import { gesdd } from '@krylov/decompositions/kernels';

/** A dense tensor in C (row-major) order: the last index varies fastest. */
export interface Dense {
  data: Float64Array;
  shape: number[];
}

export const size = (shape: readonly number[]): number => shape.reduce((p, d) => p * d, 1);

/**
 * A tensor argument as a float64 row-major copy. @throws InvalidArgumentError (not an NDArray, a
 * NaN or infinite entry), DTypeError (not float64/float32), ShapeError (ndim below `minNdim` or, when
 * given, not `ndim`).
 */
export function tensorArg(
  fn: string,
  arg: string,
  x: unknown,
  ndim: { min?: number; exact?: number } = {},
): Dense {
  if (!isNDArray(x)) throw new InvalidArgumentError(fn, arg, x, 'an NDArray');
  if (x.dtype !== 'float64' && x.dtype !== 'float32')
    throw new DTypeError(fn, arg, x.dtype, 'float64 or float32');
  if (ndim.exact !== undefined && x.ndim !== ndim.exact)
    throw new ShapeError(fn, arg, `expected ${ndim.exact} dimensions`, x.shape);
  if (ndim.min !== undefined && x.ndim < ndim.min)
    throw new ShapeError(fn, arg, `expected at least ${ndim.min} dimensions`, x.shape);
  const data = x.copy('float64').data as Float64Array;
  for (let i = 0; i < data.length; i++)
    if (!Number.isFinite(data[i]))
      throw new InvalidArgumentError(fn, arg, data[i], `finite entries (flat entry ${i} is not)`);
  return { data, shape: [...x.shape] };
}

/** `d` as an NDArray (shares the buffer). */
export const toNDArray = (d: Dense): NDArray<'float64'> => new NDArray(d.data, d.shape) as NDArray<'float64'>;

/** A seed option: a number, a string or an Rng; default 0 so that runs are reproducible. */
export function seedArg(fn: string, v: unknown): SeedLike {
  if (v === undefined) return 0;
  if (typeof v === 'number' || typeof v === 'string') return v;
  if (
    v !== null &&
    typeof v === 'object' &&
    typeof (v as { nextFloat64?: unknown }).nextFloat64 === 'function'
  )
    return v as SeedLike;
  throw new InvalidArgumentError(fn, 'options.seed', v, 'a number, a string or an Rng');
}

/** A rank list: one positive integer per mode (or one for all modes), each at most its extent. */
export function ranksArg(fn: string, arg: string, r: unknown, shape: readonly number[]): number[] {
  const list = typeof r === 'number' ? shape.map(() => r) : r;
  if (!Array.isArray(list) || list.length !== shape.length)
    throw new InvalidArgumentError(fn, arg, r, `a positive integer or an array of ${shape.length} of them`);
  return list.map((v, i) => checkInteger(fn, `${arg}[${i}]`, v, { min: 1, max: shape[i] }));
}

// --- registry-dispatched matrix products on raw row-major buffers -------------------------------

/** A rows x cols view of `data` (row-major from `offset`), or of its transpose when `t`. */
export function mat(
  data: Float64Array,
  rows: number,
  cols: number,
  t = false,
  offset = 0,
): NDArray<'float64'> {
  return (
    t
      ? new NDArray(data, [cols, rows], [1, cols], offset)
      : new NDArray(data, [rows, cols], [cols, 1], offset)
  ) as NDArray<'float64'>;
}

/**
 * C = op(A) op(B), with op(A) m x k and op(B) k x n, into a new (or given) m x n buffer, through the
 * registry's `gemm` (native BLAS or wasm when installed). `ta`/`tb`: the buffer holds the transpose.
 */
export function mm(
  a: Float64Array,
  b: Float64Array,
  m: number,
  k: number,
  n: number,
  ta = false,
  tb = false,
  out: Float64Array = new Float64Array(m * n),
  beta = 0,
): Float64Array {
  if (m === 0 || n === 0) return out;
  if (k === 0) {
    if (beta === 0) out.fill(0);
    return out;
  }
  gemm({
    alpha: 1,
    a: ta ? mat(a, k, m, true) : mat(a, m, k),
    b: tb ? mat(b, n, k, true) : mat(b, k, n),
    beta,
    c: mat(out, m, n),
  });
  return out;
}

/**
 * Thin SVD of a rows x cols row-major buffer through the registry's `gesdd`: u (rows x p),
 * s (p, descending), vt (p x cols), p = min(rows, cols).
 * @throws ConvergenceError when the kernel reports info > 0.
 */
export function thinSvd(
  fn: string,
  a: Float64Array,
  rows: number,
  cols: number,
): { u: Float64Array; s: Float64Array; vt: Float64Array; p: number } {
  const p = Math.min(rows, cols);
  if (p === 0) return { u: new Float64Array(0), s: new Float64Array(0), vt: new Float64Array(0), p };
  const r = gesdd({ a: new NDArray(a.slice(), [rows, cols]) as NDArray<'float64'>, job: 'thin' });
  if (r.info > 0)
    throw new ConvergenceError(
      fn,
      0,
      Number.NaN,
      `the SVD of a ${rows} x ${cols} matrix did not converge (gesdd info ${r.info})`,
    );
  return {
    u: r.u!.copy('float64').data as Float64Array,
    s: r.s.copy('float64').data as Float64Array,
    vt: r.vt!.copy('float64').data as Float64Array,
    p,
  };
}

/** The first `r` columns of a rows x p row-major buffer. */
export function leadingColumns(u: Float64Array, rows: number, p: number, r: number): Float64Array {
  const out = new Float64Array(rows * r);
  for (let i = 0; i < rows; i++) for (let j = 0; j < r; j++) out[i * r + j] = u[i * p + j];
  return out;
}

export function norm2(x: Float64Array): number {
  let scale = 0;
  let ssq = 1;
  for (let i = 0; i < x.length; i++) {
    const a = Math.abs(x[i]);
    if (a === 0) continue;
    if (scale < a) {
      ssq = 1 + ssq * (scale / a) ** 2;
      scale = a;
    } else ssq += (a / scale) ** 2;
  }
  return scale * Math.sqrt(ssq);
}

// --- the convergence report ----------------------------------------------------------------------

/** Why an iterative tensor method stopped (the solvers' reasons that apply here). */
export type StopReason = 'converged' | 'maxiter' | 'aborted' | 'callback';

/** What `onProgress` receives after every iteration. */
export interface ProgressInfo {
  iteration: number;
  /** The method's objective after this iteration (a relative reconstruction error: see each method). */
  objective: number;
}

/**
 * Options of every iterative method here. In these synchronous functions the loop never yields to
 * the event loop, so only an abort triggered from inside `onProgress` (or before the call) can take
 * effect: `signal` is checked after every `onProgress` call.
 */
export interface ProgressOptions {
  /** Called after every iteration; returning `false` stops the run (reason 'callback'). */
  onProgress?: (info: ProgressInfo) => boolean | undefined | void;
  /** Checked between iterations; an aborted signal stops the run (reason 'aborted'). */
  signal?: AbortSignal;
}

/** The report of an iterative tensor method, as the solvers' `SolveResult` without the iterate. */
export interface FitReport {
  converged: boolean;
  reason: StopReason;
  /** A sentence for logs: what happened. */
  message: string;
  iterations: number;
  /** The objective after each iteration (see each method for its definition). */
  objectiveHistory: number[];
}

export const PROGRESS_OPTIONS = ['onProgress', 'signal'] as const;

/** Checks the progress options, then records iterations and builds the report. */
export class Monitor {
  readonly history: number[] = [];
  private readonly onProgress: ProgressOptions['onProgress'];
  private readonly signal: AbortSignal | undefined;
  constructor(
    readonly fn: string,
    o: ProgressOptions | undefined,
  ) {
    if (o?.onProgress !== undefined) checkFunction(fn, 'options.onProgress', o.onProgress);
    if (o?.signal !== undefined && typeof (o.signal as { aborted?: unknown })?.aborted !== 'boolean')
      throw new InvalidArgumentError(fn, 'options.signal', o.signal, 'an AbortSignal');
    this.onProgress = o?.onProgress;
    this.signal = o?.signal;
  }

  /** True when the signal was aborted before the run started. */
  get abortedBefore(): boolean {
    return this.signal?.aborted === true;
  }

  /** Records one finished iteration; returns a reason to stop early, if any. */
  step(iteration: number, objective: number): StopReason | null {
    this.history.push(objective);
    if (this.onProgress && this.onProgress({ iteration, objective }) === false) return 'callback';
    if (this.signal?.aborted) return 'aborted';
    return null;
  }

  report(reason: StopReason, iterations: number, detail = ''): FitReport {
    const what: Record<StopReason, string> = {
      converged: 'converged',
      maxiter: 'reached maxiter without meeting the tolerance',
      aborted: 'aborted by the signal',
      callback: 'stopped by onProgress',
    };
    const last = this.history[this.history.length - 1];
    return {
      converged: reason === 'converged',
      reason,
      message: `${this.fn}: ${what[reason]} after ${iterations} iterations${last === undefined ? '' : ` (objective ${last.toExponential(3)})`}${detail ? `; ${detail}` : ''}`,
      iterations,
      objectiveHistory: this.history,
    };
  }
}

/** Common numeric option checks. */
export const nonNegative = (fn: string, arg: string, v: unknown, fallback: number): number =>
  v === undefined ? fallback : checkNumber(fn, `options.${arg}`, v, { min: 0 });
export const count = (fn: string, arg: string, v: unknown, fallback: number): number =>
  v === undefined ? fallback : checkInteger(fn, `options.${arg}`, v, { min: 0 });
