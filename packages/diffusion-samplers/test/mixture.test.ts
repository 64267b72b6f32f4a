import { InvalidArgumentError, NDArray, NotPositiveDefiniteError, ShapeError } from '@krylov/core-array';
import { describe, expect, it } from 'vitest';
import { type Batch, gaussianData, gaussianMixture, initialNoise, vpLinear } from '../src/index.js';
import { maxAbsDiff, moments } from './helpers.js';

const levels = [
  { t: 0.05, alpha: 0.99, sigma: 0.08 },
  { t: 0.5, alpha: 0.6, sigma: 0.8 },
  { t: 1, alpha: 0.01, sigma: 0.99995 },
];

/** An independent 2-D mixture log-density log p_t(x_t) by explicit 2x2 inverses and determinants. */
function logDensity2d(
  w: number[],
  mu: number[][],
  cov: number[][][],
  alpha: number,
  sigma: number,
  x: [number, number],
): number {
  let p = 0;
  for (let k = 0; k < w.length; k++) {
    // x_t ~ N(alpha mu, alpha^2 Sigma + sigma^2 I)
    const a = alpha * alpha * cov[k][0][0] + sigma * sigma;
    const b = alpha * alpha * cov[k][0][1];
    const d = alpha * alpha * cov[k][1][1] + sigma * sigma;
    const det = a * d - b * b;
    const u = x[0] - alpha * mu[k][0];
    const v = x[1] - alpha * mu[k][1];
    const quad = (d * u * u - 2 * b * u * v + a * v * v) / det;
    p += (w[k] * Math.exp(-quad / 2)) / (2 * Math.PI * Math.sqrt(det));
  }
  return Math.log(p);
}

