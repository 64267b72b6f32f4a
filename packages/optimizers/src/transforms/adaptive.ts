import { checkOptions, optionKeys } from '@krylov/core-array';
import { type GradientTransformation, type PerParameterState, perParameter } from '../transform.js';
import { type Buffer, zerosLike } from '../tree.js';
import { BETA, NON_NEGATIVE, POSITIVE, numberOption } from './moments.js';

/**
 * The directions of torch.optim's Adamax, NAdam, RAdam and Adadelta, each followed in its named
 * optimizer by weight decay and `scaleByLearningRate` (the learning rate is a plain multiplier in
 * all four). Each is written in the order torch.optim evaluates it, so trajectories agree with
 * PyTorch to rounding (checked to 1e-12 relative over 60 steps). O(n) per parameter and step.
 */

/** `scaleByAdamax`'s state: the first moment and the exponentially weighted infinity norm. */
export type AdamaxState = PerParameterState<{ m: Buffer; u: Buffer }>;
/** `scaleByNadam`'s state: the moments and the running product of the momentum schedule. */
export type NadamState = PerParameterState<{ m: Buffer; v: Buffer; muProduct: number }>;
/** `scaleByRadam`'s state: the moments. */
export type RadamState = PerParameterState<{ m: Buffer; v: Buffer }>;
/** `scaleByAdadelta`'s state: the running mean squares of gradients and of updates. */
export type AdadeltaState = PerParameterState<{ sq: Buffer; acc: Buffer }>;

export interface AdamaxMomentOptions {
  /** Moment decays in [0, 1) (defaults 0.9 and 0.999). */
  b1?: number;
  b2?: number;
  /** Guard > 0 added to |g| in the infinity norm (default 1e-8). */
  eps?: number;
}

/**
 * Adamax's direction (Kingma & Ba 2015, section 7.1; torch.optim.Adamax): m = b1 m + (1 - b1) g,
 * u = max(b2 u, |g| + eps), direction m / u / (1 - b1^t).
 * @throws InvalidArgumentError for an option out of range (b1, b2 in [0, 1), eps > 0).
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { chain, scaleByLearningRate, scaleByAdamax } from '@krylov/optimizers';
 * const t = chain(scaleByAdamax(), scaleByLearningRate(0.1));
 * const params = { w: array([[1, -2], [0.5, 3]]) };
 * const state = t.init(params);
 * const updates = { w: array([[0.5, -1], [0.25, 1.5]]) }; // the gradients, rewritten in place
 * t.update(updates, state, params);
 * console.assert(updates.w.get(0, 0) < 0 && updates.w.get(0, 1) > 0, 'a descent step: opposite sign to g');
 * ```
 */
export function scaleByAdamax(options?: AdamaxMomentOptions): GradientTransformation<AdamaxState> {
  return scaleByAdamaxIn(options, 'scaleByAdamax');
}

const ADAMAX_MOMENT_OPTIONS_KEYS = optionKeys<AdamaxMomentOptions>()('b1', 'b2', 'eps');

/** The checked moment options shared by Adamax, RAdam and SparseAdam (torch's defaults). */
function momentOptions(fn: string, options: AdamaxMomentOptions | undefined) {
  checkOptions(fn, options, ADAMAX_MOMENT_OPTIONS_KEYS);
  return {
    b1: numberOption(fn, options, 'b1', 0.9, BETA),
    b2: numberOption(fn, options, 'b2', 0.999, BETA),
    eps: numberOption(fn, options, 'eps', 1e-8, POSITIVE),
  };
}

