/**
 * @krylov/core-array: NDArray, dtypes, views, elementwise operations, reductions, BLAS-like
 * kernels, seeded random generation, `.npy` I/O, typed errors and the backend registry.
 */
export * from './creation.js';
export * from './dtype.js';
export * from './errors.js';
export { contiguousStrides, type StridedOperand, shapeSize, stridedLoop } from './iter.js';
export type { Mat, Vec, KernelSignatures } from './kernels/signatures.js';
export {
  type Check,
  firstFailure,
  floatOperands,
  gemmBatchedOperands,
  gemmOperands,
  gemvOperands,
  shapeMismatch,
  shapeText,
} from './kernels/checks.js';
export { copyInto, isNDArray, NDArray, type NestedArray, normalizeAxis, type SliceSpec } from './ndarray.js';
export * from './io/index.js';
export * from './linalg/index.js';
export * from './ops/index.js';
export * from './random/index.js';
export * from './registry.js';
export * from './validate.js';
export { checkWritable, mayShareMemory, separate } from './overlap.js';