describe('gaussianMixture with full covariances', () => {
  const w = [0.4, 0.6];
  const mu = [
    [-1, 0.5],
    [1.2, -0.3],
  ];
  const cov = [
    [
      [0.5, 0.35],
      [0.35, 0.3],
    ],
    [
      [0.05, -0.02],
      [-0.02, 0.6],
    ],
  ];
  const mix = gaussianMixture({ weights: w, means: mu, covariances: cov });

  it("is Tweedie's formula on the closed-form 2-D density: D = (x + sigma^2 grad log p_t) / alpha to 1e-7", async () => {
    const xs = initialNoise(vpLinear(), [40, 2], 5, { t: 0.3 });
    for (const { t, alpha, sigma } of levels) {
      let err = 0;
      for (let b = 0; b < 40; b++) {
        const x: [number, number] = [xs.data[2 * b], xs.data[2 * b + 1]];
        const di = (
          await mix.model.predict(new NDArray(Float64Array.from(x), [1, 2]) as Batch, { t, alpha, sigma })
        ).data;
        for (let i = 0; i < 2; i++) {
          const e = Math.max(1e-5, 1e-5 * sigma);
          const xp: [number, number] = [...x];
          const xm: [number, number] = [...x];
          xp[i] += e;
          xm[i] -= e;
          const score =
            (logDensity2d(w, mu, cov, alpha, sigma, xp) - logDensity2d(w, mu, cov, alpha, sigma, xm)) /
            (2 * e);
          err = Math.max(err, Math.abs(di[i] - (x[i] + sigma * sigma * score) / alpha));
        }
      }
      expect(err, `t = ${t}`).toBeLessThan(1e-7);
    }
  });

  it('reduces to the isotropic implementation for Sigma_k = v_k I (3-D, to 1e-14)', async () => {
    const means = [
      [0, 1, -1],
      [2, 0, 0.5],
      [-1, -1, 1],
    ];
    const v = [0.3, 0.05, 1.2];
    const iso = gaussianMixture({ weights: [1, 2, 3], means, variances: v });
    const full = gaussianMixture({
      weights: [1, 2, 3],
      means,
      covariances: v.map((vk) => [
        [vk, 0, 0],
        [0, vk, 0],
        [0, 0, vk],
      ]),
    });
    expect(iso.variances).not.toBeNull();
    expect(full.variances).toBeNull();
    const x = initialNoise(vpLinear(), [50, 3], 9, { t: 0.4 });
    for (const level of levels) {
      const a = (await iso.model.predict(x, level)) as Batch;
      const b = (await full.model.predict(x, level)) as Batch;
      expect(maxAbsDiff(a, b)).toBeLessThan(1e-14);
    }
  });

  it('with one component equals gaussianData with the eigenbasis (closed form, to 1e-13)', async () => {
    const c = Math.cos(0.4);
    const s = Math.sin(0.4);
    const basis = new NDArray(Float64Array.from([c, -s, s, c]), [2, 2]);
    const g = gaussianData({ mean: [0.5, -1], variances: [2, 0.1], basis });
    const one = gaussianMixture({ weights: [1], means: [[0.5, -1]], covariances: [g.covariance()] });
    expect(maxAbsDiff(one.covariances[0], g.covariance())).toBeLessThan(1e-15);
    const x = initialNoise(vpLinear(), [30, 2], 3, { t: 0.6 });
    for (const level of levels)
      expect(
        maxAbsDiff((await one.model.predict(x, level)) as Batch, (await g.model.predict(x, level)) as Batch),
      ).toBeLessThan(1e-13);
  });

  it('samples with the mixture mean and covariance (Monte Carlo, 40000 draws, within 5 standard errors)', () => {
    const n = 40000;
    const { mean, cov: c } = moments(mix.sample(n, 17));
    // mixture moments: m = sum w mu; C = sum w (Sigma + mu mu^T) - m m^T
    const m = [0, 1].map((i) => w[0] * mu[0][i] + w[1] * mu[1][i]);
    for (let i = 0; i < 2; i++) {
      expect(Math.abs(mean[i] - m[i])).toBeLessThan(5 * Math.sqrt(1.5 / n));
      for (let j = 0; j < 2; j++) {
        const want =
          w.reduce((acc, wk, k) => acc + wk * (cov[k][i][j] + mu[k][i] * mu[k][j]), 0) - m[i] * m[j];
        expect(Math.abs(c[i][j] - want)).toBeLessThan(5 * Math.sqrt(4 / n));
      }
    }
  });

  it('rejects covariances that are not symmetric positive definite dim x dim, and ambiguous options', () => {
    const means = [[0, 0]];
    const err = (covariances: unknown) => () =>
      gaussianMixture({ weights: [1], means, covariances: covariances as number[][][] });
    expect(
      err([
        [
          [1, 2],
          [2, 1],
        ],
      ]),
    ).toThrow(NotPositiveDefiniteError);
    expect(
      err([
        [
          [1, 2],
          [2, 1],
        ],
      ]),
    ).toThrow(/column 1/);
    expect(
      err([
        [
          [1, 0.5],
          [0, 1],
        ],
      ]),
    ).toThrow(InvalidArgumentError);
    expect(
      err([
        [
          [1, 0],
          [0, Number.NaN],
        ],
      ]),
    ).toThrow(/covariances\[0\]\[1\]\[1\]/);
    expect(
      err([
        [
          [1, 0, 0],
          [0, 1, 0],
          [0, 0, 1],
        ],
      ]),
    ).toThrow(ShapeError);
    expect(err([new NDArray(Float64Array.from([1, 0, 0, 1]), [4])])).toThrow(ShapeError);
    expect(err([[[1, 0]]])).toThrow(ShapeError);
    expect(() => gaussianMixture({ weights: [1], means })).toThrow(/exactly one of variances/);
    expect(() =>
      gaussianMixture({
        weights: [1],
        means,
        variances: [1],
        covariances: [
          [
            [1, 0],
            [0, 1],
          ],
        ],
      }),
    ).toThrow(InvalidArgumentError);
  });
});
