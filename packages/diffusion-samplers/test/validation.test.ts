import { InvalidArgumentError, NDArray, ShapeError } from '@krylov/core-array';
import { describe, expect, it } from 'vitest';
import {
  type Batch,
  SamplingRun,
  adaptiveSde,
  convertPrediction,
  ddim,
  defineModel,
  dpmSolver,
  dpmSolverPP,
  edm,
  edmStochastic,
  eulerAncestral,
  gaussianData,
  gaussianMixture,
  initialNoise,
  noiseTo,
  pigdm,
  rectifiedFlow,
  sample,
  timesteps,
  unipc,
  ve,
  vpCosine,
  vpLinear,
} from '../src/index.js';
import { maxAbsDiff } from './helpers.js';

const schedule = vpLinear();
const data = gaussianData({ mean: [1, -1], variances: [1, 0.5] });
const x = initialNoise(schedule, [2, 2], 1);

describe('every public parameter is checked', () => {
  it('noiseTo refuses times outside the schedule, naming the function and the value', () => {
    const x0 = data.sample(2, 3);
    expect(() => noiseTo(x0, 1.5, schedule, 1)).toThrow(InvalidArgumentError);
    expect(() => noiseTo(x0, 1.5, schedule, 1)).toThrow(
      "noiseTo: argument 't' is 1.5; expected a time of the vp-linear schedule",
    );
    expect(() => noiseTo(x0, -0.1, schedule, 1)).toThrow("noiseTo: argument 't' is -0.1");
    expect(() => noiseTo(x0, Number.NaN, schedule, 1)).toThrow("noiseTo: argument 't' is NaN");
    expect(() => noiseTo(x0, '0.5' as never, schedule, 1)).toThrow('noiseTo: argument \'t\' is "0.5"');
    expect(() => noiseTo(x0, 0.5, schedule, {} as never)).toThrow("noiseTo: argument 'seed'");
    expect(() => noiseTo([1, 2] as never, 0.5, schedule, 1)).toThrow("noiseTo: argument 'x0'");
    expect(maxAbsDiff(noiseTo(x0, 0, schedule, 1), x0)).toBe(0);
    expect(() => initialNoise(schedule, [2, 2], 1, { t: 2 })).toThrow(
      "initialNoise: argument 'options.t' is 2",
    );
    expect(() => initialNoise(schedule, [2, 2], 1, { dtype: 'int32' as never })).toThrow('options.dtype');
  });

  it('sampler options: ranges, the supported orders, booleans and strings are refused', () => {
    expect(() => dpmSolverPP({ eta: -0.1 })).toThrow("dpmSolverPP: argument 'options.eta' is -0.1");
    expect(() => dpmSolverPP({ eta: Number.NaN })).toThrow("dpmSolverPP: argument 'options.eta' is NaN");
    expect(() => dpmSolverPP({ eta: '1' as never })).toThrow('dpmSolverPP: argument \'options.eta\' is "1"');
    expect(() => dpmSolverPP({ order: 1 as never })).toThrow("dpmSolverPP: argument 'options.order' is 1");
    expect(() => dpmSolverPP({ lowerOrderFinal: 'false' as never })).toThrow(
      'dpmSolverPP: argument \'options.lowerOrderFinal\' is "false"; expected true or false',
    );
    expect(() => dpmSolverPP({ variant: 'kdiffusion' as never })).toThrow(
      'options.variant\' is "kdiffusion"',
    );
    expect(() => dpmSolver({ order: 2.5 as never })).toThrow("dpmSolver: argument 'options.order' is 2.5");
    expect(() => unipc({ order: 4 as never })).toThrow("unipc: argument 'options.order' is 4");
    expect(() => unipc({ order: '2' as never })).toThrow('unipc: argument \'options.order\' is "2"');
    expect(() => unipc({ corrector: 1 as never })).toThrow("unipc: argument 'options.corrector' is 1");
    expect(() => ddim({ eta: -1 })).toThrow("ddim: argument 'options.eta' is -1");
    expect(() => ddim({ eta: 1.5 })).toThrow("ddim: argument 'options.eta' is 1.5");
    expect(() => eulerAncestral({ noiseScale: Number.POSITIVE_INFINITY })).toThrow(
      "eulerAncestral: argument 'options.noiseScale' is Infinity",
    );
    expect(() => edmStochastic({ churnMin: 2, churnMax: 1 })).toThrow(
      "edmStochastic: argument 'options.churnMax' is 1",
    );
    expect(() => edmStochastic({ noiseScale: Number.NaN })).toThrow(
      "edmStochastic: argument 'options.noiseScale'",
    );
    expect(() => adaptiveSde({ maxSteps: 10.5 })).toThrow("adaptiveSde: argument 'options.maxSteps' is 10.5");
    expect(() => adaptiveSde({ safety: 2 })).toThrow("adaptiveSde: argument 'options.safety' is 2");
  });

  it('schedules and spacings', () => {
    expect(() => vpLinear({ tMin: Number.NaN })).toThrow("vpLinear: argument 'options.tMin' is NaN");
    expect(() => vpCosine({ tMax: 1 })).toThrow("vpCosine: argument 'options.tMax' is 1");
    expect(() => ve({ tMin: 0 })).toThrow("ve: argument 'options.tMin' is 0");
    expect(() => rectifiedFlow({ tMin: '0.1' as never })).toThrow("rectifiedFlow: argument 'options.tMin'");
    expect(() => edm({ sigmaMax: Number.NaN })).toThrow("edm: argument 'options.sigmaMax' is NaN");
    // ve's grid used to end with two zeros (tMin = 0, then the clean end), and DDIM returned NaN
    const v = ve();
    const times = timesteps(v, 5);
    expect(times[times.length - 2]).toBeGreaterThan(0);
    expect(() => timesteps(schedule, 2.5)).toThrow("timesteps: argument 'steps' is 2.5");
    expect(() => timesteps(schedule, '5' as never)).toThrow('timesteps: argument \'steps\' is "5"');
    expect(() => timesteps(schedule, 5, { rho: 0 })).toThrow("timesteps: argument 'options.rho' is 0");
    expect(() => timesteps(vpLinear({ tMin: 0.02 }), 50, { spacing: 'leading', final: 'tmin' })).toThrow(
      'timesteps: argument \'options.spacing\' is "leading"',
    );
    expect(() => timesteps({} as never, 5)).toThrow("timesteps: argument 'schedule.alpha'");
  });

  it('sample: NaN or non-monotone times, bad steps and options, malformed models and samplers', async () => {
    const run = (opts: object, model = data.model, sampler = dpmSolverPP()) =>
      sample(model, sampler, x, { schedule, ...opts } as never);
    await expect(run({ times: [0.9, Number.NaN, 0] })).rejects.toThrow("argument 'times[1]' is NaN");
    await expect(run({ times: [0.5, 0.7, 0] })).rejects.toThrow("argument 'times[1]' is 0.7");
    await expect(run({ times: '0.9,0.5' })).rejects.toThrow("SamplingRun: argument 'times'");
    await expect(run({ times: [0.9, '0.5'] })).rejects.toThrow('SamplingRun: argument \'times[1]\' is "0.5"');
    await expect(run({ times: [0.9, 0.5], spacing: 'karras' })).rejects.toThrow("argument 'options.spacing'");
    await expect(run({ steps: 3.5 })).rejects.toThrow("SamplingRun: argument 'options.steps' is 3.5");
    await expect(run({ steps: 3, spacing: 'cosine' })).rejects.toThrow(
      "SamplingRun: argument 'options.spacing'",
    );
    await expect(run({ steps: 3, onProgress: 'log' })).rejects.toThrow(
      "sample: argument 'options.onProgress'",
    );
    await expect(run({ steps: 3, signal: true })).rejects.toThrow("sample: argument 'options.signal'");
    await expect(run({ steps: 3, schedule: undefined })).rejects.toThrow(
      "SamplingRun: argument 'options.schedule'",
    );
    await expect(run({ steps: 3 }, { prediction: 'x0' } as never)).rejects.toThrow(
      "sample: argument 'model.predict'",
    );
    await expect(run({ steps: 3 }, data.model, { name: 'mine' } as never)).rejects.toThrow(
      "sample: argument 'sampler.stochastic'",
    );
    await expect(sample(data.model, ddim(), [[1, 2]] as never, { schedule, steps: 3 })).rejects.toThrow(
      "SamplingRun: argument 'x'",
    );
  });

  it('a model returning a number, a plain array, a wrong dtype or shape: a typed error naming the sampler', async () => {
    const run = (out: unknown) =>
      sample(
        defineModel('x0', () => out as never),
        unipc({ order: 3 }),
        x,
        { schedule, steps: 4 },
      );
    await expect(run(0.5)).rejects.toThrow(InvalidArgumentError);
    await expect(run(0.5)).rejects.toThrow(
      "sample(unipc-3): argument 'model output at step 0' is 0.5; expected an NDArray",
    );
    await expect(
      run([
        [0, 0],
        [0, 0],
      ]),
    ).rejects.toThrow("sample(unipc-3): argument 'model output at step 0'");
    await expect(run(new NDArray(new Int32Array(4), [2, 2]))).rejects.toThrow(
      "sample(unipc-3): argument 'model output at step 0' has dtype int32",
    );
    await expect(run(new NDArray(new Float64Array(2), [2, 1]))).rejects.toThrow(ShapeError);
    const r = new SamplingRun(dpmSolver({ order: 3 }), x, 'x0', { schedule, steps: 2 });
    expect(() => r.step(7 as never)).toThrow(
      "SamplingRun.step(dpm-solver-3): argument 'model output at step 0' is 7",
    );
  });

  it('guidance and exact models', () => {
    const operator = new NDArray(Float64Array.from([1, 0]), [1, 2]);
    const y = new NDArray(Float64Array.from([Number.NaN]), [1]);
    expect(() => pigdm(data.model, { schedule, operator, y, noiseStd: 0.1 })).toThrow(
      "pigdm: argument 'options.y' is NaN",
    );
    const y1 = new NDArray(Float64Array.from([1]), [1]);
    expect(() => pigdm(data.model, { schedule, operator, y: y1, noiseStd: -1 })).toThrow(
      "pigdm: argument 'options.noiseStd' is -1",
    );
    expect(() => pigdm({} as never, { schedule, operator, y: y1, noiseStd: 0 })).toThrow(
      "pigdm: argument 'model.prediction'",
    );
    const notOrthogonal = new NDArray(Float64Array.from([1, 1, 0, 1]), [2, 2]);
    expect(() => gaussianData({ mean: [0, 0], variances: [1, 1], basis: notOrthogonal })).toThrow(
      "gaussianData: argument 'options.basis'",
    );
    expect(() => data.odeSolution(x, 1, 2, schedule)).toThrow("gaussianData.odeSolution: argument 'to' is 2");
    expect(() => convertPrediction(x, 'x0', 'epsilon', x, 2, schedule)).toThrow(
      "convertPrediction: argument 't' is 2",
    );
  });

  it('sample keeps honouring signal', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(
      sample(data.model, ddim(), x, { schedule, steps: 3, signal: controller.signal }),
    ).rejects.toThrow(/abort/i);
  });
});

