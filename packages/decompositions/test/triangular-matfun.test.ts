import { readFileSync } from 'node:fs';
import { InvalidArgumentError, NDArray, array, matmul, rng } from '@krylov/core-array';
import { describe, expect, it } from 'vitest';
import { expm, logm, sqrtm } from '../src/index.js';
import { EPS } from './helpers.js';

// mpmath references at 120 digits and scipy.linalg values: fixtures/make_triangular_matfun.py.
const fx = JSON.parse(readFileSync(new URL('./fixtures/triangular-matfun.json', import.meta.url), 'utf8'));
type Case = { a: number[][]; exact: number[][]; scipy: number[][]; desired?: number[][] };

/** max |x - y| / max |y|: normwise relative error (max-based, the entries span 30 orders). */
function relErr(x: NDArray, y: number[][]): number {
  const f = y.flat();
  let num = 0;
  let den = 0;
  x.toFlatArray().forEach((v, i) => {
    num = Math.max(num, Math.abs(v - f[i]));
    den = Math.max(den, Math.abs(f[i]));
  });
  return num / den;
}

/** max_ij |x_ij - y_ij| / (atol + rtol |y_ij|), numpy's assert_allclose test as a number (<= 1 passes). */
function allclose(x: NDArray, y: number[][], rtol: number, atol = 0): number {
  const f = y.flat();
  let worst = 0;
  x.toFlatArray().forEach((v, i) => {
    const d = Math.abs(v - f[i]);
    if (d > 0) worst = Math.max(worst, d / (atol + rtol * Math.abs(f[i])));
  });
  return worst;
}

/** A random n x n upper triangular matrix with diagonal in [lo, hi] and off-diagonal entries of size ratio * mean(diag). */
function nonNormal(n: number, lo: number, hi: number, ratio: number, seed: number): NDArray<'float64'> {
  const u = rng(seed).uniform([n, n]) as NDArray<'float64'>;
  const out = new NDArray(new Float64Array(n * n), [n, n]);
  for (let i = 0; i < n; i++) {
    out.data[i * n + i] = lo + (hi - lo) * u.data[i * n + i];
    for (let j = i + 1; j < n; j++)
      out.data[i * n + j] = ratio * ((lo + hi) / 2) * (2 * u.data[i * n + j] - 1);
  }
  return out;
}

