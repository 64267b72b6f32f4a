import { rng } from '@krylov/core-array';
import { describe, expect, it } from 'vitest';
import { CSRMatrix, RecyclingCG, cg, poisson } from '../src/index.js';

describe('Krylov subspace recycling', () => {
  it('needs markedly fewer matvecs than fresh CG on 20 slowly varying systems', () => {
    const base = poisson([32, 32]);
    const n = 1024;
    const rec = new RecyclingCG({ k: 20 });
    let fresh = 0;
    let recycled = 0;
    for (let i = 0; i < 20; i++) {
      const shift = new CSRMatrix(
        [n, n],
        Int32Array.from({ length: n + 1 }, (_, j) => j),
        Int32Array.from({ length: n }, (_, j) => j),
        Float64Array.from({ length: n }, (_, j) => 0.001 * i * (1 + Math.sin(j))),
      );
      const a = base.add(shift);
      const b = rng(100 + i).normal([n]);
      const f = cg(a, b, { rtol: 1e-8 });
      const r = rec.solve(a, b, { rtol: 1e-8 });
      expect(r.converged).toBe(true);
      let diff = 0;
      for (let j = 0; j < n; j++) diff = Math.max(diff, Math.abs(r.x.data[j] - f.x.data[j]));
      expect(diff).toBeLessThan(1e-5);
      fresh += f.iterations + 1;
      recycled += r.matvecs;
    }
    expect(rec.recycleSpace?.shape).toEqual([n, 20]);
    expect(recycled / fresh).toBeLessThan(0.8);
  });

  it('drops a recycle space of the wrong size', () => {
    const rec = new RecyclingCG({ k: 4 });
    rec.solve(poisson([10]), rng(1).normal([10]));
    const r = rec.solve(poisson([12]), rng(2).normal([12]));
    expect(r.deflated).toBe(0);
    expect(r.converged).toBe(true);
  });
});
