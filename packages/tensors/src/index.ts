/**
 * @krylov/tensors: tensor decompositions. Tucker (HOSVD, HOOI), CP by ALS with line search,
 * symmetric CP by the subspace power method, and the t-product / t-SVD of third-order tensors.
 * Matrix low-rank methods (truncated and randomized SVD, NMF, ...) live in
 * `@krylov/decompositions` and `@krylov/sketching`.
 */
export type { FitReport, ProgressInfo, ProgressOptions, StopReason } from './common.js';
export { fold, type ModeProductOptions, modeProduct, multiModeProduct, unfold } from './unfold.js';
export {
  type HosvdOptions,
  type HosvdResult,
  hosvd,
  tucker,
  type TuckerOptions,
  type TuckerResult,
  type TuckerTensor,
  tuckerToTensor,
} from './tucker.js';
export { type CPTensor, cpToTensor, parafac, type ParafacOptions, type ParafacResult } from './cp.js';
export {
  tidentity,
  tproduct,
  type TsvdOptions,
  type TsvdResult,
  tsvd,
  ttranspose,
  tubalRank,
} from './tproduct.js';
export { symmetricCp, type SymmetricCpOptions, type SymmetricCpResult } from './symmetric-cp.js';
