import { NDArray, ShapeError, matmul as hostMatmul } from '@krylov/core-array';
import { describe, expect, it, vi } from 'vitest';
import { GPUArray, deviceState, gemv, matmul, toGPU, transpose, webgpuStats } from '../src/index.js';
import { U32, absf, gpu, mm, randn, requireGpu, scaledError } from './helpers.js';

const ok = await requireGpu();

describe.skipIf(!ok)('gemm on the device against the float64 pure-JS product', () => {
  // odd sizes straddle the 64 x 64 tile and the 16-deep k slice
  const shapes: [number, number, number][] = [
    [1, 1, 1],
    [3, 5, 7],
    [63, 65, 17],
    [64, 64, 64],
    [130, 71, 129],
    [200, 33, 1],
    [1, 300, 5],
  ];
  for (const [m, k, n] of shapes) {
    it(`m=${m} k=${k} n=${n}, with transposes, alpha and beta`, async () => {
      const a = randn(m * 1000 + k, [m, k]);
      const b = randn(n * 1000 + k + 1, [k, n]);
      const c = randn(7 + m + n, [m, n]);
      const ga = gpu(a);
      const gb = gpu(b);
      const gc = gpu(c);
      const got = await matmul(ga, gb, { alpha: 1.5, beta: -0.5, c: gc }).read();
      const ref = mm(a, b);
      for (let i = 0; i < ref.size; i++) ref.data[i] = 1.5 * ref.data[i] - 0.5 * c.data[i];
      const scale = mm(absf(a), absf(b));
      for (let i = 0; i < scale.size; i++) scale.data[i] = 1.5 * scale.data[i] + 0.5 * Math.abs(c.data[i]);
      expect(scaledError(got, ref, scale)).toBeLessThan((k + 4) * U32);
      // A^T B^T read through strides
      const gat = gpu(a.T.copy());
      const gbt = gpu(b.T.copy());
      const got2 = await matmul(gat, gbt, { transA: true, transB: true }).read();
      expect(scaledError(got2, mm(a, b), mm(absf(a), absf(b)))).toBeLessThan((k + 2) * U32);
      for (const x of [ga, gb, gc, gat, gbt]) x.dispose();
    });
  }

  it('batched, with a shared right operand and equal batch shapes', async () => {
    const a = randn(1, [3, 2, 37, 19]);
    const b = randn(2, [3, 2, 19, 70]);
    const shared = randn(3, [19, 5]);
    const got = await matmul(gpu(a), gpu(b)).read();
    expect(scaledError(got, hostMatmul(a, b), hostMatmul(absf(a), absf(b)))).toBeLessThan(21 * U32);
    const got2 = await matmul(gpu(a), gpu(shared)).read();
    expect(scaledError(got2, hostMatmul(a, shared), hostMatmul(absf(a), absf(shared)))).toBeLessThan(
      21 * U32,
    );
  });

  it('beta = 0 ignores NaN in c; k = 0 gives beta c', async () => {
    const a = gpu(randn(4, [5, 0]));
    const b = gpu(randn(5, [0, 6]));
    const c = gpu(new Float32Array(30).fill(2), [5, 6]);
    expect([...(await matmul(a, b, { beta: 0.5, c }).read())]).toEqual(new Array(30).fill(1));
    const nan = gpu(new Float32Array(30).fill(Number.NaN), [5, 6]);
    const x = gpu(randn(6, [5, 3]));
    const y = gpu(randn(7, [3, 6]));
    const r = await matmul(x, y, { beta: 0, c: nan }).read();
    expect(r.every(Number.isFinite)).toBe(true);
  });

  it('rejects mismatched shapes and bad options with typed errors', () => {
    const a = gpu(randn(8, [4, 3]));
    expect(() => matmul(a, a)).toThrow(ShapeError);
    expect(() => matmul(a, a)).toThrow(/matmul.*inner dimension 4 does not match a's 3/);
    expect(() => matmul(a, a, { transB: true, beta: 1 })).toThrow(/options\.c/);
    expect(() => matmul(a, a, { transpose: true } as never)).toThrow(/transpose/);
    expect(() => matmul(a, gpu([1, 2, 3]))).toThrow(/at least 2 axes/);
    // an output beyond the adapter's storage binding limit is refused before anything runs
    const lim = deviceState()!.device.limits;
    const rows = Math.ceil(Math.sqrt(Math.min(lim.maxStorageBufferBindingSize, lim.maxBufferSize) / 4)) + 1;
    const col = gpu(new Float32Array(rows), [rows, 1]);
    expect(() => matmul(col, col, { transB: true })).toThrow(/matmul.*storage binding limit/);
  });
});

describe.skipIf(!ok)('gemv and transpose', () => {
  for (const [m, n] of [
    [1, 1],
    [7, 130],
    [257, 65],
    [3, 1000],
  ]) {
    it(`gemv m=${m} n=${n}, plain and transposed`, async () => {
      const a = randn(m + n, [m, n]);
      const x = randn(m + n + 1, [n]);
      const y = randn(m + n + 2, [m]);
      const ga = gpu(a);
      const got = await gemv(ga, gpu(x), { alpha: 2, beta: 3, y: gpu(y) }).read();
      const ref = mm(a, x.reshape([n, 1])).reshape([m]);
      const scale = mm(absf(a), absf(x).reshape([n, 1])).reshape([m]);
      const r = ref.copy('float64');
      const s = scale.copy('float64');
      for (let i = 0; i < m; i++) {
        r.data[i] = 2 * r.data[i] + 3 * y.data[i];
        s.data[i] = 2 * s.data[i] + 3 * Math.abs(y.data[i]);
      }
      expect(scaledError(got, r, s)).toBeLessThan((n + 4) * U32);
      const xt = randn(9, [m]);
      const got2 = await gemv(ga, gpu(xt), { trans: true }).read();
      const ref2 = mm(a.T, xt.reshape([m, 1])).reshape([n]);
      expect(scaledError(got2, ref2, mm(absf(a.T), absf(xt).reshape([m, 1])).reshape([n]))).toBeLessThan(
        (m + 2) * U32,
      );
    });
  }

  it('transposes batches of odd-sized matrices exactly', async () => {
    const a = randn(11, [3, 17, 33]);
    const got = await transpose(gpu(a)).read();
    const ref = a.transpose([0, 2, 1]).copy('float32');
    expect([...got]).toEqual([...ref.data]);
  });

  it('gemv rejects a wrong-length x', () => {
    expect(() => gemv(gpu(randn(1, [3, 4])), gpu([1, 2, 3]))).toThrow(ShapeError);
  });
});

describe.skipIf(!ok)('device arrays', () => {
  it('upload, reshape and read back; dispose frees; reading a disposed array throws', async () => {
    const a = toGPU(new NDArray(new Float32Array([1, 2, 3, 4, 5, 6]), [2, 3]).T); // a strided view
    expect(a.shape).toEqual([3, 2]);
    expect([...(await a.read())]).toEqual([1, 4, 2, 5, 3, 6]);
    const r = a.reshape([6]);
    a.dispose();
    expect([...(await r.read())]).toEqual([1, 4, 2, 5, 3, 6]);
    r.dispose();
    await expect(r.read()).rejects.toThrow(/disposed/);
    expect(() => gpu([1, 2, 3], [2, 2])).toThrow(ShapeError);
  });

  it('the finalizer returns the buffers of arrays that were never disposed', async () => {
    const gc = (globalThis as { gc?: () => void }).gc;
    expect(gc, 'vitest runs with --expose-gc').toBeDefined();
    // let earlier tests' forgotten arrays go first, so the baseline is settled
    const settle = async () => {
      for (let t = 0; t < 5; t++) {
        gc!();
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    await settle();
    const before = webgpuStats().liveBytes;
    (() => {
      for (let i = 0; i < 20; i++) gpu(new Float32Array(4096));
    })();
    expect(webgpuStats().liveBytes - before).toBe(20 * 16384);
    await settle();
    expect(webgpuStats().liveBytes).toBe(before);
  });

  it('reuses pooled buffers', () => {
    const before = webgpuStats();
    for (let i = 0; i < 10; i++) gpu(new Float32Array(1000)).dispose();
    const after = webgpuStats();
    expect(after.poolHits - before.poolHits).toBeGreaterThanOrEqual(9);
    expect(GPUArray).toBeDefined();
  });
});

describe.skipIf(!ok)('foreign NDArrays', () => {
  it('toGPU takes an NDArray from another loaded copy of core-array', async () => {
    vi.resetModules();
    const other = await import('@krylov/core-array');
    const foreign = new other.NDArray(new Float32Array([1, 2, 3, 4, 5, 6]), [2, 3]).T;
    expect(foreign instanceof NDArray).toBe(false);
    expect([...(await toGPU(foreign).read())]).toEqual([1, 4, 2, 5, 3, 6]);
  });
});
