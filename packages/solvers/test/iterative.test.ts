import { readFileSync } from 'node:fs';
import { InvalidArgumentError, ShapeError, array, rng } from '@krylov/core-array';
import { describe, expect, it } from 'vitest';
import {
  CSRMatrix,
  LinearOperator,
  bicgstab,
  cg,
  eigsh,
  fgmres,
  gmres,
  lsmr,
  lsqr,
  minres,
  poisson,
  readMatrixMarket,
  svds,
} from '../src/index.js';
import { maxAbsDiff, sines } from './helpers.js';

const fixtureText = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const scipy = JSON.parse(fixtureText('scipy.json'));
const spd = poisson([20, 20]);
const conv = readMatrixMarket(fixtureText('convdiff20.mtx')).toCSR();
const tall = readMatrixMarket(fixtureText('tall60x25.mtx')).toCSR();

describe('against SciPy (fixtures/make_fixtures.py)', () => {
  it('cg: same solution and iteration count on 2-D Poisson', () => {
    const r = cg(spd, sines(400), { rtol: 1e-8 });
    expect(r.converged).toBe(true);
    expect(Math.abs(r.iterations - scipy.cg.iterations)).toBeLessThanOrEqual(1);
    expect(maxAbsDiff(r.x.data, scipy.cg.x)).toBeLessThan(1e-9);
    expect(r.residualNorm).toBeLessThanOrEqual(1e-8 * Math.sqrt(sines(400).reduce((s, v) => s + v * v, 0)));
    expect(r.residualHistory).toHaveLength(r.iterations + 1);
  });

  it('minres: same solution', () => {
    const r = minres(spd, sines(400), { rtol: 1e-10 });
    expect(r.converged).toBe(true);
    expect(maxAbsDiff(r.x.data, scipy.minres.x)).toBeLessThan(1e-8);
    // SciPy's minres stops on ||r|| / (||A|| ||x||) <= rtol rather than the common rule, so its count differs a little.
    expect(Math.abs(r.iterations - scipy.minres.iterations)).toBeLessThanOrEqual(10);
  });

  it('gmres, fgmres and bicgstab on a nonsymmetric .mtx matrix', () => {
    const b = sines(400);
    for (const solver of [gmres, fgmres]) {
      const r = solver(conv, b, { rtol: 1e-8, restart: 20 });
      expect(r.converged).toBe(true);
      expect(maxAbsDiff(r.x.data, scipy.gmres.x)).toBeLessThan(1e-7);
    }
    const r = bicgstab(conv, b, { rtol: 1e-8 });
    expect(r.converged).toBe(true);
    expect(maxAbsDiff(r.x.data, scipy.bicgstab.x)).toBeLessThan(1e-7);
    expect(Math.abs(r.iterations - scipy.bicgstab.iterations)).toBeLessThanOrEqual(3);
  });

  it('lsqr and lsmr (also damped) on a tall sparse matrix', () => {
    const b = sines(60);
    const q = lsqr(tall, b, { atol: 1e-12, btol: 1e-12 });
    expect(q.converged).toBe(true);
    expect(maxAbsDiff(q.x.data, scipy.lsqr.x)).toBeLessThan(1e-9);
    expect(Math.abs(q.iterations - scipy.lsqr.iterations)).toBeLessThanOrEqual(2);
    const s = lsmr(tall, b, { atol: 1e-12, btol: 1e-12 });
    expect(maxAbsDiff(s.x.data, scipy.lsmr.x)).toBeLessThan(1e-9);
    expect(Math.abs(s.iterations - scipy.lsmr.iterations)).toBeLessThanOrEqual(2);
    expect(s.istop).toBe(scipy.lsmr.istop);
    const d = lsqr(tall, b, { damp: 0.5, atol: 1e-12, btol: 1e-12 });
    expect(maxAbsDiff(d.x.data, scipy.lsqr_damped.x)).toBeLessThan(1e-9);
  });

  it('eigsh and svds', () => {
    const la = eigsh(spd, 5);
    expect(maxAbsDiff(la.values.data, scipy.eigsh_LA)).toBeLessThan(1e-11);
    const sa = eigsh(spd, 5, { which: 'SA' });
    expect(maxAbsDiff(sa.values.data, scipy.eigsh_SA)).toBeLessThan(1e-11);
    // Eigenvector residuals ||A v - lambda v||.
    const v = sa.vectors!;
    for (let c = 0; c < 5; c++) {
      const col = Float64Array.from({ length: 400 }, (_, i) => v.get(i, c));
      const av = spd.matvec(col);
      expect(
        maxAbsDiff(
          av,
          col.map((x) => x * sa.values.data[c]),
        ),
      ).toBeLessThan(1e-9);
    }
    const s = svds(tall, 3);
    expect(maxAbsDiff(s.s.data, scipy.svds)).toBeLessThan(1e-10);
    const u0 = Float64Array.from({ length: 60 }, (_, i) => s.u!.get(i, 0));
    const v0 = Float64Array.from({ length: 25 }, (_, i) => s.vt!.get(0, i));
    expect(
      maxAbsDiff(
        tall.matvec(v0),
        u0.map((x) => x * s.s.data[0]),
      ),
    ).toBeLessThan(1e-9);
  });
});

