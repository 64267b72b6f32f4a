/**
 * The t-product and t-SVD of third-order tensors (Kilmer & Martin, "Factorization strategies for
 * third-order tensors", Linear Algebra Appl. 435, 2011): A * B = fold(bcirc(A) unfold(B)),
 * computed slice by slice in the Fourier domain of the third mode.
 */
import {
  InvalidArgumentError,
  type NDArray,
  ShapeError,
  checkInteger,
  checkNumber,
  checkOptions,
  optionKeys,
} from '@krylov/core-array';
import { irfft, rfft } from '@krylov/core-array/internal';
import { type Dense, mm, norm2, tensorArg, thinSvd, toNDArray } from './common.js';

/** The Fourier-domain frontal slices k = 0..floor(n3/2) of an n1 x n2 x n3 tensor (rows x cols each). */
interface Spectrum {
  re: Float64Array[];
  im: Float64Array[];
  rows: number;
  cols: number;
  n3: number;
}

/** rfft of every tube X[i, j, :] (contiguous in row-major order). */
function toSpectrum(x: Dense): Spectrum {
  const [rows, cols, n3] = x.shape;
  const h = Math.floor(n3 / 2) + 1;
  const re = Array.from({ length: h }, () => new Float64Array(rows * cols));
  const im = Array.from({ length: h }, () => new Float64Array(rows * cols));
  for (let t = 0; t < rows * cols; t++) {
    const f = rfft(x.data.subarray(t * n3, (t + 1) * n3));
    for (let k = 0; k < h; k++) {
      re[k][t] = f.re[k];
      im[k][t] = f.im[k];
    }
  }
  return { re, im, rows, cols, n3 };
}

function fromSpectrum(s: Spectrum): Dense {
  const { rows, cols, n3 } = s;
  const h = s.re.length;
  const out = new Float64Array(rows * cols * n3);
  const fr = new Float64Array(h);
  const fi = new Float64Array(h);
  for (let t = 0; t < rows * cols; t++) {
    for (let k = 0; k < h; k++) {
      fr[k] = s.re[k][t];
      fi[k] = s.im[k][t];
    }
    out.set(irfft(fr, fi, n3), t * n3);
  }
  return { data: out, shape: [rows, cols, n3] };
}

function third(fn: string, arg: string, a: unknown): Dense {
  const x = tensorArg(fn, arg, a, { exact: 3 });
  if (x.shape[2] === 0) throw new ShapeError(fn, arg, 'expected a third mode of at least 1', x.shape);
  return x;
}

/**
 * The t-product C = A * B of A (n1 x n2 x n3) and B (n2 x l x n3) (Kilmer & Martin 2011, Def. 2.1):
 * C = fold(bcirc(A) unfold(B)), computed as Ĉ_k = Â_k B̂_k on the Fourier-domain frontal slices
 * (a real FFT along the third mode: floor(n3/2) + 1 complex slices, each four registry `gemm`
 * calls). O(n1 n2 l n3 + (n1 n2 + n2 l + n1 l) n3 log n3).
 * @throws ShapeError (not 3-D, n2 or n3 mismatch), InvalidArgumentError, DTypeError.
 * @example
 * ```ts
 * import { rng } from '@krylov/core-array';
 * import { tidentity, tproduct } from '@krylov/tensors';
 * const a = rng(1).normal([2, 3, 4]);
 * const b = tproduct(a, tidentity(3, 4)); // A itself
 * console.assert(Math.abs(b.get(1, 2, 3) - a.get(1, 2, 3)) < 1e-12, 'A * I = A');
 * ```
 */
export function tproduct(a: NDArray, b: NDArray): NDArray<'float64'> {
  const fn = 'tproduct';
  const A = third(fn, 'a', a);
  const B = third(fn, 'b', b);
  if (B.shape[0] !== A.shape[1] || B.shape[2] !== A.shape[2])
    throw new ShapeError(fn, 'b', `expected ${A.shape[1]} x l x ${A.shape[2]} to match a`, B.shape);
  return toNDArray(fromSpectrum(multiply(toSpectrum(A), toSpectrum(B))));
}

