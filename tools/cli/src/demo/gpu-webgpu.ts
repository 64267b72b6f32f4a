import { type NDArray, matmul, rng } from '@krylov/core-array';
import { matmul as gpuMatmul, initWebGPU, norm, rangeFinder, toGPU } from '@krylov/gpu-webgpu';
import type { DemoSection } from './types.js';

/**
 * The WebGPU backend end to end on the device: a randomized range finder (gemm, CholeskyQR3 and
 * power iterations, no intermediate readback) on a matrix of exact rank 16. Without an adapter the
 * row says why instead of failing.
 */
export const section: DemoSection = {
  package: '@krylov/gpu-webgpu',
  backend: 'webgpu',
  async run() {
    const avail = await initWebGPU();
    if (!avail.available)
      return [{ task: 'range finder on the GPU', accuracy: `skipped: ${avail.reason}`, ms: 0 }];
    const g = rng(3);
    const a = matmul(g.normal([256, 16]), g.normal([16, 192]));
    const t0 = performance.now();
    const ga = toGPU(a.astype('float32'));
    const q = rangeFinder(ga, 24, { seed: 1, powerIterations: 1 });
    // ||A - Q Q^T A|| / ||A||, computed on the device: one readback
    const resid = norm(gpuMatmul(q, gpuMatmul(q, ga, { transA: true }), { alpha: -1, beta: 1, c: ga }));
    const r = (await resid.read())[0];
    const ms = performance.now() - t0;
    const fro = Math.sqrt((a as NDArray<'float64'>).data.reduce((s, v) => s + v * v, 0));
    for (const x of [ga, q, resid]) x.dispose();
    const where = avail.details?.software ? ', software adapter' : '';
    return [
      {
        task: `range finder 256x192 rank 16, f32 on the GPU${where}`,
        accuracy: `rel. residual ${(r / fro).toExponential(1)}`,
        ms,
      },
    ];
  },
};
