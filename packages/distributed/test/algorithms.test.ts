import type { ChildProcess } from 'node:child_process';
import { type NDArray, matmul, rng } from '@krylov/core-array';
import { qr, solve } from '@krylov/decompositions';
import { FrequentDirections, rangeFinder as localRange, randomizedSvd as localSvd } from '@krylov/sketching';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Cluster,
  type PartitionedMatrix,
  cg,
  covariance,
  frequentDirections,
  gram,
  openPartitioned,
  pca,
  randomizedSvd,
  rangeFinder,
  tsqr,
  writePartitioned,
} from '../src/index.js';
import { type RedisServer, spawnWorker, startRedis, stopProcess, tempDir } from './helpers.js';
import { requireRedis } from './helpers.js';

const run = requireRedis();

function maxAbsDiff(a: NDArray, b: NDArray): number {
  expect(a.shape).toEqual(b.shape);
  const x = a.contiguous().data;
  const y = b.contiguous().data;
  let d = 0;
  for (let i = 0; i < x.length; i++) d = Math.max(d, Math.abs(x[i] - y[i]));
  return d;
}

/** Rows of `a` and `b` equal up to one sign per row. */
function rowsUpToSign(a: NDArray<'float64'>, b: NDArray<'float64'>): number {
  const [k, n] = a.shape;
  let d = 0;
  for (let i = 0; i < k; i++) {
    let dot = 0;
    for (let j = 0; j < n; j++) dot += a.data[i * n + j] * b.data[i * n + j];
    const s = dot < 0 ? -1 : 1;
    for (let j = 0; j < n; j++) d = Math.max(d, Math.abs(a.data[i * n + j] - s * b.data[i * n + j]));
  }
  return d;
}

/** A 60 x 12 matrix with decaying singular values (so the rank-4 subspace is well separated). */
function testMatrix(m: number, n: number, seed: number): NDArray<'float64'> {
  const g = rng(seed);
  const u = qr(g.normal([m, n])).q as NDArray<'float64'>;
  const v = qr(g.normal([n, n])).q as NDArray<'float64'>;
  const s = Float64Array.from({ length: n }, (_, i) => 10 * 0.5 ** i);
  const us = u.copy() as NDArray<'float64'>;
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) us.data[i * n + j] *= s[j];
  return matmul(us, v.T) as NDArray<'float64'>;
}

