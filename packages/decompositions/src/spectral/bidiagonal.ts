import { type RowMajor, block, gemmInto, gemvN, gemvT } from '../factor/dense.js';
import { householder, orgqrRaw, reflectColumns } from '../factor/householder.js';

/**
 * The SVD's first stage on raw row-major buffers: Golub-Kahan bidiagonalization (LAPACK dgebrd)
 * and the explicit Q and P of it (dorgbr); the second stage, bidiagonal QR, is in bdsqr.ts.
 */

/** Panel width of the blocked bidiagonalization. */
const NB = 32;

/**
 * Reduces the m x n (m >= n) row-major x to upper bidiagonal form Q^T A P = B in place (LAPACK
 * dgebrd; Golub & Kahan 1965): step i zeroes column i below the diagonal by a left reflector (kept
 * QR-style in column i, tauq[i]) and row i right of the superdiagonal by a right reflector (kept
 * in row i beyond i+1, taup[i]). Panels of NB steps run as LAPACK dlabrd: the trailing matrix is
 * only read (one product with v and one with u per step, each a contiguous sweep over its rows)
 * while X and Y collect the panel's effect, applied afterwards as A22 -= V Y^T + X U^T by two
 * gemms; the last columns run unblocked (dgebd2). Returns the diagonal d and superdiagonal e.
 * O(4 m n^2 - 4/3 n^3), half of it in gemm.
 */
export function bidiagonalize(
  x: RowMajor,
  m: number,
  n: number,
): { d: Float64Array; e: Float64Array; tauq: Float64Array; taup: Float64Array } {
  const d = new Float64Array(n);
  const e = new Float64Array(Math.max(n - 1, 0));
  const tauq = new Float64Array(n);
  const taup = new Float64Array(n);
  let p = 0;
  if (n > 2 * NB) {
    const xs = new Float64Array(m * NB);
    const ys = new Float64Array(n * NB);
    for (; p + NB < n - NB; p += NB) panel(x, m, n, p, d, e, tauq, taup, xs, ys);
  }
  unblocked(x, m, n, p, d, e, tauq, taup);
  return { d, e, tauq, taup };
}

/** Steps p.. of the bidiagonalization one at a time (LAPACK dgebd2), both updates over contiguous rows. */
function unblocked(
  x: RowMajor,
  m: number,
  n: number,
  p: number,
  d: Float64Array,
  e: Float64Array,
  tauq: Float64Array,
  taup: Float64Array,
): void {
  const { d: a, o, ld } = x;
  const w = new Float64Array(n);
  for (let i = p; i < n; i++) {
    const ii = o + i * ld + i;
    tauq[i] = householder(a, ii, ld, m - i);
    d[i] = a[ii];
    reflectColumns(x, i, m - i, i, tauq[i], i + 1, n, w);
    if (i >= n - 1) break;
    const len = n - i - 1;
    const t = householder(a, ii + 1, 1, len);
    taup[i] = t;
    e[i] = a[ii + 1];
    if (t === 0) continue;
    // rows i+1.. times G = I - t u u^T, u = (1, a[i, i+2..]): r -= t (r . u) u
    for (let r = i + 1; r < m; r++) {
      const row = o + r * ld + i + 1;
      let s = a[row];
      for (let k = 1; k < len; k++) s += a[row + k] * a[ii + 1 + k];
      s *= t;
      if (s === 0) continue;
      a[row] -= s;
      for (let k = 1; k < len; k++) a[row + k] -= s * a[ii + 1 + k];
    }
  }
}

/**
 * NB steps p..p+NB-1 of the bidiagonalization (LAPACK dlabrd, m >= n), then the trailing update
 * by gemm. X (rows p..m-1) and Y (columns p..n-1) are row-major with NB columns; V is read from A's
 * columns and U from A's rows, with their unit entries written in place until the panel ends.
 */
