import {
  NDArray as Arr,
  InvalidArgumentError,
  type Mat,
  type NDArray,
  type Vec,
  checkOptions,
  defineKernel,
  gemm,
  trmm,
} from '@krylov/core-array';
import { workingCopy } from '../util/validate.js';

/**
 * Column j <- H column j for the reflector H = I - tau v v^T stored in column c (v_c = 1 implied,
 * v_i below the diagonal): x -= tau v (v^T x).
 */
function applyReflector(
  d: Float64Array | Float32Array,
  at: (i: number, j: number) => number,
  m: number,
  c: number,
  tau: number,
  j: number,
): void {
  let s = d[at(c, j)];
  for (let i = c + 1; i < m; i++) s += d[at(i, c)] * d[at(i, j)];
  s *= tau;
  d[at(c, j)] -= s;
  for (let i = c + 1; i < m; i++) d[at(i, j)] -= s * d[at(i, c)];
}

/**
 * Turns column c (rows c..m) into a Householder reflector (LAPACK dlarfg): beta = -sign(alpha) ||x||
 * goes on the diagonal, v (v_c = 1 implied) below it; returns tau (0 when the column below c is zero).
 * The norm is scaled as in dnrm2 so it neither overflows nor underflows.
 */
function makeReflector(
  d: Float64Array | Float32Array,
  at: (i: number, j: number) => number,
  m: number,
  c: number,
): number {
  let scale = 0;
  for (let i = c + 1; i < m; i++) scale = Math.max(scale, Math.abs(d[at(i, c)]));
  const alpha = d[at(c, c)];
  if (scale === 0) return 0;
  scale = Math.max(scale, Math.abs(alpha));
  let ss = 0;
  for (let i = c; i < m; i++) ss += (d[at(i, c)] / scale) ** 2;
  const beta = -Math.sign(alpha || 1) * scale * Math.sqrt(ss);
  const f = 1 / (alpha - beta);
  for (let i = c + 1; i < m; i++) d[at(i, c)] *= f;
  d[at(c, c)] = beta;
  return (beta - alpha) / beta;
}

/**
 * Householder QR in place (LAPACK dgeqrf, unblocked dgeqr2): column k is reduced by the reflector
 * H = I - tau v v^T with v(k) = 1 stored below the diagonal, R on and above it. The norm uses the
 * scaled form of dnrm2 and beta = -sign(alpha) ||x|| avoids cancellation (dlarfg). O(2 m n^2 - 2/3 n^3).
 */
export const geqrf = defineKernel('geqrf', ({ a }) => {
  const [m, n] = a.shape;
  const k = Math.min(m, n);
  const tau = new Arr(new (a.data.constructor as Float64ArrayConstructor)(k), [k]) as Vec;
  const [rs, cs] = a.strides;
  const d = a.data;
  const at = (i: number, j: number) => a.offset + i * rs + j * cs;
  for (let j0 = 0; j0 < k; j0 += NB) {
    const j1 = Math.min(k, j0 + NB);
    // the panel by reflections one column at a time (dgeqr2), then the rest in one block (dlarfb)
    for (let c = j0; c < j1; c++) {
      tau.data[c] = makeReflector(d, at, m, c);
      for (let j = c + 1; j < j1; j++) applyReflector(d, at, m, c, tau.data[c], j);
    }
    if (j1 < n) {
      const { v, t } = blockReflector(a, j0, j1, tau);
      const c = view(a, j0, m, j1, n);
      // C <- H^T C = (I - V T^T V^T) C
      const w = trmm(t, gemm(v, c, { transA: true }), { lower: false, transA: true });
      gemm(v, w, { c, alpha: -1, beta: 1 });
    }
  }
  return { tau };
});

const NB = 32;

/** A view of rows r0..r1, columns c0..c1 of a matrix view. */
function view(a: Mat, r0: number, r1: number, c0: number, c1: number): Mat {
  return new Arr(
    a.data,
    [r1 - r0, c1 - c0],
    a.strides,
    a.offset + r0 * a.strides[0] + c0 * a.strides[1],
  ) as Mat;
}

