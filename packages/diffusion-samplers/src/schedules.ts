import { InvalidArgumentError, checkNumber, checkOptions, optionKeys } from '@krylov/core-array';

/**
 * A continuous-time noise schedule: x_t = alpha(t) x_0 + sigma(t) eps for t in [tMin, tMax],
 * with half log-SNR lambda(t) = log(alpha(t) / sigma(t)) strictly decreasing in t. Every
 * schedule gives closed forms for alpha, sigma, their time derivatives (for flow velocities) and
 * the inverse of lambda (for log-SNR spacings and DPM-Solver's intermediate points).
 */
export interface NoiseSchedule {
  readonly name: string;
  /** Smallest time a sampler should evaluate the model at (data end). */
  readonly tMin: number;
  /** Largest time (noise end). */
  readonly tMax: number;
  alpha(t: number): number;
  sigma(t: number): number;
  /** d alpha / dt. */
  dAlpha(t: number): number;
  /** d sigma / dt. */
  dSigma(t: number): number;
  /** Half log-SNR, log(alpha / sigma). */
  lambda(t: number): number;
  /** The time whose half log-SNR is `lambda`. */
  timeOfLambda(lambda: number): number;
}

function positive(fn: string, arg: string, v: unknown): number {
  return checkNumber(fn, arg, v, { min: 0, minExclusive: true });
}

function ordered(fn: string, lo: string, hi: string, a: number, b: number): void {
  if (!(a < b)) throw new InvalidArgumentError(fn, hi, b, `greater than ${lo} = ${a}`);
}

const VP_LINEAR_OPTIONS_KEYS = optionKeys<VpLinearOptions>()('beta0', 'beta1', 'tMin');

/** Options of {@link vpLinear}. */
export type VpLinearOptions = { beta0?: number; beta1?: number; tMin?: number };

/**
 * Variance-preserving schedule with linear beta(t) = b0 + t (b1 - b0) (Ho et al. 2020 DDPM;
 * continuous form of Song et al. 2021): log alpha(t) = -t^2 (b1 - b0) / 4 - t b0 / 2,
 * sigma = sqrt(1 - alpha^2). Defaults b0 = 0.1, b1 = 20 match DDPM's betas 1e-4..0.02 over 1000 steps.
 * @returns a `NoiseSchedule` (alpha, sigma, their derivatives, lambda and its inverse, each O(1)).
 * @throws InvalidArgumentError for non-positive or non-finite betas, beta1 < beta0, or a tMin outside (0, 1).
 * @example
 * ```ts
 * import { vpLinear } from '@krylov/diffusion-samplers';
 * const s = vpLinear();
 * const t = 0.5;
 * console.assert(Math.abs(s.alpha(t) ** 2 + s.sigma(t) ** 2 - 1) < 1e-12, 'variance preserving');
 * ```
 */
export function vpLinear(options?: VpLinearOptions): NoiseSchedule {
  checkOptions('vpLinear', options, VP_LINEAR_OPTIONS_KEYS);
  const b0 = positive('vpLinear', 'options.beta0', options?.beta0 ?? 0.1);
  const b1 = positive('vpLinear', 'options.beta1', options?.beta1 ?? 20);
  ordered('vpLinear', 'beta0', 'options.beta1', b0, b1);
  // log alpha(t) = -(c2 t^2 + c1 t)
  return vpFromLogAlpha(
    'vp-linear',
    (t) => 0.25 * t * t * (b1 - b0) + 0.5 * t * b0,
    (t) => 0.5 * t * (b1 - b0) + 0.5 * b0,
    (m) => {
      const a = 0.25 * (b1 - b0);
      const b = 0.5 * b0;
      return (2 * m) / (b + Math.sqrt(b * b + 4 * a * m));
    },
    positive('vpLinear', 'options.tMin', options?.tMin ?? 1e-3),
  );
}

