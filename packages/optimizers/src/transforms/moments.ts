import {
  InvalidArgumentError,
  type NumberRange,
  checkBoolean,
  checkNumber,
  checkOptions,
  optionKeys,
} from '@krylov/core-array';
import { type GradientTransformation, type PerParameterState, perParameter } from '../transform.js';
import { type Buffer, zerosLike } from '../tree.js';

/** A decay rate in [0, 1) (Adam's betas, momentum, RMSprop's alpha), as torch.optim checks them. */
export const BETA = { min: 0, max: 1, maxExclusive: true } as const;
/** A denominator guard: > 0, so a zero gradient never gives 0 / 0. */
export const POSITIVE = { min: 0, minExclusive: true } as const;
/** A finite number >= 0 (learning rates, weight decay, accumulators). */
export const NON_NEGATIVE = { min: 0 } as const;

/** Reads an optional number option: its default when absent, else checked against `range`. */
export function numberOption(
  fn: string,
  options: object | undefined,
  key: string,
  fallback: number,
  range: NumberRange,
): number {
  const v = (options as Record<string, unknown> | undefined)?.[key];
  return v === undefined ? fallback : checkNumber(fn, `options.${key}`, v, range);
}

/** Reads an optional boolean option. */
export function booleanOption(
  fn: string,
  options: object | undefined,
  key: string,
  fallback: boolean,
): boolean {
  const v = (options as Record<string, unknown> | undefined)?.[key];
  return v === undefined ? fallback : checkBoolean(fn, `options.${key}`, v);
}

/** The state of `scaleByAdam`: first and second moments per parameter (and their running maximum with AMSGrad). */
export type AdamState = PerParameterState<{ m: Buffer; v: Buffer; vMax: Buffer | null }>;
/** The state of `trace`: the momentum buffer per parameter. */
export type TraceState = PerParameterState<{ buf: Buffer }>;
/** The state of `scaleByRss`: the sum of squared gradients per parameter. */
export type RssState = PerParameterState<{ sum: Buffer }>;
/** The state of `scaleByRms`: the mean square, the mean (centered) and the momentum buffer per parameter. */
export type RmsState = PerParameterState<{ sq: Buffer; avg: Buffer | null; buf: Buffer | null }>;
/** The state of `scaleByLion`: the momentum per parameter. */
export type LionState = PerParameterState<{ m: Buffer }>;

export interface AdamMomentOptions {
  b1?: number;
  b2?: number;
  eps?: number;
  amsgrad?: boolean;
}

/**
 * Scale by Adam's bias-corrected moments (Kingma & Ba 2015, Algorithm 1; AMSGrad, Reddi et al.
 * 2018, keeps the running maximum of the second moment):
 * m = b1 m + (1 - b1) g, v = b2 v + (1 - b2) g^2, u = (m / (1 - b1^t)) / (sqrt(v) / sqrt(1 - b2^t) + eps),
 * written in the order torch.optim.Adam evaluates it. O(n) per parameter.
 * @throws InvalidArgumentError for an option out of range: decays and momentum in [0, 1), eps > 0,
 * initialAccumulator >= 0, dampening in [0, 1], booleans as booleans.
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { chain, scaleByLearningRate, scaleByAdam } from '@krylov/optimizers';
 * const t = chain(scaleByAdam(), scaleByLearningRate(0.1));
 * const params = { w: array([[1, -2], [0.5, 3]]) };
 * const state = t.init(params);
 * const updates = { w: array([[0.5, -1], [0.25, 1.5]]) }; // the gradients, rewritten in place
 * t.update(updates, state, params);
 * console.assert(updates.w.get(0, 0) < 0 && updates.w.get(0, 1) > 0, 'a descent step: opposite sign to g');
 * ```
 */
export function scaleByAdam(options?: AdamMomentOptions): GradientTransformation<AdamState> {
  return scaleByAdamIn(options, 'scaleByAdam');
}

const ADAM_MOMENT_OPTIONS_KEYS = optionKeys<AdamMomentOptions>()('b1', 'b2', 'eps', 'amsgrad');

/** `scaleByAdam` naming `fn` (the optimizer that uses it) in errors. */
export function scaleByAdamIn(
  options: AdamMomentOptions | undefined,
  fn: string,
): GradientTransformation<AdamState> {
  checkOptions(fn, options, ADAM_MOMENT_OPTIONS_KEYS);
  const b1 = numberOption(fn, options, 'b1', 0.9, BETA);
  const b2 = numberOption(fn, options, 'b2', 0.999, BETA);
  const eps = numberOption(fn, options, 'eps', 1e-8, POSITIVE);
  const amsgrad = booleanOption(fn, options, 'amsgrad', false);
  return perParameter(
    (p) => ({ m: zerosLike(p), v: zerosLike(p), vMax: amsgrad ? zerosLike(p) : null }),
    (u, s, _p, t) => {
      const bc1 = 1 - b1 ** t;
      const bc2Sqrt = Math.sqrt(1 - b2 ** t);
      const { m, v, vMax } = s;
      for (let i = 0; i < u.length; i++) {
        const g = u[i];
        m[i] = b1 * m[i] + (1 - b1) * g;
        v[i] = b2 * v[i] + (1 - b2) * g * g;
        let second = v[i];
        if (vMax) second = vMax[i] = Math.max(vMax[i], v[i]);
        u[i] = m[i] / bc1 / (Math.sqrt(second) / bc2Sqrt + eps);
      }
    },
    { name: 'scaleByAdam' },
  );
}

