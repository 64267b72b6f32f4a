import { ConvergenceError, NDArray } from '@krylov/core-array';
import { workingCopy } from '../util/validate.js';

/** Row-major n x n accessors over a Float64Array (the loops below follow EISPACK's indexing). */
type Mat = { d: Float64Array; n: number };

/**
 * Householder reduction to upper Hessenberg form H = Q^T A Q, accumulating Q (EISPACK orthes +
 * ortran; LAPACK dgehrd + dorghr). Entries below the subdiagonal of H are zeroed. O(10/3 n^3).
 */
function orthes(h: Mat, v: Mat): void {
  const { n } = h;
  const H = h.d;
  const V = v.d;
  const ort = new Float64Array(n);
  const high = n - 1;
  for (let m = 1; m <= high - 1; m++) {
    let scale = 0;
    for (let i = m; i <= high; i++) scale += Math.abs(H[i * n + m - 1]);
    if (scale === 0) continue;
    let hh = 0;
    for (let i = high; i >= m; i--) {
      ort[i] = H[i * n + m - 1] / scale;
      hh += ort[i] * ort[i];
    }
    let g = Math.sqrt(hh);
    if (ort[m] > 0) g = -g;
    hh -= ort[m] * g;
    ort[m] -= g;
    // H = (I - u u^T / h) H (I - u u^T / h)
    for (let j = m; j < n; j++) {
      let f = 0;
      for (let i = high; i >= m; i--) f += ort[i] * H[i * n + j];
      f /= hh;
      for (let i = m; i <= high; i++) H[i * n + j] -= f * ort[i];
    }
    for (let i = 0; i <= high; i++) {
      let f = 0;
      for (let j = high; j >= m; j--) f += ort[j] * H[i * n + j];
      f /= hh;
      for (let j = m; j <= high; j++) H[i * n + j] -= f * ort[j];
    }
    ort[m] *= scale;
    H[m * n + m - 1] = scale * g;
  }
  V.fill(0);
  for (let i = 0; i < n; i++) V[i * n + i] = 1;
  for (let m = high - 1; m >= 1; m--) {
    if (H[m * n + m - 1] === 0) continue;
    for (let i = m + 1; i <= high; i++) ort[i] = H[i * n + m - 1];
    for (let j = m; j <= high; j++) {
      let g = 0;
      for (let i = m; i <= high; i++) g += ort[i] * V[i * n + j];
      // Double division avoids possible underflow.
      g = g / ort[m] / H[m * n + m - 1];
      for (let i = m; i <= high; i++) V[i * n + j] += g * ort[i];
    }
  }
  for (let i = 2; i < n; i++) for (let j = 0; j < i - 1; j++) H[i * n + j] = 0;
}

/**
 * Francis double-shift QR iteration on an upper Hessenberg H, accumulating the transformations in V,
 * until H is in real Schur form (EISPACK hqr2's QR phase, as in JAMA; LAPACK dhseqr). Returns the
 * eigenvalues wr + i wi; complex pairs stay as 2 x 2 blocks, real pairs are split by a rotation.
 * Throws ConvergenceError after 30 n iterations without deflation progress.
 */
