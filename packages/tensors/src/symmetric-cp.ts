/**
 * Symmetric CP decomposition by the subspace power method (Kileel and Pereira 2019):
 * T ~ sum_r w_r a_r^{(x) d} with unit vectors a_r, for a symmetric tensor T of order d >= 3.
 */
import {
  InvalidArgumentError,
  type NDArray,
  NDArray as NDArrayCtor,
  ShapeError,
  checkInteger,
  checkOptions,
  toRng,
} from '@krylov/core-array';
import {
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
} from './common.js';
import { cpFull, solveGram } from './cp.js';

/** Options of `symmetricCp`. */
export interface SymmetricCpOptions extends ProgressOptions {
  /** Power iterations per component and start. Default 1000. */
  maxiter?: number;
  /** Stop a power iteration when the iterate moves by less than `tol` (2-norm, up to sign). Default 1e-15. */
  tol?: number;
  /** Random starts per component; the one reaching the largest F(x) is kept. Default 5. */
  restarts?: number;
  /** The shift gamma of x <- (grad F(x) / 2m + gamma x) / norm (Kileel and Pereira's shifted iteration). Default 0. */
  shift?: number;
  /** Seed of the random starts. Default 0. */
  seed?: number | string;
}

/** The result of `symmetricCp`: T ~ sum_r weights[r] a_r^{(x) d}, a_r the unit columns of `factor`. */
export interface SymmetricCpResult {
  weights: NDArray<'float64'>;
  /** n x R, unit columns. */
  factor: NDArray<'float64'>;
  /** ||T - sum_r w_r a_r^{(x) d}||_F / ||T||_F. */
  relativeError: number;
  /**
   * Iterations are power iterations over all components; the objective is 1 - F(x), F(x) the
   * squared norm of the projection of x^{(x) m} onto the subspace (0 exactly at a component).
   */
  report: FitReport;
}

/** x^{(x) p} in C order. */
function kronPower(x: Float64Array, p: number): Float64Array {
  let out = new Float64Array([1]);
  for (let t = 0; t < p; t++) {
    const next = new Float64Array(out.length * x.length);
    for (let i = 0; i < out.length; i++)
      for (let j = 0; j < x.length; j++) next[i * x.length + j] = out[i] * x[j];
    out = next;
  }
  return out;
}

/** Largest |T - T with modes t and t+1 swapped| over the adjacent transpositions (they generate all permutations). */
function asymmetry(data: Float64Array, n: number, d: number): number {
  let worst = 0;
  for (let t = 0; t + 1 < d; t++) {
    const inner = n ** (d - t - 2);
    const outer = n ** t;
    for (let o = 0; o < outer; o++)
      for (let i = 0; i < n; i++)
        for (let j = i + 1; j < n; j++)
          for (let q = 0; q < inner; q++) {
            const a = data[((o * n + i) * n + j) * inner + q];
            const b = data[((o * n + j) * n + i) * inner + q];
            worst = Math.max(worst, Math.abs(a - b));
          }
  }
  return worst;
}

