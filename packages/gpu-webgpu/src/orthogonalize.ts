import {
  InvalidArgumentError,
  ShapeError,
  checkBoolean,
  checkChoice,
  checkInteger,
  checkNumber,
  checkOptions,
  optionKeys,
  rng,
} from '@krylov/core-array';
import { type GPUArray, allocate, checkFloat32, checkGPUArray, toGPU } from './array.js';
import { add, mul, reciprocal, sub } from './elementwise.js';
import { matmul } from './linalg.js';
import { norm, sumSquares, transpose } from './reduce.js';
import { dispatch, grid, uniforms } from './runtime.js';

/**
 * Orthogonalization chains that stay on the device: Newton-Schulz iteration (Muon's update
 * direction), a Muon step, shifted CholeskyQR3 and the randomized range finder built on it.
 * Each is a sequence of dispatches with no readback.
 */

/** Coefficients (a, b, c) of X <- a X + (b A + c A^2) X, A = X X^T. */
export const NEWTON_SCHULZ_COEFFICIENTS = {
  /** Keller Jordan's quintic for Muon: fast, converges to singular values in about [0.7, 1.2]. */
  muon: [3.4445, -4.775, 2.0315],
  /** The classic cubic 1.5 X - 0.5 X X^T X: slow, converges to the exact polar factor. */
  cubic: [1.5, -0.5, 0],
} as const satisfies Record<string, readonly [number, number, number]>;

export interface NewtonSchulzOptions {
  /** Iterations, a non-negative integer (default 5). */
  steps?: number;
  /** `'muon'` (default), `'cubic'` or explicit [a, b, c] (finite float32 numbers). */
  coefficients?: keyof typeof NEWTON_SCHULZ_COEFFICIENTS | readonly [number, number, number];
  /** Added to ||G||_F before scaling, finite and > 0 (default 1e-7; 0 would divide a zero G by 0). */
  epsilon?: number;
}

function checkCoefficients(fn: string, arg: string, v: unknown): readonly [number, number, number] {
  if (typeof v === 'string')
    return NEWTON_SCHULZ_COEFFICIENTS[
      checkChoice(
        fn,
        arg,
        v,
        Object.keys(NEWTON_SCHULZ_COEFFICIENTS) as (keyof typeof NEWTON_SCHULZ_COEFFICIENTS)[],
      )
    ];
  if (!Array.isArray(v) || v.length !== 3)
    throw new InvalidArgumentError(fn, arg, v, "'muon', 'cubic' or [a, b, c]");
  v.forEach((c, i) => checkFloat32(fn, `${arg}[${i}]`, c));
  return v as unknown as readonly [number, number, number];
}

const NEWTON_SCHULZ_OPTIONS_KEYS = optionKeys<NewtonSchulzOptions>()('steps', 'coefficients', 'epsilon');

/**
 * Newton-Schulz orthogonalization of a matrix G on the device, as `newtonSchulz` in
 * @krylov/decompositions: X0 = G / (||G||_F + eps) (on the shorter side: a tall G is transposed),
 * then `steps` of X <- a X + (b A + c A^2) X with A = X X^T. Three gemms per step, no readback.
 * O(steps m n min(m, n)). Float32: entries agree with the float64 iteration to about 1e-3 after
 * 5 Muon steps (the quintic amplifies rounding near its fixed band).
 * @throws InvalidArgumentError for a non-array or disposed g, a bad step count, coefficients or
 * epsilon, or unknown options. @throws ShapeError for a g that is not a matrix.
 */
