import { type NDArray, matmul, norm, rng, sub } from '@krylov/core-array';
import { timed } from './timed.js';
import type { DemoSection } from './types.js';

/** Relative Frobenius distance between a and b. */
export function relativeError(a: NDArray, b: NDArray): number {
  return norm(sub(a, b), 'fro').item() / Math.max(norm(b, 'fro').item(), Number.MIN_VALUE);
}

export const section: DemoSection = {
  package: '@krylov/core-array',
  run() {
    const g = rng(1);
    const n = 384;
    const a = g.normal([n, n]);
    const b = g.normal([n, n]);
    return [
      timed(
        `matmul ${n}x${n} float64`,
        () => matmul(a, b),
        (c) => {
          // (A B) x against A (B x) for a random x: an O(n^2) test of the O(n^3) product
          const x = g.normal([n, 1]);
          return `rel. residual ${relativeError(matmul(c, x), matmul(a, matmul(b, x))).toExponential(1)}`;
        },
      ),
    ];
  },
};
