export type {
  IterationInfo,
  IterativeOptions,
  Preconditioner,
  ProgressHook,
  SolveResult,
  StopReason,
  SymmetricIterativeOptions,
} from './common.js';
export { bicgstab, bicgstabAsync } from './bicgstab.js';
export { cg, cgAsync } from './cg.js';
export { fgmres, fgmresAsync, type GmresOptions, gmres, gmresAsync } from './gmres.js';
export { type EigshOptions, type EigshResult, eigsh, type SvdsResult, svds, type Which } from './lanczos.js';
export {
  type LeastSquaresOptions,
  type LeastSquaresResult,
  lsmr,
  lsmrAsync,
  lsqr,
  lsqrAsync,
} from './lsq.js';
export { minres, minresAsync } from './minres.js';
