/**
 * Scalar formulas for the diagonal, the 2 x 2 diagonal blocks and the first superdiagonal of
 * f(T) for an upper (quasi-)triangular T, used by `expm` and `logm` to replace the entries that
 * scaling and squaring (or inverse scaling and squaring) computes with cancellation. Real arithmetic
 * throughout: a 1 x 1 block of a real Schur form is a real eigenvalue, a 2 x 2 block a pair
 * theta +- i mu, mu > 0, and f(B) = Re f(lambda) I + (Im f(lambda) / mu) (B - theta I) for any f
 * with f(conj z) = conj f(z) (B - theta I squares to -mu^2 I, so B's interpolating polynomial
 * is linear).
 *
 * References: N. J. Higham, "Functions of Matrices: Theory and Computation", SIAM 2008, (10.42)
 * and (11.28); A. H. Al-Mohy and N. J. Higham, "A new scaling and squaring algorithm for the matrix
 * exponential", SIAM J. Matrix Anal. Appl. 31(3), 2009, Code Fragment 2.1; A. H. Al-Mohy and N. J.
 * Higham, "Improved inverse scaling and squaring algorithms for the matrix logarithm", SIAM J. Sci.
 * Comput. 34(4), 2012, Algorithm 4.1; N. J. Higham and L. Lin, "A Schur-Pade algorithm for fractional
 * powers of a matrix", SIAM J. Matrix Anal. Appl. 32(3), 2011, (5.5)-(5.6); A. H. Al-Mohy, "A more
 * accurate Briggs method for the logarithm", Numer. Algorithms 59, 2012.
 * @internal
 */

/** Zero below the diagonal (`band` 0) or below the first subdiagonal (`band` 1) of a row-major n x n matrix. */
export function isUpperBanded(x: ArrayLike<number>, n: number, band: 0 | 1): boolean {
  for (let i = 1 + band; i < n; i++) for (let j = 0; j < i - band; j++) if (x[i * n + j] !== 0) return false;
  return true;
}

/**
 * Upper quasi-triangular in the real Schur sense: zero below the first subdiagonal and no two
 * consecutive nonzero subdiagonal entries (so the diagonal blocks are 1 x 1 or 2 x 2).
 */
export function isQuasiUpper(x: ArrayLike<number>, n: number): boolean {
  if (!isUpperBanded(x, n, 1)) return false;
  for (let i = 1; i + 1 < n; i++) if (x[i * n + i - 1] !== 0 && x[(i + 1) * n + i] !== 0) return false;
  return true;
}

/** Zeroes what lies below the diagonal (`band` 0) or the first subdiagonal (`band` 1), in place. */
export function clearBelow(x: Float64Array, n: number, band: 0 | 1): void {
  for (let i = 1 + band; i < n; i++) x.fill(0, i * n, i * n + i - band);
}

/**
 * (e^l2 - e^l1) / (l2 - l1), e^l1 when l1 = l2: the (1, 2) entry of exp([[l1, 1], [0, l2]]). Evaluated
 * as e^max (1 - e^-d) / d with d = |l2 - l1| and expm1, which equals Higham's (10.42)
 * e^((l1 + l2) / 2) sinh(d / 2) / (d / 2) without its cancellation for close l1, l2 and without the
 * 0 * Inf of exp(mean) * sinh(half difference) for far ones (SciPy gh-11839).
 */
export function expDividedDifference(l1: number, l2: number): number {
  const hi = Math.max(l1, l2);
  const d = Math.abs(l2 - l1);
  if (d === 0) return Math.exp(hi);
  const g = -Math.expm1(-d) / d;
  const v = Math.exp(hi) * g;
  return Number.isFinite(v) ? v : Math.exp(hi + Math.log(g));
}

/**
 * exp(B) of the 2 x 2 block at (i0, i0) of a row-major n x n matrix, written into `out` at the same
 * place, when B has complex eigenvalues theta +- i mu: e^theta (cos mu I + (sin mu / mu) (B - theta I)).
 * Returns false (and writes nothing) for a block with real eigenvalues, whose closed form cancels.
 */
