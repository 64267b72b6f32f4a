import { describe, expect, test } from 'vitest';
import { rng } from '../src/index.js';
import { fft, irfft, rfft } from '../src/internal.js';

const maxDiff = (a: Float64Array, b: Float64Array) =>
  a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
const fro = (a: Float64Array) => Math.sqrt(a.reduce((s, v) => s + v * v, 0));
const flat = (a: { data: ArrayLike<number> }) => Float64Array.from(a.data);

function naiveDft(re: Float64Array, im: Float64Array) {
  const n = re.length;
  const outR = new Float64Array(n);
  const outI = new Float64Array(n);
  for (let k = 0; k < n; k++)
    for (let j = 0; j < n; j++) {
      const a = (-2 * Math.PI * ((j * k) % n)) / n;
      outR[k] += re[j] * Math.cos(a) - im[j] * Math.sin(a);
      outI[k] += re[j] * Math.sin(a) + im[j] * Math.cos(a);
    }
  return { outR, outI };
}

describe('FFT (radix-2 and Bluestein) against the naive DFT', () => {
  test.each([1, 2, 3, 4, 5, 7, 8, 12, 16, 17, 31, 64, 100])('length %i matches the naive DFT', (n) => {
    const r = rng(n);
    const re = flat(r.normal([n]));
    const im = flat(r.normal([n]));
    const { outR, outI } = naiveDft(re, im);
    const fr = re.slice();
    const fi = im.slice();
    fft(fr, fi);
    const scale = Math.sqrt(n) * fro(re);
    expect(Math.max(maxDiff(fr, outR), maxDiff(fi, outI)) / scale).toBeLessThan(1e-14);
    fft(fr, fi, true);
    expect(Math.max(maxDiff(fr, re), maxDiff(fi, im))).toBeLessThan(1e-13);
    const half = rfft(re);
    expect(half.re.length).toBe(Math.floor(n / 2) + 1);
    expect(maxDiff(irfft(half.re, half.im, n), re)).toBeLessThan(1e-13);
  });
});