const VP_SCALED_LINEAR_OPTIONS_KEYS = optionKeys<VpScaledLinearOptions>()('beta0', 'beta1', 'tMin');

/** Options of {@link vpScaledLinear}. */
export type VpScaledLinearOptions = { beta0?: number; beta1?: number; tMin?: number };

/**
 * Variance-preserving schedule with Stable Diffusion's "scaled linear" betas, whose square roots
 * are linear: beta(t) = (sqrt(b0) + t (sqrt(b1) - sqrt(b0)))^2. Defaults correspond to
 * diffusers' 0.00085..0.012 over 1000 steps.
 * @returns a `NoiseSchedule` (each method O(1)).
 * @throws InvalidArgumentError for bad betas or tMin.
 * @example
 * ```ts
 * import { vpScaledLinear } from '@krylov/diffusion-samplers';
 * const s = vpScaledLinear();
 * console.assert(s.alpha(0.1) > s.alpha(0.9) && s.lambda(0.1) > s.lambda(0.9), 'signal decays with t');
 * ```
 */
export function vpScaledLinear(options?: VpScaledLinearOptions): NoiseSchedule {
  checkOptions('vpScaledLinear', options, VP_SCALED_LINEAR_OPTIONS_KEYS);
  const r0 = Math.sqrt(positive('vpScaledLinear', 'options.beta0', options?.beta0 ?? 0.85));
  const r1 = Math.sqrt(positive('vpScaledLinear', 'options.beta1', options?.beta1 ?? 12));
  ordered('vpScaledLinear', 'beta0', 'options.beta1', r0, r1);
  const d = r1 - r0;
  // -log alpha(t) = 1/2 int_0^t (r0 + s d)^2 ds = ((r0 + t d)^3 - r0^3) / (6 d)
  const m = (t: number) => ((r0 + t * d) ** 3 - r0 ** 3) / (6 * d);
  return vpFromLogAlpha(
    'vp-scaled-linear',
    m,
    (t) => 0.5 * (r0 + t * d) ** 2,
    (mm) => (Math.cbrt(6 * d * mm + r0 ** 3) - r0) / d,
    positive('vpScaledLinear', 'options.tMin', options?.tMin ?? 1e-3),
  );
}

const VP_COSINE_OPTIONS_KEYS = optionKeys<VpCosineOptions>()('s', 'tMin', 'tMax');

/** Options of {@link vpCosine}. */
export type VpCosineOptions = { s?: number; tMin?: number; tMax?: number };

/**
 * Variance-preserving cosine schedule (Nichol & Dhariwal 2021, eq. 17):
 * alphaBar(t) = cos^2(((t + s) / (1 + s)) pi / 2) / cos^2((s / (1 + s)) pi / 2), alpha = sqrt(alphaBar).
 * tMax defaults to 0.9946 so alpha stays away from zero, as the DPM-Solver reference code does.
 * @returns a `NoiseSchedule` (each method O(1)).
 * @throws InvalidArgumentError for a negative s or a time range outside (0, 1).
 * @example
 * ```ts
 * import { vpCosine } from '@krylov/diffusion-samplers';
 * const s = vpCosine();
 * const t = s.timeOfLambda(s.lambda(0.3)); // lambda = log(alpha / sigma) and its inverse
 * console.assert(Math.abs(t - 0.3) < 1e-9, 'timeOfLambda inverts lambda');
 * ```
 */
export function vpCosine(options?: VpCosineOptions): NoiseSchedule {
  checkOptions('vpCosine', options, VP_COSINE_OPTIONS_KEYS);
  const s = positive('vpCosine', 'options.s', options?.s ?? 0.008);
  const k = Math.PI / 2 / (1 + s);
  const c0 = Math.log(Math.cos(s * k));
  // -log alpha(t) = c0 - log cos((t + s) k)
  return vpFromLogAlpha(
    'vp-cosine',
    (t) => c0 - Math.log(Math.cos((t + s) * k)),
    (t) => k * Math.tan((t + s) * k),
    (m) => Math.acos(Math.exp(c0 - m)) / k - s,
    positive('vpCosine', 'options.tMin', options?.tMin ?? 1e-3),
    // alpha reaches 0 at t = 1
    checkNumber('vpCosine', 'options.tMax', options?.tMax ?? 0.9946, { min: 0, max: 1, maxExclusive: true }),
  );
}

