import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type BenchCase, type BenchSuite, type ExternalTiming, lineWorker } from '@krylov/bench';
import { NDArray, matmul, norm, rng, sub } from '@krylov/core-array';
import {
  CholeskyDecomposition,
  EigenvalueDecomposition,
  LuDecomposition,
  Matrix,
  QrDecomposition,
  SingularValueDecomposition,
} from 'ml-matrix';
import { cholesky, eigh, qr, solve, svd } from '../src/index.js';

const N = 512;

/** ||A - B||_F / ||A||_F */
const rel = (a: NDArray, b: NDArray) => norm(sub(a, b), 'fro').item() / norm(a, 'fro').item();
const fromMl = (m: Matrix) => new NDArray(Float64Array.from(m.to1DArray()), [m.rows, m.columns]);
const scaleColumns = (u: NDArray<'float64'>, s: ArrayLike<number>) => {
  const c = u.copy();
  const [m, k] = c.shape;
  for (let i = 0; i < m; i++) for (let j = 0; j < k; j++) c.data[i * k + j] *= s[j];
  return c;
};

/** Krylov's five cases on one set of inputs (float64 or float32); `suffix` marks the dtype in the row name. */
function krylovCases(a: NDArray, spd: NDArray, b: NDArray, suffix: string): BenchCase[] {
  return [
    {
      name: `LU solve${suffix}`,
      library: 'krylov js',
      run: () => solve(a, b),
      accuracy: (_s, x) => rel(b, matmul(a, x as NDArray)),
    },
    {
      name: `Cholesky${suffix}`,
      library: 'krylov js',
      run: () => cholesky(spd),
      accuracy: (_s, l) => rel(spd, matmul(l as NDArray, (l as NDArray).T)),
    },
    {
      name: `QR (explicit Q)${suffix}`,
      library: 'krylov js',
      run: () => qr(a),
      accuracy: (_s, f) => rel(a, matmul((f as { q: NDArray }).q, (f as { r: NDArray }).r)),
    },
    {
      name: `SVD${suffix}`,
      library: 'krylov js',
      run: () => svd(a),
      accuracy: (_s, f) => {
        const { u, s, vt } = f as ReturnType<typeof svd<'float64'>>;
        return rel(a, matmul(scaleColumns(u, s.data), vt));
      },
    },
    {
      name: `symmetric eigen${suffix}`,
      library: 'krylov js',
      run: () => eigh(spd),
      accuracy: (_s, f) => {
        const { values, vectors } = f as ReturnType<typeof eigh<'float64'>>;
        return rel(matmul(spd, vectors!), scaleColumns(vectors!, values.data));
      },
    },
  ];
}

