import { readFileSync } from 'node:fs';
import {
  InvalidArgumentError,
  NDArray,
  NotPositiveDefiniteError,
  ShapeError,
  SingularMatrixError,
  matmul,
} from '@krylov/core-array';
import { describe, expect, it } from 'vitest';
import {
  COOMatrix,
  CSRMatrix,
  LinearOperator,
  amd,
  analyzeCholesky,
  eigsh,
  factorized,
  gmres,
  poisson,
  randomSparse,
  rcm,
  readMatrixMarket,
  solve,
  sparseCholesky,
  spilu,
  splu,
  spsolve,
  svds,
} from '../src/index.js';
import { maxAbsDiff, sines } from './helpers.js';

const fixtureText = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const fx = JSON.parse(fixtureText('direct.json'));
const conv = readMatrixMarket(fixtureText('convdiff20.mtx')).toCSR();
const EPS = Number.EPSILON;

type Triplets = { shape: number[]; rows: number[]; cols: number[]; vals: number[] };
const fromTriplets = (t: Triplets) => new COOMatrix(t.shape, t.rows, t.cols, t.vals).toCSR();

function isPermutation(p: Int32Array, n: number): boolean {
  return p.length === n && new Set(p).size === n && p.every((v) => v >= 0 && v < n);
}

function frob(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * a[i];
  return Math.sqrt(s);
}

/** Dense P A P^T for perm[k] = original index k-th. */
function permuted(A: NDArray, perm: Int32Array): Float64Array {
  const n = perm.length;
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) out[i * n + j] = A.data[perm[i] * n + perm[j]] as number;
  return out;
}

function residual(A: CSRMatrix, x: ArrayLike<number>, b: ArrayLike<number>): number {
  const r = A.matvec(Float64Array.from(x));
  let m = 0;
  for (let i = 0; i < b.length; i++) m = Math.max(m, Math.abs(r[i] - b[i]));
  return m;
}

/** A random sparse n x n SPD matrix: R^T R + I with R sparse. */
function randomSpd(n: number, seed: number): CSRMatrix {
  const R = randomSparse(n, n, { density: 0.05, seed, values: 'normal' });
  const ids = Int32Array.from({ length: n + 1 }, (_, j) => j);
  const I = new CSRMatrix([n, n], ids, ids.subarray(0, n), new Float64Array(n).fill(1));
  const G = CSRMatrix.fromDense(matmul(R.toDense().T, R.toDense()) as NDArray);
  return G.add(I);
}

