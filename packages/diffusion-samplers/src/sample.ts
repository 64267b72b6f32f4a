import {
  InvalidArgumentError,
  type NDArray,
  type Rng,
  type SeedLike,
  checkOptions,
  toRng,
} from '@krylov/core-array';
import {
  type DiffusionModel,
  type NoiseLevel,
  type Prediction,
  checkPrediction,
  levelAt,
  toX0,
} from './model.js';
import type { EvalRequest, Sampler, SamplerProgram } from './samplers/types.js';
import type { NoiseSchedule } from './schedules.js';
import { type Spacing, checkTimes, timesteps } from './spacing.js';
import { type Batch, checkFinite, checkSameShape, lincomb } from './vector.js';

export interface SamplingOptions {
  schedule: NoiseSchedule;
  /** Number of steps (with `spacing`, `final`, `start`); or give `times` explicitly. */
  steps?: number;
  spacing?: Spacing;
  final?: 'zero' | 'tmin';
  /** Start time for image-to-image (x must then be the input noised to this time; see `noiseTo`). */
  start?: number;
  times?: ArrayLike<number>;
  /** Seed or generator for stochastic samplers (required by them, so runs are reproducible). */
  seed?: SeedLike;
  /** Called after every model evaluation. */
  onProgress?: (info: ProgressInfo) => void;
  signal?: AbortSignal;
}

export interface ProgressInfo {
  step: number;
  steps: number;
  nfe: number;
  t: number;
}

const SAMPLING_KEYS = [
  'schedule',
  'steps',
  'spacing',
  'final',
  'start',
  'times',
  'seed',
  'onProgress',
  'signal',
];

/**
 * One sampling run driven one model output at a time, for users who run the loop themselves
 * (the diffusers `scheduler.step` style):
 *
 * ```ts
 * const run = new SamplingRun(dpmSolverPP(), x, 'epsilon', { schedule, steps: 20 });
 * while (!run.done) run.step(await net(run.input.x, run.input.level));
 * const result = run.result;
 * ```
 */
export class SamplingRun {
  readonly times: Float64Array;
  readonly schedule: NoiseSchedule;
  private readonly program: SamplerProgram;
  private pending: IteratorResult<EvalRequest, Batch>;
  private readonly prediction: Prediction;
  private evaluations = 0;

  /**
   * @throws InvalidArgumentError for an unknown prediction type, bad times or a missing seed for a stochastic sampler.
   */
  constructor(
    sampler: Sampler,
    x: Batch,
    prediction: Prediction,
    options: Omit<SamplingOptions, 'onProgress' | 'signal'>,
  ) {
    const fn = 'SamplingRun';
    checkOptions(fn, options, SAMPLING_KEYS);
    checkPrediction(fn, 'prediction', prediction);
    const { schedule } = options;
    if (options.times !== undefined && options.steps !== undefined)
      throw new InvalidArgumentError(fn, 'options.times', 'times and steps', 'only one of times and steps');
    this.times =
      options.times !== undefined
        ? checkTimes(fn, schedule, options.times)
        : timesteps(schedule, options.steps ?? 20, {
            spacing: options.spacing,
            final: options.final,
            start: options.start,
          });
    if (sampler.stochastic && options.seed === undefined)
      throw new InvalidArgumentError(
        fn,
        'options.seed',
        undefined,
        `a seed or Rng: ${sampler.name} is stochastic`,
      );
    checkFinite(fn, 'x', x, 0);
    const rng: Rng | null = options.seed === undefined ? null : toRng(options.seed);
    const noise = () => rng!.normal([...x.shape], { dtype: x.dtype }) as Batch;
    this.schedule = schedule;
    this.prediction = prediction;
    this.program = sampler.program({ schedule, times: this.times, x, noise });
    this.pending = this.program.next();
  }

  get done(): boolean {
    return this.pending.done === true;
  }

  /** The evaluation needed next: the batch and its noise level (t, alpha, sigma). */
  get input(): EvalRequest {
    if (this.pending.done)
      throw new InvalidArgumentError('SamplingRun.input', 'run', 'finished', 'a run that is not done');
    return this.pending.value;
  }

  /** Number of model evaluations so far. */
  get nfe(): number {
    return this.evaluations;
  }

  /**
   * Feeds the model output for `input` and advances to the next needed evaluation.
   * @throws ShapeError for a mis-shaped output; InvalidArgumentError (naming the step) for NaN or infinity.
   */
  step(output: NDArray): void {
    const { x, level, step } = this.input;
    checkSameShape('SamplingRun.step', 'output', x, output);
    checkFinite('SamplingRun.step', 'model output', output, step);
    const d = toX0(output as Batch, this.prediction, x, level.t, this.schedule);
    this.evaluations++;
    this.pending = this.program.next(d);
  }

  /** The final sample. */
  get result(): Batch {
    if (!this.pending.done)
      throw new InvalidArgumentError(
        'SamplingRun.result',
        'run',
        'unfinished',
        'a finished run (step until done)',
      );
    return this.pending.value;
  }
}

/**
 * Samples with `sampler`: starting from x at the first time, calls the model (sync or async) for
 * every evaluation the sampler asks for and returns the final batch (k-diffusion's
 * `sample_*(model, x, sigmas)` shape, over one implementation shared with `SamplingRun`).
 * @throws InvalidArgumentError for bad options or a non-finite model output (naming the step);
 *   DOMException 'AbortError' when `signal` aborts.
 */
export async function sample(
  model: DiffusionModel,
  sampler: Sampler,
  x: Batch,
  options: SamplingOptions,
): Promise<Batch> {
  checkOptions('sample', options, SAMPLING_KEYS);
  const { onProgress, signal, ...rest } = options;
  const run = new SamplingRun(sampler, x, model.prediction, rest);
  const steps = run.times.length - 1;
  while (!run.done) {
    signal?.throwIfAborted();
    const { x: xi, level, step } = run.input;
    run.step(await model.predict(xi, level));
    onProgress?.({ step, steps, nfe: run.nfe, t: level.t });
  }
  return run.result;
}

/** Standard normal noise scaled to the schedule's noise level at `t` (default tMax): the usual starting batch. */
export function initialNoise(
  schedule: NoiseSchedule,
  shape: readonly number[],
  seed: SeedLike,
  options?: { t?: number; dtype?: 'float64' | 'float32' },
): Batch {
  checkOptions('initialNoise', options, ['t', 'dtype']);
  const level = levelAt(schedule, options?.t ?? schedule.tMax);
  const z = toRng(seed).normal([...shape], { dtype: options?.dtype ?? 'float64' }) as Batch;
  return lincomb([[level.sigma, z]]);
}

/** x_t = alpha(t) x0 + sigma(t) z: a clean batch noised to time t (the start of image-to-image sampling). */
export function noiseTo(x0: Batch, t: number, schedule: NoiseSchedule, seed: SeedLike): Batch {
  const level: NoiseLevel = levelAt(schedule, t);
  return lincomb([
    [level.alpha, x0],
    [level.sigma, toRng(seed).normal([...x0.shape], { dtype: x0.dtype }) as Batch],
  ]);
}