export const suite: BenchSuite = {
  name: 'decompositions',
  description: `Dense factorizations at n = ${N}: Krylov's pure-JS kernels vs ml-matrix 6 in float64 (one thread), and with the native backend vs SciPy in float64 and float32 ('f32' rows: LAPACK's s-routines on both sides; OpenBLAS/LAPACK, both multithreaded on this machine's 2 cores).`,
  pageFaults: true,
  notes: [
    'faults/run = minor page faults per timed call; on this VM a fault costs about 15 us (a 512 x 512 result is 512 pages, about 8 ms, more than the Cholesky itself). SciPy frees at once and reuses its heap: 0 faults. Node frees array buffers in batches at GC, and glibc then returns the top of its heap to the OS, so Krylov calls can fault their results in again (GLIBC_TUNABLES=glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=268435456 keeps that memory). SciPy runs in one python3 worker started before the cases: spawning it later (Node forks) made the Node heap copy-on-write and cost the next native calls 512 faults each.',
    'krylov js and ml-matrix 6 take turns run by run (the runner interleaves the in-process cases of a row), so both columns see the same phases of this VM, which drifts between fast and slow spells.',
    'acc = relative residual ||A - factors|| / ||A|| (solve: ||b - A x|| / ||b||).',
    'krylov native: the same TypeScript with @krylov/native-blas loaded (gesv/potrf/geqrf/orgqr/gesdd/syevd in LAPACK). scipy: scipy.linalg in python3, each case timed right after the matching native case (same machine load), on matrices built the same way (not bit-identical).',
    "Krylov's pure-JS kernels: blocked LU and Cholesky with gemm trailing updates; Householder QR with compact WY; SVD = Golub-Kahan bidiagonalization + Demmel-Kahan bidiagonal QR; eigh = Householder tridiagonalization + implicit QL, both with the sweeps' rotations replayed on the vectors in cache-sized row blocks.",
  ],
  async cases() {
    const g = rng(N);
    const a = g.normal([N, N]);
    const spd = matmul(a, a.T);
    for (let i = 0; i < N; i++) spd.data[i * N + i] += N;
    const b = g.normal([N, 1]);
    const ma = new Matrix(a.toArray() as number[][]);
    const mspd = new Matrix(spd.toArray() as number[][]);
    const mb = new Matrix(b.toArray() as number[][]);
    const js = krylovCases(a, spd, b, '');
    const mlCases: BenchCase[] = [
      {
        name: 'LU solve',
        library: 'ml-matrix 6',
        run: () => new LuDecomposition(ma).solve(mb),
        accuracy: (_s, x) => rel(b, matmul(a, fromMl(x as Matrix))),
      },
      {
        name: 'Cholesky',
        library: 'ml-matrix 6',
        run: () => new CholeskyDecomposition(mspd).lowerTriangularMatrix,
        accuracy: (_s, l) => {
          const x = fromMl(l as Matrix);
          return rel(spd, matmul(x, x.T));
        },
      },
      {
        name: 'QR (explicit Q)',
        library: 'ml-matrix 6',
        run: () => {
          const d = new QrDecomposition(ma);
          return [d.orthogonalMatrix, d.upperTriangularMatrix];
        },
        accuracy: (_s, f) => rel(a, matmul(fromMl((f as Matrix[])[0]), fromMl((f as Matrix[])[1]))),
      },
      {
        name: 'SVD',
        library: 'ml-matrix 6',
        run: () => new SingularValueDecomposition(ma),
        accuracy: (_s, d) => {
          const svdMl = d as SingularValueDecomposition;
          return rel(
            a,
            matmul(
              scaleColumns(fromMl(svdMl.leftSingularVectors), svdMl.diagonal),
              fromMl(svdMl.rightSingularVectors).T,
            ),
          );
        },
      },
      {
        name: 'symmetric eigen',
        library: 'ml-matrix 6',
        run: () => new EigenvalueDecomposition(mspd, { assumeSymmetric: true }),
        accuracy: (_s, d) => {
          const e = d as EigenvalueDecomposition;
          const v = fromMl(e.eigenvectorMatrix);
          return rel(matmul(spd, v), scaleColumns(v, e.realEigenvalues));
        },
      },
    ];
    // pure JS and ml-matrix side by side, row by row
    const cases = js.flatMap((c, i) => [c, mlCases[i]]);
    // The same TypeScript with the native backend loaded (its kernels run LAPACK), in float64 and
    // float32 (LAPACK's s-routines), and SciPy on the same dtype.
    const f32 = (x: NDArray) => x.astype('float32');
    const nativeCases = [...js, ...krylovCases(f32(a), f32(spd), f32(b), ' f32')].map(
      (c): BenchCase => ({ ...c, library: 'krylov native', backends: ['native', 'js'] }),
    );
    // Each SciPy case runs right after the matching native case, so both see the same machine load.
    const missing = scipyMissing();
    // one python3 process for every SciPy case, started before them (see lineWorker)
    const script = fileURLToPath(new URL('./scipy_decompositions.py', import.meta.url));
    const scipy = missing
      ? null
      : await lineWorker<ExternalTiming>('python3', [script, String(N)], nativeCases.length);
    const paired = nativeCases.flatMap((c): BenchCase[] => [
      c,
      {
        name: c.name,
        library: 'scipy',
        ...(scipy ? { external: () => scipy(c.name) } : { skip: missing! }),
      },
    ]);
    return [...cases, ...paired];
  },
};

/** Why SciPy cannot be timed here, or null when python3 imports it. */
function scipyMissing(): string | null {
  try {
    execFileSync('python3', ['-c', 'import scipy.linalg'], { stdio: 'ignore' });
    return null;
  } catch (e) {
    return `SciPy unavailable: ${(e as Error).message.split('\n')[0]}`;
  }
}
