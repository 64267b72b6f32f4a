/**
 * @krylov/core-array: NDArray, dtypes, views, elementwise operations, reductions, BLAS-like
 * kernels, seeded random generation, `.npy` I/O, typed errors and the backend registry.
 */
export * from './creation.js';
export * from './dtype.js';
export * from './errors.js';
export { contiguousStrides, type StridedOperand, shapeSize, stridedLoop } from './iter.js';
export {
  type CsrOperand,
  type KernelSignatures,
  type Mat,
  type Vec,
  referencePackage,
} from './kernels/signatures.js';
export {
  type Check,
  firstFailure,
  floatOperands,
  gemmBatchedOperands,
  gemmOperands,
  gemvOperands,
  shapeMismatch,
  shapeText,
  spmvOperands,
  syrkOperands,
  trsmOperands,
  trsvOperands,
} from './kernels/checks.js';
export { forEachBatch } from './kernels/batch.js';
export { copyInto, isNDArray, NDArray, type NestedArray, normalizeAxis, type SliceSpec } from './ndarray.js';
export * from './io/index.js';
export * from './linalg/index.js';
export * from './ops/index.js';
export * from './random/index.js';
export * from './registry.js';
export * from './validate.js';
export { checkWritable, mayShareMemory, separate } from './overlap.js';
export { type ArrayInput, type AsArrayOptions, asarray } from './asarray.js';
export { type DriveOptions, DEFAULT_SLICE_MS, drive, runToEnd, yieldToEventLoop } from './async/slice.js';
export {
  configureWorkers,
  distModule,
  runTask,
  type RunTaskOptions,
  terminateWorkers,
  type WorkerPoolOptions,
  type WorkerTask,
} from './async/pool.js';