describe.runIf(run)('distributed algorithms equal their single-machine forms', () => {
  let redis: RedisServer;
  let workers: ChildProcess[] = [];
  let cluster: Cluster;
  const tmp = tempDir('dist-alg');
  let A: PartitionedMatrix;
  let dense: NDArray<'float64'>;

  beforeAll(async () => {
    redis = await startRedis();
    workers = await Promise.all([0, 1].map(() => spawnWorker(redis.port, 'alg')));
    cluster = new Cluster({
      connection: redis.connection,
      queue: 'alg',
      workDir: `${tmp.dir}/work`,
      timeoutMs: 20_000,
    });
    dense = testMatrix(60, 12, 1);
    writePartitioned(`${tmp.dir}/a`, dense, { partitions: 4 });
    A = openPartitioned(`${tmp.dir}/a/manifest.json`);
  }, 30_000);

  afterAll(async () => {
    await cluster?.close();
    await Promise.all(workers.map(stopProcess));
    await redis?.stop();
    tmp.remove();
  });

  it('TSQR: R equals qr(A).r (diag >= 0), Q is partition-local with Q R = A', async () => {
    const { r, q } = await tsqr(cluster, A, { q: true });
    const ref = qr(dense).r as NDArray<'float64'>;
    expect(rowsUpToSign(r, ref)).toBeLessThan(1e-12 * 10 * 60);
    for (let i = 0; i < 12; i++) expect(r.data[i * 12 + i]).toBeGreaterThanOrEqual(0);
    expect(q?.partitions.length).toBe(4);
    const qd = (q as PartitionedMatrix).gather();
    expect(maxAbsDiff(matmul(qd, r), dense)).toBeLessThan(1e-12 * 10 * 60);
    const qtq = matmul(qd.T, qd) as NDArray<'float64'>;
    for (let i = 0; i < 12; i++)
      for (let j = 0; j < 12; j++)
        expect(Math.abs(qtq.data[i * 12 + j] - (i === j ? 1 : 0))).toBeLessThan(1e-13);
  });

  it('randomized SVD: same s, V and U as @krylov/sketching with the same seed', async () => {
    const ref = localSvd(dense, 4, { seed: 7, powerIters: 2 });
    const got = await randomizedSvd(cluster, A, 4, { seed: 7, powerIters: 2, u: true });
    expect(maxAbsDiff(got.s, ref.s)).toBeLessThan(1e-12 * 10);
    expect(rowsUpToSign(got.vt, ref.vt)).toBeLessThan(1e-9);
    const u = (got.u as PartitionedMatrix).gather();
    expect(u.shape).toEqual([60, 4]);
    expect(rowsUpToSign(u.T.copy() as NDArray<'float64'>, ref.u.T.copy() as NDArray<'float64'>)).toBeLessThan(
      1e-9,
    );
  });

  it('range finder: the same subspace as @krylov/sketching', async () => {
    const ref = localRange(dense, 3, { seed: 3, powerIters: 1, oversample: 2 });
    const q = (await rangeFinder(cluster, A, 3, { seed: 3, powerIters: 1, oversample: 2 })).gather();
    // same projector Q Q^T
    expect(maxAbsDiff(matmul(q, q.T), matmul(ref, ref.T))).toBeLessThan(1e-10);
  });

  it('Gram, covariance and PCA equal the direct computation', async () => {
    expect(maxAbsDiff(await gram(cluster, A), matmul(dense.T, dense))).toBeLessThan(1e-12 * 100);
    const { mean, cov } = await covariance(cluster, A);
    const c = dense.copy() as NDArray<'float64'>;
    const mu = new Float64Array(12);
    for (let i = 0; i < 60; i++) for (let j = 0; j < 12; j++) mu[j] += dense.data[i * 12 + j] / 60;
    for (let i = 0; i < 60; i++) for (let j = 0; j < 12; j++) c.data[i * 12 + j] -= mu[j];
    const ref = matmul(c.T, c) as NDArray<'float64'>;
    for (let i = 0; i < ref.size; i++) ref.data[i] /= 59;
    expect(maxAbsDiff(cov, ref)).toBeLessThan(1e-12 * 100);
    expect(Math.max(...Array.from(mean.data, (x, j) => Math.abs(x - mu[j])))).toBeLessThan(1e-14 * 100);
    const p = await pca(cluster, A, 3);
    expect(p.components.shape).toEqual([3, 12]);
    for (let c2 = 0; c2 < 3; c2++) {
      // components are unit eigenvectors of the covariance: C v = lambda v
      const v = p.components.slice(`${c2}:${c2 + 1}`).T.copy();
      const cv = matmul(ref, v) as NDArray<'float64'>;
      for (let j = 0; j < 12; j++)
        expect(Math.abs(cv.data[j] - p.explainedVariance.data[c2] * v.data[j])).toBeLessThan(1e-10);
    }
    expect(p.explainedVariance.data[0]).toBeGreaterThanOrEqual(p.explainedVariance.data[1]);
  });

  it('Frequent Directions merged in a tree: the same sketch as the same tree on one machine, within its bound', async () => {
    const ell = 6;
    const fd = await frequentDirections(cluster, A, ell, { fanIn: 2 });
    expect(fd.count).toBe(60);
    const leaves = [0, 1, 2, 3].map((i) => {
      const f = new FrequentDirections(ell, 12);
      f.updateRows(dense.slice(`${i * 15}:${(i + 1) * 15}`));
      return f;
    });
    const ref = leaves[0].merge(leaves[1]).merge(leaves[2].merge(leaves[3]));
    const b = fd.sketch();
    const r = ref.sketch();
    // B^T B is unique (B's rows are signed singular vectors, whose signs are the SVD kernel's choice)
    expect(maxAbsDiff(matmul(b.T, b), matmul(r.T, r))).toBeLessThan(1e-10);
    // ||A^T A - B^T B||_2 <= ||A - A_k||_F^2 / (ell - k), k = 2 (Frobenius norm bounds the 2-norm)
    const diff = matmul(dense.T, dense) as NDArray<'float64'>;
    const btb = matmul(b.T, b) as NDArray<'float64'>;
    let fro = 0;
    for (let i = 0; i < diff.size; i++) fro += (diff.data[i] - btb.data[i]) ** 2;
    const tail = Array.from({ length: 10 }, (_, i) => (10 * 0.5 ** (i + 2)) ** 2).reduce((s, x) => s + x, 0);
    expect(Math.sqrt(fro)).toBeLessThanOrEqual((tail / (ell - 2)) * Math.sqrt(12));
  });

  it('CG with fanned-out matvecs: the solution of A x = b', async () => {
    const g = rng(5).normal([24, 24]);
    const spd = matmul(g.T, g) as NDArray<'float64'>;
    for (let i = 0; i < 24; i++) spd.data[i * 25] += 24;
    const S = writePartitioned(`${tmp.dir}/spd`, spd, { partitions: 3 });
    const b = rng(6).normal([24]);
    const res = await cg(cluster, S, b, { rtol: 1e-10 });
    expect(res.converged).toBe(true);
    const x = solve(spd, b) as NDArray<'float64'>;
    expect(maxAbsDiff(res.x, x)).toBeLessThan(1e-8);
    expect(res.history.length).toBe(res.iterations + 1);
  });

  it('leaves no jobs behind and moves only small messages', async () => {
    const counts = await cluster.counts();
    for (const [state, n] of Object.entries(counts)) expect([state, n]).toEqual([state, 0]);
    const before = { ...cluster.traffic };
    await gram(cluster, A);
    // model: job data ~ P partition references; results P n^2 doubles in base64 (8 * 4/3 bytes each)
    const reduced = cluster.traffic.reduced - before.reduced;
    const model = 4 * 12 * 12 * 8 * (4 / 3);
    expect(reduced).toBeGreaterThan(model);
    expect(reduced).toBeLessThan(model * 1.2 + 4 * 200);
    expect(cluster.traffic.sent - before.sent).toBeLessThan(5 * 400);
  });
});
