import { RotationSequence, hypot, nearest } from './rotation.js';

/**
 * The SVD's second stage: the implicit QR iteration on an upper bidiagonal matrix (Demmel & Kahan
 * 1990, LAPACK dbdsqr) with its 2 x 2 helpers (dlartg, dlas2, dlasv2).
 */

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
 * descending, and the columns are permuted and signed to match. `shifts` (the singular values,
 * ascending, from a values-only run) replace the 2 x 2 shift estimate in the first sweep aimed at
 * each new end of the active block, as in eigh's QL: fewer sweeps, the same convergence tests.
 * Returns 0, or the number of superdiagonal entries that did not converge within maxIter n^2 inner
 * steps (LAPACK's MAXITR = 6).
 */
export function bdsqr(
  n: number,
  d: Float64Array,
  e: Float64Array,
  u: RotationTarget | null,
  v: RotationTarget | null,
  maxIter = 6,
  shifts: Float64Array | null = null,
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
    let lastTarget = -1;
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
        // the first sweep aimed at a new end uses the known singular value nearest the estimate
        const target = idir === 1 ? m : ll;
        if (shifts && target !== lastTarget) shift = nearest(shifts, shift);
        lastTarget = target;
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
