import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { InvalidArgumentError, checkOptions, init, listBackends } from '@krylov/core-array';
import { type ConnectionOptions, type Job, UnrecoverableError, Worker } from 'bullmq';
import { PartitionError } from './errors.js';
import { CoverageError, type Covered, type ReduceTask, runPartitionTask, runReduce } from './tasks.js';

/** Backend plugin packages a worker loads when they are installed (each optional). */
export const DEFAULT_PLUGINS = ['@krylov/native-blas', '@krylov/wasm-simd'];

export interface WorkerOptions {
  /** Redis connection (ioredis options, e.g. `{ host: '127.0.0.1', port: 6379 }`, or an IORedis instance). */
  connection: ConnectionOptions;
  /** Queue name (default 'krylov'); the coordinator's `Cluster` must use the same. */
  queue?: string;
  /** Jobs this process runs at once (default 1). Partition tasks are synchronous: use more processes, not more concurrency, for more cores. */
  concurrency?: number;
  /**
   * Backend plugin packages to load (default DEFAULT_PLUGINS: native BLAS, then WebAssembly, where
   * installed). Each is resolved from the current directory, then from this package.
   */
  plugins?: readonly string[];
  /** How long a job's lock lasts without renewal, ms (default 30000). Must exceed the longest partition task. */
  lockDuration?: number;
  /** How often this worker looks for stalled jobs (those whose worker died), ms (default 30000). */
  stalledInterval?: number;
  /** Times a job may stall (its worker die) before it fails (default 2). */
  maxStalledCount?: number;
  /** Sleep this long before each partition task (fault drills: lets a test kill a worker mid-job). Default 0. */
  slowdownMs?: number;
}

export interface PluginLoad {
  name: string;
  loaded: boolean;
  reason?: string;
}

export interface StartedWorker {
  worker: Worker;
  /** The plugins loaded (or not, and why). */
  plugins: PluginLoad[];
  /** The backends this process can use, in the order tried. */
  backends: string[];
  /** Finishes the jobs in progress and disconnects. */
  close(): Promise<void>;
}

async function importFromCwdOrHere(name: string): Promise<unknown> {
  try {
    const path = createRequire(join(process.cwd(), 'noop.js')).resolve(name);
    return await import(pathToFileURL(path).href);
  } catch {
    return await import(name);
  }
}

/** Loads the backend plugins that are installed; reports those that are not, and why. */
export async function loadPlugins(names: readonly string[]): Promise<PluginLoad[]> {
  const out: PluginLoad[] = [];
  for (const name of names) {
    try {
      await init({ plugins: [(await importFromCwdOrHere(name)) as never] });
      out.push({ name, loaded: true });
    } catch (e) {
      const message = (e as Error).message;
      const missing = /Cannot find (package|module)|ERR_MODULE_NOT_FOUND/.test(message);
      out.push({ name, loaded: false, reason: missing ? 'not installed' : message });
    }
  }
  return out;
}

/** The failure a job reports: a PartitionError becomes a non-retried failure the coordinator can re-type. */
function asJobError(e: unknown): Error {
  if (e instanceof PartitionError)
    return new UnrecoverableError(
      `PartitionError ${JSON.stringify({ fn: e.fn, partition: e.partition, path: e.path, reason: e.reason })}`,
    );
  if (e instanceof CoverageError) return new UnrecoverableError(e.message);
  return e as Error;
}

const WORKER_KEYS = [
  'connection',
  'queue',
  'concurrency',
  'plugins',
  'lockDuration',
  'stalledInterval',
  'maxStalledCount',
  'slowdownMs',
] as const;

/**
 * Starts a BullMQ worker that runs Krylov's partition and reduce tasks with the installed
 * backends (native BLAS where present). Returns once the worker is connected.
 * @throws InvalidArgumentError for unknown options or a bad concurrency.
 */
export async function startWorker(options: WorkerOptions): Promise<StartedWorker> {
  const fn = 'startWorker';
  checkOptions(fn, options, WORKER_KEYS);
  if (!options?.connection)
    throw new InvalidArgumentError(fn, 'options.connection', undefined, 'Redis connection options');
  const concurrency = options.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new InvalidArgumentError(fn, 'options.concurrency', concurrency, 'a positive integer');
  const plugins = await loadPlugins(options.plugins ?? DEFAULT_PLUGINS);
  const slowdown = options.slowdownMs ?? 0;
  const processor = async (job: Job): Promise<Covered> => {
    try {
      if (job.name === 'reduce') {
        const values = Object.values(await job.getChildrenValues<Covered>());
        return runReduce(job.data as ReduceTask, values);
      }
      if (slowdown > 0) await new Promise((r) => setTimeout(r, slowdown));
      return runPartitionTask(job.name, job.data);
    } catch (e) {
      throw asJobError(e);
    }
  };
  const worker = new Worker(options.queue ?? 'krylov', processor, {
    connection: options.connection,
    concurrency,
    lockDuration: options.lockDuration ?? 30_000,
    stalledInterval: options.stalledInterval ?? 30_000,
    maxStalledCount: options.maxStalledCount ?? 2,
  });
  await worker.waitUntilReady();
  const backends = listBackends()
    .filter((b) => b.available)
    .map((b) => b.name);
  return { worker, plugins, backends, close: () => worker.close() };
}
