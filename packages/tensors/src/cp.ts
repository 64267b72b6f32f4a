/**
 * CP (CANDECOMP/PARAFAC) by alternating least squares with Bro's line search, as TensorLy's
 * `parafac`: X ~ sum_r w_r a_r^(0) o a_r^(1) o ... o a_r^(N-1).
 */
import {
  InvalidArgumentError,
  type NDArray,
  NDArray as NDArrayCtor,
  ShapeError,
  checkBoolean,
  checkInteger,
  checkOptions,
  isNDArray,
  toRng,
} from '@krylov/core-array';
import { syevd } from '@krylov/decompositions/kernels';
import {
  type Dense,
  type FitReport,
  Monitor,
  PROGRESS_OPTIONS,
  type ProgressOptions,
  type StopReason,
  count,
  mm,
  nonNegative,
  norm2,
  seedArg,
  size,
  tensorArg,
  thinSvd,
  toNDArray,
} from './common.js';
import { unfoldRaw } from './unfold.js';

/** A CP tensor: weights w (R) and factors A_n (I_n x R). */
export interface CPTensor {
  weights: NDArray<'float64'>;
  factors: NDArray<'float64'>[];
}

/** Rows of the Khatri-Rao product of `fs` (each rows_k x R) in C order: row q = (i_0, i_1, ...). */
export function khatriRaoRaw(fs: Float64Array[], rows: number[], R: number): Float64Array {
  let out = new Float64Array(R).fill(1);
  let n = 1;
  for (let k = 0; k < fs.length; k++) {
    const next = new Float64Array(n * rows[k] * R);
    for (let q = 0; q < n; q++)
      for (let i = 0; i < rows[k]; i++)
        for (let r = 0; r < R; r++) next[(q * rows[k] + i) * R + r] = out[q * R + r] * fs[k][i * R + r];
    out = next;
    n *= rows[k];
  }
  return out;
}

/** The full tensor of weights w and factors fs (each I_n x R): one registry gemm of A_0 diag(w) by the rest. */
export function cpFull(w: Float64Array, fs: Float64Array[], shape: number[], R: number): Dense {
  const total = size(shape);
  const a0 = fs[0].slice();
  for (let i = 0; i < shape[0]; i++) for (let r = 0; r < R; r++) a0[i * R + r] *= w[r];
  const rest = khatriRaoRaw(fs.slice(1), shape.slice(1), R);
  const data = mm(a0, rest, shape[0], R, total / Math.max(1, shape[0]), false, true);
  return { data, shape: [...shape] };
}

/**
 * The MTTKRP unfold(X, n) (KR of the other factors), R columns, without forming the
 * unfolding: X read as (L, I_n, Rest) times the right Khatri-Rao block by one registry gemm, then
 * contracted with the left block. O(size(X) R).
 */
function mttkrp(x: Dense, fs: Float64Array[], n: number, R: number): Float64Array {
  const shape = x.shape;
  const L = size(shape.slice(0, n));
  const I = shape[n];
  const Rest = size(shape.slice(n + 1));
  const left = khatriRaoRaw(fs.slice(0, n), shape.slice(0, n), R);
  const right = khatriRaoRaw(fs.slice(n + 1), shape.slice(n + 1), R);
  const t = mm(x.data, right, L * I, Rest, R);
  const out = new Float64Array(I * R);
  for (let l = 0; l < L; l++)
    for (let i = 0; i < I; i++)
      for (let r = 0; r < R; r++) out[i * R + r] += left[l * R + r] * t[(l * I + i) * R + r];
  return out;
}

/** F = M V^+ for a symmetric positive semidefinite R x R V (eigendecomposition through the registry's `syevd`). */
export function solveGram(m: Float64Array, v: Float64Array, rows: number, R: number): Float64Array {
  const e = syevd({ a: new NDArrayCtor(v.slice(), [R, R]) as NDArray<'float64'>, vectors: true });
  const lam = e.w.copy('float64').data as Float64Array;
  const q = e.v!.copy('float64').data as Float64Array;
  const cut = Math.max(...lam.map(Math.abs)) * R * 2 ** -52;
  // V^+ = Q diag(1/lambda) Q^T over eigenvalues above the cut
  const qs = new Float64Array(R * R);
  for (let i = 0; i < R; i++)
    for (let j = 0; j < R; j++) qs[i * R + j] = lam[j] > cut ? q[i * R + j] / lam[j] : 0;
  const pinv = mm(qs, q, R, R, R, false, true);
  return mm(m, pinv, rows, R, R);
}