/** A VP schedule from m(t) = -log alpha(t), its derivative and its inverse. */
function vpFromLogAlpha(
  name: string,
  m: (t: number) => number,
  dm: (t: number) => number,
  mInv: (m: number) => number,
  tMin: number,
  tMax = 1,
): NoiseSchedule {
  const fn = name;
  if (!(tMin > 0 && tMin < tMax)) throw new InvalidArgumentError(fn, 'options.tMin', tMin, `in (0, ${tMax})`);
  const alpha = (t: number) => Math.exp(-m(t));
  const sigma = (t: number) => Math.sqrt(-Math.expm1(-2 * m(t)));
  return {
    name,
    tMin,
    tMax,
    alpha,
    sigma,
    dAlpha: (t) => -dm(t) * alpha(t),
    dSigma: (t) => (alpha(t) ** 2 * dm(t)) / sigma(t),
    // lambda = log alpha - log sigma = -m - 1/2 log(1 - e^{-2m})
    lambda: (t) => -m(t) - 0.5 * Math.log(-Math.expm1(-2 * m(t))),
    // alpha^2 / sigma^2 = e^{2 lambda} -> alpha^2 = 1 / (1 + e^{-2 lambda}) -> m = 1/2 log(1 + e^{-2 lambda})
    timeOfLambda: (l) => mInv(0.5 * Math.log1p(Math.exp(-2 * l))),
  };
}

const VE_OPTIONS_KEYS = optionKeys<VeOptions>()('sigmaMin', 'sigmaMax', 'tMin');

/** Options of {@link ve}. */
export type VeOptions = { sigmaMin?: number; sigmaMax?: number; tMin?: number };

/**
 * Variance-exploding schedule (Song et al. 2021): alpha = 1, sigma(t) = sigmaMin (sigmaMax / sigmaMin)^t
 * for t in [tMin, 1]; tMin (default 1e-5, the paper's sampling epsilon) must be > 0, since t = 0 is
 * the clean end (sigma = 0) of every schedule and a grid ending at tMin = 0 would repeat it.
 * @returns a `NoiseSchedule` (each method O(1)).
 * @throws InvalidArgumentError for sigmaMin >= sigmaMax, non-positive sigmas or tMin.
 * @example
 * ```ts
 * import { ve } from '@krylov/diffusion-samplers';
 * const s = ve({ sigmaMin: 0.01, sigmaMax: 50 });
 * console.assert(s.alpha(0.5) === 1 && Math.abs(s.sigma(1) - 50) < 1e-9, 'alpha = 1, sigma up to sigmaMax');
 * ```
 */
export function ve(options?: VeOptions): NoiseSchedule {
  checkOptions('ve', options, VE_OPTIONS_KEYS);
  const lo = positive('ve', 'options.sigmaMin', options?.sigmaMin ?? 0.01);
  const hi = positive('ve', 'options.sigmaMax', options?.sigmaMax ?? 50);
  ordered('ve', 'sigmaMin', 'options.sigmaMax', lo, hi);
  const tMin = checkNumber('ve', 'options.tMin', options?.tMin ?? 1e-5, {
    min: 0,
    minExclusive: true,
    max: 1,
    maxExclusive: true,
  });
  const r = Math.log(hi / lo);
  const sigma = (t: number) => lo * Math.exp(r * t);
  return {
    name: 've',
    tMin,
    tMax: 1,
    alpha: () => 1,
    sigma,
    dAlpha: () => 0,
    dSigma: (t) => r * sigma(t),
    lambda: (t) => -Math.log(sigma(t)),
    timeOfLambda: (l) => (-l - Math.log(lo)) / r,
  };
}

