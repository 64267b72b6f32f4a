import { type DType, type NDArray, distModule, runTask } from '@krylov/core-array';
import type { QR, QRMode } from './factor/qr.js';
import type { Assume } from './factor/solve.js';
import type { EighOptions } from './spectral/eigh.js';
import type { Floating, SymmetryOption } from './util/validate.js';

/**
 * Off-thread forms of the long dense operations. Each `xAsync(...)` runs the synchronous `x(...)`
 * of this package's ES module build in a worker of core-array's pool (Node worker_threads via
 * piscina): the input arrays are copied once into buffers that are transferred to the worker, the
 * results are transferred back, and the main thread's event loop stays free meanwhile. The worker
 * runs the same pure-JS kernels as the sync form, so the results are bit-for-bit those of `x(...)`
 * on the js backend. Errors are rethrown with the same class (`ShapeError`, `ConvergenceError`...).
 * Backends registered with `use()` on the main thread are not registered in the workers: the
 * kernel-level async forms of a native backend (`runKernelAsync`) are a separate path.
 */
export interface AsyncOptions {
  /** Aborting rejects with the signal's reason and terminates the worker running the call. */
  signal?: AbortSignal;
}

const MODULE = distModule(import.meta.url, 'index.js');

function offThread<R>(name: string, args: unknown[], options: AsyncOptions | undefined): Promise<R> {
  if (options === undefined) return runTask<R>({ module: MODULE, name }, args);
  const { signal, ...rest } = options;
  const last = Object.keys(rest).length > 0 ? [rest] : [];
  return runTask<R>({ module: MODULE, name }, [...args, ...last], signal ? { signal } : undefined);
}

type F<D extends DType> = NDArray<Floating<D>>;

/**
 * `svd` in a worker (see `AsyncOptions`).
 * Same arguments, result, dtype and reference (LAPACK ?gesdd) as `svd`, bit for bit; the cost is `svd`'s
 * plus an O(size) copy of each operand into the worker and of the result back.
 * @example
 * ```ts
 * import { rng } from '@krylov/core-array';
 * import { svdAsync } from '@krylov/decompositions';
 * const { s } = await svdAsync(rng(1).normal([50, 20]), { mode: 'values' });
 * console.assert(s.shape[0] === 20 && s.get(0) >= s.get(19), 'descending singular values');
 * ```
 * @throws (as a rejected promise) the errors of `svd`, with the same class; the signal's reason
 *   when `signal` aborts.
 */
export function svdAsync<D extends DType>(
  a: NDArray<D>,
  options: { mode: 'values' } & AsyncOptions,
): Promise<{ s: F<D> }>;
export function svdAsync<D extends DType>(
  a: NDArray<D>,
  options?: { mode?: 'thin' | 'full' } & AsyncOptions,
): Promise<{ u: F<D>; s: F<D>; vt: F<D> }>;
export function svdAsync<D extends DType>(
  a: NDArray<D>,
  options?: { mode?: 'thin' | 'full' | 'values' } & AsyncOptions,
): Promise<{ u?: F<D>; s: F<D>; vt?: F<D> }> {
  return offThread('svd', [a], options);
}

/**
 * `eigh` in a worker (see `AsyncOptions`); typed as `eigh`'s overloads.
 * Same arguments, result, dtype and reference (LAPACK ?syevd) as `eigh`, bit for bit; the cost is `eigh`'s
 * plus an O(size) copy of each operand into the worker and of the result back.
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { eighAsync } from '@krylov/decompositions';
 * const { values } = await eighAsync(array([[2, 1], [1, 2]]), { vectors: false });
 * console.assert(Math.abs(values.get(1) - 3) < 1e-12, 'largest eigenvalue 3');
 * ```
 * @throws (as a rejected promise) the errors of `eigh`, with the same class; the signal's reason
 *   when `signal` aborts.
 */
export function eighAsync<D extends DType>(
  a: NDArray<D>,
  options: EighOptions & { vectors: false } & AsyncOptions,
): Promise<{ values: F<D>; vectors: null }>;
export function eighAsync<D extends DType>(
  a: NDArray<D>,
  options?: EighOptions & { vectors?: true } & AsyncOptions,
): Promise<{ values: F<D>; vectors: F<D> }>;
export function eighAsync<D extends DType>(
  a: NDArray<D>,
  options?: EighOptions & AsyncOptions,
): Promise<{ values: F<D>; vectors: F<D> | null }>;
export function eighAsync<D extends DType>(
  a: NDArray<D>,
  options?: EighOptions & AsyncOptions,
): Promise<{ values: F<D>; vectors: F<D> | null }> {
  return offThread('eigh', [a], options);
}