/** Options of `parafac` (TensorLy's `parafac` names and defaults, in Krylov's spelling). */
export interface ParafacOptions extends ProgressOptions {
  /** Iteration limit (TensorLy `n_iter_max`). Default 100. */
  maxiter?: number;
  /**
   * Stop when the relative error changes by less than `tol` between iterations (TensorLy's
   * 'abs_rec_error' criterion). Default 1e-8 (TensorLy).
   */
  tol?: number;
  /**
   * 'svd' (default, TensorLy's): A_n = leading left singular vectors of unfold(X, n), the first
   * scaled by the singular values, columns beyond I_n uniform random; 'random': uniform [0, 1)
   * factors; or a CP tensor to start from.
   */
  init?: 'svd' | 'random' | { weights?: NDArray; factors: readonly NDArray[] };
  /** Seed of the random parts of the initialization (default 0). */
  seed?: number | string;
  /**
   * Bro's line search (TensorLy's `linesearch`, Bro 1998, as in Acar et al.'s implementation): every
   * second iteration after the fifth, extrapolate the factors to x_old + it^(1/p) (x - x_old) and keep
   * the jump if it lowers the error; p grows by one after 4 failures. Default false (TensorLy).
   */
  linesearch?: boolean;
  /**
   * Normalize the factor columns after every update, moving their norms to the weights. Default
   * false (TensorLy). Each update solves for A_n diag(w) and then splits it into unit columns and
   * weights, so every update is the exact least-squares step whatever the weights.
   */
  normalizeFactors?: boolean;
}

/** The result of `parafac`. */
export interface ParafacResult extends CPTensor {
  /** ||X - [[w; A]]||_F / ||X||_F recomputed at exit. */
  relativeError: number;
  report: FitReport;
}

function initFactors(
  fn: string,
  x: Dense,
  R: number,
  o: ParafacOptions,
): { w: Float64Array; fs: Float64Array[] } {
  const rng = toRng(seedArg(fn, o.seed));
  const init = o.init ?? 'svd';
  const N = x.shape.length;
  if (init === 'random')
    return {
      w: new Float64Array(R).fill(1),
      fs: x.shape.map((d) => rng.uniform([d, R]).data as Float64Array),
    };
  if (init === 'svd') {
    const fs = x.shape.map((d, n) => {
      const cols = size(x.shape) / d;
      const { u, s, p } = thinSvd(fn, unfoldRaw(x, n), d, cols);
      const f = new Float64Array(d * R);
      const k = Math.min(p, R);
      for (let i = 0; i < d; i++)
        for (let r = 0; r < k; r++) f[i * R + r] = u[i * p + r] * (n === 0 ? s[r] : 1);
      for (let i = 0; i < d; i++) for (let r = k; r < R; r++) f[i * R + r] = rng.nextFloat64();
      return f;
    });
    return { w: new Float64Array(R).fill(1), fs };
  }
  if (typeof init !== 'object' || init === null || !Array.isArray(init.factors) || init.factors.length !== N)
    throw new InvalidArgumentError(
      fn,
      'options.init',
      init,
      `'svd', 'random' or { weights?, factors } with ${N} factors`,
    );
  const fs = init.factors.map((f, n) => {
    const a = tensorArg(fn, `options.init.factors[${n}]`, f, { exact: 2 });
    if (a.shape[0] !== x.shape[n] || a.shape[1] !== R)
      throw new ShapeError(fn, `options.init.factors[${n}]`, `expected ${x.shape[n]} x ${R}`, a.shape);
    return a.data;
  });
  let w = new Float64Array(R).fill(1);
  if (init.weights !== undefined) {
    const a = tensorArg(fn, 'options.init.weights', init.weights, { exact: 1 });
    if (a.shape[0] !== R) throw new ShapeError(fn, 'options.init.weights', `expected ${R} weights`, a.shape);
    w = a.data;
  }
  return { w, fs };
}

