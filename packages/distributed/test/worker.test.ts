import { InvalidArgumentError, rng } from '@krylov/core-array';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cluster, gram, startWorker, writePartitioned } from '../src/index.js';
import { type RedisServer, requireRedis, startRedis, tempDir } from './helpers.js';

const run = requireRedis();

describe('startWorker', () => {
  it('rejects unknown options and bad concurrency before connecting', async () => {
    const connection = { host: '127.0.0.1', port: 1 };
    await expect(startWorker({ connection, concurency: 2 } as never)).rejects.toThrow(InvalidArgumentError);
    await expect(startWorker({ connection, concurrency: 0 })).rejects.toThrow(/options\.concurrency/);
    expect(() => new Cluster({ connection, timeout: 5 } as never)).toThrow(/options\.timeout/);
  });

  describe.runIf(run)('in-process', () => {
    let redis: RedisServer;
    const tmp = tempDir('dist-worker');
    beforeAll(async () => {
      redis = await startRedis();
    }, 20_000);
    afterAll(async () => {
      await redis?.stop();
      tmp.remove();
    });

    it('runs jobs with the installed backends and says which', async () => {
      const w = await startWorker({ connection: redis.connection, queue: 'api', concurrency: 2 });
      expect(w.backends).toContain('js');
      expect(w.plugins.map((p) => p.name)).toContain('@krylov/native-blas');
      const c = new Cluster({
        connection: redis.connection,
        queue: 'api',
        workDir: `${tmp.dir}/w`,
        timeoutMs: 10_000,
      });
      const A = writePartitioned(`${tmp.dir}/a`, rng(0).normal([8, 3]), { partitions: 2 });
      expect((await gram(c, A)).shape).toEqual([3, 3]);
      expect(c.traffic.steps).toBe(1);
      expect(c.traffic.jobs).toBe(3);
      await c.close();
      await w.close();
    });
  });
});