/**
 * Symmetric CP decomposition T ~ sum_r w_r a_r^{(x) d} by the subspace power method (SPM; J. Kileel
 * and J. M. Pereira, "Subspace power method for symmetric tensor decomposition", 2019,
 * arXiv:1912.04007, Algorithm 1). With m = ceil(d / 2), the top-R left singular subspace A of the
 * n^m x n^(d-m) flattening of T is spanned by the a_r^{(x) m}; SPM finds them one at a time as the
 * maximizers of F(x) = ||P_A x^{(x) m}||^2 on the unit sphere (F = 1 exactly there) by the power
 * iteration x <- normalize(P_A(x^{(x) m}) . x^{(x) (m-1)} + gamma x), gets w_r from the flattening's
 * pseudoinverse (1 / w_r = (a_r^{(x)(d-m)})^T M^+ a_r^{(x) m}) and deflates M by that rank-one term in
 * its R x R core. The weights are finally refit by least squares against T. Recovers generic
 * decompositions of rank R up to the flattening's rank bound (R <= n^floor(d/2) as needed for the
 * subspace; Kileel and Pereira prove more for d = 4), beyond n for even d: tested, a planted
 * rank-10 symmetric tensor of order 4 in 6 dimensions and a rank-5 one of order 3 in 8, recovered to
 * 1e-10 without noise. O(n^d R) for the flattening's SVD (registry gesdd) and O(n^m R) per power
 * iteration (registry gemm).
 *
 * @example
 * ```ts
 * import { NDArray } from '@krylov/core-array';
 * import { symmetricCp } from '@krylov/tensors';
 * // T = 2 e0^(x)3 + 3 e1^(x)3 (order 3, n = 2)
 * const t = new NDArray(Float64Array.from([2, 0, 0, 0, 0, 0, 0, 3]), [2, 2, 2]);
 * const { weights, relativeError } = symmetricCp(t, 2);
 * const w = Array.from(weights.data).sort();
 * console.assert(relativeError < 1e-12 && Math.abs(w[0] - 2) < 1e-12 && Math.abs(w[1] - 3) < 1e-12);
 * ```
 * @throws ShapeError when T has fewer than 3 modes or modes of different sizes;
 *   InvalidArgumentError when T is not symmetric (to sqrt(eps) ||T||), for non-finite entries, a
 *   rank above the flattening's bound or a bad option.
 */
