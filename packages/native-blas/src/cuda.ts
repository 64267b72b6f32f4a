/**
 * The optional `cuda` backend: gemm (cuBLAS), potrf, getrf, gesdd (as cuSOLVER gesvd) and syevd
 * (cuSOLVER) through build-cuda/Release/krylov_cuda.node, which opens the CUDA runtime, cuBLAS and
 * cuSOLVER with dlopen at its first probe. Priority 150, ahead of `native`; available only when the
 * module is built, the libraries load and a device is present, and otherwise unavailable with the
 * precise reason ("cuda: libcublas.so not found (...)", "cuda: no CUDA device").
 *
 * UNTESTED ON A GPU: built and tested (unavailable path, argument validation) on a machine with the
 * CUDA toolkit but no GPU and no cuBLAS/cuSOLVER.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type Availability,
  type Backend,
  BackendUnavailableError,
  type KernelTable,
  type Mat,
  type Vec,
} from '@krylov/core-array';
import type { FloatData, MatDesc, VecDesc } from './addon.js';
import { Operands, alloc, denseMat, denseVec, wrap } from './layout.js';

/** The raw CUDA module; every function validates its arguments (TypeError / RangeError) before any CUDA call. */
export interface CudaAddon {
  probe(): {
    available: boolean;
    reason?: string;
    devices?: number;
    runtimeVersion?: number;
    driverVersion?: number;
  };
  gemm(alpha: number, a: MatDesc, b: MatDesc, beta: number, c: MatDesc): void;
  potrf(a: MatDesc): number;
  getrf(a: MatDesc, ipiv: Int32Array): number;
  gesdd(
    a: MatDesc,
    job: 'values' | 'thin' | 'full',
    s: VecDesc,
    u: MatDesc | null,
    vt: MatDesc | null,
  ): number;
  syevd(a: MatDesc, vectors: boolean, w: VecDesc, v: MatDesc | null): number;
}

const FILE = 'krylov_cuda.node';

type Loaded = { addon: CudaAddon; path: string } | { addon: null; error: string };
let loaded: Loaded | undefined;

/** Loads build-cuda/Release/krylov_cuda.node (or `KRYLOV_CUDA_ADDON`); never throws. */
function load(): Loaded {
  if (loaded) return loaded;
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const path = process.env.KRYLOV_CUDA_ADDON || join(root, 'build-cuda', 'Release', FILE);
  if (!existsSync(path)) {
    loaded = {
      addon: null,
      error:
        'cuda: module not built (no CUDA toolkit at install, or KRYLOV_CUDA=off; install the toolkit and reinstall with KRYLOV_CUDA=auto or on)',
    };
    return loaded;
  }
  try {
    loaded = { addon: createRequire(import.meta.url)(path) as CudaAddon, path };
  } catch (e) {
    loaded = { addon: null, error: `cuda: ${(e as Error).message.split('\n')[0]}` };
  }
  return loaded;
}

let availability: Availability | undefined;

/** Availability of the cuda backend: module built, CUDA libraries loaded and a device present. Cached. */
export function probeCuda(): Availability {
  if (availability) return availability;
  const r = load();
  if (!r.addon) return (availability = { available: false, reason: r.error });
  const p = r.addon.probe();
  availability = p.available
    ? {
        available: true,
        details: {
          devices: p.devices ?? 0,
          runtime: p.runtimeVersion ?? 0,
          driver: p.driverVersion ?? 0,
          module: r.path,
          tested: 'not on a GPU',
        },
      }
    : { available: false, reason: p.reason ?? 'cuda: unavailable' };
  return availability;
}

function cuda(fn: string): CudaAddon {
  const r = load();
  const p = probeCuda();
  if (!r.addon || !p.available) throw new BackendUnavailableError(fn, 'cuda', p.reason ?? 'unavailable');
  return r.addon;
}

/** Runs a CUDA call; a CUDA, cuBLAS or cuSOLVER failure (out of memory, lost device) becomes BackendUnavailableError. */
function guard<R>(fn: string, outputs: Mat[], body: (o: Operands, addon: CudaAddon) => R): R {
  const addon = cuda(fn);
  const o = new Operands(outputs);
  let r: R;
  try {
    r = body(o, addon);
  } catch (e) {
    if (e instanceof TypeError || e instanceof RangeError) throw e;
    throw new BackendUnavailableError(fn, 'cuda', (e as Error).message);
  }
  o.finish();
  return r;
}

