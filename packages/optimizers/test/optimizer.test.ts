import { NDArray } from '@krylov/core-array';
import { describe, expect, it } from 'vitest';
import {
  Optimizer,
  type ParamTree,
  adam,
  adamw,
  chain,
  clipByGlobalNorm,
  cosineSchedule,
  exponentialSchedule,
  linearWarmup,
  oneCycleSchedule,
  scaleByLearningRate,
  sgd,
  stepSchedule,
} from '../src/index.js';

const make = (): ParamTree => ({
  w: new NDArray(Float64Array.from([1, -2, 3, 0.5, -1, 2]), [2, 3]),
  b: new NDArray(Float64Array.from([0.1, -0.2, 0.3]), [3]),
});
const grads = (p: ParamTree, t: number): ParamTree => ({
  w: new NDArray(
    Float64Array.from(p.w.data, (v, i) => v - 0.5 + Math.cos(t + i)),
    [2, 3],
  ),
  b: new NDArray(
    Float64Array.from(p.b.data, (v, i) => 2 * v + Math.sin(t * i)),
    [3],
  ),
});

describe('Optimizer', () => {
  it('state round-trips through bytes and training resumes identically', () => {
    const a = make();
    const opt = new Optimizer(a, adamw, { lr: 0.01 }, [{ params: ['b'], weightDecay: 0 }]);
    for (let t = 1; t <= 50; t++) opt.step(grads(a, t));
    const bytes = opt.toBytes();
    const snapshot = { w: a.w.copy(), b: a.b.copy() };
    for (let t = 51; t <= 100; t++) opt.step(grads(a, t));

    const b = snapshot as ParamTree;
    const resumed = new Optimizer(b, adamw, { lr: 0.01 }, [{ params: ['b'], weightDecay: 0 }]);
    resumed.loadBytes(bytes);
    expect(resumed.stepCount).toBe(50);
    for (let t = 51; t <= 100; t++) resumed.step(grads(b, t));
    expect([...b.w.data]).toEqual([...a.w.data]);
    expect([...b.b.data]).toEqual([...a.b.data]);
    // the plain-object form too
    const dict = opt.stateDict();
    const again = new Optimizer(make(), adamw, { lr: 0.01 }, [{ params: ['b'], weightDecay: 0 }]);
    again.loadStateDict(dict);
    expect(again.stateDict()).toEqual(dict);
  });

  it('parameter groups use their own options', () => {
    const p = make();
    const opt = new Optimizer(p, sgd, { lr: 0.1 }, [{ params: ['b'], lr: 0 }]);
    const before = p.b.copy();
    opt.step(grads(p, 1));
    expect([...p.b.data]).toEqual([...before.data]);
    expect(opt.groupOptions.map((g) => g.options.lr)).toEqual([0, 0.1]);
  });

  it('zeroState resets moments and the step count', () => {
    const p = make();
    const opt = new Optimizer(p, adam, { lr: 0.01 });
    opt.step(grads(p, 1));
    const first = p.w.copy();
    const q = make();
    const fresh = new Optimizer(q, adam, { lr: 0.01 });
    fresh.step(grads(q, 1));
    expect([...q.w.data]).toEqual([...first.data]);
    opt.zeroState();
    expect(opt.stepCount).toBe(0);
  });

  it('rejects bad gradients before touching the parameters', () => {
    const p = make();
    const opt = new Optimizer(p, adam, { lr: 0.01 });
    const before = p.w.copy();
    const g = grads(p, 1);
    expect(() => opt.step({ ...g, w: new NDArray(new Float64Array(4), [2, 2]) })).toThrow(
      "Optimizer.step: argument 'grads.w' with shape [2, 2]: must match the parameter's shape [2,3]",
    );
    expect(() => opt.step({ ...g, extra: g.b })).toThrow("Optimizer.step: argument 'grads.extra'");
    const { b: _b, ...missing } = g;
    expect(() => opt.step(missing)).toThrow(
      "Optimizer.step: argument 'grads.b' is undefined; expected a gradient for every parameter",
    );
    const nan = g.w.copy();
    nan.data[4] = Number.NaN;
    expect(() => opt.step({ ...g, w: nan })).toThrow(
      "Optimizer.step: argument 'grads.w' is NaN; expected finite values (entry 4 is not); the parameters were left unchanged",
    );
    expect([...p.w.data]).toEqual([...before.data]);
    expect(() => new Optimizer(p, adam, { lr: 0.01 }, [{ params: ['nope'] }])).toThrow(
      'Optimizer: argument \'groups[0].params\' is "nope"',
    );
    expect(() => new Optimizer({ w: p.w.T as never }, adam, {})).toThrow("Optimizer: argument 'params.w'");
    expect(() => adam({ lr: 0.1, beta1: 0.9 } as never)).toThrow(
      "adam: argument 'options.beta1' is 0.9; expected one of the known options",
    );
  });

  it('clipByGlobalNorm bounds the joint norm of the updates', () => {
    const p = make();
    const opt = new Optimizer(p, () => chain(clipByGlobalNorm(0.5), scaleByLearningRate(1)), {});
    const before = { w: p.w.copy(), b: p.b.copy() };
    opt.step(grads(p, 1));
    let sq = 0;
    for (const k of ['w', 'b'])
      for (let i = 0; i < p[k].size; i++) sq += (p[k].data[i] - before[k as 'w'].data[i]) ** 2;
    expect(Math.sqrt(sq)).toBeCloseTo(0.5, 5);
  });
});

describe('learning-rate schedules', () => {
  it('match their closed forms', () => {
    expect(stepSchedule(1, { stepSize: 10, gamma: 0.5 })(21)).toBe(0.25);
    expect(exponentialSchedule(2, 0.9)(3)).toBeCloseTo(2 * 0.81, 15);
    expect(linearWarmup(1, { warmup: 4 })(2)).toBe(0.5);
    const cos = cosineSchedule(1, { total: 110, warmup: 10, finalFraction: 0.1 });
    expect(cos(5)).toBe(0.5);
    expect(cos(10)).toBe(1);
    expect(cos(60)).toBeCloseTo(0.55, 12);
    expect(cos(110)).toBeCloseTo(0.1, 12);
    const one = oneCycleSchedule(1, { total: 100 });
    expect(one(1)).toBeCloseTo(1 / 25, 12);
    expect(Math.max(...Array.from({ length: 100 }, (_, i) => one(i + 1)))).toBeCloseTo(1, 3);
    expect(one(100)).toBeCloseTo(1 / 25 / 1e4, 10);
    expect(() => cosineSchedule(1, { total: 5, warmup: 10 })).toThrow(
      "cosineSchedule: argument 'options.total' is 5; expected an integer > warmup (10)",
    );
  });
});
