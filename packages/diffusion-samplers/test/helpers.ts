import { NDArray } from '@krylov/core-array';
import { gaussianData } from '../src/index.js';

/** A 4-D Gaussian with anisotropic variances in a rotated basis (a fixed orthogonal matrix). */
export function rotatedGaussian() {
  const c = Math.cos(0.7);
  const s = Math.sin(0.7);
  // block rotation: two planar rotations
  const q = new NDArray(Float64Array.from([c, -s, 0, 0, s, c, 0, 0, 0, 0, c, s, 0, 0, -s, c]), [4, 4]);
  return gaussianData({ mean: [1, -2, 0.5, 3], variances: [4, 1, 0.25, 0.04], basis: q });
}

/** Largest absolute difference. */
export function maxAbsDiff(a: NDArray, b: NDArray): number {
  const x = a.contiguous();
  const y = b.contiguous();
  let m = 0;
  for (let i = 0; i < x.size; i++) m = Math.max(m, Math.abs(x.data[x.offset + i] - y.data[y.offset + i]));
  return m;
}

/** Least-squares slope of log(err) against log(steps): the observed order is minus this. */
export function observedOrder(steps: number[], errors: number[]): number {
  const xs = steps.map(Math.log);
  const ys = errors.map(Math.log);
  const mx = xs.reduce((a, b) => a + b) / xs.length;
  const my = ys.reduce((a, b) => a + b) / ys.length;
  let num = 0;
  let den = 0;
  for (let i = 0; i < xs.length; i++) {
    num += (xs[i] - mx) * (ys[i] - my);
    den += (xs[i] - mx) ** 2;
  }
  return -num / den;
}

/** Sample mean and covariance of the rows of x (n x d). */
export function moments(x: NDArray): { mean: number[]; cov: number[][] } {
  const [n, d] = x.shape;
  const xc = x.contiguous();
  const mean = new Array(d).fill(0);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += xc.data[i * d + j] / n;
  const cov = Array.from({ length: d }, () => new Array(d).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++)
      for (let k = 0; k < d; k++)
        cov[j][k] += ((xc.data[i * d + j] - mean[j]) * (xc.data[i * d + k] - mean[k])) / (n - 1);
  }
  return { mean, cov };
}

/** Energy distance between two samples (Szekely & Rizzo): 2 E|X-Y| - E|X-X'| - E|Y-Y'|. */
export function energyDistance(x: NDArray, y: NDArray): number {
  const [n, d] = x.shape;
  const m = y.shape[0];
  const a = x.contiguous().data;
  const b = y.contiguous().data;
  const dist = (p: ArrayLike<number>, i: number, q: ArrayLike<number>, j: number) => {
    let s = 0;
    for (let k = 0; k < d; k++) s += (p[i * d + k] - q[j * d + k]) ** 2;
    return Math.sqrt(s);
  };
  let xy = 0;
  let xx = 0;
  let yy = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) xy += dist(a, i, b, j);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) xx += dist(a, i, a, j);
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) yy += dist(b, i, b, j);
  return (2 * xy) / (n * m) - xx / (n * n) - yy / (m * m);
}
