import type { Piscina } from 'piscina';
import { isPackedError, pack, unpack, unpackError } from './transfer.js';

/**
 * A small generic worker pool (Node worker_threads through piscina) that runs a named export of a
 * module in a worker: `runTask({ module, name }, args)`. Packages host their long pure-JS
 * operations' async forms on it (`svdAsync` runs `svd` in a worker). NDArray arguments are copied
 * into fresh buffers that are transferred, never cloned twice; results come back by transfer too.
 * The pool starts on first use and its idle workers exit after `idleTimeout`, so it never keeps a
 * process alive. Browsers: not provided yet (the async forms reject with a message saying so).
 */

/** A task: the absolute URL of an ES module and the name of the export to call. */
export interface WorkerTask {
  module: string;
  name: string;
}

export interface WorkerPoolOptions {
  /** Most workers at once (default: available parallelism - 1, at least 1). */
  maxThreads?: number;
  /** Milliseconds an idle worker lives (default 1000). */
  idleTimeout?: number;
}

export interface RunTaskOptions {
  /** Aborting rejects the call with the signal's reason and terminates the worker running it. */
  signal?: AbortSignal;
}

let settings: WorkerPoolOptions = {};
let pool: Promise<Piscina> | null = null;

/** Sets the pool's size and idle timeout; a running pool is closed and restarted on next use. */
export async function configureWorkers(options: WorkerPoolOptions): Promise<void> {
  settings = { ...settings, ...options };
  await terminateWorkers();
}

/** Stops every worker (pending tasks reject). The pool restarts on the next task. */
export async function terminateWorkers(): Promise<void> {
  const p = pool;
  pool = null;
  if (p) await (await p).destroy();
}

/**
 * The URL of `file` in the package build that contains `metaUrl` (pass `import.meta.url`): beside
 * it when it is a build output, or in the package's `dist/` when it is a TypeScript source (tests
 * run from sources; the worker always runs the package's ES module build).
 */
export function distModule(metaUrl: string, file: string): string {
  if (/\.ts$/.test(metaUrl)) {
    const i = metaUrl.lastIndexOf('/src/');
    return new URL(`dist/${file}`, metaUrl.slice(0, i + 1)).href;
  }
  return new URL(file, metaUrl).href;
}

function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === 'string';
}

async function getPool(): Promise<Piscina> {
  if (!pool) {
    pool = (async () => {
      const [mod, os] = await Promise.all([import('piscina'), import('node:os')]);
      // the ES module build names the class; a CommonJS require of piscina may give it as the default
      const Piscina = mod.Piscina ?? (mod as unknown as { default: typeof mod }).default.Piscina;
      const cpus =
        typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
      return new Piscina({
        filename: distModule(import.meta.url, 'worker.js'),
        maxThreads: settings.maxThreads ?? Math.max(1, cpus - 1),
        minThreads: 0,
        idleTimeout: settings.idleTimeout ?? 1000,
      });
    })();
    pool.catch(() => {
      pool = null;
    });
  }
  return pool;
}

/**
 * Runs `task.name(...args)` from `task.module` in a pool worker and resolves with its result.
 * Errors thrown in the worker reject with the same Krylov error class, message and fields.
 * @throws Error when not running in Node (Web Workers are not wired yet); the signal's reason on abort.
 */
export async function runTask<R>(task: WorkerTask, args: unknown[], options?: RunTaskOptions): Promise<R> {
  if (!isNode()) throw new Error('runTask: the worker pool needs Node worker_threads (browsers: not yet)');
  const signal = options?.signal;
  signal?.throwIfAborted();
  const transferList: ArrayBuffer[] = [];
  const packed = pack(args, transferList, true);
  const p = await getPool();
  const reply = (await p.run(
    { module: task.module, name: task.name, args: packed },
    { transferList, ...(signal ? { signal } : {}) },
  )) as { ok?: unknown; error?: unknown };
  if (isPackedError(reply.error)) throw unpackError(reply.error);
  return unpack(reply.ok) as R;
}
