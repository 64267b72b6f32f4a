import { afterAll, describe, expect, it } from 'vitest';
import { NDArray, ShapeError, array, drive, runTask, runToEnd, terminateWorkers } from '../src/index.js';

// The worker runs core-array's build (dist/worker.js): `pnpm build` first (turbo does).
const module = new URL('./fixtures/pool-task.mjs', import.meta.url).href;
afterAll(() => terminateWorkers());

describe('worker pool', () => {
  it('runs a named export in a worker, moving NDArrays both ways', async () => {
    const a = array([
      [1, 2],
      [3, 4],
    ]).T;
    const r = await runTask<{ out: NDArray; note: string; count: number }>({ module, name: 'scale' }, [a, 2]);
    expect(r.out).toBeInstanceOf(NDArray);
    expect(r.out.shape).toEqual([2, 2]);
    expect(r.out.toFlatArray()).toEqual([2, 6, 4, 8]);
    expect(r.note).toBe('scaled');
    expect(a.toFlatArray()).toEqual([1, 3, 2, 4]); // the caller's array is untouched (a copy moved)
  });

  it('rethrows worker errors with their Krylov class and fields', async () => {
    const e = await runTask({ module, name: 'fail' }, []).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(ShapeError);
    expect((e as ShapeError).fn).toBe('fail');
    expect((e as Error).message).toMatch(/fail: /);
  });

  it('an abort rejects the call and frees the main thread at once', async () => {
    const t0 = performance.now();
    await expect(
      runTask({ module, name: 'spin' }, [2000], { signal: AbortSignal.timeout(50) }),
    ).rejects.toThrow();
    expect(performance.now() - t0).toBeLessThan(1500);
  });
});

describe('step programs', () => {
  function* count(n: number): Generator<void, number, void> {
    let s = 0;
    for (let i = 0; i < n; i++) {
      s += i;
      yield;
    }
    return s;
  }
  it('runToEnd and drive give the same result; drive lets timers run', async () => {
    expect(runToEnd(count(10))).toBe(45);
    let fired = false;
    setTimeout(() => {
      fired = true;
    }, 1);
    function* long(): Generator<void, boolean, void> {
      const end = performance.now() + 100;
      while (performance.now() < end && !fired) yield;
      return fired;
    }
    expect(await drive(long(), { sliceMs: 5 })).toBe(true);
    expect(await drive(count(10))).toBe(45);
  });
});
