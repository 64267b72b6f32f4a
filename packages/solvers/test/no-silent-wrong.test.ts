import { readFileSync } from 'node:fs';
import { DTypeError, InvalidArgumentError, NDArray, ShapeError, matmul, rng } from '@krylov/core-array';
import { describe, expect, it } from 'vitest';
import {
  COOMatrix,
  type CSCMatrix,
  CSRMatrix,
  LinearOperator,
  RecyclingCG,
  aslinearoperator,
  bicgstab,
  blockJacobi,
  cg,
  chebyshev,
  eigsh,
  fgmres,
  gmres,
  ic0,
  lsmr,
  lsqr,
  minres,
  poisson,
  randomSparse,
  svds,
  writeMatrixMarket,
} from '../src/index.js';
import { spmm, spmv } from '../src/kernels.js';

const fixture = JSON.parse(readFileSync(new URL('./fixtures/breakdown.json', import.meta.url), 'utf8'));

function residual(a: NDArray, x: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = b.length;
  let s = 0;
  for (let i = 0; i < n; i++) {
    let t = b[i];
    for (let j = 0; j < x.length; j++) t -= a.get(i, j) * x[j];
    s += t * t;
  }
  return Math.sqrt(s);
}

/** The matrix of fixtures/make_breakdown_fixture.py. */
function breakdownProblem() {
  const n = fixture.n as number;
  const a = new NDArray(new Float64Array(n * n), [n, n]);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) a.data[i * n + j] = (i === j ? i + 1 : 0) + (((7 * i + 3 * j) % 5) - 2) / 4;
  const m = new NDArray(new Float64Array(n * n), [n, n]);
  for (let i = 0; i < n - 3; i++) m.data[i * n + i] = 1;
  const b = Float64Array.from({ length: n }, (_, i) => Math.sin(i + 1));
  return { a, m, b };
}

function spd(n: number, seed: number): NDArray<'float64'> {
  const g = rng(seed).normal([n, n]);
  const a = matmul(g, g.T) as NDArray<'float64'>;
  for (let i = 0; i < n; i++) a.data[i * n + i] += n;
  return a;
}

describe('issue #27: no non-converged exit returns an x worse than x0', () => {
  it('GMRES and FGMRES with a singular preconditioner return the least-squares iterate (SciPy)', () => {
    const { a, m, b } = breakdownProblem();
    for (const solver of [gmres, fgmres]) {
      for (const restart of [20, 3]) {
        const r = solver(a, b, { M: m, restart, maxiter: 50, rtol: 1e-10 });
        expect(r.converged).toBe(false);
        expect(r.residualNorm).toBeLessThan(fixture.b_norm);
        expect(r.residualNorm).toBeLessThanOrEqual(fixture.gmres_residual * (1 + 1e-8));
        expect(r.residualNorm).toBeGreaterThanOrEqual(fixture.least_squares_residual * (1 - 1e-8));
        expect(residual(a, r.x.data, b)).toBeCloseTo(r.residualNorm, 10);
      }
    }
  });

  it('every square solver returns x0 (or better) when it fails from a good start', () => {
    const { a, m, b } = breakdownProblem();
    // x0 close to the solution: no iterate of a failing solve may be returned if it is worse.
    const exact = Float64Array.from(b);
    const x0 = Float64Array.from(exact, (v, i) => v + 1e-3 * Math.cos(i));
    const r0 = residual(a, x0, b);
    for (const solver of [gmres, fgmres, bicgstab]) {
      const r = solver(a, b, { x0, M: m, maxiter: 5 });
      expect(r.residualNorm).toBeLessThanOrEqual(r0);
    }
    const s = spd(8, 3);
    const indefM = new NDArray(new Float64Array(64), [8, 8]);
    for (let i = 0; i < 8; i++) indefM.data[i * 8 + i] = i % 2 ? 1 : -1;
    const bs = Float64Array.from({ length: 8 }, (_, i) => Math.sin(i + 1));
    for (const solver of [cg, minres]) {
      const x0s = new Float64Array(8).fill(0.01);
      const r = solver(s, bs, { x0: x0s, M: indefM, maxiter: 3 });
      expect(r.converged).toBe(false);
      expect(r.residualNorm).toBeLessThanOrEqual(residual(s, x0s, bs));
    }
  });

  it('BiCGSTAB at maxiter returns its best iterate, not its last', () => {
    const { a, m, b } = breakdownProblem();
    const r = bicgstab(a, b, { M: m, maxiter: 50, rtol: 1e-12 });
    expect(r.converged).toBe(false);
    expect(r.residualNorm).toBeLessThanOrEqual(Math.min(...r.residualHistory) * (1 + 1e-6) + 1e-12);
    expect(r.residualNorm).toBeLessThanOrEqual(fixture.b_norm);
  });

  it('a NaN-producing operator never returns NaN: x0 comes back, reported as not converged', () => {
    const op = new LinearOperator([3, 3], (x, out) => {
      out.set(x);
      out[0] = Number.NaN;
    });
    const b = [1, 2, 3];
    for (const solver of [gmres, bicgstab]) {
      const r = solver(op, b, { maxiter: 5 });
      expect(r.converged).toBe(false);
      expect(Array.from(r.x.data).every(Number.isFinite)).toBe(true);
    }
  });
});

