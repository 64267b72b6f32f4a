import { NDArray, matmul, rng } from '@krylov/core-array';
import type { KfacLayer, KfacLayerStats, ParamTree } from '../src/index.js';

type M = NDArray<'float64'>;

/** A small training problem with hand-written gradients. */
export interface Problem {
  name: string;
  /** Fresh parameters (seeded: every optimizer starts from the same point). */
  init(): ParamTree;
  /** Loss and gradients at the parameters. */
  lossAndGrad(p: ParamTree): { loss: number; grads: ParamTree };
  /** A loss worth reaching. */
  target: number;
  /**
   * For K-FAC: the dense layers and, at the parameters, each layer's inputs and per-example output
   * gradients for the true Fisher (labels sampled from the model with the seeded `rng`).
   */
  kfac?: {
    layers: Record<string, KfacLayer>;
    stats(p: ParamTree, r: ReturnType<typeof rng>): Record<string, KfacLayerStats>;
  };
}

/** Per-example gradients of the cross-entropy at logits z (n x k) for labels sampled from softmax(z). */
function sampledLogitGrads(z: M, r: ReturnType<typeof rng>): M {
  const [n, k] = z.shape;
  const out = zerosLike(z);
  for (let i = 0; i < n; i++) {
    let max = Number.NEGATIVE_INFINITY;
    for (let j = 0; j < k; j++) max = Math.max(max, z.data[i * k + j]);
    let sum = 0;
    for (let j = 0; j < k; j++) sum += Math.exp(z.data[i * k + j] - max);
    let u = r.nextFloat64() * sum;
    let pick = k - 1;
    for (let j = 0; j < k; j++) {
      const e = Math.exp(z.data[i * k + j] - max);
      out.data[i * k + j] = e / sum;
      if (u < e && pick === k - 1) pick = j;
      u -= e;
    }
    out.data[i * k + pick] -= 1;
  }
  return out;
}

const zerosLike = (a: NDArray) => new NDArray(new Float64Array(a.size), a.shape) as M;

/** f(W) = 1/2 sum_i lambda_i (W_i - W*_i)^2 with lambda log-spaced over 1e-3..1 (condition 1e3), W 16 x 8. */
export function quadratic(): Problem {
  const n = 128;
  const lambda = Float64Array.from({ length: n }, (_, i) => 10 ** (-3 + (3 * i) / (n - 1)));
  const star = rng(1).normal([n]).data;
  return {
    name: 'ill-conditioned quadratic',
    target: 1e-2,
    init: () => ({ w: new NDArray(new Float64Array(n), [16, 8]) as M }),
    lossAndGrad({ w }) {
      const g = zerosLike(w);
      let loss = 0;
      for (let i = 0; i < n; i++) {
        const d = w.data[i] - star[i];
        loss += 0.5 * lambda[i] * d * d;
        g.data[i] = lambda[i] * d;
      }
      return { loss, grads: { w: g } };
    },
  };
}

/** Softmax cross-entropy of logits z (n x k) against labels, with the gradient with respect to z. */
function softmaxCE(z: M, labels: Int32Array): { loss: number; dz: M } {
  const [n, k] = z.shape;
  const dz = zerosLike(z);
  let loss = 0;
  for (let i = 0; i < n; i++) {
    let max = Number.NEGATIVE_INFINITY;
    for (let j = 0; j < k; j++) max = Math.max(max, z.data[i * k + j]);
    let sum = 0;
    for (let j = 0; j < k; j++) sum += Math.exp(z.data[i * k + j] - max);
    for (let j = 0; j < k; j++) dz.data[i * k + j] = Math.exp(z.data[i * k + j] - max) / sum / n;
    dz.data[i * k + labels[i]] -= 1 / n;
    loss += (Math.log(sum) + max - z.data[i * k + labels[i]]) / n;
  }
  return { loss, dz };
}

/** Multinomial logistic regression: 600 points in 20-D, 3 classes from a linear teacher. */
export function logistic(): Problem {
  const g = rng(2);
  const x = g.normal([600, 20]) as M;
  const teacher = g.normal([20, 3]) as M;
  const scores = matmul(x, teacher) as M;
  const labels = Int32Array.from({ length: 600 }, (_, i) => {
    const r = [0, 1, 2].map((j) => scores.data[i * 3 + j]);
    return r.indexOf(Math.max(...r));
  });
  return {
    name: 'logistic regression',
    target: 0.2,
    init: () => ({ w: new NDArray(new Float64Array(60), [20, 3]) as M }),
    kfac: {
      layers: { fc: { weight: 'w', transposed: true } },
      stats: ({ w }, r) => ({ fc: { inputs: x, outputGrads: sampledLogitGrads(matmul(x, w) as M, r) } }),
    },
    lossAndGrad({ w }) {
      const { loss, dz } = softmaxCE(matmul(x, w) as M, labels);
      return { loss, grads: { w: matmul(x.T, dz) as M } };
    },
  };
}

