import { InvalidArgumentError, NDArray, ShapeError } from '@krylov/core-array';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  type GradientTransformation,
  LBFGS,
  type NadamOptimizerState,
  Optimizer,
  type ParamTree,
  type RiemannianAdamState,
  type ShampooOptimizerState,
  type SoapOptimizerState,
  adadelta,
  adafactor,
  adagrad,
  adam,
  adamax,
  adamw,
  amsgrad,
  asgd,
  lion,
  maximizing,
  nadam,
  radam,
  riemannianAdam,
  riemannianSgd,
  rmsprop,
  rprop,
  sgd,
  shampoo,
  soap,
  sparseAdam,
  stiefel,
} from '../src/index.js';

const params = (): ParamTree => ({
  w: new NDArray(Float64Array.from([1, -2, 3, 0.5, -1, 2]), [2, 3]),
  b: new NDArray(Float64Array.from([0.1, -0.2, 0.3]), [3]),
});
const grads = (t: number, sign = 1): ParamTree => ({
  w: new NDArray(
    Float64Array.from({ length: 6 }, (_, i) => sign * Math.cos(t + i)),
    [2, 3],
  ),
  b: new NDArray(
    Float64Array.from({ length: 3 }, (_, i) => (i === 1 ? 0 : sign * Math.sin(2 * t + i))),
    [3],
  ),
});
const any = (v: unknown) => v as never;

// every optimizer taking `maximize`: those of torch 1.13 are also checked against its trajectories
// (torch-parity-more.test.ts); NAdam, RAdam, Lion, Adafactor, Shampoo and SOAP by this definition
const all: [string, (o: never) => GradientTransformation<unknown>, object][] = [
  ['sgd', sgd, { lr: 0.1, momentum: 0.9 }],
  ['adam', adam, {}],
  ['adamw', adamw, {}],
  ['amsgrad', amsgrad, {}],
  ['adagrad', adagrad, {}],
  ['rmsprop', rmsprop, {}],
  ['lion', lion, {}],
  ['adafactor', adafactor, {}],
  ['adamax', adamax, {}],
  ['nadam', nadam, { decoupledWeightDecay: true, weightDecay: 0.1 }],
  ['radam', radam, { weightDecay: 0.1 }],
  ['adadelta', adadelta, {}],
  ['rprop', rprop, {}],
  ['asgd', asgd, { t0: 2 }],
  ['sparseAdam', sparseAdam, {}],
  ['shampoo', shampoo, {}],
  ['soap', soap, { precondFrequency: 2 }],
];

describe('maximize', () => {
  for (const [name, make, options] of all) {
    it(`${name}: maximize with gradients g follows minimize with -g bit for bit`, () => {
      const a = params();
      const b = params();
      const up = new Optimizer(a, make, { ...options, maximize: true } as never);
      const down = new Optimizer(b, make, options as never);
      for (let t = 1; t <= 12; t++) {
        up.step(grads(t));
        down.step(grads(t, -1));
      }
      expect(Array.from(a.w.data)).toEqual(Array.from(b.w.data));
      expect(Array.from(a.b.data)).toEqual(Array.from(b.b.data));
      expect(up.name).toBe(down.name);
    });
  }
  it('maximizing(t) keeps the name and the state layout', () => {
    const t = maximizing(adam());
    expect(t.name).toBe('adam');
    expect(() =>
      new Optimizer(params(), () => t).loadStateDict(new Optimizer(params(), adam).stateDict()),
    ).not.toThrow();
  });
});

describe('SparseAdam on dense arrays', () => {
  it('leaves entries with a zero gradient untouched (parameters and moments); bias corrections count every step', () => {
    const p = params();
    const opt = new Optimizer(p, sparseAdam, { lr: 0.1 });
    const before = p.b.data[1];
    for (let t = 1; t <= 5; t++) opt.step(grads(t));
    expect(p.b.data[1]).toBe(before);
    const slots = opt.stateDict().groups[0].state[0].slots;
    expect(slots.b.m[1]).toBe(0);
    expect(slots.b.v[1]).toBe(0);
    expect(opt.stateDict().groups[0].state[1].count).toBe(5);
  });
});

