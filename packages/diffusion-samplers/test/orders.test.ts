import { beforeAll, describe, expect, it } from 'vitest';
import {
  type Batch,
  type EmpiricalModelStatistics,
  type GaussianMixtureData,
  type NoiseSchedule,
  type Sampler,
  computeEms,
  ddim,
  dpmSolver,
  dpmSolverPP,
  dpmSolverV3,
  edm,
  euler,
  flowEuler,
  flowHeun,
  gaussianMixture,
  heun,
  initialNoise,
  rectifiedFlow,
  referenceOdeSolve,
  sample,
  timesteps,
  unipc,
} from '../src/index.js';
import { maxAbsDiff, observedOrder } from './helpers.js';

// Orders of convergence measured where they are asymptotic. The data are a 1-D two-component
// Gaussian mixture with its exact denoiser, so the only error is discretization; the reference
// endpoint is a 6000-step RK4 solve (error ~1e-12, 100x below the smallest error fitted). Each
// sampler is fitted by least squares of log(error) on log(steps) over five doublings (four for
// UniPC-3, whose fourth-order range starts later) and must land within 0.25 of its order.
// Measured slopes (steps 80..1280 unless noted) are listed in the README.
const mixture = gaussianMixture({ weights: [0.3, 0.7], means: [[-1], [1.5]], variances: [0.25, 0.09] });
// 2-D, full covariances: condition numbers 12 and 25, principal axes at different angles
const anisotropic = gaussianMixture({
  weights: [0.4, 0.6],
  means: [
    [-1, 0.5],
    [1.2, -0.3],
  ],
  covariances: [
    [
      [0.5, 0.35],
      [0.35, 0.3],
    ],
    [
      [0.05, -0.02],
      [-0.02, 0.6],
    ],
  ],
});
const DOUBLINGS = [80, 160, 320, 640, 1280];
const LATE = [320, 640, 1280, 2560];

interface Case {
  /** The sampler, or (DPM-Solver-v3) a factory given the EMS computed from the data's model. */
  sampler: Sampler | { name: string; make: (ems: EmpiricalModelStatistics) => Sampler };
  order: number;
  steps?: number[];
}

// DPM-Solver-v3 with EMS computed from the exact model (1024 trajectories, 200 grid points)
const v3 = (order: 1 | 2 | 3, corrector: boolean) => ({
  name: `dpm-solver-v3-${order}${corrector ? '' : '-no-corrector'}`,
  make: (ems: EmpiricalModelStatistics) => dpmSolverV3({ ems, order, corrector }),
});
const v3Cases: Case[] = [
  { sampler: v3(1, false), order: 1 },
  { sampler: v3(2, false), order: 2 },
  { sampler: v3(3, false), order: 3 },
  { sampler: v3(1, true), order: 2 },
  // the corrected methods reach their asymptotic range later, as UniPC-3 does
  { sampler: v3(2, true), order: 3, steps: LATE },
  { sampler: v3(3, true), order: 4, steps: [640, 1280, 2560, 5120] },
];

const diffusionCases: Case[] = [
  { sampler: euler(), order: 1 },
  { sampler: ddim(), order: 1 },
  { sampler: heun(), order: 2 },
  { sampler: dpmSolver({ order: 1 }), order: 1 },
  { sampler: dpmSolver({ order: 2 }), order: 2 },
  { sampler: dpmSolver({ order: 3 }), order: 3 },
  { sampler: dpmSolverPP({ order: 2 }), order: 2 },
  { sampler: dpmSolverPP({ order: 3 }), order: 3 },
  // the k-diffusion / diffusers third-order update: order 2 (documented, kept for reproduction)
  { sampler: dpmSolverPP({ order: 3, variant: 'reference' }), order: 2, steps: [160, 320, 640, 1280, 2560] },
  { sampler: unipc({ order: 1 }), order: 2 },
  { sampler: unipc({ order: 1, variant: 'bh1' }), order: 2 },
  { sampler: unipc({ order: 2 }), order: 3 },
  { sampler: unipc({ order: 2, variant: 'bh1' }), order: 3 },
  { sampler: unipc({ order: 3 }), order: 4, steps: LATE },
  { sampler: unipc({ order: 1, corrector: false }), order: 1 },
  { sampler: unipc({ order: 2, corrector: false }), order: 2 },
  { sampler: unipc({ order: 3, corrector: false }), order: 3 },
];

const flowCases: Case[] = [
  { sampler: flowEuler(), order: 1 },
  { sampler: flowHeun(), order: 2 },
];

function orderSuite(
  title: string,
  data: GaussianMixtureData,
  schedule: NoiseSchedule,
  spacing: 'karras' | 'uniform',
  cases: Case[],
) {
  describe(title, () => {
    const x = initialNoise(schedule, [8, data.dim], 11);
    let reference: Batch;
    let ems: EmpiricalModelStatistics;
    beforeAll(async () => {
      ems = await computeEms(data.model, schedule, initialNoise(schedule, [1024, data.dim], 3));
      reference = await referenceOdeSolve(data.model, x, schedule.tMax, schedule.tMin, schedule, {
        steps: 6000,
      });
    });
    for (const c of cases) {
      const steps = c.steps ?? DOUBLINGS;
      const sampler = () => ('make' in c.sampler ? c.sampler.make(ems) : c.sampler);
      it(`${c.sampler.name} converges at order ${c.order} over ${steps[0]}..${steps[steps.length - 1]} steps`, async () => {
        const errors: number[] = [];
        for (const n of steps) {
          const times = timesteps(schedule, n, { spacing, final: 'tmin' });
          errors.push(maxAbsDiff(await sample(data.model, sampler(), x, { schedule, times }), reference));
        }
        const p = observedOrder(steps, errors);
        if (process.env.ORDERS_LOG)
          console.log(
            `${title} | ${c.sampler.name} | ${p.toFixed(2)} | ${errors.map((e) => e.toExponential(2)).join(' ')}`,
          );
        expect(p, `errors ${errors.map((e) => e.toExponential(2)).join(', ')}`).toBeGreaterThan(
          c.order - 0.25,
        );
        expect(p, `errors ${errors.map((e) => e.toExponential(2)).join(', ')}`).toBeLessThan(c.order + 0.25);
      });
    }
  });
}

orderSuite(
  'asymptotic order on an exact Gaussian mixture (EDM schedule, Karras rho = 7 grid)',
  mixture,
  edm({ sigmaMin: 0.02, sigmaMax: 80 }),
  'karras',
  [...diffusionCases, ...v3Cases],
);
orderSuite(
  'asymptotic order on an exact anisotropic 2-D Gaussian mixture (EDM schedule, Karras rho = 7 grid)',
  anisotropic,
  edm({ sigmaMin: 0.02, sigmaMax: 80 }),
  'karras',
  [...diffusionCases, ...v3Cases],
);
orderSuite(
  'asymptotic order on an exact Gaussian mixture (rectified flow, uniform grid)',
  mixture,
  rectifiedFlow({ tMin: 0.02, tMax: 0.98 }),
  'uniform',
  flowCases,
);