/** `scaleByAdamax` naming `fn` in errors. */
export function scaleByAdamaxIn(
  options: AdamaxMomentOptions | undefined,
  fn: string,
): GradientTransformation<AdamaxState> {
  const { b1, b2, eps } = momentOptions(fn, options);
  return perParameter(
    (p) => ({ m: zerosLike(p), u: zerosLike(p) }),
    (g, s, _p, t) => {
      const bc = 1 - b1 ** t;
      for (let i = 0; i < g.length; i++) {
        s.m[i] = b1 * s.m[i] + (1 - b1) * g[i];
        s.u[i] = Math.max(b2 * s.u[i], Math.abs(g[i]) + eps);
        g[i] = s.m[i] / s.u[i] / bc;
      }
    },
    { name: 'scaleByAdamax' },
  );
}

export interface NadamMomentOptions extends AdamaxMomentOptions {
  /** psi >= 0 of the momentum schedule mu_t = b1 (1 - 0.96^(t psi) / 2) (default 4e-3, Dozat's). */
  momentumDecay?: number;
}

/**
 * NAdam's direction (Dozat 2016, "Incorporating Nesterov Momentum into Adam"; torch.optim.NAdam):
 * with mu_t = b1 (1 - 0.96^(t psi) / 2) and P_t = mu_1 ... mu_t,
 * m = b1 m + (1 - b1) g, v = b2 v + (1 - b2) g^2, d = sqrt(v) / sqrt(1 - b2^t) + eps and the
 * direction ((1 - mu_t) / (1 - P_t)) g / d + (mu_{t+1} / (1 - P_t mu_{t+1})) m / d.
 * @throws InvalidArgumentError for an option out of range (momentumDecay >= 0 besides Adam's).
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { chain, scaleByLearningRate, scaleByNadam } from '@krylov/optimizers';
 * const t = chain(scaleByNadam(), scaleByLearningRate(0.1));
 * const params = { w: array([[1, -2], [0.5, 3]]) };
 * const state = t.init(params);
 * const updates = { w: array([[0.5, -1], [0.25, 1.5]]) }; // the gradients, rewritten in place
 * t.update(updates, state, params);
 * console.assert(updates.w.get(0, 0) < 0 && updates.w.get(0, 1) > 0, 'a descent step: opposite sign to g');
 * ```
 */
export function scaleByNadam(options?: NadamMomentOptions): GradientTransformation<NadamState> {
  return scaleByNadamIn(options, 'scaleByNadam');
}

const NADAM_MOMENT_OPTIONS_KEYS = optionKeys<NadamMomentOptions>()('b1', 'b2', 'eps', 'momentumDecay');

/** `scaleByNadam` naming `fn` in errors. */
export function scaleByNadamIn(
  options: NadamMomentOptions | undefined,
  fn: string,
): GradientTransformation<NadamState> {
  checkOptions(fn, options, NADAM_MOMENT_OPTIONS_KEYS);
  const b1 = numberOption(fn, options, 'b1', 0.9, BETA);
  const b2 = numberOption(fn, options, 'b2', 0.999, BETA);
  const eps = numberOption(fn, options, 'eps', 1e-8, POSITIVE);
  const psi = numberOption(fn, options, 'momentumDecay', 4e-3, NON_NEGATIVE);
  return perParameter(
    (p) => ({ m: zerosLike(p), v: zerosLike(p), muProduct: 1 }),
    (g, s, _p, t) => {
      const bc2Sqrt = Math.sqrt(1 - b2 ** t);
      const mu = b1 * (1 - 0.5 * 0.96 ** (t * psi));
      const muNext = b1 * (1 - 0.5 * 0.96 ** ((t + 1) * psi));
      s.muProduct *= mu;
      const cg = (1 - mu) / (1 - s.muProduct);
      const cm = muNext / (1 - s.muProduct * muNext);
      for (let i = 0; i < g.length; i++) {
        s.m[i] = b1 * s.m[i] + (1 - b1) * g[i];
        s.v[i] = b2 * s.v[i] + (1 - b2) * g[i] * g[i];
        const d = Math.sqrt(s.v[i]) / bc2Sqrt + eps;
        g[i] = cg * (g[i] / d) + cm * (s.m[i] / d);
      }
    },
    { name: 'scaleByNadam' },
  );
}

