import { type BenchCase, type BenchSuite, lineChart } from '@krylov/bench';
import {
  type Batch,
  type DiffusionModel,
  type Sampler,
  ddim,
  dpmSolver,
  dpmSolverPP,
  flowEuler,
  flowHeun,
  gaussianData,
  gaussianMixture,
  heun,
  initialNoise,
  referenceOdeSolve,
  sample,
  timesteps,
  unipc,
  vpLinear,
} from '../src/index.js';

const schedule = vpLinear({ tMin: 1e-3 });
const NFES = [6, 10, 16, 24, 32, 48];

/** Each sampler with the model evaluations one step costs (the last step to t = 0 costs one). */
const SAMPLERS: { sampler: Sampler; perStep: number }[] = [
  { sampler: ddim(), perStep: 1 },
  { sampler: heun(), perStep: 2 },
  { sampler: dpmSolver({ order: 2 }), perStep: 2 },
  { sampler: dpmSolver({ order: 3 }), perStep: 3 },
  { sampler: dpmSolverPP({ order: 2 }), perStep: 1 },
  { sampler: dpmSolverPP({ order: 3 }), perStep: 1 },
  { sampler: unipc({ order: 2 }), perStep: 1 },
  { sampler: flowEuler(), perStep: 1 },
  { sampler: flowHeun(), perStep: 2 },
];

/** Steps that fit in `nfe` evaluations: k-stage steps, then one evaluation to denoise at t = 0. */
const stepsFor = (nfe: number, perStep: number) => Math.max(1, Math.floor((nfe - 1) / perStep) + 1);

function rms(a: Batch, b: Batch): number {
  let s = 0;
  for (let i = 0; i < a.size; i++) s += (a.data[i] - b.data[i]) ** 2;
  return Math.sqrt(s / a.size);
}

function basis64(): number[] {
  return Array.from({ length: 64 }, (_, i) => 10 ** (-1 + (2 * i) / 63));
}

export const suite: BenchSuite = {
  name: 'samplers',
  description:
    'Error versus number of model evaluations (NFE) for each deterministic sampler, on a 2-D Gaussian mixture (reference: RK4 probability-flow solve, 2000 steps) and a 64-D Gaussian (closed-form flow), VP linear schedule, log-SNR spacing, final step to t = 0; plus the per-step overhead of the sampler next to a trivial model.',
  notes: [
    'acc = RMS distance of the samples (256 per problem) to the reference ODE endpoint; a sampler whose step needs k evaluations uses floor((NFE - 1) / k) + 1 steps.',
    'flow-euler and flow-heun integrate the same probability-flow ODE in the schedule time t (velocity from the denoiser), not in log-SNR.',
    'Stochastic samplers are compared by distribution, not pathwise, and are left out of this table (their moments and reproducibility are tested).',
    'Overhead rows time 20 steps with a model that returns its input (64-D batch of 256); the model-only row is the cost of those 20 model calls alone.',
  ],
  async cases() {
    const mixture = gaussianMixture({
      weights: [0.3, 0.2, 0.25, 0.25],
      means: [
        [-2, 0],
        [2, 1],
        [0, 3],
        [1, -2.5],
      ],
      variances: [0.1, 0.3, 0.05, 0.2],
    });
    const gaussian = gaussianData({
      mean: Array.from({ length: 64 }, (_, i) => Math.sin(i)),
      variances: basis64(),
    });
    const problems: { name: string; model: DiffusionModel; x: Batch; reference: Batch }[] = [];
    const xm = initialNoise(schedule, [256, 2], 1);
    problems.push({
      name: 'mixture 2-D',
      model: mixture.model,
      x: xm,
      reference: await referenceOdeSolve(mixture.model, xm, schedule.tMax, 0, schedule),
    });
    const xg = initialNoise(schedule, [256, 64], 2);
    problems.push({
      name: 'Gaussian 64-D',
      model: gaussian.model,
      x: xg,
      reference: gaussian.odeSolution(xg, schedule.tMax, 0, schedule),
    });
    const cases: BenchCase[] = [];
    for (const p of problems) {
      for (const nfe of NFES) {
        for (const { sampler, perStep } of SAMPLERS) {
          const times = timesteps(schedule, stepsFor(nfe, perStep), { spacing: 'logsnr' });
          cases.push({
            name: `${p.name} NFE=${nfe}`,
            library: sampler.name,
            minRuns: 1,
            run: () => sample(p.model, sampler, p.x, { schedule, times }),
            accuracy: (_s, out) => rms(out as Batch, p.reference),
          });
        }
      }
    }
    const trivial: DiffusionModel = { prediction: 'x0', predict: (x) => x };
    const x = initialNoise(schedule, [256, 64], 3);
    const times = timesteps(schedule, 20, { spacing: 'logsnr' });
    for (const { sampler } of SAMPLERS)
      cases.push({
        name: 'overhead: 20 steps, trivial model',
        library: sampler.name,
        run: () => sample(trivial, sampler, x, { schedule, times }),
      });
    cases.push({
      name: 'overhead: 20 steps, trivial model',
      library: 'model only',
      run: () => {
        for (let i = 0; i < 20; i++) trivial.predict(x, { t: 0.5, alpha: 1, sigma: 1 });
      },
    });
    return cases;
  },
  artifacts(results) {
    return ['mixture 2-D', 'Gaussian 64-D'].map((problem) => ({
      file: `samplers-${problem.startsWith('mixture') ? 'mixture' : 'gaussian64'}.svg`,
      content: lineChart(
        SAMPLERS.map(({ sampler }) => ({
          label: sampler.name,
          points: NFES.map(
            (nfe) =>
              [
                nfe,
                results.find((r) => r.name === `${problem} NFE=${nfe}` && r.library === sampler.name)
                  ?.accuracy ?? Number.NaN,
              ] as [number, number],
          ),
        })),
        {
          title: `Error vs NFE: ${problem}`,
          xLabel: 'model evaluations (NFE)',
          yLabel: 'RMS error vs reference',
          logX: true,
          logY: true,
        },
      ),
    }));
  },
};
