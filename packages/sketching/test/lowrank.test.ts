import { InvalidArgumentError, NDArray, NotPositiveDefiniteError, matmul, rng } from '@krylov/core-array';
import { describe, expect, it } from 'vitest';
import {
  SinglePassSvd,
  adaptiveRangeFinder,
  blockKrylovSvd,
  cur,
  interpolativeDecomposition,
  nystrom,
  randomizedEigh,
  randomizedSvd,
  rangeFinder,
  rpCholesky,
} from '../src/index.js';
import { frobenius, minus, norm2, withSpectrum } from './helpers.js';

const decaying = Float64Array.from({ length: 60 }, (_, i) => 1 / (1 + i) ** 1.5);
const a = withSpectrum(300, 120, decaying, 1);
const k = 10;

function reconstruct(f: { u: NDArray; s: NDArray; vt: NDArray }): NDArray<'float64'> {
  const us = f.u.copy() as NDArray<'float64'>;
  const kk = f.s.size;
  for (let i = 0; i < us.shape[0]; i++) for (let j = 0; j < kk; j++) us.data[i * kk + j] *= f.s.data[j];
  return matmul(us, f.vt) as NDArray<'float64'>;
}

describe('randomized low-rank approximation', () => {
  it('randomized SVD error approaches sigma_{k+1}, and power iterations help', () => {
    const ratio = (powerIters: number | 'auto', oversample = 10) =>
      norm2(minus(a, reconstruct(randomizedSvd(a, k, { powerIters, oversample, seed: 3 })))) / decaying[k];
    const none = ratio(0, 0);
    const auto = ratio('auto');
    expect(auto).toBeLessThan(1.05);
    expect(auto).toBeGreaterThanOrEqual(1 - 1e-9);
    expect(none).toBeGreaterThan(auto);
    // Singular values and orthonormal factors.
    const f = randomizedSvd(a, k, { seed: 3 });
    for (let i = 0; i < k; i++) expect(f.s.data[i]).toBeCloseTo(decaying[i], 6);
    const utu = matmul(f.u.T, f.u);
    for (let i = 0; i < k; i++) expect(utu.get(i, i)).toBeCloseTo(1, 12);
    // Same seed, same result.
    expect(randomizedSvd(a, k, { seed: 3 }).s.toArray()).toEqual(f.s.toArray());
  });

  it('block Krylov reaches sigma_{k+1} with a block of k + 2', () => {
    const f = blockKrylovSvd(a, k, { depth: 6, seed: 4 });
    expect(norm2(minus(a, reconstruct(f))) / decaying[k]).toBeLessThan(1.05);
  });

  it('the range finder and the adaptive range finder meet their targets', () => {
    const q = rangeFinder(a, k, { seed: 5 });
    expect(q.shape).toEqual([300, 20]);
    const { q: qa, b, errors } = adaptiveRangeFinder(a, { tol: 1e-3, blockSize: 5, seed: 6 });
    const err = frobenius(minus(a, matmul(qa, b))) / frobenius(a);
    expect(err).toBeLessThanOrEqual(1e-3);
    expect(errors.at(-1)).toBeCloseTo(err, 6);
    // Tail energy check: the basis is not much larger than needed.
    let tail = 0;
    const total = decaying.reduce((s, v) => s + v * v, 0);
    let needed = 0;
    for (let i = decaying.length - 1; i >= 0; i--) {
      tail += decaying[i] ** 2;
      if (Math.sqrt(tail / total) > 1e-3) {
        needed = i + 1;
        break;
      }
    }
    expect(qa.shape[1]).toBeLessThanOrEqual(needed + 10);
  });

  it('randomized eigh of a symmetric matrix', () => {
    const sym = matmul(a.T, a) as NDArray<'float64'>;
    const { values, vectors } = randomizedEigh(sym, 5, { seed: 7 });
    for (let i = 0; i < 5; i++) expect(values.data[i]).toBeCloseTo(decaying[i] ** 2, 8);
    const av = matmul(sym, vectors);
    for (let i = 0; i < 120; i++) expect(av.get(i, 0)).toBeCloseTo(values.data[0] * vectors.get(i, 0), 8);
  });

  it('single-pass SVD from row blocks matches a low-rank matrix', () => {
    const low = withSpectrum(200, 80, [5, 4, 3, 2, 1], 8);
    const sp = new SinglePassSvd(200, 80, 5, { seed: 9 });
    for (let start = 0; start < 200; start += 37)
      sp.addRows(start, low.slice(`${start}:${Math.min(200, start + 37)}`));
    const f = sp.result();
    expect(frobenius(minus(low, reconstruct(f))) / frobenius(low)).toBeLessThan(1e-10);
    expect(Array.from(f.s.data).map((v) => Number(v.toFixed(8)))).toEqual([5, 4, 3, 2, 1]);
  });
});

