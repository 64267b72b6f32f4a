/**
 * @krylov/gpu-webgpu: a Krylov backend on WebGPU, in Node through Dawn (the optional `webgpu`
 * package) and in browsers through `navigator.gpu`. Two layers:
 * - device-resident float32 arrays (`toGPU`, `GPUArray`) with lazy, fused elementwise operations,
 *   reductions, transpose, batched gemm, gemv, CSR SpMV, Newton-Schulz, a Muon step and a
 *   randomized range finder, all chained on the device with one readback at the end;
 * - registry kernels (gemm, gemmBatched, gemv; async, float32) for core-array's async entry
 *   points (`matmulAsync`, `kernel.async`).
 * `await init({ plugins: [...] })` registers it and acquires a device (or `use(plugin)`, then
 * `await initWebGPU()`); nothing runs on import. Without a device the backend reports why and every call falls back to the other backends.
 */
import type { Backend, Plugin } from '@krylov/core-array';
import { initWebGPU } from './device.js';
import { probe } from './device.js';
import { webgpuKernels } from './kernels.js';

export { GPUArray, toGPU } from './array.js';
export {
  type DeviceState,
  SWIFTSHADER_ICD,
  type WebGPUOptions,
  deviceState,
  initWebGPU,
  lastDeviceError,
  probe,
  releaseWebGPU,
  synchronize,
} from './device.js';
export {
  type Operand,
  abs,
  add,
  axpby,
  div,
  exp,
  log,
  maximum,
  minimum,
  mul,
  neg,
  pow,
  reciprocal,
  relu,
  sign,
  sqrt,
  sub,
  tanh,
} from './elementwise.js';
export { THRESHOLDS, type Thresholds } from './kernels.js';
export { type MatmulOptions, gemv, matmul } from './linalg.js';
export {
  type MuonStepOptions,
  NEWTON_SCHULZ_COEFFICIENTS,
  type NewtonSchulzOptions,
  choleskyQr,
  muonStep,
  newtonSchulz,
  rangeFinder,
} from './orthogonalize.js';
export { max, min, norm, sum, sumSquares, transpose } from './reduce.js';
export { type WebGPUStats, WebGPUError, trimPool, webgpuStats } from './runtime.js';
export { type CsrLike, GPUCsr, spmv, toGPUCsr } from './sparse.js';

/**
 * The `webgpu` backend: priority 150 (ahead of native), async-only float32 kernels gemm,
 * gemmBatched and gemv; each declines float64, calls below `THRESHOLDS.minFlops`, and software
 * adapters unless `THRESHOLDS.allowSoftware`, so those run on the next backend.
 */
export const backend: Backend = {
  name: 'webgpu',
  priority: 150,
  description: 'WebGPU compute shaders (WGSL, float32): Dawn in Node, navigator.gpu in browsers',
  probe,
  kernels: webgpuKernels(),
};

/**
 * The plugin: `await init({ plugins: [await import('@krylov/gpu-webgpu')] })` registers the backend
 * and acquires the device (its `setup` is `initWebGPU()` with default options); after `use(plugin)`,
 * call `await initWebGPU(options)` yourself.
 */
export const plugin: Plugin = { name: '@krylov/gpu-webgpu', backends: [backend], setup: () => initWebGPU() };
