import { describe, expect, it } from 'vitest';
import {
  type Sampler,
  ddim,
  dpmSolver,
  dpmSolverPP,
  edm,
  euler,
  flowEuler,
  flowHeun,
  heun,
  initialNoise,
  rectifiedFlow,
  referenceOdeSolve,
  sample,
  timesteps,
  unipc,
  vpLinear,
} from '../src/index.js';
import { maxAbsDiff, observedOrder, rotatedGaussian } from './helpers.js';

// Each deterministic sampler integrates the probability-flow ODE of exact Gaussian data; the
// error against the closed-form ODE solution at tMin, fitted over a range of step counts, shows
// the order of convergence.
const data = rotatedGaussian();
const cases: {
  sampler: Sampler;
  order: number;
  schedule: ReturnType<typeof vpLinear>;
  spacing: 'logsnr' | 'karras' | 'uniform';
  steps: number[];
}[] = [
  { sampler: ddim(), order: 1, schedule: vpLinear({ tMin: 0.02 }), spacing: 'logsnr', steps: [10, 20, 40] },
  {
    sampler: euler(),
    order: 1,
    schedule: edm({ sigmaMin: 0.05, sigmaMax: 20 }),
    spacing: 'karras',
    steps: [10, 20, 40],
  },
  {
    sampler: heun(),
    order: 2,
    schedule: edm({ sigmaMin: 0.05, sigmaMax: 20 }),
    spacing: 'karras',
    steps: [10, 20, 40],
  },
  {
    sampler: dpmSolverPP({ order: 2 }),
    order: 2,
    schedule: vpLinear({ tMin: 0.02 }),
    spacing: 'logsnr',
    steps: [40, 80, 160, 320],
  },
  {
    sampler: dpmSolverPP({ order: 3 }),
    order: 3,
    schedule: vpLinear({ tMin: 0.02 }),
    spacing: 'logsnr',
    steps: [40, 80, 160, 320],
  },
  {
    sampler: dpmSolver({ order: 1 }),
    order: 1,
    schedule: vpLinear({ tMin: 0.02 }),
    spacing: 'logsnr',
    steps: [10, 20, 40],
  },
  {
    sampler: dpmSolver({ order: 2 }),
    order: 2,
    schedule: vpLinear({ tMin: 0.02 }),
    spacing: 'logsnr',
    steps: [10, 20, 40],
  },
  {
    sampler: dpmSolver({ order: 3 }),
    order: 3,
    schedule: vpLinear({ tMin: 0.02 }),
    spacing: 'logsnr',
    steps: [6, 12, 24],
  },
  {
    sampler: unipc({ order: 1 }),
    order: 2,
    schedule: vpLinear({ tMin: 0.02 }),
    spacing: 'logsnr',
    steps: [40, 80, 160, 320],
  },
  {
    sampler: unipc({ order: 2 }),
    order: 3,
    schedule: vpLinear({ tMin: 0.02 }),
    spacing: 'logsnr',
    steps: [40, 80, 160, 320],
  },
  {
    sampler: unipc({ order: 2, corrector: false }),
    order: 2,
    schedule: vpLinear({ tMin: 0.02 }),
    spacing: 'logsnr',
    steps: [40, 80, 160, 320],
  },
  {
    sampler: flowEuler(),
    order: 1,
    schedule: rectifiedFlow({ tMin: 0.02, tMax: 0.98 }),
    spacing: 'uniform',
    steps: [10, 20, 40],
  },
  {
    sampler: flowHeun(),
    order: 2,
    schedule: rectifiedFlow({ tMin: 0.02, tMax: 0.98 }),
    spacing: 'uniform',
    steps: [10, 20, 40],
  },
];

describe('order of convergence on exact Gaussian data', () => {
  for (const c of cases) {
    it(`${c.sampler.name} has order ${c.order}`, async () => {
      const x = initialNoise(c.schedule, [16, 4], 7);
      const errors: number[] = [];
      for (const n of c.steps) {
        const times = timesteps(c.schedule, n, { spacing: c.spacing, final: 'tmin' });
        const out = await sample(data.model, c.sampler, x, { schedule: c.schedule, times });
        errors.push(maxAbsDiff(out, data.odeSolution(x, times[0], times[times.length - 1], c.schedule)));
      }
      const p = observedOrder(c.steps, errors);
      expect(p).toBeGreaterThan(c.order - 0.35);
      expect(p).toBeLessThan(c.order + 0.6);
    });
  }
});

describe('final step to t = 0', () => {
  it('denoises with the last prediction and gets close to the clean ODE endpoint', async () => {
    const schedule = vpLinear();
    const x = initialNoise(schedule, [8, 4], 3);
    const error = async (steps: number) => {
      const times = timesteps(schedule, steps, { spacing: 'logsnr' });
      const out = await sample(data.model, dpmSolverPP({ order: 3 }), x, { schedule, times });
      return maxAbsDiff(out, data.odeSolution(x, times[0], 0, schedule));
    };
    expect(await error(40)).toBeLessThan(5e-3);
    expect(await error(80)).toBeLessThan(1e-3);
  });
});

describe('reference ODE solve', () => {
  it('matches the closed-form Gaussian flow to 1e-10 (fourth order: 400 steps give ~1e-8)', async () => {
    const schedule = vpLinear({ tMin: 0.02 });
    const x = initialNoise(schedule, [4, 4], 2);
    const exact = data.odeSolution(x, schedule.tMax, schedule.tMin, schedule);
    expect(
      maxAbsDiff(await referenceOdeSolve(data.model, x, schedule.tMax, schedule.tMin, schedule), exact),
    ).toBeLessThan(1e-10);
    const coarse = maxAbsDiff(
      await referenceOdeSolve(data.model, x, schedule.tMax, schedule.tMin, schedule, { steps: 400 }),
      exact,
    );
    expect(coarse).toBeLessThan(5e-8);
  });
});