describe('PSD approximation', () => {
  const spd = matmul(a, a.T) as NDArray<'float64'>; // 300 x 300, rank 60, eigenvalues decaying^2

  it('Nystrom: near-optimal error on a decaying spectrum; rejects non-PSD input', () => {
    const { u, lambda } = nystrom(spd, 20, { seed: 10 });
    const approx = matmul(matmul(u, diag(lambda.data)), u.T);
    const err = norm2(minus(spd, approx));
    // Without oversampling or power iterations the error is within a constant of the best rank-20 error.
    expect(err).toBeLessThan(10 * decaying[20] ** 2);
    expect(Math.min(...lambda.data)).toBeGreaterThanOrEqual(0);
    const indefinite = spd.copy() as NDArray<'float64'>;
    for (let i = 0; i < 300; i++) indefinite.data[i * 300 + i] -= 0.5;
    expect(() => nystrom(indefinite, 20, { seed: 10 })).toThrow(NotPositiveDefiniteError);
    const nonsym = matmul(rng(1).normal([10, 10]), rng(2).normal([10, 10]));
    for (let i = 0; i < 10; i++) nonsym.data[i * 10 + i] = Math.abs(nonsym.data[i * 10 + i]) + 20;
    expect(() => nystrom(nonsym, 3)).toThrow(/symmetric/);
  });

  it('RPCholesky: trace error close to the best rank-k, from k columns', () => {
    const k2 = 20;
    const { f, pivots } = rpCholesky(spd, k2, { seed: 11 });
    expect(pivots).toHaveLength(k2);
    const resid = minus(spd, matmul(f, f.T));
    let trace = 0;
    for (let i = 0; i < 300; i++) trace += resid.get(i, i);
    const best = decaying.slice(k2).reduce((s, v) => s + v * v, 0);
    expect(trace).toBeGreaterThanOrEqual(best * (1 - 1e-9));
    expect(trace).toBeLessThan(10 * best);
    // The same from an entry oracle.
    let columnsRead = 0;
    const oracle = {
      size: 300,
      diagonal: () => Float64Array.from({ length: 300 }, (_, i) => spd.get(i, i)),
      column: (j: number) => {
        columnsRead++;
        return Float64Array.from({ length: 300 }, (_, i) => spd.get(i, j));
      },
    };
    expect(Array.from(rpCholesky(oracle, k2, { seed: 11 }).pivots)).toEqual(Array.from(pivots));
    expect(columnsRead).toBe(k2);
    expect(() => rpCholesky(minus(spd, scaledEye(300, 1)), 3)).toThrow(NotPositiveDefiniteError);
  });
});

describe('interpolative and CUR decompositions', () => {
  it('recover an exactly low-rank matrix from k columns (and rows)', () => {
    const low = withSpectrum(80, 60, [3, 2, 1, 0.5], 12);
    for (const method of ['randomized', 'qr'] as const) {
      const { columns, t } = interpolativeDecomposition(low, 4, { method, seed: 13 });
      const c = new NDArray(new Float64Array(80 * 4), [80, 4]);
      for (let i = 0; i < 80; i++) for (let j = 0; j < 4; j++) c.data[i * 4 + j] = low.get(i, columns[j]);
      expect(frobenius(minus(low, matmul(c, t))) / frobenius(low)).toBeLessThan(1e-10);
    }
    for (const method of ['qr', 'leverage'] as const) {
      const d = cur(low, 4, { method, seed: 14 });
      expect(frobenius(minus(low, matmul(matmul(d.c, d.u), d.r))) / frobenius(low)).toBeLessThan(1e-9);
    }
  });

  it('ID error is within a modest factor of sigma_{k+1}', () => {
    const { columns, t } = interpolativeDecomposition(a, k, { method: 'qr' });
    const c = new NDArray(new Float64Array(300 * k), [300, k]);
    for (let i = 0; i < 300; i++) for (let j = 0; j < k; j++) c.data[i * k + j] = a.get(i, columns[j]);
    expect(norm2(minus(a, matmul(c, t)))).toBeLessThan(20 * decaying[k]);
  });
});

describe('bad input', () => {
  it('ranks larger than the matrix and bad options are typed errors', () => {
    const small = rng(1).normal([5, 3]);
    expect(() => randomizedSvd(small, 4)).toThrow(InvalidArgumentError);
    expect(() => randomizedSvd(small, 0)).toThrow(/an integer >= 1/);
    expect(() => randomizedSvd(small, 2, { powerIters: -1 })).toThrow(InvalidArgumentError);
    expect(() => nystrom(eye(4), 5)).toThrow(/at most 4/);
    expect(() => interpolativeDecomposition(small, 4)).toThrow(InvalidArgumentError);
    expect(() => new SinglePassSvd(5, 3, 4)).toThrow(InvalidArgumentError);
    expect(() => adaptiveRangeFinder(small, { tol: 0 })).toThrow(InvalidArgumentError);
    expect(() => randomizedSvd(new NDArray(Float64Array.of(1, Number.NaN, 0, 1), [2, 2]), 1)).toThrow(
      /finite/,
    );
  });
});

function diag(v: ArrayLike<number>): NDArray<'float64'> {
  const n = v.length;
  const out = new NDArray(new Float64Array(n * n), [n, n]);
  for (let i = 0; i < n; i++) out.data[i * n + i] = v[i];
  return out;
}
function scaledEye(n: number, s: number): NDArray<'float64'> {
  return diag(new Float64Array(n).fill(s));
}
function eye(n: number): NDArray<'float64'> {
  return scaledEye(n, 1);
}
