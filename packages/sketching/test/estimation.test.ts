import { InvalidArgumentError, NDArray, ShapeError, matmul, rng } from '@krylov/core-array';
import { eigh, lstsq, qr } from '@krylov/decompositions';
import { LinearOperator } from '@krylov/solvers';
import { describe, expect, it } from 'vitest';
import {
  CountSketchStream,
  FrequentDirections,
  approximateLeverageScores,
  countSketch,
  diagonalEstimate,
  hutchinson,
  hutchpp,
  leverageScores,
  logdet,
  randomFourierFeatures,
  ridgeLeverageScores,
  sketchAndSolve,
  sketchPreconditionedLstsq,
  xtrace,
} from '../src/index.js';
import { minus, norm2, withSpectrum } from './helpers.js';

describe('least squares', () => {
  const m = 2000;
  const n = 40;
  const s = Float64Array.from({ length: n }, (_, i) => 10 ** (-10 * (i / (n - 1))));
  const a = withSpectrum(m, n, s, 1); // cond 1e10
  const b = rng(2).normal([m]).data as Float64Array;
  const residual = (x: ArrayLike<number>) => {
    const r = matmul(a, new NDArray(Float64Array.from(x), [n, 1])).data;
    let t = 0;
    for (let i = 0; i < m; i++) t += (b[i] - r[i]) ** 2;
    return Math.sqrt(t);
  };

  it('sketch-and-solve is within a small factor of the optimal residual', () => {
    const best = residual(lstsq(a, new NDArray(b, [m]), { driver: 'qr' }).x.data);
    const x = sketchAndSolve(a, b, { d: 400, seed: 3 });
    expect(residual(x.data)).toBeLessThan(1.2 * best);
  });

  it('sketch-and-precondition reaches a backward error near machine precision at cond 1e10', () => {
    const res = sketchPreconditionedLstsq(a, b, { seed: 4 });
    // ||A^T r|| / (||A|| ||r||) against Householder QR (dgels, backward stable) on the same problem.
    const optimality = (x: ArrayLike<number>) => {
      const r = matmul(a, new NDArray(Float64Array.from(x), [n, 1])).data.map((v, i) => b[i] - v);
      const atr = matmul(a.T, new NDArray(Float64Array.from(r), [m, 1])).data;
      const norm = (v: ArrayLike<number>) => Math.sqrt(Array.from(v).reduce((t, w) => t + w * w, 0));
      return norm(atr) / (s[0] * norm(r));
    };
    const reference = optimality(lstsq(a, new NDArray(b, [m]), { driver: 'qr' }).x.data);
    expect(optimality(res.x.data)).toBeLessThan(10 * Math.max(reference, 1e-15));
    expect(res.iterations).toBeLessThan(100);
    expect(res.preconditionerCond).toBeLessThan(100);
    // Residual norms of two backward-stable solutions agree to second order in their difference
    // (||r(x)||^2 - ||r*||^2 = ||A (x - x*)||^2); at cond 1e10 that is ~3e-11 relative here.
    const best = residual(lstsq(a, new NDArray(b, [m]), { driver: 'qr' }).x.data);
    expect(residual(res.x.data)).toBeLessThan(best * (1 + 1e-9));
  });

  it('rejects wide problems and undersized sketches', () => {
    expect(() => sketchAndSolve(rng(1).normal([3, 5]), [1, 2, 3])).toThrow(ShapeError);
    expect(() => sketchPreconditionedLstsq(a, b, { d: 10 })).toThrow(/at least n/);
    expect(() => sketchPreconditionedLstsq(a, b, { d: 0 })).toThrow(InvalidArgumentError);
  });
});