export function symmetricCp(tensor: NDArray, rank: number, options?: SymmetricCpOptions): SymmetricCpResult {
  const fn = 'symmetricCp';
  checkOptions(fn, options, ['maxiter', 'tol', 'restarts', 'shift', 'seed', ...PROGRESS_OPTIONS]);
  const o = options ?? {};
  const x = tensorArg(fn, 'tensor', tensor, { min: 3 });
  const d = x.shape.length;
  const n = x.shape[0];
  if (x.shape.some((s) => s !== n) || n === 0)
    throw new ShapeError(fn, 'tensor', 'expected all modes of one non-zero size', x.shape);
  const normX = norm2(x.data);
  const asym = asymmetry(x.data, n, d);
  if (asym > 2 ** -26 * Math.max(normX, Number.MIN_VALUE))
    throw new InvalidArgumentError(
      fn,
      'tensor',
      asym,
      'a symmetric tensor (entries differ under a swap of modes)',
    );
  const m = Math.ceil(d / 2);
  const rows = n ** m;
  const cols = n ** (d - m);
  const R = checkInteger(fn, 'rank', rank, { min: 1, max: Math.min(rows, cols) });
  const maxiter = count(fn, 'maxiter', o.maxiter, 1000);
  const tol = nonNegative(fn, 'tol', o.tol, 1e-15);
  const restarts = Math.max(1, count(fn, 'restarts', o.restarts, 5));
  const shift = nonNegative(fn, 'shift', o.shift, 0);
  const rng = toRng(seedArg(fn, o.seed));
  const monitor = new Monitor(fn, o);

  // the flattening's top-R singular triplets: U (rows x Rc), s, V (cols x Rc)
  const f = thinSvd(fn, x.data, rows, cols);
  let rc = R;
  let u = new Float64Array(rows * rc);
  let v = new Float64Array(cols * rc);
  let s = f.s.slice(0, rc);
  for (let i = 0; i < rows; i++) for (let r = 0; r < rc; r++) u[i * rc + r] = f.u[i * f.p + r];
  for (let j = 0; j < cols; j++) for (let r = 0; r < rc; r++) v[j * rc + r] = f.vt[r * cols + j];

  const a = new Float64Array(n * R);
  let iterations = 0;
  let reason: StopReason = 'converged';
  let allConverged = true;
  if (monitor.abortedBefore) reason = 'aborted';
  for (let comp = 0; comp < R && reason === 'converged'; comp++) {
    let best: { x: Float64Array; F: number; converged: boolean } | null = null;
    for (let start = 0; start < restarts && reason === 'converged'; start++) {
      let xk = Float64Array.from({ length: n }, () => rng.nextNormal());
      const nx = norm2(xk);
      for (let i = 0; i < n; i++) xk[i] /= nx;
      let F = 0;
      let converged = false;
      for (let it = 0; it < maxiter; it++) {
        // P_A x^(x)m = U (U^T z), contracted with x on the last m - 1 modes
        const z = kronPower(xk, m);
        const c = mm(u, z, rc, rows, 1, true);
        F = c.reduce((acc, t) => acc + t * t, 0);
        const proj = mm(u, c, rows, rc, 1);
        const g = mm(proj, kronPower(xk, m - 1), n, rows / n, 1);
        for (let i = 0; i < n; i++) g[i] += shift * xk[i];
        const ng = norm2(g);
        if (ng === 0) break;
        let diffPlus = 0;
        let diffMinus = 0;
        for (let i = 0; i < n; i++) {
          g[i] /= ng;
          diffPlus += (g[i] - xk[i]) ** 2;
          diffMinus += (g[i] + xk[i]) ** 2;
        }
        xk = g;
        iterations++;
        const stop = monitor.step(iterations, 1 - F);
        if (stop) {
          reason = stop;
          break;
        }
        if (Math.sqrt(Math.min(diffPlus, diffMinus)) <= tol) {
          converged = true;
          break;
        }
      }
      if (!best || F > best.F) best = { x: xk, F, converged };
      if (converged && 1 - F < 1e-10) break;
    }
    if (!best || reason !== 'converged') break;
    if (!best.converged) allConverged = false;
    const ak = best.x;
    for (let i = 0; i < n; i++) a[i * R + comp] = ak[i];
    if (comp === R - 1) break;
    // w = 1 / (beta^T S^-1 alpha), then deflate the core: C = S - w alpha beta^T, keep rc - 1
    const alpha = mm(u, kronPower(ak, m), rc, rows, 1, true);
    const beta = mm(v, kronPower(ak, d - m), rc, cols, 1, true);
    let inv = 0;
    for (let r = 0; r < rc; r++) inv += (beta[r] * alpha[r]) / s[r];
    const w = 1 / inv;
    const core = new Float64Array(rc * rc);
    for (let i = 0; i < rc; i++)
      for (let j = 0; j < rc; j++) core[i * rc + j] = (i === j ? s[i] : 0) - w * alpha[i] * beta[j];
    const cs = thinSvd(fn, core, rc, rc);
    const next = rc - 1;
    const uc = new Float64Array(rc * next);
    const vc = new Float64Array(rc * next);
    for (let i = 0; i < rc; i++)
      for (let r = 0; r < next; r++) {
        uc[i * next + r] = cs.u[i * rc + r];
        vc[i * next + r] = cs.vt[r * rc + i];
      }
    u = mm(u, uc, rows, rc, next);
    v = mm(v, vc, cols, rc, next);
    s = cs.s.slice(0, next);
    rc = next;
  }
  if (reason === 'converged' && !allConverged) reason = 'maxiter';
  // the weights by least squares against T: (A^T A)^{.d} w = [<T, a_r^(x)d>]
  const gram = mm(a, a, R, n, R, true);
  for (let p = 0; p < gram.length; p++) gram[p] **= d;
  const rhs = new Float64Array(R);
  for (let r = 0; r < R; r++) {
    const ar = Float64Array.from({ length: n }, (_, i) => a[i * R + r]);
    let t = x.data;
    for (let k = 0; k < d; k++) t = mm(t, ar, size(x.shape) / n ** (k + 1), n, 1);
    rhs[r] = t[0];
  }
  const weights = solveGram(rhs, gram, 1, R);
  const recon = cpFull(
    weights,
    Array.from({ length: d }, () => a),
    x.shape,
    R,
  ).data;
  for (let p = 0; p < recon.length; p++) recon[p] = x.data[p] - recon[p];
  const relativeError = normX === 0 ? norm2(recon) : norm2(recon) / normX;
  return {
    weights: new NDArrayCtor(weights, [R]) as NDArray<'float64'>,
    factor: new NDArrayCtor(a, [n, R]) as NDArray<'float64'>,
    relativeError,
    report: monitor.report(reason, iterations, `relative error ${relativeError.toExponential(2)}`),
  };
}