describe('issue #27: MINRES with a shift measures the shifted residual', () => {
  it('residualNorm is ||b - (A - shift I) x|| and a failing shifted solve keeps its iterate', () => {
    const a = spd(6, 2);
    const b = Float64Array.from({ length: 6 }, (_, i) => Math.sin(i + 1));
    const shifted = a.copy() as NDArray<'float64'>;
    for (let i = 0; i < 6; i++) shifted.data[i * 7] -= 0.5;
    const r = minres(a, b, { shift: 0.5, rtol: 1e-12 });
    expect(r.converged).toBe(true);
    expect(r.residualNorm).toBeCloseTo(residual(shifted, r.x.data, b), 12);
    const early = minres(a, b, { shift: 0.5, maxiter: 2 });
    expect(early.residualNorm).toBeCloseTo(residual(shifted, early.x.data, b), 12);
    expect(early.residualNorm).toBeLessThan(Math.hypot(...b));
  });
});

describe('issue #27: least-squares results report their true residual', () => {
  it('lsqr and lsmr on a tall A: residualNorm is ||b - A x|| (it was NaN: the shift term read past x)', () => {
    const g = rng(5);
    const a = matmul(g.normal([60, 8]), g.normal([8, 8]));
    const b = g.normal([60]).data as Float64Array;
    for (const solve of [lsqr, lsmr]) {
      const r = solve(a, b);
      const ax = matmul(a, r.x.reshape([8, 1])).data;
      let ss = 0;
      for (let i = 0; i < 60; i++) ss += (b[i] - ax[i]) ** 2;
      expect(r.residualNorm).toBeCloseTo(Math.sqrt(ss), 10);
    }
  });
});

describe('issue #27: b = 0 returns x = 0 at once (SciPy)', () => {
  it('for every solver, whatever x0 is', () => {
    const s = spd(6, 1);
    const z = new Float64Array(6);
    const x0 = Float64Array.from({ length: 6 }, (_, i) => i + 1);
    const rec = new RecyclingCG({ k: 2 });
    const runs = [
      cg(s, z, { x0 }),
      minres(s, z, { x0 }),
      minres(s, z, { x0, shift: 0.5 }),
      gmres(s, z, { x0 }),
      fgmres(s, z, { x0 }),
      bicgstab(s, z, { x0 }),
      rec.solve(s, z, { x0 }),
      lsqr(s, z, { x0 }),
      lsmr(s, z, { x0 }),
    ];
    for (const r of runs) {
      expect(r.converged).toBe(true);
      expect(r.iterations).toBe(0);
      expect(Array.from(r.x.data)).toEqual(new Array(6).fill(0));
      expect(r.residualNorm).toBe(0);
    }
  });
});

