import { type RowMajor, block, gemmInto, gemvN, gemvT } from '../factor/dense.js';
import { householder, orgqrRaw, reflectColumns } from '../factor/householder.js';
import { RotationSequence, hypot } from './rotation.js';

/**
 * The SVD's two stages on raw row-major buffers: Golub-Kahan bidiagonalization (LAPACK dgebd2 with
 * dorgbr) and the implicit bidiagonal QR iteration of Demmel & Kahan (LAPACK dbdsqr).
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

/** dlartg's outputs, kept in module scope so the sweeps allocate nothing per rotation. */
let rc = 1;
let rs = 0;
let rr = 0;

/** The plane rotation [c s; -s c] with c f + s g = r, c >= 0 (LAPACK dlartg), into rc, rs, rr. */
function lartg(f: number, g: number): void {
  if (g === 0) {
    rc = 1;
    rs = 0;
    rr = f;
  } else if (f === 0) {
    rc = 0;
    rs = Math.sign(g);
    rr = Math.abs(g);
  } else {
    const d = hypot(f, g);
    rr = f > 0 ? d : -d;
    rc = Math.abs(f) / d;
    rs = g / rr;
  }
}

/** The smaller singular value of the 2 x 2 upper triangular [f g; 0 h] (LAPACK dlas2). */
function las2(f: number, g: number, h: number): number {
  const fa = Math.abs(f);
  const ga = Math.abs(g);
  const ha = Math.abs(h);
  const fhmn = Math.min(fa, ha);
  const fhmx = Math.max(fa, ha);
  if (fhmn === 0) return 0;
  if (ga < fhmx) {
    const as = 1 + fhmn / fhmx;
    const at = (fhmx - fhmn) / fhmx;
    const au = (ga / fhmx) ** 2;
    return fhmn * (2 / (Math.sqrt(as * as + au) + Math.sqrt(at * at + au)));
  }
  const au = fhmx / ga;
  if (au === 0) return (fhmn * fhmx) / ga;
  const as = 1 + fhmn / fhmx;
  const at = (fhmx - fhmn) / fhmx;
  const c = 1 / (Math.sqrt(1 + (as * au) ** 2) + Math.sqrt(1 + (at * au) ** 2));
  return 2 * (fhmn * c) * au;
}

const sign = (a: number, b: number) => (b >= 0 ? Math.abs(a) : -Math.abs(a));

/**
 * The SVD of the 2 x 2 upper triangular [f g; 0 h] (LAPACK dlasv2): returns
 * [ssmin, ssmax, snr, csr, snl, csl] with [csl snl; -snl csl] [f g; 0 h] [csr -snr; snr csr] =
 * diag(ssmax, ssmin), accurate to a few ulps in every entry.
 */
function lasv2(f: number, g: number, h: number): [number, number, number, number, number, number] {
  let ft = f;
  let fa = Math.abs(ft);
  let ht = h;
  let ha = Math.abs(h);
  let pmax = 1;
  const swap = ha > fa;
  if (swap) {
    pmax = 3;
    [ft, ht] = [ht, ft];
    [fa, ha] = [ha, fa];
  }
  const gt = g;
  const ga = Math.abs(gt);
  let ssmin: number;
  let ssmax: number;
  let clt: number;
  let crt: number;
  let slt: number;
  let srt: number;
  if (ga === 0) {
    ssmin = ha;
    ssmax = fa;
    clt = 1;
    crt = 1;
    slt = 0;
    srt = 0;
  } else {
    let gasmal = true;
    ssmin = 0;
    ssmax = 0;
    clt = 1;
    crt = 1;
    slt = 0;
    srt = 0;
    if (ga > fa) {
      pmax = 2;
      if (fa / ga < 2 ** -53) {
        gasmal = false;
        ssmax = ga;
        ssmin = ha > 1 ? fa / (ga / ha) : (fa / ga) * ha;
        clt = 1;
        slt = ht / gt;
        srt = 1;
        crt = ft / gt;
      }
    }
    if (gasmal) {
      const dd = fa - ha;
      let l = dd === fa ? 1 : dd / fa;
      const mm0 = gt / ft;
      let t = 2 - l;
      const mm = mm0 * mm0;
      const tt = t * t;
      const s = Math.sqrt(tt + mm);
      const r = l === 0 ? Math.abs(mm0) : Math.sqrt(l * l + mm);
      const a = 0.5 * (s + r);
      ssmin = ha / a;
      ssmax = fa * a;
      if (mm === 0) t = l === 0 ? sign(2, ft) * sign(1, gt) : gt / sign(dd, ft) + mm0 / t;
      else t = (mm0 / (s + t) + mm0 / (r + l)) * (1 + a);
      l = Math.sqrt(t * t + 4);
      crt = 2 / l;
      srt = t / l;
      clt = (crt + srt * mm0) / a;
      slt = ((ht / ft) * srt) / a;
    }
  }
  const [csl, snl, csr, snr] = swap ? [srt, crt, slt, clt] : [clt, slt, crt, srt];
  let tsign: number;
  if (pmax === 1) tsign = sign(1, csr) * sign(1, csl) * sign(1, f);
  else if (pmax === 2) tsign = sign(1, snr) * sign(1, csl) * sign(1, g);
  else tsign = sign(1, snr) * sign(1, snl) * sign(1, h);
  ssmax = sign(ssmax, tsign);
  ssmin = sign(ssmin, tsign * sign(1, f) * sign(1, h));
  return [ssmin, ssmax, snr, csr, snl, csl];
}

