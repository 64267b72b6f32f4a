/**
 * @krylov/decompositions: dense factorizations, eigensolvers, matrix functions and SPD geometry.
 * Every routine dispatches its core kernel through the registry, so a native backend accelerates
 * it when one is installed.
 */
export * from './factor/index.js';
export * from './matfun/index.js';
export * from './spectral/index.js';
export { type Batched, batched } from './util/batch.js';
export type { Floating } from './util/validate.js';
