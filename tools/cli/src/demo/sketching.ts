import { type NDArray, matmul, rng } from '@krylov/core-array';
import { qr, svd } from '@krylov/decompositions';
import { hutchpp, randomizedSvd, sketchPreconditionedLstsq } from '@krylov/sketching';
import { timed } from './timed.js';
import type { DemoSection } from './types.js';

/** U diag(s) V^T with random orthonormal factors. */
function withSpectrum(m: number, n: number, s: Float64Array, seed: number): NDArray {
  const u = qr(rng(seed).normal([m, s.length])).q!;
  const v = qr(rng(seed + 1).normal([n, s.length])).q!;
  for (let i = 0; i < m; i++) for (let j = 0; j < s.length; j++) u.data[i * s.length + j] *= s[j];
  return matmul(u, v.T);
}

export const section: DemoSection = {
  package: '@krylov/sketching',
  run() {
    const s = Float64Array.from({ length: 100 }, (_, i) => 1 / (1 + i) ** 2);
    const a = withSpectrum(1000, 200, s, 5);
    const tall = withSpectrum(
      3000,
      50,
      Float64Array.from({ length: 50 }, (_, i) => 10 ** (-8 * (i / 49))),
      7,
    );
    const b = rng(9).normal([3000]);
    const spd = matmul(a.T, a);
    let trace = 0;
    for (let i = 0; i < 200; i++) trace += spd.data[i * 200 + i];
    return [
      timed(
        'randomized SVD rank 10 of 1000x200',
        () => randomizedSvd(a, 10, { seed: 1 }),
        (f) => {
          const us = f.u.copy();
          for (let i = 0; i < 1000; i++) for (let j = 0; j < 10; j++) us.data[i * 10 + j] *= f.s.data[j];
          const resid = matmul(us, f.vt);
          for (let i = 0; i < resid.size; i++) resid.data[i] = a.data[i] - resid.data[i];
          return `||A - A_10|| / sigma_11 = ${(svd(resid, { mode: 'values' }).s.data[0] / s[10]).toFixed(3)}`;
        },
      ),
      timed(
        'sketch-and-precondition lstsq 3000x50, cond 1e8',
        () => sketchPreconditionedLstsq(tall, b.data as Float64Array, { seed: 2 }),
        (r) =>
          `${r.iterations} LSQR its, ||A^T r|| / (||A|| ||r||) ${(r.normAr / (r.normA * r.residualNorm)).toExponential(1)}`,
      ),
      timed(
        'Hutch++ trace, 60 matvecs',
        () => hutchpp(spd, { matvecs: 60, seed: 3 }).estimate,
        (estimate) => `rel. error ${(Math.abs(estimate - trace) / trace).toExponential(1)}`,
      ),
    ];
  },
};
