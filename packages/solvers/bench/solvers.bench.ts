import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BenchCase, BenchSuite, ExternalTiming } from '@krylov/bench';
import { NDArray, rng } from '@krylov/core-array';
import { solve } from '@krylov/decompositions';
import {
  CSRMatrix,
  RecyclingCG,
  cg,
  chebyshev,
  ic0,
  jacobi,
  poisson,
  refine,
  refineLeastSquares,
  ssor,
} from '../src/index.js';
import { withCondition } from '../test/helpers.js';

const SIDES = [100, 316, 1000];
const CG_STEPS = 20;

/** Runs the SciPy script once for all sizes; null (with the reason) when python3 or SciPy is missing. */
function scipyTimings(): { data: Record<string, ExternalTiming> | null; reason: string } {
  try {
    const script = fileURLToPath(new URL('./scipy_solvers.py', import.meta.url));
    const text = execFileSync('python3', [script, ...SIDES.map(String)], {
      encoding: 'utf8',
      maxBuffer: 1 << 24,
    });
    return { data: JSON.parse(text), reason: '' };
  } catch (e) {
    return { data: null, reason: `SciPy unavailable: ${(e as Error).message.split('\n')[0]}` };
  }
}

function sines(n: number): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => Math.sin(i + 1));
}

function recyclingRatio() {
  const base = poisson([32, 32]);
  const n = 1024;
  const rec = new RecyclingCG({ k: 20 });
  let fresh = 0;
  let recycled = 0;
  let freshIts = 0;
  let recycledIts = 0;
  for (let i = 0; i < 20; i++) {
    const diag = Float64Array.from({ length: n }, (_, j) => 0.001 * i * (1 + Math.sin(j)));
    const ids = Int32Array.from({ length: n + 1 }, (_, j) => j);
    const a = base.add(new CSRMatrix([n, n], ids, ids.subarray(0, n), diag));
    const b = rng(100 + i).normal([n]);
    const f = cg(a, b, { rtol: 1e-8 });
    const r = rec.solve(a, b, { rtol: 1e-8 });
    fresh += f.iterations + 1;
    freshIts += f.iterations;
    recycled += r.matvecs;
    recycledIts += r.iterations;
  }
  return { fresh, recycled, freshIts, recycledIts };
}

