export type { LowRankIterationOptions, LowRankProgress, LowRankReport, LowRankStopReason } from './common.js';
export { type NmfInit, type NmfOptions, type NmfResult, nmf, nmfBetaDivergence } from './nmf.js';
export { type EighGeneralizedOptions, eighGeneralized } from './eigh-generalized.js';
export { productPinv } from './product-pinv.js';
// SPD geometry beside affineInvariantDistance; exported here so that matfun/index.ts stays untouched
export { type SvdUpdateOptions, type ThinSvd, svdAppendColumns, svdUpdate } from './svd-update.js';
export {
  type RowWeightedSvdOptions,
  type WeightedLowRankFactors,
  type WeightedLowRankOptions,
  fisherWeightedSvd,
  rowWeightedSvd,
  weightedLowRank,
} from './weighted.js';
export {
  type CompletionOptions,
  type CompletionResult,
  type ScaledGdOptions,
  type SoftImputeOptions,
  type SoftImputeResult,
  altMinComplete,
  scaledGd,
  softImpute,
} from './completion.js';