describe('leverage scores', () => {
  it('exact scores sum to the rank; approximate ones are within a factor 2; ridge scores sum to the effective dimension', () => {
    const a = withSpectrum(
      500,
      20,
      Float64Array.from({ length: 20 }, (_, i) => 1 + i),
      5,
    );
    // Heavy rows: scale a few rows up so leverage is non-uniform.
    for (let j = 0; j < 20; j++) for (const i of [3, 77, 400]) a.data[i * 20 + j] *= 30;
    const exact = leverageScores(a);
    expect(exact.reduce((s, v) => s + v, 0)).toBeCloseTo(20, 10);
    const q = qr(a).q!;
    for (const i of [0, 3, 77, 250]) {
      let t = 0;
      for (let j = 0; j < 20; j++) t += q.get(i, j) ** 2;
      expect(exact[i]).toBeCloseTo(t, 10);
    }
    const approx = approximateLeverageScores(a, { seed: 8 });
    for (let i = 0; i < 500; i++) {
      expect(approx[i]).toBeGreaterThan(exact[i] / 2);
      expect(approx[i]).toBeLessThan(exact[i] * 2);
    }
    const lambda = 50;
    const ridge = ridgeLeverageScores(a, lambda);
    const s = eigh(matmul(a.T, a)).values.data;
    const dEff = Array.from(s).reduce((acc, v) => acc + v / (v + lambda), 0);
    expect(ridge.reduce((acc, v) => acc + v, 0)).toBeCloseTo(dEff, 8);
    expect(() => ridgeLeverageScores(a, -1)).toThrow(InvalidArgumentError);
  });
});

describe('trace and diagonal estimation', () => {
  const n = 400;
  const spectrum = Float64Array.from({ length: n }, (_, i) => 1 / (1 + i) ** 2);
  const u = qr(rng(7).normal([n, n])).q!;
  const us = u.copy() as NDArray<'float64'>;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) us.data[i * n + j] *= spectrum[j];
  const a = matmul(us, u.T) as NDArray<'float64'>;
  const trace = spectrum.reduce((s, v) => s + v, 0);

  it('Hutch++ beats Hutchinson on a decaying spectrum at equal matvecs', () => {
    let errH = 0;
    let errPP = 0;
    for (let seed = 0; seed < 10; seed++) {
      errH += Math.abs(hutchinson(a, { matvecs: 60, seed }).estimate - trace);
      const pp = hutchpp(a, { matvecs: 60, seed });
      expect(pp.matvecs).toBe(60);
      errPP += Math.abs(pp.estimate - trace);
    }
    expect(errPP).toBeLessThan(errH / 3);
    expect(errPP / 10 / trace).toBeLessThan(0.01);
  });

  it('XTrace beats Hutch++ at equal matvecs and is exact when the range is captured', () => {
    let errPP = 0;
    let errX = 0;
    for (let seed = 0; seed < 10; seed++) {
      errPP += Math.abs(hutchpp(a, { matvecs: 60, seed }).estimate - trace);
      const x = xtrace(a, { matvecs: 60, seed });
      expect(x.matvecs).toBe(60);
      errX += Math.abs(x.estimate - trace);
    }
    expect(errX).toBeLessThan(errPP);
    // Rank 5 < 30 vectors: the projection captures everything.
    const low = matmul(rng(3).normal([100, 5]), rng(4).normal([5, 100]));
    let t = 0;
    for (let i = 0; i < 100; i++) t += low.get(i, i);
    expect(xtrace(low, { matvecs: 60, seed: 1 }).estimate).toBeCloseTo(t, 8);
    expect(() => xtrace(a, { matvecs: 3 })).toThrow(InvalidArgumentError);
  });

  it('Hutchinson is unbiased (mean over many seeds) and the diagonal estimator is exact on diagonals', () => {
    let mean = 0;
    for (let seed = 0; seed < 200; seed++) mean += hutchinson(a, { matvecs: 5, seed }).estimate / 200;
    expect(Math.abs(mean - trace) / trace).toBeLessThan(0.05);
    const d = Float64Array.from({ length: 50 }, (_, i) => i - 20);
    const op = new LinearOperator([50, 50], (x, out) => {
      for (let i = 0; i < 50; i++) out[i] = d[i] * x[i];
    });
    expect(Array.from(diagonalEstimate(op, { matvecs: 3, seed: 1 }))).toEqual(Array.from(d));
  });

  it('stochastic Lanczos quadrature estimates log det within 2%', () => {
    const spd = a.copy() as NDArray<'float64'>;
    for (let i = 0; i < n; i++) spd.data[i * n + i] += 0.5;
    const exact = Array.from(eigh(spd).values.data).reduce((s, v) => s + Math.log(v), 0);
    const est = logdet(spd, { probes: 40, steps: 20, seed: 8 });
    expect(Math.abs(est.estimate - exact) / Math.abs(exact)).toBeLessThan(0.02);
    expect(() => logdet(minus(spd, identityTimes(n, 2)), { probes: 2, steps: 30, seed: 1 })).toThrow(
      InvalidArgumentError,
    );
  });
});

