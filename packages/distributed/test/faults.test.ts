import type { ChildProcess } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { type NDArray, matmul, rng } from '@krylov/core-array';
import { QueueEvents } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encode } from '../src/codec.js';
import {
  Cluster,
  ComputationError,
  PartitionError,
  gram,
  randomizedSvd,
  writePartitioned,
} from '../src/index.js';
import { type RedisServer, requireRedis, spawnWorker, startRedis, stopProcess, tempDir } from './helpers.js';

const run = requireRedis();

function maxAbsDiff(a: NDArray, b: NDArray): number {
  const x = a.contiguous().data;
  const y = b.contiguous().data;
  let d = 0;
  for (let i = 0; i < x.length; i++) d = Math.max(d, Math.abs(x[i] - y[i]));
  return d;
}

async function emptyQueue(cluster: Cluster): Promise<void> {
  const counts = await cluster.counts();
  for (const [state, n] of Object.entries(counts)) expect([state, n]).toEqual([state, 0]);
}

describe.runIf(run)('faults', () => {
  let redis: RedisServer;
  const spawned: ChildProcess[] = [];
  const tmp = tempDir('dist-faults');
  const dense = rng(11).normal([40, 6]);

  beforeAll(async () => {
    redis = await startRedis();
  }, 20_000);

  afterAll(async () => {
    await Promise.all(spawned.map(stopProcess));
    await redis?.stop();
    tmp.remove();
  });

  const cluster = (queue: string, timeoutMs = 15_000) =>
    new Cluster({ connection: redis.connection, queue, workDir: `${tmp.dir}/work`, timeoutMs });
  const worker = async (queue: string, extra: string[] = []) => {
    const w = await spawnWorker(redis.port, queue, extra);
    spawned.push(w);
    return w;
  };

  it('a worker killed with SIGKILL mid-job: its job is picked up again and the result is unchanged', async () => {
    const A = writePartitioned(`${tmp.dir}/kill`, dense, { partitions: 4 });
    const c = cluster('kill');
    const events = new QueueEvents('kill', { connection: redis.connection });
    await events.waitUntilReady();
    let stalled = 0;
    events.on('stalled', () => stalled++);
    // the slow worker takes one partition job and holds it for 4 s; its lock lasts 1 s
    const slow = await worker('kill', [
      '--slowdown-ms',
      '4000',
      '--lock-duration',
      '1000',
      '--stalled-interval',
      '500',
    ]);
    const result = gram(c, A);
    const t0 = Date.now();
    while ((await c.counts()).active === 0 && Date.now() - t0 < 5000)
      await new Promise((r) => setTimeout(r, 20));
    expect((await c.counts()).active).toBe(1);
    slow.kill('SIGKILL');
    await worker('kill', ['--lock-duration', '1000', '--stalled-interval', '500']);
    const g = await result;
    expect(stalled).toBeGreaterThanOrEqual(1);
    // every partition counted once: the Gram matrix is exactly the single-machine one (to rounding)
    expect(maxAbsDiff(g, matmul(dense.T, dense))).toBeLessThan(1e-12);
    await emptyQueue(c);
    await events.close();
    await c.close();
  }, 20_000);

  describe('bad partitions', () => {
    let c: Cluster;
    beforeAll(async () => {
      await Promise.all([worker('bad'), worker('bad')]);
      c = cluster('bad');
    }, 20_000);
    afterAll(() => c.close());

    it('a corrupt partition fails the computation with a PartitionError naming it; the queue is cleaned up', async () => {
      const A = writePartitioned(`${tmp.dir}/corrupt`, dense, { partitions: 4 });
      writeFileSync(A.partitions[2].path, 'not a numpy file');
      const t0 = Date.now();
      const err = await randomizedSvd(c, A, 2, { seed: 1 }).catch((e) => e);
      expect(err).toBeInstanceOf(PartitionError);
      expect(err.partition).toBe(2);
      expect(err.path).toBe(A.partitions[2].path);
      expect(err.message).toMatch(/randomizedSvd: partition 2 .*not a readable \.npy file/);
      expect(Date.now() - t0).toBeLessThan(10_000);
      await emptyQueue(c);
    });

    it('a missing partition fails with a PartitionError (file not found)', async () => {
      const A = writePartitioned(`${tmp.dir}/missing`, dense, { partitions: 3 });
      rmSync(A.partitions[1].path);
      const err = await gram(c, A).catch((e) => e);
      expect(err).toBeInstanceOf(PartitionError);
      expect(err.partition).toBe(1);
      expect(err.reason).toBe('file not found');
      await emptyQueue(c);
    });

    it('a partition with the wrong shape is named too', async () => {
      const A = writePartitioned(`${tmp.dir}/shape`, dense, { partitions: 2 });
      writePartitioned(`${tmp.dir}/shape-other`, rng(1).normal([20, 5]), { partitions: 1 });
      const { copyFileSync } = await import('node:fs');
      copyFileSync(`${tmp.dir}/shape-other/part-0.npy`, A.partitions[0].path);
      const err = await gram(c, A).catch((e) => e);
      expect(err).toBeInstanceOf(PartitionError);
      expect(err.reason).toMatch(/shape \[20, 5\] differs from the manifest's \[20, 6\]/);
      await emptyQueue(c);
    });

    it('a job that keeps failing is retried a bounded number of times, then the computation fails', async () => {
      const A = writePartitioned(`${tmp.dir}/retry`, dense, { partitions: 2 });
      // a right factor of the wrong size: every try fails the same way (a shape error in the worker)
      const err = await c
        .run('probe', {
          name: 'reduce',
          data: { mode: 'sum', expect: [0] },
          children: [{ name: 'rmul', data: { part: A.partitions[0], right: encode(rng(0).normal([5, 2])) } }],
        })
        .catch((e) => e);
      expect(err).toBeInstanceOf(ComputationError);
      expect(err.message).toMatch(/probe: computation .* \(job rmul .*, 3 attempts\) failed: .*/);
      // BullMQ's own count of the leaf's runs, read before the flow's jobs were removed
      expect(err.attempts).toBe(c.attempts);
      await emptyQueue(c);
    });

    it('a reduce refuses children that do not cover its partitions exactly once', async () => {
      const A = writePartitioned(`${tmp.dir}/twice`, dense, { partitions: 2 });
      const child = { name: 'moments', data: { part: A.partitions[0], centered: false } };
      const err = await c
        .run('twice', { name: 'reduce', data: { mode: 'moments', expect: [0, 1] }, children: [child, child] })
        .catch((e) => e);
      expect(err).toBeInstanceOf(ComputationError);
      expect(err.reason).toMatch(/partition 0 reported twice/);
      await emptyQueue(c);
    });
  });
});
