import { monitorEventLoopDelay } from 'node:perf_hooks';
import { type NDArray, ShapeError, rng, terminateWorkers, withBackends } from '@krylov/core-array';
import { afterAll, describe, expect, expectTypeOf, it } from 'vitest';
import {
  eigh,
  eighAsync,
  lstsq,
  lstsqAsync,
  lu,
  luAsync,
  qr,
  qrAsync,
  solve,
  solveAsync,
  svd,
  svdAsync,
} from '../src/index.js';
import { spdWithCondition, withCondition } from './helpers.js';

// The worker runs this package's ES module build (dist/): `pnpm build` (turbo runs it before test).
afterAll(() => terminateWorkers());

const same = (a: NDArray | null | undefined, b: NDArray | null | undefined) => {
  expect(b?.shape).toEqual(a?.shape);
  expect(Array.from(b?.data ?? [])).toEqual(Array.from(a?.data ?? []));
};

describe('off-thread async forms', () => {
  it('return the sync pure-JS results bit for bit', async () => {
    const a = withCondition(40, 30, 1e4, 1);
    const s = spdWithCondition(30, 1e3, 2);
    const b = rng(3).normal([30]);
    const c = rng(4).normal([40]);
    // Workers run the pure-JS kernels (plugins registered on this thread are not loaded there), so
    // the sync results they must equal are the pure-JS ones, whatever backends this run configured.
    const want = withBackends(['js'], () => ({
      svd: svd(a),
      values: svd(a, { mode: 'values' }).s,
      eigh: eigh(s),
      qr: qr(a),
      lu: lu(s),
      solve: solve(s, b),
      spd: solve(s, b, { assume: 'positive definite' }),
      lstsq: lstsq(a, c),
    }));
    const u = await svdAsync(a);
    same(want.svd.u, u.u);
    same(want.svd.s, u.s);
    same(want.svd.vt, u.vt);
    same(want.values, (await svdAsync(a, { mode: 'values' })).s);
    const e = await eighAsync(s);
    same(want.eigh.values, e.values);
    same(want.eigh.vectors, e.vectors);
    const q = await qrAsync(a);
    same(want.qr.q, q.q);
    same(want.qr.r, q.r);
    const l = await luAsync(s);
    expect(Array.from(l.p)).toEqual(Array.from(want.lu.p));
    same(want.lu.l, l.l);
    same(want.lu.u, l.u);
    same(want.solve, await solveAsync(s, b));
    same(want.spd, await solveAsync(s, b, { assume: 'positive definite' }));
    const x = await lstsqAsync(a, c);
    same(want.lstsq.x, x.x);
    expect(x.rank).toBe(want.lstsq.rank);
  });

  it('rethrow the worker error with its class', async () => {
    const v = rng(1).normal([3]);
    await expect(svdAsync(v)).rejects.toBeInstanceOf(ShapeError);
    await expect(svdAsync(v)).rejects.toThrow(/svd: argument 'a'/);
  });

  it('abort: an aborted signal rejects', async () => {
    const c = new AbortController();
    c.abort();
    await expect(svdAsync(withCondition(10, 10, 10, 1), { signal: c.signal })).rejects.toThrow();
    const running = svdAsync(withCondition(300, 300, 10, 1), { signal: AbortSignal.timeout(20) });
    await expect(running).rejects.toThrow();
  });

  it('keep the main event loop responsive (p99 delay well under the sync run time)', async () => {
    const a = withCondition(300, 300, 100, 5);
    await svdAsync(withCondition(4, 4, 2, 1)); // start a worker first
    const t0 = performance.now();
    svd(a);
    const syncMs = performance.now() - t0;
    const h = monitorEventLoopDelay({ resolution: 1 });
    h.enable();
    await svdAsync(a);
    h.disable();
    const p99 = h.percentile(99) / 1e6;
    // generous: the bound that matters is the 1000 x 1000 figure in the README (measured by script)
    expect(p99).toBeLessThan(Math.max(60, syncMs / 2));
  });
});

describe('types', () => {
  it('eigh types vectors by the vectors option', () => {
    const s = spdWithCondition(3, 2, 1);
    expectTypeOf(eigh(s).vectors).toEqualTypeOf<NDArray<'float64'>>();
    expectTypeOf(eigh(s, { vectors: true }).vectors).toEqualTypeOf<NDArray<'float64'>>();
    expectTypeOf(eigh(s, { vectors: false }).vectors).toEqualTypeOf<null>();
    const flag = Math.random() > 2;
    expectTypeOf(eigh(s, { vectors: flag }).vectors).toEqualTypeOf<NDArray<'float64'> | null>();
    expectTypeOf(svd(s, { mode: 'values' })).toEqualTypeOf<{ s: NDArray<'float64'> }>();
    const lazy = () => eighAsync(s, { vectors: false }); // not called: a type check only
    expectTypeOf(lazy).returns.resolves.toEqualTypeOf<{ values: NDArray<'float64'>; vectors: null }>();
    expect(eigh(s, { vectors: false }).vectors).toBeNull();
  });
});
