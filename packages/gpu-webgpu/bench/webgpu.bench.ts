import type { BenchCase, BenchSuite } from '@krylov/bench';
import { type Mat, NDArray, getBackend, rng, runKernel, runKernelAsync, use } from '@krylov/core-array';
import {
  type GPUArray,
  THRESHOLDS,
  deviceState,
  initWebGPU,
  matmul,
  plugin,
  synchronize,
  toGPU,
} from '../src/index.js';

const SIZES = [256, 512, 1024, 2048];

interface State {
  a: NDArray<'float32'>;
  b: NDArray<'float32'>;
  c: NDArray<'float32'>;
  ga?: GPUArray;
  gb?: GPUArray;
}

function inputs(n: number): State {
  const r = rng(n);
  return {
    a: r.normal([n, n], { dtype: 'float32' }),
    b: r.normal([n, n], { dtype: 'float32' }),
    c: new NDArray(new Float32Array(n * n), [n, n]) as NDArray<'float32'>,
  };
}

/**
 * Largest error of 64 sampled entries of C = A B against float64 dot products, relative to
 * n u sum_p |a_ip b_pj| (u = 2^-24): about 1 or below for a correct float32 gemm.
 */
function sampledError(s: State, result: unknown): number {
  const c = result as NDArray<'float32'>;
  const n = s.a.shape[0];
  const r = rng(99);
  let worst = 0;
  for (let t = 0; t < 64; t++) {
    const i = r.below(n);
    const j = r.below(n);
    let ref = 0;
    let bound = 0;
    for (let p = 0; p < n; p++) {
      const v = s.a.data[i * n + p] * s.b.data[p * n + j];
      ref += v;
      bound += Math.abs(v);
    }
    worst = Math.max(worst, Math.abs(c.data[i * n + j] - ref) / (n * 2 ** -24 * bound));
  }
  return worst;
}

const note: string[] = [];

export const suite: BenchSuite = {
  name: 'webgpu',
  description:
    'float32 gemm C = A B (n x n): the WebGPU backend with operands resident on the device (dispatch until the queue is idle), through the registry with transfers (matmulAsync path: upload, gemm, readback), beside the pure-JS and native (OpenBLAS) kernels',
  notes: note,
  cases: async () => {
    if (!getBackend('webgpu')) use(plugin);
    const avail = await initWebGPU();
    const s = deviceState();
    note.length = 0;
    note.push(
      avail.available
        ? `Adapter: ${String(avail.details?.adapter)} (${String(avail.details?.runtime)}).`
        : `No WebGPU adapter: ${avail.reason}.`,
    );
    if (s?.software) {
      note.push(
        'The adapter is a software rasterizer (SwiftShader on the CPU cores): the WebGPU columns measure a CPU emulation of a GPU and say nothing about GPU performance; they are recorded only to show the backend runs end to end.',
      );
      // the registry kernels decline software adapters by default; the bench measures them anyway
      THRESHOLDS.allowSoftware = true;
    }
    note.push(
      "Accuracy: the largest error over 64 sampled entries, relative to n u sum|a_ip b_pj| (u = 2^-24); 'on device' rows have no host copy of C to check (the tests check them).",
    );
    const cases: BenchCase[] = [];
    for (const n of SIZES) {
      const flops = 2 * n ** 3;
      const name = `gemm f32 n=${n}`;
      cases.push({
        name,
        library: 'krylov webgpu (on device)',
        flops,
        backends: ['webgpu'],
        minRuns: 2,
        setup: () => {
          const st = inputs(n);
          st.ga = toGPU(st.a);
          st.gb = toGPU(st.b);
          return st;
        },
        run: async (st) => {
          const { ga, gb } = st as State;
          const out = matmul(ga!, gb!);
          await synchronize();
          out.dispose();
        },
      });
      cases.push({
        name,
        library: 'krylov webgpu (with transfers)',
        flops,
        backends: ['webgpu'],
        minRuns: 2,
        setup: () => inputs(n),
        run: async (st) => {
          const { a, b, c } = st as State;
          await runKernelAsync('gemm', { alpha: 1, a: a as Mat, b: b as Mat, beta: 0, c: c as Mat });
          return c;
        },
        accuracy: (st, r) => sampledError(st as State, r),
      });
      for (const [library, backends] of [
        ['krylov js', ['js']],
        ['krylov native', ['native', 'js']],
      ] as const)
        cases.push({
          name,
          library,
          flops,
          backends,
          minRuns: 2,
          setup: () => inputs(n),
          run: (st) => {
            const { a, b, c } = st as State;
            runKernel('gemm', { alpha: 1, a: a as Mat, b: b as Mat, beta: 0, c: c as Mat });
            return c;
          },
          accuracy: (st, r) => sampledError(st as State, r),
        });
    }
    return cases;
  },
};
