import { InvalidArgumentError, checkNumber, checkOptions, optionKeys } from '@krylov/core-array';
import { type GradientTransformation, type PerParameterState, perParameter } from '../transform.js';
import { type Buffer, elementsOf, zerosLike } from '../tree.js';
import { NON_NEGATIVE, numberOption } from './moments.js';

/**
 * Methods that own their step sizes, so the learning rate is not a final multiplier: Rprop (the
 * rate is the initial per-entry step) and ASGD (the step decays with the count, and the parameters'
 * running average is part of the state). Both return the final update, to add to the parameters.
 */

/** `scaleByRprop`'s state: the previous (masked) gradient and the per-entry step sizes. */
export type RpropState = PerParameterState<{ prev: Buffer; stepSize: Buffer }>;

export interface RpropOptions {
  /** Initial step size of every entry, a finite number >= 0 (default 1e-2). */
  lr?: number;
  /** Multiplicative decrease and increase [etaminus, etaplus], 0 < etaminus < 1 < etaplus (default [0.5, 1.2]). */
  etas?: [number, number];
  /** Bounds [min, max] of the step sizes, 0 <= min <= max (default [1e-6, 50]). */
  stepSizes?: [number, number];
}

function pair(fn: string, arg: string, v: unknown, fallback: [number, number]): [number, number] {
  if (v === undefined) return fallback;
  if (!Array.isArray(v) || v.length !== 2)
    throw new InvalidArgumentError(fn, arg, v, 'an array of two numbers');
  return [checkNumber(fn, `${arg}[0]`, v[0]), checkNumber(fn, `${arg}[1]`, v[1], { infinite: true })];
}

/**
 * Rprop (Riedmiller & Braun 1993, "A direct adaptive method for faster backpropagation learning:
 * the RPROP algorithm"; torch.optim.Rprop, the variant without weight backtracking): each entry's
 * step size is multiplied by etaplus when the gradient keeps its sign, by etaminus when it flips
 * (and that entry's gradient is then taken as zero, so it neither moves nor flips again), clipped
 * to `stepSizes`; the update is -sign(g) step. O(n).
 * @throws InvalidArgumentError for an option out of range.
 * @returns a GradientTransformation producing the final (negative) step: it ends a chain, no
 *   `scaleByLearningRate` after it.
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { scaleByRprop } from '@krylov/optimizers';
 * const t = scaleByRprop();
 * const params = { w: array([1, -2]) };
 * const state = t.init(params);
 * const updates = { w: array([0.5, -1]) }; // the gradients, rewritten in place
 * t.update(updates, state, params);
 * console.assert(updates.w.get(0) < 0 && updates.w.get(1) > 0, 'a descent step');
 * ```
 */
export function scaleByRprop(options: RpropOptions = {}): GradientTransformation<RpropState> {
  return scaleByRpropIn(options, 'scaleByRprop');
}

const RPROP_OPTIONS_KEYS = optionKeys<RpropOptions>()('lr', 'etas', 'stepSizes');

/** `scaleByRprop` naming `fn` in errors. */
export function scaleByRpropIn(
  options: RpropOptions | undefined,
  fn: string,
): GradientTransformation<RpropState> {
  checkOptions(fn, options, RPROP_OPTIONS_KEYS);
  const lr = numberOption(fn, options, 'lr', 1e-2, NON_NEGATIVE);
  const [etaMinus, etaPlus] = pair(fn, 'options.etas', options?.etas, [0.5, 1.2]);
  if (!(etaMinus > 0 && etaMinus < 1 && etaPlus > 1))
    throw new InvalidArgumentError(
      fn,
      'options.etas',
      options?.etas,
      '[etaminus, etaplus] with 0 < etaminus < 1 < etaplus',
    );
  const [lo, hi] = pair(fn, 'options.stepSizes', options?.stepSizes, [1e-6, 50]);
  if (!(lo >= 0 && hi >= lo))
    throw new InvalidArgumentError(
      fn,
      'options.stepSizes',
      options?.stepSizes,
      '[min, max] with 0 <= min <= max',
    );
  return perParameter(
    (p) => ({ prev: zerosLike(p), stepSize: zerosLike(p).fill(lr) as Buffer }),
    (u, s) => {
      for (let i = 0; i < u.length; i++) {
        const sign = Math.sign(u[i] * s.prev[i]);
        const factor = sign > 0 ? etaPlus : sign < 0 ? etaMinus : 1;
        s.stepSize[i] = Math.min(Math.max(s.stepSize[i] * factor, lo), hi);
        const g = sign < 0 ? 0 : u[i];
        s.prev[i] = g;
        u[i] = -Math.sign(g) * s.stepSize[i];
      }
    },
    { name: fn },
  );
}

