import { ConvergenceError, type DType, type FloatDType, NDArray, defineKernel } from '@krylov/core-array';
import { solve } from '../factor/solve.js';
import { overStack } from '../util/batch.js';
import { type Floating, floating, workingCopy } from '../util/validate.js';

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

/** Complex division (xr + i xi) / (yr + i yi) without overflow (Smith 1962). */
function cdiv(xr: number, xi: number, yr: number, yi: number): [number, number] {
  if (Math.abs(yr) > Math.abs(yi)) {
    const r = yi / yr;
    const d = yr + r * yi;
    return [(xr + r * xi) / d, (xi - r * xr) / d];
  }
  const r = yr / yi;
  const d = yi + r * yr;
  return [(r * xr + xi) / d, (r * xi - xr) / d];
}

/**
 * Eigenvectors from the real Schur form T (in h) and Schur vectors Z (in v): back substitution on
 * T, then V = Z Y (EISPACK hqr2's last phase, as in JAMA; LAPACK dtrevc). On return v holds the
 * eigenvectors packed as LAPACK does: column j for a real eigenvalue, columns j and j + 1 the real
 * and imaginary parts for the pair wr[j] +- i wi[j] (wi[j] > 0). `norm` is sum |H| of the
 * Hessenberg matrix.
 */
function eigenvectorsFromSchur(h: Mat, v: Mat, wr: Float64Array, wi: Float64Array, norm: number): void {
  const nn = h.n;
  const N = nn;
  const H = h.d;
  const V = v.d;
  const eps = 2 ** -52;
  if (norm === 0) return;
  let p: number;
  let q: number;
  let r = 0;
  let s = 0;
  let t: number;
  let w: number;
  let x: number;
  let y: number;
  let z = 0;
  for (let n = nn - 1; n >= 0; n--) {
    p = wr[n];
    q = wi[n];
    if (q === 0) {
      // Real vector.
      let l = n;
      H[n * N + n] = 1;
      for (let i = n - 1; i >= 0; i--) {
        w = H[i * N + i] - p;
        r = 0;
        for (let j = l; j <= n; j++) r += H[i * N + j] * H[j * N + n];
        if (wi[i] < 0) {
          z = w;
          s = r;
        } else {
          l = i;
          if (wi[i] === 0) {
            H[i * N + n] = w !== 0 ? -r / w : -r / (eps * norm);
          } else {
            x = H[i * N + i + 1];
            y = H[(i + 1) * N + i];
            q = (wr[i] - p) * (wr[i] - p) + wi[i] * wi[i];
            t = (x * s - z * r) / q;
            H[i * N + n] = t;
            H[(i + 1) * N + n] = Math.abs(x) > Math.abs(z) ? (-r - w * t) / x : (-s - y * t) / z;
          }
          // Overflow control.
          t = Math.abs(H[i * N + n]);
          if (eps * t * t > 1) for (let j = i; j <= n; j++) H[j * N + n] /= t;
        }
      }
    } else if (q < 0) {
      // Complex vector (the second of a pair): columns n - 1 (real) and n (imaginary).
      let l = n - 1;
      if (Math.abs(H[n * N + n - 1]) > Math.abs(H[(n - 1) * N + n])) {
        H[(n - 1) * N + n - 1] = q / H[n * N + n - 1];
        H[(n - 1) * N + n] = -(H[n * N + n] - p) / H[n * N + n - 1];
      } else {
        [H[(n - 1) * N + n - 1], H[(n - 1) * N + n]] = cdiv(
          0,
          -H[(n - 1) * N + n],
          H[(n - 1) * N + n - 1] - p,
          q,
        );
      }
      H[n * N + n - 1] = 0;
      H[n * N + n] = 1;
      for (let i = n - 2; i >= 0; i--) {
        let ra = 0;
        let sa = 0;
        for (let j = l; j <= n; j++) {
          ra += H[i * N + j] * H[j * N + n - 1];
          sa += H[i * N + j] * H[j * N + n];
        }
        w = H[i * N + i] - p;
        if (wi[i] < 0) {
          z = w;
          r = ra;
          s = sa;
        } else {
          l = i;
          if (wi[i] === 0) {
            [H[i * N + n - 1], H[i * N + n]] = cdiv(-ra, -sa, w, q);
          } else {
            x = H[i * N + i + 1];
            y = H[(i + 1) * N + i];
            let vr = (wr[i] - p) * (wr[i] - p) + wi[i] * wi[i] - q * q;
            const vi = (wr[i] - p) * 2 * q;
            if (vr === 0 && vi === 0)
              vr = eps * norm * (Math.abs(w) + Math.abs(q) + Math.abs(x) + Math.abs(y) + Math.abs(z));
            [H[i * N + n - 1], H[i * N + n]] = cdiv(x * r - z * ra + q * sa, x * s - z * sa - q * ra, vr, vi);
            if (Math.abs(x) > Math.abs(z) + Math.abs(q)) {
              H[(i + 1) * N + n - 1] = (-ra - w * H[i * N + n - 1] + q * H[i * N + n]) / x;
              H[(i + 1) * N + n] = (-sa - w * H[i * N + n] - q * H[i * N + n - 1]) / x;
            } else {
              [H[(i + 1) * N + n - 1], H[(i + 1) * N + n]] = cdiv(
                -r - y * H[i * N + n - 1],
                -s - y * H[i * N + n],
                z,
                q,
              );
            }
          }
          // Overflow control.
          t = Math.max(Math.abs(H[i * N + n - 1]), Math.abs(H[i * N + n]));
          if (eps * t * t > 1)
            for (let j = i; j <= n; j++) {
              H[j * N + n - 1] /= t;
              H[j * N + n] /= t;
            }
        }
      }
    }
  }
  // Back transformation: V = Z Y (Y upper triangular in H).
  for (let j = nn - 1; j >= 0; j--)
    for (let i = 0; i < nn; i++) {
      let acc = 0;
      for (let k = 0; k <= j; k++) acc += V[i * N + k] * H[k * N + j];
      V[i * N + j] = acc;
    }
}