const float = (...xs: (Mat | Vec)[]) =>
  xs.every((x) => x.dtype === xs[0].dtype && (x.dtype === 'float64' || x.dtype === 'float32'));
const nonEmpty = (...xs: Mat[]) => xs.every((x) => x.ndim === 2 && x.shape[0] > 0 && x.shape[1] > 0);
const decide = (ok: boolean, why: string): true | string => (ok ? true : why);

/** The cuda kernel table (sync; each call copies its operands to the device and back). */
export function cudaKernels(): KernelTable {
  return {
    gemm: {
      run: ({ alpha, a, b, beta, c }) =>
        guard('cuda.gemm', [c], (o, x) => x.gemm(alpha, o.in(a), o.in(b), beta, o.out(c))),
      supports: ({ a, b, c }) =>
        decide(
          float(a, b, c) &&
            nonEmpty(a, b, c) &&
            a.shape[1] === b.shape[0] &&
            a.shape[0] === c.shape[0] &&
            b.shape[1] === c.shape[1],
          'float32/float64, non-empty, matching shapes only',
        ),
    },
    potrf: {
      run: ({ a }) => guard('cuda.potrf', [a], (o, x) => x.potrf(o.out(a))),
      supports: ({ a }) =>
        decide(float(a) && nonEmpty(a) && a.shape[0] === a.shape[1], 'non-empty square float only'),
    },
    getrf: {
      run: ({ a }) => {
        const ipiv = new Int32Array(Math.min(a.shape[0], a.shape[1]));
        const info = guard('cuda.getrf', [a], (o, x) => x.getrf(o.out(a), ipiv));
        return { ipiv, info };
      },
      supports: ({ a }) => decide(float(a) && nonEmpty(a), 'non-empty float only'),
    },
    gesdd: {
      run: ({ a, job }) => {
        const [m, n] = a.shape;
        const k = Math.min(m, n);
        const data = a.data as FloatData;
        const s = alloc({ data }, k);
        const [ur, uc, vr, vc] = job === 'full' ? [m, m, n, n] : [m, k, k, n];
        const u = job === 'values' ? null : alloc({ data }, ur * uc);
        const vt = job === 'values' ? null : alloc({ data }, vr * vc);
        const info = guard('cuda.gesdd', [], (o, x) =>
          x.gesdd(o.in(a), job, denseVec(s), u && denseMat(u, ur, uc), vt && denseMat(vt, vr, vc)),
        );
        return {
          s: wrap(s, [k]) as Vec,
          u: u ? (wrap(u, [ur, uc]) as Mat) : null,
          vt: vt ? (wrap(vt, [vr, vc]) as Mat) : null,
          info,
        };
      },
      supports: ({ a, job }) =>
        decide(
          float(a) && nonEmpty(a) && ['values', 'thin', 'full'].includes(job),
          'non-empty float, known job only',
        ),
    },
    syevd: {
      run: ({ a, vectors }) => {
        const n = a.shape[0];
        const data = a.data as FloatData;
        const w = alloc({ data }, n);
        const v = vectors ? alloc({ data }, n * n) : null;
        const info = guard('cuda.syevd', [], (o, x) =>
          x.syevd(o.in(a), vectors, denseVec(w), v && denseMat(v, n, n)),
        );
        return { w: wrap(w, [n]) as Vec, v: v ? (wrap(v, [n, n]) as Mat) : null, info };
      },
      supports: ({ a }) =>
        decide(float(a) && nonEmpty(a) && a.shape[0] === a.shape[1], 'non-empty square float only'),
    },
  };
}

/**
 * The `cuda` backend (priority 150, ahead of `native` at 100): gemm, potrf, getrf, gesdd
 * (cusolverDn?gesvd) and syevd in float64 and float32, synchronous, one host-device round trip per
 * call. Unavailable, with the reason, unless the module is built, the CUDA libraries load and a
 * device is present. Untested on a GPU.
 */
export const cudaBackend: Backend = {
  name: 'cuda',
  priority: 150,
  description: 'cuBLAS/cuSOLVER through an optional N-API module (dlopen at run time; untested on a GPU)',
  probe: probeCuda,
  kernels: cudaKernels(),
};

/** The raw CUDA module, or null when it is not built (see `probeCuda().reason`). */
export function cudaAddon(): CudaAddon | null {
  return load().addon;
}
