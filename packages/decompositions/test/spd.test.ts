import { NDArray, array, matmul } from '@krylov/core-array';
import { describe, expect, it } from 'vitest';
import {
  affineInvariantDistance,
  buresWassersteinDistance,
  expm,
  funm,
  polar,
  spdBarycenter,
  spdGeodesic,
  spdPower,
  sqrtm,
} from '../src/index.js';
import { orthogonality, spdWithCondition, withCondition } from './helpers.js';

type M = NDArray<'float64'>;
const maxDiff = (x: NDArray, y: NDArray) =>
  Math.max(...x.toFlatArray().map((v, i) => Math.abs(v - y.toFlatArray()[i])));
const diag = (d: number[]) =>
  new NDArray(
    Float64Array.from({ length: d.length ** 2 }, (_, k) =>
      k % (d.length + 1) === 0 ? d[k / (d.length + 1)] : 0,
    ),
    [d.length, d.length],
  ) as M;

describe('matrix functions of symmetric matrices and the polar decomposition', () => {
  const a = spdWithCondition(8, 1e3, 4);
  it('sqrtm(A)^2 = A and funm(A, exp) = expm(A)', () => {
    const r = sqrtm(a);
    expect(maxDiff(matmul(r, r), a)).toBeLessThan(1e-13);
    expect(maxDiff(funm(a, Math.exp), expm(a))).toBeLessThan(1e-13);
    expect(() =>
      funm(
        array([
          [1, 2],
          [0, 1],
        ]),
        Math.exp,
      ),
    ).toThrow(
      'funm: argument \'a\' is "a matrix with relative asymmetry 1.00e+0"; expected a symmetric matrix',
    );
    expect(() =>
      funm(
        array([
          [-1, 0],
          [0, 1],
        ]),
        Math.log,
      ),
    ).toThrow("funm: argument 'f' is NaN; expected finite values of f at the eigenvalues");
  });
  it('polar: A = U P with U orthonormal and P symmetric positive semidefinite (both sides)', () => {
    const b = withCondition(9, 5, 1e4, 6);
    const { u, p } = polar(b);
    expect(orthogonality(u)).toBeLessThan(50);
    expect(maxDiff(matmul(u, p), b)).toBeLessThan(1e-13);
    expect(maxDiff(p, p.T)).toBeLessThan(1e-14);
    const left = polar(withCondition(5, 5, 10, 7), { side: 'left' });
    expect(maxDiff(matmul(left.p, left.u), withCondition(5, 5, 10, 7))).toBeLessThan(1e-13);
  });
});

describe('SPD geometry', () => {
  const a = spdWithCondition(5, 50, 1);
  const b = spdWithCondition(5, 20, 2);
  it('affine-invariant distance: closed form on diagonals, symmetry, congruence invariance', () => {
    expect(affineInvariantDistance(diag([1, 2, 4]), diag([2, 2, 1]))).toBeCloseTo(
      Math.sqrt(Math.log(2) ** 2 + Math.log(4) ** 2),
      13,
    );
    expect(affineInvariantDistance(a, b)).toBeCloseTo(affineInvariantDistance(b, a), 12);
    const x = withCondition(5, 5, 10, 3);
    const congruent = (m: M) => matmul(matmul(x, m), x.T) as M;
    expect(affineInvariantDistance(congruent(a), congruent(b))).toBeCloseTo(affineInvariantDistance(a, b), 9);
    expect(affineInvariantDistance(a, a)).toBeLessThan(1e-7);
  });
  it('Bures-Wasserstein distance: closed form on diagonals and symmetry', () => {
    expect(buresWassersteinDistance(diag([1, 4]), diag([9, 1]))).toBeCloseTo(
      Math.sqrt((1 - 3) ** 2 + (2 - 1) ** 2),
      13,
    );
    expect(buresWassersteinDistance(a, b)).toBeCloseTo(buresWassersteinDistance(b, a), 12);
  });
  it('geodesics: endpoints, the midpoint of I and B is B^1/2, distances split evenly', () => {
    for (const metric of ['affine-invariant', 'bures-wasserstein'] as const) {
      expect(maxDiff(spdGeodesic(a, b, 0, { metric }), a)).toBeLessThan(1e-12);
      expect(maxDiff(spdGeodesic(a, b, 1, { metric }), b)).toBeLessThan(1e-11);
    }
    expect(maxDiff(spdGeodesic(diag([1, 1, 1, 1, 1]), b, 0.5), spdPower(b, 0.5))).toBeLessThan(1e-12);
    const mid = spdGeodesic(a, b, 0.5);
    expect(affineInvariantDistance(a, mid)).toBeCloseTo(affineInvariantDistance(a, b) / 2, 9);
    const bwMid = spdGeodesic(a, b, 0.5, { metric: 'bures-wasserstein' });
    expect(buresWassersteinDistance(a, bwMid)).toBeCloseTo(buresWassersteinDistance(a, b) / 2, 9);
  });
  it('barycentres: the affine-invariant mean of two points is the geodesic midpoint; Bures-Wasserstein on diagonals is (sum w sqrt a)^2', () => {
    expect(maxDiff(spdBarycenter([a, b]), spdGeodesic(a, b, 0.5))).toBeLessThan(1e-10);
    const bw = spdBarycenter([diag([1, 4]), diag([9, 16])], {
      metric: 'bures-wasserstein',
      weights: [0.25, 0.75],
    });
    expect(maxDiff(bw, diag([(0.25 + 0.75 * 3) ** 2, (0.5 + 0.75 * 4) ** 2]))).toBeLessThan(1e-10);
    expect(() =>
      spdBarycenter([
        a,
        array([
          [1, 0, 0, 0, 0],
          [0, -1, 0, 0, 0],
          [0, 0, 1, 0, 0],
          [0, 0, 0, 1, 0],
          [0, 0, 0, 0, 1],
        ]),
      ]),
    ).toThrow('spdBarycenter: matrix is not positive definite');
    expect(() => spdBarycenter([a, b], { maxIter: 1, tol: 0 })).toThrow(
      /spdBarycenter: did not converge after 1 iterations/,
    );
  });
});