/**
 * The compact WY form H_j0 ... H_j1-1 = I - V T V^T of consecutive reflectors stored in columns
 * j0..j1 of `a` (LAPACK dlarft, forward and columnwise; Schreiber & Van Loan 1989): V unit lower
 * trapezoidal (m - j0) x nb, T upper triangular nb x nb. O(m nb^2).
 */
function blockReflector(
  a: Mat,
  j0: number,
  j1: number,
  tau: Vec,
): { v: NDArray<'float64'>; t: NDArray<'float64'> } {
  const m = a.shape[0];
  const nb = j1 - j0;
  const rows = m - j0;
  // V and T take the matrix's dtype, so the trailing update's gemm sees one dtype (float32 stays float32).
  const Ctor = a.data.constructor as Float64ArrayConstructor;
  const v = new Arr(new Ctor(rows * nb), [rows, nb]) as NDArray<'float64'>;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < nb; j++)
      v.data[i * nb + j] =
        i === j ? 1 : i > j ? a.data[a.offset + (j0 + i) * a.strides[0] + (j0 + j) * a.strides[1]] : 0;
  }
  const t = new Arr(new Ctor(nb * nb), [nb, nb]) as NDArray<'float64'>;
  const taus = (i: number) => tau.data[tau.offset + (j0 + i) * (tau.strides[0] ?? 1)];
  for (let i = 0; i < nb; i++) {
    const ti = taus(i);
    t.data[i * nb + i] = ti;
    if (ti === 0 || i === 0) continue;
    // T[0:i, i] = -tau_i T[0:i, 0:i] (V[:, 0:i]^T v_i)
    const w = new Float64Array(i);
    for (let r = i; r < rows; r++) {
      const vi = v.data[r * nb + i];
      if (vi !== 0) for (let q = 0; q < i; q++) w[q] += v.data[r * nb + q] * vi;
    }
    for (let q = 0; q < i; q++) {
      let s = 0;
      for (let p = q; p < i; p++) s += t.data[q * nb + p] * w[p];
      t.data[q * nb + i] = -ti * s;
    }
  }
  return { v, t };
}

/**
 * QR with column pivoting A P = Q R (LAPACK dgeqp3, Businger & Golub 1965): at each step the
 * remaining column of largest norm is moved forward, so |R| decreases along its diagonal and reveals
 * the numerical rank. Column norms are downdated and recomputed when cancellation makes the
 * downdate unreliable (Drmac & Bujanovic 2008, LAWN 176). O(4 m n k - 2 (m + n) k^2 + 4/3 k^3).
 */
export const geqp3 = defineKernel('geqp3', ({ a }) => {
  const [m, n] = a.shape;
  const k = Math.min(m, n);
  const tau = new Arr(new (a.data.constructor as Float64ArrayConstructor)(k), [k]) as Vec;
  const jpvt = Int32Array.from({ length: n }, (_, j) => j);
  const [rs, cs] = a.strides;
  const d = a.data;
  const at = (i: number, j: number) => a.offset + i * rs + j * cs;
  const colNorm = (j: number, from: number) => {
    let s = 0;
    for (let i = from; i < m; i++) s = Math.hypot(s, d[at(i, j)]);
    return s;
  };
  const vn1 = Float64Array.from({ length: n }, (_, j) => colNorm(j, 0));
  const vn2 = Float64Array.from(vn1);
  const tol = Math.sqrt(2 ** -52);
  for (let c = 0; c < k; c++) {
    let p = c;
    for (let j = c + 1; j < n; j++) if (vn1[j] > vn1[p]) p = j;
    if (p !== c) {
      for (let i = 0; i < m; i++) [d[at(i, c)], d[at(i, p)]] = [d[at(i, p)], d[at(i, c)]];
      [jpvt[c], jpvt[p]] = [jpvt[p], jpvt[c]];
      vn1[p] = vn1[c];
      vn2[p] = vn2[c];
    }
    tau.data[c] = makeReflector(d, at, m, c);
    for (let j = c + 1; j < n; j++) {
      applyReflector(d, at, m, c, tau.data[c], j);
      if (vn1[j] === 0) continue;
      const ratio = Math.abs(d[at(c, j)]) / vn1[j];
      const temp = Math.max(0, 1 - ratio * ratio);
      if (temp * (vn1[j] / vn2[j]) ** 2 <= tol) {
        vn1[j] = colNorm(j, c + 1);
        vn2[j] = vn1[j];
      } else {
        vn1[j] *= Math.sqrt(temp);
      }
    }
  }
  return { tau, jpvt };
});

