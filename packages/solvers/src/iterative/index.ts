export type {
  IterationInfo,
  IterativeOptions,
  Preconditioner,
  SolveResult,
  StopReason,
  SymmetricIterativeOptions,
} from './common.js';
export { bicgstab } from './bicgstab.js';
export { cg } from './cg.js';
export { fgmres, type GmresOptions, gmres } from './gmres.js';
export { type EigshOptions, type EigshResult, eigsh, type SvdsResult, svds, type Which } from './lanczos.js';
export { type LeastSquaresOptions, type LeastSquaresResult, lsmr, lsqr } from './lsq.js';
export { minres } from './minres.js';
