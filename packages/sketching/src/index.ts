/**
 * @krylov/sketching: randomized numerical linear algebra. Sketching operators, randomized low-rank
 * approximation, sketch-and-precondition least squares, leverage scores, trace estimation,
 * mergeable streaming sketches and random features.
 */
export {
  Sketch,
  countSketch,
  gaussianSketch,
  rademacherSketch,
  samplingSketch,
  sparseSignSketch,
  srhtSketch,
} from './operators.js';
export {
  type LowRankSvd,
  type RandomizedEighOptions,
  type RangeFinderOptions,
  adaptiveRangeFinder,
  blockKrylovSvd,
  randomizedEigh,
  randomizedSvd,
  rangeFinder,
} from './lowrank.js';
export { SinglePassSvd } from './streaming-svd.js';
export { type KernelOracle, nystrom, rpCholesky } from './psd.js';
export {
  type CurDecomposition,
  type InterpolativeDecomposition,
  cur,
  interpolativeDecomposition,
} from './id.js';
export { type SketchKind, sketchAndSolve, sketchPreconditionedLstsq } from './leastsq.js';
export { approximateLeverageScores, leverageScores, ridgeLeverageScores } from './leverage.js';
export {
  type SlqOptions,
  type TraceEstimate,
  diagonalEstimate,
  hutchinson,
  hutchpp,
  logdet,
  slq,
  xtrace,
} from './trace.js';
export {
  CountSketchStream,
  type CountSketchState,
  FrequentDirections,
  type FrequentDirectionsState,
} from './streaming.js';
export { randomFourierFeatures } from './features.js';
export type { MatrixLike } from './validate.js';
