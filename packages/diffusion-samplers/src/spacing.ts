import {
  InvalidArgumentError,
  checkChoice,
  checkInteger,
  checkNumber,
  checkOptions,
  optionKeys,
} from '@krylov/core-array';
import { checkSchedule } from './check.js';
import type { NoiseSchedule } from './schedules.js';

/** How sampling times are spread between tMax and tMin. */
export type Spacing = 'uniform' | 'leading' | 'trailing' | 'logsnr' | 'karras';

export interface TimestepOptions {
  spacing?: Spacing;
  /** 'zero' (default): a last step to t = 0 returns the denoised sample; 'tmin': stop at tMin. */
  final?: 'zero' | 'tmin';
  /** Start from this time instead of tMax (image-to-image: noise the input to `start` first). */
  start?: number;
  /** Karras rho (default 7). */
  rho?: number;
  /** Training steps of the discrete grid used by 'leading' and 'trailing' (default 1000); step k is t = (k + 1) / N. */
  trainSteps?: number;
}

const TIMESTEP_OPTIONS_KEYS = optionKeys<TimestepOptions>()('spacing', 'final', 'start', 'rho', 'trainSteps');

/**
 * Sampling times, descending: `steps` model times from the start to tMin, then 0 when
 * `final` is 'zero' (so `steps` first-order steps), or `steps + 1` times ending at tMin.
 * - 'uniform': equal steps in t; 'logsnr': equal steps in half log-SNR (DPM-Solver's default);
 * - 'karras': rho^(1/7) equally spaced between the end noise levels (Karras et al. 2022, eq. 5);
 * - 'leading' / 'trailing': diffusers' discrete spacings over `trainSteps` training steps
 *   (Lin et al. 2024, "Common Diffusion Noise Schedules and Sample Steps are Flawed", table 2).
 * @throws InvalidArgumentError for a bad schedule, count, spacing, start time, rho or trainSteps.
 * @returns a Float64Array of descending times. O(steps).
 * @example
 * ```ts
 * import { edm, timesteps } from '@krylov/diffusion-samplers';
 * const t = timesteps(edm(), 5, { spacing: 'karras' });
 * console.log(Array.from(t)); // 80 ... 0.002, then 0
 * console.assert(t.length === 6 && t[0] === 80 && t[5] === 0, 'five steps ending at t = 0');
 * ```
 */
export function timesteps(schedule: NoiseSchedule, steps: number, options?: TimestepOptions): Float64Array {
  checkOptions('timesteps', options, TIMESTEP_OPTIONS_KEYS);
  return makeTimesteps('timesteps', 'schedule', 'steps', 'options.', schedule, steps, options);
}

