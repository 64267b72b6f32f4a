/**
 * @krylov/native-blas: a Krylov backend over the system BLAS and LAPACK (OpenBLAS + LAPACKE)
 * through an N-API addon. Register it with `use(plugin)` or `init({ plugins: ['@krylov/native-blas'] })`;
 * nothing is registered on import. When the addon is not built the backend reports itself
 * unavailable with the reason and the fix, and every call falls back to the pure-JS kernels.
 */
import {
  type Availability,
  type Backend,
  BackendUnavailableError,
  InvalidArgumentError,
  type KernelTable,
  type Plugin,
  checkOptions,
  optionKeys,
} from '@krylov/core-array';
import { type LoadResult, type NativeAddon, loadAddon } from './addon.js';
import { cudaBackend } from './cuda.js';
import { nativeKernels } from './kernels.js';
import {
  type ThreadSetting,
  describePolicy,
  ignoredEnv,
  maxThreadsOf,
  parseThreadSetting,
  resetRequested,
  setThreadSetting,
  threadSetting,
} from './threads.js';

export type { AddonCause, BatchDesc, MatDesc, NativeAddon, VecDesc } from './addon.js';
export { platformTriple } from './addon.js';
export { type CudaAddon, cudaAddon, cudaBackend, probeCuda } from './cuda.js';
export { batchDesc, matDesc, vecDesc } from './layout.js';
export { LapackArgumentError } from './errors.js';
export { type ThreadFamily, type ThreadSetting, chooseThreads, kernelFlops } from './threads.js';
export { THREAD_FLOPS } from './thresholds.js';

let loaded: LoadResult | undefined;

function load(): LoadResult {
  loaded ??= loadAddon();
  return loaded;
}

/** The raw addon, or null when it is not built (see `probe().reason`). Its functions validate their arguments. */
export function nativeAddon(): NativeAddon | null {
  return load().addon;
}

let availability: Availability | undefined;

/** Availability of the native backend, cached after the first call (the addon is loaded once). */
export function probe(): Availability {
  if (availability) {
    // the thread policy may have changed since (configureNative, in this copy of the module or another)
    if (availability.details && detailsSetting !== threadSetting()) refreshThreadDetails();
    return availability;
  }
  const r = load();
  if (!r.addon) {
    // "what happened. Fix: what to do", the form `krylov doctor` splits; r.cause names the case
    availability = { available: false, reason: `native addon unavailable: ${r.error}. Fix: ${r.fix}` };
  } else {
    const info = r.addon.info();
    availability = {
      available: true,
      details: { library: info.library.trim(), ...threadDetails(r.addon), addon: r.path, source: r.source },
    };
  }
  return availability;
}

let detailsSetting: ThreadSetting | undefined;

function refreshThreadDetails(): void {
  const addon = load().addon;
  if (availability?.details && addon)
    availability = { ...availability, details: { ...availability.details, ...threadDetails(addon) } };
}

/** The thread policy as `krylov backends` shows it. */
function threadDetails(addon: NativeAddon): Record<string, string | number> {
  detailsSetting = threadSetting();
  const max = maxThreadsOf(addon);
  return {
    threads: describePolicy(max),
    ...(ignoredEnv !== undefined && {
      threadsEnv: `KRYLOV_NATIVE_THREADS=${ignoredEnv} ignored (auto, all or 1-4096)`,
    }),
  };
}

/** The loaded addon; throws BackendUnavailableError with the reason when it is not built. */
function requireAddon(): NativeAddon {
  const addon = load().addon;
  if (!addon) throw new BackendUnavailableError('native-blas', 'native', probe().reason ?? 'not built');
  return addon;
}

// Built on import but loads nothing: the addon is opened at the first probe or kernel call.
const table: KernelTable = nativeKernels(requireAddon);

/**
 * The `native` backend: priority 100 (ahead of wasm-simd 50 and js 0). Kernels: dot, nrm2, axpy,
 * scal, gemv, ger, trmv, trsv, gemm, gemmBatched, syrk, trmm, trsm, potrf, potrs, getrf, getrs,
 * gesv, geqrf, orgqr, ormqr, geqp3, trtrs, gesdd, gelsd, syevd, syevr, geev, in float64 and float32
 * on any strided view; gemm, gemmBatched, potrf, getrf, gesv, ormqr, trtrs, gesdd, gelsd, syevd and
 * syevr also run off the main thread (`runKernelAsync`, `kernel.async`).
 */
export const backend: Backend = {
  name: 'native',
  priority: 100,
  description: 'BLAS/LAPACK (OpenBLAS + LAPACKE) through an N-API addon',
  probe,
  kernels: table,
};

/**
 * The plugin for `use(plugin)` or `init({ plugins: ['@krylov/native-blas'] })`: the `native`
 * backend and the optional `cuda` backend (priority 150), which reports itself unavailable, with
 * the reason, unless its module is built, cuBLAS/cuSOLVER load and a device is present.
 */
export const plugin: Plugin = { name: '@krylov/native-blas', backends: [backend, cudaBackend] };

/** The native backend's settings (`configureNative`). */
export interface NativeConfig {
  /**
   * OpenBLAS threads per call: `'auto'` (the default: one thread below a measured amount of work,
   * more above it; see `THREAD_FLOPS`), `'all'` (every thread OpenBLAS started with, on every
   * call: OpenBLAS's own behaviour) or a fixed count in [1, 4096]. The environment variable
   * `KRYLOV_NATIVE_THREADS` sets the initial value.
   */
  threads?: ThreadSetting;
}

const NATIVE_CONFIG_KEYS = optionKeys<NativeConfig>()('threads');

/**
 * Configures the native backend; returns the previous configuration (pass it back to restore).
 * The thread count applies to calls made afterwards, sync and async: each call takes the count the
 * policy gives it when it is made, and the addon never changes the count under a call in flight,
 * so a call that starts while another runs shares that one's count.
 * @throws InvalidArgumentError for an unknown option or a `threads` value other than 'auto', 'all'
 *   or an integer in [1, 4096].
 */
export function configureNative(config: NativeConfig): Required<NativeConfig> {
  checkOptions('configureNative', config, NATIVE_CONFIG_KEYS);
  const previous = { threads: threadSetting() };
  if (config.threads !== undefined) {
    const given: unknown = config.threads;
    const t =
      typeof given === 'string' && given !== 'auto' && given !== 'all'
        ? undefined
        : parseThreadSetting(given);
    if (t === undefined)
      throw new InvalidArgumentError(
        'configureNative',
        'threads',
        config.threads,
        "'auto', 'all' or an integer in [1, 4096]",
      );
    setThreadSetting(t);
    resetRequested();
  }
  return previous;
}

/** The native backend's configuration in force. */
export function nativeConfig(): Required<NativeConfig> {
  return { threads: threadSetting() };
}

/**
 * Sets a fixed number of OpenBLAS threads for every later call: `configureNative({ threads: n })`
 * (kept for compatibility; `'auto'` is the default). Returns the count now in force.
 * @throws InvalidArgumentError unless `n` is an integer in [1, 4096]; BackendUnavailableError
 *   when the addon is not built.
 */
export function setThreads(n: number): number {
  if (!Number.isInteger(n) || n < 1 || n > 4096)
    throw new InvalidArgumentError('setThreads', 'n', n, 'an integer in [1, 4096]');
  if (!load().addon) throw new BackendUnavailableError('setThreads', 'native', probe().reason ?? 'not built');
  configureNative({ threads: n });
  return requireAddon().setThreads(n);
}
