import { InvalidArgumentError, NDArray, ShapeError, matmul as hostMatmul } from '@krylov/core-array';
import { newtonSchulz as hostNewtonSchulz } from '@krylov/decompositions';
import { randomSparse } from '@krylov/solvers';
import { describe, expect, it } from 'vitest';
import {
  choleskyQr,
  matmul,
  muonStep,
  newtonSchulz,
  rangeFinder,
  spmv,
  toGPUCsr,
  webgpuStats,
} from '../src/index.js';
import { U32, csr32, gpu, randn, requireGpu } from './helpers.js';

const ok = await requireGpu();

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

/** ||Q^T Q - I||_max in float64 for Q stored row-major m x l. */
function orthError(q: Float32Array, m: number, l: number): number {
  const Q = new NDArray(Float64Array.from(q), [m, l]);
  const g = hostMatmul(Q.T, Q);
  let e = 0;
  for (let i = 0; i < l; i++)
    for (let j = 0; j < l; j++) e = Math.max(e, Math.abs(g.get(i, j) - (i === j ? 1 : 0)));
  return e;
}

describe.skipIf(!ok)('CSR SpMV', () => {
  for (const [m, n, density] of [
    [1, 1, 1],
    [257, 100, 0.05],
    [1000, 3000, 0.002],
    [40, 40, 0],
  ] as const) {
    it(`m=${m} n=${n} density=${density}, alpha and beta`, async () => {
      const a = randomSparse(m, n, { density, seed: m + n, values: 'normal' });
      const x = randn(1, [n]);
      const y = randn(2, [m]);
      const ga = toGPUCsr(csr32(a));
      const got = await spmv(ga, gpu(x), { alpha: 2, beta: -1, y: gpu(y) }).read();
      for (let i = 0; i < m; i++) {
        let r = 0;
        let s = 0;
        for (let p = a.indptr[i]; p < a.indptr[i + 1]; p++) {
          r += a.data[p] * x.data[a.indices[p]];
          s += Math.abs(a.data[p] * x.data[a.indices[p]]);
        }
        const ref = 2 * r - y.data[i];
        const row = a.indptr[i + 1] - a.indptr[i];
        expect(Math.abs(got[i] - ref)).toBeLessThanOrEqual(
          (row + 4) * U32 * (2 * s + Math.abs(y.data[i])) + 1e-30,
        );
      }
      ga.dispose();
    });
  }

  it('validates the CSR arrays and the vector length', () => {
    const a = randomSparse(5, 4, { density: 0.5, seed: 1 });
    const bad = {
      shape: [5, 4] as [number, number],
      indptr: a.indptr,
      indices: a.indices.map((v) => v + 10),
      data: a.data,
    };
    expect(() => toGPUCsr(csr32(bad))).toThrow(/toGPUCsr.*a\.indices\[0\]/);
    expect(() => spmv(toGPUCsr(csr32(a)), gpu([1, 2]))).toThrow(ShapeError);
  });
});

