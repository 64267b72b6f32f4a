import { NDArray } from '@krylov/core-array';
import { describe, expect, it } from 'vitest';
import {
  type Batch,
  SamplingRun,
  adaptiveSde,
  ddpm,
  defineModel,
  dpmSolverPP,
  edm,
  edmStochastic,
  eulerAncestral,
  gaussianMixture,
  heun,
  initialNoise,
  noiseTo,
  sample,
  timesteps,
  unipc,
  vpLinear,
} from '../src/index.js';
import { energyDistance, maxAbsDiff, moments, rotatedGaussian } from './helpers.js';

const data = rotatedGaussian();
const truthCov = data.covariance();

function expectGaussianMoments(x: NDArray, tolMean: number, tolCov: number) {
  const { mean, cov } = moments(x);
  for (let i = 0; i < 4; i++) {
    expect(Math.abs(mean[i] - data.mean[i])).toBeLessThan(tolMean);
    for (let j = 0; j < 4; j++)
      expect(Math.abs(cov[i][j] - truthCov.get(i, j))).toBeLessThan(
        tolCov * Math.sqrt(truthCov.get(i, i) * truthCov.get(j, j)),
      );
  }
}

describe('samples match the target distribution', () => {
  const n = 2000;
  const schedule = vpLinear();
  // first-order stochastic samplers carry an O(1/steps) bias, so they get more steps
  const stochastic = [
    [ddpm(), 250],
    [eulerAncestral(), 250],
    [dpmSolverPP({ order: 2, eta: 1 }), 60],
    [dpmSolverPP({ order: 3, eta: 1 }), 60],
    [edmStochastic({ churn: 20 }), 60],
  ] as const;
  for (const [sampler, steps] of stochastic) {
    it(`${sampler.name}: mean and covariance of Gaussian data within sampling error, reproducible by seed`, async () => {
      const x = initialNoise(schedule, [n, 4], 1);
      const options = { schedule, steps, spacing: 'logsnr' as const, seed: 5 };
      const out = await sample(data.model, sampler, x, options);
      // standard error of a mean is ~ sqrt(var / n) <= 2/45; of a covariance ~ sqrt(2/n) relative
      expectGaussianMoments(out, 0.2, 0.15);
      const again = await sample(data.model, sampler, x, options);
      expect(maxAbsDiff(out, again)).toBe(0);
      const other = await sample(data.model, sampler, x, { ...options, seed: 6 });
      expect(maxAbsDiff(out, other)).toBeGreaterThan(0.1);
    });
  }
  it('adaptive SDE solver: moments within sampling error with far fewer evaluations than fixed steps', async () => {
    const x = initialNoise(schedule, [n, 4], 2);
    let nfe = 0;
    const out = await sample(data.model, adaptiveSde(), x, {
      schedule,
      steps: 2,
      seed: 3,
      onProgress: (p) => (nfe = p.nfe),
    });
    expectGaussianMoments(out, 0.2, 0.15);
    // a fixed-step first-order SDE solver needs ~250 evaluations for the same moments (see above)
    expect(nfe).toBeLessThan(250);
  });

  it('Gaussian mixture: deterministic samples are close in energy distance to exact samples', async () => {
    const mix = gaussianMixture({
      weights: [0.3, 0.7],
      means: [
        [-2, 0],
        [2, 1],
      ],
      variances: [0.3, 0.5],
    });
    const m = 800;
    const x = initialNoise(schedule, [m, 2], 8);
    const out = await sample(mix.model, unipc({ order: 2 }), x, { schedule, steps: 25, spacing: 'logsnr' });
    const exact = mix.sample(m, 9);
    const baseline = energyDistance(mix.sample(m, 10), exact);
    expect(energyDistance(out, exact)).toBeLessThan(Math.max(4 * baseline, 0.02));
    // a badly wrong distribution (one component only) is clearly rejected by the same statistic
    const wrong = gaussianMixture({ weights: [1], means: [[2, 1]], variances: [0.5] }).sample(m, 11);
    expect(energyDistance(wrong, exact)).toBeGreaterThan(10 * Math.max(baseline, 0.02));
  });
});

