import {
  InvalidArgumentError,
  type NDArray,
  NDArray as NDArrayClass,
  ShapeError,
  checkOptions,
  optionKeys,
} from '@krylov/core-array';
import { svd } from '@krylov/decompositions';
import { type VectorLike, denseMatrix, toVector } from '../vector.js';

export interface RidgeResult {
  x: NDArray<'float64'>;
  /** The regularization parameter used (chosen by GCV when asked). */
  lambda: number;
  /** The GCV score at lambda: m ||A x - b||^2 / (m - dof)^2. */
  gcv: number;
  /** Effective degrees of freedom trace(A (A^T A + lambda I)^-1 A^T) = sum s_i^2 / (s_i^2 + lambda). */
  dof: number;
  residualNorm: number;
}

const RIDGE_OPTIONS_KEYS = optionKeys<RidgeOptions>()('lambda');

/** Options of {@link ridge}. */
export type RidgeOptions = { lambda?: number | 'gcv' };

/**
 * Ridge regression / Tikhonov regularization: min ||A x - b||^2 + lambda ||x||^2 for a dense m x n
 * A, through one thin SVD (x = V diag(s / (s^2 + lambda)) U^T b), so every lambda costs only
 * O(mn) after it. `lambda: 'gcv'` (the default) picks lambda by generalized cross-validation
 * (Golub, Heath & Wahba 1979, Technometrics 21): minimizes m ||A x - b||^2 / (m - dof)^2 over a
 * log grid from (eps s_max)^2 to s_max^2 refined by golden-section search. O(m n min(m, n)).
 * @example
 * ```ts
 * import { rng } from '@krylov/core-array';
 * import { ridge } from '@krylov/solvers';
 * const a = rng(1).normal([30, 10]);
 * const b = rng(2).normal([30]);
 * const { x, lambda, dof } = ridge(a, b); // lambda chosen by generalized cross-validation
 * console.assert(x.shape[0] === 10 && lambda >= 0 && dof <= 10, 'GCV ridge fit');
 * ```
 * @throws ShapeError, InvalidArgumentError (negative lambda, non-finite entries).
 */
export function ridge(a: NDArray, b: VectorLike, options?: RidgeOptions): RidgeResult {
  const fn = 'ridge';
  checkOptions(fn, options, RIDGE_OPTIONS_KEYS);
  denseMatrix(fn, 'a', a);
  const [m, n] = a.shape;
  const bv = toVector(fn, 'b', b, m);
  const choice = options?.lambda ?? 'gcv';
  if (choice !== 'gcv' && !(typeof choice === 'number' && choice >= 0 && Number.isFinite(choice)))
    throw new InvalidArgumentError(fn, 'options.lambda', choice, "a finite number >= 0 or 'gcv'");
  const { u, s, vt } = svd(a);
  const k = s.size;
  const sv = s.data as Float64Array;
  const beta = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    let t = 0;
    for (let r = 0; r < m; r++) t += u.data[r * k + i] * bv[r];
    beta[i] = t;
  }
  let outside = bv.reduce((acc, v) => acc + v * v, 0) - beta.reduce((acc, v) => acc + v * v, 0);
  outside = Math.max(outside, 0);
  const stats = (lambda: number) => {
    let rss = outside;
    let dof = 0;
    for (let i = 0; i < k; i++) {
      const s2 = sv[i] * sv[i];
      const f = s2 + lambda > 0 ? s2 / (s2 + lambda) : 0;
      dof += f;
      rss += ((1 - f) * beta[i]) ** 2;
    }
    return { rss, dof, gcv: m - dof > 0 ? (m * rss) / (m - dof) ** 2 : Number.POSITIVE_INFINITY };
  };
  let lambda: number;
  if (choice === 'gcv') {
    const top = k > 0 ? sv[0] * sv[0] : 1;
    const lo = Math.log(Math.max(top * Number.EPSILON ** 2, Number.MIN_VALUE));
    const hi = Math.log(Math.max(top, Number.MIN_VALUE));
    const score = (t: number) => stats(Math.exp(t)).gcv;
    const grid = 100;
    let best = lo;
    for (let g = 0; g <= grid; g++) {
      const t = lo + ((hi - lo) * g) / grid;
      if (score(t) < score(best)) best = t;
    }
    // Golden-section refinement within one grid step either side.
    const step = (hi - lo) / grid;
    let [x0, x1] = [best - step, best + step];
    const phi = (Math.sqrt(5) - 1) / 2;
    for (let it = 0; it < 60; it++) {
      const c = x1 - phi * (x1 - x0);
      const d = x0 + phi * (x1 - x0);
      if (score(c) < score(d)) x1 = d;
      else x0 = c;
    }
    lambda = Math.exp((x0 + x1) / 2);
  } else lambda = choice;
  const x = new Float64Array(n);
  for (let i = 0; i < k; i++) {
    const s2 = sv[i] * sv[i];
    const coef = s2 + lambda > 0 ? (sv[i] * beta[i]) / (s2 + lambda) : 0;
    for (let j = 0; j < n; j++) x[j] += coef * vt.data[i * n + j];
  }
  const { rss, dof, gcv } = stats(lambda);
  return { x: new NDArrayClass(x, [n]), lambda, gcv, dof, residualNorm: Math.sqrt(rss) };
}
