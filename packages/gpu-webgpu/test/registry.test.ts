import {
  type Mat,
  NDArray,
  configure,
  explain,
  matmul as hostMatmul,
  matmulAsync,
  runKernelAsync,
  use,
} from '@krylov/core-array';
import { afterAll, describe, expect, it } from 'vitest';
import {
  THRESHOLDS,
  deviceState,
  initWebGPU,
  plugin,
  probe,
  releaseWebGPU,
  toGPU,
  webgpuStats,
} from '../src/index.js';
import { U32, absf, randn, requireGpu, scaledError } from './helpers.js';

const ok = await requireGpu();
use(plugin);
const saved = { ...THRESHOLDS };
afterAll(() => {
  Object.assign(THRESHOLDS, saved);
  configure({ backends: null });
});

describe.skipIf(!ok)('registry: async kernels on the device', () => {
  it('matmulAsync in float32 runs gemm on webgpu, reads back once, and matches float64', async () => {
    THRESHOLDS.allowSoftware = true;
    THRESHOLDS.minFlops = 0;
    configure({ backends: ['webgpu', 'js'] });
    const a = randn(1, [70, 45]).copy('float32');
    const b = randn(2, [45, 33]).copy('float32');
    const c = new NDArray(new Float32Array(70 * 33), [70, 33]) as Mat;
    expect(explain('gemm', { alpha: 1, a, b, beta: 0, c }, 'async').backend).toBe('webgpu');
    expect(explain('gemm', { alpha: 1, a, b, beta: 0, c }, 'sync').considered[0].reason).toMatch(
      /only an async/,
    );
    const before = webgpuStats().readbacks;
    const got = await matmulAsync(a, b);
    expect(webgpuStats().readbacks - before).toBe(1);
    expect(got.dtype).toBe('float32');
    expect(
      scaledError(got.copy('float64').data, hostMatmul(a, b), hostMatmul(absf(a), absf(b))),
    ).toBeLessThan(47 * U32);
  });

  it('gemm writes a strided output view and honours beta; gemmBatched and gemv run too', async () => {
    const a = randn(3, [20, 9]).copy('float32');
    const b = randn(4, [9, 14]).copy('float32');
    const cBig = randn(5, [14, 20]).copy('float32');
    const c = cBig.T as Mat; // strided 20 x 14 view
    const c0 = c.copy('float64');
    await runKernelAsync('gemm', { alpha: 2, a: a as Mat, b: b as Mat, beta: 0.5, c });
    const ref = hostMatmul(a, b).copy('float64');
    const scale = hostMatmul(absf(a), absf(b)).copy('float64');
    for (let i = 0; i < ref.size; i++) {
      ref.data[i] = 2 * ref.data[i] + 0.5 * c0.data[i];
      scale.data[i] = 2 * scale.data[i] + 0.5 * Math.abs(c0.data[i]);
    }
    expect(scaledError(c.copy('float64').data, ref, scale)).toBeLessThan(12 * U32);

    const ba = randn(6, [4, 17, 9]).copy('float32');
    const bb = randn(7, [4, 9, 5]).copy('float32');
    const before = webgpuStats().dispatches;
    const got = await matmulAsync(ba, bb);
    expect(webgpuStats().dispatches - before).toBe(1);
    expect(
      scaledError(got.copy('float64').data, hostMatmul(ba, bb), hostMatmul(absf(ba), absf(bb))),
    ).toBeLessThan(12 * U32);

    const x = randn(8, [9]).copy('float32');
    const y = new NDArray(new Float32Array(20), [20]);
    await runKernelAsync('gemv', { alpha: 1, a: a as Mat, x, beta: 0, y });
    const gref = hostMatmul(a, x.reshape([9, 1])).reshape([20]);
    expect(
      scaledError(y.data, gref, hostMatmul(absf(a), absf(x).reshape([9, 1])).reshape([20])),
    ).toBeLessThan(12 * U32);
  });

  it('declines float64, small calls and software adapters, with reasons', () => {
    const a = randn(1, [8, 8]) as Mat;
    const c = new NDArray(new Float64Array(64), [8, 8]) as Mat;
    const e = explain('gemm', { alpha: 1, a, b: a, beta: 0, c }, 'async');
    expect(e.backend).toBe('js');
    expect(e.considered[0].reason).toMatch(/float32/);
    const f = a.copy('float32') as Mat;
    const fc = c.copy('float32') as Mat;
    THRESHOLDS.minFlops = 1e9;
    expect(explain('gemm', { alpha: 1, a: f, b: f, beta: 0, c: fc }, 'async').considered[0].reason).toMatch(
      /minFlops/,
    );
    THRESHOLDS.minFlops = 0;
    if (deviceState()?.software) {
      THRESHOLDS.allowSoftware = false;
      expect(explain('gemm', { alpha: 1, a: f, b: f, beta: 0, c: fc }, 'async').considered[0].reason).toMatch(
        /software/,
      );
      THRESHOLDS.allowSoftware = true;
    }
  });

  it('device loss: the backend reports it, calls fall back to js, a new device can be requested', async () => {
    const x = toGPU([1, 2, 3]);
    deviceState()!.device.destroy(); // what a lost device looks like to us
    await new Promise((r) => setTimeout(r, 50));
    const p = probe();
    expect(p.available).toBe(false);
    expect(p.reason).toMatch(/device lost/);
    const a = randn(9, [30, 30]).copy('float32');
    const e = explain('gemm', { alpha: 1, a: a as Mat, b: a as Mat, beta: 0, c: a.copy() as Mat }, 'async');
    expect(e.backend).toBe('js');
    expect(e.considered[0].reason).toMatch(/unavailable: webgpu: device lost/);
    const got = await matmulAsync(a, a);
    expect(
      scaledError(got.copy('float64').data, hostMatmul(a, a), hostMatmul(absf(a), absf(a))),
    ).toBeLessThan(40 * U32);
    x.dispose(); // releasing an array of the lost device does not throw
    expect(() => toGPU([1])).toThrow(/webgpu.*device lost/);
    expect((await initWebGPU()).available).toBe(true);
    expect([...(await toGPU([4, 5]).read())]).toEqual([4, 5]);
  });

  it('no adapter: a clear reason, and the backend stays unavailable', async () => {
    releaseWebGPU();
    const fake = { requestAdapter: async () => null } as unknown as GPU;
    const a = await initWebGPU({ gpu: fake });
    expect(a.available).toBe(false);
    expect(a.reason).toBe('webgpu: no adapter (requestAdapter returned null)');
    await expect(initWebGPU({ colour: 1 } as never)).rejects.toThrow(/colour/);
    expect((await initWebGPU()).available).toBe(true);
  });
});
