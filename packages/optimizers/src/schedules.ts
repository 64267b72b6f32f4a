import { InvalidArgumentError, checkOptions } from '@krylov/core-array';

/** A learning-rate schedule: the rate for 1-based step `count` (the first update uses count = 1). */
export type Schedule = (count: number) => number;

/** A rate given as a number or a schedule. */
export type Rate = number | Schedule;

/** Evaluates a rate at step `count`. */
export function rateAt(rate: Rate, count: number): number {
  return typeof rate === 'number' ? rate : rate(count);
}

function check(
  fn: string,
  arg: string,
  v: number,
  what = 'a finite non-negative number',
  ok = v >= 0 && Number.isFinite(v),
): void {
  if (!ok) throw new InvalidArgumentError(fn, arg, v, what);
}

/** A constant rate. */
export function constantSchedule(lr: number): Schedule {
  check('constantSchedule', 'lr', lr);
  return () => lr;
}

/** lr * gamma^floor((count - 1) / stepSize), as torch.optim.lr_scheduler.StepLR. */
export function stepSchedule(lr: number, options: { stepSize: number; gamma?: number }): Schedule {
  checkOptions('stepSchedule', options, ['stepSize', 'gamma']);
  const gamma = options.gamma ?? 0.1;
  check(
    'stepSchedule',
    'options.stepSize',
    options.stepSize,
    'a positive integer',
    Number.isInteger(options.stepSize) && options.stepSize > 0,
  );
  return (count) => lr * gamma ** Math.floor((count - 1) / options.stepSize);
}

/** lr * gamma^(count - 1), as ExponentialLR. */
export function exponentialSchedule(lr: number, gamma: number): Schedule {
  check('exponentialSchedule', 'gamma', gamma, 'a number in (0, 1]', gamma > 0 && gamma <= 1);
  return (count) => lr * gamma ** (count - 1);
}

/** Linear warmup from lr * start to lr over `warmup` steps, then constant. */
export function linearWarmup(lr: number, options: { warmup: number; start?: number }): Schedule {
  checkOptions('linearWarmup', options, ['warmup', 'start']);
  const start = options.start ?? 0;
  check(
    'linearWarmup',
    'options.warmup',
    options.warmup,
    'a non-negative integer',
    Number.isInteger(options.warmup) && options.warmup >= 0,
  );
  return (count) => (count >= options.warmup ? lr : lr * (start + ((1 - start) * count) / options.warmup));
}

/**
 * Linear warmup over `warmup` steps, then cosine decay to `lr * finalFraction` at `total` steps
 * (Loshchilov & Hutter 2017 without restarts; the usual transformer schedule).
 */
export function cosineSchedule(
  lr: number,
  options: { total: number; warmup?: number; finalFraction?: number },
): Schedule {
  checkOptions('cosineSchedule', options, ['total', 'warmup', 'finalFraction']);
  const warmup = options.warmup ?? 0;
  const floor = options.finalFraction ?? 0;
  check(
    'cosineSchedule',
    'options.total',
    options.total,
    `an integer > warmup (${warmup})`,
    Number.isInteger(options.total) && options.total > warmup,
  );
  return (count) => {
    if (count <= warmup) return (lr * count) / Math.max(warmup, 1);
    const progress = Math.min(1, (count - warmup) / (options.total - warmup));
    return lr * (floor + (1 - floor) * 0.5 * (1 + Math.cos(Math.PI * progress)));
  };
}

/**
 * One-cycle (Smith & Topin 2019, as torch's OneCycleLR with cosine annealing): from
 * maxLr / divFactor up to maxLr over pctStart of `total`, then down to maxLr / (divFactor * finalDivFactor).
 */
export function oneCycleSchedule(
  maxLr: number,
  options: { total: number; pctStart?: number; divFactor?: number; finalDivFactor?: number },
): Schedule {
  checkOptions('oneCycleSchedule', options, ['total', 'pctStart', 'divFactor', 'finalDivFactor']);
  const pct = options.pctStart ?? 0.3;
  const initial = maxLr / (options.divFactor ?? 25);
  const final = initial / (options.finalDivFactor ?? 1e4);
  check(
    'oneCycleSchedule',
    'options.total',
    options.total,
    'a positive integer',
    Number.isInteger(options.total) && options.total > 1,
  );
  const up = pct * options.total - 1;
  const down = options.total - 1 - up;
  const cos = (from: number, to: number, f: number) => to + ((from - to) * (1 + Math.cos(Math.PI * f))) / 2;
  return (count) => {
    const i = count - 1;
    return i <= up ? cos(initial, maxLr, i / up) : cos(maxLr, final, Math.min(1, (i - up) / down));
  };
}