/**
 * The diagonal blocks of a real Schur form T (row-major n x n): [start, size] with size 1 for a real
 * eigenvalue and 2 for a complex conjugate pair (a nonzero subdiagonal entry starts a 2 x 2 block),
 * the standardized real Schur form of LAPACK ?hseqr. O(n). `t` is trusted (not validated), so it
 * never throws: a building block for algorithms on `schur`'s T.
 * @example
 * ```ts
 * import { schurBlocks } from '@krylov/decompositions';
 * // a 3 x 3 quasi-triangular form: a 2 x 2 block (complex pair) then a 1 x 1 block
 * const t = [1, 2, 0, -2, 1, 0, 0, 0, 5];
 * console.assert(JSON.stringify(schurBlocks(t, 3)) === '[[0,2],[2,1]]', 'blocks [0, 2] and [2, 1]');
 * ```
 */
export function schurBlocks(t: ArrayLike<number>, n: number): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < n; ) {
    const size = i + 1 < n && t[(i + 1) * n + i] !== 0 ? 2 : 1;
    out.push([i, size]);
    i += size;
  }
  return out;
}

/** A diagonal block (1 x 1 or 2 x 2) of a row-major n x n quasi-triangular matrix. */
export interface DiagonalBlock {
  data: ArrayLike<number>;
  n: number;
  start: number;
  size: number;
}

