import type { BenchCase, BenchSuite } from '@krylov/bench';
import { Matrix } from 'ml-matrix';
import numeric from 'numeric';
import { type NDArray, getBackend, matmul, rng, withBackends } from '../src/index.js';

/** Relative max difference between a Krylov result and a plain-array reference. */
function relDiff(x: NDArray, ref: number[][]): number {
  let num = 0;
  let den = 0;
  const n = ref.length;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      num = Math.max(num, Math.abs(x.get(i, j) - ref[i][j]));
      den = Math.max(den, Math.abs(ref[i][j]));
    }
  }
  return num / den;
}

export const suite: BenchSuite = {
  name: 'gemm',
  description:
    'Dense matrix product C = A B, n x n, one thread: Krylov pure JS (and native when installed) vs ml-matrix and numeric.',
  notes: [
    'Accuracy: max |C - C_ref| / max |C_ref| against ml-matrix (float64) or our float64 product (float32 rows).',
    "krylov js: GotoBLAS-style packed gemm with a 4 x 4 scalar micro-kernel (float32 accumulated in float64); at least 7 runs at n = 1024. The machine is shared with other jobs, so medians carry noise; the JSON has each case's fastest run (minMs) too. This 2-vCPU VM also drifts between a fast and a slow phase (seconds to minutes long, within one process too): in the slow phase every pure-JS column, ml-matrix and numeric included, reads 25-35% lower (f64 n = 1024: 4.3-4.7 vs 2.6-3.4 GFLOP/s for krylov js). The runner therefore interleaves a row's libraries run by run (krylov js, native, ml-matrix, numeric, then krylov js alone for its extra runs), so the columns of a row share the phases; compare columns within one row.",
    'ml-matrix and numeric have no float32 path; the float32 rows compare Krylov backends only.',
  ],
  cases() {
    const cases: BenchCase[] = [];
    const native = getBackend('native')?.probe();
    for (const n of [256, 512, 1024]) {
      const g = rng(n);
      const a = g.normal([n, n]);
      const b = g.normal([n, n]);
      const flops = 2 * n ** 3;
      const arrays = { a: a.toArray() as number[][], b: b.toArray() as number[][] };
      let reference: number[][] | null = null;
      const ref = () => (reference ??= new Matrix(arrays.a).mmul(new Matrix(arrays.b)).to2DArray());
      const ma = new Matrix(arrays.a);
      const mb = new Matrix(arrays.b);
      for (const dtype of ['float64', 'float32'] as const) {
        const x = a.astype(dtype);
        const y = b.astype(dtype);
        const name = `gemm ${dtype === 'float64' ? 'f64' : 'f32'} n=${n}`;
        cases.push({
          name,
          library: 'krylov js',
          flops,
          run: () => withBackends(['js'], () => matmul(x, y)),
          // at n = 1024 the 1.5 s budget allows only 3 runs; 7 give a steadier median on this shared machine
          minRuns: n >= 1024 ? 7 : 3,
          accuracy: (_s, c) => relDiff(c as NDArray, ref()),
        });
        cases.push({
          name,
          library: 'krylov native',
          flops,
          skip: native?.available
            ? undefined
            : `native backend ${native ? `unavailable: ${native.reason}` : 'not loaded'}`,
          run: () => withBackends(['native'], () => matmul(x, y)),
          accuracy: (_s, c) => relDiff(c as NDArray, ref()),
        });
        if (dtype === 'float32') continue;
        // in the same row as Krylov's float64 cases, so the runner interleaves their runs
        cases.push({ name, library: 'ml-matrix 6', flops, run: () => ma.mmul(mb) });
        cases.push({ name, library: 'numeric 1.2', flops, run: () => numeric.dot(arrays.a, arrays.b) });
      }
    }
    return cases;
  },
};
