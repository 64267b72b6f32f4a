import {
  DEFAULT_SLICE_MS,
  DTypeError,
  InvalidArgumentError,
  type NDArray,
  type Rng,
  type SeedLike,
  checkChoice,
  checkFunction,
  checkOptions,
  isFloatDType,
  optionKeys,
  toRng,
  yieldToEventLoop,
} from '@krylov/core-array';
import {
  checkArray,
  checkBatchArray,
  checkModel,
  checkSampler,
  checkSchedule,
  checkSeed,
  checkSignal,
  checkTime,
} from './check.js';
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
import { type Spacing, checkTimes, makeTimesteps } from './spacing.js';
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
  /**
   * Checked before every model evaluation: an abort rejects with the signal's reason (a
   * DOMException 'AbortError' or 'TimeoutError'). `sample` yields to the event loop at least every
   * few milliseconds even with a synchronous model, so `AbortSignal.timeout(ms)` fires on time.
   */
  signal?: AbortSignal;
}

/** The progress payload of `sample` (the repository's `onProgress` convention; docs/guide/naming.md). */
export interface ProgressInfo {
  /** Model evaluations done so far, counted from 1 (the same count as `nfe`). */
  iteration: number;
  /** Fraction of the steps done, in (0, 1]. */
  fraction: number;
  /** The step (0-based) the evaluation belongs to. */
  step: number;
  steps: number;
  nfe: number;
  /** The time of the evaluated level. */
  t: number;
}

/** The name model-output errors carry: `sample(<sampler>)` when `sample` drives the run. */
const callers = new WeakMap<SamplingRun, string>();

const SAMPLING_KEYS = optionKeys<SamplingOptions>()(
  'schedule',
  'steps',
  'spacing',
  'final',
  'start',
  'times',
  'seed',
  'onProgress',
  'signal',
);

/** {@link SamplingRun} takes no `onProgress` or `signal` (they are {@link sample}'s): passing one is an error, not a silent no-op. */
const RUN_KEYS = optionKeys<Omit<SamplingOptions, 'onProgress' | 'signal'>>()(
  'schedule',
  'steps',
  'spacing',
  'final',
  'start',
  'times',
  'seed',
);
/**
 * One sampling run driven one model output at a time, for users who run the loop themselves
 * (the diffusers `scheduler.step` style):
 *
 * Cost: the sampler's model evaluations (`nfe`), O(batch dim) per step besides them.
 *
 * @example
 * ```ts
 * import { rng } from '@krylov/core-array';
 * import { SamplingRun, dpmSolverPP, gaussianData, initialNoise, vpCosine } from '@krylov/diffusion-samplers';
 * const data = gaussianData({ mean: [1, -1], variances: [0.5, 2] }); // stands in for a network
 * const schedule = vpCosine();
 * const run = new SamplingRun(dpmSolverPP(), initialNoise(schedule, [16, 2], rng(1)), 'x0', { schedule, steps: 20 });
 * while (!run.done) run.step(await data.model.predict(run.input.x, run.input.level));
 * console.assert(run.nfe === 20 && run.result.shape[0] === 16, 'one evaluation per step');
 * ```
 */
export class SamplingRun {
  readonly times: Float64Array;
  readonly schedule: NoiseSchedule;
  private readonly program: SamplerProgram;
  private pending: IteratorResult<EvalRequest, Batch>;
  private readonly prediction: Prediction;
  private readonly samplerName: string;
  private evaluations = 0;