describe('issue #27: outputs that alias inputs', () => {
  const a = randomSparse(7, 7, { density: 0.5, seed: 4, values: 'normal' });
  const x = Float64Array.from({ length: 7 }, (_, i) => Math.sin(i + 1));

  it('CSR/CSC matvec and rmatvec with out === x (and overlapping views) read a copy', () => {
    for (const m of [a, a.toCSC()] as (CSRMatrix | CSCMatrix)[]) {
      for (const op of ['matvec', 'rmatvec'] as const) {
        const want = m[op](x);
        const y = x.slice();
        expect(m[op](y, y)).toBe(y);
        expect(Array.from(y)).toEqual(Array.from(want));
      }
    }
    // A view that overlaps x shifted by one entry.
    const buf = new Float64Array(8);
    buf.set(x);
    const want = a.matvec(buf.subarray(0, 7));
    a.matvec(buf.subarray(0, 7), buf.subarray(1, 8));
    expect(Array.from(buf.subarray(1, 8))).toEqual(Array.from(want));
  });

  it('the public spmv/spmm kernels and LinearOperator.matvec/rmatvec do the same', () => {
    const want = a.matvec(x);
    const y = new NDArray(x.slice(), [x.length]);
    spmv({ a, x: y, y, alpha: 1, beta: 0, transpose: false });
    expect(Array.from(y.data)).toEqual(Array.from(want));
    const op = aslinearoperator(a.toDense());
    for (const f of ['matvec', 'rmatvec'] as const) {
      const w = op[f](x);
      const v = x.slice();
      op[f](v, v);
      for (let i = 0; i < 7; i++) expect(v[i]).toBeCloseTo(w[i], 12);
    }
    const b = new NDArray(
      Float64Array.from({ length: 49 }, (_, i) => Math.cos(i)),
      [7, 7],
    );
    const c = a.matmul(b);
    spmm({ a, b, c: b, alpha: 1, beta: 0 });
    expect(Array.from(b.data)).toEqual(Array.from(c.data));
  });

  it('wrong lengths and dtypes of x and out are typed errors', () => {
    expect(() => a.matvec(x, new Float64Array(3))).toThrow(ShapeError);
    expect(() => a.matvec(new Float32Array(7) as unknown as Float64Array)).toThrow(DTypeError);
    const xv = new NDArray(x, [x.length]);
    expect(() =>
      spmv({ a, x: xv, y: new NDArray(new Float64Array(2), [2]), alpha: 1, beta: 0, transpose: false }),
    ).toThrow(ShapeError);
    expect(() =>
      spmv({ a, x: xv, y: new NDArray(new Float32Array(7), [7]), alpha: 1, beta: 0, transpose: false }),
    ).toThrow(DTypeError);
  });
});

describe('issue #27: symmetry is checked where it is assumed', () => {
  const ns = new NDArray(Float64Array.from([2, 1, 0, 1, 3, 1, 0.5, 1, 4]), [3, 3]);
  it('eigsh, cg, minres, RecyclingCG, ic0 and chebyshev refuse a non-symmetric dense or sparse A', () => {
    const nsSparse = CSRMatrix.fromDense(ns);
    for (const m of [ns, nsSparse, nsSparse.toCSC(), nsSparse.toCOO()]) {
      expect(() => eigsh(m, 1)).toThrow(/relative asymmetry/);
      expect(() => cg(m, [1, 2, 3])).toThrow(InvalidArgumentError);
      expect(() => minres(m, [1, 2, 3])).toThrow(InvalidArgumentError);
      expect(() => new RecyclingCG().solve(m, [1, 2, 3])).toThrow(InvalidArgumentError);
      expect(() => chebyshev(m)).toThrow(/asymmetry/);
    }
    expect(() => ic0(nsSparse)).toThrow(/asymmetry/);
    // A symmetric Matrix Market file keeps one triangle: an asymmetric matrix would lose data silently.
    expect(() => writeMatrixMarket(nsSparse, { symmetric: true })).toThrow(/asymmetry/);
    expect(writeMatrixMarket(nsSparse, { symmetric: true, checkSymmetry: false })).toContain('symmetric');
    // Opting out reads the matrix as given.
    expect(() => cg(ns, [1, 2, 3], { checkSymmetry: false })).not.toThrow();
    expect(() => eigsh(ns, 1, { checkSymmetry: false, ncv: 3 })).not.toThrow();
    expect(() => cg(ns, [1, 2, 3], { checkSymmetry: 'no' as unknown as boolean })).toThrow(
      InvalidArgumentError,
    );
  });

  it('accepts symmetric input up to rounding, and trusts a LinearOperator', () => {
    const p = poisson([6]);
    const d = p.toDense();
    d.data[1] += 1e-12;
    expect(() => eigsh(d, 2)).not.toThrow();
    expect(eigsh(p, 2).values.size).toBe(2);
    // Duplicates in COO are summed before the comparison.
    const coo = new COOMatrix([2, 2], [0, 1, 0, 0], [1, 0, 1, 0], [1, 2, 1, 5]);
    expect(() => cg(coo, [1, 1])).not.toThrow();
    expect(() => cg(aslinearoperator(ns), [1, 2, 3], { maxiter: 2 })).not.toThrow();
  });
});