function panel(
  x: RowMajor,
  m: number,
  n: number,
  p: number,
  d: Float64Array,
  e: Float64Array,
  tauq: Float64Array,
  taup: Float64Array,
  xs: Float64Array,
  ys: Float64Array,
): void {
  const { d: a, o, ld } = x;
  const at = (r: number, c: number) => o + r * ld + c;
  const t1 = new Float64Array(NB + 1);
  const t2 = new Float64Array(NB + 1);
  const vec = new Float64Array(Math.max(m, n));
  const acc = new Float64Array(Math.max(m, n));
  const xr = (r: number) => (r - p) * NB;
  xs.fill(0);
  ys.fill(0);
  for (let j = 0; j < NB; j++) {
    const c = p + j;
    // column c (rows c..) brought up to date: -= V[:, :j] Y[c, :j]^T + X[:, :j] U[:j, c]
    for (let q = 0; q < j; q++) {
      t1[q] = ys[xr(c) + q];
      t2[q] = a[at(p + q, c)];
    }
    gemvN(a, at(c, p), ld, m - c, j, t1, -1, a, at(c, c), ld);
    gemvN(xs, xr(c), NB, m - c, j, t2, -1, a, at(c, c), ld);
    const tq = householder(a, at(c, c), ld, m - c);
    tauq[c] = tq;
    d[c] = a[at(c, c)];
    a[at(c, c)] = 1;
    // y = tauq (A[c:, c+1:]^T v - Y[c+1:, :j] (V[c:, :j]^T v) - U[:j, c+1:]^T (X[c:, :j]^T v))
    const len = n - c - 1;
    for (let r = c; r < m; r++) vec[r - c] = a[at(r, c)];
    acc.fill(0, 0, len);
    t1.fill(0);
    t2.fill(0);
    gemvT(a, at(c, c + 1), ld, m - c, len, vec, 0, 1, acc);
    gemvT(a, at(c, p), ld, m - c, j, vec, 0, 1, t1);
    gemvT(xs, xr(c), NB, m - c, j, vec, 0, 1, t2);
    for (let q = 0; q < j; q++) t2[q] = -t2[q];
    gemvT(a, at(p, c + 1), ld, j, len, t2, 0, 1, acc);
    gemvN(ys, xr(c + 1), NB, len, j, t1, -1, acc, 0, 1);
    for (let k = 0; k < len; k++) ys[xr(c + 1 + k) + j] = tq * acc[k];
    // row c (columns c+1..) brought up to date: -= Y[c+1:, :j+1] A[c, p:c+1]^T + U[:j, c+1:]^T X[c, :j]^T
    for (let q = 0; q <= j; q++) t1[q] = a[at(c, p + q)];
    for (let q = 0; q < j; q++) t2[q] = -xs[xr(c) + q];
    const rowc = at(c, c + 1);
    gemvN(ys, xr(c + 1), NB, len, j + 1, t1, -1, a, rowc, 1);
    gemvT(a, at(p, c + 1), ld, j, len, t2, 0, 1, a, rowc);
    const tp = householder(a, rowc, 1, len);
    taup[c] = tp;
    e[c] = a[rowc];
    a[rowc] = 1;
    // x = taup (A[c+1:, c+1:] u - V[c+1:, :j+1] (Y[c+1:, :j+1]^T u) - X[c+1:, :j] (U[:j, c+1:] u))
    for (let k = 0; k < len; k++) vec[k] = a[rowc + k];
    const rows = m - c - 1;
    const xj = xr(c + 1) + j;
    gemvN(a, at(c + 1, c + 1), ld, rows, len, vec, 1, xs, xj, NB);
    t1.fill(0);
    t2.fill(0);
    gemvT(ys, xr(c + 1), NB, len, j + 1, vec, 0, 1, t1);
    gemvN(a, at(p, c + 1), ld, j, len, vec, 1, t2, 0, 1);
    gemvN(a, at(c + 1, p), ld, rows, j + 1, t1, -1, xs, xj, NB);
    gemvN(xs, xr(c + 1), NB, rows, j, t2, -1, xs, xj, NB);
    for (let r = 0; r < rows; r++) xs[xj + r * NB] *= tp;
  }
  // trailing matrix: A[p+NB:, p+NB:] -= V Y^T + X U^T
  const q0 = p + NB;
  const xm: RowMajor = { d: xs, o: -p * NB, ld: NB };
  const ym: RowMajor = { d: ys, o: -p * NB, ld: NB };
  const c22 = block(x, q0, q0, m - q0, n - q0);
  gemmInto(-1, block(x, q0, p, m - q0, NB), block(ym, q0, 0, n - q0, NB, true), 1, c22);
  gemmInto(-1, block(xm, q0, 0, m - q0, NB), block(x, p, q0, NB, n - q0), 1, c22);
  for (let c = p; c < q0; c++) {
    a[at(c, c)] = d[c];
    a[at(c, c + 1)] = e[c];
  }
}

/**
 * The first `cols` columns of Q from bidiagonalize's left reflectors (LAPACK dorgbr 'Q'), as a
 * row-major m x cols matrix formed by the blocked orgqr. O(4 m n cols - ...), mostly gemm.
 */
export function formLeft(x: RowMajor, m: number, n: number, cols: number, tauq: Float64Array): Float64Array {
  const q = new Float64Array(m * cols);
  for (let i = 1; i < m; i++)
    for (let j = 0; j < Math.min(i, n, cols); j++) q[i * cols + j] = x.d[x.o + i * x.ld + j];
  orgqrRaw({ d: q, o: 0, ld: cols }, 0, 0, m, cols, Math.min(n, cols), tauq);
  return q;
}

/**
 * P from bidiagonalize's right reflectors (LAPACK dorgbr 'P', returned untransposed, n x n row-major,
 * so that its columns are the right singular basis): P = diag(1, P'), P' formed by the blocked
 * orgqr from the reflectors transposed into columns. O(4/3 n^3), mostly gemm.
 */
export function formRight(x: RowMajor, n: number, taup: Float64Array): Float64Array {
  const p = new Float64Array(n * n);
  p[0] = 1;
  // reflector j acts on coordinates j+1.., its entries beyond the implied 1 are row j, columns j+2..
  for (let j = 0; j + 2 < n; j++) for (let i = j + 2; i < n; i++) p[i * n + j + 1] = x.d[x.o + j * x.ld + i];
  if (n > 1) orgqrRaw({ d: p, o: 0, ld: n }, 1, 1, n - 1, n - 1, n - 1, taup);
  return p;
}
