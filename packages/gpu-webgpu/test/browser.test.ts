import { fileURLToPath } from 'node:url';
import { type BrowserSession, WEBGPU_FLAGS, browserTestSkip, openBrowser } from '@krylov/browser-test';
import { NDArray, matmul as hostMatmul } from '@krylov/core-array';
import { newtonSchulz as hostNewtonSchulz } from '@krylov/decompositions';
import { randomSparse } from '@krylov/solvers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { U32, absf, randn, scaledError } from './helpers.js';

// The same kernels as the Node tests, in headless Chromium through navigator.gpu (SwiftShader),
// loading the built ESM bundles (dist/) from a localhost server.
const dist = (pkg: string) => fileURLToPath(new URL(`../../${pkg}/dist/index.js`, import.meta.url));
const bundles = { core: dist('core-array'), gpu: dist('gpu-webgpu') };
const missing = browserTestSkip(
  [bundles.core, bundles.gpu],
  !!(process.env.CI || process.env.KRYLOV_REQUIRE_WEBGPU),
);

describe.skipIf(!!missing)('in headless Chromium through navigator.gpu', () => {
  let session: BrowserSession;
  beforeAll(async () => {
    session = await openBrowser({
      routes: { '/core-array.js': bundles.core, '/gpu-webgpu.js': bundles.gpu },
      imports: { '@krylov/core-array': '/core-array.js', '@krylov/gpu-webgpu': '/gpu-webgpu.js' },
      preload: ['@krylov/gpu-webgpu'],
      args: WEBGPU_FLAGS,
    });
  }, 120_000);
  afterAll(async () => session?.close());

  it('gemm, a fused chain, a reduction, SpMV and Newton-Schulz match float64, one readback each', async () => {
    const [m, k, n] = [67, 40, 33];
    const a = randn(1, [m, k]);
    const b = randn(2, [k, n]);
    const x = randn(3, [m * n]);
    const s = randomSparse(90, 50, { density: 0.1, seed: 4, values: 'normal' });
    const v = randn(5, [50]);
    const g = randn(6, [24, 40]);
    const input = {
      a: [...a.data],
      b: [...b.data],
      x: [...x.data],
      csr: { indptr: [...s.indptr], indices: [...s.indices], data: [...s.data] },
      v: [...v.data],
      g: [...g.data],
      dims: [m, k, n],
    };
    const out = await session.evaluate(async (inp) => {
      // biome-ignore lint/suspicious/noExplicitAny: the bundle's namespace, typed in Node only
      const w = (globalThis as any).__krylov['@krylov/gpu-webgpu'];
      const avail = await w.initWebGPU();
      if (!avail.available) return { error: String(avail.reason) };
      const [m, k, n] = inp.dims;
      const A = w.toGPU(new Float32Array(inp.a), [m, k]);
      const B = w.toGPU(new Float32Array(inp.b), [k, n]);
      const C = w.matmul(A, B);
      const X = w.toGPU(new Float32Array(inp.x), [m, n]);
      const before = w.webgpuStats();
      const chain = w.relu(w.sub(w.mul(C, 2), X)); // fused with nothing read in between
      const total = w.sum(chain);
      const S = w.toGPUCsr({
        shape: [90, 50],
        indptr: Int32Array.from(inp.csr.indptr),
        indices: Int32Array.from(inp.csr.indices),
        data: Float32Array.from(inp.csr.data),
      });
      const sp = w.spmv(S, w.toGPU(new Float32Array(inp.v)));
      const ns = w.newtonSchulz(w.toGPU(new Float32Array(inp.g), [24, 40]));
      const midReadbacks = w.webgpuStats().readbacks - before.readbacks;
      const result = {
        adapter: JSON.stringify(avail.details),
        gemm: [...(await C.read())],
        chain: [...(await chain.read())],
        total: (await total.read())[0],
        spmv: [...(await sp.read())],
        ns: [...(await ns.read())],
        midReadbacks,
      };
      w.releaseWebGPU();
      return result;
    }, input);
    if ('error' in out) throw new Error(`no WebGPU in Chromium: ${out.error}\n${session.log.join('\n')}`);
    expect(out.adapter).toMatch(/navigator\.gpu/);
    expect(out.midReadbacks).toBe(0);
    const ref = hostMatmul(a, b);
    expect(scaledError(out.gemm, ref, hostMatmul(absf(a), absf(b)))).toBeLessThan((k + 2) * U32);
    const r = ref.copy('float64').data;
    let total = 0;
    for (let i = 0; i < r.length; i++) {
      const want = Math.max(0, 2 * Math.fround(out.gemm[i]) - Math.fround(x.data[i]));
      expect(Math.abs(out.chain[i] - want)).toBeLessThanOrEqual(4 * U32 * (Math.abs(want) + 1));
      total += out.chain[i];
    }
    expect(Math.abs(out.total - total)).toBeLessThan(1e-4 * (Math.abs(total) + 1));
    for (let i = 0; i < 90; i++) {
      let want = 0;
      let bound = 0;
      for (let p = s.indptr[i]; p < s.indptr[i + 1]; p++) {
        want += s.data[p] * v.data[s.indices[p]];
        bound += Math.abs(s.data[p] * v.data[s.indices[p]]);
      }
      expect(Math.abs(out.spmv[i] - want)).toBeLessThanOrEqual(16 * U32 * bound + 1e-30);
    }
    const nsRef = hostNewtonSchulz(g).copy('float64').data;
    let worst = 0;
    for (let i = 0; i < nsRef.length; i++) worst = Math.max(worst, Math.abs(out.ns[i] - nsRef[i]));
    expect(worst).toBeLessThan(2e-3);
    expect(new NDArray(Float64Array.from(out.ns), [24, 40]).shape).toEqual([24, 40]);
  });
});
