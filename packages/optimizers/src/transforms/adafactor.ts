import { checkOptions, optionKeys } from '@krylov/core-array';
import type { Rate } from '../schedules.js';
import {
  type GradientTransformation,
  type PerParameterState,
  perParameter,
  withMaximize,
} from '../transform.js';
import { type Buffer, elementsOf, zerosLike } from '../tree.js';
import { checkRate, rateAtStep } from './basic.js';
import { NON_NEGATIVE, POSITIVE, numberOption } from './moments.js';

/** `adafactor`'s state: per parameter, row and column second moments (matrices) or the full second moment (vectors). */
export type AdafactorState = PerParameterState<{
  row: Buffer | null;
  col: Buffer | null;
  variance: Buffer | null;
}>;

export interface AdafactorOptions {
  /** Relative step size: rho_t = min(lr, 1 / sqrt(t)) (default 0.01); a finite number >= 0 or a schedule. */
  lr?: Rate;
  /** beta2_t = 1 - t^beta2Decay, <= 0 (default -0.8). */
  beta2Decay?: number;
  /**
   * Regularizers eps1 > 0 (variance floor; default the dtype's machine epsilon) and eps2 >= 0
   * (parameter-scale floor, default 1e-3).
   */
  eps1?: number;
  eps2?: number;
  /** Update clipping threshold d >= 1 (default 1), as torch.optim.Adafactor. */
  clip?: number;
  /** Decoupled weight decay >= 0, p *= 1 - lr wd (default 0). */
  weightDecay?: number;
  /** Ascend instead of descend: the gradients are negated first (torch.optim's `maximize`; default false). */
  maximize?: boolean;
}

const ADAFACTOR_OPTIONS_KEYS = optionKeys<AdafactorOptions>()(
  'lr',
  'beta2Decay',
  'eps1',
  'eps2',
  'clip',
  'weightDecay',
  'maximize',
);

/**
 * Adafactor (Shazeer & Stern 2018, Algorithms 4 and 5) as torch.optim.Adafactor: factored
 * second moments for matrices (row and column means of g^2 over the last two axes, recombined as
 * R C / mean(R)), a full second moment for vectors, relative step sizes scaled by the parameter's
 * RMS, and update clipping. Produces the final (negative) step, so it ends a chain. Memory O(m + n)
 * per m x n matrix; time O(mn).
 * @throws InvalidArgumentError for an option out of range (torch.optim.Adafactor's ranges, with
 * eps1 > 0); at a step where a schedule `lr` returns NaN or a negative, naming the step.
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { Optimizer, adafactor } from '@krylov/optimizers';
 * const w = array([[1, -2], [0.5, 3]]); // minimize f(w) = ||w||^2, gradient 2 w
 * const opt = new Optimizer({ w }, adafactor, { lr: 0.1 });
 * for (let i = 0; i < 100; i++) opt.step({ w: array(w.toArray().map((r) => r.map((v) => 2 * v))) });
 * console.assert(Math.max(...w.toFlatArray().map(Math.abs)) < 1, 'descends from max |w| = 3');
 * ```
 */
export function adafactor(options?: AdafactorOptions): GradientTransformation<AdafactorState> {
  const fn = 'adafactor';
  checkOptions(fn, options, ADAFACTOR_OPTIONS_KEYS);
  const lr = checkRate(fn, 'options.lr', options?.lr ?? 1e-2);
  const decay = numberOption(fn, options, 'beta2Decay', -0.8, { max: 0 });
  const eps1Option = numberOption(fn, options, 'eps1', Number.NaN, POSITIVE);
  const eps2 = numberOption(fn, options, 'eps2', 1e-3, NON_NEGATIVE);
  const d = numberOption(fn, options, 'clip', 1, { min: 1 });
  const wd = numberOption(fn, options, 'weightDecay', 0, NON_NEGATIVE);
  const transform = perParameter(
    (p) => {
      if (p.ndim < 2) return { row: null, col: null, variance: zerosLike(p) };
      const [m, n] = p.shape.slice(-2);
      const batch = p.size / (m * n);
      const make = (k: number) => (p.dtype === 'float32' ? new Float32Array(k) : new Float64Array(k));
      return { row: make(batch * m), col: make(batch * n), variance: null as Buffer | null };
    },
    (u, s, p, t) => {
      const eps1 = options?.eps1 !== undefined ? eps1Option : p.dtype === 'float32' ? 2 ** -23 : 2 ** -52;
      const rate = rateAtStep(fn, 'options.lr', lr, t);
      const w = t ** decay;
      const rho = Math.min(rate, 1 / Math.sqrt(t));
      const pd = elementsOf(p);
      let pNorm = 0;
      for (const v of pd) pNorm += v * v;
      const alpha = Math.max(eps2, Math.sqrt(pNorm) / Math.sqrt(p.size)) * rho;
      if (wd !== 0) for (let i = 0; i < pd.length; i++) pd[i] *= 1 - rate * wd;
      if (s.variance) {
        for (let i = 0; i < u.length; i++) {
          s.variance[i] += w * (u[i] * u[i] - s.variance[i]);
          u[i] = u[i] / Math.sqrt(Math.max(s.variance[i], eps1 * eps1));
        }
      } else {
        factoredScale(u, s.row!, s.col!, p.shape.slice(-2) as [number, number], w, eps1);
      }
      let uNorm = 0;
      for (const v of u) uNorm += v * v;
      const denom = Math.max(1, Math.sqrt(uNorm) / (Math.sqrt(u.length) * d));
      for (let i = 0; i < u.length; i++) u[i] *= -alpha / denom;
    },
    { name: fn },
  );
  return withMaximize(fn, options, {
    ...transform,
    check: (state) => void rateAtStep(fn, 'options.lr', lr, state.count + 1),
  });
}

/** u <- u / sqrt(max(R C / mean(R), eps1^2)) for each trailing m x n matrix, after updating R and C. */
function factoredScale(
  u: Buffer,
  row: Buffer,
  col: Buffer,
  [m, n]: [number, number],
  w: number,
  eps1: number,
): void {
  for (let b = 0; b * m * n < u.length; b++) {
    const base = b * m * n;
    const r = row.subarray(b * m, (b + 1) * m);
    const c = col.subarray(b * n, (b + 1) * n);
    const colMean = new Float64Array(n);
    for (let i = 0; i < m; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) {
        const g2 = u[base + i * n + j] ** 2;
        s += g2;
        colMean[j] += g2 / m;
      }
      r[i] += w * (s / n - r[i]);
    }
    for (let j = 0; j < n; j++) c[j] += w * (colMean[j] - c[j]);
    let rMean = 0;
    for (let i = 0; i < m; i++) rMean += r[i] / m;
    const scale = Math.max(rMean, eps1);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++)
        u[base + i * n + j] /= Math.sqrt(Math.max((r[i] * c[j]) / scale, eps1 * eps1));
    }
  }
}