/**
 * RAdam's direction (Liu et al. 2020, "On the Variance of the Adaptive Learning Rate and Beyond",
 * Algorithm 2; torch.optim.RAdam): with rho_inf = 2 / (1 - b2) - 1 and
 * rho_t = rho_inf - 2 t b2^t / (1 - b2^t), the direction is m / (1 - b1^t) times, once rho_t > 5,
 * the rectification r_t sqrt(1 - b2^t) / (sqrt(v) + eps); before that, SGD with momentum.
 * @throws InvalidArgumentError for an option out of range (b1, b2 in [0, 1), eps > 0).
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { chain, scaleByLearningRate, scaleByRadam } from '@krylov/optimizers';
 * const t = chain(scaleByRadam(), scaleByLearningRate(0.1));
 * const params = { w: array([[1, -2], [0.5, 3]]) };
 * const state = t.init(params);
 * const updates = { w: array([[0.5, -1], [0.25, 1.5]]) }; // the gradients, rewritten in place
 * t.update(updates, state, params);
 * console.assert(updates.w.get(0, 0) < 0 && updates.w.get(0, 1) > 0, 'a descent step: opposite sign to g');
 * ```
 */
export function scaleByRadam(options?: AdamaxMomentOptions): GradientTransformation<RadamState> {
  return scaleByRadamIn(options, 'scaleByRadam');
}