/**
 * Solves A X + X B = C for diagonal blocks A (p x p) and B (q x q) of real Schur forms, p, q <= 2,
 * through the Kronecker system (I_q (x) A + B^T (x) I_p) vec(X) = vec(C) of order <= 4 by LU
 * (LAPACK dlasy2's problem). C and X are row-major p x q. The step shared by Bartels-Stewart and
 * the Schur square root. O(1) (a system of order at most 4).
 * @example
 * ```ts
 * import { solveSylvesterBlock } from '@krylov/decompositions';
 * // 1 x 1 blocks: a x + x b = c with a = 2, b = 3, c = 10
 * const x = solveSylvesterBlock({ data: [2], n: 1, start: 0, size: 1 }, { data: [3], n: 1, start: 0, size: 1 }, Float64Array.of(10));
 * console.assert(x[0] === 2, 'x = 2');
 * ```
 * @throws SingularMatrixError when A and -B have a common eigenvalue.
 */
export function solveSylvesterBlock(a: DiagonalBlock, b: DiagonalBlock, c: Float64Array): Float64Array {
  const [p, q] = [a.size, b.size];
  const k = p * q;
  const K = new NDArray(new Float64Array(k * k), [k, k]);
  for (let i = 0; i < p; i++)
    for (let j = 0; j < q; j++) {
      const row = i * q + j;
      for (let l = 0; l < p; l++) K.data[row * k + l * q + j] += a.data[(a.start + i) * a.n + a.start + l];
      for (let l = 0; l < q; l++) K.data[row * k + i * q + l] += b.data[(b.start + l) * b.n + b.start + j];
    }
  return solve(K, new NDArray(c, [k])).data as Float64Array;
}

/**
 * The upper Hessenberg form A = Q H Q^T (scipy.linalg.hessenberg with calc_q): H is zero below the
 * first subdiagonal, Q orthogonal. Householder reflections (LAPACK dgehrd/dorghr). O(10/3 n^3).
 * @example
 * ```ts
 * import { matmul, norm, rng, sub } from '@krylov/core-array';
 * import { hessenberg } from '@krylov/decompositions';
 * const a = rng(1).normal([4, 4]);
 * const { h, q } = hessenberg(a); // a = q h q^T, h zero below the first subdiagonal
 * console.assert(h.get(3, 0) === 0 && norm(sub(matmul(matmul(q, h), q.T), a)).item() < 1e-12, 'Q H Q^T = A');
 * ```
 * @throws ShapeError for a non-square matrix; InvalidArgumentError for non-finite entries.
 */
export function hessenberg<D extends DType>(
  a: NDArray<D>,
): { h: NDArray<Floating<D>>; q: NDArray<Floating<D>> } {
  if (a.ndim > 2)
    return overStack('hessenberg', [a], [2], hessenberg) as {
      h: NDArray<Floating<D>>;
      q: NDArray<Floating<D>>;
    };
  const w = workingCopy('hessenberg', 'a', a, true);
  const n = w.shape[0];
  const q = new Float64Array(n * n);
  orthes({ d: w.data, n }, { d: q, n });
  const dtype = floating(a) as Floating<D>;
  return { h: w.astype(dtype), q: new NDArray(q, [n, n]).astype(dtype) };
}

/**
 * The real Schur decomposition A = Z T Z^T (scipy.linalg.schur, output 'real'): T is upper
 * quasi-triangular with 1 x 1 blocks for real eigenvalues and 2 x 2 blocks for complex conjugate
 * pairs, Z orthogonal. Hessenberg reduction then Francis double-shift QR with exceptional shifts
 * (EISPACK orthes + hqr2; LAPACK dgees). Also returns the eigenvalues wr + i wi in T's order.
 * Computed in float64; T and Z are returned in the input's dtype. O(25 n^3) typical.
 * @example
 * ```ts
 * import { matmul, norm, rng, sub } from '@krylov/core-array';
 * import { schur } from '@krylov/decompositions';
 * const a = rng(1).normal([4, 4]);
 * const { t, z } = schur(a); // a = z t z^T, t quasi-upper-triangular
 * console.assert(norm(sub(matmul(matmul(z, t), z.T), a)).item() < 1e-12, 'Z T Z^T = A');
 * ```
 * @throws ShapeError, InvalidArgumentError; ConvergenceError if the QR iteration stalls.
 */