describe('named Shampoo and SOAP', () => {
  it('train, checkpoint and resume identically, with inspectable state types', () => {
    for (const make of [shampoo, soap] as const) {
      const a = params();
      const opt = new Optimizer(
        a,
        make as (o: never) => GradientTransformation<unknown>,
        { precondFrequency: 2 } as never,
      );
      for (let t = 1; t <= 3; t++) opt.step(grads(t));
      const b = params();
      b.w.data.set(a.w.data);
      b.b.data.set(a.b.data);
      const resumed = new Optimizer(
        b,
        make as (o: never) => GradientTransformation<unknown>,
        { precondFrequency: 2 } as never,
      );
      resumed.loadBytes(opt.toBytes());
      for (let t = 4; t <= 6; t++) {
        opt.step(grads(t));
        resumed.step(grads(t));
      }
      expect(Array.from(b.w.data)).toEqual(Array.from(a.w.data));
      expect(opt.name).toBe(make.name);
    }
    expectTypeOf(shampoo).returns.toEqualTypeOf<GradientTransformation<ShampooOptimizerState>>();
    expectTypeOf(soap).returns.toEqualTypeOf<GradientTransformation<SoapOptimizerState>>();
    expectTypeOf(nadam).returns.toEqualTypeOf<GradientTransformation<NadamOptimizerState>>();
  });
  it('use their references’ defaults', () => {
    // soap: lr 3e-3, decoupled weight decay 0.01: with a zero gradient, p -> p (1 - 3e-5)
    const p = params();
    const opt = new Optimizer(p, soap);
    opt.step({ w: new NDArray(new Float64Array(6), [2, 3]), b: new NDArray(new Float64Array(3), [3]) });
    expect(p.w.data[0]).toBeCloseTo(1 - 3e-3 * 0.01, 15);
    // shampoo: lr 1e-2, Adam grafting: the first step of a vector entry moves by lr (Adam's first step is sign(g))
    const q = params();
    new Optimizer(q, shampoo).step(grads(1));
    expect(q.b.data[0]).toBeCloseTo(0.1 - 1e-2 * Math.sign(Math.sin(2)), 8);
  });
  it('SOAP leaves a side above maxPrecondDim unrotated (plain Adam when both are)', () => {
    const a = params();
    const b = params();
    const s = new Optimizer(a, soap, { maxPrecondDim: 1 });
    const ad = new Optimizer(b, adamw, { lr: 3e-3, b1: 0.95, b2: 0.95, weightDecay: 0.01 });
    for (let t = 1; t <= 4; t++) {
      s.step(grads(t));
      ad.step(grads(t));
    }
    for (let i = 0; i < 6; i++) expect(a.w.data[i]).toBeCloseTo(b.w.data[i], 14);
  });
});

describe('Riemannian optimizers through Optimizer', () => {
  it('checkpoint their state (momentum, moments) and resume identically; iterates stay on the manifold', () => {
    const x0 = () => {
      const x = new NDArray(new Float64Array(12), [4, 3]) as NDArray<'float64'>;
      for (let i = 0; i < 3; i++) x.data[i * 3 + i] = 1;
      return x;
    };
    const g = (t: number) =>
      new NDArray(
        Float64Array.from({ length: 12 }, (_, i) => Math.cos(t * 0.7 + i)),
        [4, 3],
      );
    for (const [make, options] of [
      [riemannianSgd, { manifold: stiefel(), lr: 0.05, momentum: 0.9 }],
      [riemannianAdam, { manifold: stiefel({ retraction: 'cayley' }), lr: 0.05 }],
    ] as const) {
      const a = { X: x0() };
      const opt = new Optimizer(a, make as (o: never) => GradientTransformation<unknown>, options as never);
      for (let t = 1; t <= 5; t++) opt.step({ X: g(t) });
      const b = { X: x0() };
      b.X.data.set(a.X.data);
      const resumed = new Optimizer(
        b,
        make as (o: never) => GradientTransformation<unknown>,
        options as never,
      );
      resumed.loadStateDict(opt.stateDict());
      for (let t = 6; t <= 10; t++) {
        opt.step({ X: g(t) });
        resumed.step({ X: g(t) });
      }
      expect(Array.from(b.X.data)).toEqual(Array.from(a.X.data));
      // X^T X = I
      for (let i = 0; i < 3; i++)
        for (let j = 0; j < 3; j++) {
          let s = 0;
          for (let k = 0; k < 4; k++) s += a.X.data[k * 3 + i] * a.X.data[k * 3 + j];
          expect(Math.abs(s - (i === j ? 1 : 0))).toBeLessThan(1e-13);
        }
    }
    const adamOpt = new Optimizer({ X: x0() }, riemannianAdam, { manifold: stiefel(), lr: 0.1 });
    expectTypeOf(adamOpt.stateDict().groups[0].state).toEqualTypeOf<RiemannianAdamState>();
  });
  it('refuse parameters that are not float64 matrices', () => {
    expect(() => new Optimizer(params(), riemannianSgd, { manifold: stiefel(), lr: 0.1 })).toThrow(
      ShapeError,
    );
    expect(() => riemannianSgd(any({ manifold: stiefel(), lr: 0.1, momentun: 0.9 }))).toThrow(/momentun/);
  });
});

