import { InvalidArgumentError, type NDArray, checkFunction } from '@krylov/core-array';
import { checkBatchArray, checkSchedule } from './check.js';
import type { NoiseSchedule } from './schedules.js';
import { type Batch, checkSameShape, lincomb } from './vector.js';

/**
 * What a model predicts for x_t = alpha x0 + sigma eps:
 * - `'epsilon'`: the noise eps (DDPM);
 * - `'x0'`: the clean sample (a denoiser, as EDM's D);
 * - `'v'`: v = alpha eps - sigma x0 (Salimans & Ho 2022);
 * - `'score'`: grad log p_t(x) = -eps / sigma;
 * - `'flow'`: the velocity dx_t/dt = alpha'(t) x0 + sigma'(t) eps (flow matching).
 */
export type Prediction = 'epsilon' | 'x0' | 'v' | 'score' | 'flow';

export const PREDICTIONS: readonly Prediction[] = ['epsilon', 'x0', 'v', 'score', 'flow'];

/** The noise level a model is evaluated at. */
export interface NoiseLevel {
  t: number;
  alpha: number;
  sigma: number;
}

/**
 * A diffusion model: `predict` maps a noisy batch and its noise level to the declared prediction.
 * It may return a Promise, so a model served by ONNX Runtime, TensorFlow.js or a remote service
 * plugs in unchanged.
 */
export interface DiffusionModel {
  prediction: Prediction;
  predict(x: Batch, level: NoiseLevel): NDArray | Promise<NDArray>;
}

/** Throws InvalidArgumentError for a prediction type outside `PREDICTIONS`. */
export function checkPrediction(fn: string, arg: string, p: unknown): asserts p is Prediction {
  if (!PREDICTIONS.includes(p as Prediction))
    throw new InvalidArgumentError(fn, arg, p, `one of ${PREDICTIONS.join(', ')}`);
}

/**
 * alpha and sigma at t; t = 0 is the clean end (sigma = 0) for every schedule.
 * Cost O(1).
 * @example
 * ```ts
 * import { levelAt, vpLinear } from '@krylov/diffusion-samplers';
 * const { alpha, sigma } = levelAt(vpLinear(), 0);
 * console.assert(alpha === 1 && sigma === 0, 't = 0 is clean data');
 * ```
 */
export function levelAt(schedule: NoiseSchedule, t: number): NoiseLevel {
  return { t, alpha: schedule.alpha(t), sigma: t === 0 ? 0 : schedule.sigma(t) };
}

/**
 * Converts a model output between prediction types at x_t and time t: each type determines
 * (x0, eps) through x_t = alpha x0 + sigma eps and one more linear relation, solved in closed form.
 * O(size).
 * @throws InvalidArgumentError for unknown prediction types, a malformed schedule or t outside
 *   (0, tMax]; ShapeError when output and x differ in shape.
 * @returns a batch of x's shape (float64 or x's float dtype).
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { convertPrediction, vpCosine } from '@krylov/diffusion-samplers';
 * const s = vpCosine();
 * const t = 0.5;
 * const x0 = array([[1, 2]]);
 * const eps = array([[0.5, -1]]);
 * const xt = array([[s.alpha(t) * 1 + s.sigma(t) * 0.5, s.alpha(t) * 2 - s.sigma(t)]]);
 * const back = convertPrediction(eps, 'epsilon', 'x0', xt, t, s);
 * console.assert(Math.abs(back.get(0, 1) - 2) < 1e-12, 'epsilon -> x0');
 * ```
 */
export function convertPrediction(
  output: Batch,
  from: Prediction,
  to: Prediction,
  x: Batch,
  t: number,
  schedule: NoiseSchedule,
): Batch {
  const fn = 'convertPrediction';
  checkPrediction(fn, 'from', from);
  checkPrediction(fn, 'to', to);
  checkSchedule(fn, 'schedule', schedule);
  checkBatchArray(fn, 'x', x);
  checkSameShape(fn, 'output', x, checkBatchArray(fn, 'output', output));
  if (!(typeof t === 'number' && t > 0 && t <= schedule.tMax))
    throw new InvalidArgumentError(fn, 't', t, `a time in (0, ${schedule.tMax}]`);
  if (from === to) return output;
  const a = schedule.alpha(t);
  const s = schedule.sigma(t);
  const x0 = toX0(output, from, x, t, schedule);
  switch (to) {
    case 'x0':
      return x0;
    case 'epsilon':
      return lincomb([
        [1 / s, x],
        [-a / s, x0],
      ]);
    case 'score':
      return lincomb([
        [-1 / (s * s), x],
        [a / (s * s), x0],
      ]);
    case 'v':
      // v = a eps - s x0 with eps = (x - a x0) / s
      return lincomb([
        [a / s, x],
        [-(a * a) / s - s, x0],
      ]);
    case 'flow': {
      const da = schedule.dAlpha(t);
      const ds = schedule.dSigma(t);
      return lincomb([
        [ds / s, x],
        [da - (ds * a) / s, x0],
      ]);
    }
  }
}

/**
 * The clean-sample prediction x0 implied by `output` of type `from` (see `convertPrediction`).
 * Cost O(size).
 * @throws as `convertPrediction`.
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { edm, toX0 } from '@krylov/diffusion-samplers';
 * const xt = array([[3, 4]]); // alpha = 1, sigma = t = 2 under edm
 * const x0 = toX0(array([[0.5, 1]]), 'epsilon', xt, 2, edm()); // x0 = x - sigma eps
 * console.assert(x0.get(0, 0) === 2 && x0.get(0, 1) === 2, 'x - sigma eps');
 * ```
 */
export function toX0(output: Batch, from: Prediction, x: Batch, t: number, schedule: NoiseSchedule): Batch {
  const a = schedule.alpha(t);
  const s = schedule.sigma(t);
  switch (from) {
    case 'x0':
      return output;
    case 'epsilon':
      return lincomb([
        [1 / a, x],
        [-s / a, output],
      ]);
    case 'score':
      // eps = -s * score
      return lincomb([
        [1 / a, x],
        [(s * s) / a, output],
      ]);
    case 'v': {
      const n = a * a + s * s;
      return lincomb([
        [a / n, x],
        [-s / n, output],
      ]);
    }
    case 'flow': {
      const da = schedule.dAlpha(t);
      const ds = schedule.dSigma(t);
      const det = ds * a - s * da;
      return lincomb([
        [ds / det, x],
        [-s / det, output],
      ]);
    }
  }
}

/**
 * Wraps a plain function as a model, checking the prediction type and the function once.
 * Cost O(1).
 * @throws InvalidArgumentError for an unknown prediction type or a `predict` that is not a function.
 * @example
 * ```ts
 * import { rng } from '@krylov/core-array';
 * import { defineModel, ddim, initialNoise, sample, vpCosine } from '@krylov/diffusion-samplers';
 * const zero = defineModel('x0', (x) => x.copy().fill(0)); // a denoiser that always predicts 0
 * const schedule = vpCosine();
 * const out = await sample(zero, ddim(), initialNoise(schedule, [4, 2], rng(1)), { schedule, steps: 5 });
 * console.assert(out.toFlatArray().every((v) => Math.abs(v) < 1e-12), 'collapses to 0');
 * ```
 */
export function defineModel(prediction: Prediction, predict: DiffusionModel['predict']): DiffusionModel {
  checkPrediction('defineModel', 'prediction', prediction);
  checkFunction('defineModel', 'predict', predict);
  return { prediction, predict };
}
