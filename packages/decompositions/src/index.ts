/**
 * @krylov/decompositions: dense factorizations, eigensolvers, matrix functions and SPD geometry.
 * Every routine dispatches its core kernel through the registry, so a native backend accelerates
 * it when one is installed. The LAPACK-style kernel dispatchers (potrf, getrf, geqrf, ...) are
 * not public API: plugin authors and the packages above import them from the internal entry point
 * `@krylov/decompositions/kernels`.
 */
export * from './factor/index.js';
export * from './lowrank/index.js';
export * from './matfun/index.js';
export * from './spectral/index.js';
export { type Batched, batched } from './util/batch.js';
export type { Floating, SymmetryOption } from './util/validate.js';
export {
  type AsyncOptions,
  eighAsync,
  lstsqAsync,
  luAsync,
  qrAsync,
  solveAsync,
  svdAsync,
} from './async.js';
