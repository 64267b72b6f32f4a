import { type NDArray, matmul, norm, rng, sub } from '@krylov/core-array';
import { cholesky, eigh, qr, solve, svd } from '@krylov/decompositions';
import { timed } from './timed.js';
import type { DemoSection } from './types.js';

const EPS = 2 ** -52;

/** ||A - B||_F / (n eps ||A||_F): LAPACK's scaled residual. */
function scaled(a: NDArray, b: NDArray, n: number): string {
  return (norm(sub(a, b), 'fro').item() / (n * EPS * norm(a, 'fro').item())).toFixed(2);
}

export const section: DemoSection = {
  package: '@krylov/decompositions',
  run() {
    const n = 120;
    const g = rng(3);
    const a = g.normal([n, n]);
    const spd = matmul(a, a.T);
    const b = g.normal([n, 1]);
    return [
      timed(
        `solve ${n}x${n} (LU)`,
        () => solve(a, b),
        (x) => `scaled residual ${scaled(b, matmul(a, x), n)}`,
      ),
      timed(
        `cholesky ${n}x${n}`,
        () => cholesky(spd),
        (l) => `scaled residual ${scaled(spd, matmul(l, l.T), n)}`,
      ),
      timed(
        `qr ${n}x${n}`,
        () => qr(a),
        ({ q, r }) => `scaled residual ${scaled(a, matmul(q!, r), n)}`,
      ),
      timed(
        `svd ${n}x${n}`,
        () => svd(a),
        ({ u, s, vt }) => {
          const us = u.copy();
          for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) us.data[i * n + j] *= s.data[j];
          return `scaled residual ${scaled(a, matmul(us, vt), n)}`;
        },
      ),
      timed(
        `eigh ${n}x${n}`,
        () => eigh(spd),
        ({ values, vectors }) => {
          const v = vectors!;
          const vw = v.copy();
          for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) vw.data[i * n + j] *= values.data[j];
          return `scaled residual ${scaled(matmul(spd, v), vw, n)}`;
        },
      ),
    ];
  },
};
