import {
  InvalidArgumentError,
  type NumberRange,
  checkInteger,
  checkNumber,
  checkOptions,
  optionKeys,
} from '@krylov/core-array';

/** A learning-rate schedule: the rate for 1-based step `count` (the first update uses count = 1). */
export type Schedule = (count: number) => number;

/**
 * A rate given as a number or a schedule. The optimizers check a schedule's value at every step
 * and refuse NaN, infinities and negative rates with an error naming the optimizer and the step.
 * A schedule may be evaluated more than once per step, so it should depend on the step alone.
 */
export type Rate = number | Schedule;

/**
 * Evaluates a rate at step `count`.
 * Cost O(1) (plus the schedule's).
 * @throws whatever the schedule throws (the built-in schedules: InvalidArgumentError for a count that is not an integer >= 1).
 * @example
 * ```ts
 * import { exponentialSchedule, rateAt } from '@krylov/optimizers';
 * console.assert(rateAt(0.1, 5) === 0.1, 'a number is constant');
 * console.assert(Math.abs(rateAt(exponentialSchedule(1, 0.5), 3) - 0.25) < 1e-15, 'a schedule is evaluated');
 * ```
 */
export function rateAt(rate: Rate, count: number): number {
  return typeof rate === 'number' ? rate : rate(count);
}

const RATE = { min: 0 } as const;
/** A decay factor in (0, 1]. */
const FACTOR = { min: 0, max: 1, minExclusive: true } as const;

/** The schedule function `fn` returns: checks that `count` is an integer >= 1. */
function schedule(fn: string, at: (count: number) => number): Schedule {
  return (count) => at(checkInteger(fn, 'count', count, { min: 1 }));
}

/**
 * A constant rate.
 * @throws InvalidArgumentError unless `lr` is a finite number >= 0.
 * @example
 * ```ts
 * import { constantSchedule } from '@krylov/optimizers';
 * console.assert(constantSchedule(0.01)(1000) === 0.01, 'the same rate at every step');
 * ```
 */
export function constantSchedule(lr: number): Schedule {
  checkNumber('constantSchedule', 'lr', lr, RATE);
  return schedule('constantSchedule', () => lr);
}

const STEP_SCHEDULE_OPTIONS_KEYS = optionKeys<StepScheduleOptions>()('stepSize', 'gamma');

/** Options of {@link stepSchedule}. */
export type StepScheduleOptions = { stepSize: number; gamma?: number };

/**
 * lr * gamma^floor((count - 1) / stepSize), as torch.optim.lr_scheduler.StepLR.
 * @throws InvalidArgumentError unless lr >= 0, stepSize is a positive integer and gamma is in (0, 1] (default 0.1).
 * @example
 * ```ts
 * import { stepSchedule } from '@krylov/optimizers';
 * const s = stepSchedule(1, { stepSize: 10, gamma: 0.5 });
 * console.assert(s(10) === 1 && s(11) === 0.5 && s(21) === 0.25, 'halves every 10 steps');
 * ```
 */
export function stepSchedule(lr: number, options: StepScheduleOptions): Schedule {
  const fn = 'stepSchedule';
  checkNumber(fn, 'lr', lr, RATE);
  checkOptions(fn, options, STEP_SCHEDULE_OPTIONS_KEYS);
  const stepSize = checkInteger(fn, 'options.stepSize', options?.stepSize, { min: 1 });
  const gamma = options.gamma === undefined ? 0.1 : checkNumber(fn, 'options.gamma', options.gamma, FACTOR);
  return schedule(fn, (count) => lr * gamma ** Math.floor((count - 1) / stepSize));
}

/**
 * lr * gamma^(count - 1), as ExponentialLR.
 * @throws InvalidArgumentError unless lr >= 0 and gamma is in (0, 1].
 * @example
 * ```ts
 * import { exponentialSchedule } from '@krylov/optimizers';
 * const s = exponentialSchedule(1, 0.9);
 * console.assert(s(1) === 1 && Math.abs(s(3) - 0.81) < 1e-15, 'lr gamma^(count - 1)');
 * ```
 */
export function exponentialSchedule(lr: number, gamma: number): Schedule {
  const fn = 'exponentialSchedule';
  checkNumber(fn, 'lr', lr, RATE);
  checkNumber(fn, 'gamma', gamma, FACTOR);
  return schedule(fn, (count) => lr * gamma ** (count - 1));
}

const LINEAR_WARMUP_OPTIONS_KEYS = optionKeys<LinearWarmupOptions>()('warmup', 'start');

/** Options of {@link linearWarmup}. */
export type LinearWarmupOptions = { warmup: number; start?: number };

/**
 * Linear warmup from lr * start to lr over `warmup` steps, then constant.
 * @throws InvalidArgumentError unless lr >= 0, warmup is an integer >= 0 and start is in [0, 1] (default 0).
 * @example
 * ```ts
 * import { linearWarmup } from '@krylov/optimizers';
 * const s = linearWarmup(1, { warmup: 4 });
 * console.log([1, 2, 3, 4, 5].map(s)); // rises to 1 over 4 steps, then stays
 * console.assert(s(4) === 1 && s(100) === 1, 'constant after warmup');
 * ```
 */
