import { NDArray, matmul } from '@krylov/core-array';
import { solve } from '@krylov/decompositions';
import { describe, expect, it } from 'vitest';
import {
  type Batch,
  dpmSolverPP,
  dps,
  ensembleKalmanGuidance,
  gaussianData,
  initialNoise,
  pigdm,
  projectionGuidance,
  sample,
  vpLinear,
} from '../src/index.js';
import { moments } from './helpers.js';

// Prior N(mean, I) in 3-D, measurements y = A x0 + noise with A 2 x 3.
const prior = gaussianData({ mean: [0.5, -1, 2], variances: [1, 1, 1] });
const a = new NDArray(Float64Array.from([1, 2, 0, 0, -1, 1]), [2, 3]);
const y = new NDArray(Float64Array.from([1.5, 0.5]), [2]);
const noiseStd = 0.3;
const schedule = vpLinear();

/** Closed-form posterior: Sigma = (I + A^T A / s^2)^-1, mu = Sigma (mean + A^T y / s^2). */
function posterior() {
  const ata = matmul(a.T, a) as NDArray<'float64'>;
  const prec = new NDArray(new Float64Array(9), [3, 3]);
  for (let i = 0; i < 3; i++)
    for (let j = 0; j < 3; j++) prec.set(ata.get(i, j) / noiseStd ** 2 + (i === j ? 1 : 0), i, j);
  const cov = solve(
    prec,
    new NDArray(Float64Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1]), [3, 3]),
  ) as NDArray<'float64'>;
  const rhs = new NDArray(new Float64Array(3), [3, 1]);
  for (let i = 0; i < 3; i++)
    rhs.set(prior.mean[i] + (a.get(0, i) * y.get(0) + a.get(1, i) * y.get(1)) / noiseStd ** 2, i, 0);
  const mean = matmul(cov, rhs) as NDArray<'float64'>;
  return { mean: [0, 1, 2].map((i) => mean.get(i, 0)), cov };
}

function residualNorm(x: NDArray): number {
  const r = matmul(x, a.T) as NDArray<'float64'>;
  let s = 0;
  for (let i = 0; i < r.shape[0]; i++) s += (r.get(i, 0) - y.get(0)) ** 2 + (r.get(i, 1) - y.get(1)) ** 2;
  return Math.sqrt(s / r.shape[0]);
}

describe('inverse problems on a linear Gaussian model', () => {
  const n = 2000;
  const x = initialNoise(schedule, [n, 3], 21);
  it('Pi-GDM samples the closed-form posterior (exact for isotropic Gaussian priors)', async () => {
    const guided = pigdm(prior.model, { schedule, operator: a, y, noiseStd });
    const out = await sample(guided, dpmSolverPP(), x, { schedule, steps: 40, spacing: 'logsnr' });
    const { mean, cov } = moments(out);
    const truth = posterior();
    for (let i = 0; i < 3; i++) {
      expect(Math.abs(mean[i] - truth.mean[i])).toBeLessThan(0.05);
      for (let j = 0; j < 3; j++) expect(Math.abs(cov[i][j] - truth.cov.get(i, j))).toBeLessThan(0.08);
    }
  });
  it('hard data consistency makes every sample satisfy A x = y', async () => {
    const out = await sample(
      projectionGuidance(prior.model, { schedule, operator: a, y }),
      dpmSolverPP(),
      x.slice('0:50'),
      { schedule, steps: 20, spacing: 'logsnr' },
    );
    expect(residualNorm(out)).toBeLessThan(1e-8);
  });
  it('DPS and ensemble Kalman guidance pull samples toward the measurements', async () => {
    const unguided = await sample(prior.model, dpmSolverPP(), x.slice('0:200'), {
      schedule,
      steps: 20,
      spacing: 'logsnr',
    });
    const forward = (z: Batch) => matmul(z, a.T) as Batch;
    const viaDps = await sample(
      dps(prior.model, { schedule, forward, adjoint: (_z, r) => matmul(r, a) as Batch, y, scale: 0.5 }),
      dpmSolverPP(),
      x.slice('0:200'),
      { schedule, steps: 20, spacing: 'logsnr' },
    );
    const viaEnkf = await sample(
      ensembleKalmanGuidance(prior.model, { schedule, forward, y, noiseStd }),
      dpmSolverPP(),
      x.slice('0:200'),
      { schedule, steps: 20, spacing: 'logsnr' },
    );
    const base = residualNorm(unguided);
    expect(residualNorm(viaDps)).toBeLessThan(0.5 * base);
    expect(residualNorm(viaEnkf)).toBeLessThan(0.5 * base);
    const truth = posterior();
    const { mean } = moments(viaEnkf);
    for (let i = 0; i < 3; i++) expect(Math.abs(mean[i] - truth.mean[i])).toBeLessThan(0.3);
  });
  it('rejects mismatched measurements and bad noise levels', () => {
    expect(() => pigdm(prior.model, { schedule, operator: a, y, noiseStd: -1 })).toThrow(
      "pigdm: argument 'options.noiseStd' is -1",
    );
    expect(() =>
      ensembleKalmanGuidance(prior.model, {
        schedule,
        forward: (z: Batch) => z,
        y,
        noiseStd: 0.1,
        extra: 1,
      } as never),
    ).toThrow("ensembleKalmanGuidance: argument 'options.extra'");
  });
});