function multiply(a: Spectrum, b: Spectrum): Spectrum {
  const [m, k, n] = [a.rows, a.cols, b.cols];
  const re: Float64Array[] = [];
  const im: Float64Array[] = [];
  for (let f = 0; f < a.re.length; f++) {
    const cr = mm(a.re[f], b.re[f], m, k, n);
    const ni = new Float64Array(a.im[f].length);
    for (let i = 0; i < ni.length; i++) ni[i] = -a.im[f][i];
    mm(ni, b.im[f], m, k, n, false, false, cr, 1);
    const ci = mm(a.re[f], b.im[f], m, k, n);
    mm(a.im[f], b.re[f], m, k, n, false, false, ci, 1);
    re.push(cr);
    im.push(ci);
  }
  return { re, im, rows: m, cols: n, n3: a.n3 };
}

/**
 * The t-transpose A^T (n2 x n1 x n3): every frontal slice transposed and slices 2..n3 in reverse
 * order (Kilmer & Martin 2011, Def. 2.5), so (A * B)^T = B^T * A^T. O(n1 n2 n3).
 * @throws ShapeError (not 3-D), InvalidArgumentError, DTypeError.
 * @returns a float64 n2 x n1 x n3 tensor.
 * @example
 * ```ts
 * import { rng } from '@krylov/core-array';
 * import { ttranspose } from '@krylov/tensors';
 * const a = rng(1).normal([2, 3, 4]);
 * const at = ttranspose(a);
 * console.assert(at.get(2, 1, 0) === a.get(1, 2, 0) && at.get(2, 1, 1) === a.get(1, 2, 3), 'slices reversed after the first');
 * ```
 */
export function ttranspose(a: NDArray): NDArray<'float64'> {
  const A = third('ttranspose', 'a', a);
  const [n1, n2, n3] = A.shape;
  const out = new Float64Array(A.data.length);
  for (let i = 0; i < n1; i++)
    for (let j = 0; j < n2; j++)
      for (let k = 0; k < n3; k++) out[(j * n1 + i) * n3 + ((n3 - k) % n3)] = A.data[(i * n2 + j) * n3 + k];
  return toNDArray({ data: out, shape: [n2, n1, n3] });
}

/**
 * The complex thin SVD of Xr + i Xi (m x n) from the real SVD of its real embedding
 * [[Xr, -Xi], [Xi, Xr]] (each complex singular value appears twice): within every cluster of
 * equal singular values, a pivoted complex Gram-Schmidt picks one complex vector per pair.
 */
