import {
  dpmSolverPP,
  gaussianData,
  initialNoise,
  sample,
  timesteps,
  vpLinear,
} from '@krylov/diffusion-samplers';
import type { DemoSection } from './types.js';

export const section: DemoSection = {
  package: '@krylov/diffusion-samplers',
  async run() {
    const data = gaussianData({ mean: [1, -2, 0.5], variances: [4, 1, 0.25] });
    const schedule = vpLinear();
    const x = initialNoise(schedule, [256, 3], 7);
    const times = timesteps(schedule, 20, { spacing: 'logsnr' });
    const t0 = performance.now();
    const out = await sample(data.model, dpmSolverPP({ order: 2 }), x, { schedule, times });
    const ms = performance.now() - t0;
    const exact = data.odeSolution(x, times[0], 0, schedule);
    let err = 0;
    for (let i = 0; i < out.size; i++) err = Math.max(err, Math.abs(out.data[i] - exact.data[i]));
    return [
      {
        task: 'DPM-Solver++(2M), 20 steps, 256 samples of 3-D Gaussian data',
        accuracy: `max error vs exact ODE ${err.toExponential(1)}`,
        ms,
      },
    ];
  },
};
