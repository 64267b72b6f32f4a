/**
 * @krylov/decompositions: dense factorizations, eigensolvers, matrix functions and SPD geometry.
 * Every routine dispatches its core kernel through the registry, so a native backend accelerates
 * it when one is installed.
 */
export * from './factor/index.js';
export * from './matfun/index.js';
export * from './spectral/index.js';
// The LAPACK-style kernel dispatchers, each validating its operands' structure first (see kernels.ts).
export {
  geev,
  gelsd,
  geqp3,
  geqrf,
  gesdd,
  gesv,
  getrf,
  getrs,
  orgqr,
  ormqr,
  potrf,
  potrs,
  syevd,
  syevr,
  trtrs,
} from './kernels.js';
export { type Batched, batched } from './util/batch.js';
export type { Floating, SymmetryOption } from './util/validate.js';
