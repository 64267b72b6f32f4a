import { fft } from '@krylov/core-array/internal';

/**
 * Orthonormal DCT-II of a power-of-two-length vector in O(N log N) by one complex FFT of a
 * permuted copy (Makhoul 1980): X_k = c_k sum_n x_n cos(pi (2n + 1) k / 2N), c_0 = sqrt(1/N),
 * c_k = sqrt(2/N).
 */
export function dct(x: Float64Array): Float64Array {
  const n = x.length;
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  for (let i = 0; i < n / 2; i++) {
    re[i] = x[2 * i];
    re[n - 1 - i] = x[2 * i + 1];
  }
  if (n === 1) re[0] = x[0];
  fft(re, im);
  const out = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const ang = (-Math.PI * k) / (2 * n);
    const c = k === 0 ? Math.sqrt(1 / n) : Math.sqrt(2 / n);
    out[k] = c * (re[k] * Math.cos(ang) - im[k] * Math.sin(ang));
  }
  return out;
}

/** The transpose (= inverse) of the orthonormal DCT-II, the orthonormal DCT-III, in O(N log N). */
export function idct(y: Float64Array): Float64Array {
  const n = y.length;
  // Unnormalized coefficients X with DCT2^T z = IDCT2(X): X_0 = N z_0, X_k = N z_k / 2, z = c .* y.
  const X = Float64Array.from(y, (v, k) =>
    k === 0 ? n * Math.sqrt(1 / n) * v : (n / 2) * Math.sqrt(2 / n) * v,
  );
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  re[0] = X[0];
  for (let k = 1; k < n; k++) {
    // V_k = e^{i pi k / 2N} (X_k - i X_{N-k})
    const ang = (Math.PI * k) / (2 * n);
    const c = Math.cos(ang);
    const s = Math.sin(ang);
    const a = X[k];
    const b = -X[n - k];
    re[k] = a * c - b * s;
    im[k] = a * s + b * c;
  }
  fft(re, im, true);
  const out = new Float64Array(n);
  for (let i = 0; i < n / 2; i++) {
    out[2 * i] = re[i];
    out[2 * i + 1] = re[n - 1 - i];
  }
  if (n === 1) out[0] = re[0];
  return out;
}