export interface TraceOptions {
  momentum: number;
  dampening?: number;
  nesterov?: boolean;
}

/**
 * SGD momentum as torch.optim.SGD: buf = g on the first step, then buf = mu buf + (1 - dampening) g;
 * the update is g + mu buf with Nesterov, else buf (Sutskever et al. 2013). O(n).
 * @throws InvalidArgumentError for an option out of range: decays and momentum in [0, 1), eps > 0,
 * initialAccumulator >= 0, dampening in [0, 1], booleans as booleans.
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { trace } from '@krylov/optimizers';
 * const t = trace({ momentum: 0.9 });
 * const params = { w: array([0]) };
 * const state = t.init(params);
 * for (const g of [1, 1]) { const u = { w: array([g]) }; t.update(u, state, params); console.log(u.w.get(0)); } // 1, then 1.9
 * ```
 */
export function trace(options: TraceOptions): GradientTransformation<TraceState> {
  return traceIn(options, 'trace');
}

const TRACE_OPTIONS_KEYS = optionKeys<TraceOptions>()('momentum', 'dampening', 'nesterov');

/** `trace` naming `fn` (the optimizer that uses it) in errors. */
export function traceIn(options: TraceOptions | undefined, fn: string): GradientTransformation<TraceState> {
  checkOptions(fn, options, TRACE_OPTIONS_KEYS);
  const mu = checkNumber(fn, 'options.momentum', options?.momentum, BETA);
  const dampening = numberOption(fn, options, 'dampening', 0, { min: 0, max: 1 });
  const nesterov = booleanOption(fn, options, 'nesterov', false);
  if (nesterov && (mu <= 0 || dampening !== 0))
    throw new InvalidArgumentError(
      fn,
      'options.nesterov',
      nesterov,
      'momentum > 0 and zero dampening (as PyTorch requires)',
    );
  return perParameter(
    (p) => ({ buf: zerosLike(p) }),
    (u, s, _p, t) => {
      const buf = s.buf;
      for (let i = 0; i < u.length; i++) {
        buf[i] = t === 1 ? u[i] : mu * buf[i] + (1 - dampening) * u[i];
        u[i] = nesterov ? u[i] + mu * buf[i] : buf[i];
      }
    },
    { name: 'trace' },
  );
}

export interface RssOptions {
  initialAccumulator?: number;
  eps?: number;
}

/**
 * Adagrad's scaling (Duchi et al. 2011; torch.optim.Adagrad): sum += g^2, u = g / (sqrt(sum) + eps).
 * Learning-rate decay belongs to the schedule (`lr / (1 + (t - 1) decay)`). O(n).
 * @throws InvalidArgumentError for an option out of range: decays and momentum in [0, 1), eps > 0,
 * initialAccumulator >= 0, dampening in [0, 1], booleans as booleans.
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { chain, scaleByLearningRate, scaleByRss } from '@krylov/optimizers';
 * const t = chain(scaleByRss(), scaleByLearningRate(0.1));
 * const params = { w: array([[1, -2], [0.5, 3]]) };
 * const state = t.init(params);
 * const updates = { w: array([[0.5, -1], [0.25, 1.5]]) }; // the gradients, rewritten in place
 * t.update(updates, state, params);
 * console.assert(updates.w.get(0, 0) < 0 && updates.w.get(0, 1) > 0, 'a descent step: opposite sign to g');
 * ```
 */
export function scaleByRss(options?: RssOptions): GradientTransformation<RssState> {
  return scaleByRssIn(options, 'scaleByRss');
}

const RSS_OPTIONS_KEYS = optionKeys<RssOptions>()('initialAccumulator', 'eps');

/** `scaleByRss` naming `fn` (the optimizer that uses it) in errors. */
export function scaleByRssIn(options: RssOptions | undefined, fn: string): GradientTransformation<RssState> {
  checkOptions(fn, options, RSS_OPTIONS_KEYS);
  const init = numberOption(fn, options, 'initialAccumulator', 0, NON_NEGATIVE);
  const eps = numberOption(fn, options, 'eps', 1e-10, POSITIVE);
  return perParameter(
    (p) => ({ sum: zerosLike(p).fill(init) as Buffer }),
    (u, s) => {
      for (let i = 0; i < u.length; i++) {
        s.sum[i] += u[i] * u[i];
        u[i] = u[i] / (Math.sqrt(s.sum[i]) + eps);
      }
    },
    { name: 'scaleByRss' },
  );
}

export interface RmsOptions {
  alpha?: number;
  eps?: number;
  centered?: boolean;
  momentum?: number;
}