export function schur<D extends DType>(
  a: NDArray<D>,
): {
  t: NDArray<Floating<D>>;
  z: NDArray<Floating<D>>;
  wr: Float64Array;
  wi: Float64Array;
} {
  const w = workingCopy('schur', 'a', a, true);
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
  const dtype = floating(a) as Floating<D>;
  return { t: w.astype(dtype), z: new NDArray(z, [n, n]).astype(dtype), wr, wi };
}

/**
 * Eigenvalues of a general square matrix (numpy.linalg.eigvals): `re[i] + i im[i]`, complex
 * conjugate pairs adjacent with the positive imaginary part first. Through the registry kernel
 * `geev` without vectors, the kernel `eig` runs, so on every backend `eigvals(a)` lists the same
 * values in the same order as `eig(a)`: the order of the diagonal of the real Schur form that the
 * backend's QR iteration produced (pure JS: Hessenberg + Francis QR as `schur`; native: LAPACK's
 * dgeev sequence, dgebal + dgehrd + dhseqr). Backends may order differently from one another, as
 * LAPACK and EISPACK do; sort when comparing across backends. In the input's dtype (float32 input
 * runs the float32 kernel, as `eig`). O(10 n^3).
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { eigvals } from '@krylov/decompositions';
 * const { re, im } = eigvals(array([[0, -1], [1, 0]])); // a rotation: eigenvalues +-i
 * console.assert(Math.abs(re.get(0)) < 1e-15 && Math.abs(Math.abs(im.get(0)) - 1) < 1e-15, 'eigenvalues +-i');
 * ```
 * @throws ShapeError, InvalidArgumentError; ConvergenceError if the QR iteration stalls.
 */
export function eigvals<D extends DType>(
  a: NDArray<D>,
): { re: NDArray<Floating<D>>; im: NDArray<Floating<D>> } {
  if (a.ndim > 2)
    return overStack('eigvals', [a], [2], eigvals) as { re: NDArray<Floating<D>>; im: NDArray<Floating<D>> };
  const dtype = floating(a) as Floating<D>;
  const w = workingCopy('eigvals', 'a', a, true, dtype);
  const n = w.shape[0];
  const { wr, wi, info } = geev({ a: w, vectors: false });
  if (info > 0) throw new ConvergenceError('eigvals', 30 * n, Number.NaN, 'the Francis QR iteration stalled');
  return { re: wr.copy(dtype), im: wi.copy(dtype) };
}

function hessenbergNorm(h: Mat): number {
  let norm = 0;
  for (let i = 0; i < h.n; i++)
    for (let j = Math.max(i - 1, 0); j < h.n; j++) norm += Math.abs(h.d[i * h.n + j]);
  return norm;
}

/**
 * Nonsymmetric eigenproblem (LAPACK dgeev): eigenvalues wr + i wi and, when asked, right eigenvectors
 * packed as LAPACK does (a real eigenvalue's vector in one column; for a complex pair, the real and
 * imaginary parts in columns j and j + 1). Schur form, then back substitution (hqr2). info > 0 when
 * the QR iteration failed.
 */
export const geev = defineKernel('geev', ({ a, vectors }) => {
  const n = a.shape[0];
  const w = a.copy('float64');
  const h = { d: w.data, n };
  const z = { d: new Float64Array(n * n), n };
  const wr = new Float64Array(n);
  const wi = new Float64Array(n);
  orthes(h, z);
  const norm = hessenbergNorm(h);
  try {
    hqr(h, z, wr, wi);
  } catch (e) {
    if (e instanceof ConvergenceError)
      return {
        wr: new NDArray(wr, [n]).astype(a.dtype),
        wi: new NDArray(wi, [n]).astype(a.dtype),
        vr: null,
        info: 1,
      };
    throw e;
  }
  if (vectors) eigenvectorsFromSchur(h, z, wr, wi, norm);
  return {
    wr: new NDArray(wr, [n]).astype(a.dtype),
    wi: new NDArray(wi, [n]).astype(a.dtype),
    vr: vectors ? new NDArray(z.d, [n, n]).astype(a.dtype) : null,
    info: 0,
  };
});