/**
 * `qr` in a worker (see `AsyncOptions`).
 * Same arguments, result, dtype and reference (LAPACK ?geqrf) as `qr`, bit for bit; the cost is `qr`'s
 * plus an O(size) copy of each operand into the worker and of the result back.
 * @example
 * ```ts
 * import { rng } from '@krylov/core-array';
 * import { qrAsync } from '@krylov/decompositions';
 * const { q, r } = await qrAsync(rng(1).normal([6, 3]));
 * console.assert(q.shape[1] === 3 && r.get(1, 0) === 0, 'reduced QR');
 * ```
 * @throws (as a rejected promise) the errors of `qr`, with the same class; the signal's reason
 *   when `signal` aborts.
 */
export function qrAsync<D extends DType>(
  a: NDArray<D>,
  options?: { mode?: QRMode; pivoting?: boolean } & AsyncOptions,
): Promise<QR<Floating<D>>> {
  return offThread('qr', [a], options);
}

/**
 * `lu` in a worker (see `AsyncOptions`).
 * Same arguments, result, dtype and reference (LAPACK ?getrf) as `lu`, bit for bit; the cost is `lu`'s
 * plus an O(size) copy of each operand into the worker and of the result back.
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { luAsync } from '@krylov/decompositions';
 * const { p, u } = await luAsync(array([[1, 2], [3, 4]]));
 * console.assert(p[0] === 1 && u.get(0, 0) === 3, 'pivot 3 first');
 * ```
 * @throws (as a rejected promise) the errors of `lu`, with the same class; the signal's reason
 *   when `signal` aborts.
 */
export function luAsync<D extends DType>(
  a: NDArray<D>,
  options?: AsyncOptions,
): Promise<{ p: Int32Array; l: F<D>; u: F<D> }> {
  return offThread('lu', [a], options);
}

/**
 * `solve` in a worker (see `AsyncOptions`).
 * Same arguments, result, dtype and reference (LAPACK ?gesv / ?posv) as `solve`, bit for bit; the cost is `solve`'s
 * plus an O(size) copy of each operand into the worker and of the result back.
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { solveAsync } from '@krylov/decompositions';
 * const controller = new AbortController(); // controller.abort() rejects the promise
 * const x = await solveAsync(array([[2, 0], [0, 4]]), array([2, 4]), { signal: controller.signal });
 * console.assert(x.get(0) === 1 && x.get(1) === 1, 'x = [1, 1]');
 * ```
 * @throws (as a rejected promise) the errors of `solve`, with the same class; the signal's reason
 *   when `signal` aborts.
 */
export function solveAsync<A extends DType, B extends DType>(
  a: NDArray<A>,
  b: NDArray<B>,
  options?: { assume?: Assume; lower?: boolean } & SymmetryOption & AsyncOptions,
): Promise<NDArray<Floating<A | B>>> {
  return offThread('solve', [a, b], options);
}

/**
 * `lstsq` in a worker (see `AsyncOptions`).
 * Same arguments, result, dtype and reference (LAPACK ?gelsd) as `lstsq`, bit for bit; the cost is `lstsq`'s
 * plus an O(size) copy of each operand into the worker and of the result back.
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { lstsqAsync } from '@krylov/decompositions';
 * const { x } = await lstsqAsync(array([[1, 0], [1, 1], [1, 2]]), array([1, 3, 5]));
 * console.assert(Math.abs(x.get(1) - 2) < 1e-12, 'slope 2');
 * ```
 * @throws (as a rejected promise) the errors of `lstsq`, with the same class; the signal's reason
 *   when `signal` aborts.
 */
export function lstsqAsync<A extends DType, B extends DType>(
  a: NDArray<A>,
  b: NDArray<B>,
  options?: { driver?: 'svd' | 'qr'; rcond?: number } & AsyncOptions,
): Promise<{
  x: NDArray<Floating<A | B>>;
  residuals: number[];
  rank: number;
  s: NDArray<Floating<A | B>> | null;
}> {
  return offThread('lstsq', [a, b], options);
}
