import { InvalidArgumentError, type Mat, type NDArray, rng } from '@krylov/core-array';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { THRESHOLDS, probe, setThreads } from '../src/index.js';
import { ThreadPool, evenCuts, triangleCuts } from '../src/threads.js';
import { DTYPES, epsOf, f64, on, relErr, variants } from './helpers.js';

// every size goes to the wasm kernels here; threadsMinWork is set per case
const saved = { ...THRESHOLDS };
beforeAll(() => {
  THRESHOLDS.level3Float64 = 0;
  THRESHOLDS.level3Float32 = 0;
});
afterAll(async () => {
  Object.assign(THRESHOLDS, saved);
  await setThreads(1);
});

/** Bitwise equality of two arrays' values (NaN equal to NaN). */
function same(x: NDArray, y: NDArray): boolean {
  const a = x.toFlatArray();
  const b = y.toFlatArray();
  return a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
}

/** Runs `fn` once with threads (every size split) and once on one thread of the same instance. */
function bothWays(fn: () => NDArray): { threaded: NDArray; single: NDArray; split: number } {
  THRESHOLDS.threadsMinWork = 0;
  const before = ThreadPool.calls;
  const threaded = fn();
  const split = ThreadPool.calls - before;
  THRESHOLDS.threadsMinWork = Number.POSITIVE_INFINITY;
  const single = fn();
  THRESHOLDS.threadsMinWork = saved.threadsMinWork;
  return { threaded, single, split };
}

describe('block splits', () => {
  it('cover 0..len in aligned, increasing blocks; fewer blocks when short', () => {
    expect(evenCuts(1024, 2)).toEqual([0, 512, 1024]);
    expect(evenCuts(100, 3)).toEqual([0, 32, 64, 100]);
    expect(evenCuts(12, 4)).toEqual([0, 12]);
    expect(evenCuts(0, 2)).toEqual([0]);
    for (const lower of [true, false]) {
      const cuts = triangleCuts(1000, 2, lower);
      expect(cuts.length).toBe(3);
      const area = (j0: number, j1: number) => {
        let s = 0;
        for (let j = j0; j < j1; j++) s += lower ? 1000 - j : j + 1;
        return s;
      };
      // two halves of the triangle within one aligned column of each other
      expect(Math.abs(area(0, cuts[1]) - area(cuts[1], 1000))).toBeLessThan(2 * 8 * 1000);
      expect(cuts[1] % 8).toBe(0);
    }
    // the lower triangle's first columns are the longest: its first block is the narrower one
    expect(triangleCuts(1000, 2, true)[1]).toBeLessThan(500);
    expect(triangleCuts(1000, 2, false)[1]).toBeGreaterThan(500);
  });
});

