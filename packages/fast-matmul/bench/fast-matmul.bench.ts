import type { BenchCase, BenchSuite } from '@krylov/bench';
import { type FloatDType, type Mat, NDArray, getBackend, runKernel, withBackends } from '@krylov/core-array';
import { type ExecStats, type SchemeName, errorFigures, fastMatmul, testMatrices } from '../src/index.js';

type Shape = [number, number, number];

/** The fastest available backend, for the float64 reference product. */
function referenceOrder(): string[] {
  for (const name of ['native', 'wasm-simd']) if (getBackend(name)?.probe().available) return [name, 'js'];
  return ['js'];
}

const zeros = (dtype: FloatDType, m: number, n: number) =>
  new NDArray(dtype === 'float64' ? new Float64Array(m * n) : new Float32Array(m * n), [m, n]) as Mat;

interface Row {
  base: 'wasm-simd' | 'native' | 'js';
  dtype: FloatDType;
  shape: Shape;
  schemes: SchemeName[];
}

const ALL: SchemeName[] = ['strassen', 'winograd', 'laderman', '333-23-lowadd', 'strassen-squared'];
const TWO: SchemeName[] = ['strassen', 'winograd'];
const RECT: SchemeName[] = ['winograd', '223-11', '233-15'];

// Kept short: the machine has 2 shared cores, and a wasm-simd f64 product at n = 4096 takes ~30 s.
function rows(): Row[] {
  const out: Row[] = [];
  for (const dtype of ['float64', 'float32'] as const) {
    out.push({ base: 'wasm-simd', dtype, shape: [1024, 1024, 1024], schemes: ALL });
    out.push({ base: 'wasm-simd', dtype, shape: [2048, 2048, 2048], schemes: [...TWO, '333-23-lowadd'] });
    out.push({ base: 'wasm-simd', dtype, shape: [4096, 4096, 4096], schemes: TWO });
    for (const n of [2048, 4096])
      out.push({
        base: 'native',
        dtype,
        shape: [n, n, n],
        schemes: [...TWO, '333-23-lowadd', 'strassen-squared'],
      });
  }
  out.push({ base: 'js', dtype: 'float64', shape: [512, 512, 512], schemes: ALL });
  out.push({ base: 'wasm-simd', dtype: 'float64', shape: [1536, 2304, 2304], schemes: RECT });
  return out;
}

/** Recursion stops where blocks would have fewer than this many rows or columns. */
const cutoffFor = (shape: Shape) => (Math.min(...shape) <= 1024 ? 256 : 512);

export const suite: BenchSuite = {
  name: 'fast-matmul',
  description:
    '@krylov/fast-matmul: classical gemm against fast schemes (Strassen, Winograd, Laderman, a 60-addition <3,3,3>:23, Strassen squared; <2,2,3>:11 and <2,3,3>:15 on a 2:3:3 rectangular product) over the wasm-simd, native and js base cases; one thread; time and max relative error side by side.',
  notes: [
    'Columns: "classical" is the registry gemm of the base backend alone; each scheme column runs fastMatmul(a, b, { scheme, cutoff }) with the base cases on the same backend (withBackends([base, "js"])). cutoff = 256 at n <= 1024, 512 above: recursion stops when a block would have fewer rows or columns; odd leftovers are peeled.',
    'acc = max |C - C_ref| / max |C_ref|, with C_ref the float64 product of the same (float32-rounded for f32 rows) inputs by the fastest available backend (native OpenBLAS here). "temp MiB" is the pool of temporaries beyond A, B and C; "levels" the recursion depth reached.',
    'Rows at n >= 2048 have one warm-up and one timed run (the machine has 2 shared cores): read them as +-20%. Speedups and the 1.3x target are discussed in packages/fast-matmul/README.md.',
  ],
  cases() {
    const cases: BenchCase[] = [];
    const refs = new Map<string, Mat>();
    for (const row of rows()) {
      const [m, k, n] = row.shape;
      const src = testMatrices('random', m, k, n, 'float64', m + k + n);
      const a = (row.dtype === 'float64' ? src.a : src.a.astype('float32')) as Mat;
      const b = (row.dtype === 'float64' ? src.b : src.b.astype('float32')) as Mat;
      const key = `${row.dtype}:${m}x${k}x${n}`;
      const ref = () => {
        let r = refs.get(key);
        if (!r) {
          const a64 = a.astype('float64') as Mat;
          const b64 = b.astype('float64') as Mat;
          r = zeros('float64', m, n);
          const c = r;
          withBackends(referenceOrder(), () => runKernel('gemm', { alpha: 1, a: a64, b: b64, beta: 0, c }));
          refs.clear();
          refs.set(key, r);
        }
        return r;
      };
      const shapeText = m === k && k === n ? `n=${n}` : `${m}x${k}x${n}`;
      const name = `gemm ${row.dtype === 'float64' ? 'f64' : 'f32'} ${shapeText} (${row.base} base)`;
      const backends = [row.base, 'js'];
      const flops = 2 * m * k * n;
      const minRuns = m * k * n >= 2048 ** 3 ? 1 : row.base === 'js' ? 1 : 3;
      const accuracy = (_s: unknown, c: unknown) => errorFigures(c as Mat, ref(), a, b).maxRelative;
      cases.push({
        name,
        library: 'classical',
        flops,
        backends,
        minRuns,
        setup: () => zeros(row.dtype, m, n),
        run: (c) => {
          runKernel('gemm', { alpha: 1, a, b, beta: 0, c: c as Mat });
          return c;
        },
        accuracy,
      });
      const cutoff = cutoffFor(row.shape);
      for (const scheme of row.schemes)
        cases.push({
          name,
          library: scheme,
          flops,
          backends,
          minRuns,
          setup: () => ({ stats: undefined as ExecStats | undefined }),
          run: (s) =>
            fastMatmul(a, b, { scheme, cutoff, onStats: (x) => ((s as { stats?: ExecStats }).stats = x) }),
          accuracy,
          metrics: (s): Record<string, number> => {
            const st = (s as { stats?: ExecStats }).stats;
            return st ? { levels: st.levels, 'temp MiB': Math.round(st.tempBytes / 2 ** 20) } : {};
          },
        });
    }
    return cases;
  },
};