  /**
   * @throws InvalidArgumentError for a malformed sampler or schedule, an unknown prediction type,
   *   bad times or step counts, a bad seed, or a missing seed for a stochastic sampler;
   *   DTypeError / ShapeError for an x that is not a float batch; InvalidArgumentError for non-finite x.
   */
  constructor(
    sampler: Sampler,
    x: Batch,
    prediction: Prediction,
    options: Omit<SamplingOptions, 'onProgress' | 'signal'>,
  ) {
    const fn = 'SamplingRun';
    checkSampler(fn, 'sampler', sampler);
    checkBatchArray(fn, 'x', x);
    checkPrediction(fn, 'prediction', prediction);
    if (options === null || typeof options !== 'object')
      throw new InvalidArgumentError(fn, 'options', options, 'an options object with a schedule');
    checkOptions(fn, options, RUN_KEYS);
    const schedule = checkSchedule(fn, 'options.schedule', options.schedule);
    if (options.times !== undefined && options.steps !== undefined)
      throw new InvalidArgumentError(fn, 'options.times', 'times and steps', 'only one of times and steps');
    if (options.times !== undefined) {
      for (const k of ['spacing', 'final', 'start'] as const)
        if (options[k] !== undefined)
          throw new InvalidArgumentError(fn, `options.${k}`, options[k], 'no value when times are given');
      this.times = checkTimes(fn, schedule, options.times);
    } else {
      this.times = makeTimesteps(
        fn,
        'options.schedule',
        'options.steps',
        'options.',
        schedule,
        options.steps ?? 20,
        {
          spacing: options.spacing,
          final: options.final,
          start: options.start,
        },
      );
    }
    if (options.seed !== undefined) checkSeed(fn, 'options.seed', options.seed);
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
    this.samplerName = sampler.name;
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
   * @throws InvalidArgumentError for an output that is not an NDArray (a number, a plain array);
   *   DTypeError for a non-float output; ShapeError for a mis-shaped output; InvalidArgumentError
   *   (naming the step) for NaN or infinity. Each names the sampler.
   */
  step(output: NDArray): void {
    const { x, level, step } = this.input;
    const fn = callers.get(this) ?? `SamplingRun.step(${this.samplerName})`;
    const arg = `model output at step ${step}`;
    checkArray(fn, arg, output);
    if (!isFloatDType(output.dtype)) throw new DTypeError(fn, arg, output.dtype, 'float64 or float32');
    checkSameShape(fn, arg, x, output);
    checkFinite(fn, 'model output', output, step);
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
 * Cost: the sampler's model evaluations (about `steps` for one-evaluation-per-step samplers) plus
 * O(batch dim) per step.
 * @returns a Promise of the final batch (x's shape and dtype).
 * @example
 * ```ts
 * import { rng } from '@krylov/core-array';
 * import { dpmSolver, gaussianData, initialNoise, sample, vpCosine } from '@krylov/diffusion-samplers';
 * const data = gaussianData({ mean: [0, 0], variances: [1, 4] });
 * const schedule = vpCosine();
 * const x = initialNoise(schedule, [64, 2], rng(1));
 * const out = await sample(data.model, dpmSolver({ order: 3 }), x, { schedule, steps: 20 });
 * const exact = data.odeSolution(x, schedule.tMax, 0, schedule).toFlatArray();
 * console.assert(out.toFlatArray().every((v, i) => Math.abs(v - exact[i]) < 0.02), 'near the exact ODE solution');
 * ```
 */
export async function sample(
  model: DiffusionModel,
  sampler: Sampler,
  x: Batch,
  options: SamplingOptions,
): Promise<Batch> {
  const fn = 'sample';
  checkModel(fn, 'model', model);
  checkSampler(fn, 'sampler', sampler);
  if (options === null || typeof options !== 'object')
    throw new InvalidArgumentError(fn, 'options', options, 'an options object with a schedule');
  checkOptions(fn, options, SAMPLING_KEYS);
  const { onProgress, signal, ...rest } = options;
  if (onProgress !== undefined) checkFunction(fn, 'options.onProgress', onProgress);
  if (signal !== undefined) checkSignal(fn, 'options.signal', signal);
  const run = new SamplingRun(sampler, x, model.prediction, rest);
  callers.set(run, `sample(${sampler.name})`);
  const steps = run.times.length - 1;
  let slice = performance.now();
  while (!run.done) {
    signal?.throwIfAborted();
    const { x: xi, level, step } = run.input;
    run.step(await model.predict(xi, level));
    onProgress?.({ iteration: run.nfe, fraction: (step + 1) / steps, step, steps, nfe: run.nfe, t: level.t });
    // A synchronous model (or one that resolves at once) gives the event loop no turn: yield by time slice.
    if (performance.now() - slice >= DEFAULT_SLICE_MS) {
      await yieldToEventLoop();
      slice = performance.now();
    }
  }
  return run.result;
}

const INITIAL_NOISE_OPTIONS_KEYS = optionKeys<InitialNoiseOptions>()('t', 'dtype');

/** Options of {@link initialNoise}. */
export type InitialNoiseOptions = { t?: number; dtype?: 'float64' | 'float32' };

/**
 * Standard normal noise scaled to the schedule's noise level at `t` (default tMax): the usual starting batch.
 * @throws InvalidArgumentError for a malformed schedule, a t outside [tMin, tMax], a bad shape,
 *   seed or dtype.
 * @returns a batch of `shape` (float64 unless `dtype`), N(0, sigma(t)^2). O(size).
 * @example
 * ```ts
 * import { rng } from '@krylov/core-array';
 * import { edm, initialNoise } from '@krylov/diffusion-samplers';
 * const x = initialNoise(edm(), [1000, 1], rng(1));
 * const std = Math.sqrt(x.toFlatArray().reduce((s, v) => s + v * v, 0) / 1000);
 * console.assert(Math.abs(std / 80 - 1) < 0.1, 'std sigmaMax = 80');
 * ```
 */
export function initialNoise(
  schedule: NoiseSchedule,
  shape: readonly number[],
  seed: SeedLike,
  options?: InitialNoiseOptions,
): Batch {
  const fn = 'initialNoise';
  checkSchedule(fn, 'schedule', schedule);
  checkOptions(fn, options, INITIAL_NOISE_OPTIONS_KEYS);
  if (!Array.isArray(shape) || shape.length < 1 || shape.some((d) => !Number.isInteger(d) || d < 0))
    throw new InvalidArgumentError(
      fn,
      'shape',
      shape,
      'a batch shape [batch, ...dims] of non-negative integers',
    );
  checkSeed(fn, 'seed', seed);
  const t = checkTime(fn, 'options.t', options?.t ?? schedule.tMax, schedule, false);
  const dtype = checkChoice(fn, 'options.dtype', options?.dtype ?? 'float64', [
    'float64',
    'float32',
  ] as const);
  const level = levelAt(schedule, t);
  const z = toRng(seed).normal([...shape], { dtype }) as Batch;
  return lincomb([[level.sigma, z]]);
}

/**
 * x_t = alpha(t) x0 + sigma(t) z: a clean batch noised to time t (the start of image-to-image sampling).
 * @throws InvalidArgumentError for a t outside [tMin, tMax] (0 returns x0 unchanged), a malformed
 *   schedule, a bad seed or non-finite x0; DTypeError / ShapeError for an x0 that is not a float batch.
 * @returns a batch of x0's shape. O(size).
 * @example
 * ```ts
 * import { array, rng } from '@krylov/core-array';
 * import { noiseTo, vpCosine } from '@krylov/diffusion-samplers';
 * const x0 = array([[1, 2]]);
 * console.assert(noiseTo(x0, 0, vpCosine(), rng(1)).get(0, 1) === 2, 't = 0 returns x0');
 * const xt = noiseTo(x0, 0.5, vpCosine(), rng(1)); // start image-to-image sampling with { start: 0.5 }
 * ```
 */
export function noiseTo(x0: Batch, t: number, schedule: NoiseSchedule, seed: SeedLike): Batch {
  const fn = 'noiseTo';
  checkBatchArray(fn, 'x0', x0);
  checkSchedule(fn, 'schedule', schedule);
  checkTime(fn, 't', t, schedule, true);
  checkSeed(fn, 'seed', seed);
  checkFinite(fn, 'x0', x0, 0);
  const level: NoiseLevel = levelAt(schedule, t);
  return lincomb([
    [level.alpha, x0],
    [level.sigma, toRng(seed).normal([...x0.shape], { dtype: x0.dtype }) as Batch],
  ]);
}
