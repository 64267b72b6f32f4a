import {
  type NoiseSchedule,
  type Sampler,
  type Spacing,
  adaptiveSde,
  ddim,
  ddpm,
  dpmSolver,
  dpmSolverPP,
  dpmSolverV3,
  edm,
  edmStochastic,
  euler,
  eulerAncestral,
  flowEuler,
  flowHeun,
  heun,
  rectifiedFlow,
  unipc,
} from '@krylov/diffusion-samplers';
import { storedEms } from './denoiser.js';

/** A sampler of the table with its schedule, spacing and model evaluations per step. */
export interface Entry {
  sampler: Sampler;
  schedule: NoiseSchedule;
  spacing: Spacing;
  perStep: number;
}

/** The diffusion schedule of the table (the EMS are computed on it). */
export const SCHEDULE = edm({ sigmaMin: 0.002, sigmaMax: 80 });
const diffusion = SCHEDULE;
const flow = rectifiedFlow();

const d = (sampler: Sampler, perStep = 1): Entry => ({
  sampler,
  schedule: diffusion,
  spacing: 'karras',
  perStep,
});
const f = (sampler: Sampler, perStep = 1): Entry => ({
  sampler,
  schedule: flow,
  spacing: 'uniform',
  perStep,
});

/**
 * Every sampler of the package: the diffusion samplers on the EDM schedule (sigma 0.002..80,
 * Karras rho = 7 grid), the flow samplers on the rectified-flow schedule (uniform grid) with the
 * same denoiser (its x0 prediction converts to the flow velocity exactly); DPM-Solver-v3 with the
 * statistics stored in model/ems.json.
 */
export function entries(): Entry[] {
  const ems = storedEms();
  return [
    d(euler()),
    d(ddim()),
    d(ddpm()),
    d(eulerAncestral()),
    d(heun(), 2),
    d(edmStochastic({ churn: 10 }), 2),
    d(dpmSolver({ order: 1 })),
    d(dpmSolver({ order: 2 }), 2),
    d(dpmSolver({ order: 3 }), 3),
    d(dpmSolverPP({ order: 2 })),
    d(dpmSolverPP({ order: 3 })),
    d(dpmSolverPP({ order: 2, eta: 1 })),
    d(unipc({ order: 1 })),
    d(unipc({ order: 2 })),
    d(unipc({ order: 3 })),
    d(dpmSolverV3({ ems, order: 2 })),
    d(dpmSolverV3({ ems })),
    f(flowEuler()),
    f(flowHeun(), 2),
  ];
}

/** The adaptive SDE solver picks its own steps between tMax and tMin (a two-point grid); its tolerance sets the NFE. */
export const ADAPTIVE = { sampler: adaptiveSde, schedule: diffusion, tolerances: [0.2, 0.1, 0.05] };