function relErr(x: Dense, normX: number, w: Float64Array, fs: Float64Array[], R: number): number {
  const y = cpFull(w, fs, x.shape, R).data;
  for (let i = 0; i < y.length; i++) y[i] = x.data[i] - y[i];
  return normX === 0 ? norm2(y) : norm2(y) / normX;
}

/**
 * CP decomposition by alternating least squares (Carroll & Chang 1970, Harshman 1970; Kolda &
 * Bader, SIAM Review 51, 2009, Fig. 3.3), as TensorLy's `parafac`: each factor in turn solves its
 * linear least-squares problem A_n = MTTKRP_n V^+ with V the Hadamard product of the other
 * factors' Gram matrices, optionally accelerated by Bro's line search (R. Bro, "Multi-way analysis
 * in the food industry", PhD thesis, 1998; TensorLy's `linesearch`). The objective recorded per
 * iteration is ||X - [[w; A]]||_F / ||X||_F computed from the reconstruction (TensorLy uses a
 * cheaper formula accurate to about sqrt(eps); this one reaches rounding level, so exact low-rank
 * tensors are recovered to ~1e-13). Per iteration O(N size(X) R) through registry `gemm` calls
 * plus N R x R eigendecompositions (`syevd`). Synchronous: only an abort triggered from
 * `onProgress` can take effect (the signal is checked between iterations).
 * @throws InvalidArgumentError (bad tensor, rank < 1, option), DTypeError, ShapeError (fewer than 2
 *   dimensions, an empty mode, init factors of the wrong shape).
 * @example
 * ```ts
 * import { rng } from '@krylov/core-array';
 * import { cpToTensor, parafac } from '@krylov/tensors';
 * const r = rng(1);
 * const x = cpToTensor({ factors: [r.normal([5, 2]), r.normal([4, 2]), r.normal([3, 2])] }); // rank 2
 * const { factors, relativeError } = parafac(x, 2, { seed: rng(1) });
 * console.assert(factors.length === 3 && relativeError < 1e-4, 'recovers the rank-2 tensor');
 * ```
 */
