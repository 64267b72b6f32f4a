import { readFileSync } from 'node:fs';
import { InvalidArgumentError, type NDArray, ShapeError, array, matmul, rng } from '@krylov/core-array';
import { describe, expect, it } from 'vitest';
import { type NmfOptions, nmf, nmfBetaDivergence } from '../src/index.js';

// scikit-learn 1.2.1 runs from fixtures/make_nmf.py (run with /usr/bin/python3, which has it).
interface Case {
  name: string;
  options: Record<string, unknown>;
  W0: number[][];
  H0: number[][];
  n_iter: number;
  error_init: number;
  error: number;
  x?: number[][];
  csr?: { shape: [number, number]; indptr: number[]; indices: number[]; data: number[] };
}
const fixtures: { sklearn: string; cases: Case[] } = JSON.parse(
  readFileSync(new URL('./fixtures/nmf.json', import.meta.url), 'utf8'),
);

function input(c: Case) {
  if (c.x) return array(c.x);
  const s = c.csr!;
  return {
    shape: s.shape,
    indptr: Int32Array.from(s.indptr),
    indices: Int32Array.from(s.indices),
    data: Float64Array.from(s.data),
  };
}

function options(c: Case): NmfOptions {
  const o = c.options;
  const out: NmfOptions = { nComponents: o.n_components as number, solver: o.solver as 'cd' | 'mu' };
  if (o.beta_loss !== undefined) out.betaLoss = o.beta_loss as NmfOptions['betaLoss'];
  if (o.alpha_W !== undefined) out.alphaW = o.alpha_W as number;
  if (o.alpha_H !== undefined) out.alphaH = o.alpha_H as number;
  if (o.l1_ratio !== undefined) out.l1Ratio = o.l1_ratio as number;
  if (o.max_iter !== undefined) out.maxIter = o.max_iter as number;
  return out;
}

describe(`nmf against scikit-learn ${fixtures.sklearn}`, () => {
  for (const c of fixtures.cases) {
    it(`${c.name}: same iterations and error from scikit-learn's start`, () => {
      const r = nmf(input(c), { ...options(c), init: 'custom', W: array(c.W0), H: array(c.H0) });
      // the same algorithm, step for step: same stopping iteration, error to rounding (measured 2e-12)
      expect(r.iterations).toBe(c.n_iter);
      expect(Math.abs(r.reconstructionError - c.error) / c.error).toBeLessThan(1e-9);
      expect(r.kktResidual).toBeLessThan(r.kktResidualInit);
      if (c.options.solver === 'mu') {
        const h = r.objectiveHistory;
        for (let i = 1; i < h.length; i++) expect(h[i]).toBeLessThanOrEqual(h[i - 1] * (1 + 1e-12));
      }
    });
    it(`${c.name}: within 1% from its own ${c.options.init} initialization`, () => {
      // measured: 7e-4 at worst, exact or randomized SVD behind NNDSVD
      for (const svdSolver of ['exact', 'randomized'] as const) {
        const r = nmf(input(c), { ...options(c), init: c.options.init as 'nndsvd', svdSolver });
        expect(Math.abs(r.reconstructionError - c.error) / c.error).toBeLessThan(0.01);
      }
    });
  }
});

function lowRank(m: number, n: number, r: number, seed: number): NDArray<'float64'> {
  const g = rng(seed);
  return matmul(g.uniform([m, r]), g.uniform([r, n])) as NDArray<'float64'>;
}

