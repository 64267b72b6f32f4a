/**
 * @krylov/optimizers: optimizers built as chains of small gradient transformations (as optax),
 * with the PyTorch-style `Optimizer` object on top, learning-rate schedules and checkpointable state.
 */
export { type OptionsOf, Optimizer, type ParamGroup } from './optimizer.js';
export * from './optimizers.js';
export * from './schedules.js';
export { decodeState, encodeState } from './state.js';
export { chain, type GradientTransformation, partition, perParameter, type StateValue } from './transform.js';
export { adafactor, type AdafactorOptions } from './transforms/adafactor.js';
export { addDecayedWeights, clipByGlobalNorm, scaleByLearningRate } from './transforms/basic.js';
export { scaleByAdam, scaleByLion, scaleByRms, scaleByRss, trace } from './transforms/moments.js';
export type { Buffer, ParamTree } from './tree.js';
export { galore, type GaloreOptions } from './transforms/galore.js';
export { muon, type MuonOptions, scaleByMuon } from './transforms/muon.js';
export { scaleByShampoo, type ShampooOptions } from './transforms/shampoo.js';
export { scaleBySoap, type SoapOptions } from './transforms/soap.js';
export { type Manifold, riemannianAdam, riemannianSgd, spd, stiefel } from './manifolds.js';
