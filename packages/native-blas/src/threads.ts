/**
 * The BLAS thread policy of the native backend: how many OpenBLAS threads each call gets.
 *
 * OpenBLAS starts one thread per core and threads every mid-size call. When another process keeps
 * a core busy, a threaded call waits for its second thread to be scheduled: `solve` n = 120 took
 * 6.85 ms against 0.165 ms on one thread (issue 18). The policy `'auto'` (the default) gives a
 * call one thread below a measured amount of work (`THREAD_FLOPS`, per kernel family) and one more
 * thread per further threshold's worth of work, up to the count OpenBLAS started with. A number
 * fixes the count for every call; `'all'` is OpenBLAS's own behaviour (every thread, always).
 *
 * Set with `configureNative({ threads })`, or `KRYLOV_NATIVE_THREADS=auto|all|<n>` at start.
 * The addon applies the count on the thread that runs the call (the main thread, or the libuv
 * worker of an async call) and never changes it under a call in flight (native/src/threads.h).
 */
import type { KernelArgs, KernelName, Mat, NDArray } from '@krylov/core-array';
import { THREAD_FLOPS } from './thresholds.js';

/** `'auto'`: by the call's flops; `'all'`: every thread OpenBLAS started with; n: always n threads. */
export type ThreadSetting = 'auto' | 'all' | number;

/** Which measured threshold a kernel uses: level-3 BLAS, or a LAPACK factorization. */
export type ThreadFamily = 'blas' | 'lapack';

const last = (a: NDArray, back: number) => a.shape[a.shape.length - back] ?? 1;
const kmin = (a: Mat) => Math.min(a.shape[0], a.shape[1]);

/** Householder QR's flops (m x n: 2 M k^2 - 2/3 k^3, k = min(m, n), M = max(m, n)). */
const qrFlops = (m: number, n: number) => {
  const k = Math.min(m, n);
  return 2 * Math.max(m, n) * k * k - (2 / 3) * k * k * k;
};

/** LU's flops (m x n, k = min(m, n): 2 (m n k - (m + n) k^2 / 2 + k^3 / 3), 2/3 n^3 when square). */
const luFlops = (m: number, n: number) => {
  const k = Math.min(m, n);
  return 2 * (m * n * k - ((m + n) * k * k) / 2 + (k * k * k) / 3);
};

type FlopCount = { family: ThreadFamily; flops: (args: never) => number };

/**
 * Nominal flop counts (LAPACK working notes 41's leading terms; decompositions with an iterative
 * phase are counted at their usual totals). They only need to be right within a factor of 2: the
 * thresholds sit far from the sizes where one and two threads are close.
 */