function complexSvd(fn: string, xr: Float64Array, xi: Float64Array, m: number, n: number) {
  const p = Math.min(m, n);
  const e = new Float64Array(4 * m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      const r = xr[i * n + j];
      const c = xi[i * n + j];
      e[i * 2 * n + j] = r;
      e[i * 2 * n + n + j] = -c;
      e[(m + i) * 2 * n + j] = c;
      e[(m + i) * 2 * n + n + j] = r;
    }
  const { u, s, vt } = thinSvd(fn, e, 2 * m, 2 * n);
  const q = 2 * p;
  // candidates as complex vectors
  const lr = Array.from({ length: q }, (_, j) => Float64Array.from({ length: m }, (_, i) => u[i * q + j]));
  const li = Array.from({ length: q }, (_, j) =>
    Float64Array.from({ length: m }, (_, i) => u[(m + i) * q + j]),
  );
  const rr = Array.from({ length: q }, (_, j) => vt.slice(j * 2 * n, j * 2 * n + n));
  const ri = Array.from({ length: q }, (_, j) => vt.slice(j * 2 * n + n, (j + 1) * 2 * n));
  const out = {
    ur: new Float64Array(m * p),
    ui: new Float64Array(m * p),
    s: new Float64Array(p),
    vr: new Float64Array(n * p),
    vi: new Float64Array(n * p),
  };
  const acceptedL: [Float64Array, Float64Array][] = [];
  const acceptedR: [Float64Array, Float64Array][] = [];
  const cnorm = (a: Float64Array, b: Float64Array) => Math.hypot(norm2(a), norm2(b));
  /** v -= (w^H v) w for unit complex w, on (vr, vi). */
  const orth = (wr: Float64Array, wi: Float64Array, vr: Float64Array, vi: Float64Array) => {
    let dr = 0;
    let di = 0;
    for (let i = 0; i < wr.length; i++) {
      dr += wr[i] * vr[i] + wi[i] * vi[i];
      di += wr[i] * vi[i] - wi[i] * vr[i];
    }
    for (let i = 0; i < wr.length; i++) {
      vr[i] -= dr * wr[i] - di * wi[i];
      vi[i] -= dr * wi[i] + di * wr[i];
    }
  };
  const zeroTol = 1e-9 * (s[0] ?? 0);
  let start = 0;
  let taken = 0;
  const push = (side: 'L' | 'R', re: Float64Array, im: Float64Array, nrm: number) => {
    const a = re.map((v) => v / nrm);
    const b = im.map((v) => v / nrm);
    (side === 'L' ? acceptedL : acceptedR).push([a, b]);
    return [a, b] as const;
  };
  const pick = (side: 'L' | 'R', cand: number[], re: Float64Array[], im: Float64Array[]) => {
    let best = -1;
    let bestNorm = 0;
    for (const j of cand) {
      const v = cnorm(re[j], im[j]);
      if (v > bestNorm) {
        bestNorm = v;
        best = j;
      }
    }
    return { best, bestNorm };
  };
  const complete = (side: 'L' | 'R', dim: number) => {
    // an orthonormal completion from unit vectors (only for a null cluster the embedding left short)
    const acc = side === 'L' ? acceptedL : acceptedR;
    for (let e0 = 0; e0 < dim; e0++) {
      const vr = new Float64Array(dim);
      const vi = new Float64Array(dim);
      vr[e0] = 1;
      for (let pass = 0; pass < 2; pass++) for (const [wr, wi] of acc) orth(wr, wi, vr, vi);
      const nv = cnorm(vr, vi);
      if (nv > 0.5) return push(side, vr, vi, nv);
    }
    throw new InvalidArgumentError(
      fn,
      'a',
      'a slice whose complex SVD could not be completed',
      'a finite tensor',
    );
  };
  while (start < q && taken < p) {
    let end = start + 1;
    while (end < q && s[start] - s[end] <= zeroTol + 1e-12 * s[start]) end++;
    const cand = Array.from({ length: end - start }, (_, t) => start + t);
    const k = Math.min(Math.ceil((end - start) / 2), p - taken);
    const isZero = s[start] <= zeroTol;
    for (let t = 0; t < k; t++) {
      const L = pick('L', cand, lr, li);
      const [ur, ui] = L.bestNorm > 0.1 ? push('L', lr[L.best], li[L.best], L.bestNorm) : complete('L', m);
      let vr: Float64Array;
      let vi: Float64Array;
      if (isZero) {
        const R = pick('R', cand, rr, ri);
        [vr, vi] = R.bestNorm > 0.1 ? push('R', rr[R.best], ri[R.best], R.bestNorm) : complete('R', n);
      } else {
        const nv = cnorm(rr[L.best], ri[L.best]);
        [vr, vi] = push('R', rr[L.best], ri[L.best], nv);
      }
      for (const j of cand) {
        orth(ur, ui, lr[j], li[j]);
        orth(vr, vi, rr[j], ri[j]);
      }
      for (let i = 0; i < m; i++) {
        out.ur[i * p + taken] = ur[i];
        out.ui[i * p + taken] = ui[i];
      }
      for (let i = 0; i < n; i++) {
        out.vr[i * p + taken] = vr[i];
        out.vi[i * p + taken] = vi[i];
      }
      out.s[taken] = s[start + 2 * t] ?? s[start];
      taken++;
    }
    start = end;
  }
  return out;
}