const EDM_OPTIONS_KEYS = optionKeys<EdmOptions>()('sigmaMin', 'sigmaMax');

/** Options of {@link edm}. */
export type EdmOptions = { sigmaMin?: number; sigmaMax?: number };

/**
 * EDM parametrization (Karras et al. 2022): alpha = 1, sigma(t) = t, t in [sigmaMin, sigmaMax];
 * time is the noise level itself, as in k-diffusion.
 * @returns a `NoiseSchedule` (each method O(1)); defaults sigmaMin 0.002, sigmaMax 80.
 * @throws InvalidArgumentError for non-positive sigmas or sigmaMin >= sigmaMax.
 * @example
 * ```ts
 * import { edm } from '@krylov/diffusion-samplers';
 * const s = edm();
 * console.assert(s.sigma(3) === 3 && s.tMax === 80, 'time is the noise level');
 * ```
 */
export function edm(options?: EdmOptions): NoiseSchedule {
  checkOptions('edm', options, EDM_OPTIONS_KEYS);
  const lo = positive('edm', 'options.sigmaMin', options?.sigmaMin ?? 0.002);
  const hi = positive('edm', 'options.sigmaMax', options?.sigmaMax ?? 80);
  ordered('edm', 'sigmaMin', 'options.sigmaMax', lo, hi);
  return {
    name: 'edm',
    tMin: lo,
    tMax: hi,
    alpha: () => 1,
    sigma: (t) => t,
    dAlpha: () => 0,
    dSigma: () => 1,
    lambda: (t) => -Math.log(t),
    timeOfLambda: (l) => Math.exp(-l),
  };
}

const RECTIFIED_FLOW_OPTIONS_KEYS = optionKeys<RectifiedFlowOptions>()('tMin', 'tMax');

/** Options of {@link rectifiedFlow}. */
export type RectifiedFlowOptions = { tMin?: number; tMax?: number };

/**
 * Rectified flow / flow matching (Liu et al. 2023; Lipman et al. 2023): x_t = (1 - t) x_0 + t eps,
 * whose velocity is eps - x_0.
 * @returns a `NoiseSchedule` (each method O(1)); use the flow samplers (`flowEuler`, `flowHeun`).
 * @throws InvalidArgumentError for a time range outside (0, 1).
 * @example
 * ```ts
 * import { rectifiedFlow } from '@krylov/diffusion-samplers';
 * const s = rectifiedFlow();
 * console.assert(Math.abs(s.alpha(0.25) - 0.75) < 1e-15 && Math.abs(s.sigma(0.25) - 0.25) < 1e-15, 'x_t = (1 - t) x0 + t eps');
 * ```
 */
export function rectifiedFlow(options?: RectifiedFlowOptions): NoiseSchedule {
  checkOptions('rectifiedFlow', options, RECTIFIED_FLOW_OPTIONS_KEYS);
  const tMin = checkNumber('rectifiedFlow', 'options.tMin', options?.tMin ?? 1e-3, {
    min: 0,
    minExclusive: true,
  });
  const tMax = checkNumber('rectifiedFlow', 'options.tMax', options?.tMax ?? 1 - 1e-3, {
    max: 1,
    maxExclusive: true,
  });
  if (!(tMin < tMax))
    throw new InvalidArgumentError('rectifiedFlow', 'options.tMax', tMax, `0 < tMin (${tMin}) < tMax < 1`);
  return {
    name: 'rectified-flow',
    tMin,
    tMax,
    alpha: (t) => 1 - t,
    sigma: (t) => t,
    dAlpha: () => -1,
    dSigma: () => 1,
    lambda: (t) => Math.log((1 - t) / t),
    timeOfLambda: (l) => 1 / (1 + Math.exp(l)),
  };
}