/** A row-major matrix whose first n columns receive the rotations (rows of them). */
export interface RotationTarget {
  d: Float64Array;
  ld: number;
  rows: number;
}

/**
 * Singular values (and, when targets are given, vectors) of the n x n upper bidiagonal matrix with
 * diagonal d and superdiagonal e, by the implicit QR iteration of Demmel & Kahan (1990) as in
 * LAPACK dbdsqr: splitting and convergence tests that preserve relative accuracy, the zero-shift
 * QR sweep when a shift would spoil the small singular values, otherwise the shift from the
 * trailing (or leading) 2 x 2, chasing from the larger end of the diagonal; 2 x 2 blocks by dlasv2.
 * The sweeps' rotations are recorded and replayed on the columns of `u` (left vectors) and of `v`
 * (right vectors, untransposed) in cache-sized row blocks (RotationSequence, dlasr order). On return d holds the singular values, non-negative and
 * descending, and the columns are permuted and signed to match. Returns 0, or the number of
 * superdiagonal entries that did not converge within maxIter n^2 inner steps (LAPACK's MAXITR = 6).
 */
export function bdsqr(
  n: number,
  d: Float64Array,
  e: Float64Array,
  u: RotationTarget | null,
  v: RotationTarget | null,
  maxIter = 6,
): number {
  if (n === 0) return 0;
  const eps = 2 ** -53;
  const unfl = 2 ** -1022;
  const tol = Math.max(10, Math.min(100, eps ** -0.125)) * eps;
  const c1 = new Float64Array(n);
  const s1 = new Float64Array(n);
  const c2 = new Float64Array(n);
  const s2 = new Float64Array(n);
  const uSeq = u ? new RotationSequence(u.d, u.ld, u.rows, n * n) : null;
  const vSeq = v ? new RotationSequence(v.d, v.ld, v.rows, n * n) : null;
  const rotateU = (lo: number, hi: number, c: Float64Array, s: Float64Array, forward: boolean) =>
    uSeq?.push(lo, hi, c, s, forward);
  const rotateV = (lo: number, hi: number, c: Float64Array, s: Float64Array, forward: boolean) =>
    vSeq?.push(lo, hi, c, s, forward);
  let info = 0;
  if (n > 1) {
    // relative accuracy threshold from a lower bound on the smallest singular value
    let sminoa = Math.abs(d[0]);
    let mu = sminoa;
    for (let i = 1; i < n && sminoa !== 0; i++) {
      mu = Math.abs(d[i]) * (mu / (mu + Math.abs(e[i - 1])));
      sminoa = Math.min(sminoa, mu);
    }
    sminoa /= Math.sqrt(n);
    const thresh = Math.max(tol * sminoa, maxIter * (n * (n * unfl)));
    const maxSteps = maxIter * n * n;
    let iter = 0;
    let oldll = -1;
    let oldm = -1;
    let idir = 0;
    let m = n - 1;
    outer: while (m > 0) {
      if (iter > maxSteps) {
        for (let i = 0; i < n - 1; i++) if (e[i] !== 0) info++;
        break;
      }
      // find the unreduced block ll..m
      let smax = Math.abs(d[m]);
      let ll = m - 1;
      for (; ll >= 0; ll--) {
        const abss = Math.abs(d[ll]);
        const abse = Math.abs(e[ll]);
        if (abse <= thresh || abse === 0) break;
        smax = Math.max(smax, abss, abse);
      }
      if (ll >= 0) {
        e[ll] = 0;
        if (ll === m - 1) {
          m--;
          continue;
        }
      }
      ll++;
      if (ll === m - 1) {
        // 2 x 2 block
        const [sigmn, sigmx, sinr, cosr, sinl, cosl] = lasv2(d[m - 1], e[m - 1], d[m]);
        d[m - 1] = sigmx;
        e[m - 1] = 0;
        d[m] = sigmn;
        c1[m - 1] = cosr;
        s1[m - 1] = sinr;
        rotateV(m - 1, m, c1, s1, true);
        c1[m - 1] = cosl;
        s1[m - 1] = sinl;
        rotateU(m - 1, m, c1, s1, true);
        m -= 2;
        continue;
      }
      // a new block: chase from the larger end of the diagonal towards the smaller
      if (ll > oldm || m < oldll) idir = Math.abs(d[ll]) >= Math.abs(d[m]) ? 1 : 2;
      let smin: number;
      if (idir === 1) {
        if (Math.abs(e[m - 1]) <= tol * Math.abs(d[m])) {
          e[m - 1] = 0;
          continue;
        }
        mu = Math.abs(d[ll]);
        smin = mu;
        for (let l = ll; l < m; l++) {
          if (Math.abs(e[l]) <= tol * mu) {
            e[l] = 0;
            continue outer;
          }
          mu = Math.abs(d[l + 1]) * (mu / (mu + Math.abs(e[l])));
          smin = Math.min(smin, mu);
        }
      } else {
        if (Math.abs(e[ll]) <= tol * Math.abs(d[ll])) {
          e[ll] = 0;
          continue;
        }
        mu = Math.abs(d[m]);
        smin = mu;
        for (let l = m - 1; l >= ll; l--) {
          if (Math.abs(e[l]) <= tol * mu) {
            e[l] = 0;
            continue outer;
          }
          mu = Math.abs(d[l]) * (mu / (mu + Math.abs(e[l])));
          smin = Math.min(smin, mu);
        }
      }
      oldll = ll;
      oldm = m;
      // a zero shift when shifting would spoil the relative accuracy of the smallest values
      let shift = 0;
      if (!(n * tol * (smin / smax) <= Math.max(eps, 0.01 * tol))) {
        const sll = idir === 1 ? Math.abs(d[ll]) : Math.abs(d[m]);
        shift = idir === 1 ? las2(d[m - 1], e[m - 1], d[m]) : las2(d[ll], e[ll], d[ll + 1]);
        if (sll > 0 && (shift / sll) ** 2 < eps) shift = 0;
      }
      iter += m - ll;
      if (shift === 0) {
        let cs = 1;
        let oldcs = 1;
        let sn = 0;
        let oldsn = 0;
        let r = 0;
        if (idir === 1) {
          for (let i = ll; i < m; i++) {
            lartg(d[i] * cs, e[i]);
            cs = rc;
            sn = rs;
            r = rr;
            if (i > ll) e[i - 1] = oldsn * r;
            lartg(oldcs * r, d[i + 1] * sn);
            oldcs = rc;
            oldsn = rs;
            d[i] = rr;
            c1[i] = cs;
            s1[i] = sn;
            c2[i] = oldcs;
            s2[i] = oldsn;
          }
          const h = d[m] * cs;
          d[m] = h * oldcs;
          e[m - 1] = h * oldsn;
          rotateV(ll, m, c1, s1, true);
          rotateU(ll, m, c2, s2, true);
          if (Math.abs(e[m - 1]) <= thresh) e[m - 1] = 0;
        } else {
          for (let i = m; i > ll; i--) {
            lartg(d[i] * cs, e[i - 1]);
            cs = rc;
            sn = rs;
            r = rr;
            if (i < m) e[i] = oldsn * r;
            lartg(oldcs * r, d[i - 1] * sn);
            oldcs = rc;
            oldsn = rs;
            d[i] = rr;
            c1[i - 1] = cs;
            s1[i - 1] = -sn;
            c2[i - 1] = oldcs;
            s2[i - 1] = -oldsn;
          }
          const h = d[ll] * cs;
          d[ll] = h * oldcs;
          e[ll] = h * oldsn;
          rotateV(ll, m, c2, s2, false);
          rotateU(ll, m, c1, s1, false);
          if (Math.abs(e[ll]) <= thresh) e[ll] = 0;
        }
      } else if (idir === 1) {
        let f = (Math.abs(d[ll]) - shift) * (sign(1, d[ll]) + shift / d[ll]);
        let g = e[ll];
        for (let i = ll; i < m; i++) {
          lartg(f, g);
          const cosr = rc;
          const sinr = rs;
          const r1 = rr;
          if (i > ll) e[i - 1] = r1;
          f = cosr * d[i] + sinr * e[i];
          e[i] = cosr * e[i] - sinr * d[i];
          g = sinr * d[i + 1];
          d[i + 1] = cosr * d[i + 1];
          lartg(f, g);
          const cosl = rc;
          const sinl = rs;
          const r2 = rr;
          d[i] = r2;
          f = cosl * e[i] + sinl * d[i + 1];
          d[i + 1] = cosl * d[i + 1] - sinl * e[i];
          if (i < m - 1) {
            g = sinl * e[i + 1];
            e[i + 1] = cosl * e[i + 1];
          }
          c1[i] = cosr;
          s1[i] = sinr;
          c2[i] = cosl;
          s2[i] = sinl;
        }
        e[m - 1] = f;
        rotateV(ll, m, c1, s1, true);
        rotateU(ll, m, c2, s2, true);
        if (Math.abs(e[m - 1]) <= thresh) e[m - 1] = 0;
      } else {
        let f = (Math.abs(d[m]) - shift) * (sign(1, d[m]) + shift / d[m]);
        let g = e[m - 1];
        for (let i = m; i > ll; i--) {
          lartg(f, g);
          const cosr = rc;
          const sinr = rs;
          const r1 = rr;
          if (i < m) e[i] = r1;
          f = cosr * d[i] + sinr * e[i - 1];
          e[i - 1] = cosr * e[i - 1] - sinr * d[i];
          g = sinr * d[i - 1];
          d[i - 1] = cosr * d[i - 1];
          lartg(f, g);
          const cosl = rc;
          const sinl = rs;
          const r2 = rr;
          d[i] = r2;
          f = cosl * e[i - 1] + sinl * d[i - 1];
          d[i - 1] = cosl * d[i - 1] - sinl * e[i - 1];
          if (i > ll + 1) {
            g = sinl * e[i - 2];
            e[i - 2] = cosl * e[i - 2];
          }
          c1[i - 1] = cosr;
          s1[i - 1] = -sinr;
          c2[i - 1] = cosl;
          s2[i - 1] = -sinl;
        }
        e[ll] = f;
        if (Math.abs(e[ll]) <= thresh) e[ll] = 0;
        rotateV(ll, m, c2, s2, false);
        rotateU(ll, m, c1, s1, false);
      }
    }
  }
  uSeq?.flush();
  vSeq?.flush();
  // non-negative values (flipping the right vectors), then descending order (one swap per value)
  for (let i = 0; i < n; i++) {
    if (d[i] === 0) d[i] = 0;
    if (d[i] < 0) {
      d[i] = -d[i];
      if (v) for (let r = 0; r < v.rows; r++) v.d[r * v.ld + i] = -v.d[r * v.ld + i];
    }
  }
  for (let i = 0; i < n - 1; i++) {
    let isub = 0;
    let smin = d[0];
    const last = n - 1 - i;
    for (let j = 1; j <= last; j++) {
      if (d[j] <= smin) {
        isub = j;
        smin = d[j];
      }
    }
    if (isub !== last) {
      d[isub] = d[last];
      d[last] = smin;
      for (const t of [u, v]) {
        if (!t) continue;
        for (let r = 0; r < t.rows; r++) {
          const p = r * t.ld;
          [t.d[p + isub], t.d[p + last]] = [t.d[p + last], t.d[p + isub]];
        }
      }
    }
  }
  return info;
}