/** Overwrites the m x n reflector block from geqrf with the first n columns of Q (LAPACK dorgqr). O(4 m n^2 - 4/3 n^3). */
export const orgqr = defineKernel('orgqr', ({ a, tau }) => {
  const [m, n] = a.shape;
  const [rs, cs] = a.strides;
  const d = a.data;
  const at = (i: number, j: number) => a.offset + i * rs + j * cs;
  const k = tau.shape[0];
  const tauAt = (c: number) => (c < k ? tau.data[tau.offset + c * (tau.strides[0] ?? 1)] : 0);
  // columns at or beyond k are those of the identity
  for (let c = n - 1; c >= k; c--) for (let i = 0; i < m; i++) d[at(i, c)] = i === c ? 1 : 0;
  const blocks: number[] = [];
  for (let j0 = 0; j0 < k; j0 += NB) blocks.push(j0);
  for (const j0 of blocks.reverse()) {
    const j1 = Math.min(k, j0 + NB);
    if (j1 < n) {
      // columns j1.. already hold Q's columns: apply the block H_j0 ... H_j1-1 = I - V T V^T
      const { v, t } = blockReflector(a, j0, j1, tau);
      const c = view(a, j0, m, j1, n);
      const w = trmm(t, gemm(v, c, { transA: true }), { lower: false });
      gemm(v, w, { c, alpha: -1, beta: 1 });
    }
    for (let c = j1 - 1; c >= j0; c--) {
      const tc = tauAt(c);
      for (let j = c + 1; j < j1; j++) applyReflector(d, at, m, c, tc, j);
      for (let i = c + 1; i < m; i++) d[at(i, c)] *= -tc;
      d[at(c, c)] = 1 - tc;
      for (let i = 0; i < c; i++) d[at(i, c)] = 0;
    }
  }
});

export type QRMode = 'reduced' | 'complete' | 'r';

/**
 * QR factorization A = Q R by Householder reflections (LAPACK dgeqrf + dorgqr), as
 * numpy.linalg.qr: 'reduced' gives Q m x k and R k x n (k = min(m, n)), 'complete' Q m x m, 'r'
 * only R. With `pivoting`, A[:, p] = Q R with column pivoting (dgeqp3) and `p` the column order.
 * Computed in float64. O(2 m n^2 - 2/3 n^3) for R, as much again for Q.
 * @throws ShapeError, DTypeError, InvalidArgumentError for non-finite entries or an unknown mode.
 */
export function qr(
  a: NDArray,
  options?: { mode?: QRMode; pivoting?: boolean },
): { q: NDArray<'float64'> | null; r: NDArray<'float64'>; p?: Int32Array } {
  checkOptions('qr', options, ['mode', 'pivoting']);
  const mode = options?.mode ?? 'reduced';
  if (!['reduced', 'complete', 'r'].includes(mode))
    throw new InvalidArgumentError('qr', 'options.mode', mode, "'reduced', 'complete' or 'r'");
  const { w } = workingCopy('qr', 'a', a);
  const [m, n] = w.shape;
  const k = Math.min(m, n);
  const { tau, jpvt } = options?.pivoting ? geqp3({ a: w }) : { ...geqrf({ a: w }), jpvt: undefined };
  const rows = mode === 'complete' ? m : k;
  const r = new Arr(new Float64Array(rows * n), [rows, n]) as NDArray<'float64'>;
  for (let i = 0; i < Math.min(rows, k); i++)
    for (let j = i; j < n; j++) r.data[i * n + j] = w.data[i * n + j];
  const pivots = jpvt ? { p: jpvt } : {};
  if (mode === 'r') return { q: null, r, ...pivots };
  const cols = mode === 'complete' ? m : k;
  const q = new Arr(new Float64Array(m * cols), [m, cols]) as NDArray<'float64'>;
  for (let i = 0; i < m; i++)
    for (let j = 0; j < Math.min(cols, n); j++) q.data[i * cols + j] = w.data[i * n + j];
  orgqr({ a: q, tau });
  return { q, r, ...pivots };
}