export function exp2x2(b: ArrayLike<number>, n: number, i0: number, out: Float64Array, scale = 1): boolean {
  const a11 = scale * b[i0 * n + i0];
  const a12 = scale * b[i0 * n + i0 + 1];
  const a21 = scale * b[(i0 + 1) * n + i0];
  const a22 = scale * b[(i0 + 1) * n + i0 + 1];
  const theta = (a11 + a22) / 2;
  const half = (a11 - a22) / 2;
  const mu2 = -(half * half) - a12 * a21;
  if (!(mu2 > 0)) return false;
  const mu = Math.sqrt(mu2);
  const e = Math.exp(theta);
  const c = e * Math.cos(mu);
  const s = (e * Math.sin(mu)) / mu;
  out[i0 * n + i0] = c + s * half;
  out[i0 * n + i0 + 1] = s * a12;
  out[(i0 + 1) * n + i0] = s * a21;
  out[(i0 + 1) * n + i0 + 1] = c - s * half;
  return true;
}

/** theta and mu > 0 of a 2 x 2 block's eigenvalues theta +- i mu; mu = 0 when they are real. */
export function blockEigen(t: ArrayLike<number>, n: number, i0: number): { theta: number; mu: number } {
  const a11 = t[i0 * n + i0];
  const a22 = t[(i0 + 1) * n + i0 + 1];
  const half = (a11 - a22) / 2;
  const mu2 = -(half * half) - t[i0 * n + i0 + 1] * t[(i0 + 1) * n + i0];
  return { theta: (a11 + a22) / 2, mu: mu2 > 0 ? Math.sqrt(mu2) : 0 };
}

/**
 * Writes re I + (im / mu) (B - theta I) for the 2 x 2 block B of `t` at (i0, i0) into `out`: f(B)
 * from f(lambda) = re + i im at lambda = theta + i mu.
 */
export function setBlockFunction(
  t: ArrayLike<number>,
  n: number,
  i0: number,
  theta: number,
  mu: number,
  re: number,
  im: number,
  out: Float64Array,
): void {
  const k = im / mu;
  out[i0 * n + i0] = re + k * (t[i0 * n + i0] - theta);
  out[i0 * n + i0 + 1] = k * t[i0 * n + i0 + 1];
  out[(i0 + 1) * n + i0] = k * t[(i0 + 1) * n + i0];
  out[(i0 + 1) * n + i0 + 1] = re + k * (t[(i0 + 1) * n + i0 + 1] - theta);
}

/** Principal square root of the complex number re + i im (Kahan's formula: no cancellation). */
export function csqrt(re: number, im: number): [number, number] {
  if (re === 0 && im === 0) return [0, im];
  const r = Math.sqrt((Math.abs(re) + Math.hypot(re, im)) / 2);
  if (re >= 0) return [r, im / (2 * r)];
  return [Math.abs(im) / (2 * r), im >= 0 ? r : -r];
}

/**
 * a^(1 / 2^k) - 1 for a > 0 without the cancellation of forming the root first (Al-Mohy 2012,
 * Algorithm 2: (a - 1) / prod_j (1 + a^(1 / 2^j))).
 */
export function briggsMinusOne(a: number, k: number): number {
  if (k === 0) return a - 1;
  if (k === 1) return Math.sqrt(a) - 1;
  const z0 = a - 1;
  let x = Math.sqrt(a);
  let r = 1 + x;
  for (let j = 1; j < k; j++) {
    x = Math.sqrt(x);
    r *= 1 + x;
  }
  return z0 / r;
}

/** The complex form of `briggsMinusOne` for lambda = re + i im off the closed negative real axis. */
export function briggsMinusOneComplex(re: number, im: number, k: number): [number, number] {
  if (k === 0) return [re - 1, im];
  if (k === 1) {
    const [sr, si] = csqrt(re, im);
    return [sr - 1, si];
  }
  let kh = k;
  let [ar, ai] = [re, im];
  if (Math.atan2(ai, ar) >= Math.PI / 2) {
    [ar, ai] = csqrt(ar, ai);
    kh = k - 1;
  }
  const [zr, zi] = [ar - 1, ai];
  [ar, ai] = csqrt(ar, ai);
  let [rr, ri] = [1 + ar, ai];
  for (let j = 1; j < kh; j++) {
    [ar, ai] = csqrt(ar, ai);
    [rr, ri] = [rr * (1 + ar) - ri * ai, rr * ai + ri * (1 + ar)];
  }
  // z0 / r
  const den = rr * rr + ri * ri;
  return [(zr * rr + zi * ri) / den, (zi * rr - zr * ri) / den];
}