describe('orderings', () => {
  it('amd and rcm return permutations, for grids, random patterns and edge sizes', () => {
    for (const A of [
      poisson([30, 30]),
      randomSparse(200, 200, { density: 0.02, seed: 1 }),
      poisson([1]),
      poisson([2]),
    ]) {
      const n = A.shape[0];
      expect(isPermutation(amd(A), n)).toBe(true);
      expect(isPermutation(rcm(A), n)).toBe(true);
    }
    const empty = new CSRMatrix([0, 0], new Int32Array(1), new Int32Array(0), new Float64Array(0));
    expect(amd(empty)).toHaveLength(0);
    expect(rcm(empty)).toHaveLength(0);
    expect(() => amd(randomSparse(3, 4, { density: 0.5, seed: 1 }))).toThrow(ShapeError);
  });

  it('AMD fill on 2-D Poisson is within 1.3x of SciPy MMD_AT_PLUS_A and far below natural order', () => {
    for (const side of [10, 30, 60]) {
      const A = poisson([side, side]);
      const want = fx.fill[String(side)];
      const fill = analyzeCholesky(A).nnzL;
      expect(fill).toBeLessThanOrEqual(1.3 * want.mmd_L);
      expect(analyzeCholesky(A, { ordering: 'natural' }).nnzL).toBe(want.natural_L);
      if (side >= 30) expect(fill).toBeLessThan(0.5 * want.natural_L);
      // RCM cuts the profile: less fill than the natural order, more than AMD.
      const r = analyzeCholesky(A, { ordering: 'rcm' }).nnzL;
      expect(r).toBeLessThanOrEqual(want.natural_L);
      expect(r).toBeGreaterThan(fill);
    }
  });

  it('AMD orders a dense row last (arrowhead: no fill), and dense NDArrays are accepted', () => {
    const n = 300;
    const rows: number[] = [];
    const cols: number[] = [];
    const vals: number[] = [];
    for (let i = 0; i < n; i++) {
      rows.push(i);
      cols.push(i);
      vals.push(n);
      if (i > 0) {
        rows.push(0, i);
        cols.push(i, 0);
        vals.push(1, 1);
      }
    }
    const A = new COOMatrix([n, n], rows, cols, vals).toCSR();
    expect(amd(A)[n - 1]).toBe(0);
    expect(analyzeCholesky(A).nnzL).toBe(2 * n - 1);
    expect(analyzeCholesky(A, { ordering: 'natural' }).nnzL).toBe((n * (n + 1)) / 2);
    const D = poisson([5, 5]).toDense();
    expect(maxAbsDiff(sparseCholesky(D).solve(sines(25)).data, spsolve(D, sines(25)).data)).toBeLessThan(
      1e-13,
    );
  });

  it('an explicit ordering is validated', () => {
    const A = poisson([3]);
    expect(analyzeCholesky(A, { ordering: [2, 1, 0] }).perm).toEqual(Int32Array.from([2, 1, 0]));
    expect(() => analyzeCholesky(A, { ordering: [0, 0, 1] })).toThrow(InvalidArgumentError);
    expect(() => analyzeCholesky(A, { ordering: [0, 1] })).toThrow(ShapeError);
    expect(() => analyzeCholesky(A, { ordering: 'colamd' as 'amd' })).toThrow(InvalidArgumentError);
    expect(() => analyzeCholesky(A, { orderng: 'amd' } as object)).toThrow(InvalidArgumentError);
  });
});