/** Low-rank matrix sensing: recover a rank-2 20 x 20 matrix from 300 Gaussian measurements with factors U, V (20 x 4). */
export function matrixSensing(): Problem {
  const g = rng(3);
  const n = 20;
  const m = 300;
  const truth = matmul(g.normal([n, 2]), g.normal([2, n])) as M;
  const sensing = g.normal([m, n * n]) as M;
  const y = matmul(sensing, truth.reshape([n * n, 1])) as M;
  return {
    name: 'low-rank matrix sensing',
    target: 1e-3,
    init: () => {
      const r = rng(4);
      return { u: r.normal([n, 4], { std: 0.1 }) as M, v: r.normal([n, 4], { std: 0.1 }) as M };
    },
    lossAndGrad({ u, v }) {
      const est = matmul(u, v.T) as M;
      const resid = matmul(sensing, est.reshape([n * n, 1])) as M;
      let loss = 0;
      for (let k = 0; k < m; k++) loss += (resid.data[k] - y.data[k]) ** 2 / (2 * m);
      for (let k = 0; k < m; k++) resid.data[k] = (resid.data[k] - y.data[k]) / m;
      const r = (matmul(sensing.T, resid) as M).reshape([n, n]) as M;
      return { loss, grads: { u: matmul(r, v) as M, v: matmul(r.T, u) as M } };
    },
  };
}

/** A two-layer tanh MLP (2 -> 32 -> 2) on two interleaved spirals, 400 points, softmax cross-entropy. */
export function mlp(): Problem {
  const g = rng(5);
  const n = 400;
  const x = new NDArray(new Float64Array(n * 2), [n, 2]) as M;
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % 2;
    const r = (i / n) * 3 + 0.3;
    const angle = r * 2.2 + c * Math.PI;
    x.data[2 * i] = r * Math.cos(angle) + 0.1 * g.nextNormal();
    x.data[2 * i + 1] = r * Math.sin(angle) + 0.1 * g.nextNormal();
    labels[i] = c;
  }
  const forward = (w1: M, b1: M, w2: M, b2: M) => {
    const h = matmul(x, w1) as M;
    for (let i = 0; i < n; i++)
      for (let j = 0; j < 32; j++) h.data[i * 32 + j] = Math.tanh(h.data[i * 32 + j] + b1.data[j]);
    const z = matmul(h, w2) as M;
    for (let i = 0; i < n; i++) for (let j = 0; j < 2; j++) z.data[i * 2 + j] += b2.data[j];
    return { h, z };
  };
  return {
    name: 'two-layer MLP (spirals)',
    target: 0.3,
    init: () => {
      const r = rng(6);
      return {
        w1: r.normal([2, 32], { std: 1 }) as M,
        b1: new NDArray(new Float64Array(32), [32]) as M,
        w2: r.normal([32, 2], { std: 0.2 }) as M,
        b2: new NDArray(new Float64Array(2), [2]) as M,
      };
    },
    kfac: {
      layers: {
        fc1: { weight: 'w1', bias: 'b1', transposed: true },
        fc2: { weight: 'w2', bias: 'b2', transposed: true },
      },
      stats: ({ w1, b1, w2, b2 }, r) => {
        const { h, z } = forward(w1 as M, b1 as M, w2 as M, b2 as M);
        const dz = sampledLogitGrads(z, r);
        const dh = matmul(dz, w2.T) as M;
        for (let i = 0; i < dh.size; i++) dh.data[i] *= 1 - h.data[i] ** 2;
        return { fc1: { inputs: x, outputGrads: dh }, fc2: { inputs: h, outputGrads: dz } };
      },
    },
    lossAndGrad({ w1, b1, w2, b2 }) {
      const { h, z } = forward(w1 as M, b1 as M, w2 as M, b2 as M);
      const { loss, dz } = softmaxCE(z, labels);
      const gw2 = matmul(h.T, dz) as M;
      const gb2 = new NDArray(
        Float64Array.from([0, 1], (j) => {
          let s = 0;
          for (let i = 0; i < n; i++) s += dz.data[i * 2 + j];
          return s;
        }),
        [2],
      ) as M;
      const dh = matmul(dz, w2.T) as M;
      for (let i = 0; i < dh.size; i++) dh.data[i] *= 1 - h.data[i] ** 2;
      const gw1 = matmul(x.T, dh) as M;
      const gb1 = new NDArray(
        Float64Array.from({ length: 32 }, (_, j) => {
          let s = 0;
          for (let i = 0; i < n; i++) s += dh.data[i * 32 + j];
          return s;
        }),
        [32],
      ) as M;
      return { loss, grads: { w1: gw1, b1: gb1, w2: gw2, b2: gb2 } };
    },
  };
}
