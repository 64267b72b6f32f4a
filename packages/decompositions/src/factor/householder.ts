import { type RowMajor, block, gemmInto, gemvT } from './dense.js';

/**
 * Householder reflectors on raw row-major buffers, shared by QR (geqrf/orgqr), the symmetric
 * tridiagonal reduction (syevd) and the bidiagonal reduction (gesdd). A reflector is
 * H = I - tau v v^T with v(0) = 1 implied; reflector j of a QR-style block sits in column j below
 * the diagonal, as LAPACK stores them.
 */

/**
 * Turns the vector x = d[p], d[p + step], ... (len entries) into beta e_1 by a reflector (LAPACK
 * dlarfg): beta = -sign(alpha) ||x|| goes to d[p], v(1:) to the rest; returns tau (0 when x(1:)
 * is zero). The norm is scaled as in dnrm2, so it neither overflows nor underflows.
 */
export function householder(d: Float64Array, p: number, step: number, len: number): number {
  let scale = 0;
  for (let i = 1, q = p + step; i < len; i++, q += step) scale = Math.max(scale, Math.abs(d[q]));
  if (scale === 0) return 0;
  const alpha = d[p];
  scale = Math.max(scale, Math.abs(alpha));
  let ss = 0;
  for (let i = 0, q = p; i < len; i++, q += step) {
    const t = d[q] / scale;
    ss += t * t;
  }
  const beta = -Math.sign(alpha || 1) * scale * Math.sqrt(ss);
  const f = 1 / (alpha - beta);
  for (let i = 1, q = p + step; i < len; i++, q += step) d[q] *= f;
  d[p] = beta;
  return (beta - alpha) / beta;
}

/**
 * Applies H = I - tau v v^T from the left to columns c0..c1 of rows r0..r0+len of x, with v read
 * from column `vc` of x starting at row r0 (v(0) = 1 implied): w = v^T C (four rows per pass),
 * then C -= tau v w, both sweeps over contiguous row pieces. `w` is scratch of at least c1 - c0 entries.
 */
export function reflectColumns(
  x: RowMajor,
  r0: number,
  len: number,
  vc: number,
  tau: number,
  c0: number,
  c1: number,
  w: Float64Array,
): void {
  if (tau === 0 || c1 <= c0) return;
  const { d, o, ld } = x;
  const nc = c1 - c0;
  const top = o + r0 * ld + c0;
  for (let j = 0; j < nc; j++) w[j] = d[top + j];
  gemvT(d, top + ld, ld, len - 1, nc, d, o + (r0 + 1) * ld + vc, ld, w);
  for (let j = 0; j < nc; j++) d[top + j] -= tau * w[j];
  for (let i = 1; i < len; i++) {
    const f = tau * d[o + (r0 + i) * ld + vc];
    if (f === 0) continue;
    const row = top + i * ld;
    for (let j = 0; j < nc; j++) d[row + j] -= f * w[j];
  }
}

/**
 * The compact WY form H_0 ... H_{nb-1} = I - V T V^T of nb consecutive reflectors stored QR-style
 * in the rows x nb block of x at (r0, c0) (LAPACK dlarft, forward and columnwise; Schreiber & Van
 * Loan 1989): V (unit lower trapezoidal, copied out contiguous) and T (upper triangular), with
 * V^T V formed by one gemm. O(rows nb^2).
 */
function blockReflector(
  x: RowMajor,
  r0: number,
  c0: number,
  rows: number,
  nb: number,
  tau: ArrayLike<number>,
  tau0: number,
): { v: RowMajor; t: Float64Array } {
  const vd = new Float64Array(rows * nb);
  for (let i = 0; i < rows; i++) {
    const src = x.o + (r0 + i) * x.ld + c0;
    const dst = i * nb;
    for (let j = 0; j < Math.min(i, nb); j++) vd[dst + j] = x.d[src + j];
    if (i < nb) vd[dst + i] = 1;
  }
  const v: RowMajor = { d: vd, o: 0, ld: nb };
  const g = new Float64Array(nb * nb);
  gemmInto(
    1,
    block(v, 0, 0, rows, nb, true),
    block(v, 0, 0, rows, nb),
    0,
    block({ d: g, o: 0, ld: nb }, 0, 0, nb, nb),
  );
  const t = new Float64Array(nb * nb);
  for (let i = 0; i < nb; i++) {
    const ti = tau[tau0 + i];
    t[i * nb + i] = ti;
    if (ti === 0) continue;
    // T[0:i, i] = -tau_i T[0:i, 0:i] V[:, 0:i]^T v_i
    for (let q = 0; q < i; q++) {
      let s = 0;
      for (let p = q; p < i; p++) s += t[q * nb + p] * g[p * nb + i];
      t[q * nb + i] = -ti * s;
    }
  }
  return { v, t };
}

/**
 * C = (I - V T V^T) C, or with T^T when `transT` (C = H^T C), for C the rows x nc block of x at
 * (r0, c0) (LAPACK dlarfb, left side): W = V^T C and C -= V (T W) by gemm, T W by a triangular
 * product over contiguous rows. O(rows nb nc).
 */