describe('sparse Cholesky', () => {
  it('scaled residual ||P A P^T - L L^T||_F / (n eps ||A||_F) below 30 for every ordering', () => {
    for (const A of [poisson([12, 12]), randomSpd(120, 5), poisson([7, 5, 3])]) {
      const D = A.toDense();
      const n = A.shape[0];
      for (const ordering of ['amd', 'rcm', 'natural'] as const) {
        const F = sparseCholesky(A, { ordering });
        const L = F.L.toDense();
        const LLt = matmul(L, L.T).data as Float64Array;
        const PAPt = permuted(D, F.perm);
        const diff = PAPt.map((v, i) => v - LLt[i]);
        expect(frob(diff) / (n * EPS * frob(D.data as Float64Array))).toBeLessThan(30);
      }
    }
  });

  it('solves, and logdet matches the closed form of 2-D Poisson', () => {
    const side = 40;
    const A = poisson([side, side]);
    const F = sparseCholesky(A);
    const b = sines(side * side);
    expect(residual(A, F.solve(b).data as Float64Array, b)).toBeLessThan(1e-12);
    let logdet = 0;
    for (let i = 1; i <= side; i++)
      for (let j = 1; j <= side; j++)
        logdet += Math.log(
          4 * Math.sin((Math.PI * i) / (2 * (side + 1))) ** 2 +
            4 * Math.sin((Math.PI * j) / (2 * (side + 1))) ** 2,
        );
    expect(Math.abs(F.logdet() - logdet)).toBeLessThan(1e-9 * Math.abs(logdet));
    // Several right-hand sides as the columns of an n x 2 array.
    const B = new NDArray(
      new Float64Array(2 * side * side).map((_, t) => Math.cos(t)),
      [side * side, 2],
    );
    const X = F.solve(B);
    expect(X.shape).toEqual([side * side, 2]);
    const col = Float64Array.from({ length: side * side }, (_, i) => X.data[2 * i + 1] as number);
    expect(
      residual(
        A,
        col,
        Float64Array.from({ length: side * side }, (_, i) => B.data[2 * i + 1] as number),
      ),
    ).toBeLessThan(1e-12);
  });

  it('refactors a matrix with the same pattern without a new analysis', () => {
    const A = poisson([20, 20]);
    const n = A.shape[0];
    const symbolic = analyzeCholesky(A);
    const F = symbolic.factor(A);
    const shifted = new CSRMatrix(
      A.shape,
      A.indptr,
      A.indices,
      A.data.map((v, p) => (v > 0 ? v + 0.01 * (p % 7) : v)),
    );
    const G = F.refactor(shifted);
    expect(G.symbolic).toBe(symbolic);
    const b = sines(n);
    expect(residual(shifted, G.solve(b).data as Float64Array, b)).toBeLessThan(1e-12);
    expect(() => symbolic.factor(poisson([20, 19]))).toThrow(InvalidArgumentError);
    const pattern = A.add(new COOMatrix(A.shape, [0, n - 1], [n - 1, 0], [0.1, 0.1]).toCSR());
    expect(() => F.refactor(pattern)).toThrow(InvalidArgumentError);
  });

  it('refuses indefinite input with the column, and non-symmetric input', () => {
    const A = poisson([10, 10]);
    const n = A.shape[0];
    const ids = Int32Array.from({ length: n + 1 }, (_, j) => j);
    const indefinite = A.add(new CSRMatrix([n, n], ids, ids.subarray(0, n), new Float64Array(n).fill(-1)));
    try {
      sparseCholesky(indefinite);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(NotPositiveDefiniteError);
      expect((e as NotPositiveDefiniteError).column).toBeGreaterThanOrEqual(0);
    }
    const small = CSRMatrix.fromDense(new NDArray(Float64Array.from([4, 2, 0, 2, 1, 0, 0, 0, 3]), [3, 3]));
    expect(() => sparseCholesky(small, { ordering: 'natural' })).toThrow(
      expect.objectContaining({ name: 'NotPositiveDefiniteError', column: 1 }),
    );
    expect(() => sparseCholesky(conv)).toThrow(/asymmetry/);
    expect(() => sparseCholesky(randomSparse(3, 4, { density: 0.5, seed: 1 }))).toThrow(ShapeError);
  });
});

