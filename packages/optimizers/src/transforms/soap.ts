import { NDArray, checkInteger, checkOptions, matmul, optionKeys } from '@krylov/core-array';
import { eigh } from '@krylov/decompositions';
import { type GradientTransformation, type PerParameterState, perParameter } from '../transform.js';
import { type Buffer, zerosLike } from '../tree.js';
import { BETA, POSITIVE, numberOption } from './moments.js';

/**
 * `scaleBySoap`'s state per parameter: Adam's moments (the second in the rotated basis), the
 * Kronecker factors and their eigenbases (row-major m x m and n x n; empty for vectors, zero until
 * the first step computes them).
 */
export type SoapState = PerParameterState<{
  m1: Buffer;
  v: Buffer;
  left: Float64Array;
  right: Float64Array;
  ql: Float64Array;
  qr: Float64Array;
}>;

export interface SoapOptions {
  /** Adam's moment decays in [0, 1) (defaults 0.95 and 0.95) and denominator guard > 0 (default 1e-8). */
  b1?: number;
  b2?: number;
  eps?: number;
  /** Decay in [0, 1) of the Kronecker factors L = shampooBeta L + (1 - shampooBeta) G G^T (default = b2). */
  shampooBeta?: number;
  /** Recompute the eigenbases every this many steps, an integer >= 1 (default 10). */
  precondFrequency?: number;
  /**
   * A matrix side longer than this (an integer >= 1) is not rotated: its eigenbasis stays the
   * identity and its factor is not kept (default 10000, the reference's `max_precond_dim`).
   */
  maxPrecondDim?: number;
}

function mat(data: ArrayLike<number>, m: number, n: number): NDArray<'float64'> {
  return new NDArray(Float64Array.from(data), [m, n]);
}

const SOAP_OPTIONS_KEYS = optionKeys<SoapOptions>()(
  'b1',
  'b2',
  'eps',
  'shampooBeta',
  'precondFrequency',
  'maxPrecondDim',
);

/**
 * SOAP (Vyas et al. 2024, "SOAP: Improving and Stabilizing Shampoo using Adam"): Adam run in the
 * eigenbasis of Shampoo's factors. For a matrix gradient G with factors L, R and their
 * eigenvectors QL, QR (refreshed by eigh every `precondFrequency` steps): the first moment is kept
 * in the original space, the second in the rotated one, and the update is
 * QL ((QL^T M QR) / (sqrt(V) + eps)) QR^T with Adam's bias corrections. Vectors get plain Adam.
 * With identity eigenbases this is exactly Adam. O(m^3 + n^3) per refresh, O(mn(m + n)) per step.
 * @throws InvalidArgumentError for bad options.
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { chain, scaleByLearningRate, scaleBySoap } from '@krylov/optimizers';
 * const t = chain(scaleBySoap(), scaleByLearningRate(0.1));
 * const params = { w: array([[1, -2], [0.5, 3]]) };
 * const state = t.init(params);
 * const updates = { w: array([[0.5, -1], [0.25, 1.5]]) }; // the gradients, rewritten in place
 * t.update(updates, state, params);
 * console.assert(updates.w.get(0, 0) < 0 && updates.w.get(0, 1) > 0, 'a descent step: opposite sign to g');
 * ```
 */
export function scaleBySoap(options?: SoapOptions): GradientTransformation<SoapState> {
  const fn = 'scaleBySoap';
  checkOptions(fn, options, SOAP_OPTIONS_KEYS);
  const b1 = numberOption(fn, options, 'b1', 0.95, BETA);
  const b2 = numberOption(fn, options, 'b2', 0.95, BETA);
  const eps = numberOption(fn, options, 'eps', 1e-8, POSITIVE);
  const sb = numberOption(fn, options, 'shampooBeta', b2, BETA);
  const freq =
    options?.precondFrequency === undefined
      ? 10
      : checkInteger(fn, 'options.precondFrequency', options.precondFrequency, { min: 1 });
  const maxDim =
    options?.maxPrecondDim === undefined
      ? 10000
      : checkInteger(fn, 'options.maxPrecondDim', options.maxPrecondDim, { min: 1 });
  // a side above maxDim keeps no factor (length 0) and is not rotated
  const side = (k: number) => (k <= maxDim ? k : 0);
  return perParameter(
    (p) => {
      const m0 = p.ndim >= 2 ? p.shape[0] : 0;
      const m = side(m0);
      const n = m0 > 0 ? side(p.size / m0) : 0;
      return {
        m1: zerosLike(p),
        v: zerosLike(p),
        left: new Float64Array(m * m),
        right: new Float64Array(n * n),
        ql: new Float64Array(m * m),
        qr: new Float64Array(n * n),
      };
    },
    (u: Buffer, s, p, t) => {
      for (let i = 0; i < u.length; i++) s.m1[i] = b1 * s.m1[i] + (1 - b1) * u[i];
      const bc1 = 1 - b1 ** t;
      const bc2 = 1 - b2 ** t;
      if (p.ndim < 2) {
        for (let i = 0; i < u.length; i++) {
          s.v[i] = b2 * s.v[i] + (1 - b2) * u[i] * u[i];
          u[i] = s.m1[i] / bc1 / (Math.sqrt(s.v[i] / bc2) + eps);
        }
        return;
      }
      const m = p.shape[0];
      const n = p.size / m;
      const g = mat(u, m, n);
      const useLeft = s.left.length > 0;
      const useRight = s.right.length > 0;
      if (useLeft) {
        const ggt = matmul(g, g.T) as NDArray<'float64'>;
        for (let i = 0; i < m * m; i++) s.left[i] = sb * s.left[i] + (1 - sb) * ggt.data[i];
      }
      if (useRight) {
        const gtg = matmul(g.T, g) as NDArray<'float64'>;
        for (let i = 0; i < n * n; i++) s.right[i] = sb * s.right[i] + (1 - sb) * gtg.data[i];
      }
      if ((t - 1) % freq === 0) {
        if (useLeft) s.ql.set((eigh(mat(s.left, m, m)).vectors as NDArray<'float64'>).contiguous().data);
        if (useRight) s.qr.set((eigh(mat(s.right, n, n)).vectors as NDArray<'float64'>).contiguous().data);
      }
      const ql = useLeft ? new NDArray(s.ql, [m, m]) : null;
      const qr = useRight ? new NDArray(s.qr, [n, n]) : null;
      const rotate = (x: NDArray<'float64'>) => {
        const y = ql ? (matmul(ql.T, x) as NDArray<'float64'>) : x;
        return (qr ? matmul(y, qr) : y) as NDArray<'float64'>;
      };
      const gr = rotate(g);
      const mr = rotate(mat(s.m1, m, n));
      const step = new NDArray(new Float64Array(m * n), [m, n]);
      for (let i = 0; i < m * n; i++) {
        s.v[i] = b2 * s.v[i] + (1 - b2) * gr.data[i] ** 2;
        step.data[i] = mr.data[i] / bc1 / (Math.sqrt(s.v[i] / bc2) + eps);
      }
      const left = ql ? (matmul(ql, step) as NDArray<'float64'>) : step;
      const back = (qr ? matmul(left, qr.T) : left).contiguous() as NDArray<'float64'>;
      for (let i = 0; i < u.length; i++) u[i] = back.data[i];
    },
    { name: fn },
  );
}
