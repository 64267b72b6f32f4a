import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { BenchCase, BenchSuite } from '@krylov/bench';
import {
  type FloatDType,
  type KernelName,
  type Mat,
  NDArray,
  getBackend,
  rng,
  runKernel,
  use,
} from '@krylov/core-array';
// registers the pure-JS LAPACK kernels (getrf, potrf, geqrf), blocked over gemm / trsm / syrk
import { cholesky } from '@krylov/decompositions';
import { plugin, setThreads } from '../src/index.js';

void cholesky;
const SIZES = [256, 512, 1024];
const N = 512;
const WASM = ['wasm-simd', 'js'];
const NATIVE = ['native', 'js'];

/** max |x - y| / max |y| over the flat data of two arrays. */
function relErr(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < y.length; i++) {
    num = Math.max(num, Math.abs(x[i] - y[i]));
    den = Math.max(den, Math.abs(y[i]));
  }
  return num / den;
}

interface JaxArray {
  ref: JaxArray;
  dispose(): void;
  data(): Promise<ArrayLike<number>>;
  reshape(shape: number[]): JaxArray;
}
interface Jax {
  init(...devices: string[]): Promise<string[]>;
  defaultDevice(d: string): void;
  blockUntilReady(x: JaxArray): Promise<JaxArray>;
  numpy: {
    array(data: ArrayLike<number>, opts: { dtype: unknown }): JaxArray;
    matmul(a: JaxArray, b: JaxArray): JaxArray;
    float32: unknown;
    float64: unknown;
  };
}

/** jax-js 0.1.25 on its WebAssembly CPU backend, or why it cannot run. */
async function loadJax(): Promise<Jax | string> {
  try {
    const jax = (await import('@jax-js/jax')) as unknown as Jax;
    const devices = await jax.init('wasm');
    if (!devices.includes('wasm')) return 'jax-js: no wasm device';
    jax.defaultDevice('wasm');
    return jax;
  } catch (e) {
    return `jax-js unavailable: ${(e as Error).message}`;
  }
}

interface Tf {
  setBackend(name: string): Promise<boolean>;
  tensor2d(data: Float32Array, shape: [number, number]): TfTensor;
  matMul(a: TfTensor, b: TfTensor): TfTensor;
}
interface TfTensor {
  dataSync(): Float32Array;
  dispose(): void;
}

/** TensorFlow.js with its WebAssembly backend (XNNPACK, SIMD build), or why it cannot run. */
async function loadTf(): Promise<Tf | string> {
  try {
    const tf = (await import('@tensorflow/tfjs-core')) as unknown as Tf;
    const wasm = (await import('@tensorflow/tfjs-backend-wasm')) as { setWasmPaths(p: string): void };
    const require = createRequire(import.meta.url);
    wasm.setWasmPaths(
      `${join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist')}/`,
    );
    if (!(await tf.setBackend('wasm'))) return 'tfjs-backend-wasm did not initialize';
    return tf;
  } catch (e) {
    return `tfjs-backend-wasm unavailable: ${(e as Error).message}`;
  }
}