describe('threads', () => {
  it('setThreads rejects bad counts with the value', async () => {
    for (const bad of [0, -1, 1.5, Number.NaN, 'two'])
      await expect(setThreads(bad as number)).rejects.toThrow(InvalidArgumentError);
    await expect(setThreads(0)).rejects.toThrow(
      "setThreads: argument 'threads' is 0; expected a positive integer or 'auto'",
    );
  });

  it("defaults to 1 thread; setThreads(n) and 'auto' set the count probe reports", async () => {
    expect(probe().details?.threads).toBe(1);
    expect((await setThreads(3)).details?.threads).toBe(3);
    expect(probe().details?.threads).toBe(3);
    const auto = await setThreads('auto');
    const { availableParallelism, cpus } = await import('node:os');
    expect(auto.details?.threads).toBe(Math.min(availableParallelism?.() ?? cpus().length, 4));
    expect((await setThreads(1)).details?.threads).toBe(1);
  });

  for (const dtype of DTYPES) {
    it(`gemm ${dtype}: the threaded result is bitwise the one-thread result (column and row splits, layouts)`, async () => {
      await setThreads(3);
      const g = rng(`threads-gemm-${dtype}`);
      for (const [m, k, n] of [
        [130, 67, 129],
        [9, 300, 150],
        [301, 40, 17],
        [64, 600, 64],
        [5, 7, 3],
      ]) {
        const a = g.normal([m, k], { dtype });
        const b = g.normal([k, n], { dtype });
        const c0 = g.normal([m, n], { dtype });
        const ref = f64(c0) as Mat;
        on('js', 'gemm', { alpha: 1.25, a: f64(a) as Mat, b: f64(b) as Mat, beta: 0.5, c: ref });
        for (const { name, views } of variants([a, b, c0]).slice(0, 3)) {
          const [va, vb] = views as Mat[];
          for (const beta of [0, 0.5]) {
            const run = () => {
              const c = views[2].copy() as Mat;
              on('wasm-simd', 'gemm', { alpha: 1.25, a: va, b: vb, beta, c });
              return c;
            };
            const { threaded, single, split } = bothWays(run);
            const what = `${m}x${k}x${n} ${name} beta ${beta}`;
            expect(split, what).toBe(1);
            expect(same(threaded, single), what).toBe(true);
            if (beta !== 0) expect(relErr(threaded, ref), what).toBeLessThan(4 * epsOf(dtype) * (k + 2));
          }
        }
      }
    });

    it(`syrk ${dtype}: lower and upper, threaded bitwise equal to one thread, other triangle untouched`, async () => {
      await setThreads(2);
      const g = rng(`threads-syrk-${dtype}`);
      for (const [n, k] of [
        [203, 50],
        [64, 300],
        [17, 5],
      ]) {
        const a = g.normal([n, k], { dtype }) as Mat;
        const c0 = g.normal([n, n], { dtype });
        for (const lower of [true, false]) {
          const run = () => {
            const c = c0.copy() as Mat;
            on('wasm-simd', 'syrk', { alpha: 0.5, a, beta: 2, c, lower });
            return c;
          };
          const { threaded, single, split } = bothWays(run);
          expect(split).toBe(1);
          expect(same(threaded, single), `${n}x${k} lower ${lower}`).toBe(true);
          for (let i = 0; i < n; i++)
            for (let j = 0; j < n; j++)
              if (lower ? j > i : j < i) expect(threaded.get(i, j)).toBe(c0.get(i, j));
        }
      }
    });
  }

  it('gemmBatched splits each large matrix; small calls stay on one thread', async () => {
    await setThreads(2);
    const g = rng('threads-batched');
    const a = g.normal([3, 100, 90]);
    const b = g.normal([3, 90, 110]);
    const run = () => {
      const c = g.normal([3, 100, 110]).fill(0);
      on('wasm-simd', 'gemmBatched', { alpha: 1, a, b, beta: 0, c });
      return c;
    };
    const { threaded, single, split } = bothWays(run);
    expect(split).toBe(3);
    expect(same(threaded, single)).toBe(true);
    const before = ThreadPool.calls;
    const x = g.normal([32, 32]) as Mat; // small: one thread even with the pool
    on('wasm-simd', 'gemm', { alpha: 1, a: x, b: x, beta: 0, c: x.copy() as Mat });
    expect(32 ** 3).toBeLessThan(THRESHOLDS.threadsMinWork);
    expect(ThreadPool.calls).toBe(before);
  });

  it("a trap in a worker's block fails the call (no hang), and the pool keeps working", async () => {
    const pool = await ThreadPool.start(2);
    try {
      const { arena, exports } = pool;
      arena.reset();
      const c = arena.alloc(16 * 8, 4);
      const b = arena.alloc(8 * 8, 4);
      const a = arena.alloc(8, 4);
      arena.commit();
      // A's rows 4 MiB apart: rows 0..7 (the calling thread's block) lie inside the memory, rows 8..15
      // (the worker's) beyond it
      const rowStride = 2 ** 20;
      const need = a + 8 * rowStride * 4;
      exports.memory.grow(Math.ceil((need - exports.memory.buffer.byteLength) / 65536));
      expect(exports.memory.buffer.byteLength).toBeLessThan(a + 9 * rowStride * 4);
      // biome-ignore format: one BLAS call
      expect(() => pool.gemm(true, 16, 8, 8, 1, a, rowStride, 1, b, 8, 1, 0, c, 8)).toThrow('wasm-simd: a worker failed in a threaded kernel');
      // a valid call afterwards: both blocks computed
      new Float32Array(exports.memory.buffer, a, 8).fill(1);
      new Float32Array(exports.memory.buffer, b, 64).fill(2);
      pool.gemm(true, 16, 8, 8, 1, a, 0, 1, b, 8, 1, 0, c, 8);
      expect(Array.from(new Float32Array(exports.memory.buffer, c, 128))).toEqual(new Array(128).fill(16));
    } finally {
      await pool.close();
    }
  });

  it('falls back to one thread, with the reason, where SharedArrayBuffer is missing', async () => {
    await setThreads(1);
    vi.stubGlobal('SharedArrayBuffer', undefined);
    try {
      const p = await setThreads(2);
      expect(p.available).toBe(true);
      expect(p.details?.threads).toBe(1);
      expect(p.details?.threadsNote).toBe('2 threads requested; one thread: no SharedArrayBuffer');
    } finally {
      vi.unstubAllGlobals();
    }
    // the kernels still answer, on the one-thread instance
    const before = ThreadPool.calls;
    const x = rng('fallback').normal([200, 200]) as Mat;
    const c = x.copy() as Mat;
    on('wasm-simd', 'gemm', { alpha: 1, a: x, b: x, beta: 0, c });
    expect(ThreadPool.calls).toBe(before);
    expect(c.get(3, 4)).toBeCloseTo(
      Array.from({ length: 200 }, (_, p) => x.get(3, p) * x.get(p, 4)).reduce((s, v) => s + v, 0),
      9,
    );
    expect((await setThreads(1)).details?.threadsNote).toBeUndefined();
  });
});
