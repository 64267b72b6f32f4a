import { NDArray, rng } from '@krylov/core-array';
import { describe, expect, it } from 'vitest';
import { symmetricCp } from '../src/index.js';

/** sum_r w_r a_r^(x)d with unit a_r (columns of an n x R Gaussian matrix, normalized). */
function planted(n: number, d: number, R: number, seed: number) {
  const g = rng(seed);
  const a = Float64Array.from({ length: n * R }, () => g.nextNormal());
  for (let r = 0; r < R; r++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += a[i * R + r] ** 2;
    for (let i = 0; i < n; i++) a[i * R + r] /= Math.sqrt(s);
  }
  const w = Float64Array.from({ length: R }, (_, r) => (r % 2 ? -1 : 1) * (1 + r / R));
  const t = new Float64Array(n ** d);
  const idx = new Array<number>(d).fill(0);
  for (let p = 0; p < t.length; p++) {
    let v = 0;
    for (let r = 0; r < R; r++) {
      let prod = w[r];
      for (let k = 0; k < d; k++) prod *= a[idx[k] * R + r];
      v += prod;
    }
    t[p] = v;
    for (let k = d - 1; k >= 0 && ++idx[k] === n; k--) idx[k] = 0;
  }
  return { t: new NDArray(t, new Array(d).fill(n)), a, w };
}

/** Matches each recovered (w, a) to a planted one (a up to sign, with w's sign folded for odd d); returns the worst error. */
function matchError(
  got: { weights: NDArray; factor: NDArray },
  a: Float64Array,
  w: Float64Array,
  n: number,
  R: number,
  d: number,
) {
  let worst = 0;
  const used = new Set<number>();
  for (let q = 0; q < R; q++) {
    let best = Number.POSITIVE_INFINITY;
    let bestR = -1;
    for (let r = 0; r < R; r++) {
      if (used.has(r)) continue;
      for (const sign of [1, -1]) {
        let e = 0;
        for (let i = 0; i < n; i++)
          e = Math.max(e, Math.abs(sign * got.factor.data[i * R + q] - a[i * R + r]));
        const wq = got.weights.data[q] * sign ** d;
        e = Math.max(e, Math.abs(wq - w[r]));
        if (e < best) {
          best = e;
          bestR = r;
        }
      }
    }
    used.add(bestR);
    worst = Math.max(worst, best);
  }
  return worst;
}

describe('symmetricCp (subspace power method, Kileel & Pereira 2019)', () => {
  it('recovers a planted rank-10 order-4 tensor in 6 dimensions (rank above n) to 1e-10', () => {
    const { t, a, w } = planted(6, 4, 10, 1);
    const r = symmetricCp(t, 10);
    expect(r.report.converged).toBe(true);
    expect(r.relativeError).toBeLessThan(1e-10);
    expect(matchError(r, a, w, 6, 10, 4)).toBeLessThan(1e-10);
  });
  it('recovers a planted rank-5 order-3 tensor in 8 dimensions to 1e-10', () => {
    const { t, a, w } = planted(8, 3, 5, 2);
    const r = symmetricCp(t, 5);
    expect(r.relativeError).toBeLessThan(1e-10);
    expect(matchError(r, a, w, 8, 5, 3)).toBeLessThan(1e-10);
  });
  it('recovers order 5 too, and the error is proportional to the noise', () => {
    const { t, a, w } = planted(4, 5, 3, 3);
    expect(matchError(symmetricCp(t, 3), a, w, 4, 3, 5)).toBeLessThan(1e-10);
    const { t: t4 } = planted(6, 4, 5, 4);
    const errs = [1e-4, 1e-6].map((eps) => {
      // symmetric noise: the symmetrization of a Gaussian tensor is costly; a symmetric rank-1 perturbation will do
      const g = rng(9);
      const z = Float64Array.from({ length: 6 }, () => g.nextNormal());
      const noisy = t4.copy();
      const idx = [0, 0, 0, 0];
      for (let p = 0; p < noisy.size; p++) {
        noisy.data[p] += eps * z[idx[0]] * z[idx[1]] * z[idx[2]] * z[idx[3]];
        for (let k = 3; k >= 0 && ++idx[k] === 6; k--) idx[k] = 0;
      }
      return symmetricCp(noisy, 5).relativeError;
    });
    expect(errs[0] / errs[1]).toBeGreaterThan(30);
    expect(errs[0]).toBeLessThan(1e-2);
  });
  it('reports progress, stops on false, and checks its input', () => {
    const { t } = planted(4, 4, 3, 5);
    const r = symmetricCp(t, 3, { onProgress: ({ iteration }) => iteration < 5 });
    expect(r.report.reason).toBe('callback');
    expect(r.report.iterations).toBe(5);
    const bad = t.copy();
    bad.data[1] += 1;
    expect(() => symmetricCp(bad, 3)).toThrow(/symmetric/);
    expect(() => symmetricCp(new NDArray(new Float64Array(12), [2, 3, 2]), 1)).toThrow(/one non-zero size/);
    expect(() => symmetricCp(t, 17)).toThrow(/rank/);
  });
});
