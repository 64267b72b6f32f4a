import { checkBoolean, checkChoice, checkOptions, optionKeys } from '@krylov/core-array';
import { type Batch, lincomb } from '../vector.js';
import {
  type FinalStepPolicy,
  type Point,
  checkFinalStepPolicy,
  noisySteps,
  pointAt,
  request,
  stepOrder,
} from './common.js';
import type { Sampler, SamplerProgram } from './types.js';

/** Solves the small dense system M r = b (order <= 3) by Gaussian elimination with partial pivoting. */
function solveSmall(m: number[][], b: number[]): number[] {
  const n = b.length;
  const a = m.map((row, i) => [...row.slice(0, n), b[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r][c]) > Math.abs(a[p][c])) p = r;
    [a[c], a[p]] = [a[p], a[c]];
    for (let r = c + 1; r < n; r++) {
      const f = a[r][c] / a[c][c];
      for (let k = c; k <= n; k++) a[r][k] -= f * a[c][k];
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = a[r][n];
    for (let k = r + 1; k < n; k++) s -= a[r][k] * x[k];
    x[r] = s / a[r][r];
  }
  return x;
}

interface Past {
  d: Batch;
  lambda: number;
}

/**
 * The UniPC coefficients for a step of log-SNR length h using `order` points: the matrix R of
 * powers of the ratios r_k = (lambda_k - lambda_0) / h (with r = 1 for the newest point) and the
 * vector b of phi functions divided by B(h) (Zhao et al. 2023, Algorithm 1 / the reference code).
 */
function uniCoefficients(h: number, rks: number[], order: number, variant: 'bh1' | 'bh2') {
  const hh = -h;
  const hPhi1 = Math.expm1(hh);
  const bh = variant === 'bh1' ? hh : hPhi1;
  let hPhiK = hPhi1 / hh - 1;
  let factorial = 1;
  const r: number[][] = [];
  const b: number[] = [];
  for (let i = 1; i <= order; i++) {
    r.push(rks.map((v) => v ** (i - 1)));
    b.push((hPhiK * factorial) / bh);
    factorial *= i + 1;
    hPhiK = hPhiK / hh - 1 / factorial;
  }
  return { r, b, hPhi1, bh };
}

/**
 * One UniPC update from the newest stored point (x0, D0) to point q: the predictor UniP when
 * `dNew` is absent, the corrector UniC (using the model output `dNew` at q) when present.
 */
function uniUpdate(
  x: Batch,
  from: Point,
  q: Point,
  history: Past[],
  order: number,
  variant: 'bh1' | 'bh2',
  dNew?: Batch,
): Batch {
  const h = q.lambda - from.lambda;
  const d0 = history[0].d;
  const rks: number[] = [];
  const diffs: Batch[] = [];
  for (let k = 1; k < order; k++) {
    const rk = (history[k].lambda - from.lambda) / h;
    rks.push(rk);
    diffs.push(
      lincomb([
        [1 / rk, history[k].d],
        [-1 / rk, d0],
      ]),
    );
  }
  rks.push(1);
  const { r, b, hPhi1, bh } = uniCoefficients(h, rks, order, variant);
  const terms: [number, Batch][] = [
    [q.sigma / from.sigma, x],
    [-q.alpha * hPhi1, d0],
  ];
  if (dNew) {
    const rhos = order === 1 ? [0.5] : solveSmall(r, b);
    diffs.forEach((di, k) => terms.push([-q.alpha * bh * rhos[k], di]));
    terms.push([-q.alpha * bh * rhos[order - 1], dNew], [q.alpha * bh * rhos[order - 1], d0]);
  } else if (order >= 2) {
    const rhos = order === 2 ? [0.5] : solveSmall(r.slice(0, -1), b.slice(0, -1));
    diffs.forEach((di, k) => terms.push([-q.alpha * bh * rhos[k], di]));
  }
  return lincomb(terms);
}

export interface UniPCOptions extends FinalStepPolicy {
  /** Predictor order p (1, 2 or 3); with the corrector the method has order p + 1. Default 2. */
  order?: 1 | 2 | 3;
  /** B(h) = h ('bh1') or e^h - 1 ('bh2', default; better for guided sampling). */
  variant?: 'bh1' | 'bh2';
  /** Apply the corrector UniC (default true; never after the last step). */
  corrector?: boolean;
}

const UNI_PCOPTIONS_KEYS = optionKeys<UniPCOptions>()(
  'order',
  'variant',
  'corrector',
  'lowerOrderFinal',
  'eulerAtFinal',
);

/**
 * UniPC (Zhao et al. 2023, "UniPC: A Unified Predictor-Corrector Framework for Fast Sampling of
 * Diffusion Models"), data-prediction form: a multistep predictor UniP-p and a corrector UniC
 * that reuses the model output at the new point, so the corrector costs no extra evaluation.
 * One evaluation per step.
 * @returns a `Sampler` for `sample` or `SamplingRun`; the result batch has x's shape and dtype.
 * @example
 * ```ts
 * import { rng } from '@krylov/core-array';
 * import { unipc, gaussianData, initialNoise, sample, vpCosine } from '@krylov/diffusion-samplers';
 * const data = gaussianData({ mean: [1, -1], variances: [0.5, 2] }); // exact denoiser, no network
 * const schedule = vpCosine();
 * const x = initialNoise(schedule, [512, 2], rng(1));
 * const out = await sample(data.model, unipc(), x, { schedule, steps: 20 });
 * const m0 = out.toFlatArray().filter((_, i) => i % 2 === 0).reduce((s, v) => s + v, 0) / 512;
 * console.assert(Math.abs(m0 - 1) < 0.15, 'the samples have the data mean');
 * ```
 */
export function unipc(options?: UniPCOptions): Sampler {
  const fn = 'unipc';
  checkOptions(fn, options, UNI_PCOPTIONS_KEYS);
  const order = checkChoice(fn, 'options.order', options?.order ?? 2, [1, 2, 3] as const);
  const variant = checkChoice(fn, 'options.variant', options?.variant ?? 'bh2', ['bh1', 'bh2'] as const);
  const corrector = checkBoolean(fn, 'options.corrector', options?.corrector ?? true);
  const policy = checkFinalStepPolicy(fn, options);
  return {
    name: `unipc-${order}${variant === 'bh1' ? '-bh1' : ''}${corrector ? '' : '-no-corrector'}`,
    stochastic: false,
    *program({ schedule, times, x }): SamplerProgram {
      const n = noisySteps(times);
      const history: Past[] = [];
      let last: { x: Batch; from: Point; order: number } | null = null;
      for (let i = 0; i + 1 < times.length; i++) {
        const p = pointAt(schedule, times[i]);
        const q = pointAt(schedule, times[i + 1]);
        const d = yield request(x, p, i);
        if (last && corrector) x = uniUpdate(last.x, last.from, p, history, last.order, variant, d);
        history.unshift({ d, lambda: p.lambda });
        history.length = Math.min(history.length, order);
        if (q.sigma === 0) return lincomb([[q.alpha, d]]);
        const k = stepOrder(order, i, n, policy);
        last = { x, from: p, order: k };
        x = uniUpdate(x, p, q, history, k, variant);
      }
      return x;
    },
  };
}
