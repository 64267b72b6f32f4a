import { readFileSync } from 'node:fs';
import {
  InvalidArgumentError,
  NDArray,
  ShapeError,
  SingularMatrixError,
  array,
  matmul,
  rng,
} from '@krylov/core-array';
import { solve } from '@krylov/decompositions';
import { describe, expect, it } from 'vitest';
import { discreteLyapunov, lyapunov, ridge, sylvester } from '../src/index.js';
import { maxAbsDiff, withCondition } from './helpers.js';

/** GCV score from the explicit hat matrix H = A (A^T A + lambda I)^-1 A^T (independent of the SVD path). */
function naiveGcv(a: NDArray<'float64'>, b: Float64Array, lambda: number): number {
  const [m, n] = a.shape;
  const gram = matmul(a.T, a) as NDArray<'float64'>;
  for (let i = 0; i < n; i++) gram.data[i * n + i] += lambda;
  const h = matmul(a, solve(gram, a.T.copy())) as NDArray<'float64'>;
  let rss = 0;
  let trace = 0;
  for (let i = 0; i < m; i++) {
    let fit = 0;
    for (let j = 0; j < m; j++) fit += h.data[i * m + j] * b[j];
    rss += (b[i] - fit) ** 2;
    trace += h.data[i * m + i];
  }
  return (m * rss) / (m - trace) ** 2;
}

describe('ridge', () => {
  const m = 60;
  const n = 20;
  const a = withCondition(m, 1e6, 3).slice(null, `0:${n}`).copy() as NDArray<'float64'>;
  const truth = rng(4).normal([n]).data as Float64Array;
  const clean = matmul(a, new NDArray(truth, [n, 1])).data as Float64Array;
  const noise = rng(5).normal([m]).data as Float64Array;
  const b = clean.map((v, i) => v + 0.01 * noise[i]);

  it('matches the regularized normal equations for a fixed lambda', () => {
    const lambda = 0.3;
    const r = ridge(a, b, { lambda });
    const gram = matmul(a.T, a) as NDArray<'float64'>;
    for (let i = 0; i < n; i++) gram.data[i * n + i] += lambda;
    const expected = solve(gram, matmul(a.T, new NDArray(b, [m, 1])));
    expect(maxAbsDiff(r.x.data, expected.data)).toBeLessThan(1e-10);
    expect(r.gcv).toBeCloseTo(naiveGcv(a, b, lambda), 8);
  });

  it('chooses lambda at a minimum of the GCV score and beats no regularization', () => {
    const r = ridge(a, b);
    const g = naiveGcv(a, b, r.lambda);
    expect(r.gcv).toBeCloseTo(g, 6);
    expect(g).toBeLessThanOrEqual(naiveGcv(a, b, r.lambda * 1.5) * (1 + 1e-9));
    expect(g).toBeLessThanOrEqual(naiveGcv(a, b, r.lambda / 1.5) * (1 + 1e-9));
    const err = (x: ArrayLike<number>) =>
      Math.sqrt(Array.from(x).reduce((s, v, i) => s + (v - truth[i]) ** 2, 0));
    expect(err(r.x.data)).toBeLessThan(err(ridge(a, b, { lambda: 0 }).x.data));
    expect(r.dof).toBeGreaterThan(0);
    expect(r.dof).toBeLessThan(n);
  });

  it('rejects a negative lambda', () => {
    expect(() => ridge(a, b, { lambda: -1 })).toThrow(InvalidArgumentError);
  });
});

describe('matrix equations against SciPy (fixtures/make_fixtures.py)', () => {
  const fx = JSON.parse(readFileSync(new URL('./fixtures/scipy.json', import.meta.url), 'utf8'));
  const a = array(fx.sylvester.a);
  const flat = (x: number[][]) => x.flat();

  it('sylvester: A X + X B = C with complex eigenvalue pairs in A and B', () => {
    const x = sylvester(a, array(fx.sylvester.b), array(fx.sylvester.c));
    expect(maxAbsDiff(x.data, flat(fx.sylvester.x))).toBeLessThan(1e-11);
    const resid = matmul(a, x).data.map(
      (v, i) => v + matmul(x, array(fx.sylvester.b)).data[i] - flat(fx.sylvester.c)[i],
    );
    expect(Math.max(...resid.map(Math.abs))).toBeLessThan(1e-12);
  });

  it('continuous and discrete Lyapunov', () => {
    const q = array(fx.lyapunov.q);
    const x = lyapunov(a, q);
    expect(maxAbsDiff(x.data, flat(fx.lyapunov.x))).toBeLessThan(1e-11);
    expect(maxAbsDiff(x.data, x.T.copy().data)).toBeLessThan(1e-12);
    const d = discreteLyapunov(array(fx.discrete_lyapunov.a), q);
    expect(maxAbsDiff(d.data, flat(fx.discrete_lyapunov.x))).toBeLessThan(1e-11);
  });

  it('a singular equation and bad shapes are typed errors', () => {
    const i2 = array([
      [1, 0],
      [0, 2],
    ]);
    const neg = array([
      [-1, 0],
      [0, 5],
    ]);
    expect(() =>
      sylvester(
        i2,
        neg,
        array([
          [1, 1],
          [1, 1],
        ]),
      ),
    ).toThrow(SingularMatrixError);
    expect(() =>
      sylvester(
        i2,
        neg,
        array([
          [1, 1, 1],
          [1, 1, 1],
        ]),
      ),
    ).toThrow(ShapeError);
    expect(() => lyapunov(rng(1).normal([2, 3]), i2)).toThrow(ShapeError);
  });
});
