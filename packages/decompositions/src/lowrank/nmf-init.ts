/**
 * NMF initializations as scikit-learn 1.2's `_initialize_nmf`: 'random' (|N(0, 1)| scaled by
 * sqrt(mean(X) / k)) and NNDSVD (Boutsidis and Gallopoulos 2008) with its variants 'nndsvda'
 * (zeros filled with mean(X)) and 'nndsvdar' (zeros filled with |mean(X) N(0, 1)| / 100). NNDSVD
 * needs X's top-k singular triplets: by the exact SVD (the gesdd kernel) or, as scikit-learn, a
 * randomized SVD (Halko, Martinsson and Tropp 2011: k + 10 samples, 7 power iterations when
 * k < 0.1 min(m, n), else 4), whose products with X go through the same dense/CSR paths as the solver.
 */
import type { Rng } from '@krylov/core-array';
import { geqrf, orgqr } from '../factor/qr.js';
import { gesdd } from '../spectral/svd.js';
import { view } from './common.js';
import { type NmfData, xTimes } from './nmf-data.js';

export type NmfInit = 'random' | 'nndsvd' | 'nndsvda' | 'nndsvdar';

/** Overwrites the rows x l matrix a (rows >= l) with an orthonormal basis of its columns (Householder QR). */
function orthonormalize(a: Float64Array, rows: number, l: number): void {
  const v = view(a, rows, l);
  const { tau } = geqrf({ a: v });
  orgqr({ a: v, tau });
}

/** Column j of a 2-D NDArray read through its strides. */
function at(
  a: { data: ArrayLike<number>; strides: readonly number[]; offset: number },
  i: number,
  j: number,
) {
  return a.data[a.offset + i * a.strides[0] + j * a.strides[1]];
}

/** Top-k singular triplets of X: u (m x k), s (k), v (n x k), row-major. */
export function topSvd(
  x: NmfData,
  k: number,
  solver: 'exact' | 'randomized',
  rng: Rng,
): { u: Float64Array; s: Float64Array; v: Float64Array } {
  const { m, n } = x;
  let small: { u: Float64Array; s: Float64Array; v: Float64Array; rows: number; l: number };
  let q: Float64Array | null = null;
  let l = Math.min(k + 10, m, n);
  if (solver === 'exact') {
    let dense = x.dense;
    if (!dense) {
      dense = new Float64Array(m * n);
      const { indptr, indices, data } = x.csr!;
      for (let i = 0; i < m; i++)
        for (let p = indptr[i]; p < indptr[i + 1]; p++) dense[i * n + indices[p]] = data[p];
    }
    l = Math.min(m, n);
    const r = gesdd({ a: view(Float64Array.from(dense), m, n), job: 'thin' });
    const u = new Float64Array(m * l);
    const v = new Float64Array(n * l);
    for (let i = 0; i < m; i++) for (let j = 0; j < l; j++) u[i * l + j] = at(r.u!, i, j);
    for (let i = 0; i < n; i++) for (let j = 0; j < l; j++) v[i * l + j] = at(r.vt!, j, i);
    small = {
      u,
      s: Float64Array.from({ length: l }, (_, j) => r.s.data[r.s.offset + j * r.s.strides[0]]),
      v,
      rows: m,
      l,
    };
  } else {
    const nIter = k < 0.1 * Math.min(m, n) ? 7 : 4;
    const omega = rng.normal([n, l]).data as Float64Array;
    q = xTimes(x, false, omega, l, new Float64Array(m * l));
    orthonormalize(q, m, l);
    const z = new Float64Array(n * l);
    for (let it = 0; it < nIter; it++) {
      xTimes(x, true, q, l, z);
      orthonormalize(z, n, l);
      xTimes(x, false, z, l, q);
      orthonormalize(q, m, l);
    }
    // B^T = X^T Q (n x l) = Ub S Vb^T, so X ~ Q B = (Q Vb) S Ub^T
    xTimes(x, true, q, l, z);
    const r = gesdd({ a: view(z, n, l), job: 'thin' });
    const u = new Float64Array(m * l);
    for (let i = 0; i < m; i++)
      for (let j = 0; j < l; j++) {
        let s = 0;
        for (let t = 0; t < l; t++) s += q[i * l + t] * at(r.vt!, j, t);
        u[i * l + j] = s;
      }
    const v = new Float64Array(n * l);
    for (let i = 0; i < n; i++) for (let j = 0; j < l; j++) v[i * l + j] = at(r.u!, i, j);
    small = {
      u,
      s: Float64Array.from({ length: l }, (_, j) => r.s.data[r.s.offset + j * r.s.strides[0]]),
      v,
      rows: m,
      l,
    };
  }
  const pick = (a: Float64Array, rows: number) => {
    const out = new Float64Array(rows * k);
    for (let i = 0; i < rows; i++) for (let j = 0; j < k; j++) out[i * k + j] = a[i * small.l + j];
    return out;
  };
  return { u: pick(small.u, m), s: small.s.slice(0, k), v: pick(small.v, n) };
}

