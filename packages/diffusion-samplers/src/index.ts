/**
 * @krylov/diffusion-samplers: noise schedules, timestep spacings, ODE/SDE samplers (each a short
 * program over model evaluations, driven by `sample` or step by step by `SamplingRun`), exact
 * Gaussian and mixture models, and inverse-problem guidance.
 */
export * from './exact.js';
export { computeEms, type EmpiricalModelStatistics } from './ems.js';
export * from './mixture.js';
export * from './model.js';
export * from './sample.js';
export { adaptiveSde, type AdaptiveSdeOptions } from './samplers/adaptive.js';
export { ddim, ddpm, euler, eulerAncestral } from './samplers/ddim.js';
export { dpmSolver, dpmSolverPP, type DpmSolverPPOptions } from './samplers/dpm-solver.js';
export { dpmSolverV3, type DpmSolverV3Options } from './samplers/dpm-solver-v3.js';
export { flowEuler, flowHeun } from './samplers/flow.js';
export { edmStochastic, type EdmStochasticOptions, heun } from './samplers/heun.js';
export type { FinalStepPolicy } from './samplers/common.js';
export type { EvalRequest, Sampler, SamplerContext, SamplerProgram } from './samplers/types.js';
export { unipc, type UniPCOptions } from './samplers/unipc.js';
export * from './schedules.js';
export { checkTimes, type Spacing, type TimestepOptions, timesteps } from './spacing.js';
export type { Batch } from './vector.js';
export * from './guidance.js';