/**
 * RMSprop as torch.optim.RMSprop (Hinton's lecture 6e; centered variant of Graves 2013):
 * sq = alpha sq + (1 - alpha) g^2, avg = sqrt(sq - gavg^2 if centered) + eps; with momentum
 * buf = mu buf + g / avg and u = buf, else u = g / avg. O(n).
 * @throws InvalidArgumentError for an option out of range: decays and momentum in [0, 1), eps > 0,
 * initialAccumulator >= 0, dampening in [0, 1], booleans as booleans.
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { chain, scaleByLearningRate, scaleByRms } from '@krylov/optimizers';
 * const t = chain(scaleByRms(), scaleByLearningRate(0.1));
 * const params = { w: array([[1, -2], [0.5, 3]]) };
 * const state = t.init(params);
 * const updates = { w: array([[0.5, -1], [0.25, 1.5]]) }; // the gradients, rewritten in place
 * t.update(updates, state, params);
 * console.assert(updates.w.get(0, 0) < 0 && updates.w.get(0, 1) > 0, 'a descent step: opposite sign to g');
 * ```
 */
export function scaleByRms(options?: RmsOptions): GradientTransformation<RmsState> {
  return scaleByRmsIn(options, 'scaleByRms');
}

const RMS_OPTIONS_KEYS = optionKeys<RmsOptions>()('alpha', 'eps', 'centered', 'momentum');

/** `scaleByRms` naming `fn` (the optimizer that uses it) in errors. */
export function scaleByRmsIn(options: RmsOptions | undefined, fn: string): GradientTransformation<RmsState> {
  checkOptions(fn, options, RMS_OPTIONS_KEYS);
  const alpha = numberOption(fn, options, 'alpha', 0.99, BETA);
  const eps = numberOption(fn, options, 'eps', 1e-8, POSITIVE);
  const centered = booleanOption(fn, options, 'centered', false);
  const mu = numberOption(fn, options, 'momentum', 0, BETA);
  return perParameter(
    (p) => ({ sq: zerosLike(p), avg: centered ? zerosLike(p) : null, buf: mu > 0 ? zerosLike(p) : null }),
    (u, s) => {
      for (let i = 0; i < u.length; i++) {
        const g = u[i];
        s.sq[i] = alpha * s.sq[i] + (1 - alpha) * g * g;
        let denom: number;
        if (s.avg) {
          s.avg[i] = alpha * s.avg[i] + (1 - alpha) * g;
          // the variance sq - avg^2 >= 0 in exact arithmetic; rounding can make it -1e-17 (NaN in torch)
          denom = Math.sqrt(Math.max(0, s.sq[i] - s.avg[i] * s.avg[i])) + eps;
        } else {
          denom = Math.sqrt(s.sq[i]) + eps;
        }
        if (s.buf) u[i] = s.buf[i] = mu * s.buf[i] + g / denom;
        else u[i] = g / denom;
      }
    },
    { name: 'scaleByRms' },
  );
}

export interface ScaleByLionOptions {
  b1?: number;
  b2?: number;
}

/**
 * Lion's update direction (Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms",
 * Program 1): u = sign(b1 m + (1 - b1) g), then m = b2 m + (1 - b2) g. O(n).
 * @throws InvalidArgumentError for an option out of range: decays and momentum in [0, 1), eps > 0,
 * initialAccumulator >= 0, dampening in [0, 1], booleans as booleans.
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { chain, scaleByLearningRate, scaleByLion } from '@krylov/optimizers';
 * const t = chain(scaleByLion(), scaleByLearningRate(0.1));
 * const params = { w: array([[1, -2], [0.5, 3]]) };
 * const state = t.init(params);
 * const updates = { w: array([[0.5, -1], [0.25, 1.5]]) }; // the gradients, rewritten in place
 * t.update(updates, state, params);
 * console.assert(updates.w.get(0, 0) < 0 && updates.w.get(0, 1) > 0, 'a descent step: opposite sign to g');
 * ```
 */
export function scaleByLion(options?: ScaleByLionOptions): GradientTransformation<LionState> {
  return scaleByLionIn(options, 'scaleByLion');
}

const SCALE_BY_LION_OPTIONS_KEYS = optionKeys<ScaleByLionOptions>()('b1', 'b2');

/** `scaleByLion` naming `fn` (the optimizer that uses it) in errors. */
export function scaleByLionIn(
  options: ScaleByLionOptions | undefined,
  fn: string,
): GradientTransformation<LionState> {
  checkOptions(fn, options, SCALE_BY_LION_OPTIONS_KEYS);
  const b1 = numberOption(fn, options, 'b1', 0.9, BETA);
  const b2 = numberOption(fn, options, 'b2', 0.99, BETA);
  return perParameter(
    (p) => ({ m: zerosLike(p) }),
    (u, s) => {
      for (let i = 0; i < u.length; i++) {
        const g = u[i];
        u[i] = Math.sign(b1 * s.m[i] + (1 - b1) * g);
        s.m[i] = b2 * s.m[i] + (1 - b2) * g;
      }
    },
    { name: 'scaleByLion' },
  );
}