/** Options of `tsvd`. */
export interface TsvdOptions {
  /** Keep the first `rank` singular tubes (the truncated t-SVD A_k). Default: all, min(n1, n2). */
  rank?: number;
}

/** The t-SVD A = U * S * V^T: U (n1 x k x n3), S (k x k x n3, f-diagonal), V (n2 x k x n3). */
export interface TsvdResult {
  u: NDArray<'float64'>;
  s: NDArray<'float64'>;
  v: NDArray<'float64'>;
  /**
   * The singular values of every Fourier-domain slice, shape [floor(n3/2) + 1, min(n1, n2)]
   * (descending per slice): ||A - A_k||_F^2 = (1/n3) sum over all n3 slices of the discarded squares.
   */
  fourierSingularValues: NDArray<'float64'>;
}

function svdSlices(fn: string, A: Dense) {
  const [n1, n2, n3] = A.shape;
  const p = Math.min(n1, n2);
  const spec = toSpectrum(A);
  return spec.re.map((re, k) => {
    const real = k === 0 || 2 * k === n3;
    if (real) {
      const r = thinSvd(fn, re, n1, n2);
      const vr = new Float64Array(n2 * p);
      for (let i = 0; i < n2; i++) for (let j = 0; j < p; j++) vr[i * p + j] = r.vt[j * n2 + i];
      return { ur: r.u, ui: new Float64Array(n1 * p), s: r.s, vr, vi: new Float64Array(n2 * p) };
    }
    return complexSvd(fn, re, spec.im[k], n1, n2);
  });
}

const TSVD_OPTIONS_KEYS = optionKeys<TsvdOptions>()('rank');

/**
 * The t-SVD A = U * S * V^T (Kilmer & Martin 2011, Thm. 4.1): U and V orthogonal in the t-product
 * sense (U^T * U = I), S f-diagonal, from the SVDs of the Fourier-domain frontal slices (a real FFT
 * along the third mode; the slices of the DC and Nyquist frequencies are real, the others complex
 * and computed through the real SVD of their real embedding, so every SVD runs on the registry's
 * `gesdd`). Truncated to `rank` tubes, A_k = U_k * S_k * V_k^T is the best approximation of A in
 * the Frobenius norm among t-products X * Y with X of k lateral slices (Eckart-Young in the tubal
 * sense, ibid. Thm. 4.3). O(n1 n2 min(n1, n2) n3), 8x a real SVD per complex slice.
 * @throws ShapeError (not 3-D), InvalidArgumentError (bad rank), DTypeError, ConvergenceError.
 * @example
 * ```ts
 * import { rng } from '@krylov/core-array';
 * import { tproduct, tsvd, ttranspose } from '@krylov/tensors';
 * const a = rng(1).normal([3, 3, 4]);
 * const { u, s, v } = tsvd(a);
 * const back = tproduct(tproduct(u, s), ttranspose(v));
 * console.assert(Math.abs(back.get(2, 1, 3) - a.get(2, 1, 3)) < 1e-10, 'A = U * S * V^T');
 * ```
 */