/** `scaleByAsgd`'s state: the running average `ax` of the parameters, the current step `eta` and averaging weight `mu`. */
export type AsgdState = PerParameterState<{ ax: Buffer; eta: number; mu: number }>;

export interface AsgdOptions {
  /** Learning rate, a finite number >= 0 (default 1e-2). */
  lr?: number;
  /** Decay term lambda >= 0 (default 1e-4). */
  lambd?: number;
  /** Power alpha >= 0 of the step decay eta_t = lr / (1 + lambda lr t)^alpha (default 0.75). */
  alpha?: number;
  /** The step t0 >= 0 after which averaging starts (default 1e6). */
  t0?: number;
  /** Coupled weight decay >= 0 (default 0). */
  weightDecay?: number;
}

/**
 * Averaged SGD (Polyak & Juditsky 1992; the schedule of Bottou 2012, as torch.optim.ASGD):
 * p <- p (1 - lambda eta) - eta g, then ax <- ax + mu (p - ax) with eta = lr / (1 + lambda lr t)^alpha
 * and mu = 1 / max(1, t - t0) for the next step. The averaged parameters are the state's `ax`
 * (read them through `Optimizer.stateDict`). The weight decay is coupled (added to g first). O(n).
 * @throws InvalidArgumentError for an option out of range.
 * @returns a GradientTransformation producing the final (negative) step: it ends a chain, no
 *   `scaleByLearningRate` after it.
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { scaleByAsgd } from '@krylov/optimizers';
 * const t = scaleByAsgd();
 * const params = { w: array([1, -2]) };
 * const state = t.init(params);
 * const updates = { w: array([0.5, -1]) }; // the gradients, rewritten in place
 * t.update(updates, state, params);
 * console.assert(updates.w.get(0) < 0 && updates.w.get(1) > 0, 'a descent step');
 * ```
 */
export function scaleByAsgd(options: AsgdOptions = {}): GradientTransformation<AsgdState> {
  return scaleByAsgdIn(options, 'scaleByAsgd');
}

const ASGD_OPTIONS_KEYS = optionKeys<AsgdOptions>()('lr', 'lambd', 'alpha', 't0', 'weightDecay');

/** `scaleByAsgd` naming `fn` in errors. */
export function scaleByAsgdIn(
  options: AsgdOptions | undefined,
  fn: string,
): GradientTransformation<AsgdState> {
  checkOptions(fn, options, ASGD_OPTIONS_KEYS);
  const lr = numberOption(fn, options, 'lr', 1e-2, NON_NEGATIVE);
  const lambd = numberOption(fn, options, 'lambd', 1e-4, NON_NEGATIVE);
  const alpha = numberOption(fn, options, 'alpha', 0.75, NON_NEGATIVE);
  const t0 = numberOption(fn, options, 't0', 1e6, NON_NEGATIVE);
  const wd = numberOption(fn, options, 'weightDecay', 0, NON_NEGATIVE);
  return perParameter(
    (p) => ({ ax: zerosLike(p), eta: lr, mu: 1 }),
    (u, s, param, t) => {
      const p = elementsOf(param);
      const eta = s.eta;
      for (let i = 0; i < u.length; i++) {
        const g = wd !== 0 ? u[i] + wd * p[i] : u[i];
        const next = p[i] * (1 - lambd * eta) - eta * g;
        s.ax[i] = s.mu !== 1 ? s.ax[i] + (next - s.ax[i]) * s.mu : next;
        u[i] = next - p[i];
      }
      s.eta = lr / (1 + lambd * lr * t) ** alpha;
      s.mu = 1 / Math.max(1, t - t0);
    },
    { name: fn },
  );
}