export const suite: BenchSuite = {
  name: 'solvers',
  description:
    'SpMV and CG on the 2-D Poisson matrix (5-point stencil) up to 1e6 unknowns, with and without preconditioners, against SciPy in the same run; Krylov recycling and mixed-precision refinement',
  notes: [
    'krylov native: the same code with the native backend loaded, so the registry runs `spmv` in C++ (@krylov/native-blas); vector updates stay in JS.',
    `CG rows time ${CG_STEPS} iterations (rtol = 0, so both libraries do exactly ${CG_STEPS}); ms/iter is the median divided by ${CG_STEPS}.`,
    'SciPy is timed by python3 packages/solvers/bench/scipy_solvers.py in the same run (scipy.sparse CSR @ and scipy.sparse.linalg.cg, single-threaded C).',
    'Preconditioned rows solve to rtol 1e-8 from x0 = 0 with b_i = sin(i + 1); iterations are reported next to the time.',
    'Recycling: 20 systems (2-D Poisson 32x32 plus a diagonal growing by 1e-3 per system), total operator applications of RecyclingCG (k = 20) over fresh CG.',
    'Mixed precision: n = 200, cond = 1e10; GMRES-IR with a float32 LU against a float64 LU solve; acc is the normwise backward error. Weighted least squares: refineLeastSquares (float32 QR, FGMRES corrections on the augmented system), optimality ||A^T r|| / (||A|| ||r||).',
  ],
  cases: () => {
    const scipy = scipyTimings();
    const cases: BenchCase[] = [];
    const external = (name: string): BenchCase => ({
      name,
      library: 'scipy',
      ...(scipy.data?.[name]
        ? { external: () => scipy.data![name] }
        : { skip: scipy.reason || 'not measured at this size' }),
    });
    for (const side of SIDES) {
      const n = side * side;
      let a: CSRMatrix | null = null;
      const matrix = () => {
        a ??= poisson([side, side]);
        return a;
      };
      const spmvName = `spmv poisson2d n=${n}`;
      cases.push({
        name: spmvName,
        library: 'krylov js',
        flops: 2 * 5 * n,
        setup: () => ({ a: matrix(), x: sines(n), y: new Float64Array(n) }),
        run: (s) => {
          const { a, x, y } = s as { a: CSRMatrix; x: Float64Array; y: Float64Array };
          return a.matvec(x, y);
        },
      });
      cases.push({
        name: spmvName,
        library: 'krylov native',
        backends: ['native', 'js'],
        flops: 2 * 5 * n,
        setup: () => ({ a: matrix(), x: sines(n), y: new Float64Array(n) }),
        run: (s) => {
          const { a, x, y } = s as { a: CSRMatrix; x: Float64Array; y: Float64Array };
          return a.matvec(x, y);
        },
      });
      cases.push(external(spmvName));
      const cgName = `cg ${CG_STEPS} iterations poisson2d n=${n}`;
      cases.push({
        name: cgName,
        library: 'krylov js',
        setup: () => ({ a: matrix(), b: sines(n) }),
        run: (s) => {
          const { a, b } = s as { a: CSRMatrix; b: Float64Array };
          return cg(a, b, { rtol: 0, maxiter: CG_STEPS });
        },
      });
      cases.push({
        name: cgName,
        library: 'krylov native',
        backends: ['native', 'js'],
        setup: () => ({ a: matrix(), b: sines(n) }),
        run: (s) => {
          const { a, b } = s as { a: CSRMatrix; b: Float64Array };
          return cg(a, b, { rtol: 0, maxiter: CG_STEPS });
        },
      });
      cases.push(external(cgName));
      if (n <= 200_000) {
        const name = `cg to rtol 1e-8 poisson2d n=${n}`;
        for (const [library, make] of [
          ['krylov js', () => undefined],
          ['krylov js + jacobi', (a: CSRMatrix) => jacobi(a)],
          ['krylov js + ssor(1.5)', (a: CSRMatrix) => ssor(a, { omega: 1.5 })],
          ['krylov js + ic0', (a: CSRMatrix) => ic0(a)],
          ['krylov js + chebyshev(4)', (a: CSRMatrix) => chebyshev(a, { degree: 4 })],
        ] as const) {
          cases.push({
            name,
            library,
            setup: () => ({ a: matrix(), b: sines(n), M: make(matrix()) }),
            run: (s) => {
              const { a, b, M } = s as {
                a: CSRMatrix;
                b: Float64Array;
                M: ReturnType<typeof jacobi> | undefined;
              };
              return cg(a, b, { rtol: 1e-8, M });
            },
            metrics: (_, r) => ({ iterations: (r as { iterations: number }).iterations }),
          });
        }
        cases.push(external(name));
      }
    }
    cases.push({
      name: 'recycling: 20 related systems, n=1024',
      library: 'krylov js',
      minRuns: 1,
      run: recyclingRatio,
      metrics: (_, r) => {
        const { fresh, recycled, freshIts, recycledIts } = r as ReturnType<typeof recyclingRatio>;
        return {
          'fresh its': freshIts,
          'recycled its': recycledIts,
          'its ratio': recycledIts / freshIts,
          'matvec ratio (with A W refresh)': recycled / fresh,
        };
      },
    });
    const kappa = 1e10;
    cases.push({
      name: 'mixed precision: n=200, cond 1e10',
      library: 'krylov js',
      setup: () => ({ a: withCondition(200, kappa, 1), b: sines(200) }),
      run: (s) => {
        const { a, b } = s as { a: ReturnType<typeof withCondition>; b: Float64Array };
        return refine(a, b);
      },
      metrics: (_, r) => {
        const res = r as ReturnType<typeof refine>;
        return {
          'backward error': res.backwardErrors.at(-1)!,
          steps: res.iterations,
          'gmres its': res.innerIterations,
        };
      },
    });
    cases.push({
      name: 'mixed precision: n=200, cond 1e10',
      library: 'krylov js float64 LU',
      setup: () => ({ a: withCondition(200, kappa, 1), b: sines(200) }),
      run: (s) => {
        const { a, b } = s as { a: ReturnType<typeof withCondition>; b: Float64Array };
        return solve(a, new NDArray(b, [200]));
      },
      metrics: (s, x) => {
        const { a, b } = s as { a: ReturnType<typeof withCondition>; b: Float64Array };
        return { 'backward error': backwardError(a, (x as NDArray).data as Float64Array, b) };
      },
    });
    const wls = () => {
      const [m, n] = [2000, 50];
      // Gaussian columns scaled from 1 to 1e-10: condition about 1e10.
      const a = rng(3).normal([m, n]);
      for (let j = 0; j < n; j++)
        for (let i = 0; i < m; i++) a.data[i * n + j] *= 10 ** (-10 * (j / (n - 1)));
      const weights = Float64Array.from({ length: m }, (_, i) => 10 ** (2 * Math.sin(i)));
      return { a, b: sines(m), weights };
    };
    cases.push({
      name: 'weighted least squares 2000x50, cond ~1e10',
      library: 'krylov js float32 QR + FGMRES',
      minRuns: 1,
      setup: wls,
      run: (s) => {
        const { a, b, weights } = s as ReturnType<typeof wls>;
        return refineLeastSquares(a, b, { weights });
      },
      metrics: (_, r) => {
        const res = r as ReturnType<typeof refineLeastSquares>;
        return {
          optimality: res.optimality.at(-1)!,
          steps: res.iterations,
          'fgmres its': res.innerIterations,
        };
      },
    });
    return cases;
  },
};

/** ||b - A x||_inf / (||A||_inf ||x||_inf + ||b||_inf), as refine reports it. */
function backwardError(a: NDArray, x: Float64Array, b: Float64Array): number {
  const n = b.length;
  let r = 0;
  let an = 0;
  for (let i = 0; i < n; i++) {
    let s = b[i];
    let row = 0;
    for (let j = 0; j < n; j++) {
      s -= a.get(i, j) * x[j];
      row += Math.abs(a.get(i, j));
    }
    r = Math.max(r, Math.abs(s));
    an = Math.max(an, row);
  }
  const inf = (v: Float64Array) => v.reduce((m, t) => Math.max(m, Math.abs(t)), 0);
  return r / (an * inf(x) + inf(b));
}