describe('issue #27: bad indices, lengths and callbacks', () => {
  const a = poisson([4]);
  it('CSRMatrix.get and CSCMatrix.get refuse indices outside the matrix', () => {
    expect(a.get(1, 1)).toBe(2);
    for (const [i, j] of [
      [4, 0],
      [0, 4],
      [-1, 0],
      [0.5, 0],
    ])
      for (const m of [a, a.toCSC()]) expect(() => m.get(i, j)).toThrow(InvalidArgumentError);
  });

  it('CSR construction states the actual wrong lengths', () => {
    expect(
      () =>
        new CSRMatrix([2, 2], Int32Array.from([0, 1, 2]), Int32Array.from([0, 1]), Float64Array.from([1])),
    ).toThrow(/indices and data need equal lengths \(got 2 and 1\)/);
    expect(
      () =>
        new CSRMatrix([2, 2], Int32Array.from([0, 2]), Int32Array.from([0, 1]), Float64Array.from([1, 2])),
    ).toThrow(/expected length 3 \(rows \+ 1\), got 2/);
    expect(
      () =>
        new CSRMatrix(
          [2, 2],
          Float64Array.from([0, 1, 2]) as unknown as Int32Array,
          Int32Array.from([0, 1]),
          Float64Array.from([1, 2]),
        ),
    ).toThrow(DTypeError);
  });

  it('a LinearOperator callback that returns the wrong length is a ShapeError naming the operator', () => {
    const bad = new LinearOperator([3, 3], (x) => Float64Array.from(x).subarray(0, 2), undefined, {
      name: 'myOp',
    });
    expect(() => bad.matvec(new Float64Array(3))).toThrow(ShapeError);
    expect(() => bad.matvec(new Float64Array(3))).toThrow(/myOp/);
    expect(() => cg(bad, [1, 2, 3])).toThrow(ShapeError);
    // SciPy style (return the result) works and is copied into out.
    const good = new LinearOperator([2, 2], (x) => [2 * x[0], 3 * x[1]]);
    expect(Array.from(good.matvec(Float64Array.from([1, 1])))).toEqual([2, 3]);
    expect(cg(good, [2, 3]).x.data[1]).toBeCloseTo(1, 6);
    expect(() => new LinearOperator([2, 2], 'nope' as never)).toThrow(InvalidArgumentError);
  });
});

describe('issue #27: every parameter is checked at the boundary', () => {
  const s = poisson([5]);
  const b = [1, 2, 3, 4, 5];
  it('solver options', () => {
    const bad: [string, unknown][] = [
      ['rtol', Number.NaN],
      ['rtol', -1],
      ['rtol', '1e-5'],
      ['atol', Number.POSITIVE_INFINITY],
      ['maxiter', 2.5],
      ['maxiter', -1],
      ['maxiter', '10'],
      ['callback', 42],
    ];
    for (const solver of [cg, minres, gmres, fgmres, bicgstab])
      for (const [key, value] of bad)
        expect(
          () => solver(s, b, { [key]: value } as never),
          `${solver.name} ${key}=${String(value)}`,
        ).toThrow(InvalidArgumentError);
    for (const restart of [0, 1.5, Number.NaN, '5'])
      expect(() => gmres(s, b, { restart: restart as number })).toThrow(InvalidArgumentError);
    expect(() => minres(s, b, { shift: Number.NaN })).toThrow(InvalidArgumentError);
    expect(() => lsqr(s, b, { damp: -1 })).toThrow(InvalidArgumentError);
    expect(() => cg(s, new NDArray(Int32Array.from(b), [5]) as never)).toThrow(DTypeError);
    expect(() => cg(s, Int32Array.from(b) as never)).toThrow(DTypeError);
    expect(() => cg(s, ['1', 2, 3, 4, 5] as never)).toThrow(InvalidArgumentError);
  });

  it('eigsh, svds and preconditioner options', () => {
    expect(() => eigsh(s, 0)).toThrow(InvalidArgumentError);
    expect(() => eigsh(s, 5)).toThrow(InvalidArgumentError);
    expect(() => eigsh(s, 2, { which: 'XX' as never })).toThrow(/one of "LA", "SA", "LM"/);
    expect(() => eigsh(s, 2, { tol: -1 })).toThrow(InvalidArgumentError);
    expect(() => eigsh(s, 2, { maxiter: 0 })).toThrow(InvalidArgumentError);
    expect(() => eigsh(s, 2, { ncv: 2 })).toThrow(InvalidArgumentError);
    expect(() => eigsh(s, 2, { seed: {} as never })).toThrow(/eigsh/);
    expect(() => eigsh(s, 2, { v0: [1, 2, Number.NaN, 4, 5] })).toThrow(InvalidArgumentError);
    expect(() => eigsh(s, 2, { vectors: 'yes' as never })).toThrow(InvalidArgumentError);
    expect(() => svds(s, 2, { nvc: 3 } as never)).toThrow(InvalidArgumentError);
    expect(() => blockJacobi(s, undefined as never)).toThrow(InvalidArgumentError);
    expect(() => chebyshev(s, { bounds: [Number.NaN, 1] })).toThrow(InvalidArgumentError);
    expect(() => randomSparse(3, 3, { density: 0.5, seed: Number.NaN })).toThrow(/randomSparse/);
  });
});
