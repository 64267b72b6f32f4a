import { InvalidArgumentError, checkOptions } from '@krylov/core-array';
import { type Rate, rateAt } from '../schedules.js';
import { perParameter } from '../transform.js';
import { type Buffer, zerosLike } from '../tree.js';

export interface AdafactorOptions {
  /** Relative step size: rho_t = min(lr, 1 / sqrt(t)) (default 0.01). */
  lr?: Rate;
  /** beta2_t = 1 - t^beta2Decay (default -0.8). */
  beta2Decay?: number;
  /** Regularizers eps1 (variance floor; default the dtype's machine epsilon) and eps2 (parameter-scale floor, default 1e-3). */
  eps1?: number;
  eps2?: number;
  /** Update clipping threshold d (default 1). */
  clip?: number;
  /** Decoupled weight decay, p *= 1 - lr wd (default 0). */
  weightDecay?: number;
}

/**
 * Adafactor (Shazeer & Stern 2018, Algorithms 4 and 5) as torch.optim.Adafactor: factored
 * second moments for matrices (row and column means of g^2 over the last two axes, recombined as
 * R C / mean(R)), a full second moment for vectors, relative step sizes scaled by the parameter's
 * RMS, and update clipping. Produces the final (negative) step, so it ends a chain. Memory O(m + n)
 * per m x n matrix; time O(mn).
 */
export function adafactor(options?: AdafactorOptions) {
  checkOptions('adafactor', options, ['lr', 'beta2Decay', 'eps1', 'eps2', 'clip', 'weightDecay']);
  const lr = options?.lr ?? 1e-2;
  const decay = options?.beta2Decay ?? -0.8;
  const eps2 = options?.eps2 ?? 1e-3;
  const d = options?.clip ?? 1;
  const wd = options?.weightDecay ?? 0;
  if (!(decay <= 0))
    throw new InvalidArgumentError('adafactor', 'options.beta2Decay', decay, 'a number <= 0');
  return perParameter(
    (p) => {
      if (p.ndim < 2) return { row: null, col: null, variance: zerosLike(p) };
      const [m, n] = p.shape.slice(-2);
      const batch = p.size / (m * n);
      const make = (k: number) => (p.dtype === 'float32' ? new Float32Array(k) : new Float64Array(k));
      return { row: make(batch * m), col: make(batch * n), variance: null as Buffer | null };
    },
    (u, s, p, t) => {
      const eps1 = options?.eps1 ?? (p.dtype === 'float32' ? 2 ** -23 : 2 ** -52);
      const rate = rateAt(lr, t);
      const w = t ** decay;
      const rho = Math.min(rate, 1 / Math.sqrt(t));
      const pd = p.data as Buffer;
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
  );
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