describe('nmf', () => {
  it('recovers an exactly non-negative low-rank matrix (CD and MU) and reports the KKT residual', () => {
    const x = lowRank(20, 15, 3, 1);
    const cd = nmf(x, { nComponents: 3, tol: 0, maxIter: 2000 });
    expect(cd.reconstructionError / nmfFro(x)).toBeLessThan(1e-4);
    expect(cd.init).toBe('nndsvda');
    expect(cd.kktResidual).toBeLessThan(1e-3 * cd.kktResidualInit);
    expect(cd.reason).toBe('maxiter');
    const mu = nmf(x, { nComponents: 3, solver: 'mu', maxIter: 500 });
    expect(mu.reconstructionError / nmfFro(x)).toBeLessThan(0.05);
    expect(Math.min(...mu.W.data, ...mu.H.data)).toBeGreaterThanOrEqual(0);
  });

  it('agrees between dense and CSR input', () => {
    const x = lowRank(12, 9, 2, 2);
    for (let i = 0; i < x.size; i += 3) x.data[i] = 0;
    const indptr = [0];
    const indices: number[] = [];
    const data: number[] = [];
    for (let i = 0; i < 12; i++) {
      for (let j = 0; j < 9; j++)
        if (x.data[i * 9 + j] !== 0) {
          indices.push(j);
          data.push(x.data[i * 9 + j]);
        }
      indptr.push(indices.length);
    }
    const csr = {
      shape: [12, 9] as [number, number],
      indptr: Int32Array.from(indptr),
      indices: Int32Array.from(indices),
      data: Float64Array.from(data),
    };
    for (const o of [
      { solver: 'cd' },
      { solver: 'mu', betaLoss: 'kullback-leibler' },
      { solver: 'mu', betaLoss: 1.5 },
    ] as const) {
      const a = nmf(x, { nComponents: 2, ...o, svdSolver: 'exact' });
      const b = nmf(csr, { nComponents: 2, ...o, svdSolver: 'exact' });
      expect(b.iterations).toBe(a.iterations);
      expect(Math.abs(a.reconstructionError - b.reconstructionError)).toBeLessThan(
        1e-9 * a.reconstructionError,
      );
      expect(nmfBetaDivergence(csr, b.W, b.H, o.solver === 'cd' ? 2 : o.betaLoss)).toBeCloseTo(
        nmfBetaDivergence(x, b.W, b.H, o.solver === 'cd' ? 2 : o.betaLoss),
        10,
      );
    }
  });

  it('defaults as scikit-learn: k = n, random init when k > min(m, n), seeded', () => {
    const x = lowRank(6, 4, 2, 3);
    expect(nmf(x).H.shape).toEqual([4, 4]);
    const wide = nmf(x, { nComponents: 5, maxIter: 5 });
    expect(wide.init).toBe('random');
    expect(nmf(x, { nComponents: 5, maxIter: 5, seed: 7 }).W.data).toEqual(
      nmf(x, { nComponents: 5, maxIter: 5, seed: 7 }).W.data,
    );
    for (const init of ['random', 'nndsvd', 'nndsvda', 'nndsvdar'] as const) {
      const r = nmf(x, { nComponents: 2, init, solver: 'mu' });
      expect(r.init).toBe(init);
      expect(Number.isFinite(r.reconstructionError)).toBe(true);
    }
  });

  it('solves for W with H fixed (updateH: false), as scikit-learn transform', () => {
    const x = lowRank(10, 8, 2, 4);
    const fit = nmf(x, { nComponents: 2, tol: 0, maxIter: 500 });
    for (const solver of ['cd', 'mu'] as const) {
      const t = nmf(x, { H: fit.H, updateH: false, solver, tol: 0, maxIter: 2000 });
      expect(t.H.data).toEqual(fit.H.data);
      expect(t.reconstructionError).toBeLessThan(fit.reconstructionError + 1e-3 * nmfFro(x));
    }
  });

  it('returns float32 factors for float32 input', () => {
    const r = nmf(lowRank(8, 6, 2, 5).astype('float32'), { nComponents: 2 });
    expect(r.W.dtype).toBe('float32');
    expect(r.H.dtype).toBe('float32');
  });

  it('calls onProgress each iteration; false stops (callback); an abort from it stops (aborted)', () => {
    const x = lowRank(10, 8, 2, 6);
    const seen: number[] = [];
    const r = nmf(x, {
      nComponents: 2,
      tol: 0,
      onProgress: ({ iteration, objective }) => {
        seen.push(objective);
        return iteration < 4;
      },
    });
    expect(r.reason).toBe('callback');
    expect(r.iterations).toBe(4);
    expect(seen).toEqual(r.objectiveHistory.slice(1));
    const controller = new AbortController();
    const a = nmf(x, {
      nComponents: 2,
      tol: 0,
      signal: controller.signal,
      onProgress: ({ iteration }) => {
        if (iteration === 3) controller.abort();
      },
    });
    expect(a.reason).toBe('aborted');
    expect(a.iterations).toBe(3);
    expect(a.converged).toBe(false);
    expect(a.message).toMatch(/aborted/);
  });

  it('refuses bad input with typed errors', () => {
    const x = lowRank(5, 4, 2, 7);
    x.data[6] = -0.5;
    expect(() => nmf(x)).toThrow(/x\[1, 2\] = -0.5/);
    expect(() => nmf(x)).toThrow(InvalidArgumentError);
    const csr = {
      shape: [2, 2] as [number, number],
      indptr: Int32Array.from([0, 1, 2]),
      indices: Int32Array.from([0, 1]),
      data: Float64Array.from([1, -2]),
    };
    expect(() => nmf(csr)).toThrow(/x\[1, 1\] = -2/);
    const ok = lowRank(5, 4, 2, 7);
    expect(() => nmf(ok, { betaLoss: 'kullback-leibler' })).toThrow(/solver 'mu'/);
    expect(() => nmf(ok, { nComponent: 2 } as NmfOptions)).toThrow(/options.nComponent/);
    expect(() => nmf(ok, { nComponents: 5, init: 'nndsvd' })).toThrow(InvalidArgumentError);
    expect(() => nmf(ok, { init: 'custom', W: ok, H: ok })).toThrow(ShapeError);
    const withZero = lowRank(5, 4, 2, 8);
    withZero.data[0] = 0;
    expect(() => nmf(withZero, { solver: 'mu', betaLoss: 'itakura-saito' })).toThrow(/positive entries/);
    expect(() => nmf(array([[1, Number.NaN]]))).toThrow(/finite/);
  });
});

function nmfFro(x: NDArray): number {
  return Math.sqrt(Array.from(x.data as Float64Array).reduce((s, v) => s + v * v, 0));
}
