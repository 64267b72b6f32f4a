import { type Mat, NDArray, rng, runKernelAsync, withBackends } from '@krylov/core-array';
import { describe, expect, it } from 'vitest';
import { nativeAddon } from '../src/index.js';
import { built, f64, layouts, on, relErr, symmetricWith } from './helpers.js';

describe.skipIf(!built)('async native kernels', () => {
  it('a large gemm runs off the main thread: a timer fires while it works', async () => {
    const n = 1500;
    const g = rng('async-gemm');
    const a = g.normal([n, n]) as Mat;
    const b = g.normal([n, n]) as Mat;
    const c = new NDArray(new Float64Array(n * n), [n, n]) as Mat;
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const start = performance.now();
    try {
      await withBackends(['native'], () => runKernelAsync('gemm', { alpha: 1, a, b, beta: 0, c }));
    } finally {
      clearInterval(timer);
    }
    const ms = performance.now() - start;
    expect(ticks, `${ms.toFixed(0)} ms of gemm`).toBeGreaterThanOrEqual(1);
    // spot-check entries against a plain dot product
    for (const [i, j] of [
      [0, 0],
      [n - 1, 7],
      [700, n - 1],
    ]) {
      let s = 0;
      for (let p = 0; p < n; p++) s += a.data[i * n + p] * b.data[p * n + j];
      expect(Math.abs(c.get(i, j) - s)).toBeLessThan(1e-10 * n);
    }
  });

  it('async gemm, potrf, getrf, gesdd, syevd match their sync forms on every layout', async () => {
    for (const dtype of ['float64', 'float32'] as const) {
      const g = rng(`async-${dtype}`);
      const a = g.normal([37, 23], { dtype });
      const b = g.normal([23, 19], { dtype });
      const c = g.normal([37, 19], { dtype });
      const spd = symmetricWith(
        Array.from({ length: 29 }, (_, i) => 1 + i),
        3,
        dtype,
      );
      for (const [la, lb, lc] of layouts(a).map((x, i) => [x, layouts(b)[i], layouts(c)[i]])) {
        const ref = lc.make() as Mat;
        on('native', 'gemm', { alpha: 2, a: la.make() as Mat, b: lb.make() as Mat, beta: -1, c: ref });
        const out = lc.make() as Mat;
        await withBackends(['native'], () =>
          runKernelAsync('gemm', { alpha: 2, a: la.make() as Mat, b: lb.make() as Mat, beta: -1, c: out }),
        );
        expect(relErr(out, ref), la.name).toBe(0);
      }
      for (const l of layouts(spd)) {
        const x = l.make() as Mat;
        const y = l.make() as Mat;
        expect(on('native', 'potrf', { a: x })).toBe(0);
        expect(await withBackends(['native'], () => runKernelAsync('potrf', { a: y }))).toBe(0);
        expect(relErr(y, x), l.name).toBe(0);
      }
      for (const l of layouts(a)) {
        const x = l.make() as Mat;
        const y = l.make() as Mat;
        const s = on('native', 'getrf', { a: x });
        const t = await withBackends(['native'], () => runKernelAsync('getrf', { a: y }));
        expect([...t.ipiv]).toEqual([...s.ipiv]);
        expect(relErr(y, x), l.name).toBe(0);
        const sv = on('native', 'gesdd', { a: l.make() as Mat, job: 'full' });
        const tv = await withBackends(['native'], () =>
          runKernelAsync('gesdd', { a: l.make() as Mat, job: 'full' }),
        );
        expect(relErr(tv.s, sv.s)).toBe(0);
        expect(relErr(tv.u as Mat, sv.u as Mat)).toBe(0);
        expect(relErr(tv.vt as Mat, sv.vt as Mat)).toBe(0);
      }
      for (const l of layouts(spd)) {
        const se = on('native', 'syevd', { a: l.make() as Mat, vectors: true });
        const te = await withBackends(['native'], () =>
          runKernelAsync('syevd', { a: l.make() as Mat, vectors: true }),
        );
        expect(relErr(te.w, se.w)).toBe(0);
        expect(relErr(te.v as Mat, se.v as Mat)).toBe(0);
      }
    }
  });

  it('concurrent async calls (thread pool) and sync calls in between give the sync results', async () => {
    const n = 160;
    const jobs = Array.from({ length: 12 }, (_, i) => {
      const g = rng(`concurrent-${i}`);
      return {
        a: g.normal([n, n]) as Mat,
        b: g.normal([n, n]) as Mat,
        c: new NDArray(new Float64Array(n * n), [n, n]) as Mat,
      };
    });
    const pending = jobs.map((j) =>
      withBackends(['native'], () => runKernelAsync('gemm', { alpha: 1, a: j.a, b: j.b, beta: 0, c: j.c })),
    );
    const refs = jobs.map((j) => {
      const c = new NDArray(new Float64Array(n * n), [n, n]) as Mat;
      on('native', 'gemm', { alpha: 1, a: j.a, b: j.b, beta: 0, c });
      return c;
    });
    await Promise.all(pending);
    jobs.forEach((j, i) => expect(relErr(j.c, refs[i])).toBeLessThan(1e-13));
  });

  it('staged copies in reused buffers: rounds of concurrent calls of growing and shrinking sizes, beta = 1', async () => {
    // each round's copies go back to the free list and the next round takes them, larger or
    // smaller than it needs: with beta = 1 a stale buffer would show in C
    for (const [round, sizes] of [
      [40, 90, 17],
      [90, 17, 40, 64],
      [5, 64, 90],
    ].entries()) {
      const jobs = sizes.map((n, i) => {
        const g = rng(`staged-${round}-${i}`);
        return { n, a: g.normal([n, n]) as Mat, b: g.normal([n, n]) as Mat, c: g.normal([n, n]) as Mat };
      });
      const refs = jobs.map((j) => {
        const c = j.c.copy() as Mat;
        on('native', 'gemm', { alpha: 1, a: j.a, b: j.b, beta: 1, c });
        return c;
      });
      await Promise.all(
        jobs.map((j) =>
          withBackends(['native'], () =>
            runKernelAsync('gemm', { alpha: 1, a: j.a, b: j.b, beta: 1, c: j.c }),
          ),
        ),
      );
      jobs.forEach((j, i) => expect(relErr(j.c, refs[i]), `round ${round} n=${j.n}`).toBeLessThan(1e-13));
    }
  });

  it('leaves the gaps between rows of a padded output alone', async () => {
    const addon = nativeAddon()!;
    const data = new Float64Array(3 * 5).fill(Number.NaN);
    const a = {
      data: Float64Array.from([1, 2, 3, 4, 5, 6]),
      offset: 0,
      rows: 3,
      cols: 2,
      ld: 2,
      colMajor: false,
    };
    const b = { data: Float64Array.from([1, 0, 0, 1]), offset: 0, rows: 2, cols: 2, ld: 2, colMajor: false };
    const c = { data, offset: 1, rows: 3, cols: 2, ld: 5, colMajor: false };
    const pending = addon.gemmAsync(1, a, b, 0, c);
    data[4] = 42; // a gap element written by JS while the kernel runs
    await pending;
    expect([...data].map((v) => (Number.isNaN(v) ? null : v))).toEqual([
      null,
      1,
      2,
      null,
      42,
      null,
      3,
      4,
      null,
      null,
      null,
      5,
      6,
      null,
      null,
    ]);
  });

  it('rejects (never crashes) when an output is detached before the result arrives', async () => {
    const addon = nativeAddon()!;
    const n = 300;
    const x = f64(rng(9).normal([n, n]));
    const c = { data: new Float64Array(n * n), offset: 0, rows: n, cols: n, ld: n, colMajor: false };
    const a = { data: x.data, offset: 0, rows: n, cols: n, ld: n, colMajor: false };
    const pending = addon.gemmAsync(1, a, a, 0, c);
    structuredClone(c.data.buffer, { transfer: [c.data.buffer] });
    await expect(pending).rejects.toThrow(/detached/);
  });

  it('validates before queueing: bad arguments throw synchronously', () => {
    const addon = nativeAddon()!;
    const a = { data: new Float64Array(4), offset: 0, rows: 2, cols: 2, ld: 2, colMajor: false };
    expect(() => addon.gemmAsync(1, a, { ...a, rows: 3 }, 0, { ...a, data: new Float64Array(4) })).toThrow(
      RangeError,
    );
    expect(() => addon.potrfAsync({ ...a, cols: 3 })).toThrow(RangeError);
  });
});