function hqr(h: Mat, v: Mat, wr: Float64Array, wi: Float64Array): void {
  const nn = h.n;
  const H = h.d;
  const V = v.d;
  const N = nn;
  const eps = 2 ** -52;
  const low = 0;
  const high = nn - 1;
  let n = nn - 1;
  let exshift = 0;
  let p = 0;
  let q = 0;
  let r = 0;
  let s = 0;
  let z = 0;
  let w: number;
  let x: number;
  let y: number;
  let norm = 0;
  for (let i = 0; i < nn; i++) for (let j = Math.max(i - 1, 0); j < nn; j++) norm += Math.abs(H[i * N + j]);
  let iter = 0;
  let total = 0;
  while (n >= low) {
    let l = n;
    while (l > low) {
      s = Math.abs(H[(l - 1) * N + l - 1]) + Math.abs(H[l * N + l]);
      if (s === 0) s = norm;
      if (Math.abs(H[l * N + l - 1]) <= eps * s) break;
      l--;
    }
    if (l === n) {
      // One root found.
      H[n * N + n] += exshift;
      wr[n] = H[n * N + n];
      wi[n] = 0;
      if (n > 0) H[n * N + n - 1] = 0;
      n--;
      iter = 0;
    } else if (l === n - 1) {
      // Two roots found.
      w = H[n * N + n - 1] * H[(n - 1) * N + n];
      p = (H[(n - 1) * N + n - 1] - H[n * N + n]) / 2;
      q = p * p + w;
      z = Math.sqrt(Math.abs(q));
      H[n * N + n] += exshift;
      H[(n - 1) * N + n - 1] += exshift;
      x = H[n * N + n];
      if (q >= 0) {
        // A real pair: split the block with a rotation.
        z = p >= 0 ? p + z : p - z;
        wr[n - 1] = x + z;
        wr[n] = z !== 0 ? x - w / z : wr[n - 1];
        wi[n - 1] = 0;
        wi[n] = 0;
        x = H[n * N + n - 1];
        s = Math.abs(x) + Math.abs(z);
        p = x / s;
        q = z / s;
        r = Math.sqrt(p * p + q * q);
        p /= r;
        q /= r;
        for (let j = n - 1; j < nn; j++) {
          z = H[(n - 1) * N + j];
          H[(n - 1) * N + j] = q * z + p * H[n * N + j];
          H[n * N + j] = q * H[n * N + j] - p * z;
        }
        for (let i = 0; i <= n; i++) {
          z = H[i * N + n - 1];
          H[i * N + n - 1] = q * z + p * H[i * N + n];
          H[i * N + n] = q * H[i * N + n] - p * z;
        }
        for (let i = low; i <= high; i++) {
          z = V[i * N + n - 1];
          V[i * N + n - 1] = q * z + p * V[i * N + n];
          V[i * N + n] = q * V[i * N + n] - p * z;
        }
        H[n * N + n - 1] = 0;
      } else {
        wr[n - 1] = x + p;
        wr[n] = x + p;
        wi[n - 1] = z;
        wi[n] = -z;
      }
      if (n - 1 > 0) H[(n - 1) * N + n - 2] = 0;
      n -= 2;
      iter = 0;
    } else {
      // No convergence yet: form the shift.
      x = H[n * N + n];
      y = 0;
      w = 0;
      if (l < n) {
        y = H[(n - 1) * N + n - 1];
        w = H[n * N + n - 1] * H[(n - 1) * N + n];
      }
      if (iter === 10) {
        // Wilkinson's original ad hoc shift.
        exshift += x;
        for (let i = low; i <= n; i++) H[i * N + i] -= x;
        s = Math.abs(H[n * N + n - 1]) + Math.abs(H[(n - 1) * N + n - 2]);
        x = y = 0.75 * s;
        w = -0.4375 * s * s;
      }
      if (iter === 30) {
        // MATLAB's ad hoc shift.
        s = (y - x) / 2;
        s = s * s + w;
        if (s > 0) {
          s = Math.sqrt(s);
          if (y < x) s = -s;
          s = x - w / ((y - x) / 2 + s);
          for (let i = low; i <= n; i++) H[i * N + i] -= s;
          exshift += s;
          x = y = w = 0.964;
        }
      }
      iter++;
      if (++total > 30 * nn)
        throw new ConvergenceError(
          'schur',
          total,
          Math.abs(H[n * N + n - 1]),
          'the Francis QR iteration stalled',
        );
      // Look for two consecutive small subdiagonal elements.
      let m = n - 2;
      while (m >= l) {
        z = H[m * N + m];
        r = x - z;
        s = y - z;
        p = (r * s - w) / H[(m + 1) * N + m] + H[m * N + m + 1];
        q = H[(m + 1) * N + m + 1] - z - r - s;
        r = H[(m + 2) * N + m + 1];
        s = Math.abs(p) + Math.abs(q) + Math.abs(r);
        p /= s;
        q /= s;
        r /= s;
        if (m === l) break;
        if (
          Math.abs(H[m * N + m - 1]) * (Math.abs(q) + Math.abs(r)) <
          eps *
            (Math.abs(p) *
              (Math.abs(H[(m - 1) * N + m - 1]) + Math.abs(z) + Math.abs(H[(m + 1) * N + m + 1])))
        )
          break;
        m--;
      }
      for (let i = m + 2; i <= n; i++) {
        H[i * N + i - 2] = 0;
        if (i > m + 2) H[i * N + i - 3] = 0;
      }
      // Double QR step on rows l..n and columns m..n.
      for (let k = m; k <= n - 1; k++) {
        const notlast = k !== n - 1;
        if (k !== m) {
          p = H[k * N + k - 1];
          q = H[(k + 1) * N + k - 1];
          r = notlast ? H[(k + 2) * N + k - 1] : 0;
          x = Math.abs(p) + Math.abs(q) + Math.abs(r);
          if (x === 0) continue;
          p /= x;
          q /= x;
          r /= x;
        }
        s = Math.sqrt(p * p + q * q + r * r);
        if (p < 0) s = -s;
        if (s === 0) continue;
        if (k !== m) H[k * N + k - 1] = -s * x;
        else if (l !== m) H[k * N + k - 1] = -H[k * N + k - 1];
        p += s;
        x = p / s;
        y = q / s;
        z = r / s;
        q /= p;
        r /= p;
        for (let j = k; j < nn; j++) {
          p = H[k * N + j] + q * H[(k + 1) * N + j];
          if (notlast) {
            p += r * H[(k + 2) * N + j];
            H[(k + 2) * N + j] -= p * z;
          }
          H[k * N + j] -= p * x;
          H[(k + 1) * N + j] -= p * y;
        }
        for (let i = 0; i <= Math.min(n, k + 3); i++) {
          p = x * H[i * N + k] + y * H[i * N + k + 1];
          if (notlast) {
            p += z * H[i * N + k + 2];
            H[i * N + k + 2] -= p * r;
          }
          H[i * N + k] -= p;
          H[i * N + k + 1] -= p * q;
        }
        for (let i = low; i <= high; i++) {
          p = x * V[i * N + k] + y * V[i * N + k + 1];
          if (notlast) {
            p += z * V[i * N + k + 2];
            V[i * N + k + 2] -= p * r;
          }
          V[i * N + k] -= p;
          V[i * N + k + 1] -= p * q;
        }
      }
    }
  }
}

