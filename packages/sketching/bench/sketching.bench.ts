import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BenchCase, BenchSuite, ExternalTiming } from '@krylov/bench';
import { NDArray, matmul, rng } from '@krylov/core-array';
import { lstsq, qr, svd } from '@krylov/decompositions';
import { randomizedSvd, sketchPreconditionedLstsq } from '../src/index.js';

const [M, N] = [20000, 2000];
const [SMALL_M, SMALL_N] = [2000, 200];
const [LS_M, LS_N] = [50000, 500];
/** Column suffix and backend order: the same code in pure JS and with the native backend loaded. */
const BACKENDS = [
  ['', undefined],
  [', native backend', ['native', 'js']],
] as const;

/** Rank-20 signal (sigma = 1) plus a tail 0.1 / (i - 19), as in the scikit-learn script. */
function spectrum(r: number): Float64Array {
  return Float64Array.from({ length: r }, (_, i) => (i < 20 ? 1 : 0.1 / (i - 19)));
}

function withSpectrum(m: number, n: number, s: Float64Array, seed: number): NDArray<'float64'> {
  const u = qr(rng(seed).normal([m, s.length])).q as NDArray<'float64'>;
  const v = qr(rng(seed + 1).normal([n, s.length])).q as NDArray<'float64'>;
  const r = s.length;
  for (let i = 0; i < m; i++) for (let j = 0; j < r; j++) u.data[i * r + j] *= s[j];
  return matmul(u, v.T) as NDArray<'float64'>;
}

/** G diag(s) V^T with G Gaussian / sqrt(m) (nearly orthonormal columns when m >> n): condition ~ s_1 / s_n without a QR of the tall factor. */
function gaussianWithSpectrum(m: number, n: number, s: Float64Array, seed: number): NDArray<'float64'> {
  const g = rng(seed).normal([m, n]);
  const v = qr(rng(seed + 1).normal([n, n])).q as NDArray<'float64'>;
  const scale = 1 / Math.sqrt(m);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) g.data[i * n + j] *= scale * s[j];
  return matmul(g, v.T) as NDArray<'float64'>;
}

function external(): { data: Record<string, ExternalTiming> | null; reason: string } {
  try {
    const script = fileURLToPath(new URL('./sklearn_sketching.py', import.meta.url));
    const text = execFileSync('python3', [script, `${SMALL_M}x${SMALL_N},${M}x${N}`, `${LS_M}x${LS_N}`], {
      encoding: 'utf8',
      maxBuffer: 1 << 24,
    });
    return { data: JSON.parse(text), reason: '' };
  } catch (e) {
    return { data: null, reason: `python3 with NumPy unavailable: ${(e as Error).message.split('\n')[0]}` };
  }
}

/** ||A - U S V^T||_2 / sigma_21 by 50 power iterations on R^T R, R applied as A x - U (S (V^T x)). */
function errorRatio(
  a: NDArray<'float64'>,
  f: { u: NDArray; s: NDArray; vt: NDArray },
  sigma: number,
): number {
  const n = a.shape[1];
  const k = f.s.size;
  const apply = (x: NDArray, transpose: boolean) => {
    const direct = transpose ? matmul(a.T, x) : matmul(a, x);
    const inner = transpose ? matmul(f.u.T, x) : matmul(f.vt, x);
    for (let i = 0; i < k; i++) inner.data[i] *= f.s.data[i];
    const low = transpose ? matmul(f.vt.T, inner) : matmul(f.u, inner);
    for (let i = 0; i < direct.size; i++) direct.data[i] -= low.data[i];
    return direct;
  };
  let x: NDArray = rng(99).normal([n, 1]);
  let est = 0;
  for (let it = 0; it < 50; it++) {
    const y = apply(apply(x, false), true);
    est = Math.sqrt(Math.hypot(...y.data));
    for (let i = 0; i < y.size; i++) y.data[i] /= est * est;
    x = y;
  }
  return est / sigma;
}