describe.skipIf(!ok)('Newton-Schulz, Muon and the range finder on the device', () => {
  for (const [m, n] of [
    [16, 16],
    [33, 70],
    [129, 40],
  ]) {
    it(`newtonSchulz ${m}x${n} matches the float64 iteration without readback`, async () => {
      const g = randn(m * n, [m, n]);
      const gg = gpu(g);
      const before = webgpuStats();
      const o = newtonSchulz(gg);
      expect(webgpuStats().readbacks).toBe(before.readbacks);
      const got = await o.read();
      const ref = hostNewtonSchulz(g).copy('float64');
      expect(o.shape).toEqual([m, n]);
      expect(maxAbsDiff(got, ref.data)).toBeLessThan(2e-3);
      // the cubic iteration converges to the exact polar factor: orthonormal rows (or columns)
      const exact = await newtonSchulz(gg, { coefficients: 'cubic', steps: 40 }).read();
      const ex = new NDArray(Float64Array.from(exact), [m, n]);
      const tall = m > n;
      const e = tall ? orthError(exact, m, n) : orthError(Float32Array.from(ex.T.copy().data), n, m);
      expect(e).toBeLessThan(1e-4);
    });
  }

  it('three Muon steps match the float64 reference update, with one readback at the end', async () => {
    const [rows, cols] = [48, 24];
    let w = randn(1, [rows, cols]).copy('float64');
    let m = new NDArray(new Float64Array(rows * cols), [rows, cols]);
    let gw = gpu(w);
    let gm = gpu(m);
    const opts = { lr: 0.05, momentum: 0.9, weightDecay: 0.01 };
    const before = webgpuStats();
    for (let step = 0; step < 3; step++) {
      const g = randn(100 + step, [rows, cols]);
      const gg = gpu(g);
      const next = muonStep(gw, gg, gm, opts);
      gw.dispose();
      gm.dispose();
      gg.dispose();
      gw = next.w;
      gm = next.m;
      // float64 reference (the update rule of @krylov/optimizers' scaleByMuon + decay + lr)
      const mNext = m.copy('float64');
      const u = m.copy('float64');
      for (let i = 0; i < u.size; i++) {
        mNext.data[i] = 0.9 * m.data[i] + 0.1 * g.data[i];
        u.data[i] = 0.1 * g.data[i] + 0.9 * mNext.data[i];
      }
      const o = hostNewtonSchulz(u).copy('float64');
      const scale = Math.sqrt(Math.max(1, rows / cols));
      const wNext = w.copy('float64');
      for (let i = 0; i < w.size; i++)
        wNext.data[i] = w.data[i] - 0.05 * (scale * o.data[i] + 0.01 * w.data[i]);
      w = wNext;
      m = mNext;
    }
    expect(webgpuStats().readbacks).toBe(before.readbacks);
    expect(maxAbsDiff(await gw.read(), w.data)).toBeLessThan(5e-4);
    expect(maxAbsDiff(await gm.read(), m.data)).toBeLessThan(1e-5);
    expect(() => muonStep(gw, gpu([1, 2]), gm)).toThrow(ShapeError);
  });

  it('choleskyQr orthonormalizes an ill-conditioned tall matrix (cond 1e5)', async () => {
    const [m, l] = [300, 20];
    const y = randn(5, [m, l]).copy('float64');
    for (let j = 0; j < l; j++) for (let i = 0; i < m; i++) y.data[i * l + j] *= 10 ** (-5 * (j / (l - 1)));
    const gy = gpu(y);
    const q = await choleskyQr(gy).read();
    expect(orthError(q, m, l)).toBeLessThan(30 * l * U32 * 4);
    // same column space: Y = Q (Q^T Y) up to float32 rounding relative to ||Y||
    const Q = new NDArray(Float64Array.from(q), [m, l]);
    const back = hostMatmul(Q, hostMatmul(Q.T, y));
    expect(maxAbsDiff(back.copy('float64').data, y.data)).toBeLessThan(1e-5);
    expect(() => choleskyQr(gpu(randn(1, [3, 5])))).toThrow(/rows >= columns/);
  });

  it('rangeFinder captures a rank-12 matrix (m=200, n=150, l=16) end to end on the device', async () => {
    const u = randn(7, [200, 12]);
    const v = randn(8, [12, 150]);
    const a = hostMatmul(u, v);
    const ga = gpu(a);
    const before = webgpuStats();
    const q = rangeFinder(ga, 16, { seed: 42, powerIterations: 1 });
    // A - Q (Q^T A) on the device, then its norm: one readback in all
    const proj = matmul(q, matmul(q, ga, { transA: true }), { alpha: -1, beta: 1, c: ga });
    const { norm } = await import('../src/index.js');
    const resid = (await norm(proj).read())[0];
    expect(webgpuStats().readbacks - before.readbacks).toBe(1);
    expect(webgpuStats().uploads - before.uploads).toBe(1); // Omega
    let fro = 0;
    for (const x of a.data) fro += x * x;
    expect(resid / Math.sqrt(fro)).toBeLessThan(1e-5);
    // rank 12 < l = 16: four columns come out as zeros, the others orthonormal
    const qh = await q.read();
    const Q = new NDArray(Float64Array.from(qh), [200, 16]);
    const gram = hostMatmul(Q.T, Q);
    const kept = [...Array(16).keys()].filter((j) => gram.get(j, j) > 0.5);
    expect(kept.length).toBe(12);
    for (let i = 0; i < 16; i++)
      for (let j = 0; j < 16; j++)
        expect(Math.abs(gram.get(i, j) - (i === j && kept.includes(i) ? 1 : 0))).toBeLessThan(1e-5);
    expect(() => rangeFinder(ga, 0)).toThrow(/rangeFinder.*l/);
    // the same seed gives the same basis
    const q2 = await rangeFinder(ga, 16, { seed: 42, powerIterations: 1 }).read();
    expect(maxAbsDiff(q2, await q.read())).toBe(0);
  });
});