function applyBlockReflector(
  v: RowMajor,
  t: Float64Array,
  nb: number,
  x: RowMajor,
  r0: number,
  c0: number,
  rows: number,
  nc: number,
  transT: boolean,
): void {
  if (nc === 0 || rows === 0) return;
  const wd = new Float64Array(nb * nc);
  const w: RowMajor = { d: wd, o: 0, ld: nc };
  gemmInto(1, block(v, 0, 0, rows, nb, true), block(x, r0, c0, rows, nc), 0, block(w, 0, 0, nb, nc));
  if (transT) {
    // W = T^T W from the bottom: row i mixes rows p <= i, not yet overwritten
    for (let i = nb - 1; i >= 0; i--) {
      const ri = i * nc;
      const tii = t[i * nb + i];
      for (let c = 0; c < nc; c++) wd[ri + c] *= tii;
      for (let p = 0; p < i; p++) {
        const f = t[p * nb + i];
        if (f === 0) continue;
        const rp = p * nc;
        for (let c = 0; c < nc; c++) wd[ri + c] += f * wd[rp + c];
      }
    }
  } else {
    // W = T W from the top: row i mixes rows p >= i, not yet overwritten
    for (let i = 0; i < nb; i++) {
      const ri = i * nc;
      const tii = t[i * nb + i];
      for (let c = 0; c < nc; c++) wd[ri + c] *= tii;
      for (let p = i + 1; p < nb; p++) {
        const f = t[i * nb + p];
        if (f === 0) continue;
        const rp = p * nc;
        for (let c = 0; c < nc; c++) wd[ri + c] += f * wd[rp + c];
      }
    }
  }
  gemmInto(-1, block(v, 0, 0, rows, nb), block(w, 0, 0, nb, nc), 1, block(x, r0, c0, rows, nc));
}

/** Panel width of the blocked QR routines, from measurement at n = 256..1024. */
const QR_NB = 32;

/**
 * Householder QR of the m x n block of x at (r0, c0) in place (LAPACK dgeqrf, blocked): each
 * QR_NB-column panel by reflections one column at a time (dgeqr2, row-oriented updates), the rest
 * of the matrix by its compact WY block reflector (dlarft + dlarfb), so the trailing update is
 * two gemms. tau[tau0 + j] receives reflector j's tau. O(2 m n^2 - 2/3 n^3).
 */
export function geqrfRaw(
  x: RowMajor,
  r0: number,
  c0: number,
  m: number,
  n: number,
  tau: Float64Array,
  tau0 = 0,
): void {
  const k = Math.min(m, n);
  const w = new Float64Array(n);
  for (let j0 = 0; j0 < k; j0 += QR_NB) {
    const j1 = Math.min(k, j0 + QR_NB);
    for (let c = j0; c < j1; c++) {
      const t = householder(x.d, x.o + (r0 + c) * x.ld + c0 + c, x.ld, m - c);
      tau[tau0 + c] = t;
      reflectColumns(x, r0 + c, m - c, c0 + c, t, c0 + c + 1, c0 + j1, w);
    }
    if (j1 < n) {
      const { v, t } = blockReflector(x, r0 + j0, c0 + j0, m - j0, j1 - j0, tau, tau0 + j0);
      applyBlockReflector(v, t, j1 - j0, x, r0 + j0, c0 + j1, m - j0, n - j1, true);
    }
  }
}

/**
 * Overwrites the m x n block of x at (r0, c0), holding k = tau's count reflectors QR-style, with
 * the first n columns of Q = H_0 ... H_{k-1} (LAPACK dorgqr, blocked): blocks of reflectors from the
 * last, each applied to the columns already formed by its WY form (two gemms), then to its own
 * columns unblocked (dorg2r). O(4 m n k - 2 (m + n) k^2 + 4/3 k^3).
 */
export function orgqrRaw(
  x: RowMajor,
  r0: number,
  c0: number,
  m: number,
  n: number,
  k: number,
  tau: ArrayLike<number>,
  tau0 = 0,
): void {
  const { d, o, ld } = x;
  const at = (i: number, j: number) => o + (r0 + i) * ld + c0 + j;
  // columns at or beyond k are those of the identity
  for (let i = 0; i < m; i++) for (let c = k; c < n; c++) d[at(i, c)] = i === c ? 1 : 0;
  const w = new Float64Array(n);
  const last = k === 0 ? 0 : Math.floor((k - 1) / QR_NB) * QR_NB;
  for (let j0 = last; j0 >= 0 && k > 0; j0 -= QR_NB) {
    const j1 = Math.min(k, j0 + QR_NB);
    if (j1 < n) {
      const { v, t } = blockReflector(x, r0 + j0, c0 + j0, m - j0, j1 - j0, tau, tau0 + j0);
      applyBlockReflector(v, t, j1 - j0, x, r0 + j0, c0 + j1, m - j0, n - j1, false);
    }
    for (let c = j1 - 1; c >= j0; c--) {
      const tc = tau[tau0 + c];
      reflectColumns(x, r0 + c, m - c, c0 + c, tc, c0 + c + 1, c0 + j1, w);
      for (let i = c + 1; i < m; i++) d[at(i, c)] *= -tc;
      d[at(c, c)] = 1 - tc;
      for (let i = 0; i < c; i++) d[at(i, c)] = 0;
    }
  }
}