describe('reports', () => {
  it('reports an indefinite matrix in CG instead of hiding it', () => {
    const a = array([
      [1, 0],
      [0, -1],
    ]);
    const r = cg(a, [1, 1]);
    expect(r.converged).toBe(false);
    expect(r.reason).toBe('indefinite');
    expect(r.message).toMatch(/not positive definite/);
  });

  it('reports a BiCGSTAB breakdown', () => {
    // The shadow residual becomes orthogonal to A p: rtilde^T A r0 = 0 for this rotation.
    const a = array([
      [0, 1],
      [-1, 0],
    ]);
    const r = bicgstab(a, [1, 0]);
    expect(r.reason).toBe('breakdown');
    expect(r.converged).toBe(false);
  });

  it('stops at maxiter, by the callback and by an AbortSignal', () => {
    const b = sines(400);
    const m = cg(spd, b, { rtol: 1e-12, maxiter: 5 });
    expect(m.reason).toBe('maxiter');
    expect(m.iterations).toBe(5);
    const seen: number[] = [];
    const c = gmres(spd, b, {
      callback: ({ iteration }) => {
        seen.push(iteration);
        return iteration < 3;
      },
    });
    expect(c.reason).toBe('callback');
    expect(seen).toEqual([1, 2, 3]);
    const controller = new AbortController();
    const s = minres(spd, b, {
      rtol: 1e-12,
      signal: controller.signal,
      callback: ({ iteration }) => void (iteration === 4 && controller.abort()),
    });
    expect(s.reason).toBe('aborted');
    expect(s.iterations).toBe(4);
  });

  it('honours x0 and atol; b = 0 gives x = 0', () => {
    const b = sines(400);
    const exact = cg(spd, b, { rtol: 1e-12 }).x;
    const warm = cg(spd, b, { x0: exact, rtol: 1e-12 });
    expect(warm.iterations).toBe(0);
    const loose = cg(spd, b, { rtol: 0, atol: 1e-2 });
    expect(loose.residualNorm).toBeLessThanOrEqual(1e-2);
    expect(
      cg(spd, new Float64Array(400))
        .x.toFlatArray()
        .every((v) => v === 0),
    ).toBe(true);
  });
});

describe('bad input', () => {
  it('rejects NaN in b, wrong lengths, non-square operators and unknown options', () => {
    const b = sines(400);
    b[7] = Number.NaN;
    expect(() => cg(spd, b)).toThrow(/entry 7/);
    expect(() => gmres(spd, new Float64Array(3))).toThrow(ShapeError);
    expect(() => bicgstab(tall, sines(60))).toThrow(/square/);
    expect(() => cg(spd, sines(400), { rtol: -1 })).toThrow(InvalidArgumentError);
    expect(() => cg(spd, sines(400), { maxiters: 5 } as never)).toThrow(/maxiters/);
    expect(() => lsqr(new LinearOperator([3, 2], () => {}), [1, 2, 3])).toThrow(/rmatvec/);
    expect(() => eigsh(spd, 400)).toThrow(InvalidArgumentError);
    expect(() => svds(tall, 0)).toThrow(InvalidArgumentError);
    expect(() => cg(spd, sines(400), { M: CSRMatrix.fromDense(array([[1]])) })).toThrow(ShapeError);
  });

  it('works on operators defined by functions (here a 1-D Laplacian)', () => {
    const n = 50;
    const op = new LinearOperator([n, n], (x, out) => {
      for (let i = 0; i < n; i++) out[i] = 2 * x[i] - (i > 0 ? x[i - 1] : 0) - (i < n - 1 ? x[i + 1] : 0);
    });
    const b = rng(1).normal([n]);
    const r = cg(op, b, { rtol: 1e-10 });
    expect(r.converged).toBe(true);
    // CG terminates in at most n steps in exact arithmetic; 1-D Poisson has n distinct eigenvalues.
    expect(r.iterations).toBeLessThanOrEqual(n + 5);
  });
});