export function tsvd(a: NDArray, options?: TsvdOptions): TsvdResult {
  const fn = 'tsvd';
  checkOptions(fn, options, TSVD_OPTIONS_KEYS);
  const A = third(fn, 'a', a);
  const [n1, n2, n3] = A.shape;
  const p = Math.min(n1, n2);
  const k =
    options?.rank === undefined ? p : checkInteger(fn, 'options.rank', options.rank, { min: 0, max: p });
  const slices = svdSlices(fn, A);
  const h = slices.length;
  const take = (re: Float64Array, rows: number) => {
    const out = new Float64Array(rows * k);
    for (let i = 0; i < rows; i++) for (let j = 0; j < k; j++) out[i * k + j] = re[i * p + j];
    return out;
  };
  const U: Spectrum = { re: [], im: [], rows: n1, cols: k, n3 };
  const V: Spectrum = { re: [], im: [], rows: n2, cols: k, n3 };
  const S: Spectrum = { re: [], im: [], rows: k, cols: k, n3 };
  const sv = new Float64Array(h * p);
  slices.forEach((sl, f) => {
    U.re.push(take(sl.ur, n1));
    U.im.push(take(sl.ui, n1));
    V.re.push(take(sl.vr, n2));
    V.im.push(take(sl.vi, n2));
    const d = new Float64Array(k * k);
    for (let j = 0; j < k; j++) d[j * k + j] = sl.s[j];
    S.re.push(d);
    S.im.push(new Float64Array(k * k));
    sv.set(sl.s.subarray(0, p), f * p);
  });
  return {
    u: toNDArray(fromSpectrum(U)),
    s: toNDArray(fromSpectrum(S)),
    v: toNDArray(fromSpectrum(V)),
    fourierSingularValues: toNDArray({ data: sv, shape: [h, p] }),
  };
}

const TUBAL_RANK_OPTIONS_KEYS = optionKeys<TubalRankOptions>()('tol');

/** Options of {@link tubalRank}. */
export type TubalRankOptions = { tol?: number };

/**
 * The tubal rank of A: the number of nonzero singular tubes of its t-SVD, i.e. the largest rank of
 * a Fourier-domain frontal slice (Kilmer, Braman, Hao & Hoover, SIAM J. Matrix Anal. Appl. 34,
 * 2013). A singular value counts as nonzero above `tol`, default max(n1, n2) eps sigma_max (NumPy's
 * `matrix_rank` rule applied to all slices together).
 * @throws ShapeError (not 3-D), InvalidArgumentError (negative tol), DTypeError.
 * @returns an integer in [0, min(n1, n2)]. O(n1 n2 n3 log n3 + n3 min(n1, n2)^2 max(n1, n2)).
 * @example
 * ```ts
 * import { rng } from '@krylov/core-array';
 * import { tproduct, tubalRank } from '@krylov/tensors';
 * const r = rng(1);
 * const a = tproduct(r.normal([5, 2, 3]), r.normal([2, 4, 3])); // tubal rank 2
 * console.assert(tubalRank(a) === 2, 'rank of the t-product factors');
 * ```
 */
export function tubalRank(a: NDArray, options?: TubalRankOptions): number {
  const fn = 'tubalRank';
  checkOptions(fn, options, TUBAL_RANK_OPTIONS_KEYS);
  const A = third(fn, 'a', a);
  const slices = svdSlices(fn, A);
  const smax = Math.max(0, ...slices.map((s) => s.s[0] ?? 0));
  const tol =
    options?.tol === undefined
      ? Math.max(A.shape[0], A.shape[1]) * 2 ** -52 * smax
      : checkNumber(fn, 'options.tol', options.tol, { min: 0 });
  return Math.max(0, ...slices.map((s) => s.s.filter((v) => v > tol).length));
}

/**
 * The t-identity n x n x n3: the identity as first frontal slice, zeros elsewhere (Kilmer & Martin 2011, Def. 2.4).
 * O(n^2 n3).
 * @returns a float64 n x n x n3 tensor.
 * @throws InvalidArgumentError unless n is an integer >= 0 and n3 an integer >= 1.
 * @example
 * ```ts
 * import { tidentity } from '@krylov/tensors';
 * const i = tidentity(2, 3);
 * console.assert(i.get(0, 0, 0) === 1 && i.get(0, 0, 1) === 0, 'identity in the first frontal slice');
 * ```
 */
export function tidentity(n: number, n3: number): NDArray<'float64'> {
  checkInteger('tidentity', 'n', n, { min: 0 });
  checkInteger('tidentity', 'n3', n3, { min: 1 });
  const out = new Float64Array(n * n * n3);
  for (let i = 0; i < n; i++) out[(i * n + i) * n3] = 1;
  return toNDArray({ data: out, shape: [n, n, n3] });
}