export function linearWarmup(lr: number, options: LinearWarmupOptions): Schedule {
  const fn = 'linearWarmup';
  checkNumber(fn, 'lr', lr, RATE);
  checkOptions(fn, options, LINEAR_WARMUP_OPTIONS_KEYS);
  const warmup = checkInteger(fn, 'options.warmup', options?.warmup, { min: 0 });
  const start =
    options.start === undefined ? 0 : checkNumber(fn, 'options.start', options.start, { min: 0, max: 1 });
  return schedule(fn, (count) => (count >= warmup ? lr : lr * (start + ((1 - start) * count) / warmup)));
}

const COSINE_SCHEDULE_OPTIONS_KEYS = optionKeys<CosineScheduleOptions>()('total', 'warmup', 'finalFraction');

/** Options of {@link cosineSchedule}. */
export type CosineScheduleOptions = { total: number; warmup?: number; finalFraction?: number };

/**
 * Linear warmup over `warmup` steps, then cosine decay to `lr * finalFraction` at `total` steps
 * (Loshchilov & Hutter 2017 without restarts; the usual transformer schedule).
 * @throws InvalidArgumentError unless lr >= 0, warmup is an integer >= 0 (default 0), total an
 * integer > warmup and finalFraction in [0, 1] (default 0).
 * @example
 * ```ts
 * import { cosineSchedule } from '@krylov/optimizers';
 * const s = cosineSchedule(1, { total: 100, warmup: 10, finalFraction: 0.1 });
 * console.assert(s(10) === 1 && Math.abs(s(100) - 0.1) < 1e-12, 'warmup to 1, cosine down to 0.1');
 * ```
 */
export function cosineSchedule(lr: number, options: CosineScheduleOptions): Schedule {
  const fn = 'cosineSchedule';
  checkNumber(fn, 'lr', lr, RATE);
  checkOptions(fn, options, COSINE_SCHEDULE_OPTIONS_KEYS);
  const warmup =
    options?.warmup === undefined ? 0 : checkInteger(fn, 'options.warmup', options.warmup, { min: 0 });
  const floor =
    options?.finalFraction === undefined
      ? 0
      : checkNumber(fn, 'options.finalFraction', options.finalFraction, { min: 0, max: 1 });
  const total = options?.total;
  if (typeof total !== 'number' || !Number.isInteger(total) || total <= warmup)
    throw new InvalidArgumentError(fn, 'options.total', total, `an integer > warmup (${warmup})`);
  return schedule(fn, (count) => {
    if (count <= warmup) return (lr * count) / Math.max(warmup, 1);
    const progress = Math.min(1, (count - warmup) / (total - warmup));
    return lr * (floor + (1 - floor) * 0.5 * (1 + Math.cos(Math.PI * progress)));
  });
}

const ONE_CYCLE_SCHEDULE_OPTIONS_KEYS = optionKeys<OneCycleScheduleOptions>()(
  'total',
  'pctStart',
  'divFactor',
  'finalDivFactor',
);

/** Options of {@link oneCycleSchedule}. */
export type OneCycleScheduleOptions = {
  total: number;
  pctStart?: number;
  divFactor?: number;
  finalDivFactor?: number;
};

/**
 * One-cycle (Smith & Topin 2019, as torch's OneCycleLR with cosine annealing): from
 * maxLr / divFactor up to maxLr over pctStart of `total`, then down to maxLr / (divFactor * finalDivFactor).
 * @throws InvalidArgumentError unless maxLr >= 0, total is an integer >= 2, pctStart in [0, 1]
 * (default 0.3, as OneCycleLR) and divFactor, finalDivFactor > 0 (defaults 25 and 1e4).
 * @example
 * ```ts
 * import { oneCycleSchedule } from '@krylov/optimizers';
 * const s = oneCycleSchedule(1, { total: 100 });
 * const peak = Math.max(...Array.from({ length: 100 }, (_, i) => s(i + 1)));
 * console.assert(Math.abs(peak - 1) < 1e-12 && s(1) < 0.05 && s(100) < 1e-4, 'up to maxLr, then far down');
 * ```
 */
export function oneCycleSchedule(maxLr: number, options: OneCycleScheduleOptions): Schedule {
  const fn = 'oneCycleSchedule';
  checkNumber(fn, 'maxLr', maxLr, RATE);
  checkOptions(fn, options, ONE_CYCLE_SCHEDULE_OPTIONS_KEYS);
  const total = checkInteger(fn, 'options.total', options?.total, { min: 2 });
  const opt = (key: 'pctStart' | 'divFactor' | 'finalDivFactor', fallback: number, range: NumberRange) =>
    options[key] === undefined ? fallback : checkNumber(fn, `options.${key}`, options[key], range);
  const pct = opt('pctStart', 0.3, { min: 0, max: 1 });
  const positive = { min: 0, minExclusive: true };
  const initial = maxLr / opt('divFactor', 25, positive);
  const final = initial / opt('finalDivFactor', 1e4, positive);
  const up = pct * total - 1;
  const down = total - 1 - up;
  const cos = (from: number, to: number, f: number) => to + ((from - to) * (1 + Math.cos(Math.PI * f))) / 2;
  // a phase of zero length (pctStart * total <= 1, or pctStart = 1) is skipped instead of giving 0 / 0
  return schedule(fn, (count) => {
    const i = count - 1;
    if (i <= up) return up > 0 ? cos(initial, maxLr, i / up) : maxLr;
    return down > 0 ? cos(maxLr, final, Math.min(1, (i - up) / down)) : final;
  });
}