describe('sparse LU', () => {
  it('spsolve matches SciPy on the convection-diffusion problem and a random matrix with zero diagonals', () => {
    const b = sines(400);
    const x = spsolve(conv, b).data as Float64Array;
    expect(maxAbsDiff(x, fx.spsolve_convdiff)).toBeLessThan(1e-12);
    expect(residual(conv, x, b)).toBeLessThan(1e-12);
    const R = fromTriplets(fx.random.A);
    const n = R.shape[0];
    const lu = splu(R);
    expect(maxAbsDiff(lu.solve(sines(n)).data, fx.random.x)).toBeLessThan(1e-10);
    expect(maxAbsDiff(lu.solve(sines(n), 'T').data, fx.random.xT)).toBeLessThan(1e-10);
    expect(maxAbsDiff(factorized(R)(sines(n)).data, fx.random.x)).toBeLessThan(1e-10);
  });

  it('spsolve agrees with the dense solve on random sparse matrices, every ordering and threshold', () => {
    for (let seed = 0; seed < 6; seed++) {
      const n = 40 + 13 * seed;
      const R = randomSparse(n, n, { density: 0.06, seed, values: 'normal' });
      const ids = Int32Array.from({ length: n + 1 }, (_, j) => j);
      const A = R.add(new CSRMatrix([n, n], ids, ids.subarray(0, n), new Float64Array(n).fill(0.5)));
      const b = sines(n);
      const dense = solve(A.toDense(), new NDArray(b, [n])).data as Float64Array;
      for (const ordering of ['amd', 'rcm', 'natural'] as const)
        for (const diagPivotThresh of [1, 0.1]) {
          const x = spsolve(A, b, { ordering, diagPivotThresh }).data as Float64Array;
          expect(maxAbsDiff(x, dense)).toBeLessThan(1e-9 * Math.max(1, frob(dense)));
        }
    }
  });

  it('Pr A Pc = L U to a scaled residual below 30', () => {
    const A = fromTriplets(fx.random.A);
    const n = A.shape[0];
    const lu = splu(A);
    const LU = matmul(lu.L.toDense(), lu.U.toDense()).data as Float64Array;
    const D = A.toDense().data as Float64Array;
    const diff = new Float64Array(n * n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++)
        diff[lu.perm_r[i] * n + lu.perm_c[j]] = D[i * n + j] - LU[lu.perm_r[i] * n + lu.perm_c[j]];
    expect(frob(diff) / (n * EPS * frob(D))).toBeLessThan(30);
    expect(lu.nnz).toBe(lu.L.nnz + lu.U.nnz);
  });

  it('names the column of a structurally or numerically singular matrix', () => {
    // Column 2 is empty: structurally singular.
    const S = new COOMatrix([3, 3], [0, 1, 2, 0], [0, 1, 1, 1], [1, 2, 3, 4]).toCSR();
    expect(() => splu(S, { ordering: 'natural' })).toThrow(
      expect.objectContaining({ name: 'SingularMatrixError', pivot: 2 }),
    );
    // Rank one: numerically singular in column 1.
    const N = CSRMatrix.fromDense(new NDArray(Float64Array.from([1, 2, 2, 4]), [2, 2]));
    expect(() => spsolve(N, [1, 1], { ordering: 'natural' })).toThrow(SingularMatrixError);
    expect(() => spsolve(conv, sines(5))).toThrow(ShapeError);
    expect(() => splu(conv, { diagPivotThresh: 2 })).toThrow(InvalidArgumentError);
    expect(() => splu(conv).solve(sines(400), 'C' as 'T')).toThrow(InvalidArgumentError);
  });

  it('spilu preconditions GMRES; with no dropping it is the exact LU', () => {
    const A = conv;
    const b = sines(400);
    const plain = gmres(A, b, { rtol: 1e-10, restart: 20, maxiter: 200 });
    const ilu = spilu(A, { dropTol: 1e-2, fillFactor: 4 });
    expect(ilu.nnz).toBeLessThanOrEqual(4 * A.nnz + 400);
    const pre = gmres(A, b, { rtol: 1e-10, restart: 20, maxiter: 200, M: ilu });
    expect(pre.converged).toBe(true);
    expect(pre.iterations).toBeLessThan(plain.iterations / 3);
    const exact = spilu(A, { dropTol: 0, fillFactor: 1e6 });
    expect(maxAbsDiff(exact.solve(b).data, fx.spsolve_convdiff)).toBeLessThan(1e-12);
  });
});

