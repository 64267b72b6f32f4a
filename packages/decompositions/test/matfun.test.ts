import { NDArray, matmul } from '@krylov/core-array';
import { describe, expect, it } from 'vitest';
import { inverseRoot, newtonSchulz, spdPower, svd } from '../src/index.js';
import { spdWithCondition, withCondition } from './helpers.js';

type M = NDArray<'float64'>;

describe('Newton-Schulz orthogonalization: the singular-value band each preset reaches', () => {
  // singular values spread over [1e-3, 1] after normalization; bands as documented in NEWTON_SCHULZ_PRESETS
  const g = withCondition(48, 32, 1e3, 5);
  const band = (preset: 'cubic' | 'muon' | 'exact', steps: number) => {
    const s = svd(newtonSchulz(g, { preset, steps }), { mode: 'values' }).s.toFlatArray();
    return [Math.min(...s), Math.max(...s)];
  };
  it("'muon': 5 steps in [0.29, 1.19], then its band [0.68, 1.13], not 1", () => {
    const [lo5, hi5] = band('muon', 5);
    expect(lo5).toBeGreaterThan(0.28);
    expect(hi5).toBeLessThan(1.2);
    const [lo, hi] = band('muon', 8);
    expect(lo).toBeGreaterThan(0.68);
    expect(hi).toBeLessThan(1.135);
    expect(band('muon', 30)[0]).toBeLessThan(0.7);
  });
  it("'exact' converges to orthogonality (15 steps: within 1e-6 of 1)", () => {
    const [lo, hi] = band('exact', 15);
    expect(lo).toBeGreaterThan(1 - 1e-6);
    expect(hi).toBeLessThan(1 + 1e-6);
  });
  it("'cubic' converges too, more slowly from small singular values (30 steps)", () => {
    const [lo5] = band('cubic', 5);
    const [lo, hi] = band('cubic', 30);
    expect(lo5).toBeLessThan(0.1);
    expect(lo).toBeGreaterThan(1 - 1e-6);
    expect(hi).toBeLessThan(1 + 1e-6);
  });
  it('orthogonalizes wide matrices on the smaller side and rejects bad options', () => {
    expect(newtonSchulz(g.T).shape).toEqual([32, 48]);
    expect(() => newtonSchulz(g, { preset: 'fast' as never })).toThrow(
      'newtonSchulz: argument \'options.preset\' is "fast"',
    );
    expect(() => newtonSchulz(g, { steps: -1 })).toThrow("newtonSchulz: argument 'options.steps' is -1");
  });
});

describe('SPD powers and inverse roots', () => {
  const a = spdWithCondition(12, 1e4, 3);
  const power = (x: M, p: number) => {
    let out = x;
    for (let i = 1; i < p; i++) out = matmul(out, x) as M;
    return out;
  };
  const maxErr = (x: NDArray, y: NDArray) =>
    Math.max(...x.toFlatArray().map((v, i) => Math.abs(v - y.toFlatArray()[i])));
  for (const method of ['eigh', 'newton'] as const) {
    for (const p of [2, 4]) {
      it(`${method}: (A^(-1/${p}))^-${p} = A`, () => {
        const { root, iterations } = inverseRoot(a, p, { method, tol: 1e-12 });
        const back = spdPower(power(root, p), -1);
        expect(maxErr(back, a)).toBeLessThan(1e-7);
        if (method === 'newton') expect(iterations).toBeGreaterThan(0);
      });
    }
  }
  it('spdPower(A, 1/2) squared is A; errors are typed', () => {
    const r = spdPower(a, 0.5);
    expect(maxErr(matmul(r, r), a)).toBeLessThan(1e-12);
    const indefinite = new NDArray(Float64Array.from([1, 0, 0, -1]), [2, 2]);
    expect(() => spdPower(indefinite, 0.5)).toThrow('spdPower: matrix is not positive definite');
    expect(() => inverseRoot(a, 4, { method: 'newton', maxIter: 2 })).toThrow(
      /inverseRoot: did not converge after 2 iterations/,
    );
    expect(() => inverseRoot(a, 0)).toThrow("inverseRoot: argument 'p' is 0; expected an integer >= 1");
  });
});