/**
 * The (1, 2) entry of log([[l1, t12], [0, l2]]) for l1, l2 > 0 (Higham 2008, (11.28), with
 * log(l2) - log(l1) = 2 atanh((l2 - l1) / (l2 + l1)) when l1 and l2 are close, as in SciPy's
 * `_logm_superdiag_entry`; the unwinding number is zero for positive l1, l2).
 */
export function logSuperdiagonal(l1: number, l2: number, t12: number): number {
  if (l1 === l2) return t12 / l1;
  if (Math.abs(l2 - l1) > Math.abs(l1 + l2) / 2) return (t12 * (Math.log(l2) - Math.log(l1))) / (l2 - l1);
  return (t12 * 2 * Math.atanh((l2 - l1) / (l2 + l1))) / (l2 - l1);
}

/**
 * The (1, 2) entry of [[l1, t12], [0, l2]]^p for l1, l2 > 0 (Higham and Lin 2011, (5.5)-(5.6):
 * e^(p (log l1 + log l2) / 2) 2 sinh(p atanh(z)) / (l2 - l1), z = (l2 - l1) / (l2 + l1), for close l1, l2).
 */
export function powerSuperdiagonal(l1: number, l2: number, t12: number, p: number): number {
  if (l1 === l2) return t12 * p * l1 ** (p - 1);
  if (Math.abs(l2 - l1) > Math.abs(l1 + l2) / 2) return (t12 * (l2 ** p - l1 ** p)) / (l2 - l1);
  const z = (l2 - l1) / (l2 + l1);
  const a = t12 * Math.exp((p / 2) * (Math.log(l2) + Math.log(l1)));
  return (a * 2 * Math.sinh(p * Math.atanh(z))) / (l2 - l1);
}

/**
 * X = M^-1 B for an upper quasi-triangular M whose diagonal blocks are `blocks` (row-major n x n,
 * B and X with n columns): block back substitution, a 2 x 2 diagonal block solved by Gaussian
 * elimination with partial pivoting. O(n^3 / 2). No singularity check (callers' M are nonsingular).
 */
export function solveQuasiUpper(
  m: ArrayLike<number>,
  b: ArrayLike<number>,
  n: number,
  blocks: readonly [number, number][],
): Float64Array {
  const x = Float64Array.from(b);
  for (let bi = blocks.length - 1; bi >= 0; bi--) {
    const [i0, size] = blocks[bi];
    const end = i0 + size;
    for (let r = i0; r < end; r++)
      for (let k = end; k < n; k++) {
        const mrk = m[r * n + k];
        if (mrk === 0) continue;
        for (let j = 0; j < n; j++) x[r * n + j] -= mrk * x[k * n + j];
      }
    if (size === 1) {
      const d = m[i0 * n + i0];
      for (let j = 0; j < n; j++) x[i0 * n + j] /= d;
      continue;
    }
    let [p, q] = [i0, i0 + 1];
    if (Math.abs(m[q * n + i0]) > Math.abs(m[p * n + i0])) [p, q] = [q, p];
    // rows p (pivot) and q of the 2 x 2 block: [a b; c d]
    const a = m[p * n + i0];
    const bb = m[p * n + i0 + 1];
    const l = m[q * n + i0] / a;
    const d = m[q * n + i0 + 1] - l * bb;
    for (let j = 0; j < n; j++) {
      const y0 = x[p * n + j];
      const y1 = x[q * n + j] - l * y0;
      const x1 = y1 / d;
      x[i0 * n + j] = (y0 - bb * x1) / a;
      x[(i0 + 1) * n + j] = x1;
    }
  }
  return x;
}
