import { InvalidArgumentError, checkOptions } from '@krylov/core-array';
import { perParameter } from '../transform.js';
import { type Buffer, zerosLike } from '../tree.js';

function inRange(fn: string, arg: string, v: number, lo: number, hi: number): number {
  if (!(v >= lo && v < hi)) throw new InvalidArgumentError(fn, arg, v, `a number in [${lo}, ${hi})`);
  return v;
}

/**
 * Scale by Adam's bias-corrected moments (Kingma & Ba 2015, Algorithm 1; AMSGrad, Reddi et al.
 * 2018, keeps the running maximum of the second moment):
 * m = b1 m + (1 - b1) g, v = b2 v + (1 - b2) g^2, u = (m / (1 - b1^t)) / (sqrt(v) / sqrt(1 - b2^t) + eps),
 * written in the order torch.optim.Adam evaluates it. O(n) per parameter.
 */
export function scaleByAdam(options?: { b1?: number; b2?: number; eps?: number; amsgrad?: boolean }) {
  checkOptions('scaleByAdam', options, ['b1', 'b2', 'eps', 'amsgrad']);
  const b1 = inRange('scaleByAdam', 'options.b1', options?.b1 ?? 0.9, 0, 1);
  const b2 = inRange('scaleByAdam', 'options.b2', options?.b2 ?? 0.999, 0, 1);
  const eps = options?.eps ?? 1e-8;
  const amsgrad = options?.amsgrad ?? false;
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
  );
}

/**
 * SGD momentum as torch.optim.SGD: buf = g on the first step, then buf = mu buf + (1 - dampening) g;
 * the update is g + mu buf with Nesterov, else buf (Sutskever et al. 2013). O(n).
 */
export function trace(options: { momentum: number; dampening?: number; nesterov?: boolean }) {
  checkOptions('trace', options, ['momentum', 'dampening', 'nesterov']);
  const mu = inRange('trace', 'options.momentum', options.momentum, 0, 1);
  const dampening = options.dampening ?? 0;
  const nesterov = options.nesterov ?? false;
  if (nesterov && (mu <= 0 || dampening !== 0))
    throw new InvalidArgumentError(
      'trace',
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
  );
}

/**
 * Adagrad's scaling (Duchi et al. 2011; torch.optim.Adagrad): sum += g^2, u = g / (sqrt(sum) + eps).
 * Learning-rate decay belongs to the schedule (`lr / (1 + (t - 1) decay)`). O(n).
 */
export function scaleByRss(options?: { initialAccumulator?: number; eps?: number }) {
  checkOptions('scaleByRss', options, ['initialAccumulator', 'eps']);
  const init = options?.initialAccumulator ?? 0;
  const eps = options?.eps ?? 1e-10;
  return perParameter(
    (p) => ({ sum: zerosLike(p).fill(init) as Buffer }),
    (u, s) => {
      for (let i = 0; i < u.length; i++) {
        s.sum[i] += u[i] * u[i];
        u[i] = u[i] / (Math.sqrt(s.sum[i]) + eps);
      }
    },
  );
}

/**
 * RMSprop as torch.optim.RMSprop (Hinton's lecture 6e; centered variant of Graves 2013):
 * sq = alpha sq + (1 - alpha) g^2, avg = sqrt(sq - gavg^2 if centered) + eps; with momentum
 * buf = mu buf + g / avg and u = buf, else u = g / avg. O(n).
 */
export function scaleByRms(options?: {
  alpha?: number;
  eps?: number;
  centered?: boolean;
  momentum?: number;
}) {
  checkOptions('scaleByRms', options, ['alpha', 'eps', 'centered', 'momentum']);
  const alpha = inRange('scaleByRms', 'options.alpha', options?.alpha ?? 0.99, 0, 1);
  const eps = options?.eps ?? 1e-8;
  const centered = options?.centered ?? false;
  const mu = inRange('scaleByRms', 'options.momentum', options?.momentum ?? 0, 0, 1);
  return perParameter(
    (p) => ({ sq: zerosLike(p), avg: centered ? zerosLike(p) : null, buf: mu > 0 ? zerosLike(p) : null }),
    (u, s) => {
      for (let i = 0; i < u.length; i++) {
        const g = u[i];
        s.sq[i] = alpha * s.sq[i] + (1 - alpha) * g * g;
        let denom: number;
        if (s.avg) {
          s.avg[i] = alpha * s.avg[i] + (1 - alpha) * g;
          denom = Math.sqrt(s.sq[i] - s.avg[i] * s.avg[i]) + eps;
        } else {
          denom = Math.sqrt(s.sq[i]) + eps;
        }
        if (s.buf) u[i] = s.buf[i] = mu * s.buf[i] + g / denom;
        else u[i] = g / denom;
      }
    },
  );
}

/**
 * Lion's update direction (Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms",
 * Program 1): u = sign(b1 m + (1 - b1) g), then m = b2 m + (1 - b2) g. O(n).
 */
export function scaleByLion(options?: { b1?: number; b2?: number }) {
  checkOptions('scaleByLion', options, ['b1', 'b2']);
  const b1 = inRange('scaleByLion', 'options.b1', options?.b1 ?? 0.9, 0, 1);
  const b2 = inRange('scaleByLion', 'options.b2', options?.b2 ?? 0.99, 0, 1);
  return perParameter(
    (p) => ({ m: zerosLike(p) }),
    (u, s) => {
      for (let i = 0; i < u.length; i++) {
        const g = u[i];
        u[i] = Math.sign(b1 * s.m[i] + (1 - b1) * g);
        s.m[i] = b2 * s.m[i] + (1 - b2) * g;
      }
    },
  );
}
