import { type FloatDType, type NDArray, isNDArray, matmul, rng } from '@krylov/core-array';
import { afterAll } from 'vitest';
import { type CsrLike, type GPUArray, initWebGPU, releaseWebGPU, toGPU } from '../src/index.js';

/**
 * Acquires the device for a test file. In CI (env CI or KRYLOV_REQUIRE_WEBGPU set) a missing
 * adapter throws, so the suite fails instead of skipping; elsewhere the GPU tests are skipped with
 * the reason printed.
 */
export async function requireGpu(): Promise<boolean> {
  const a = await initWebGPU();
  afterAll(() => releaseWebGPU());
  if (a.available) return true;
  if (process.env.CI || process.env.KRYLOV_REQUIRE_WEBGPU)
    throw new Error(`WebGPU is required here (CI or KRYLOV_REQUIRE_WEBGPU) but unavailable: ${a.reason}`);
  console.warn(`skipping WebGPU tests: ${a.reason}`);
  return false;
}

/** A seeded standard normal matrix in float64. */
export function randn(seed: number, shape: readonly number[]): NDArray<'float64'> {
  return rng(seed).normal(shape);
}

/** |x| elementwise in float64. */
export function absf(x: NDArray): NDArray<'float64'> {
  const c = x.copy('float64');
  for (let i = 0; i < c.size; i++) c.data[i] = Math.abs(c.data[i]);
  return c as NDArray<'float64'>;
}

/** Float64 product via the pure-JS kernels (the oracle). */
export function mm(a: NDArray, b: NDArray): NDArray<FloatDType> {
  return matmul(a.copy('float64'), b.copy('float64'));
}

/**
 * The largest entrywise error of `got` against `ref`, relative to the entrywise bound `scale`
 * (e.g. |A||B| for a product): max |got - ref| / scale. Float32 rounding gives about k 2^-24.
 */
export function scaledError(got: ArrayLike<number>, ref: NDArray, scale: NDArray): number {
  const r = ref.copy('float64').data;
  const s = scale.copy('float64').data;
  if (got.length !== r.length) throw new Error(`length ${got.length} vs ${r.length}`);
  let worst = 0;
  for (let i = 0; i < r.length; i++) {
    const d = Math.abs(got[i] - r[i]) / Math.max(s[i], 1e-30);
    if (!(d <= worst)) worst = Number.isNaN(d) ? Number.POSITIVE_INFINITY : Math.max(worst, d);
  }
  return worst;
}

export const U32 = 2 ** -24;

/**
 * toGPU with the explicit float32 conversion the tests' float64 inputs need (toGPU refuses other
 * dtypes); the float64 originals stay the oracles.
 */
export function gpu(data: NDArray | Float32Array | readonly number[], shape?: readonly number[]): GPUArray {
  return toGPU(isNDArray(data) && data.dtype !== 'float32' ? data.astype('float32') : data, shape);
}

/** A CSR matrix's arrays with the values converted explicitly to float32 (toGPUCsr refuses float64). */
export function csr32(a: {
  shape: readonly number[];
  indptr: Int32Array;
  indices: Int32Array;
  data: ArrayLike<number>;
}): CsrLike {
  return {
    shape: [a.shape[0], a.shape[1]],
    indptr: a.indptr,
    indices: a.indices,
    data: Float32Array.from(a.data),
  };
}
