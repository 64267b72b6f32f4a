import { NDArray, matmul, rng } from '@krylov/core-array';
import { eigh, newtonSchulz, svd } from '@krylov/decompositions';
import { describe, expect, it } from 'vitest';
import {
  Optimizer,
  type ParamTree,
  adam,
  chain,
  galore,
  muon,
  riemannianAdam,
  riemannianSgd,
  scaleByAdam,
  scaleByLearningRate,
  scaleByMuon,
  scaleByShampoo,
  scaleBySoap,
  sgd,
  spd,
  stiefel,
} from '../src/index.js';

type M = NDArray<'float64'>;
const randn = (seed: number, shape: number[]) => rng(seed).normal(shape) as M;
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

/** Runs one transformation step on a single parameter and returns the update. */
function oneUpdate(transform: ReturnType<typeof scaleByMuon> | ReturnType<typeof scaleByShampoo>, g: M): M {
  const params: ParamTree = { w: g.copy() };
  const state = transform.init(params);
  const u: ParamTree = { w: g.copy() };
  transform.update(u, state as never, params);
  return u.w as M;
}

describe('Muon', () => {
  it('orthogonalizes the Nesterov momentum: singular values in the documented band, equal to Newton-Schulz of the blend', () => {
    const g = randn(1, [12, 7]);
    const u = oneUpdate(scaleByMuon(), g);
    // first step: m = 0.05 g; blend = 0.05 g + 0.95 * 0.05 g; shape scale sqrt(12/7)
    const blend = new NDArray(
      Float64Array.from(g.data, (v) => v * (0.05 + 0.95 * 0.05)),
      [12, 7],
    );
    const expected = newtonSchulz(blend, { steps: 5, preset: 'muon' }) as M;
    expect(
      maxDiff(
        u.data,
        Float64Array.from(expected.contiguous().data, (v) => v * Math.sqrt(12 / 7)),
      ),
    ).toBeLessThan(1e-12);
    const s = svd(
      new NDArray(
        Float64Array.from(u.data, (v) => v / Math.sqrt(12 / 7)),
        [12, 7],
      ),
      { mode: 'values' },
    ).s as M;
    for (const v of s.data) {
      expect(v).toBeGreaterThan(0.6);
      expect(v).toBeLessThan(1.25);
    }
  });
  it('routes matrices to Muon and vectors to the inner AdamW', () => {
    const params: ParamTree = { w: randn(2, [6, 4]), b: randn(3, [4]) };
    const ref: ParamTree = { b: params.b.copy() };
    const opt = new Optimizer(params, muon, { lr: 0.02, adamw: { lr: 1e-3 } });
    const refOpt = new Optimizer(ref, adam, { lr: 1e-3 });
    for (let t = 0; t < 5; t++) {
      const gb = randn(10 + t, [4]);
      opt.step({ w: randn(20 + t, [6, 4]), b: gb });
      refOpt.step({ b: gb });
    }
    expect(maxDiff(params.b.data, ref.b.data)).toBeLessThan(1e-15);
    expect(() => new Optimizer({ b: params.b }, () => scaleByMuon(), {})).toThrow(
      "scaleByMuon: argument 'params.b' is [4]; expected matrices",
    );
  });
});

/** Symmetric matrix power by eigh, with a ridge: (A + eps I)^p. */
function spdPowerRef(a: M, p: number, eps: number): M {
  const { values, vectors } = eigh(a) as { values: M; vectors: M };
  const n = a.shape[0];
  const d = new NDArray(new Float64Array(n * n), [n, n]);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) d.data[i * n + j] = vectors.data[i * n + j] * (values.data[j] + eps) ** p;
  return matmul(d, vectors.T) as M;
}

describe('Shampoo', () => {
  it('the preconditioned direction equals L^-1/4 G R^-1/4 computed densely', () => {
    const g = randn(4, [5, 3]);
    const u = oneUpdate(scaleByShampoo({ graft: 'none', epsilon: 1e-10 }), g);
    const l = matmul(g, g.T) as M;
    const r = matmul(g.T, g) as M;
    const scaleL = Math.max(...[0, 1, 2, 3, 4].map((i) => l.get(i, i)));
    const scaleR = Math.max(...[0, 1, 2].map((i) => r.get(i, i)));
    const dense = matmul(
      matmul(spdPowerRef(l, -0.25, 1e-10 * scaleL), g),
      spdPowerRef(r, -0.25, 1e-10 * scaleR),
    ) as M;
    expect(maxDiff(u.data, dense.data) / maxDiff(dense.data, new Float64Array(15))).toBeLessThan(1e-6);
  });
  it('blocking splits large dimensions and grafting keeps the Adam norm per block', () => {
    const g = randn(5, [6, 5]);
    const u = oneUpdate(scaleByShampoo({ blockSize: 3, graft: 'adam' }), g);
    const adamDir = Float64Array.from(g.data, (v) => v / (Math.abs(v) + 1e-8));
    let un = 0;
    let an = 0;
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++) {
        un += u.data[i * 5 + j] ** 2;
        an += adamDir[i * 5 + j] ** 2;
      }
    expect(Math.sqrt(un)).toBeCloseTo(Math.sqrt(an), 8);
  });
});

