import {
  DTypeError,
  InvalidArgumentError,
  type NDArray,
  Rng,
  type SeedLike,
  ShapeError,
  checkBoolean,
  checkFunction,
  isFloatDType,
  isNDArray,
} from '@krylov/core-array';
import type { DiffusionModel } from './model.js';
import { checkPrediction } from './model.js';
import type { Sampler } from './samplers/types.js';
import type { NoiseSchedule } from './schedules.js';
import type { Batch } from './vector.js';

/**
 * Boundary checks shared by the package's public functions (internal: not exported from the index).
 * Each throws a typed error naming the calling function and the argument.
 */

const SCHEDULE_FUNCTIONS = ['alpha', 'sigma', 'dAlpha', 'dSigma', 'lambda', 'timeOfLambda'] as const;

/** A schedule object: finite 0 <= tMin < tMax and the six functions of `NoiseSchedule`. */
export function checkSchedule(fn: string, arg: string, s: unknown): NoiseSchedule {
  if (s === null || typeof s !== 'object')
    throw new InvalidArgumentError(fn, arg, s, 'a NoiseSchedule (e.g. vpLinear(), edm())');
  const sch = s as NoiseSchedule;
  for (const f of SCHEDULE_FUNCTIONS) checkFunction(fn, `${arg}.${f}`, sch[f]);
  const { tMin, tMax } = sch;
  if (!(typeof tMin === 'number' && Number.isFinite(tMin) && tMin >= 0))
    throw new InvalidArgumentError(fn, `${arg}.tMin`, tMin, 'a finite number >= 0');
  if (!(typeof tMax === 'number' && Number.isFinite(tMax) && tMax > tMin))
    throw new InvalidArgumentError(fn, `${arg}.tMax`, tMax, `a finite number > tMin = ${tMin}`);
  return sch;
}

/** A sampler object: a name, a boolean `stochastic` and a `program` function. */
export function checkSampler(fn: string, arg: string, s: unknown): Sampler {
  if (s === null || typeof s !== 'object')
    throw new InvalidArgumentError(fn, arg, s, 'a Sampler (e.g. dpmSolverPP(), unipc())');
  const sm = s as Sampler;
  if (typeof sm.name !== 'string') throw new InvalidArgumentError(fn, `${arg}.name`, sm.name, 'a string');
  checkBoolean(fn, `${arg}.stochastic`, sm.stochastic);
  checkFunction(fn, `${arg}.program`, sm.program);
  return sm;
}

/** A model object: a known prediction type and a `predict` function. */
export function checkModel(fn: string, arg: string, m: unknown): DiffusionModel {
  if (m === null || typeof m !== 'object')
    throw new InvalidArgumentError(fn, arg, m, 'a DiffusionModel { prediction, predict }');
  const model = m as DiffusionModel;
  checkPrediction(fn, `${arg}.prediction`, model.prediction);
  checkFunction(fn, `${arg}.predict`, model.predict);
  return model;
}

/** An NDArray (not a number, a plain array or a typed array). */
export function checkArray(fn: string, arg: string, a: unknown): NDArray {
  if (!isNDArray(a)) throw new InvalidArgumentError(fn, arg, a, 'an NDArray');
  return a as NDArray;
}

/** A float32 or float64 NDArray with at least one dimension (a batch [batch, ...dims]). */
export function checkBatchArray(fn: string, arg: string, a: unknown): Batch {
  const x = checkArray(fn, arg, a);
  if (!isFloatDType(x.dtype)) throw new DTypeError(fn, arg, x.dtype, 'float64 or float32');
  if (x.ndim < 1) throw new ShapeError(fn, arg, 'expected a batch [batch, ...dims]', x.shape);
  return x as Batch;
}

/** A number, a string or an Rng. */
export function checkSeed(fn: string, arg: string, seed: unknown): SeedLike {
  if (
    !(seed instanceof Rng || typeof seed === 'string' || (typeof seed === 'number' && Number.isFinite(seed)))
  )
    throw new InvalidArgumentError(fn, arg, seed, 'a finite number, a string or an Rng');
  return seed as SeedLike;
}

/**
 * A time of the schedule: in [tMin, tMax], or 0 (the clean end) when `allowZero`.
 * @throws InvalidArgumentError naming `fn`, `arg` and the value.
 */
export function checkTime(
  fn: string,
  arg: string,
  t: unknown,
  schedule: NoiseSchedule,
  allowZero: boolean,
): number {
  const ok =
    typeof t === 'number' &&
    Number.isFinite(t) &&
    ((t >= schedule.tMin && t <= schedule.tMax) || (allowZero && t === 0));
  if (!ok)
    throw new InvalidArgumentError(
      fn,
      arg,
      t,
      `a time of the ${schedule.name} schedule in [${schedule.tMin}, ${schedule.tMax}]${allowZero ? ' or 0 (clean data)' : ''}`,
    );
  return t as number;
}

/** An AbortSignal (anything with a boolean `aborted` and `throwIfAborted`). */
export function checkSignal(fn: string, arg: string, s: unknown): AbortSignal {
  const sig = s as AbortSignal;
  if (
    s === null ||
    typeof s !== 'object' ||
    typeof sig.aborted !== 'boolean' ||
    typeof sig.throwIfAborted !== 'function'
  )
    throw new InvalidArgumentError(fn, arg, s, 'an AbortSignal');
  return sig;
}

/** A vector of finite numbers (positive when `positive`), copied to float64. */
export function checkVector(fn: string, arg: string, v: ArrayLike<number>, positive: boolean): Float64Array {
  const out = Float64Array.from(v);
  for (let i = 0; i < out.length; i++) {
    if (!Number.isFinite(out[i]) || (positive && !(out[i] > 0)))
      throw new InvalidArgumentError(
        fn,
        `${arg}[${i}]`,
        out[i],
        positive ? 'a finite positive number' : 'a finite number',
      );
  }
  return out;
}

/** A [batch, dim] array (the exact models' inputs). */
export function checkBatch(fn: string, x: Batch, dim: number): void {
  if (x.ndim !== 2 || x.shape[1] !== dim) throw new ShapeError(fn, 'x', `expected [batch, ${dim}]`, x.shape);
}
