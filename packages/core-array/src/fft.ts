/**
 * The FFT the algorithm packages share (sketching's DCT, tensors' t-product): iterative radix-2 for
 * power-of-two lengths and Bluestein's chirp-z algorithm (Bluestein 1970) for every other length, so
 * every length costs O(n log n). On Float64Array (re, im) pairs; exported from the internal entry
 * point until core-array has complex dtypes.
 */

function isPow2(n: number): boolean {
  return n > 0 && (n & (n - 1)) === 0;
}

/** In-place radix-2 DIT FFT of (re, im), length a power of two; `sign` -1 forward, +1 inverse (unscaled). */
function radix2(re: Float64Array, im: Float64Array, sign: number): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      let t = re[i];
      re[i] = re[j];
      re[j] = t;
      t = im[i];
      im[i] = im[j];
      im[j] = t;
    }
  }
  for (let len = 2; len <= n; len <<= 1) {
    const ang = (sign * 2 * Math.PI) / len;
    const half = len >> 1;
    for (let k = 0; k < half; k++) {
      const wr = Math.cos(ang * k);
      const wi = Math.sin(ang * k);
      for (let s = 0; s < n; s += len) {
        const a = s + k;
        const b = a + half;
        const xr = re[b] * wr - im[b] * wi;
        const xi = re[b] * wi + im[b] * wr;
        re[b] = re[a] - xr;
        im[b] = im[a] - xi;
        re[a] += xr;
        im[a] += xi;
      }
    }
  }
}

/** Bluestein: X_k = conj(w_k) sum_j (x_j conj(w_j)) w_{k-j}, w_j = exp(i pi j^2 / n), a power-of-two convolution. */
function bluestein(re: Float64Array, im: Float64Array, sign: number): void {
  const n = re.length;
  let m = 1;
  while (m < 2 * n - 1) m <<= 1;
  const cr = new Float64Array(n);
  const ci = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    // j^2 mod 2n keeps the angle small and exact for large j
    const ang = (Math.PI * ((j * j) % (2 * n))) / n;
    cr[j] = Math.cos(ang);
    ci[j] = -sign * Math.sin(ang); // conj(w_j) for the forward sign convention below
  }
  const ar = new Float64Array(m);
  const ai = new Float64Array(m);
  for (let j = 0; j < n; j++) {
    ar[j] = re[j] * cr[j] + im[j] * ci[j];
    ai[j] = im[j] * cr[j] - re[j] * ci[j];
  }
  const br = new Float64Array(m);
  const bi = new Float64Array(m);
  br[0] = cr[0];
  bi[0] = ci[0];
  for (let j = 1; j < n; j++) {
    br[j] = br[m - j] = cr[j];
    bi[j] = bi[m - j] = ci[j];
  }
  radix2(ar, ai, -1);
  radix2(br, bi, -1);
  for (let k = 0; k < m; k++) {
    const xr = ar[k] * br[k] - ai[k] * bi[k];
    ai[k] = ar[k] * bi[k] + ai[k] * br[k];
    ar[k] = xr;
  }
  radix2(ar, ai, 1);
  for (let k = 0; k < n; k++) {
    const xr = ar[k] / m;
    const xi = ai[k] / m;
    re[k] = xr * cr[k] + xi * ci[k];
    im[k] = xi * cr[k] - xr * ci[k];
  }
}

/**
 * In-place discrete Fourier transform of (re, im): forward X_k = sum_j x_j exp(-2 pi i j k / n),
 * or with `inverse` the inverse transform including the 1/n factor (NumPy's `fft`/`ifft`).
 */
export function fft(re: Float64Array, im: Float64Array, inverse = false): void {
  const n = re.length;
  if (n <= 1) return;
  const sign = inverse ? 1 : -1;
  if (isPow2(n)) radix2(re, im, sign);
  else bluestein(re, im, sign);
  if (inverse)
    for (let k = 0; k < n; k++) {
      re[k] /= n;
      im[k] /= n;
    }
}

/** The first floor(n/2) + 1 DFT coefficients of a real sequence (NumPy's `rfft`). */
export function rfft(x: Float64Array): { re: Float64Array; im: Float64Array } {
  const re = x.slice();
  const im = new Float64Array(x.length);
  fft(re, im);
  const h = Math.floor(x.length / 2) + 1;
  return { re: re.slice(0, h), im: im.slice(0, h) };
}

/** The real sequence of length n whose `rfft` is (re, im) (NumPy's `irfft` with `n`): Hermitian symmetry fills the rest. */
export function irfft(re: Float64Array, im: Float64Array, n: number): Float64Array {
  const fr = new Float64Array(n);
  const fi = new Float64Array(n);
  const h = Math.floor(n / 2) + 1;
  for (let k = 0; k < h; k++) {
    fr[k] = re[k];
    fi[k] = im[k];
  }
  for (let k = h; k < n; k++) {
    fr[k] = re[n - k];
    fi[k] = -im[n - k];
  }
  // the DC (and Nyquist) bins of a real sequence are real
  fi[0] = 0;
  if (n % 2 === 0) fi[n / 2] = 0;
  fft(fr, fi, true);
  return fr;
}
