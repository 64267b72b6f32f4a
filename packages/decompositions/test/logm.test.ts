import { readFileSync } from 'node:fs';
import { InvalidArgumentError, type NDArray, array, matmul, rng } from '@krylov/core-array';
import { describe, expect, it } from 'vitest';
import { expm, logm, sqrtm } from '../src/index.js';

const fx = JSON.parse(readFileSync(new URL('./fixtures/matfun.json', import.meta.url), 'utf8'));

function maxDiff(a: NDArray, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.size; i++) m = Math.max(m, Math.abs(a.data[i] - b[i]));
  return m;
}

describe('sqrtm and logm of nonsymmetric matrices (real Schur methods)', () => {
  it('match scipy.linalg.sqrtm and logm (fixtures/make_matfun.py)', () => {
    for (const c of fx.cases) {
      const a = array(c.a);
      expect(maxDiff(sqrtm(a), c.sqrtm.flat())).toBeLessThan(1e-11);
      expect(maxDiff(logm(a), c.logm.flat())).toBeLessThan(1e-11);
    }
  });

  it('sqrtm(A)^2 = A and expm(logm(A)) = A on random matrices with eigenvalues off the negative axis', () => {
    for (const [n, seed] of [
      [1, 1],
      [2, 2],
      [9, 3],
      [40, 4],
    ]) {
      const a = rng(seed).normal([n, n]);
      for (let i = 0; i < n; i++) a.data[i * n + i] += 2 * Math.sqrt(n);
      let anorm = 0;
      for (const v of a.data) anorm = Math.max(anorm, Math.abs(v));
      const x = sqrtm(a);
      expect(maxDiff(matmul(x, x), a.data) / anorm).toBeLessThan(1e-12 * n);
      expect(maxDiff(expm(logm(a)), a.data) / anorm).toBeLessThan(1e-12 * n);
    }
  });

  it('logm of a scaled rotation is [[log r, -theta], [theta, log r]]; logm(expm(B)) = B for small B', () => {
    const r = 2;
    const th = 0.7;
    const l = logm(
      array([
        [r * Math.cos(th), -r * Math.sin(th)],
        [r * Math.sin(th), r * Math.cos(th)],
      ]),
    );
    expect(maxDiff(l, [Math.log(r), -th, th, Math.log(r)])).toBeLessThan(1e-14);
    const b = rng(7).normal([8, 8]);
    for (let i = 0; i < b.size; i++) b.data[i] *= 0.2;
    expect(maxDiff(logm(expm(b)), b.data)).toBeLessThan(1e-12);
  });

  it('symmetric input keeps the eigh path; negative eigenvalues are typed errors', () => {
    const g = rng(8).normal([6, 6]);
    const spd = matmul(g, g.T);
    const x = sqrtm(spd);
    expect(maxDiff(matmul(x, x), spd.data)).toBeLessThan(1e-10);
    expect(() =>
      sqrtm(
        array([
          [-1, 0],
          [0, 1],
        ]),
      ),
    ).toThrow(InvalidArgumentError);
    expect(() =>
      sqrtm(
        array([
          [-1, 5],
          [0, 1],
        ]),
      ),
    ).toThrow(/negative real eigenvalue/);
    expect(() =>
      logm(
        array([
          [-2, 1],
          [0, 3],
        ]),
      ),
    ).toThrow(/negative real axis/);
    expect(() =>
      logm(
        array([
          [0, 1],
          [0, 3],
        ]),
      ),
    ).toThrow(InvalidArgumentError);
  });
});
