import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type BenchCase, type BenchSuite, type ExternalTiming, lineWorker } from '@krylov/bench';
import { type NDArray, add, dot, listBackends, matmul, mul, norm, rng, sum } from '../src/index.js';

/** Calls per timed run: the report's milliseconds per run read as microseconds per call. */
const CALLS = 1000;

const ops: [string, (v: NDArray, a4: NDArray, a16: NDArray) => unknown][] = [
  ['add 4-vector', (v) => add(v, v)],
  ['scalar * 4-vector', (v) => mul(2.5, v)],
  ['dot 4-vector', (v) => dot(v, v)],
  ['sum 4-vector', (v) => sum(v)],
  ['norm 4-vector', (v) => norm(v)],
  ['matmul 4x4', (_v, a4) => matmul(a4, a4)],
  ['matmul 16x16', (_v, _a4, a16) => matmul(a16, a16)],
];

export const suite: BenchSuite = {
  name: 'overhead',
  description: `Per-call time of small operations (float64), in microseconds per call (each timed run is a loop of ${CALLS} calls, so the table's ms read as us per call): Krylov with the default backend order (every installed backend, highest priority first), Krylov pure JS only, and NumPy in python3 in the same run.`,
  notes: [
    'Target (issue #18): every row within 2x NumPy and never above 3 us per call.',
    "krylov default: the registry's choice among the installed backends (native, wasm-simd, js by priority); krylov js: the pure-JS kernels only. Both go through the public, validating functions (overlap and scalar checks included).",
    'numpy: the same expressions (v + v, 2.5 * v, v @ v, v.sum(), np.linalg.norm(v), a @ a) in python3, timed right before the Krylov columns of the row.',
  ],
  async cases() {
    const g = rng(4);
    const v = g.normal([4]);
    const a4 = g.normal([4, 4]);
    const a16 = g.normal([16, 16]);
    const order = listBackends()
      .filter((b) => b.available)
      .sort((x, y) => y.priority - x.priority)
      .map((b) => b.name);
    const missing = numpyMissing();
    const script = fileURLToPath(new URL('./numpy_overhead.py', import.meta.url));
    const numpy = missing
      ? null
      : await lineWorker<ExternalTiming>('python3', [script, String(CALLS)], ops.length);
    return ops.flatMap(([name, op]): BenchCase[] => {
      const run = () => {
        let r: unknown;
        for (let i = 0; i < CALLS; i++) r = op(v, a4, a16);
        return r;
      };
      return [
        { name, library: 'numpy', ...(numpy ? { external: () => numpy(name) } : { skip: missing! }) },
        { name, library: `krylov default (${order.join(',')})`, backends: order, run, minRuns: 10 },
        { name, library: 'krylov js', backends: ['js'], run, minRuns: 10 },
      ];
    });
  },
};

function numpyMissing(): string | null {
  try {
    execFileSync('python3', ['-c', 'import numpy'], { stdio: 'ignore' });
    return null;
  } catch (e) {
    return `NumPy unavailable: ${(e as Error).message.split('\n')[0]}`;
  }
}