/** `scaleByRadam` naming `fn` in errors. */
export function scaleByRadamIn(
  options: AdamaxMomentOptions | undefined,
  fn: string,
): GradientTransformation<RadamState> {
  const { b1, b2, eps } = momentOptions(fn, options);
  return perParameter(
    (p) => ({ m: zerosLike(p), v: zerosLike(p) }),
    (g, s, _p, t) => {
      const bc1 = 1 - b1 ** t;
      const bc2 = 1 - b2 ** t;
      const rhoInf = 2 / (1 - b2) - 1;
      const rho = rhoInf - (2 * t * b2 ** t) / bc2;
      const rect =
        rho > 5 ? Math.sqrt(((rho - 4) * (rho - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rho)) : 0;
      for (let i = 0; i < g.length; i++) {
        s.m[i] = b1 * s.m[i] + (1 - b1) * g[i];
        s.v[i] = b2 * s.v[i] + (1 - b2) * g[i] * g[i];
        const mHat = s.m[i] / bc1;
        g[i] = rho > 5 ? mHat * (Math.sqrt(bc2) / (Math.sqrt(s.v[i]) + eps)) * rect : mHat;
      }
    },
    { name: 'scaleByRadam' },
  );
}

export interface AdadeltaMomentOptions {
  /** Decay rho in [0, 1] of both running averages (default 0.9). */
  rho?: number;
  /** Guard > 0 inside both square roots (default 1e-6). */
  eps?: number;
}

/**
 * Adadelta's direction (Zeiler 2012, Algorithm 1; torch.optim.Adadelta): sq = rho sq + (1 - rho) g^2,
 * delta = sqrt(acc + eps) / sqrt(sq + eps) g, acc = rho acc + (1 - rho) delta^2.
 * @throws InvalidArgumentError for an option out of range (rho in [0, 1], eps > 0).
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { chain, scaleByLearningRate, scaleByAdadelta } from '@krylov/optimizers';
 * const t = chain(scaleByAdadelta(), scaleByLearningRate(0.1));
 * const params = { w: array([[1, -2], [0.5, 3]]) };
 * const state = t.init(params);
 * const updates = { w: array([[0.5, -1], [0.25, 1.5]]) }; // the gradients, rewritten in place
 * t.update(updates, state, params);
 * console.assert(updates.w.get(0, 0) < 0 && updates.w.get(0, 1) > 0, 'a descent step: opposite sign to g');
 * ```
 */
export function scaleByAdadelta(options?: AdadeltaMomentOptions): GradientTransformation<AdadeltaState> {
  return scaleByAdadeltaIn(options, 'scaleByAdadelta');
}

const ADADELTA_MOMENT_OPTIONS_KEYS = optionKeys<AdadeltaMomentOptions>()('rho', 'eps');

/** `scaleByAdadelta` naming `fn` in errors. */
export function scaleByAdadeltaIn(
  options: AdadeltaMomentOptions | undefined,
  fn: string,
): GradientTransformation<AdadeltaState> {
  checkOptions(fn, options, ADADELTA_MOMENT_OPTIONS_KEYS);
  const rho = numberOption(fn, options, 'rho', 0.9, { min: 0, max: 1 });
  const eps = numberOption(fn, options, 'eps', 1e-6, POSITIVE);
  return perParameter(
    (p) => ({ sq: zerosLike(p), acc: zerosLike(p) }),
    (g, s) => {
      for (let i = 0; i < g.length; i++) {
        s.sq[i] = rho * s.sq[i] + (1 - rho) * g[i] * g[i];
        const delta = (Math.sqrt(s.acc[i] + eps) / Math.sqrt(s.sq[i] + eps)) * g[i];
        s.acc[i] = rho * s.acc[i] + (1 - rho) * delta * delta;
        g[i] = delta;
      }
    },
    { name: 'scaleByAdadelta' },
  );
}

/** `scaleBySparseAdam`'s state: the moments (entries change only where a gradient was non-zero). */
export type SparseAdamState = PerParameterState<{ m: Buffer; v: Buffer }>;

/**
 * SparseAdam's direction (torch.optim.SparseAdam) on dense arrays: the entries where the gradient
 * is zero are treated as absent from a sparse gradient, so their moments and parameters are left
 * alone; elsewhere m += (1 - b1)(g - m), v += (1 - b2)(g^2 - v), and the direction is
 * (sqrt(1 - b2^t) / (1 - b1^t)) m / (sqrt(v) + eps) with t counting every step (as torch's step
 * count, which advances even when a gradient has no entries).
 * @throws InvalidArgumentError for an option out of range (b1, b2 in [0, 1), eps > 0).
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { chain, scaleByLearningRate, scaleBySparseAdam } from '@krylov/optimizers';
 * const t = chain(scaleBySparseAdam(), scaleByLearningRate(0.1));
 * const params = { w: array([[1, -2], [0.5, 3]]) };
 * const state = t.init(params);
 * const updates = { w: array([[0.5, -1], [0.25, 1.5]]) }; // the gradients, rewritten in place
 * t.update(updates, state, params);
 * console.assert(updates.w.get(0, 0) < 0 && updates.w.get(0, 1) > 0, 'a descent step: opposite sign to g');
 * ```
 */
export function scaleBySparseAdam(options?: AdamaxMomentOptions): GradientTransformation<SparseAdamState> {
  return scaleBySparseAdamIn(options, 'scaleBySparseAdam');
}

/** `scaleBySparseAdam` naming `fn` in errors. */
export function scaleBySparseAdamIn(
  options: AdamaxMomentOptions | undefined,
  fn: string,
): GradientTransformation<SparseAdamState> {
  const { b1, b2, eps } = momentOptions(fn, options);
  return perParameter(
    (p) => ({ m: zerosLike(p), v: zerosLike(p) }),
    (g, s, _p, t) => {
      const c = Math.sqrt(1 - b2 ** t) / (1 - b1 ** t);
      for (let i = 0; i < g.length; i++) {
        if (g[i] === 0) continue;
        const m0 = s.m[i];
        const v0 = s.v[i];
        const dm = (g[i] - m0) * (1 - b1);
        const dv = (g[i] * g[i] - v0) * (1 - b2);
        s.m[i] = m0 + dm;
        s.v[i] = v0 + dv;
        g[i] = c * ((dm + m0) / (Math.sqrt(dv + v0) + eps));
      }
    },
    { name: 'scaleBySparseAdam' },
  );
}
