/**
 * @krylov/wasm-simd: a Krylov backend of WebAssembly kernels with 128-bit SIMD (f32x4, f64x2), for
 * installs without native code and for browsers. Register it with `use(plugin)` or
 * `init({ plugins: ['@krylov/wasm-simd'] })`; nothing is registered on import. The module (compiled
 * from src/wasm/kernels.c by clang) ships inline in the JavaScript, so there is no file to locate.
 * Where WebAssembly SIMD is missing the backend reports itself unavailable with the reason, and
 * every call falls back to the pure-JS kernels.
 */
import {
  type Availability,
  type Backend,
  BackendUnavailableError,
  InvalidArgumentError,
  type Plugin,
} from '@krylov/core-array';
import { type WasmState, wasmKernels } from './kernels.js';
import { Arena, type LoadResult, loadAsync, loadSync } from './module.js';
import { ThreadPool } from './threads.js';

export { THRESHOLDS } from './kernels.js';
export type { WasmExports } from './module.js';

/** The one-thread instance; with threads, `pool` holds the shared-memory instance the kernels use. */
let single: WasmState | undefined;
let pool: ThreadPool | undefined;
let availability: Availability | undefined;
/** Why the last setThreads(n > 1) fell back to one thread, if it did. */
let threadsNote: string | undefined;

/** The kernels' instance: the thread pool's when there is one. */
function current(): WasmState | undefined {
  return pool ? { exports: pool.exports, arena: pool.arena, pool } : single;
}

function details(): Record<string, string | number> {
  const s = current()!;
  const d: Record<string, string | number> = {
    simd: 'f32x4, f64x2',
    threads: pool?.size ?? 1,
    memoryMiB: Math.round(s.arena.memoryBytes / 2 ** 20),
  };
  if (threadsNote) d.threadsNote = threadsNote;
  return d;
}

function settle(r: LoadResult): Availability {
  if (!r.exports) return { available: false, reason: `${r.error ?? 'unknown error'}` };
  single ??= { exports: r.exports, arena: new Arena(r.exports) };
  availability = { available: true, details: details() };
  return availability;
}

/**
 * Availability of the wasm-simd backend: instantiates the module on the first call (synchronously;
 * about a millisecond in Node) and caches the answer. Unavailable, with the reason, where the
 * engine has no WebAssembly or no SIMD128, or (on a browser main thread) until `loadWasm()` resolves.
 */
export function probe(): Availability {
  if (availability) return availability;
  return settle(loadSync());
}

/**
 * Compiles and instantiates the module asynchronously: required once on a browser main thread
 * (which refuses synchronous compilation of modules over 4 KB) before the backend is available;
 * optional elsewhere. Resolves to the backend's availability.
 */
export async function loadWasm(): Promise<Availability> {
  if (availability) return availability;
  return settle(await loadAsync());
}

/** The instantiated module's exports (the threaded instance's while threads are on), or null when it cannot load (see `probe().reason`). */
export function wasmExports(): WasmState['exports'] | null {
  probe();
  return current()?.exports ?? null;
}

function requireWasm(): WasmState {
  probe();
  const s = current();
  if (!s) throw new BackendUnavailableError('wasm-simd', 'wasm-simd', probe().reason ?? 'not loaded');
  return s;
}

/** The most threads `setThreads('auto')` starts. */
export const MAX_AUTO_THREADS = 4;

/** Logical processors, in Node and in browsers; 1 when unknown. */
async function processors(): Promise<number> {
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  if (nav?.hardwareConcurrency) return nav.hardwareConcurrency;
  try {
    const builtin = 'node:os'; // computed, so browser bundlers leave it alone
    const os = (await import(/* @vite-ignore */ /* webpackIgnore: true */ builtin)) as {
      availableParallelism?: () => number;
      cpus(): unknown[];
    };
    return os.availableParallelism?.() ?? os.cpus().length;
  } catch {
    return 1;
  }
}

let pending: Promise<unknown> = Promise.resolve();

/**
 * Sets how many threads the large wasm-simd gemm, gemmBatched and syrk calls use: the calling
 * thread plus `threads - 1` workers (Node worker_threads, or Web Workers in a cross-origin
 * isolated page) sharing one WebAssembly memory (the kernels module compiled with atomics for a
 * shared, imported memory). The default is 1 thread and no worker; `'auto'` means
 * min(logical processors, 4). A product is split into blocks of C's columns (or rows, or, for
 * syrk, column blocks of equal triangle area); each block runs exactly as in the one-thread
 * product, so results are bitwise equal to one thread's. Calls smaller than
 * `THRESHOLDS.threadsMinWork` (m n k) stay on one thread. Calls stay synchronous: the calling
 * thread computes its block, then waits for the workers (Atomics.wait; a spin on a browser main
 * thread, which may not block, and which a synchronous call holds either way).
 *
 * Falls back to one thread, resolving with the reason in `threadsNote`, where the platform has no
 * SharedArrayBuffer or shared WebAssembly.Memory, no workers, or (browsers) the page is not
 * cross-origin isolated (COOP/COEP headers). `setThreads(1)` stops the workers. Starting workers
 * takes a few milliseconds each; each holds its own instance of the module (about 3 MiB with its
 * stack and packing workspace).
 *
 * @param threads - a positive integer, or 'auto'.
 * @returns the backend's availability, whose `details.threads` is the count now in use.
 * @throws (rejects with) InvalidArgumentError when `threads` is not a positive integer or 'auto';
 *   BackendUnavailableError when the module itself cannot load.
 */
export function setThreads(threads: number | 'auto'): Promise<Availability> {
  if (threads !== 'auto' && !(Number.isInteger(threads) && threads >= 1))
    return Promise.reject(
      new InvalidArgumentError('setThreads', 'threads', threads, "a positive integer or 'auto'"),
    );
  const next = pending.then(async () => {
    requireWasm();
    const want = threads === 'auto' ? Math.min(await processors(), MAX_AUTO_THREADS) : threads;
    threadsNote = undefined;
    if (want !== (pool?.size ?? 1)) {
      const old = pool;
      pool = undefined;
      await old?.close();
    }
    if (want > 1 && !pool) {
      try {
        pool = await ThreadPool.start(want);
      } catch (e) {
        threadsNote = `${want} threads requested; one thread: ${(e as Error).message}`;
      }
    }
    availability = { available: true, details: details() };
    return availability;
  });
  pending = next.catch(() => undefined);
  return next;
}

/**
 * The `wasm-simd` backend: priority 50 (below native at 100, above js at 0). Kernels: gemm,
 * gemmBatched, syrk, trsm and gemv in float64 and float32 on any strided view; each declines
 * (and the pure-JS kernel runs) below a measured size threshold, for other dtypes, and for
 * mismatched shapes, whose typed errors come from the pure-JS path.
 */
export const backend: Backend = {
  name: 'wasm-simd',
  priority: 50,
  description: 'WebAssembly SIMD128 kernels (packed, register-blocked gemm; clang-compiled)',
  probe,
  kernels: wasmKernels(requireWasm),
};

/**
 * The plugin for `use(plugin)` or `init({ plugins: ['@krylov/wasm-simd'] })`; `init` also awaits
 * `loadWasm()` (its `setup`), which a browser main thread needs before the first call.
 */
export const plugin: Plugin = { name: '@krylov/wasm-simd', backends: [backend], setup: loadWasm };
