import { type NDArray, matmul, norm, rng, sub } from '@krylov/core-array';
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
    const t0 = performance.now();
    const c = matmul(a, b);
    const ms = performance.now() - t0;
    // check (A B) x against A (B x) for a random x: an O(n^2) test of the O(n^3) product
    const x = g.normal([n, 1]);
    const err = relativeError(matmul(c, x), matmul(a, matmul(b, x)));
    return [{ task: `matmul ${n}x${n} float64`, accuracy: `rel. residual ${err.toExponential(1)}`, ms }];
  },
};
