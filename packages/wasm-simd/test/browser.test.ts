import { readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrowserSession, browserTestSkip, openBrowser } from '@krylov/browser-test';
import { NDArray, gemm, gemv, rng, syrk, trsm, withBackends } from '@krylov/core-array';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The kernels in headless Chromium (the browser's WebAssembly engine, asynchronous compilation on
// the main thread), loading the built ESM bundles from a localhost server; results are compared
// with the pure-JS float64 kernels run here in Node on the same inputs.
const dist = (pkg: string) => fileURLToPath(new URL(`../../${pkg}/dist/index.js`, import.meta.url));
const bundles = { core: dist('core-array'), wasm: dist('wasm-simd') };
const missing = browserTestSkip([bundles.core, bundles.wasm], !!process.env.CI);
/** The shared chunks a multi-entry bundle's index.js imports relatively (`./chunk-*.js`). */
const chunks = (entry: string) =>
  Object.fromEntries(
    (missing ? [] : readdirSync(dirname(entry)))
      .filter((f) => /^chunk-.*\.js$/.test(f))
      .map((f) => [`/${f}`, `${dirname(entry)}/${f}`]),
  );
/** The page both suites open: the two built bundles (and their chunks), imported by name. */
const page = {
  routes: {
    ...chunks(bundles.core),
    ...chunks(bundles.wasm),
    '/core-array.js': bundles.core,
    '/wasm-simd.js': bundles.wasm,
  },
  imports: { '@krylov/core-array': '/core-array.js', '@krylov/wasm-simd': '/wasm-simd.js' },
  preload: ['@krylov/core-array', '@krylov/wasm-simd'],
};

const [m, k, n] = [67, 45, 31];
const g = rng('browser');
const input = {
  a: [...g.normal([m, k]).data],
  b: [...g.normal([n, k]).data], // used transposed: C = A B^T
  l: [...g.normal([k, k]).data],
  x: [...g.normal([k]).data],
  dims: [m, k, n],
};

/** Max |got - want| / max |want|. */
function relErr(got: readonly number[], want: NDArray): number {
  let err = 0;
  let size = 0;
  const w = want.toFlatArray();
  w.forEach((v, i) => {
    err = Math.max(err, Math.abs(got[i] - v));
    size = Math.max(size, Math.abs(v));
  });
  return err / size;
}

describe.skipIf(!!missing)('wasm-simd in headless Chromium', () => {
  let session: BrowserSession;
  beforeAll(async () => {
    session = await openBrowser(page);
  }, 120_000);
  afterAll(async () => session?.close());

  it('gemm, syrk, trsm and gemv in float64 and float32 run on wasm-simd and match the pure-JS float64 kernels', async () => {
    const out = await session.evaluate(async (inp) => {
      // biome-ignore lint/suspicious/noExplicitAny: the bundles' namespaces, typed in Node only
      const { '@krylov/core-array': core, '@krylov/wasm-simd': w } = (globalThis as any).__krylov;
      const avail = await w.loadWasm();
      if (!avail.available) return { error: String(avail.reason) };
      core.use(w.plugin);
      Object.assign(w.THRESHOLDS, { level3Float64: 0, level3Float32: 0, gemvSize: 0 });
      const [m, k, n] = inp.dims;
      const results: Record<string, number[]> = {};
      // Only wasm-simd in the order: a kernel it declined would throw rather than fall back to JS.
      core.withBackends(['wasm-simd'], () => {
        for (const dtype of ['float64', 'float32']) {
          const T = dtype === 'float64' ? Float64Array : Float32Array;
          const a = new core.NDArray(T.from(inp.a), [m, k]);
          const b = new core.NDArray(T.from(inp.b), [n, k]);
          const l = new core.NDArray(T.from(inp.l), [k, k]);
          for (let i = 0; i < k; i++) l.data[i * k + i] = k; // well conditioned lower triangle
          const x = new core.NDArray(T.from(inp.x), [k]);
          results[`gemm-${dtype}`] = [...core.gemm(a, b, { transB: true, alpha: 0.5 }).toFlatArray()];
          results[`syrk-${dtype}`] = [...core.syrk(a, { trans: true }).toFlatArray()];
          results[`trsm-${dtype}`] = [...core.trsm(l, a.T.copy(), { lower: true }).toFlatArray()];
          results[`gemv-${dtype}`] = [...core.gemv(a, x).toFlatArray()];
        }
      });
      return { results, details: avail.details, isolated: globalThis.crossOriginIsolated };
    }, input);
    expect(out, JSON.stringify(session.log)).not.toHaveProperty('error');
    const { results } = out as { results: Record<string, number[]> };
    const a = new NDArray(Float64Array.from(input.a), [m, k]);
    const b = new NDArray(Float64Array.from(input.b), [n, k]);
    const l = new NDArray(Float64Array.from(input.l), [k, k]);
    for (let i = 0; i < k; i++) l.data[i * k + i] = k;
    const x = new NDArray(Float64Array.from(input.x), [k]);
    const want = withBackends(['js'], () => ({
      gemm: gemm(a, b, { transB: true, alpha: 0.5 }),
      syrk: syrk(a, { trans: true }),
      trsm: trsm(l, a.T.copy(), { lower: true }),
      gemv: gemv(a, x),
    }));
    for (const [name, ref] of Object.entries(want)) {
      expect(relErr(results[`${name}-float64`], ref), name).toBeLessThan(1e-13);
      expect(relErr(results[`${name}-float32`], ref), name).toBeLessThan(1e-5);
    }
  });

  it('threads fall back to one, with the reason, in a page that is not cross-origin isolated', async () => {
    const details = await session.evaluate(async () => {
      // biome-ignore lint/suspicious/noExplicitAny: the bundle's namespace, typed in Node only
      const w = (globalThis as any).__krylov['@krylov/wasm-simd'];
      return (await w.setThreads(2)).details;
    }, null);
    expect(details.threads).toBe(1);
    expect(details.threadsNote).toMatch(/one thread: no SharedArrayBuffer/);
  });
});

describe.skipIf(!!missing)(
  'wasm-simd threads in a cross-origin isolated page (Web Workers, shared memory)',
  () => {
    let session: BrowserSession;
    beforeAll(async () => {
      session = await openBrowser({ ...page, crossOriginIsolated: true });
    }, 120_000);
    afterAll(async () => session?.close());

    it('two threads give bitwise the one-thread gemm and syrk, from the main thread (which may not block)', async () => {
      const out = await session.evaluate(async (inp) => {
        // biome-ignore lint/suspicious/noExplicitAny: the bundles' namespaces, typed in Node only
        const { '@krylov/core-array': core, '@krylov/wasm-simd': w } = (globalThis as any).__krylov;
        await w.loadWasm();
        core.use(w.plugin);
        const [m, k, n] = [200, 190, 170]; // above THRESHOLDS.threadsMinWork
        const av = Array.from({ length: m * k }, (_, i) => inp.a[i % inp.a.length]);
        const bv = Array.from({ length: k * n }, (_, i) => inp.b[i % inp.b.length]);
        const results: Record<string, number[][]> = {};
        const threads: number[] = [];
        for (const count of [1, 2]) {
          threads.push((await w.setThreads(count)).details.threads);
          core.withBackends(['wasm-simd'], () => {
            for (const dtype of ['float64', 'float32']) {
              const T = dtype === 'float64' ? Float64Array : Float32Array;
              const a = new core.NDArray(T.from(av), [m, k]);
              const b = new core.NDArray(T.from(bv), [k, n]);
              (results[`gemm-${dtype}`] ??= []).push([...core.gemm(a, b).toFlatArray()]);
              (results[`syrk-${dtype}`] ??= []).push([...core.syrk(a).toFlatArray()]);
            }
          });
        }
        await w.setThreads(1);
        const same = Object.fromEntries(
          Object.entries(results).map(([name, [one, two]]) => [
            name,
            one.every((v, i) => Object.is(v, two[i])),
          ]),
        );
        return { threads, same, isolated: globalThis.crossOriginIsolated };
      }, input);
      expect(out.isolated).toBe(true);
      expect(out.threads).toEqual([1, 2]);
      expect(out.same).toEqual({
        'gemm-float64': true,
        'gemm-float32': true,
        'syrk-float64': true,
        'syrk-float32': true,
      });
    });
  },
);
