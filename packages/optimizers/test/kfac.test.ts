import { NDArray, matmul } from '@krylov/core-array';
import { solve } from '@krylov/decompositions';
import { describe, expect, it } from 'vitest';
import { KFAC, Optimizer, type ParamTree, sgd } from '../src/index.js';

type Mat = NDArray<'float64'>;
const m = (data: number[], shape: number[]) => new NDArray(Float64Array.from(data), shape) as Mat;

/** A deterministic pseudo-random stream (LCG) so the cases need no RNG package. */
function stream(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
}

/** The column-major vec of a row-major out x k matrix. */
const vecCol = (a: ArrayLike<number>, out: number, k: number) =>
  Float64Array.from({ length: out * k }, (_, idx) => a[(idx % out) * k + Math.floor(idx / out)]);

/** kron(A, B) of row-major square matrices. */
function kron(a: Float64Array, p: number, b: Float64Array, q: number): Mat {
  const n = p * q;
  const out = new Float64Array(n * n);
  for (let i = 0; i < p; i++)
    for (let j = 0; j < p; j++)
      for (let k = 0; k < q; k++)
        for (let l = 0; l < q; l++) out[(i * q + k) * n + j * q + l] = a[i * p + j] * b[k * q + l];
  return m(Array.from(out), [n, n]);
}