describe('logm of highly non-normal triangular matrices (Al-Mohy and Higham 2012, Algorithm 4.1)', () => {
  for (const [name, c] of Object.entries<Case>(fx.logm)) {
    it(`matches the 120-digit reference to working precision, at least as well as scipy.linalg.logm: ${name}`, () => {
      const l = logm(array(c.a));
      // Normwise relative error <= 10 eps (scipy's own: 2.9e-16 .. 7.4e-16 on these matrices; the js
      // backend reaches 4 eps, native gemm rounds differently: up to 5.9 eps seen).
      expect(relErr(l, c.exact)).toBeLessThanOrEqual(10 * EPS);
      expect(relErr(l, c.scipy)).toBeLessThanOrEqual(12 * EPS);
      // The diagonal is log of the eigenvalues entrywise (1 x 1 blocks: log of A's diagonal).
      const n = c.a.length;
      for (let i = 0; i < n; i++)
        expect(Math.abs(l.get(i, i) - c.exact[i][i])).toBeLessThanOrEqual(2 * EPS * Math.abs(c.exact[i][i]));
      for (let i = 0; i < n; i++)
        if ((i === 0 || c.a[i][i - 1] === 0) && (i + 1 === n || c.a[i + 1][i] === 0))
          expect(l.get(i, i)).toBe(Math.log(c.a[i][i]));
    });
  }

  it('experiment 1: expm(logm(A)) = A within what the expm leg conditioning allows (scipy asserts rtol 5e-5)', () => {
    const a = fx.logm.amh2012_experiment1.a as number[][];
    // ||log A|| = 2.9e14 while ||A|| = 9e4: expm at log A amplifies relative perturbations by ~1e10.
    expect(allclose(expm(logm(array(a))), a, 5e-5, 1e-14)).toBeLessThanOrEqual(1);
  });

  it('expm(logm(A)) = A as closely as expm of the correctly rounded logarithm allows', () => {
    // The round trip is limited by expm's conditioning at log A, not by logm: expm of the
    // 120-digit logarithm rounded to float64 is itself 5.9e-7 off on experiment 1 (and useless, > 1,
    // on triu6/triu8, whose logarithms reach 1e24 and 1e34), so compare with that.
    for (const name of [
      'amh2012_experiment1',
      'amh2012_experiment1_lower',
      'close_diagonal_2x2',
      'quasi5_ratio1e5',
    ]) {
      const c: Case = fx.logm[name];
      const ours = relErr(expm(logm(array(c.a))), c.a);
      const viaExact = relErr(expm(array(c.exact)), c.a);
      // (js: within 10x of it; native gemm: 20x seen on experiment 1)
      expect(ours).toBeLessThanOrEqual(Math.max(30 * viaExact, 2 * EPS));
    }
  });

  it('expm(logm(A)) = A and logm(expm(B)) = B on moderately non-normal triangular matrices', () => {
    for (const [n, ratio, seed] of [
      [2, 1e3, 1],
      [5, 30, 6],
      [8, 10, 7],
      [12, 3, 8],
    ]) {
      // Milder non-normality than the fixtures: expm's conditioning at log A (which dominates the
      // round trip, see the next test) stays small enough for 1e-11.
      const a = nonNormal(n, 0.2, 3, ratio, seed);
      const rt = expm(logm(a));
      expect(relErr(rt, a.toArray() as number[][])).toBeLessThan(1e-11);

      const lower = logm(a.T);
      expect(relErr(lower, (logm(a).T as NDArray).toArray() as number[][])).toBe(0);
      const b = nonNormal(n, -1, 1, ratio / 10, seed + 10);
      expect(relErr(logm(expm(b)), b.toArray() as number[][])).toBeLessThan(1e-12);
    }
  });

  it('sqrtm of a triangular matrix stays triangular, with the exact diagonal', () => {
    const a = nonNormal(6, 0.3, 2, 100, 5);
    const x = sqrtm(a);
    const n = 6;
    for (let i = 0; i < n; i++) {
      expect(x.get(i, i)).toBe(Math.sqrt(a.get(i, i)));
      for (let j = 0; j < i; j++) expect(x.get(i, j)).toBe(0);
    }
    // ||X|| = 2e6 while ||A|| = 1e2: X^2 cancels, 4.6e-13 measured.
    expect(relErr(matmul(x, x), a.toArray() as number[][])).toBeLessThan(1e-12);

    expect(() =>
      logm(
        array([
          [1, 1e5],
          [0, -1e-3],
        ]),
      ),
    ).toThrow(InvalidArgumentError);
  });
});

