import { type Batch, lincomb } from '../vector.js';
import { type Point, pointAt, request } from './common.js';
import type { Sampler, SamplerProgram } from './types.js';

/** The flow velocity dx/dt = alpha' D + sigma' eps with eps = (x - alpha D) / sigma, as terms. */
function velocity(x: Batch, d: Batch, p: Point, dAlpha: number, dSigma: number): [number, Batch][] {
  return [
    [dSigma / p.sigma, x],
    [dAlpha - (dSigma * p.alpha) / p.sigma, d],
  ];
}

function flowSampler(name: string, secondOrder: boolean): Sampler {
  return {
    name,
    stochastic: false,
    *program({ schedule, times, x }): SamplerProgram {
      const v = (y: Batch, d: Batch, p: Point) =>
        velocity(y, d, p, schedule.dAlpha(p.t), schedule.dSigma(p.t));
      for (let i = 0; i + 1 < times.length; i++) {
        const p = pointAt(schedule, times[i]);
        const q = pointAt(schedule, times[i + 1]);
        const dt = q.t - p.t;
        const v0 = v(x, yield request(x, p, i), p);
        const euler = lincomb([[1, x], ...v0.map(([c, b]) => [c * dt, b] as [number, Batch])]);
        if (!secondOrder || q.sigma === 0) {
          x = euler;
          continue;
        }
        const v1 = v(euler, yield request(euler, q, i), q);
        x = lincomb([[1, x], ...[...v0, ...v1].map(([c, b]) => [(c * dt) / 2, b] as [number, Batch])]);
      }
      return x;
    },
  };
}

/** Euler's method on the flow ODE dx/dt = v(x, t) in the schedule's own time (flow matching / rectified flow samplers). */
export function flowEuler(): Sampler {
  return flowSampler('flow-euler', false);
}

/** Heun's method (explicit trapezoid) on the flow ODE in the schedule's own time; Euler on a last step to t = 0. */
export function flowHeun(): Sampler {
  return flowSampler('flow-heun', true);
}
