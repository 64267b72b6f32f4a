import { InvalidArgumentError, ShapeError, array, rng } from '@krylov/core-array';
import { describe, expect, it } from 'vitest';
import { refine } from '../src/index.js';
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
