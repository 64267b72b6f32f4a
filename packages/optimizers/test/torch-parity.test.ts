import { NDArray } from '@krylov/core-array';
import { describe, expect, it } from 'vitest';
import {
  type GradientTransformation,
  Optimizer,
  type ParamTree,
  adafactor,
  adagrad,
  adam,
  adamw,
  amsgrad,
  lion,
  rmsprop,
  sgd,
} from '../src/index.js';
import fixture from './fixtures/torch_optim.json';

// PyTorch fixtures (generator: fixtures/make_torch_fixtures.py): the same gradients, evaluated at
// the current parameters, for 200 steps; the trajectories must agree to 1e-12 relative.
const factories: Record<string, (o: never) => GradientTransformation<unknown>> = {
  sgd,
  'sgd-momentum': sgd,
  'sgd-nesterov': sgd,
  adam,
  adamw,
  amsgrad,
  adagrad,
  rmsprop,
  'rmsprop-centered': rmsprop,
  adafactor,
  lion,
};

function gradients(params: ParamTree, t: number): ParamTree {
  const out: ParamTree = {};
  for (const [k, p] of Object.entries(params)) {
    const a = fixture.a[k as 'w'];
    const c = fixture.c[k as 'w'];
    out[k] = new NDArray(
      Float64Array.from(p.data, (v, i) => a[i] * (v - c[i]) + 0.1 * Math.sin(0.7 * t + 1.3 * i)),
      p.shape,
    );
  }
  return out;
}

describe('parity with torch.optim (float64, 200 steps)', () => {
  for (const c of fixture.cases) {
    it(c.name, () => {
      const params: ParamTree = {
        w: new NDArray(Float64Array.from(fixture.initial.w), fixture.shapes.w),
        b: new NDArray(Float64Array.from(fixture.initial.b), fixture.shapes.b),
      };
      const opt = new Optimizer(params, factories[c.name], c.options as never);
      for (let t = 1; t <= fixture.steps; t++) {
        opt.step(gradients(params, t));
        const expected = (c.trajectory as Record<string, Record<string, number[]>>)[String(t)];
        if (!expected) continue;
        for (const k of ['w', 'b']) {
          const got = params[k].data;
          const want = expected[k];
          let num = 0;
          let den = 0;
          for (let i = 0; i < want.length; i++) {
            num = Math.max(num, Math.abs(got[i] - want[i]));
            den = Math.max(den, Math.abs(want[i]));
          }
          expect(num / den, `${c.name} step ${t} param ${k}`).toBeLessThan(1e-12);
        }
      }
    });
  }
});