describe('bad input of the new optimizers', () => {
  const cases: [string, () => unknown, string][] = [
    ['adamax eps 0', () => adamax({ eps: 0 }), "adamax: argument 'options.eps' is 0"],
    [
      'nadam negative momentumDecay',
      () => nadam({ momentumDecay: -1 }),
      "nadam: argument 'options.momentumDecay' is -1",
    ],
    [
      'nadam decoupledWeightDecay as a string',
      () => nadam(any({ decoupledWeightDecay: 'yes' })),
      'nadam: argument \'options.decoupledWeightDecay\' is "yes"',
    ],
    ['radam b2 = 1', () => radam({ b2: 1 }), "radam: argument 'options.b2' is 1"],
    ['adadelta rho > 1', () => adadelta({ rho: 1.5 }), "adadelta: argument 'options.rho' is 1.5"],
    ['rprop etas reversed', () => rprop({ etas: [1.2, 0.5] }), "rprop: argument 'options.etas'"],
    ['rprop stepSizes reversed', () => rprop({ stepSizes: [1, 0.1] }), "rprop: argument 'options.stepSizes'"],
    ['rprop lr as a schedule', () => rprop(any({ lr: () => 1 })), "rprop: argument 'options.lr'"],
    ['asgd negative lambd', () => asgd({ lambd: -1 }), "asgd: argument 'options.lambd' is -1"],
    ['sparseAdam weight decay (torch has none)', () => sparseAdam(any({ weightDecay: 0.1 })), 'weightDecay'],
    [
      'maximize as a string',
      () => adamax(any({ maximize: 'yes' })),
      'adamax: argument \'options.maximize\' is "yes"; expected true or false',
    ],
    ['shampoo b1 = 1', () => shampoo({ b1: 1 }), "shampoo: argument 'options.b1' is 1"],
    [
      'soap maxPrecondDim 0',
      () => soap({ maxPrecondDim: 0 }),
      "scaleBySoap: argument 'options.maxPrecondDim' is 0",
    ],
  ];
  const x = () => ({ x: new NDArray(Float64Array.from([1, 2]), [2]) });
  cases.push(
    [
      'LBFGS historySize 0',
      () => new LBFGS(x(), { historySize: 0 }),
      "LBFGS: argument 'options.historySize' is 0",
    ],
    [
      'LBFGS unknown line search',
      () => new LBFGS(x(), any({ lineSearch: 'armijo' })),
      'LBFGS: argument \'options.lineSearch\' is "armijo"',
    ],
    [
      'LBFGS closure returning a number',
      () => new LBFGS(x()).step(any(() => 3)),
      "LBFGS.step: argument 'closure()' is 3",
    ],
    [
      'LBFGS closure with a NaN loss',
      () => new LBFGS(x()).step(() => ({ loss: Number.NaN, grads: x() })),
      "LBFGS.step: argument 'closure().loss' is NaN",
    ],
    [
      'LBFGS step without a closure',
      () => new LBFGS(x()).step(any(undefined)),
      "LBFGS.step: argument 'closure' is undefined",
    ],
  );
  for (const [label, call, fragment] of cases) {
    it(label, () => {
      expect(call).toThrow(InvalidArgumentError);
      expect(call).toThrow(fragment);
    });
  }
});