/** `timesteps` for a caller `fn` whose arguments are named `scheduleArg`, `stepsArg` and `prefix` + option (internal). */
export function makeTimesteps(
  fn: string,
  scheduleArg: string,
  stepsArg: string,
  prefix: string,
  schedule: NoiseSchedule,
  steps: unknown,
  options?: TimestepOptions,
): Float64Array {
  checkSchedule(fn, scheduleArg, schedule);
  const spacing = checkChoice(fn, `${prefix}spacing`, options?.spacing ?? 'uniform', [
    'uniform',
    'leading',
    'trailing',
    'logsnr',
    'karras',
  ] as const);
  const final = checkChoice(fn, `${prefix}final`, options?.final ?? 'zero', ['zero', 'tmin'] as const);
  const start = options?.start ?? schedule.tMax;
  const rho = checkNumber(fn, `${prefix}rho`, options?.rho ?? 7, { min: 0, minExclusive: true });
  const trainSteps = checkInteger(fn, `${prefix}trainSteps`, options?.trainSteps ?? 1000, { min: 1 });
  checkInteger(fn, stepsArg, steps, { min: 1 });
  if (!(typeof start === 'number' && start > schedule.tMin && start <= schedule.tMax))
    throw new InvalidArgumentError(
      fn,
      `${prefix}start`,
      start,
      `a time in (${schedule.tMin}, ${schedule.tMax}]`,
    );
  const count = final === 'zero' ? (steps as number) : (steps as number) + 1;
  const end = schedule.tMin;
  // the end points are set exactly, since a round trip through lambda can land just outside [tMin, tMax]
  const grid = (f: (u: number) => number) =>
    Float64Array.from({ length: count }, (_, k) =>
      k === 0 ? start : k === count - 1 ? end : f(k / (count - 1)),
    );
  let t: Float64Array;
  switch (spacing) {
    case 'uniform':
      t = grid((u) => start + u * (end - start));
      break;
    case 'logsnr': {
      const l0 = schedule.lambda(start);
      const l1 = schedule.lambda(end);
      t = grid((u) => schedule.timeOfLambda(l0 + u * (l1 - l0)));
      break;
    }
    case 'karras': {
      const r0 = Math.exp(-schedule.lambda(start) / rho);
      const r1 = Math.exp(-schedule.lambda(end) / rho);
      t = grid((u) => schedule.timeOfLambda(-rho * Math.log(r0 + u * (r1 - r0))));
      break;
    }
    case 'leading':
    case 'trailing': {
      if (trainSteps < count)
        throw new InvalidArgumentError(fn, `${prefix}trainSteps`, trainSteps, `an integer >= ${count}`);
      const top = Math.round((start / schedule.tMax) * trainSteps);
      // leading: k * floor(N / steps) counted down from the top; trailing: round(N - k N / steps) - 1
      const idx = Array.from({ length: count }, (_, k) =>
        spacing === 'leading'
          ? (count - 1 - k) * Math.floor(top / count)
          : Math.round(top - (k * top) / count) - 1,
      );
      t = Float64Array.from(idx, (k) => Math.max(end, ((k + 1) / trainSteps) * schedule.tMax));
      break;
    }
  }
  for (let i = 1; i < t.length; i++)
    if (!(t[i] < t[i - 1]))
      throw new InvalidArgumentError(
        fn,
        `${prefix}spacing`,
        spacing,
        `a spacing whose ${count} times are distinct in [${end}, ${start}] (the '${spacing}' grid over ${trainSteps} training steps repeats ${t[i]}; use fewer steps or another spacing)`,
      );
  if (final === 'zero') return Float64Array.from([...t, 0]);
  return t;
}

/**
 * Validates user-given sampling times: strictly decreasing, inside (0, tMax], with an optional final 0.
 * @throws InvalidArgumentError naming the first offending entry.
 * @returns the times as a Float64Array. O(times.length).
 * @example
 * ```ts
 * import { checkTimes, vpCosine } from '@krylov/diffusion-samplers';
 * console.assert(checkTimes('mySampler', vpCosine(), [0.9, 0.5, 0.1, 0]).length === 4, 'accepted');
 * ```
 */
export function checkTimes(fn: string, schedule: NoiseSchedule, times: ArrayLike<number>): Float64Array {
  if (!(Array.isArray(times) || (ArrayBuffer.isView(times) && !(times instanceof DataView))))
    throw new InvalidArgumentError(fn, 'times', times, 'an array of times');
  for (let i = 0; i < times.length; i++)
    if (typeof times[i] !== 'number')
      throw new InvalidArgumentError(fn, `times[${i}]`, times[i], 'a number (a time of the schedule)');
  const t = Float64Array.from(times as ArrayLike<number>);
  if (t.length < 2) throw new InvalidArgumentError(fn, 'times', Array.from(t), 'at least two times');
  for (let i = 0; i < t.length; i++) {
    const last = i === t.length - 1;
    const ok =
      Number.isFinite(t[i]) && t[i] <= schedule.tMax && (t[i] >= schedule.tMin || (last && t[i] === 0));
    if (!ok)
      throw new InvalidArgumentError(
        fn,
        `times[${i}]`,
        t[i],
        `a time in [${schedule.tMin}, ${schedule.tMax}] (or 0 at the end)`,
      );
    if (i > 0 && !(t[i] < t[i - 1]))
      throw new InvalidArgumentError(
        fn,
        `times[${i}]`,
        t[i],
        `strictly below times[${i - 1}] = ${t[i - 1]} (times must decrease)`,
      );
  }
  return t;
}