export function newtonSchulz(g: GPUArray, options: NewtonSchulzOptions = {}): GPUArray {
  const fn = 'newtonSchulz';
  checkOptions(fn, options, NEWTON_SCHULZ_OPTIONS_KEYS);
  const { steps = 5, coefficients = 'muon', epsilon = 1e-7 } = options;
  checkGPUArray(fn, 'g', g);
  if (g.ndim !== 2) throw new ShapeError(fn, 'g', 'must be a matrix (2 axes)', g.shape);
  checkInteger(fn, 'options.steps', steps, { min: 0 });
  const [a, b, c] = checkCoefficients(fn, 'options.coefficients', coefficients);
  checkFloat32(fn, 'options.epsilon', epsilon);
  if (
    !(checkNumber(fn, 'options.epsilon', epsilon, { min: 0, minExclusive: true }) && Math.fround(epsilon) > 0)
  )
    throw new InvalidArgumentError(fn, 'options.epsilon', epsilon, 'a number > 0 in float32 (>= 1.4e-45)');
  const tall = g.shape[0] > g.shape[1];
  const base = tall ? transpose(g) : g;
  const nrm = norm(base);
  let x = mul(base, reciprocal(add(nrm, epsilon)));
  nrm.dispose();
  if (tall) base.dispose();
  for (let k = 0; k < steps; k++) {
    const gram = matmul(x, x, { transB: true });
    const poly = matmul(gram, gram, { alpha: c, beta: b, c: gram });
    const next = matmul(poly, x, { beta: a, c: x });
    gram.dispose();
    poly.dispose();
    x.dispose();
    x = next;
  }
  if (!tall) return x.materialize();
  const out = transpose(x);
  x.dispose();
  return out;
}

export interface MuonStepOptions {
  /** Learning rate, finite and >= 0 (default 0.02). */
  lr?: number;
  /** Momentum beta in [0, 1) (default 0.95). */
  momentum?: number;
  /** Nesterov blend (default true). */
  nesterov?: boolean;
  /** Decoupled weight decay, finite and >= 0 (default 0). */
  weightDecay?: number;
  /** Newton-Schulz steps, a non-negative integer (default 5). */
  steps?: number;
}

const MUON_STEP_OPTIONS_KEYS = optionKeys<MuonStepOptions>()(
  'lr',
  'momentum',
  'nesterov',
  'weightDecay',
  'steps',
);

/**
 * One Muon step on the device for a matrix parameter, matching `muon` in @krylov/optimizers:
 * m' = beta m + (1 - beta) g; u = (1 - beta) g + beta m' (Nesterov) or m'; o = NS5(u);
 * w' = w - lr (sqrt(max(1, rows / cols)) o + wd w). Returns new `w` and `m` (inputs untouched,
 * so the caller disposes the old ones); no readback. O(steps rows cols min(rows, cols)).
 * @throws InvalidArgumentError for arrays that are not live GPUArrays (naming which), or options out
 * of range (lr or weightDecay negative or not finite, momentum outside [0, 1), nesterov not a
 * boolean, steps not a non-negative integer, unknown keys). @throws ShapeError for a w with fewer
 * than 2 axes or g, m not of w's shape.
 */
export function muonStep(
  w: GPUArray,
  g: GPUArray,
  m: GPUArray,
  options: MuonStepOptions = {},
): { w: GPUArray; m: GPUArray } {
  const fn = 'muonStep';
  checkOptions(fn, options, MUON_STEP_OPTIONS_KEYS);
  const { lr = 0.02, momentum: beta = 0.95, nesterov = true, weightDecay = 0, steps = 5 } = options;
  checkFloat32(fn, 'options.lr', lr);
  checkNumber(fn, 'options.lr', lr, { min: 0 });
  checkNumber(fn, 'options.momentum', beta, { min: 0, max: 1, maxExclusive: true });
  checkBoolean(fn, 'options.nesterov', nesterov);
  checkFloat32(fn, 'options.weightDecay', weightDecay);
  checkNumber(fn, 'options.weightDecay', weightDecay, { min: 0 });
  checkInteger(fn, 'options.steps', steps, { min: 0 });
  checkGPUArray(fn, 'w', w);
  if (w.ndim < 2) throw new ShapeError(fn, 'w', 'must be a matrix (route vectors to AdamW)', w.shape);
  for (const [name, x] of [
    ['g', g],
    ['m', m],
  ] as const) {
    checkGPUArray(fn, name, x);
    if (x.ndim !== w.ndim || x.shape.some((d, i) => d !== w.shape[i]))
      throw new ShapeError(fn, name, `does not match w's shape ${JSON.stringify(w.shape)}`, x.shape);
  }
  const rows = w.shape[0];
  const cols = w.shape.slice(1).reduce((p, d) => p * d, 1);
  const mNext = add(mul(m, beta), mul(g, 1 - beta)).materialize();
  const u = nesterov ? add(mul(g, 1 - beta), mul(mNext, beta)) : mNext;
  const u2 = u.reshape([rows, cols]);
  if (u !== mNext) u.dispose();
  const o = newtonSchulz(u2, { steps });
  u2.dispose();
  const scale = Math.sqrt(Math.max(1, rows / cols));
  const o2 = o.reshape(w.shape);
  o.dispose();
  const wNext = sub(mul(w, 1 - lr * weightDecay), mul(o2, lr * scale)).materialize();
  o2.dispose();
  return { w: wNext, m: mNext };
}