const FLOPS: { [K in KernelName]?: { family: ThreadFamily; flops: (args: KernelArgs<K>) => number } } = {
  dot: { family: 'blas', flops: ({ x }) => 2 * x.size },
  nrm2: { family: 'blas', flops: ({ x }) => 2 * x.size },
  axpy: { family: 'blas', flops: ({ x }) => 2 * x.size },
  scal: { family: 'blas', flops: ({ x }) => x.size },
  gemv: { family: 'blas', flops: ({ a }) => 2 * a.size },
  ger: { family: 'blas', flops: ({ a }) => 2 * a.size },
  trmv: { family: 'blas', flops: ({ a }) => a.size },
  trsv: { family: 'blas', flops: ({ a }) => a.size },
  gemm: { family: 'blas', flops: ({ a, c }) => 2 * c.size * a.shape[1] },
  gemmBatched: { family: 'blas', flops: ({ a, c }) => 2 * c.size * last(a, 1) },
  syrk: { family: 'blas', flops: ({ a, c }) => c.size * a.shape[1] },
  trmm: { family: 'blas', flops: ({ a, b }) => b.size * a.shape[0] },
  trsm: { family: 'blas', flops: ({ a, b }) => b.size * a.shape[0] },
  potrs: { family: 'blas', flops: ({ l, b }) => 2 * b.size * l.shape[0] },
  getrs: { family: 'blas', flops: ({ lu, b }) => 2 * b.size * lu.shape[0] },
  trtrs: { family: 'blas', flops: ({ a, b }) => b.size * a.shape[0] },
  potrf: { family: 'lapack', flops: ({ a }) => a.shape[0] ** 3 / 3 },
  getrf: { family: 'lapack', flops: ({ a }) => luFlops(a.shape[0], a.shape[1]) },
  gesv: {
    family: 'lapack',
    flops: ({ a, b }) => luFlops(a.shape[0], a.shape[0]) + 2 * b.size * a.shape[0],
  },
  geqrf: { family: 'lapack', flops: ({ a }) => qrFlops(a.shape[0], a.shape[1]) },
  geqp3: { family: 'lapack', flops: ({ a }) => qrFlops(a.shape[0], a.shape[1]) },
  orgqr: { family: 'lapack', flops: ({ a, tau }) => 4 * a.shape[0] * a.shape[1] * tau.size },
  ormqr: { family: 'lapack', flops: ({ c, tau }) => 4 * c.size * tau.size },
  gelsd: { family: 'lapack', flops: ({ a }) => 12 * a.size * kmin(a) },
  gesdd: {
    family: 'lapack',
    flops: ({ a, job }) => 4 * a.size * kmin(a) + (job === 'values' ? 0 : 8 * a.size * kmin(a)),
  },
  syevd: { family: 'lapack', flops: ({ a, vectors }) => (vectors ? 9 : 4 / 3) * a.shape[0] ** 3 },
  syevr: { family: 'lapack', flops: ({ a, vectors }) => (vectors ? 9 : 4 / 3) * a.shape[0] ** 3 },
  geev: { family: 'lapack', flops: ({ a, vectors }) => (vectors ? 25 : 10) * a.shape[0] ** 3 },
};

/** The kernel's family and nominal flops for these arguments; undefined for a kernel that calls no BLAS (spmv). */
export function kernelFlops(
  kernel: string,
  args: unknown,
): { family: ThreadFamily; flops: number } | undefined {
  const f = (FLOPS as Record<string, FlopCount | undefined>)[kernel];
  return f && { family: f.family, flops: f.flops(args as never) };
}

/**
 * The thread count the policy gives a call of `flops` in `family`, with `max` threads available:
 * `'auto'`: 1 below the family's threshold, then one more per threshold's worth, at most `max`;
 * `'all'`: `max`; a number: that number. A pure function (the tests call it with chosen `max`).
 */
export function chooseThreads(
  setting: ThreadSetting,
  family: ThreadFamily,
  flops: number,
  max: number,
): number {
  if (setting === 'all') return Math.max(1, max);
  if (typeof setting === 'number') return setting;
  const per = THREAD_FLOPS[family];
  return Math.max(1, Math.min(max, Math.floor(flops / per) + 1));
}

/** The setting checked: 'auto', 'all' or an integer in [1, 4096]; returns undefined when invalid. */
export function parseThreadSetting(value: unknown): ThreadSetting | undefined {
  if (value === 'auto' || value === 'all') return value;
  const n = typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 4096 ? n : undefined;
}

const envText = typeof process !== 'undefined' ? process.env?.KRYLOV_NATIVE_THREADS : undefined;
const envSetting = envText === undefined || envText === '' ? undefined : parseThreadSetting(envText.trim());

/**
 * The policy's state, one per process: the ESM and CJS builds (or a bench's source import beside
 * the installed build) share it, as they share the addon and its thread gate. `requested` is the
 * count last asked of the addon, so a call asks again only when its count differs.
 */
