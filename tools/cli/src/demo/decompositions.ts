import { type NDArray, matmul, norm, rng, sub } from '@krylov/core-array';
import { cholesky, eigh, qr, solve, svd } from '@krylov/decompositions';
import type { DemoResult, DemoSection } from './types.js';

const EPS = 2 ** -52;

/** ||A - B||_F / (n eps ||A||_F): LAPACK's scaled residual. */
function scaled(a: NDArray, b: NDArray, n: number): string {
  return (norm(sub(a, b), 'fro').item() / (n * EPS * norm(a, 'fro').item())).toFixed(2);
}

function timed(task: string, f: () => string): DemoResult {
  const t0 = performance.now();
  const accuracy = f();
  return { task, accuracy, ms: performance.now() - t0 };
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
      timed(`solve ${n}x${n} (LU)`, () => `scaled residual ${scaled(b, matmul(a, solve(a, b)), n)}`),
      timed(`cholesky ${n}x${n}`, () => {
        const l = cholesky(spd);
        return `scaled residual ${scaled(spd, matmul(l, l.T), n)}`;
      }),
      timed(`qr ${n}x${n}`, () => {
        const { q, r } = qr(a);
        return `scaled residual ${scaled(a, matmul(q!, r), n)}`;
      }),
      timed(`svd ${n}x${n}`, () => {
        const { u, s, vt } = svd(a);
        const us = u.copy();
        for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) us.data[i * n + j] *= s.data[j];
        return `scaled residual ${scaled(a, matmul(us, vt), n)}`;
      }),
      timed(`eigh ${n}x${n}`, () => {
        const { values, vectors } = eigh(spd);
        const v = vectors!;
        const vw = v.copy();
        for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) vw.data[i * n + j] *= values.data[j];
        return `scaled residual ${scaled(matmul(spd, v), vw, n)}`;
      }),
    ];
  },
};
