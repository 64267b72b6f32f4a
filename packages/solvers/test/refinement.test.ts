import { InvalidArgumentError, NDArray, ShapeError, array, rng } from '@krylov/core-array';
import { lstsq } from '@krylov/decompositions';
import { describe, expect, it } from 'vitest';
import { refine, refineLeastSquares } from '../src/index.js';
import { withCondition } from './helpers.js';

describe('mixed-precision iterative refinement', () => {
  const b = rng(9).normal([80]);

  it('classical IR reaches float64 backward error on moderately conditioned systems', () => {
    const r = refine(withCondition(80, 1e4, 3), b, { method: 'ir' });
    expect(r.converged).toBe(true);
    expect(r.backwardErrors.at(-1)).toBeLessThan(1e-15);
    // The float32 solve alone is only float32-accurate.
    expect(r.backwardErrors[0]).toBeGreaterThan(1e-10);
  });

  it('GMRES-IR reaches float64 backward error at condition number 1e10; classical IR does not', () => {
    const a = withCondition(80, 1e10, 5);
    const g = refine(a, b);
    expect(g.converged).toBe(true);
    expect(g.backwardErrors.at(-1)).toBeLessThan(2e-15);
    const ir = refine(a, b, { method: 'ir' });
    expect(ir.converged).toBe(false);
    expect(ir.message).toMatch(/did not reach/);
  });

  it('weighted least squares: float32 QR + FGMRES on the augmented system reaches float64 optimality at cond 1e8 and 1e10', () => {
    const m = 300;
    const n = 30;
    for (const kappa of [1e8, 1e10]) {
      const a = withCondition(m, kappa, 11).slice(null, `0:${n}`).copy();
      // Columns of a square matrix with condition kappa keep a condition near kappa^(n/m)...: rescale to spread it.
      for (let j = 0; j < n; j++)
        for (let i = 0; i < m; i++) a.data[i * n + j] *= 10 ** (-Math.log10(kappa) * (j / (n - 1)));
      const b = rng(12).normal([m]).data as Float64Array;
      const weights = Float64Array.from({ length: m }, (_, i) => 10 ** (2 * Math.sin(i)));
      const res = refineLeastSquares(a, b, { weights });
      expect(res.converged, res.message).toBe(true);
      expect(res.optimality.at(-1)).toBeLessThan(1e-14);
      expect(res.optimality[0]).toBeGreaterThan(1e-12);
      // Same minimizer as float64 QR on W^1/2 A, W^1/2 b (agreement limited by cond * eps).
      const aw = a.copy();
      const bw = b.slice();
      for (let i = 0; i < m; i++) {
        const sw = Math.sqrt(weights[i]);
        bw[i] *= sw;
        for (let j = 0; j < n; j++) aw.data[i * n + j] *= sw;
      }
      const ref = lstsq(aw, new NDArray(bw, [m]), { driver: 'qr' }).x.data;
      let xn = 0;
      let diff = 0;
      for (let j = 0; j < n; j++) {
        xn = Math.max(xn, Math.abs(ref[j]));
        diff = Math.max(diff, Math.abs(res.x.data[j] - ref[j]));
      }
      expect(diff / xn).toBeLessThan(kappa * 1e-13);
    }
    expect(() => refineLeastSquares(rng(1).normal([3, 5]), [1, 2, 3])).toThrow(ShapeError);
    expect(() => refineLeastSquares(rng(1).normal([4, 2]), [1, 2, 3, 4], { weights: [1, 0, 1, 1] })).toThrow(
      /positive weights/,
    );
  });

  it('rejects bad input', () => {
    expect(() => refine(rng(1).normal([3, 4]), [1, 2, 3])).toThrow(ShapeError);
    expect(() =>
      refine(
        array([
          [1, Number.NaN],
          [0, 1],
        ]),
        [1, 2],
      ),
    ).toThrow(InvalidArgumentError);
    expect(() =>
      refine(
        array([
          [1, 0],
          [0, 1],
        ]),
        [1, 2],
        { method: 'lu' as never },
      ),
    ).toThrow(InvalidArgumentError);
    expect(() =>
      refine(
        array([
          [0, 0],
          [0, 1],
        ]),
        [1, 2],
      ),
    ).toThrow(/singular/);
  });
});