/** W (m x k) and Ht (n x k, H transposed), row-major, as scikit-learn's `_initialize_nmf`. */
export function initialize(
  x: NmfData,
  k: number,
  init: NmfInit,
  svdSolver: 'exact' | 'randomized',
  rng: Rng,
): { w: Float64Array; ht: Float64Array } {
  const { m, n } = x;
  const mean = m * n === 0 ? 0 : x.sum / (m * n);
  if (init === 'random') {
    const avg = Math.sqrt(mean / k);
    const h = rng.normal([k, n]).data as Float64Array;
    const w = rng.normal([m, k]).data as Float64Array;
    const ht = new Float64Array(n * k);
    for (let t = 0; t < k; t++) for (let j = 0; j < n; j++) ht[j * k + t] = avg * Math.abs(h[t * n + j]);
    for (let p = 0; p < w.length; p++) w[p] = avg * Math.abs(w[p]);
    return { w: Float64Array.from(w), ht };
  }
  const { u, s, v } = topSvd(x, k, svdSolver, rng);
  const w = new Float64Array(m * k);
  const ht = new Float64Array(n * k);
  for (let j = 0; j < k; j++) {
    let xp = 0;
    let xn = 0;
    let yp = 0;
    let yn = 0;
    for (let i = 0; i < m; i++) {
      const a = u[i * k + j];
      if (a > 0) xp += a * a;
      else xn += a * a;
    }
    for (let i = 0; i < n; i++) {
      const a = v[i * k + j];
      if (a > 0) yp += a * a;
      else yn += a * a;
    }
    [xp, xn, yp, yn] = [Math.sqrt(xp), Math.sqrt(xn), Math.sqrt(yp), Math.sqrt(yn)];
    // the leading pair is taken in absolute value; later ones keep the heavier signed half
    const positive = j > 0 && xp * yp > xn * yn;
    const sigma = j === 0 ? 1 : positive ? xp * yp : xn * yn;
    const [nu, nv] = j === 0 ? [1, 1] : positive ? [xp, yp] : [xn, yn];
    if (!(nu > 0 && nv > 0)) continue;
    const lbd = Math.sqrt(s[j] * sigma);
    const part = (a: number) => (j === 0 ? Math.abs(a) : positive ? Math.max(a, 0) : Math.max(-a, 0));
    for (let i = 0; i < m; i++) w[i * k + j] = (lbd * part(u[i * k + j])) / nu;
    for (let i = 0; i < n; i++) ht[i * k + j] = (lbd * part(v[i * k + j])) / nv;
  }
  for (const a of [w, ht]) for (let p = 0; p < a.length; p++) if (a[p] < 1e-6) a[p] = 0;
  if (init === 'nndsvda') {
    for (const a of [w, ht]) for (let p = 0; p < a.length; p++) if (a[p] === 0) a[p] = mean;
  } else if (init === 'nndsvdar') {
    for (const a of [w, ht])
      for (let p = 0; p < a.length; p++) if (a[p] === 0) a[p] = Math.abs((mean * rng.nextNormal()) / 100);
  }
  return { w, ht };
}
