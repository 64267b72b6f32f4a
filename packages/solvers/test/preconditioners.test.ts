import { readFileSync } from 'node:fs';
import {
  InvalidArgumentError,
  NotPositiveDefiniteError,
  SingularMatrixError,
  array,
  rng,
} from '@krylov/core-array';
import { describe, expect, it } from 'vitest';
import {
  blockJacobi,
  cg,
  chebyshev,
  gmres,
  ic0,
  ilu0,
  jacobi,
  lanczosBounds,
  neumann,
  poisson,
  readMatrixMarket,
  ssor,
} from '../src/index.js';

const a = poisson([24, 24]);
const b = rng(1).normal([576]).data as Float64Array;
const plain = cg(a, b, { rtol: 1e-8 }).iterations;

describe('preconditioners', () => {
  it('each one cuts CG iterations on 2-D Poisson and keeps the answer', () => {
    const reference = cg(a, b, { rtol: 1e-12 }).x.data;
    for (const M of [
      ssor(a, { omega: 1.5 }),
      ic0(a),
      ilu0(a),
      chebyshev(a, { degree: 4 }),
      neumann(a, { degree: 2 }),
      blockJacobi(a, { blockSize: 24 }),
    ]) {
      const r = cg(a, b, { rtol: 1e-8, M });
      expect(r.converged, M.name).toBe(true);
      expect(r.iterations, M.name).toBeLessThan((M.name.startsWith('block') ? 0.9 : 0.8) * plain);
      let err = 0;
      for (let i = 0; i < 576; i++) err = Math.max(err, Math.abs(r.x.data[i] - reference[i]));
      expect(err, M.name).toBeLessThan(1e-5);
    }
    // Jacobi is exact scaling here (constant diagonal): same iterations as plain CG.
    expect(cg(a, b, { rtol: 1e-8, M: jacobi(a) }).iterations).toBe(plain);
  });

  it('IC(0) and ILU(0) are exact for tridiagonal matrices: one iteration', () => {
    const t = poisson([50]);
    const rhs = rng(2).normal([50]);
    expect(cg(t, rhs, { rtol: 1e-10, M: ic0(t) }).iterations).toBeLessThanOrEqual(1);
    expect(gmres(t, rhs, { rtol: 1e-10, M: ilu0(t) }).iterations).toBeLessThanOrEqual(1);
  });

  it('ILU(0) helps GMRES on a nonsymmetric matrix', () => {
    const conv = readMatrixMarket(
      readFileSync(new URL('./fixtures/convdiff20.mtx', import.meta.url), 'utf8'),
    ).toCSR();
    const rhs = rng(3).normal([400]);
    const without = gmres(conv, rhs, { rtol: 1e-8 }).iterations;
    const withIlu = gmres(conv, rhs, { rtol: 1e-8, M: ilu0(conv) });
    expect(withIlu.converged).toBe(true);
    expect(withIlu.iterations).toBeLessThan(without / 2);
  });

  it('Lanczos bounds enclose the extreme eigenvalue from above', () => {
    const [lo, hi] = lanczosBounds(a);
    const lmax = 8 * Math.sin((24 * Math.PI) / 50) ** 2;
    expect(hi).toBeGreaterThanOrEqual(lmax);
    expect(hi).toBeLessThan(1.3 * lmax);
    expect(lo).toBeGreaterThan(0);
  });

  it('rejects what it cannot factor', () => {
    const indefinite = array([
      [1, 2],
      [2, 1],
    ]);
    expect(() => ic0(indefinite)).toThrow(NotPositiveDefiniteError);
    expect(() =>
      ilu0(
        array([
          [0, 1],
          [1, 0],
        ]),
      ),
    ).toThrow(SingularMatrixError);
    expect(() =>
      jacobi(
        array([
          [0, 1],
          [1, 0],
        ]),
      ),
    ).toThrow(SingularMatrixError);
    expect(() => ssor(a, { omega: 2 })).toThrow(InvalidArgumentError);
    expect(() => chebyshev(a, { bounds: [2, 1] })).toThrow(InvalidArgumentError);
    expect(() => blockJacobi(a, { blockSize: 0 })).toThrow(InvalidArgumentError);
  });
});
