import { rng } from '@krylov/core-array';
import { cg, eigsh, gmres, ic0, ilu0, poisson } from '@krylov/solvers';
import { timed } from './timed.js';
import type { DemoSection } from './types.js';

export const section: DemoSection = {
  package: '@krylov/solvers',
  run() {
    const a = poisson([100, 100]);
    const b = rng(4).normal([a.shape[0]]);
    const bnorm = Math.hypot(...b.data);
    const report = (r: { converged: boolean; iterations: number; residualNorm: number }) =>
      `${r.converged ? 'converged' : 'NOT converged'} in ${r.iterations} its, ||r||/||b|| ${(r.residualNorm / bnorm).toExponential(1)}`;
    return [
      timed('cg, 2-D Poisson 1e4 unknowns', () => cg(a, b, { rtol: 1e-8 }), report),
      timed('cg + ic0, same system', () => cg(a, b, { rtol: 1e-8, M: ic0(a) }), report),
      timed(
        'gmres(30) + ilu0, same system',
        () => gmres(a, b, { rtol: 1e-8, restart: 30, M: ilu0(a) }),
        report,
      ),
      timed(
        'eigsh: 4 smallest eigenvalues, 2-D Poisson 2500 unknowns',
        () => eigsh(poisson([50, 50]), 4, { which: 'SA' }),
        ({ values }) => {
          const exact = 8 * Math.sin(Math.PI / 102) ** 2;
          return `lambda_min rel. error ${(Math.abs(values.data[0] - exact) / exact).toExponential(1)}`;
        },
      ),
    ];
  },
};