describe("DPM-Solver++(3M) variants against an independent transcription of k-diffusion's sample_dpmpp_3m_sde", () => {
  // k-diffusion works in sigma (alpha = 1): the EDM schedule, where t = sigma.
  const sch = edm({ sigmaMin: 0.02, sigmaMax: 80 });
  const mix = gaussianMixture({ weights: [0.3, 0.7], means: [[-1], [1.5]], variances: [0.25, 0.09] });
  const x0 = initialNoise(sch, [4, 1], 5);
  const denoise = (y: Float64Array, sigma: number) =>
    (
      mix.model.predict(new NDArray(y.slice(), [y.length, 1]) as Batch, {
        t: sigma,
        alpha: 1,
        sigma,
      }) as Batch
    ).data;
  /** d2Weight 1: k-diffusion (eta = 0); 2: the Taylor coefficient. */
  const kdiffusion3m = (sigmas: Float64Array, d2Weight: number) => {
    let xs = Float64Array.from(x0.data);
    let d1p: Float64Array | null = null;
    let d2p: Float64Array | null = null;
    let h1: number | null = null;
    let h2: number | null = null;
    for (let i = 0; i + 1 < sigmas.length; i++) {
      const den = denoise(xs, sigmas[i]);
      const h = Math.log(sigmas[i]) - Math.log(sigmas[i + 1]);
      const phi2 = Math.expm1(-h) / h + 1;
      const phi3 = phi2 / h - 0.5;
      xs = xs.map((v, j) => Math.exp(-h) * v - Math.expm1(-h) * den[j]);
      if (h2 !== null && d1p && d2p) {
        const r0 = (h1 as number) / h;
        const r1 = h2 / h;
        xs = xs.map((v, j) => {
          const d10 = (den[j] - (d1p as Float64Array)[j]) / r0;
          const d11 = ((d1p as Float64Array)[j] - (d2p as Float64Array)[j]) / r1;
          const d1 = d10 + ((d10 - d11) * r0) / (r0 + r1);
          const d2 = (d10 - d11) / (r0 + r1);
          return v + phi2 * d1 - d2Weight * phi3 * d2;
        });
      } else if (h1 !== null && d1p) {
        const r = h1 / h;
        xs = xs.map((v, j) => v + (phi2 * (den[j] - (d1p as Float64Array)[j])) / r);
      }
      [d2p, d1p, h2, h1] = [d1p, Float64Array.from(den), h1, h];
    }
    return xs;
  };
  for (const [variant, w] of [
    ['reference', 1],
    ['taylor', 2],
  ] as const) {
    it(`variant '${variant}' reproduces the transcription with d2 weighted ${w} phi_3`, async () => {
      const times = timesteps(sch, 30, { spacing: 'karras', final: 'tmin' });
      // k-diffusion's second step is the 'heun' second-order update (diffusers' default is 'midpoint')
      const ours = await sample(mix.model, dpmSolverPP({ order: 3, variant, solverType: 'heun' }), x0, {
        schedule: sch,
        times,
      });
      const theirs = kdiffusion3m(times, w);
      for (let j = 0; j < theirs.length; j++) expect(ours.data[j]).toBeCloseTo(theirs[j], 10);
    });
  }
  it('solverType and eulerAtFinal are checked, and eulerAtFinal changes runs of any length', async () => {
    expect(() => dpmSolverPP({ solverType: 'euler' as never })).toThrow(
      /dpmSolverPP: argument 'options.solverType'/,
    );
    expect(() => dpmSolverPP({ eulerAtFinal: 'true' as never })).toThrow(/options\.eulerAtFinal/);
    expect(() => unipc({ eulerAtFinal: 1 as never })).toThrow(/unipc: argument 'options\.eulerAtFinal'/);
    const go = (eulerAtFinal: boolean) =>
      sample(mix.model, dpmSolverPP({ order: 3, eulerAtFinal }), x0, {
        schedule: sch,
        steps: 20,
        spacing: 'karras',
      });
    expect(maxAbsDiff(await go(true), await go(false))).toBeGreaterThan(1e-6);
  });
  it('lowerOrderFinal only changes runs of fewer than 15 steps', async () => {
    const go = (steps: number, lowerOrderFinal: boolean) =>
      sample(mix.model, dpmSolverPP({ order: 3, lowerOrderFinal }), x0, {
        schedule: sch,
        steps,
        spacing: 'karras',
      });
    expect(maxAbsDiff(await go(10, true), await go(10, false))).toBeGreaterThan(1e-6);
    expect(maxAbsDiff(await go(20, true), await go(20, false))).toBe(0);
  });
});