export const suite: BenchSuite = {
  name: 'wasm',
  description:
    'WebAssembly SIMD backend: gemm f32/f64 at n = 256, 512, 1024 against the pure-JS and native backends, jax-js 0.1.25 (wasm) and tfjs-backend-wasm 4.22 (f32), and LU / Cholesky / QR at n = 512 on each backend; one thread, and wasm-simd gemm with 2 threads (setThreads(2)).',
  notes: [
    'krylov wasm-simd: the registry gemm under backends [wasm-simd, js] (copies A, B and C into wasm memory and C back, included in the time).',
    'jax-js: np.matmul on the wasm device, timed to blockUntilReady (its arrays stay in wasm memory). tfjs: tf.matMul + dataSync (copy out included), with the build tfjs picks by default in Node (thread count not set).',
    'Factorizations: the registry kernels getrf, potrf, geqrf of @krylov/decompositions (blocked LU, Cholesky, Householder QR) on float64, whose updates go to gemm / trsm / syrk of the backend named; native runs LAPACK itself. acc = max relative difference from the js result.',
    'krylov wasm-simd 2 threads: the same gemm after setThreads(2) (the calling thread and one Node worker on a shared memory, C split into two column blocks); every other wasm-simd case runs with setThreads(1). The machine has 2 cores.',
    'This machine is shared: other jobs may run at the same time, so medians carry noise; compare columns of one run.',
  ],
  async cases() {
    if (!getBackend('wasm-simd')) use(plugin);
    // whether 2 threads can start here (else the 2-thread cases are skipped with the reason)
    const two = await setThreads(2);
    const noThreads = two.details?.threads === 2 ? undefined : String(two.details?.threadsNote);
    await setThreads(1);
    const jax = await loadJax();
    const tf = await loadTf();
    const cases: BenchCase[] = [];
    const g = rng('wasm-bench');
    for (const n of SIZES)
      for (const dtype of ['float32', 'float64'] as FloatDType[]) {
        const a = g.normal([n, n], { dtype }) as Mat;
        const b = g.normal([n, n], { dtype }) as Mat;
        const make = () =>
          new NDArray(dtype === 'float64' ? new Float64Array(n * n) : new Float32Array(n * n), [n, n]) as Mat;
        const name = `gemm ${dtype === 'float64' ? 'f64' : 'f32'} n=${n}`;
        const flops = 2 * n ** 3;
        const gemm = (backends: readonly string[] | undefined, library: string, count = 1): BenchCase => ({
          name,
          library,
          flops,
          backends,
          skip: count > 1 ? noThreads : undefined,
          minRuns: library === 'krylov js' && n === 1024 ? 1 : 3,
          setup: async () => {
            await setThreads(count);
            return make();
          },
          run: (c) => runKernel('gemm', { alpha: 1, a, b, beta: 0, c: c as Mat }),
        });
        cases.push(
          gemm(WASM, 'krylov wasm-simd'),
          gemm(WASM, 'krylov wasm-simd 2 threads', 2),
          gemm(undefined, 'krylov js'),
          gemm(NATIVE, 'krylov native'),
        );
        cases.push({
          name,
          library: 'jax-js (wasm)',
          flops,
          skip:
            typeof jax === 'string'
              ? jax
              : dtype === 'float64' &&
                  typeof (globalThis as { Float16Array?: unknown }).Float16Array === 'undefined'
                ? `jax-js 0.1.25 float64 needs Float16Array, which Node ${process.version} lacks`
                : undefined,
          setup: () => {
            const j = jax as Jax;
            const dt = dtype === 'float64' ? j.numpy.float64 : j.numpy.float32;
            return {
              ja: j.numpy.array(a.data, { dtype: dt }).reshape([n, n]),
              jb: j.numpy.array(b.data, { dtype: dt }).reshape([n, n]),
            };
          },
          run: async (s) => {
            const { ja, jb } = s as { ja: JaxArray; jb: JaxArray };
            const j = jax as Jax;
            const c = await j.blockUntilReady(j.numpy.matmul(ja.ref, jb.ref));
            c.dispose();
          },
        });
        cases.push({
          name,
          library: 'tfjs-backend-wasm',
          flops,
          skip:
            typeof tf === 'string'
              ? tf
              : dtype === 'float64'
                ? 'TensorFlow.js has no float64 tensors'
                : undefined,
          setup: () => {
            const t = tf as Tf;
            return {
              ta: t.tensor2d(a.data as Float32Array, [n, n]),
              tb: t.tensor2d(b.data as Float32Array, [n, n]),
            };
          },
          run: (s) => {
            const { ta, tb } = s as { ta: TfTensor; tb: TfTensor };
            const c = (tf as Tf).matMul(ta, tb);
            c.dataSync();
            c.dispose();
          },
        });
      }

    // factorizations at n = 512, float64
    const a = g.normal([N, N]) as Mat;
    const spd = new NDArray(new Float64Array(N * N), [N, N]) as Mat;
    runKernel('gemm', { alpha: 1, a, b: a.T as Mat, beta: 0, c: spd });
    for (let i = 0; i < N; i++) spd.data[i * N + i] += N;
    const reference = new Map<string, Float64Array>();
    const factor = (name: string, kernel: KernelName, input: Mat, flops: number) => {
      for (const [library, backends] of [
        ['krylov js', undefined],
        ['krylov wasm-simd', WASM],
        ['krylov native', NATIVE],
      ] as const)
        cases.push({
          name,
          library,
          flops,
          backends,
          setup: async () => {
            await setThreads(1);
            return input.copy();
          },
          run: (w) => {
            (w as Mat).data.set(input.data);
            runKernel(kernel as 'getrf', { a: w as Mat });
            return w;
          },
          accuracy: (_s, r) => {
            const out = (r as Mat).data as Float64Array;
            if (library === 'krylov js') reference.set(name, out.slice());
            const ref = reference.get(name);
            return ref ? relErr(out, ref) : Number.NaN;
          },
        });
    };
    factor(`LU (getrf) f64 n=${N}`, 'getrf', a, (2 / 3) * N ** 3);
    factor(`Cholesky (potrf) f64 n=${N}`, 'potrf', spd, (1 / 3) * N ** 3);
    factor(`QR (geqrf) f64 n=${N}`, 'geqrf', a, (4 / 3) * N ** 3);
    return cases;
  },
};