interface PolicyState {
  setting: ThreadSetting;
  requested: number | undefined;
  max: number | undefined;
}
const STATE_KEY = Symbol.for('@krylov/native-blas/thread-policy');
const slot = globalThis as unknown as Record<symbol, PolicyState | undefined>;
const policy: PolicyState =
  slot[STATE_KEY] ??
  (slot[STATE_KEY] = { setting: envSetting ?? 'auto', requested: undefined, max: undefined });

/** KRYLOV_NATIVE_THREADS when it was set but not understood (shown in the backend's details). */
export const ignoredEnv: string | undefined =
  envText !== undefined && envText !== '' && envSetting === undefined ? envText : undefined;

/** The setting in force. */
export function threadSetting(): ThreadSetting {
  return policy.setting;
}

/** Replaces the setting (already validated); returns the previous one. */
export function setThreadSetting(next: ThreadSetting): ThreadSetting {
  const previous = policy.setting;
  policy.setting = next;
  return previous;
}

const mfl = (f: number) =>
  f >= 1e9 ? `${+(f / 1e9).toPrecision(3)} GFLOP` : `${+(f / 1e6).toPrecision(3)} MFLOP`;

/** One line for `krylov backends`: the setting and what it means on this machine. */
export function describePolicy(max: number): string {
  if (policy.setting === 'all') return `all (${max} per call, OpenBLAS's default)`;
  if (typeof policy.setting === 'number') return `${policy.setting} per call (fixed)`;
  return `auto (1 thread below ${mfl(THREAD_FLOPS.blas)} for BLAS, ${mfl(THREAD_FLOPS.lapack)} for LAPACK; up to ${max})`;
}

/** The sentence `explain` adds for a call: the count chosen and the rule that chose it. */
export function threadNote(kernel: string, args: unknown, max: number): string | undefined {
  const f = kernelFlops(kernel, args);
  if (!f) return undefined;
  const t = chooseThreads(policy.setting, f.family, f.flops, max);
  const plural = t === 1 ? 'thread' : 'threads';
  if (policy.setting !== 'auto') return `${t} BLAS ${plural} (thread policy ${policy.setting})`;
  const per = THREAD_FLOPS[f.family];
  const why =
    f.flops < per
      ? `${mfl(f.flops)} < ${mfl(per)}`
      : `${mfl(f.flops)} >= ${mfl(per)}${t === max ? `, capped at ${max}` : ''}`;
  return `${t} BLAS ${plural} (thread policy auto: ${why}; ${f.family} threshold in thresholds.ts)`;
}

/** The addon's part of the policy: its thread count request, and the count OpenBLAS started with. */
interface ThreadAddon {
  info(): { maxThreads?: number; threads: number };
  setThreads(n: number): number;
}

/** Forgets the count last requested, so the next call asks again (after `configureNative`). */
export function resetRequested(): void {
  policy.requested = undefined;
}

/** The count OpenBLAS started with (one per core, or OPENBLAS_NUM_THREADS), read once from the addon. */
export function maxThreadsOf(addon: ThreadAddon): number {
  if (policy.max === undefined) {
    const info = addon.info();
    policy.max = Math.max(1, info.maxThreads ?? info.threads);
  }
  return policy.max;
}

/**
 * What the guarded kernels call: `apply` before each call asks the addon for the policy's count
 * (one N-API call only when the count changes from the previous call's), `note` is `explain`'s.
 */
export function threadApplier(addon: () => ThreadAddon) {
  return {
    apply(kernel: string, args: unknown): void {
      // on every call: no allocation (kernelFlops' object is for explain and the tests)
      const f = (FLOPS as Record<string, FlopCount | undefined>)[kernel];
      if (f === undefined) return;
      const a = addon();
      const t = chooseThreads(policy.setting, f.family, f.flops(args as never), maxThreadsOf(a));
      if (t !== policy.requested) {
        a.setThreads(t);
        policy.requested = t;
      }
    },
    note(kernel: string, args: unknown): string | undefined {
      return threadNote(kernel, args, maxThreadsOf(addon()));
    },
  };
}