describe('expm of highly non-normal triangular matrices (Al-Mohy and Higham 2009)', () => {
  for (const [name, c] of Object.entries<Case>(fx.expm)) {
    it(`matches the 120-digit reference: ${name}`, () => {
      const e = expm(array(c.a));
      // scipy_triangularity_perturbation is ill conditioned (entries 3e14 cancel to 3e4): scipy itself
      // is 1.9e-5 off there, 1.2e-8 on triu6 and 8e-11 on quasi5; elsewhere both are near eps.
      expect(relErr(e, c.exact)).toBeLessThanOrEqual(
        name === 'scipy_triangularity_perturbation' ? 1e-6 : 4 * EPS,
      );
      expect(relErr(e, c.exact)).toBeLessThanOrEqual(Math.max(relErr(array(c.scipy), c.exact), 4 * EPS));
    });
  }

  it("scipy's test_triangularity_perturbation: expm(logm(A)) = A to rtol 1e-4, and only for the triangular path", () => {
    const c = fx.expm.scipy_triangularity_perturbation;
    const want = fx.logm.amh2012_experiment1.a as number[][];
    expect(allclose(expm(array(c.a)), want, 1e-4)).toBeLessThanOrEqual(1);
    const perturbed = array(c.a);
    perturbed.data[4] = 1e-17;
    expect(allclose(expm(perturbed), want, 1e-4, 1e-15)).toBeGreaterThan(1);
  });

  it('the over-scaling example [[1, b], [0, -1]]: exact to eps for every b (no squaring error)', () => {
    for (const b of [1, 1e4, 1e8, 1e12]) {
      const e = expm(
        array([
          [1, b],
          [0, -1],
        ]),
      );
      expect(
        relErr(e, [
          [Math.E, b * Math.sinh(1)],
          [0, Math.exp(-1)],
        ]),
      ).toBeLessThanOrEqual(2 * EPS);
    }
  });

  it("scipy's test_pascal: exp of the nilpotent lower bidiagonal diag(1..n, -1) * scale is the scaled Pascal matrix", () => {
    for (const scale of [1, 1e-3, 1e-6])
      for (let n = 0; n < 80; n += 3) {
        const sc = Array.from({ length: n + 1 }, (_, k) => scale ** (n - k));
        if (sc.some((v) => v < 1e-300)) break;
        const a = new NDArray(new Float64Array((n + 1) ** 2), [n + 1, n + 1]);
        for (let i = 1; i <= n; i++) a.data[i * (n + 1) + i - 1] = i * scale;
        const got = expm(a);
        const binom = (p: number, q: number) => {
          let r = 1;
          for (let k = 1; k <= q; k++) r = (r * (p - q + k)) / k;
          return r;
        };
        let worst = 0;
        let top = 0;
        const expected: number[] = [];
        for (let i = 0; i <= n; i++)
          for (let j = 0; j <= n; j++) {
            const v = j <= i ? (binom(i, j) * sc[j]) / sc[i] : 0;
            expected.push(v);
            top = Math.max(top, Math.abs(v));
          }
        got.toFlatArray().forEach((v, k) => {
          worst = Math.max(worst, Math.abs(v - expected[k]));
        });
        expect(worst).toBeLessThanOrEqual(1e-13 * top);
      }
  });

  it("scipy's test_exp_sinch_overflow: exp(-2^11 L) equals exp(-L) squared 11 times for triangular L", () => {
    const l = array([
      [1, -0.5, -0.5, 0, 0, 0, 0],
      [0, 1, 0, -0.5, -0.5, 0, 0],
      [0, 0, 1, 0, 0, -0.5, -0.5],
      [0, 0, 0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0, 0, 0],
    ]);
    const e1 = expm(
      new NDArray(
        Float64Array.from(l.data, (v) => -(2 ** 11) * v),
        [7, 7],
      ),
    );
    let e2: NDArray = expm(
      new NDArray(
        Float64Array.from(l.data, (v) => -v),
        [7, 7],
      ),
    );
    for (let k = 0; k < 11; k++) e2 = matmul(e2, e2);
    expect(e1.toFlatArray().every(Number.isFinite)).toBe(true);
    expect(allclose(e1, e2.toArray() as number[][], 1e-7, 1e-300)).toBeLessThanOrEqual(1);
  });
});

describe("scipy's Burkardt expm matrices (scipy/sparse/linalg/tests/test_matfuncs.py)", () => {
  for (const [name, c] of Object.entries<Case>(fx.burkardt)) {
    it(name, () => {
      const e = expm(array(c.a));
      // As scipy: assert_allclose(actual, desired) with its default rtol 1e-7.
      expect(allclose(e, c.desired!, 1e-7)).toBeLessThanOrEqual(1);
      // And against the 120-digit value, as tight as scipy.linalg.expm's own error allows (<= 1e-12 everywhere).
      expect(relErr(e, c.exact)).toBeLessThanOrEqual(1e-12);
    });
  }
});
