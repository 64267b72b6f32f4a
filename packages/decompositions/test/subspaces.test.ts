import { type NDArray, matmul, rng, sub, zeros } from '@krylov/core-array';
import { describe, expect, it } from 'vitest';
import { nullSpace, orth } from '../src/index.js';
import { orthogonality, scaledResidual } from './helpers.js';

/** A random m x n matrix of exact rank r: X Y^T with Gaussian X (m x r) and Y (n x r). */
function rankR(m: number, n: number, r: number, seed: number): NDArray {
  return matmul(rng(seed).normal([m, r]), rng(seed + 1).normal([n, r]).T);
}

describe('orth and nullSpace (scipy.linalg.orth / null_space)', () => {
  it.each([
    [9, 6, 4],
    [6, 9, 4],
    [7, 7, 7],
    [5, 8, 0],
  ])('%i x %i of rank %i: bases of the right sizes, orthonormal, spanning range and kernel', (m, n, r) => {
    const a = r === 0 ? zeros([m, n]) : rankR(m, n, r, 11);
    const q = orth(a);
    const z = nullSpace(a);
    expect(q.shape).toEqual([m, r]);
    expect(z.shape).toEqual([n, n - r]);
    // LAPACK-style scaled measures (threshold 30): ||I - Q^T Q|| / (k eps), ||A - Q Q^T A|| / (n eps ||A||),
    // ||A Z|| / (n eps ||A||)
    expect(orthogonality(q)).toBeLessThan(30);
    expect(orthogonality(z)).toBeLessThan(30);
    expect(scaledResidual(a, matmul(q, matmul(q.T, a)), n)).toBeLessThan(30);
    expect(scaledResidual(a, sub(a, matmul(a, matmul(z, z.T))), n)).toBeLessThan(30);
  });

  it('rcond moves the cut relative to s_max: above 1 nothing is kept', () => {
    const d = rankR(3, 3, 2, 5);
    expect(orth(d).shape).toEqual([3, 2]);
    expect(orth(d, { rcond: 10 }).shape).toEqual([3, 0]);
    expect(nullSpace(d, { rcond: 10 }).shape).toEqual([3, 3]);
  });

  it('reject a negative rcond and unknown options', () => {
    const a = rankR(3, 3, 2, 5);
    expect(() => orth(a, { rcond: -1 })).toThrow(/orth.*options.rcond.*-1/);
    expect(() => nullSpace(a, { tol: 1 } as never)).toThrow(/nullSpace/);
  });
});
