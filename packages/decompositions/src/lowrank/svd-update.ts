import { NDArray, ShapeError, checkInteger, checkOptions, optionKeys } from '@krylov/core-array';
import { geqrf, orgqr } from '../factor/qr.js';
import { gesdd } from '../spectral/svd.js';
import { checkMatrix, workingCopy } from '../util/validate.js';
import { mm, view } from './common.js';

/** A thin SVD A ~ U diag(s) V^T (U m x k, V n x k: V, not V^T), as `svdUpdate` takes and returns it. */
export interface ThinSvd {
  u: NDArray<'float64'>;
  s: NDArray<'float64'>;
  v: NDArray<'float64'>;
}

/** Options of the SVD updates. */
export interface SvdUpdateOptions {
  /** Rank kept after the update. Default: the rank before it (k). */
  rank?: number;
}

/** Row-major copy of a 2-D NDArray as float64. */
const rows = (a: NDArray) => Float64Array.from(a.copy('float64').data);

/**
 * The part of the rows x c block X orthogonal to the columns of Q (rows x k): returns Q^T X (k x c)
 * and an orthonormal basis P (rows x c) and R (c x c) of (I - Q Q^T) X = P R, with Gram-Schmidt
 * applied twice ("twice is enough", Giraud et al. 2005) so that [Q P] stays orthonormal over many updates.
 */
function project(q: Float64Array, x: Float64Array, n: number, k: number, c: number) {
  const coef = mm(q, true, x, false, new Float64Array(k * c), k, n, c);
  const res = Float64Array.from(x);
  mm(q, false, coef, false, res, n, k, c, -1, 1);
  const again = mm(q, true, res, false, new Float64Array(k * c), k, n, c);
  mm(q, false, again, false, res, n, k, c, -1, 1);
  for (let p = 0; p < coef.length; p++) coef[p] += again[p];
  const pv = view(res, n, c);
  const { tau } = geqrf({ a: pv });
  const r = new Float64Array(c * c);
  for (let i = 0; i < c; i++) for (let j = i; j < c; j++) r[i * c + j] = res[i * c + j];
  orgqr({ a: pv, tau });
  return { coef, p: res, r };
}

/** [A B] for row-major A (rows x ka) and B (rows x kb). */
function hcat(a: Float64Array, ka: number, b: Float64Array, kb: number, n: number): Float64Array {
  const out = new Float64Array(n * (ka + kb));
  for (let i = 0; i < n; i++) {
    out.set(a.subarray(i * ka, i * ka + ka), i * (ka + kb));
    out.set(b.subarray(i * kb, i * kb + kb), i * (ka + kb) + ka);
  }
  return out;
}

/** The rank-`rank` SVD of [U P] K [V Q]^T from the SVD of the small core K. */
function rotate(
  uP: Float64Array,
  m: number,
  vQ: Float64Array,
  n: number,
  core: Float64Array,
  d: number,
  rank: number,
): ThinSvd {
  const f = gesdd({ a: view(core, d, d), job: 'thin' });
  const uk = new Float64Array(d * rank);
  const vk = new Float64Array(d * rank);
  const s = new Float64Array(rank);
  for (let j = 0; j < rank; j++) s[j] = f.s.data[f.s.offset + j * f.s.strides[0]];
  for (let i = 0; i < d; i++)
    for (let j = 0; j < rank; j++) {
      uk[i * rank + j] = f.u!.data[f.u!.offset + i * f.u!.strides[0] + j * f.u!.strides[1]];
      vk[i * rank + j] = f.vt!.data[f.vt!.offset + j * f.vt!.strides[0] + i * f.vt!.strides[1]];
    }
  return {
    u: view(mm(uP, false, uk, false, new Float64Array(m * rank), m, d, rank), m, rank),
    s: new NDArray(s, [rank]),
    v: view(mm(vQ, false, vk, false, new Float64Array(n * rank), n, d, rank), n, rank),
  };
}

function checkSvd(fn: string, f: ThinSvd): [number, number, number] {
  checkMatrix(fn, 'svd.u', f.u);
  checkMatrix(fn, 'svd.v', f.v);
  const k = f.u.shape[1];
  if (f.s.ndim !== 1 || f.s.shape[0] !== k)
    throw new ShapeError(fn, 'svd.s', `expected ${k} values`, f.s.shape);
  if (f.v.shape[1] !== k) throw new ShapeError(fn, 'svd.v', `expected ${k} columns`, f.v.shape);
  return [f.u.shape[0], f.v.shape[0], k];
}

const SVD_UPDATE_OPTIONS_KEYS = optionKeys<SvdUpdateOptions>()('rank');

/**
 * Updates a thin rank-k SVD A ~ U diag(s) V^T to the best rank-`rank` approximation of
 * U diag(s) V^T + X Y^T (X m x c, Y n x c) without recomputing it (Brand, "Fast low-rank
 * modifications of the thin singular value decomposition", Linear Algebra Appl. 415, 2006): with
 * (I - U U^T) X = P Rx and (I - V V^T) Y = Q Ry,
 * U S V^T + X Y^T = [U P] K [V Q]^T, K = [S 0; 0 0] + [U^T X; Rx] [V^T Y; Ry]^T,
 * and the SVD of the (k + c) x (k + c) core K rotates the enlarged bases. O((m + n)(k + c)^2 + (k + c)^3)
 * per update instead of O(m n min(m, n)). Exact for the rank-k input (the result is the SVD of
 * U S V^T + X Y^T truncated to `rank`); on a stream, the truncation error accumulates as analysed by
 * Brand and by Zha and Simon (1999). Products run through the registry's gemm kernel.
 *
 * @example
 * ```ts
 * import { rng } from '@krylov/core-array';
 * import { svd, svdUpdate } from '@krylov/decompositions';
 * const a = rng(0).normal([50, 30]);
 * const { u, s, vt } = svd(a);
 * const x = rng(1).normal([50, 2]);
 * const y = rng(2).normal([30, 2]);
 * // the SVD of a + x y^T, from the old factors
 * const f = svdUpdate({ u, s, v: vt.T.copy() }, x, y, { rank: 30 });
 * ```
 * @throws ShapeError for inconsistent shapes; InvalidArgumentError for non-finite entries or a rank
 *   outside [1, k + c].
 */