describe('K-FAC', () => {
  // a tiny layer: out 2, in 2 with a bias (k = 3), a batch of 5
  const rnd = stream(7);
  const x = m(Array.from({ length: 10 }, rnd), [5, 2]);
  const gy = m(Array.from({ length: 10 }, rnd), [5, 2]);
  const gw = m(Array.from({ length: 4 }, rnd), [2, 2]);
  const gb = m(Array.from({ length: 2 }, rnd), [2]);
  const damping = 0.05;
  const factors = () => {
    const xa = m(
      Array.from({ length: 15 }, (_, i) => (i % 3 === 2 ? 1 : x.data[Math.floor(i / 3) * 2 + (i % 3)])),
      [5, 3],
    );
    const a = (matmul(xa.T, xa) as Mat).contiguous().data.map((v) => v / 5);
    const g = (matmul(gy.T, gy) as Mat).contiguous().data.map((v) => v / 5);
    return { a: Float64Array.from(a), g: Float64Array.from(g) };
  };
  const direction = (inverse: 'eigh' | 'cholesky') => {
    const params: ParamTree = { w: m([0, 0, 0, 0], [2, 2]), b: m([0, 0], [2]) };
    const opt = new KFAC(params, {
      layers: { fc: { weight: 'w', bias: 'b' } },
      lr: 1,
      momentum: 0,
      damping,
      inverse,
    });
    opt.step({ w: gw, b: gb }, { fc: { inputs: x, outputGrads: gy } });
    // the step is p -= d, from p = 0
    const d = new Float64Array(6);
    for (let i = 0; i < 2; i++) {
      d[i * 3] = -params.w.data[i * 2];
      d[i * 3 + 1] = -params.w.data[i * 2 + 1];
      d[i * 3 + 2] = -params.b.data[i];
    }
    return d;
  };
  const v = [gw.data[0], gw.data[1], gb.data[0], gw.data[2], gw.data[3], gb.data[1]]; // [dW | db], 2 x 3

  it("'eigh': the direction is exactly (A kron G + lambda I)^-1 vec([dW | db]) on a tiny layer", () => {
    const { a, g } = factors();
    const f = kron(a, 3, g, 2);
    for (let i = 0; i < 6; i++) f.data[i * 6 + i] += damping;
    const want = (solve(f, m(Array.from(vecCol(v, 2, 3)), [6, 1])) as Mat).contiguous().data;
    const got = vecCol(direction('eigh'), 2, 3);
    for (let i = 0; i < 6; i++) expect(got[i]).toBeCloseTo(want[i], 12);
  });

  it("'cholesky': the direction is (A + pi sqrt(lambda) I)^-1 kron (G + sqrt(lambda)/pi I)^-1 vec(V) (factored Tikhonov)", () => {
    const { a, g } = factors();
    const pi = Math.sqrt((a[0] + a[4] + a[8]) / 3 / ((g[0] + g[3]) / 2));
    const ad = Float64Array.from(a);
    const gd = Float64Array.from(g);
    for (let i = 0; i < 3; i++) ad[i * 4] += pi * Math.sqrt(damping);
    for (let i = 0; i < 2; i++) gd[i * 3] += Math.sqrt(damping) / pi;
    const want = (solve(kron(ad, 3, gd, 2), m(Array.from(vecCol(v, 2, 3)), [6, 1])) as Mat).contiguous().data;
    const got = vecCol(direction('cholesky'), 2, 3);
    for (let i = 0; i < 6; i++) expect(got[i]).toBeCloseTo(want[i], 12);
  });

  it('a transposed layer (in x out weight, y = a W + b) takes the transposed step', () => {
    const a = { w: m([0.1, -0.2, 0.3, 0.4], [2, 2]), b: m([0, 0.1], [2]) };
    const b = { w: m([0.1, 0.3, -0.2, 0.4], [2, 2]), b: m([0, 0.1], [2]) };
    const ka = new KFAC(a, { layers: { fc: { weight: 'w', bias: 'b' } }, lr: 0.5 });
    const kb = new KFAC(b, { layers: { fc: { weight: 'w', bias: 'b', transposed: true } }, lr: 0.5 });
    ka.step({ w: gw, b: gb }, { fc: { inputs: x, outputGrads: gy } });
    kb.step(
      { w: m([gw.data[0], gw.data[2], gw.data[1], gw.data[3]], [2, 2]), b: gb },
      { fc: { inputs: x, outputGrads: gy } },
    );
    for (const [i, j] of [
      [0, 0],
      [0, 1],
      [1, 0],
      [1, 1],
    ])
      expect(b.w.data[j * 2 + i]).toBeCloseTo(a.w.data[i * 2 + j], 14);
    expect(Array.from(b.b.data)).toEqual(Array.from(a.b.data));
  });

  // least squares y = W x with ill-conditioned features; per-example output gradients for the
  // true Fisher are e ~ N(0, I) (targets sampled from the Gaussian model), so G ~ I and K-FAC is
  // close to Gauss-Newton; SGD is limited by the condition number of A.
  const N = 64;
  const inDim = 5;
  const outDim = 3;
  const scales = [1, 3, 10, 30, 0.3];
  const r2 = stream(11);
  const X = m(
    Array.from({ length: N * inDim }, (_, i) => 2 * r2() * scales[i % inDim]),
    [N, inDim],
  );
  const Wtrue = m(Array.from({ length: outDim * inDim }, r2), [outDim, inDim]);
  const Y = (matmul(X, Wtrue.T) as Mat).contiguous();
  const lossAndGrad = (w: Mat) => {
    const r = (matmul(X, w.T) as Mat).contiguous();
    let loss = 0;
    for (let i = 0; i < r.size; i++) {
      r.data[i] -= Y.data[i];
      loss += (0.5 * r.data[i] * r.data[i]) / N;
    }
    const grad = (matmul(r.T, X) as Mat).contiguous();
    for (let i = 0; i < grad.size; i++) grad.data[i] /= N;
    return { loss, grad, r };
  };
  const gauss = stream(99);
  const normal = () => {
    let s = 0;
    for (let k = 0; k < 12; k++) s += gauss();
    return s; // Irwin-Hall: mean 0, variance 1
  };

  it('converges faster per step than the best stable SGD on a least-squares layer', () => {
    const steps = 15;
    const wK = m(new Array(outDim * inDim).fill(0), [outDim, inDim]);
    const kfac = new KFAC(
      { w: wK },
      {
        layers: { fc: { weight: 'w' } },
        lr: 1,
        momentum: 0,
        damping: 1e-4,
        factorUpdateInterval: 1,
        inverseUpdateInterval: 1,
      },
    );
    const kLoss: number[] = [];
    for (let t = 0; t < steps; t++) {
      const { grad, loss } = lossAndGrad(wK);
      kLoss.push(loss);
      const sampled = m(Array.from({ length: N * outDim }, normal), [N, outDim]);
      kfac.step({ w: grad }, { fc: { inputs: X, outputGrads: sampled } });
    }
    // SGD at 1 / lambda_max(X^T X / N) (the largest stable rate is 2 / lambda_max), with momentum too
    let lmax = 0;
    for (let j = 0; j < inDim; j++) {
      let s = 0;
      for (let i = 0; i < N; i++) s += X.data[i * inDim + j] ** 2 / N;
      lmax += s; // trace >= lambda_max
    }
    const best = (momentum: number) => {
      const w = m(new Array(outDim * inDim).fill(0), [outDim, inDim]);
      const opt = new Optimizer({ w }, sgd, { lr: 1 / lmax, momentum });
      let last = 0;
      for (let t = 0; t < steps; t++) {
        const { grad, loss } = lossAndGrad(w);
        last = loss;
        opt.step({ w: grad });
      }
      return last;
    };
    const sgdLoss = Math.min(best(0), best(0.9));
    const kfacLoss = kLoss[steps - 1];
    if (process.env.PARITY_REPORT)
      console.log(
        `least squares, ${steps} steps: K-FAC ${kfacLoss.toExponential(2)}, best SGD ${sgdLoss.toExponential(2)}, start ${kLoss[0].toExponential(2)}`,
      );
    expect(kfacLoss).toBeLessThan(1e-3 * kLoss[0]);
    expect(kfacLoss).toBeLessThan(1e-2 * sgdLoss);
  });

  it('checkpoints resume exactly, statistics are required on refresh steps, and bad input is typed', () => {
    const make = () => ({ w: m([0.1, -0.2, 0.3, 0.4], [2, 2]), b: m([0, 0.1], [2]) });
    const opts = {
      layers: { fc: { weight: 'w', bias: 'b' } },
      factorUpdateInterval: 2,
      inverseUpdateInterval: 2,
    };
    const p1 = make();
    const k1 = new KFAC(p1, opts);
    const stats = { fc: { inputs: x, outputGrads: gy } };
    k1.step({ w: gw, b: gb }, stats);
    k1.step({ w: gw, b: gb });
    const p2 = make();
    p2.w.data.set(p1.w.data);
    p2.b.data.set(p1.b.data);
    const k2 = new KFAC(p2, opts);
    k2.loadBytes(k1.toBytes());
    k1.step({ w: gw, b: gb }, stats);
    k2.step({ w: gw, b: gb }, stats);
    expect(Array.from(p2.w.data)).toEqual(Array.from(p1.w.data));
    expect(() => k1.step({ w: gw, b: gb })).not.toThrow(); // step 4: no refresh
    expect(() => k1.step({ w: gw, b: gb })).toThrow(/KFAC.step: argument 'stats.fc' is undefined/);
    expect(() => k1.step({ w: gw, b: gb }, { fc: { inputs: gy, outputGrads: m([1, 2], [1, 2]) } })).toThrow(
      /must have the inputs' batch size 5/,
    );
    expect(() => new KFAC(make(), { layers: { fc: { weight: 'b' } } })).toThrow(/must be a matrix/);
    expect(() => new KFAC(make(), { layers: { fc: { weight: 'w' } }, damping: 0 })).toThrow(
      /KFAC: argument 'options.damping' is 0/,
    );
    expect(() => new KFAC(make(), { layers: { fc: { weight: 'w' } }, inverse: 'svd' as never })).toThrow(
      /options.inverse/,
    );
    expect(() =>
      new KFAC(make(), { layers: { fc: { weight: 'w' } }, inverse: 'cholesky' }).loadStateDict(
        k1.stateDict(),
      ),
    ).toThrow(/state.layers.fc/);
  });
});
