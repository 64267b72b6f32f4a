import type { Rng } from '@krylov/core-array';
import type { NoiseLevel } from '../model.js';
import type { NoiseSchedule } from '../schedules.js';
import type { Batch } from '../vector.js';

/** A model evaluation a sampler needs next: the batch `x` at time `t`, during step `step`. */
export interface EvalRequest {
  x: Batch;
  level: NoiseLevel;
  step: number;
}

/** What a sampler program sees: the schedule, the times (descending; a final 0 means clean data), the start and the noise. */
export interface SamplerContext {
  schedule: NoiseSchedule;
  times: Float64Array;
  x: Batch;
  /** Standard normal noise shaped like x (stochastic samplers only). */
  noise: () => Batch;
}

/**
 * A sampler is a program over model evaluations: it yields `EvalRequest`s, receives the clean-data
 * prediction (denoised x0) for each, and returns the final sample. Driving it with a model gives
 * the k-diffusion-style function (`sample`); driving it one output at a time gives the
 * diffusers-style `step` API (`SamplingRun`). One implementation serves both.
 */
export type SamplerProgram = Generator<EvalRequest, Batch, Batch>;

export interface Sampler {
  readonly name: string;
  /** Whether the sampler draws noise (and so needs a seed). */
  readonly stochastic: boolean;
  program(ctx: SamplerContext): SamplerProgram;
}

export type { Rng };
