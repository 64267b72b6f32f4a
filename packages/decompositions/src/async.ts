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

/** `svd` in a worker (see `AsyncOptions`). */
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

/** `eigh` in a worker (see `AsyncOptions`); typed as `eigh`'s overloads. */
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

/** `qr` in a worker (see `AsyncOptions`). */
export function qrAsync<D extends DType>(
  a: NDArray<D>,
  options?: { mode?: QRMode; pivoting?: boolean } & AsyncOptions,
): Promise<QR<Floating<D>>> {
  return offThread('qr', [a], options);
}

/** `lu` in a worker (see `AsyncOptions`). */
export function luAsync<D extends DType>(
  a: NDArray<D>,
  options?: AsyncOptions,
): Promise<{ p: Int32Array; l: F<D>; u: F<D> }> {
  return offThread('lu', [a], options);
}

/** `solve` in a worker (see `AsyncOptions`). */
export function solveAsync<A extends DType, B extends DType>(
  a: NDArray<A>,
  b: NDArray<B>,
  options?: { assume?: Assume; lower?: boolean } & SymmetryOption & AsyncOptions,
): Promise<NDArray<Floating<A | B>>> {
  return offThread('solve', [a, b], options);
}

/** `lstsq` in a worker (see `AsyncOptions`). */
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