describe('mergeable streaming sketches', () => {
  const a = withSpectrum(
    600,
    30,
    Float64Array.from({ length: 30 }, (_, i) => 2 ** (-i / 3)),
    9,
  );
  const gram = (m: NDArray) => matmul(m.T, m) as NDArray<'float64'>;
  const tailFrob2 = (k: number) =>
    Array.from({ length: 30 - k }, (_, i) => 2 ** ((-2 * (i + k)) / 3)).reduce((s, v) => s + v, 0);

  it('Frequent Directions meets its covariance bound, also when two halves are merged', () => {
    const ell = 10;
    const fd = new FrequentDirections(ell, 30);
    fd.updateRows(a);
    const err = norm2(minus(gram(a), gram(fd.sketch())));
    for (const k of [0, 2, 5, 8]) expect(err).toBeLessThanOrEqual(tailFrob2(k) / (ell - k) + 1e-12);
    const left = new FrequentDirections(ell, 30);
    const right = new FrequentDirections(ell, 30);
    left.updateRows(a.slice('0:300'));
    right.updateRows(a.slice('300:600'));
    // The right half travels as JSON, as it would between workers.
    const merged = left.merge(FrequentDirections.fromJSON(JSON.parse(JSON.stringify(right))));
    expect(merged.count).toBe(600);
    const mergedErr = norm2(minus(gram(a), gram(merged.sketch())));
    for (const k of [0, 2, 5, 8]) expect(mergedErr).toBeLessThanOrEqual(tailFrob2(k) / (ell - k) + 1e-12);
  });

  it('streaming CountSketch: parts sketched separately merge to exactly the sketch of the whole', () => {
    const whole = new CountSketchStream(120, 30, { seed: 'job-42' });
    const w1 = new CountSketchStream(120, 30, { seed: 'job-42' });
    const w2 = new CountSketchStream(120, 30, { seed: 'job-42' });
    for (let i = 0; i < 600; i++) {
      const row = a.data.subarray(i * 30, (i + 1) * 30);
      whole.update(i, row);
      (i % 3 === 0 ? w1 : w2).update(i, row);
    }
    const merged = w1.merge(CountSketchStream.fromJSON(JSON.parse(JSON.stringify(w2))));
    const diff = minus(whole.sketch(), merged.sketch());
    expect(Math.max(...Array.from(diff.data, Math.abs))).toBeLessThan(1e-12);
    // It is the CountSketch operator with the same seed.
    const op = countSketch(120, 600, { seed: 'job-42' }).left(a);
    expect(Math.max(...Array.from(minus(op, whole.sketch()).data, Math.abs))).toBeLessThan(1e-12);
    expect(() => w1.merge(new CountSketchStream(120, 30, { seed: 'other' }))).toThrow(InvalidArgumentError);
  });
});

describe('random Fourier features', () => {
  it('approximate the Gaussian and Laplace kernels', () => {
    const x = rng(10).normal([20, 3]);
    for (const kernel of ['gaussian', 'laplace'] as const) {
      const features = randomFourierFeatures(3, { components: 4000, kernel, gamma: 0.5, seed: 11 });
      const z = features(x);
      const approx = matmul(z, z.T);
      let worst = 0;
      for (let i = 0; i < 20; i++)
        for (let j = 0; j < 20; j++) {
          let dist = 0;
          for (let c = 0; c < 3; c++) {
            const diff = x.get(i, c) - x.get(j, c);
            dist += kernel === 'gaussian' ? diff * diff : Math.abs(diff);
          }
          worst = Math.max(worst, Math.abs(approx.get(i, j) - Math.exp(-0.5 * dist)));
        }
      expect(worst, kernel).toBeLessThan(0.08);
    }
    expect(() => randomFourierFeatures(3, { components: 0 })).toThrow(InvalidArgumentError);
    expect(() => randomFourierFeatures(3, { components: 5, gamma: -1 })).toThrow(InvalidArgumentError);
  });
});

function identityTimes(n: number, s: number): NDArray<'float64'> {
  const out = new NDArray(new Float64Array(n * n), [n, n]);
  for (let i = 0; i < n; i++) out.data[i * n + i] = s;
  return out;
}
