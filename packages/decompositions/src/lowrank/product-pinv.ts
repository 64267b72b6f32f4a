import {
  type DType,
  type NDArray,
  ShapeError,
  checkNumber,
  checkOptions,
  optionKeys,
} from '@krylov/core-array';
import { trsm } from '@krylov/core-array/internal';
import { geqrf, orgqr } from '../factor/qr.js';
import { pinv } from '../spectral/derived.js';
import { gesdd } from '../spectral/svd.js';
import { type Floating, inDTypeOf, workingCopy } from '../util/validate.js';
import { mm, view } from './common.js';

/** Thin QR of a rows x r matrix (rows >= r): Q (rows x r) and R (r x r upper), row-major. */
function thinQr(a: Float64Array, rows: number, r: number): { q: Float64Array; rr: Float64Array } {
  const q = Float64Array.from(a);
  const qv = view(q, rows, r);
  const { tau } = geqrf({ a: qv });
  const rr = new Float64Array(r * r);
  for (let i = 0; i < r; i++) for (let j = i; j < r; j++) rr[i * r + j] = q[i * r + j];
  orgqr({ a: qv, tau });
  return { q, rr };
}

const PRODUCT_PINV_OPTIONS_KEYS = optionKeys<ProductPinvOptions>()('rcond');

/** Options of {@link productPinv}. */
export type ProductPinvOptions = { rcond?: number };

/**
 * The pseudoinverse of a product A = C R (C m x r, R r x n) without forming A: with thin QRs
 * C = Qc Rc and R^T = Qr Rr, A = Qc K Qr^T with K = Rc Rr^T, so A^+ = Qr K^+ Qc^T. When K is
 * numerically invertible (its smallest singular value above rcond times its largest) this is
 * A^+ = Qr Rr^-T Rc^-1 Qc^T, the Greville/Cline identity (C R)^+ = R^+ C^+ for full-rank factors,
 * applied by triangular solves; otherwise K^+ comes from K's SVD with singular values below
 * rcond s_max dropped (Ben-Israel and Greville, "Generalized Inverses", 2nd ed., 2003, ch. 1).
 * Forming C R first loses what the rounding of the product cancels: at high condition numbers
 * `pinv(matmul(C, R))` can be orders of magnitude less accurate than this (see the tests).
 * When r > min(m, n) the product is formed and `pinv` used. Computed in float64, returned in
 * float32 when both inputs are. O((m + n) r^2 + m n r).
 *
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { productPinv } from '@krylov/decompositions';
 * const p = productPinv(array([[1], [2]]), array([[3, 4]])); // pinv of [[3, 4], [6, 8]]
 * ```
 * @throws ShapeError when C's columns and R's rows differ; InvalidArgumentError for non-finite
 *   entries or a negative rcond.
 */
export function productPinv<A extends DType, B extends DType>(
  c: NDArray<A>,
  r: NDArray<B>,
  options?: ProductPinvOptions,
): NDArray<Floating<A | B>> {
  const fn = 'productPinv';
  checkOptions(fn, options, PRODUCT_PINV_OPTIONS_KEYS);
  const wc = workingCopy(fn, 'c', c);
  const wr = workingCopy(fn, 'r', r);
  const [m, k] = wc.shape;
  const [kr, n] = wr.shape;
  if (kr !== k) throw new ShapeError(fn, 'r', `expected ${k} rows to match c's columns`, wr.shape);
  const rcond = checkNumber(fn, 'options.rcond', options?.rcond ?? Math.max(m, n) * 2 ** -52, { min: 0 });
  const out = (x: NDArray) => inDTypeOf(x, c, r as unknown as NDArray<A>) as NDArray<Floating<A | B>>;
  if (k > Math.min(m, n) || k === 0)
    return out(
      pinv(view(mm(wc.data, false, wr.data, false, new Float64Array(m * n), m, k, n), m, n), { rcond }),
    );
  const { q: qc, rr: rc } = thinQr(wc.data, m, k);
  const rt = new Float64Array(n * k);
  for (let i = 0; i < k; i++) for (let j = 0; j < n; j++) rt[j * k + i] = wr.data[i * n + j];
  const { q: qr, rr } = thinQr(rt, n, k);
  const kk = mm(rc, false, rr, true, new Float64Array(k * k), k, k, k);
  const f = gesdd({ a: view(Float64Array.from(kk), k, k), job: 'thin' });
  const s = f.s.copy('float64').data as Float64Array;
  const cutoff = rcond * s[0];
  // Z = K^+ Qc^T (k x m)
  let z: Float64Array;
  if (s[k - 1] > cutoff) {
    z = new Float64Array(k * m);
    for (let i = 0; i < m; i++) for (let j = 0; j < k; j++) z[j * m + i] = qc[i * k + j];
    const zv = view(z, k, m);
    trsm({ side: 'left', lower: false, unitDiag: false, alpha: 1, a: view(rc, k, k), b: zv });
    trsm({ side: 'left', lower: true, unitDiag: false, alpha: 1, a: view(rr, k, k).T, b: zv });
  } else {
    const u = f.u!.copy('float64').data as Float64Array;
    const vt = f.vt!.copy('float64').data as Float64Array;
    // K^+ = V S^+ U^T
    const vs = new Float64Array(k * k);
    for (let i = 0; i < k; i++)
      for (let j = 0; j < k; j++) vs[i * k + j] = s[j] > cutoff ? vt[j * k + i] / s[j] : 0;
    const kp = mm(vs, false, u, true, new Float64Array(k * k), k, k, k);
    z = mm(kp, false, qc, true, new Float64Array(k * m), k, k, m);
  }
  return out(view(mm(qr, false, z, false, new Float64Array(n * m), n, k, m), n, m));
}