export function parafac(tensor: NDArray, rank: number, options?: ParafacOptions): ParafacResult {
  const fn = 'parafac';
  checkOptions(fn, options, [
    'maxiter',
    'tol',
    'init',
    'seed',
    'linesearch',
    'normalizeFactors',
    ...PROGRESS_OPTIONS,
  ]);
  const x = tensorArg(fn, 'tensor', tensor, { min: 2 });
  if (x.shape.some((d) => d === 0)) throw new ShapeError(fn, 'tensor', 'expected no empty mode', x.shape);
  const R = checkInteger(fn, 'rank', rank, { min: 1 });
  const o = options ?? {};
  const maxiter = count(fn, 'maxiter', o.maxiter, 100);
  const tol = nonNegative(fn, 'tol', o.tol, 1e-8);
  const linesearch =
    o.linesearch === undefined ? false : checkBoolean(fn, 'options.linesearch', o.linesearch);
  const normalize =
    o.normalizeFactors === undefined
      ? false
      : checkBoolean(fn, 'options.normalizeFactors', o.normalizeFactors);
  const monitor = new Monitor(fn, o);
  let { w, fs } = initFactors(fn, x, R, o);
  const N = x.shape.length;
  const normX = norm2(x.data);
  const errors: number[] = [];
  let accPow = 2;
  let accFail = 0;
  let lastW = w;
  let lastFs = fs;
  let reason: StopReason = 'maxiter';
  let iterations = 0;
  let accepted = 0;
  if (monitor.abortedBefore) reason = 'aborted';
  else
    for (let it = 0; it < maxiter; it++) {
      if (linesearch && it % 2 === 0) {
        lastW = w.slice();
        lastFs = fs.map((f) => f.slice());
      }
      for (let n = 0; n < N; n++) {
        const v = new Float64Array(R * R).fill(1);
        for (let k = 0; k < N; k++) {
          if (k === n) continue;
          const g = mm(fs[k], fs[k], R, x.shape[k], R, true, false);
          for (let i = 0; i < R * R; i++) v[i] *= g[i];
        }
        // F = MTTKRP H^+ is the least-squares A_n diag(w); split it into factor and weights
        const f = solveGram(mttkrp(x, fs, n, R), v, x.shape[n], R);
        if (normalize) w = new Float64Array(R);
        for (let r = 0; r < R; r++) {
          if (normalize) {
            let s = 0;
            for (let i = 0; i < x.shape[n]; i++) s += f[i * R + r] ** 2;
            w[r] = Math.sqrt(s);
          }
          const d = w[r] === 0 ? 1 : w[r];
          for (let i = 0; i < x.shape[n]; i++) f[i * R + r] /= d;
        }
        fs[n] = f;
      }
      let err = relErr(x, normX, w, fs, R);
      if (linesearch && it % 2 === 0 && it > 5) {
        const jump = it ** (1 / accPow);
        const nw = w.map((v, r) => lastW[r] + (v - lastW[r]) * jump);
        const nfs = fs.map((f, k) => f.map((v, i) => lastFs[k][i] + (v - lastFs[k][i]) * jump));
        const nerr = relErr(x, normX, nw, nfs, R);
        if (nerr < errors[errors.length - 1]) {
          w = nw;
          fs = nfs;
          err = nerr;
          accFail = 0;
          accepted++;
        } else if (++accFail === 4) {
          accPow += 1;
          accFail = 0;
        }
      }
      errors.push(err);
      iterations = it + 1;
      const stop = monitor.step(it, err);
      if (it >= 1 && Math.abs(errors[errors.length - 2] - err) < tol) {
        reason = 'converged';
        break;
      }
      if (stop) {
        reason = stop;
        break;
      }
    }
  return {
    weights: toNDArray({ data: w, shape: [R] }),
    factors: fs.map((f, n) => toNDArray({ data: f, shape: [x.shape[n], R] })),
    relativeError: relErr(x, normX, w, fs, R),
    report: monitor.report(reason, iterations, linesearch ? `${accepted} line-search jumps accepted` : ''),
  };
}

/**
 * The full tensor sum_r w_r a_r^(0) o ... o a_r^(N-1) of a CP tensor (TensorLy's `cp_to_tensor`).
 * O(size R), one registry gemm.
 * @throws InvalidArgumentError, ShapeError when the factors disagree on R or the weights' length.
 * @returns a float64 tensor of shape [rows(A_0), ..., rows(A_{N-1})].
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { cpToTensor } from '@krylov/tensors';
 * const x = cpToTensor({ weights: array([2]), factors: [array([[1], [2]]), array([[3], [4]])] }); // 2 a b^T
 * console.assert(x.get(1, 1) === 16, '2 * 2 * 4');
 * ```
 */
export function cpToTensor(cp: { weights?: NDArray; factors: readonly NDArray[] }): NDArray<'float64'> {
  const fn = 'cpToTensor';
  if (cp === null || typeof cp !== 'object' || !Array.isArray(cp.factors) || cp.factors.length < 1)
    throw new InvalidArgumentError(fn, 'cp', cp, '{ weights?, factors } with at least one factor');
  const fs = cp.factors.map((f, n) => {
    if (!isNDArray(f)) throw new InvalidArgumentError(fn, `cp.factors[${n}]`, f, 'an NDArray');
    return tensorArg(fn, `cp.factors[${n}]`, f, { exact: 2 });
  });
  const R = fs[0].shape[1];
  fs.forEach((f, n) => {
    if (f.shape[1] !== R)
      throw new ShapeError(fn, `cp.factors[${n}]`, `expected ${R} columns like factors[0]`, f.shape);
  });
  let w = new Float64Array(R).fill(1);
  if (cp.weights !== undefined) {
    const a = tensorArg(fn, 'cp.weights', cp.weights, { exact: 1 });
    if (a.shape[0] !== R) throw new ShapeError(fn, 'cp.weights', `expected ${R} weights`, a.shape);
    w = a.data;
  }
  return toNDArray(
    cpFull(
      w,
      fs.map((f) => f.data),
      fs.map((f) => f.shape[0]),
      R,
    ),
  );
}
