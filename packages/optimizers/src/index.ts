/**
 * @krylov/optimizers: optimizers built as chains of small gradient transformations (as optax),
 * with the PyTorch-style `Optimizer` object on top, learning-rate schedules and checkpointable state.
 */
export {
  type FactoryState,
  type OptimizerStateDict,
  type OptionsOf,
  Optimizer,
  type ParamGroup,
} from './optimizer.js';
export * from './optimizers.js';
export * from './torch-optimizers.js';
export * from './schedules.js';
export { decodeState, encodeState } from './state.js';
export {
  chain,
  type GradientTransformation,
  partition,
  perParameter,
  type PerParameterState,
  type StateOf,
  type StateValue,
  maximizing,
} from './transform.js';
export { adafactor, type AdafactorOptions, type AdafactorState } from './transforms/adafactor.js';
export {
  addDecayedWeights,
  clipByGlobalNorm,
  type LearningRateState,
  scaleByLearningRate,
} from './transforms/basic.js';
export {
  type AdamMomentOptions,
  type AdamState,
  type LionState,
  type RmsOptions,
  type RmsState,
  type RssOptions,
  type RssState,
  type ScaleByLionOptions,
  scaleByAdam,
  scaleByLion,
  scaleByRms,
  scaleByRss,
  trace,
  type TraceOptions,
  type TraceState,
} from './transforms/moments.js';
export type { Buffer, ParamTree } from './tree.js';
export { galore, type GaloreOptions, type GaloreSlot, type GaloreState } from './transforms/galore.js';
export {
  muon,
  type MuonOptimizerState,
  type MuonOptions,
  type MuonState,
  scaleByMuon,
} from './transforms/muon.js';
export {
  scaleByShampoo,
  type ShampooBlock,
  type ShampooOptions,
  type ShampooState,
} from './transforms/shampoo.js';
export { scaleBySoap, type SoapOptions, type SoapState } from './transforms/soap.js';
export {
  type Manifold,
  type RiemannianAdamOptions,
  type RiemannianAdamState,
  type RiemannianOptions,
  type RiemannianSgdState,
  riemannianAdam,
  riemannianSgd,
  spd,
  stiefel,
} from './manifolds.js';
export {
  type AdadeltaMomentOptions,
  type AdadeltaState,
  type AdamaxMomentOptions,
  type AdamaxState,
  type NadamMomentOptions,
  type NadamState,
  type RadamState,
  type SparseAdamState,
  scaleByAdadelta,
  scaleByAdamax,
  scaleByNadam,
  scaleByRadam,
  scaleBySparseAdam,
} from './transforms/adaptive.js';
export {
  type AsgdOptions,
  type AsgdState,
  type RpropOptions,
  type RpropState,
  scaleByAsgd,
  scaleByRprop,
} from './transforms/step-size.js';
export { LBFGS, type LbfgsEvaluation, type LbfgsOptions, type LbfgsState } from './lbfgs.js';
export {
  type FilteredGradState,
  shampoo,
  type ShampooOptimizerOptions,
  type ShampooOptimizerState,
  soap,
  type SoapOptimizerOptions,
  type SoapOptimizerState,
} from './matrix-optimizers.js';
export {
  KFAC,
  type KfacLayer,
  type KfacLayerState,
  type KfacLayerStats,
  type KfacOptions,
  type KfacState,
} from './kfac.js';
