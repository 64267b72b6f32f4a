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
  type RiemannianOptions,
  riemannianAdam,
  riemannianSgd,
  spd,
  stiefel,
} from './manifolds.js';