/**
 * Eigenvalues and right eigenvectors of a general square matrix (numpy.linalg.eig), as real and
 * imaginary parts: A (vectorsRe[:, k] + i vectorsIm[:, k]) = (re[k] + i im[k]) (vectorsRe[:, k] + i
 * vectorsIm[:, k]). Complex pairs are adjacent, positive imaginary part first; each vector has unit
 * 2-norm and its largest component real (as LAPACK dgeev). The eigenvalues are those of
 * `eigvals(a)`, in the same order (the Schur form's diagonal, see `eigvals`). Through the registry kernel `geev`
 * (Hessenberg + Francis QR + back substitution in JS; LAPACK's dgeev in a native backend; sgeev for
 * float32 input, whose results are float32). O(~25 n^3).
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { eig } from '@krylov/decompositions';
 * const { re, vectorsRe } = eig(array([[2, 0], [1, 3]])); // real eigenvalues 2 and 3
 * const vals = [re.get(0), re.get(1)].sort();
 * console.assert(Math.abs(vals[0] - 2) < 1e-12 && Math.abs(vals[1] - 3) < 1e-12, 'eigenvalues 2 and 3');
 * console.log(vectorsRe.shape); // [2, 2], one eigenvector a column
 * ```
 * @throws ShapeError, InvalidArgumentError; ConvergenceError if the QR iteration stalls.
 */
export function eig<D extends DType>(a: NDArray<D>): Eig<Floating<D>> {
  if (a.ndim > 2) return overStack('eig', [a], [2], eig) as Eig<Floating<D>>;
  const dtype = floating(a) as Floating<D>;
  const w = workingCopy('eig', 'a', a, true, dtype);
  const n = w.shape[0];
  const { wr, wi, vr, info } = geev({ a: w, vectors: true });
  if (info > 0) throw new ConvergenceError('eig', 30 * n, Number.NaN, 'the Francis QR iteration stalled');
  const packed = (vr as NDArray).contiguous();
  const P = packed.data;
  const re = new Float64Array(n * n);
  const im = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    const pair = wi.data[j] !== 0;
    const sign = pair && wi.data[j] < 0 ? -1 : 1;
    const c0 = pair && wi.data[j] < 0 ? j - 1 : j;
    for (let i = 0; i < n; i++) {
      re[i * n + j] = P[i * n + c0];
      im[i * n + j] = pair ? sign * P[i * n + c0 + 1] : 0;
    }
    // Unit norm, largest component real.
    let norm = 0;
    let best = 0;
    for (let i = 0; i < n; i++) {
      const m2 = re[i * n + j] ** 2 + im[i * n + j] ** 2;
      norm += m2;
      if (m2 > re[best * n + j] ** 2 + im[best * n + j] ** 2) best = i;
    }
    norm = Math.sqrt(norm);
    if (norm === 0) continue;
    const mag = Math.hypot(re[best * n + j], im[best * n + j]);
    const cr = re[best * n + j] / mag;
    const ci = -im[best * n + j] / mag;
    for (let i = 0; i < n; i++) {
      const xr = re[i * n + j];
      const xi = im[i * n + j];
      re[i * n + j] = (xr * cr - xi * ci) / norm;
      im[i * n + j] = (xr * ci + xi * cr) / norm;
    }
  }
  return {
    re: wr.copy(dtype),
    im: wi.copy(dtype),
    vectorsRe: new NDArray(re, [n, n]).astype(dtype),
    vectorsIm: new NDArray(im, [n, n]).astype(dtype),
  };
}

/** `eig`'s result: eigenvalues re + i im and unit eigenvectors vectorsRe + i vectorsIm (columns). */
export interface Eig<D extends FloatDType> {
  re: NDArray<D>;
  im: NDArray<D>;
  vectorsRe: NDArray<D>;
  vectorsIm: NDArray<D>;
}
