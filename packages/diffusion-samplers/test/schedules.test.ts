import { describe, expect, it } from 'vitest';
import {
  checkTimes,
  edm,
  rectifiedFlow,
  timesteps,
  ve,
  vpCosine,
  vpLinear,
  vpScaledLinear,
} from '../src/index.js';

const schedules = [vpLinear(), vpScaledLinear(), vpCosine(), ve(), edm(), rectifiedFlow()];

describe('noise schedules', () => {
  for (const s of schedules) {
    it(`${s.name}: lambda is decreasing and timeOfLambda inverts it`, () => {
      let prev = Number.POSITIVE_INFINITY;
      for (let k = 0; k <= 50; k++) {
        const t = s.tMin + (k / 50) * (s.tMax - s.tMin);
        const l = s.lambda(t);
        expect(l).toBeLessThan(prev);
        prev = l;
        expect(s.timeOfLambda(l)).toBeCloseTo(t, 9);
        expect(Math.log(s.alpha(t) / s.sigma(t))).toBeCloseTo(l, 10);
      }
    });
    it(`${s.name}: derivatives match finite differences`, () => {
      for (const u of [0.1, 0.5, 0.9]) {
        const t = s.tMin + u * (s.tMax - s.tMin);
        const h = 1e-6 * (s.tMax - s.tMin);
        expect(s.dAlpha(t)).toBeCloseTo((s.alpha(t + h) - s.alpha(t - h)) / (2 * h), 4);
        expect(s.dSigma(t) / (1 + Math.abs(s.dSigma(t)))).toBeCloseTo(
          (s.sigma(t + h) - s.sigma(t - h)) / (2 * h) / (1 + Math.abs(s.dSigma(t))),
          5,
        );
      }
    });
  }
  it('VP schedules preserve variance and match DDPM betas', () => {
    const s = vpLinear();
    for (const t of [0.01, 0.3, 0.99]) expect(s.alpha(t) ** 2 + s.sigma(t) ** 2).toBeCloseTo(1, 14);
    // discrete DDPM: alphaBar_T = prod(1 - beta_k), betas linspace(1e-4, 0.02, 1000)
    let logBar = 0;
    for (let k = 0; k < 1000; k++) logBar += Math.log(1 - (1e-4 + (k * (0.02 - 1e-4)) / 999));
    // the continuous schedule drops the O(beta^2) terms of log(1 - beta): within 1%
    expect(Math.abs(Math.log(s.alpha(1) ** 2) - logBar) / Math.abs(logBar)).toBeLessThan(0.01);
  });
  it('rejects bad parameters with the argument named', () => {
    expect(() => vpLinear({ beta0: 5, beta1: 1 })).toThrow(
      "vpLinear: argument 'options.beta1' is 1; expected greater than beta0 = 5",
    );
    expect(() => edm({ sigmaMin: -1 })).toThrow("edm: argument 'options.sigmaMin' is -1");
    expect(() => vpCosine({ x: 1 } as never)).toThrow("vpCosine: argument 'options.x'");
  });
});

describe('timestep spacings', () => {
  const s = vpLinear();
  it('every spacing is strictly decreasing, starts at tMax and ends with 0 or tMin', () => {
    for (const spacing of ['uniform', 'leading', 'trailing', 'logsnr', 'karras'] as const) {
      const t = timesteps(s, 10, { spacing });
      expect(t.length).toBe(11);
      expect(t[10]).toBe(0);
      for (let i = 1; i < t.length; i++) expect(t[i]).toBeLessThan(t[i - 1]);
      const u = timesteps(s, 10, { spacing, final: 'tmin' });
      expect(u.length).toBe(11);
      if (spacing === 'leading' || spacing === 'trailing') expect(u[10]).toBeGreaterThanOrEqual(s.tMin);
      else expect(u[10]).toBeCloseTo(s.tMin, 12);
    }
    expect(timesteps(s, 10, { spacing: 'logsnr', final: 'tmin' })[0]).toBeCloseTo(s.tMax, 12);
  });
  it('logsnr and karras spacings are uniform in their own variables', () => {
    const t = timesteps(s, 8, { spacing: 'logsnr', final: 'tmin' });
    const steps = [...t].slice(1).map((v, i) => s.lambda(v) - s.lambda(t[i]));
    for (const h of steps) expect(h).toBeCloseTo(steps[0], 9);
    const e = edm();
    const k = timesteps(e, 8, { spacing: 'karras', final: 'tmin' });
    const r = [...k].map((v) => v ** (1 / 7));
    for (let i = 2; i < r.length; i++) expect(r[i] - r[i - 1]).toBeCloseTo(r[1] - r[0], 9);
    expect(k[0]).toBeCloseTo(80, 9);
    expect(k[8]).toBeCloseTo(0.002, 12);
  });
  it('trailing spacing matches diffusers (1000 train steps, 10 steps)', () => {
    const t = timesteps(s, 10, { spacing: 'trailing', final: 'tmin' });
    // diffusers: round(arange(1000, 0, -1000/11)) - 1 -> 999, 908, 817, ...
    expect(Math.round(t[0] * 1000) - 1).toBe(999);
    expect(Math.round(t[1] * 1000) - 1).toBe(908);
  });
  it('validates counts, options and user times', () => {
    expect(() => timesteps(s, 0)).toThrow("timesteps: argument 'steps' is 0; expected an integer >= 1");
    expect(() => timesteps(s, 5, { spacing: 'cosine' as never })).toThrow(
      'argument \'options.spacing\' is "cosine"',
    );
    expect(() => timesteps(s, 5, { start: 2 })).toThrow("argument 'options.start' is 2");
    expect(() => checkTimes('sample', s, [1, 0.5, 0.7, 0])).toThrow(
      "sample: argument 'times[2]' is 0.7; expected strictly below times[1] = 0.5 (times must decrease)",
    );
    expect(() => checkTimes('sample', s, [1.5, 0.5])).toThrow("sample: argument 'times[0]' is 1.5");
  });
});