export const suite: BenchSuite = {
  name: 'sketching',
  description: `Randomized SVD (rank 20, decaying tail) against the full SVD and scikit-learn; sketch-and-precondition least squares against dense QR and NumPy (${LS_M} x ${LS_N})`,
  notes: [
    `The full SVD of decompositions (svd, thin) runs in pure JS (one-sided Jacobi) at ${SMALL_M} x ${SMALL_N} only (at ${M} x ${N} it would take hours), and at both sizes with the native backend (LAPACK dgesdd through the gesdd kernel).`,
    'scikit-learn (randomized_svd, n_oversamples=10, n_iter="auto") and numpy.linalg.lstsq run in python3 in the same run, on matrices built the same way (not bit-identical: NumPy draws its own random factors).',
    'error / sigma_21 is ||A - U S V^T||_2 / sigma_21: 1 is the best any rank-20 approximation can do.',
    '"native backend" columns run the same TypeScript with @krylov/native-blas loaded, so the gemm, gemv and QR kernels inside go to OpenBLAS/LAPACK.',
    'Least squares: A = G diag(s) V^T with G Gaussian / sqrt(m) and s from 1 to 1e-8 (condition about 1e8); optimality is ||A^T r|| / (||A|| ||r||).',
  ],
  cases: () => {
    const py = external();
    const ext = (name: string): BenchCase => ({
      name,
      library: 'scikit-learn / NumPy',
      ...(py.data?.[name]
        ? { external: () => py.data![name] }
        : { skip: py.reason || 'scikit-learn not installed' }),
    });
    const cases: BenchCase[] = [];
    for (const [m, n] of [
      [SMALL_M, SMALL_N],
      [M, N],
    ]) {
      const name = `randomized SVD rank 20, ${m}x${n}`;
      let a: NDArray<'float64'> | null = null;
      const matrix = () => {
        a ??= withSpectrum(m, n, spectrum(100), 1);
        return a;
      };
      for (const [library, backends] of BACKENDS)
        cases.push({
          name,
          library: `krylov randomizedSvd${library}`,
          backends,
          minRuns: 1,
          setup: matrix,
          run: (s) => randomizedSvd(s as NDArray<'float64'>, 20, { seed: 2 }),
          metrics: (s, f) => ({
            'error / sigma_21': errorRatio(
              s as NDArray<'float64'>,
              f as Parameters<typeof errorRatio>[1],
              spectrum(100)[20],
            ),
          }),
        });
      const fullSvd = (library: string, backends: readonly string[] | undefined): BenchCase => ({
        name,
        library,
        backends,
        minRuns: 1,
        setup: matrix,
        run: (s) => svd(s as NDArray<'float64'>),
        metrics: (s, f) => {
          const full = f as { u: NDArray; s: NDArray; vt: NDArray };
          const top = {
            u: full.u.slice(null, '0:20').copy(),
            s: full.s.slice('0:20').copy(),
            vt: full.vt.slice('0:20').copy(),
          };
          return { 'error / sigma_21': errorRatio(s as NDArray<'float64'>, top, spectrum(100)[20]) };
        },
      });
      // The pure-JS Jacobi SVD would take hours at 20000 x 2000; LAPACK's dgesdd through the native backend does not.
      if (m === SMALL_M) cases.push(fullSvd('krylov full svd', undefined));
      cases.push(fullSvd('krylov full svd, native backend', ['native', 'js']));
      cases.push(ext(name));
    }
    const lsName = `least squares ${LS_M}x${LS_N}, cond 1e8`;
    let problem: { a: NDArray<'float64'>; b: Float64Array } | null = null;
    const ls = () => {
      problem ??= {
        a: withSpectrum(
          LS_M,
          LS_N,
          Float64Array.from({ length: LS_N }, (_, i) => 10 ** (-8 * (i / (LS_N - 1)))),
          3,
        ),
        b: rng(4).normal([LS_M]).data as Float64Array,
      };
      return problem;
    };
    const optimality = (p: { a: NDArray<'float64'>; b: Float64Array }, x: NDArray) => {
      const r = matmul(p.a, x.reshape([LS_N, 1])).data.map((v, i) => p.b[i] - v);
      const atr = matmul(p.a.T, new NDArray(Float64Array.from(r), [LS_M, 1])).data;
      const norm = (v: ArrayLike<number>) => Math.sqrt(Array.from(v).reduce((t, w) => t + w * w, 0));
      return norm(atr) / norm(r);
    };
    for (const [library, backends] of BACKENDS)
      cases.push({
        name: lsName,
        library: `krylov sketch-and-precondition${library}`,
        backends,
        minRuns: 1,
        setup: ls,
        run: (s) => {
          const p = s as { a: NDArray<'float64'>; b: Float64Array };
          return sketchPreconditionedLstsq(p.a, p.b, { seed: 5 });
        },
        metrics: (s, r) => {
          const res = r as ReturnType<typeof sketchPreconditionedLstsq>;
          return {
            iterations: res.iterations,
            optimality: optimality(s as { a: NDArray<'float64'>; b: Float64Array }, res.x),
          };
        },
      });
    cases.push({
      name: lsName,
      library: 'krylov dense QR (lstsq)',
      minRuns: 1,
      setup: ls,
      run: (s) => {
        const p = s as { a: NDArray<'float64'>; b: Float64Array };
        return lstsq(p.a, new NDArray(p.b, [LS_M]), { driver: 'qr' });
      },
      metrics: (s, r) => ({
        optimality: optimality(s as { a: NDArray<'float64'>; b: Float64Array }, (r as { x: NDArray }).x),
      }),
    });
    cases.push(ext(lsName));
    return cases;
  },
};