const CHOL = `@group(0) @binding(0) var<storage, read> G: array<f32>;
@group(0) @binding(1) var<storage, read> s: array<f32>;
@group(0) @binding(2) var<storage, read_write> L: array<f32>;
struct P { n: u32, shift: f32 }
@group(0) @binding(3) var<uniform> p: P;
@compute @workgroup_size(256)
fn main(@builtin(local_invocation_id) l: vec3<u32>) {
  let n = p.n;
  let sh = p.shift * s[0];
  for (var idx = l.x; idx < n * n; idx += 256u) {
    let i = idx / n;
    let j = idx % n;
    var v = 0.0;
    if (j <= i) { v = G[idx]; }
    if (i == j) { v += sh; }
    L[idx] = v;
  }
  storageBarrier();
  for (var j = 0u; j < n; j++) {
    if (l.x == 0u) {
      let g = L[j * n + j];
      var d = g;
      for (var q = 0u; q < j; q++) { d -= L[j * n + q] * L[j * n + q]; }
      // a column dependent on the previous ones (to 64 u relative) is dropped: L[j][j] = 0 marks it
      L[j * n + j] = select(0.0, sqrt(d), d > 3.8e-6 * g);
    }
    storageBarrier();
    let djj = L[j * n + j];
    for (var i = j + 1u + l.x; i < n; i += 256u) {
      var v = L[i * n + j];
      for (var q = 0u; q < j; q++) { v -= L[i * n + q] * L[j * n + q]; }
      L[i * n + j] = select(0.0, v / djj, djj > 0.0);
    }
    storageBarrier();
  }
}`;

const TRSM_ROWS = `@group(0) @binding(0) var<storage, read> Y: array<f32>;
@group(0) @binding(1) var<storage, read> L: array<f32>;
@group(0) @binding(2) var<storage, read_write> Q: array<f32>;
struct P { m: u32, l: u32, stride: u32 }
@group(0) @binding(3) var<uniform> p: P;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) g: vec3<u32>) {
  let r = g.x + g.y * p.stride;
  if (r >= p.m) { return; }
  let l = p.l;
  for (var j = 0u; j < l; j++) {
    var v = Y[r * l + j];
    for (var q = 0u; q < j; q++) { v -= Q[r * l + q] * L[j * l + q]; }
    let d = L[j * l + j];
    Q[r * l + j] = select(0.0, v / d, d > 0.0);
  }
}`;

/** One CholeskyQR pass: Q = Y R^-1 with R^T R = Y^T Y + shift I (shift = factor ||Y||_F^2). */
function choleskyQrPass(y: GPUArray, factor: number): GPUArray {
  const fn = 'choleskyQr';
  const [m, l] = y.shape;
  const gram = matmul(y, y, { transA: true });
  const ss = sumSquares(y);
  const lower = allocate(fn, [l, l]);
  dispatch(
    fn,
    CHOL,
    [gram.buffer(fn, 'gram'), ss.buffer(fn, 'norm'), lower.buffer(fn, 'lower')],
    uniforms([
      ['u', l],
      ['f', factor],
    ]),
    [1],
    2,
  );
  const q = allocate(fn, [m, l]);
  const [gx, gy] = grid(Math.ceil(m / 64));
  dispatch(
    fn,
    TRSM_ROWS,
    [y.buffer(fn, 'y'), lower.buffer(fn, 'lower'), q.buffer(fn, 'q')],
    uniforms([
      ['u', m],
      ['u', l],
      ['u', gx * 64],
    ]),
    [gx, gy],
    2,
  );
  gram.dispose();
  ss.dispose();
  lower.dispose();
  return q;
}