describe('drivers', () => {
  it('SamplingRun driven by hand equals sample(), with an async model', async () => {
    const schedule = edm();
    const x = initialNoise(schedule, [6, 4], 4);
    const asyncModel = defineModel('x0', async (y, level) => data.model.predict(y, level));
    const viaSample = await sample(asyncModel, heun(), x, { schedule, steps: 12, spacing: 'karras' });
    const run = new SamplingRun(heun(), x, 'x0', { schedule, steps: 12, spacing: 'karras' });
    while (!run.done) run.step(await data.model.predict(run.input.x, run.input.level));
    expect(maxAbsDiff(run.result, viaSample)).toBe(0);
    expect(run.nfe).toBe(23);
  });
  it('image-to-image: starting from an intermediate time keeps the input close', async () => {
    const schedule = vpLinear();
    const x0 = data.sample(8, 12);
    const start = 0.3;
    const xs = noiseTo(x0, start, schedule, 13);
    const out = await sample(data.model, dpmSolverPP(), xs, {
      schedule,
      steps: 10,
      start,
      spacing: 'logsnr',
    });
    const far = await sample(data.model, dpmSolverPP(), initialNoise(schedule, [8, 4], 13), {
      schedule,
      steps: 10,
      spacing: 'logsnr',
    });
    expect(maxAbsDiff(out, x0)).toBeLessThan(maxAbsDiff(far, x0));
  });
  it('progress callback sees every evaluation; abort stops the run', async () => {
    const schedule = vpLinear();
    const x = initialNoise(schedule, [2, 4], 4);
    const seen: number[] = [];
    await sample(data.model, dpmSolverPP(), x, { schedule, steps: 5, onProgress: (p) => seen.push(p.nfe) });
    expect(seen).toEqual([1, 2, 3, 4, 5]);
    const controller = new AbortController();
    const run = sample(data.model, dpmSolverPP(), x, {
      schedule,
      steps: 5,
      signal: controller.signal,
      onProgress: () => controller.abort(),
    });
    await expect(run).rejects.toThrow(/abort/i);
  });
});

describe('bad input', () => {
  const schedule = vpLinear();
  const x = initialNoise(schedule, [2, 4], 1);
  it('NaN from the model names the step', async () => {
    let calls = 0;
    const broken = defineModel('epsilon', (y) => {
      calls++;
      const out = y.copy();
      if (calls === 3) out.data[1] = Number.NaN;
      return out;
    });
    await expect(sample(broken, dpmSolverPP(), x, { schedule, steps: 5 })).rejects.toThrow(
      "sample(dpmpp-2m): argument 'model output' is NaN; expected finite values (non-finite entry 1 at step 2)",
    );
  });
  it('mis-shaped output, unknown prediction, missing seed, bad times, unknown option', async () => {
    const wrong = defineModel('x0', () => new NDArray(new Float64Array(3), [1, 3]) as Batch);
    await expect(sample(wrong, dpmSolverPP(), x, { schedule, steps: 3 })).rejects.toThrow(
      "sample(dpmpp-2m): argument 'model output at step 0' with shape [1, 3]: must match the sample shape [2,4]",
    );
    expect(() => defineModel('noise' as never, () => x)).toThrow(
      'defineModel: argument \'prediction\' is "noise"',
    );
    await expect(sample(data.model, ddpm(), x, { schedule, steps: 3 })).rejects.toThrow(
      "SamplingRun: argument 'options.seed' is undefined; expected a seed or Rng: ddpm is stochastic",
    );
    await expect(sample(data.model, ddpm(), x, { schedule, times: [0.5, 0.9, 0], seed: 1 })).rejects.toThrow(
      "argument 'times[1]' is 0.9",
    );
    await expect(sample(data.model, ddpm(), x, { schedule, steps: 3, sed: 1 } as never)).rejects.toThrow(
      "sample: argument 'options.sed' is 1",
    );
    expect(() => dpmSolverPP({ order: 4 as never })).toThrow(
      "dpmSolverPP: argument 'options.order' is 4; expected one of 2, 3",
    );
    expect(() => timesteps(schedule, 3, { spacing: 'leading', trainSteps: 2 })).toThrow(
      "argument 'options.trainSteps' is 2",
    );
  });
  it('adaptive solver reports non-convergence', async () => {
    await expect(
      sample(data.model, adaptiveSde({ maxSteps: 3, rtol: 1e-9, atol: 1e-9 }), x, {
        schedule,
        steps: 2,
        seed: 1,
      }),
    ).rejects.toThrow(/adaptiveSde: did not converge after 3 iterations/);
  });
});