describe('shift-invert eigsh and svds', () => {
  it('the 4 smallest eigenvalues of 2-D Poisson 100x100 with sigma = 0, to 1e-12 of the closed form', () => {
    const side = 100;
    const exact: number[] = [];
    for (let i = 1; i <= 3; i++)
      for (let j = 1; j <= 3; j++)
        exact.push(
          4 * Math.sin((Math.PI * i) / (2 * (side + 1))) ** 2 +
            4 * Math.sin((Math.PI * j) / (2 * (side + 1))) ** 2,
        );
    exact.sort((a, b) => a - b);
    const A = poisson([side, side]);
    const r = eigsh(A, 4, { sigma: 0 });
    expect(maxAbsDiff(r.values.data, exact.slice(0, 4))).toBeLessThan(1e-12);
    expect(r.matvecs).toBeLessThan(100);
    const v = r.vectors as NDArray<'float64'>;
    const col = Float64Array.from({ length: side * side }, (_, t) => v.data[t * 4]);
    const Av = A.matvec(col);
    expect(
      maxAbsDiff(
        Av,
        col.map((x) => x * exact[0]),
      ),
    ).toBeLessThan(1e-10);
  });

  it("SciPy's modes 'normal', 'buckling', 'cayley', standard and generalized", () => {
    const A = poisson([12, 12]);
    const M = fromTriplets(fx.M);
    for (const mode of ['normal', 'buckling', 'cayley'] as const)
      for (const gen of [false, true]) {
        const r = eigsh(A, 4, { sigma: 0.5, mode, ...(gen ? { M } : {}) });
        expect(maxAbsDiff(r.values.data, fx.eigsh[`${mode}${gen ? '_M' : ''}`])).toBeLessThan(1e-10);
      }
    // A user-supplied (A - sigma I)^-1 lets A be a LinearOperator.
    const lu = splu(A);
    const op = new LinearOperator(A.shape, (x, out) => A.matvec(x, out));
    const inv = new LinearOperator(A.shape, (x, out) => {
      out.set(lu.solve(x).data as Float64Array);
    });
    const r = eigsh(op, 4, { sigma: 0, OPinv: inv });
    const direct = eigsh(A, 4, { sigma: 0 });
    expect(maxAbsDiff(r.values.data, direct.values.data)).toBeLessThan(1e-12);
  });

  it('rejects inconsistent shift-invert options', () => {
    const A = poisson([6, 6]);
    expect(() => eigsh(A, 2, { mode: 'cayley' })).toThrow(InvalidArgumentError);
    expect(() => eigsh(A, 2, { M: A })).toThrow(InvalidArgumentError);
    expect(() => eigsh(A, 2, { sigma: 0, mode: 'buckling' })).toThrow(InvalidArgumentError);
    expect(() => eigsh(A, 2, { sigma: 0, mode: 'shift' as 'normal' })).toThrow(InvalidArgumentError);
    const op = new LinearOperator(A.shape, (x, out) => A.matvec(x, out));
    expect(() => eigsh(op, 2, { sigma: 0 })).toThrow(/OPinv/);
    expect(() => eigsh(A, 2, { sigma: 0, M: poisson([5, 5]) })).toThrow(ShapeError);
    // sigma an exact eigenvalue of the 1-D Laplacian of size 1: 2 - 2 = 0.
    expect(() => eigsh(poisson([3]), 1, { sigma: 2 })).toThrow(SingularMatrixError);
  });

  it('svds with sigma: the singular values nearest sigma, with consistent vectors', () => {
    const G = CSRMatrix.fromDense(new NDArray(Float64Array.from(fx.svd.A), [40, 30]));
    const all: number[] = fx.svd.s;
    for (const sigma of [0, 2.5]) {
      const r = svds(G, 3, { sigma });
      const want = [...all]
        .sort((a, b) => Math.abs(a - sigma) - Math.abs(b - sigma))
        .slice(0, 3)
        .sort((a, b) => b - a);
      expect(maxAbsDiff(r.s.data, want)).toBeLessThan(1e-10);
      const u = r.u as NDArray<'float64'>;
      const vt = r.vt as NDArray<'float64'>;
      const v0 = Float64Array.from({ length: 30 }, (_, t) => vt.data[t]);
      const Av = G.matvec(v0);
      expect(
        maxAbsDiff(
          Av,
          Float64Array.from({ length: 40 }, (_, t) => u.data[t * 3] * want[0]),
        ),
      ).toBeLessThan(1e-9);
    }
    // Wide input uses A A^T.
    const W = CSRMatrix.fromDense(new NDArray(Float64Array.from(fx.svd.A), [30, 40]));
    expect(svds(W, 2, { sigma: 0 }).s.data[1]).toBeGreaterThan(0);
  });
});