describe('SOAP', () => {
  it('reduces to Adam when the eigenbasis is the identity (diagonal gradients)', () => {
    const n = 4;
    const diag = (t: number) => {
      const d = new NDArray(new Float64Array(n * n), [n, n]);
      for (let i = 0; i < n; i++) d.data[i * n + i] = (i + 1) * (1 + 0.1 * Math.sin(t + i));
      return d as M;
    };
    const p1: ParamTree = { w: new NDArray(new Float64Array(n * n).fill(1), [n, n]) };
    const p2: ParamTree = { w: p1.w.copy() };
    const soap = new Optimizer(
      p1,
      () => chain(scaleBySoap({ b1: 0.9, b2: 0.99, precondFrequency: 1000 }), scaleByLearningRate(0.01)),
      {},
    );
    const ref = new Optimizer(
      p2,
      () => chain(scaleByAdam({ b1: 0.9, b2: 0.99 }), scaleByLearningRate(0.01)),
      {},
    );
    for (let t = 1; t <= 30; t++) {
      soap.step({ w: diag(t) });
      ref.step({ w: diag(t) });
    }
    expect(maxDiff(p1.w.data, p2.w.data)).toBeLessThan(1e-12);
  });
});

describe('GaLore', () => {
  it('at full rank equals its base optimizer', () => {
    const p1: ParamTree = { w: randn(6, [5, 3]), b: randn(7, [3]) };
    const p2: ParamTree = { w: p1.w.copy(), b: p1.b.copy() };
    const opt = new Optimizer(
      p1,
      () => galore(sgd({ lr: 0.1, momentum: 0.9 }), { rank: 3, scale: 1, updateGap: 1000 }),
      {},
    );
    const ref = new Optimizer(p2, sgd, { lr: 0.1, momentum: 0.9 });
    for (let t = 0; t < 10; t++) {
      const g = { w: randn(30 + t, [5, 3]), b: randn(40 + t, [3]) };
      opt.step(g);
      ref.step(g);
    }
    expect(maxDiff(p1.w.data, p2.w.data)).toBeLessThan(1e-12);
    expect(maxDiff(p1.b.data, p2.b.data)).toBe(0);
  });
  it('keeps the base state at rank r and rejects a bad rank', () => {
    const params: ParamTree = { w: randn(8, [10, 6]) };
    const t = galore(adam({ lr: 0.01 }), { rank: 2 });
    const state = t.init(params) as { base: unknown[] };
    const slot = (state.base[1] as { slots: { w: { m: Float64Array } } }).slots.w;
    // 10 x 6 is projected on its smaller side: G Q with Q 6 x 2, so the base state is 10 x 2
    expect(slot.m.length).toBe(10 * 2);
    expect(() => galore(adam(), { rank: 0 })).toThrow(
      "galore: argument 'options.rank' is 0; expected an integer >= 1",
    );
  });
});

describe('Riemannian optimization', () => {
  // maximize tr(X^T A X) over the Stiefel manifold: the leading eigenspace of A
  const n = 8;
  const p = 3;
  const b = randn(9, [n, n]);
  const a = matmul(b, b.T) as M;
  const top = (eigh(a) as { values: M }).values.data.slice(n - p).reduce((s, v) => s + v, 0);
  const start = () => (svd(randn(10, [n, p]), { mode: 'thin' }).u as M).copy() as M;
  const objective = (x: M) => {
    const y = matmul(matmul(x.T, a), x) as M;
    return y.get(0, 0) + y.get(1, 1) + y.get(2, 2);
  };
  const orthError = (x: M) => {
    const g = matmul(x.T, x) as M;
    let e = 0;
    for (let i = 0; i < p; i++)
      for (let j = 0; j < p; j++) e = Math.max(e, Math.abs(g.get(i, j) - (i === j ? 1 : 0)));
    return e;
  };
  for (const [name, make] of [
    ['SGD + QR retraction', () => riemannianSgd(stiefel(), { lr: 0.01, momentum: 0.5 })],
    ['SGD + Cayley retraction', () => riemannianSgd(stiefel({ retraction: 'cayley' }), { lr: 0.01 })],
    ['Adam + QR retraction', () => riemannianAdam(stiefel(), { lr: 0.02 })],
  ] as const) {
    it(`Stiefel ${name}: iterates stay orthonormal to 1e-12 over 1000 steps and reach the top eigenspace`, () => {
      const stepper = make();
      let x = start();
      for (let k = 0; k < 1000; k++) {
        const g = matmul(a, x) as M;
        x = stepper(
          x,
          new NDArray(
            Float64Array.from(g.data, (v) => -2 * v),
            g.shape,
          ) as M,
        );
        if (k % 100 === 0) expect(orthError(x)).toBeLessThan(1e-12);
      }
      expect(orthError(x)).toBeLessThan(1e-12);
      expect(objective(x)).toBeGreaterThan(top * (1 - 1e-3));
    });
  }
  for (const metric of ['affine-invariant', 'bures-wasserstein'] as const) {
    it(`SPD (${metric}): Riemannian SGD stays positive definite and finds the minimizer of ||X - B||^2`, () => {
      const b = randn(11, [4, 4]);
      const target = matmul(b, b.T) as M;
      for (let i = 0; i < 16; i++) target.data[i] = 0.25 * target.data[i] + (i % 5 === 0 ? 1 : 0);
      const stepper = riemannianSgd(spd({ metric }), { lr: 0.005 });
      let x = new NDArray(
        Float64Array.from({ length: 16 }, (_, i) => (i % 5 === 0 ? 1 : 0)),
        [4, 4],
      ) as M;
      for (let k = 0; k < 2000; k++) {
        x = stepper(
          x,
          new NDArray(
            Float64Array.from(x.data, (v, i) => 2 * (v - target.data[i])),
            [4, 4],
          ) as M,
        );
        expect(Math.min(...(eigh(x) as { values: M }).values.data)).toBeGreaterThan(0);
      }
      expect(maxDiff(x.data, target.data)).toBeLessThan(1e-6);
    });
  }
});