/**
 * The upper Hessenberg form A = Q H Q^T (scipy.linalg.hessenberg with calc_q): H is zero below the
 * first subdiagonal, Q orthogonal. Householder reflections (LAPACK dgehrd/dorghr). O(10/3 n^3).
 * @throws ShapeError for a non-square matrix; InvalidArgumentError for non-finite entries.
 */
export function hessenberg(a: NDArray): { h: NDArray<'float64'>; q: NDArray<'float64'> } {
  const { w } = workingCopy('hessenberg', 'a', a, true);
  const n = w.shape[0];
  const q = new Float64Array(n * n);
  orthes({ d: w.data as Float64Array, n }, { d: q, n });
  return { h: w, q: new NDArray(q, [n, n]) };
}

/**
 * The real Schur decomposition A = Z T Z^T (scipy.linalg.schur, output 'real'): T is upper
 * quasi-triangular with 1 x 1 blocks for real eigenvalues and 2 x 2 blocks for complex conjugate
 * pairs, Z orthogonal. Hessenberg reduction then Francis double-shift QR with exceptional shifts
 * (EISPACK orthes + hqr2; LAPACK dgees). Also returns the eigenvalues wr + i wi in T's order.
 * O(25 n^3) typical.
 * @throws ShapeError, InvalidArgumentError; ConvergenceError if the QR iteration stalls.
 */
export function schur(a: NDArray): {
  t: NDArray<'float64'>;
  z: NDArray<'float64'>;
  wr: Float64Array;
  wi: Float64Array;
} {
  const { w } = workingCopy('schur', 'a', a, true);
  const n = w.shape[0];
  const z = new Float64Array(n * n);
  const h = { d: w.data as Float64Array, n };
  const zm = { d: z, n };
  orthes(h, zm);
  const wr = new Float64Array(n);
  const wi = new Float64Array(n);
  hqr(h, zm, wr, wi);
  // The QR sweeps leave stale values where the reflectors annihilated entries; they are zero.
  for (let i = 2; i < n; i++) for (let j = 0; j < i - 1; j++) h.d[i * n + j] = 0;
  return { t: w, z: new NDArray(z, [n, n]), wr, wi };
}

/**
 * Eigenvalues of a general square matrix (numpy.linalg.eigvals) from the real Schur form:
 * `re[i] + i im[i]`, complex conjugate pairs adjacent with the positive imaginary part first.
 * O(10 n^3).
 * @throws ShapeError, InvalidArgumentError; ConvergenceError if the QR iteration stalls.
 */
export function eigvals(a: NDArray): { re: NDArray<'float64'>; im: NDArray<'float64'> } {
  const { wr, wi } = schur(a);
  return { re: new NDArray(wr, [wr.length]), im: new NDArray(wi, [wi.length]) };
}