/**
 * Orthonormal basis of the columns of a tall m x l matrix (m >= l) by shifted CholeskyQR3
 * (Fukaya, Kannan, Nakatsukasa, Yamamoto, Yanagisawa 2020): one pass with the shift
 * 11 (m l + l (l + 1)) u ||Y||_F^2 (u = 2^-24), then two plain passes. Stable for cond(Y) up to
 * about 1/u; the Gram matrix is factored by one workgroup, so l should stay below a few hundred.
 * Rank-deficient input: a column that depends on the previous ones (to 64 u, relative) comes
 * out as zeros, so Q^T Q is the identity on the other columns and Q Q^T is still the projector
 * onto range(Y).
 * O(m l^2 + l^3). ||Q^T Q - I|| is about 1e-6 in float32.
 * @throws InvalidArgumentError for a non-array or a disposed one. @throws ShapeError for a
 * non-matrix or a wide matrix.
 */
export function choleskyQr(y: GPUArray): GPUArray {
  const fn = 'choleskyQr';
  checkGPUArray(fn, 'y', y);
  if (y.ndim !== 2 || y.shape[0] < y.shape[1])
    throw new ShapeError(fn, 'y', 'must be a matrix with rows >= columns', y.shape);
  const [m, l] = y.shape;
  if (y.size === 0) return allocate(fn, [m, l]);
  const q1 = choleskyQrPass(y, 11 * (m * l + l * (l + 1)) * 2 ** -24);
  const q2 = choleskyQrPass(q1, 0);
  q1.dispose();
  const q3 = choleskyQrPass(q2, 0);
  q2.dispose();
  return q3;
}

const RANGE_FINDER_OPTIONS_KEYS = optionKeys<RangeFinderOptions>()('powerIterations', 'seed');

/** Options of {@link rangeFinder}. */
export type RangeFinderOptions = { powerIterations?: number; seed?: number | string };

/**
 * Randomized range finder (Halko, Martinsson, Tropp 2011, Algorithm 4.4) on the device: Y = A
 * Omega with a seeded Gaussian Omega (n x l, drawn on the host by core-array's RNG and uploaded
 * once), then `powerIterations` of Q <- orth(A orth(A^T Q)); orth is shifted CholeskyQR3. Returns
 * Q (m x l, orthonormal columns). O((2q + 1) m n l + (q + 1) m l^2).
 * @throws InvalidArgumentError for a non-array or disposed a, l not an integer in [1, min(m, n)],
 * powerIterations not a non-negative integer, a seed that is not an integer or a string, or
 * unknown options. @throws ShapeError for a non-matrix.
 */
export function rangeFinder(a: GPUArray, l: number, options: RangeFinderOptions = {}): GPUArray {
  const fn = 'rangeFinder';
  checkOptions(fn, options, RANGE_FINDER_OPTIONS_KEYS);
  const { powerIterations = 2, seed = 0 } = options;
  checkGPUArray(fn, 'a', a);
  if (a.ndim !== 2) throw new ShapeError(fn, 'a', 'must be a matrix (2 axes)', a.shape);
  const [m, n] = a.shape;
  checkInteger(fn, 'l', l, { min: 1, max: Math.min(m, n) });
  checkInteger(fn, 'options.powerIterations', powerIterations, { min: 0 });
  // a fractional seed would collide with its integer part in the generator's seeding
  if (typeof seed !== 'string') checkInteger(fn, 'options.seed', seed);
  const omega = toGPU(rng(seed).normal([n, l], { dtype: 'float32' }));
  const y = matmul(a, omega);
  omega.dispose();
  let q = choleskyQr(y);
  y.dispose();
  for (let i = 0; i < powerIterations; i++) {
    const z = matmul(a, q, { transA: true });
    q.dispose();
    const qz = choleskyQr(z);
    z.dispose();
    const y2 = matmul(a, qz);
    qz.dispose();
    q = choleskyQr(y2);
    y2.dispose();
  }
  return q;
}