export function svdUpdate(f: ThinSvd, x: NDArray, y: NDArray, options?: SvdUpdateOptions): ThinSvd {
  const fn = 'svdUpdate';
  checkOptions(fn, options, SVD_UPDATE_OPTIONS_KEYS);
  const [m, n, k] = checkSvd(fn, f);
  const wx = workingCopy(fn, 'x', x);
  const wy = workingCopy(fn, 'y', y);
  const c = wx.shape[1];
  if (wx.shape[0] !== m) throw new ShapeError(fn, 'x', `expected ${m} rows (U's)`, wx.shape);
  if (wy.shape[0] !== n || wy.shape[1] !== c) throw new ShapeError(fn, 'y', `expected ${n} x ${c}`, wy.shape);
  const d = k + c;
  const rank = checkInteger(fn, 'options.rank', options?.rank ?? k, { min: 1, max: Math.min(d, m, n) });
  const u = rows(f.u);
  const v = rows(f.v);
  const px = project(u, wx.data, m, k, c);
  const qy = project(v, wy.data, n, k, c);
  // K = diag(s, 0) + [U^T X; Rx] [V^T Y; Ry]^T
  const left = new Float64Array(d * c);
  left.set(px.coef);
  left.set(px.r, k * c);
  const right = new Float64Array(d * c);
  right.set(qy.coef);
  right.set(qy.r, k * c);
  const core = mm(left, false, right, true, new Float64Array(d * d), d, c, d);
  for (let i = 0; i < k; i++) core[i * d + i] += f.s.data[f.s.offset + i * f.s.strides[0]];
  return rotate(hcat(u, k, px.p, c, m), m, hcat(v, k, qy.p, c, n), n, core, d, rank);
}

/**
 * Appends columns: from a thin SVD of A (m x n), the rank-`rank` SVD of [A C] (C m x c), by Zha and
 * Simon's update ("On updating problems in latent semantic indexing", SIAM J. Sci. Comput. 21, 1999),
 * the column case of Brand's: with (I - U U^T) C = P R, [U S V^T, C] = [U P] [S U^T C; 0 R] [V 0; 0 I]^T.
 * O(m (k + c)^2 + n k (k + c) + (k + c)^3). Append rows by appending columns to the transposed SVD
 * (swap u and v). On a stream of low-rank-plus-noise columns the error stays within a few percent
 * of the recomputed truncated SVD's (see the tests).
 * @example
 * ```ts
 * import { concatenate, norm, rng } from '@krylov/core-array';
 * import { svd, svdAppendColumns } from '@krylov/decompositions';
 * const a = rng(1).normal([20, 5]);
 * const c = rng(2).normal([20, 2]);
 * const { u, s, vt } = svd(a);
 * const f = svdAppendColumns({ u, s, v: vt.T.copy() }, c, { rank: 7 }); // SVD of [a c]
 * const exact = svd(concatenate([a, c], 1), { mode: 'values' }).s;
 * console.assert(Math.abs(f.s.get(0) - exact.get(0)) < 1e-10 && f.v.shape[0] === 7, 'matches the full SVD');
 * ```
 * @throws ShapeError for inconsistent shapes; InvalidArgumentError for non-finite entries or a bad rank.
 */
export function svdAppendColumns(f: ThinSvd, cols: NDArray, options?: SvdUpdateOptions): ThinSvd {
  const fn = 'svdAppendColumns';
  checkOptions(fn, options, SVD_UPDATE_OPTIONS_KEYS);
  const [m, n, k] = checkSvd(fn, f);
  const wc = workingCopy(fn, 'cols', cols);
  const c = wc.shape[1];
  if (wc.shape[0] !== m) throw new ShapeError(fn, 'cols', `expected ${m} rows (U's)`, wc.shape);
  const d = k + c;
  const rank = checkInteger(fn, 'options.rank', options?.rank ?? k, { min: 1, max: Math.min(d, m, n + c) });
  const u = rows(f.u);
  const pc = project(u, wc.data, m, k, c);
  const core = new Float64Array(d * d);
  for (let i = 0; i < k; i++) {
    core[i * d + i] = f.s.data[f.s.offset + i * f.s.strides[0]];
    for (let j = 0; j < c; j++) core[i * d + k + j] = pc.coef[i * c + j];
  }
  for (let i = 0; i < c; i++) for (let j = 0; j < c; j++) core[(k + i) * d + k + j] = pc.r[i * c + j];
  // [V 0; 0 I]
  const v = rows(f.v);
  const vq = new Float64Array((n + c) * d);
  for (let i = 0; i < n; i++) vq.set(v.subarray(i * k, i * k + k), i * d);
  for (let j = 0; j < c; j++) vq[(n + j) * d + k + j] = 1;
  return rotate(hcat(u, k, pc.p, c, m), m, vq, n + c, core, d, rank);
}
