import {
  DTypeError,
  InvalidArgumentError,
  NDArray,
  ShapeError,
  checkChoice,
  checkNumber,
  checkOptions,
  isNDArray,
  matmul,
  optionKeys,
} from '@krylov/core-array';
import { eigh, qr, solve } from '@krylov/decompositions';
import { type GradientTransformation, type PerParameterState, perParameter } from './transform.js';
import { BETA, POSITIVE, numberOption } from './transforms/moments.js';
import { type ParamTree, elementsOf } from './tree.js';

type Mat = NDArray<'float64'>;

/**
 * Throws unless `a` is a finite float64 matrix (of shape `shape` when given). O(size).
 * @throws InvalidArgumentError for a non-array or non-finite entries; DTypeError; ShapeError.
 */
function checkMat(fn: string, arg: string, a: unknown, shape?: readonly number[], detail?: string): Mat {
  if (!isNDArray(a)) throw new InvalidArgumentError(fn, arg, a, 'a float64 matrix (NDArray)');
  if (a.dtype !== 'float64') throw new DTypeError(fn, arg, a.dtype, 'float64');
  if (a.ndim !== 2) throw new ShapeError(fn, arg, 'must be a matrix (2-D)', a.shape);
  if (shape && (a.shape[0] !== shape[0] || a.shape[1] !== shape[1]))
    throw new ShapeError(fn, arg, detail ?? `must match the point's shape ${JSON.stringify(shape)}`, a.shape);
  const c = a.contiguous();
  for (let i = 0; i < c.size; i++) {
    const v = c.data[c.offset + i];
    if (!Number.isFinite(v)) throw new InvalidArgumentError(fn, arg, v, `finite values (entry ${i} is not)`);
  }
  return c as Mat;
}

/** Checks a point of the manifold `name` (Stiefel: n x p with n >= p; SPD: square). */
function checkPoint(fn: string, arg: string, x: unknown, kind: 'stiefel' | 'spd'): Mat {
  const m = checkMat(fn, arg, x);
  const [n, p] = m.shape;
  if (kind === 'stiefel' ? n < p : n !== p)
    throw new ShapeError(
      fn,
      arg,
      kind === 'stiefel' ? 'must be n x p with n >= p' : 'must be square',
      m.shape,
    );
  return m;
}

/** The manifold with its methods checking their arguments (names 'stiefel.retract', ...). */
function checked(kind: 'stiefel' | 'spd', m: Manifold): Manifold {
  const fn = (method: string) => `${kind}.${method}`;
  return {
    name: m.name,
    gradient: (x, g) => {
      const xx = checkPoint(fn('gradient'), 'x', x, kind);
      return m.gradient(xx, checkMat(fn('gradient'), 'g', g, xx.shape));
    },
    project: (x, v) => {
      const xx = checkPoint(fn('project'), 'x', x, kind);
      return m.project(xx, checkMat(fn('project'), 'v', v, xx.shape));
    },
    retract: (x, v) => {
      const xx = checkPoint(fn('retract'), 'x', x, kind);
      return m.retract(xx, checkMat(fn('retract'), 'v', v, xx.shape));
    },
    transport: (x, y, v) => {
      const xx = checkPoint(fn('transport'), 'x', x, kind);
      return m.transport(
        xx,
        checkMat(fn('transport'), 'y', y, xx.shape),
        checkMat(fn('transport'), 'v', v, xx.shape),
      );
    },
  };
}

/** Throws unless `m` has the four Manifold methods. */
function checkManifold(fn: string, m: unknown): Manifold {
  const ok =
    m !== null &&
    typeof m === 'object' &&
    ['gradient', 'project', 'retract', 'transport'].every(
      (k) => typeof (m as Record<string, unknown>)[k] === 'function',
    );
  if (!ok)
    throw new InvalidArgumentError(
      fn,
      'manifold',
      m,
      'a Manifold ({ gradient, project, retract, transport }), e.g. stiefel()',
    );
  return m as Manifold;
}

/**
 * A Riemannian manifold embedded in matrices: tangent projection of a Euclidean gradient to the
 * Riemannian gradient, a retraction, and vector transport (Absil, Mahony & Sepulchre 2008).
 */
export interface Manifold {
  readonly name: string;
  /** The Riemannian gradient at x of a function with Euclidean gradient g. */
  gradient(x: Mat, g: Mat): Mat;
  /** The orthogonal projection of an ambient matrix onto the tangent space at x. */
  project(x: Mat, v: Mat): Mat;
  /** A point near x + v on the manifold (v tangent at x). */
  retract(x: Mat, v: Mat): Mat;
  /** Moves a tangent vector v at x to the tangent space at y. */
  transport(x: Mat, y: Mat, v: Mat): Mat;
}
// The built-in manifolds check their arguments: finite float64 matrices (DTypeError otherwise) of
// the point's shape (ShapeError), the point n x p with n >= p (Stiefel) or square (SPD).

const sym = (a: Mat): Mat => {
  const n = a.shape[0];
  const out = new NDArray(new Float64Array(n * n), [n, n]) as Mat;
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) out.data[i * n + j] = 0.5 * (a.data[i * n + j] + a.data[j * n + i]);
  return out;
};
const mm = (a: Mat, b: Mat): Mat => matmul(a, b) as Mat;
const comb = (ca: number, a: Mat, cb: number, b: Mat): Mat =>
  new NDArray(
    Float64Array.from(a.contiguous().data, (v, i) => ca * v + cb * b.contiguous().data[i]),
    a.shape,
  ) as Mat;

const STIEFEL_OPTIONS_KEYS = optionKeys<StiefelOptions>()('retraction');

/** Options of {@link stiefel}. */
export type StiefelOptions = { retraction?: 'qr' | 'cayley' };

/**
 * The Stiefel manifold {X in R^(n x p) : X^T X = I} with the embedded metric: gradient
 * G - X sym(X^T G); retraction by QR (the Q factor with a positive diagonal of R) or by the Cayley
 * transform through its rank-2p Woodbury form (Wen & Yin 2013, eq. 2.9); transport by projection.
 * @throws InvalidArgumentError for an unknown retraction; the methods as noted on `Manifold`.
 * Cost per operation O(n p^2) (QR retraction) or O(n p^2 + p^3) (Cayley). Returns a `Manifold`.
 * @example
 * ```ts
 * import { array, matmul } from '@krylov/core-array';
 * import { stiefel } from '@krylov/optimizers';
 * const m = stiefel();
 * const x = array([[1, 0], [0, 1], [0, 0]]);
 * const y = m.retract(x, m.project(x, array([[0, 0.1], [0, 0], [0.2, 0]])));
 * const yty = matmul(y.T, y);
 * console.assert(Math.abs(yty.get(0, 0) - 1) < 1e-12 && Math.abs(yty.get(0, 1)) < 1e-12, 'stays orthonormal');
 * ```
 */
export function stiefel(options?: StiefelOptions): Manifold {
  checkOptions('stiefel', options, STIEFEL_OPTIONS_KEYS);
  const retraction =
    options?.retraction === undefined
      ? 'qr'
      : checkChoice('stiefel', 'options.retraction', options.retraction, ['qr', 'cayley'] as const);
  const project = (x: Mat, g: Mat) => comb(1, g, -1, mm(x, sym(mm(x.T, g))));
  return checked('stiefel', {
    name: `stiefel-${retraction}`,
    gradient: project,
    project,
    transport: (_x, y, v) => project(y, v),
    retract(x, v) {
      if (retraction === 'qr') {
        const { q, r } = qr(comb(1, x, 1, v)) as { q: Mat; r: Mat };
        const p = q.shape[1];
        const out = q.copy() as Mat;
        for (let j = 0; j < p; j++)
          if (r.data[j * p + j] < 0) for (let i = 0; i < out.shape[0]; i++) out.data[i * p + j] *= -1;
        return out;
      }
      // W = U V^T with U = [P v, x], V = [x, -P v], P = I - x x^T / 2; Y = x + U (I - V^T U / 2)^-1 V^T x
      const pv = comb(1, v, -0.5, mm(x, mm(x.T, v)));
      const [n, p] = x.shape;
      const u = concatColumns(pv, x);
      const w = concatColumns(x, comb(-1, pv, 0, pv));
      const k = mm(w.T, u);
      const m2 = 2 * p;
      for (let i = 0; i < m2 * m2; i++) k.data[i] = (i % (m2 + 1) === 0 ? 1 : 0) - 0.5 * k.data[i];
      const z = solve(k, mm(w.T, x)) as Mat;
      return comb(1, x, 1, mm(u, z)).reshape([n, p]) as Mat;
    },
  });
}

function concatColumns(a: Mat, b: Mat): Mat {
  const [n, p] = a.shape;
  const q = b.shape[1];
  const out = new NDArray(new Float64Array(n * (p + q)), [n, p + q]) as Mat;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < p; j++) out.data[i * (p + q) + j] = a.data[i * p + j];
    for (let j = 0; j < q; j++) out.data[i * (p + q) + p + j] = b.data[i * q + j];
  }
  return out;
}

const SPD_OPTIONS_KEYS = optionKeys<SpdOptions>()('metric');

/** Options of {@link spd}. */
export type SpdOptions = { metric?: 'affine-invariant' | 'bures-wasserstein' };

/**
 * Symmetric positive definite matrices with the affine-invariant metric (gradient X sym(G) X, the
 * second-order retraction X + V + V X^-1 V / 2 which stays SPD; Jeuris, Vandebril & Vandereycken
 * 2012) or the Bures-Wasserstein metric (Han et al. 2021: gradient 4 sym(G X), retraction
 * X + V + L X L with L solving the Lyapunov equation X L + L X = V, through the eigenvectors of X).
 * Transport by re-symmetrization (identity on symmetric matrices).
 * @throws InvalidArgumentError for an unknown metric; the methods as noted on `Manifold`.
 * Cost per operation O(n^3). Returns a `Manifold`.
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { spd } from '@krylov/optimizers';
 * const m = spd();
 * const x = array([[2, 0], [0, 1]]);
 * const y = m.retract(x, array([[-1.5, 0], [0, 0.5]])); // a big step that would leave the cone linearly
 * console.assert(y.get(0, 0) > 0 && y.get(1, 1) > 0, 'stays positive definite');
 * ```
 */
export function spd(options?: SpdOptions): Manifold {
  checkOptions('spd', options, SPD_OPTIONS_KEYS);
  const metric =
    options?.metric === undefined
      ? 'affine-invariant'
      : checkChoice('spd', 'options.metric', options.metric, [
          'affine-invariant',
          'bures-wasserstein',
        ] as const);
  return checked('spd', {
    name: `spd-${metric}`,
    gradient: (x, g) =>
      metric === 'affine-invariant' ? sym(mm(mm(x, sym(g)), x)) : comb(4, sym(mm(g, x)), 0, x),
    project: (_x, v) => sym(v),
    transport: (_x, _y, v) => sym(v),
    retract(x, v) {
      if (metric === 'affine-invariant')
        return sym(
          comb(1, comb(1, x, 1, v), 0.5, mm(v, solve(x, v, { assume: 'positive definite' }) as Mat)),
        );
      const { values, vectors } = eigh(x) as { values: NDArray<'float64'>; vectors: Mat };
      const n = x.shape[0];
      const vt = mm(mm(vectors.T, v), vectors);
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) vt.data[i * n + j] /= values.data[i] + values.data[j];
      const l = mm(mm(vectors, vt), vectors.T);
      return sym(comb(1, comb(1, x, 1, v), 1, mm(mm(l, x), l)));
    },
  });
}

export interface RiemannianOptions {
  /** Learning rate, a finite number >= 0 (required). */
  lr: number;
  /** SGD momentum in [0, 1) (transported between points; default 0). */
  momentum?: number;
}

export interface RiemannianAdamOptions {
  /** Learning rate, a finite number >= 0 (required). */
  lr: number;
  /** Moment decays in [0, 1) (defaults 0.9, 0.999) and denominator guard > 0 (default 1e-8). */
  b1?: number;
  b2?: number;
  eps?: number;
}

/** `riemannianSgd`'s state: the momentum per parameter (zero before the first step; empty without momentum). */
export type RiemannianSgdState = PerParameterState<{ buf: Float64Array }>;
/** `riemannianAdam`'s state: the (transported) first moment and the second moment per parameter. */
export type RiemannianAdamState = PerParameterState<{ m: Float64Array; v: Float64Array }>;

/** Checks a stepper's point and gradient: finite float64 matrices of one shape, the same at every call. */
function checkStep(fn: string, x: unknown, g: unknown, shape: readonly number[] | null): [Mat, Mat] {
  const xx = checkMat(
    fn,
    'x',
    x,
    shape ?? undefined,
    `must keep the shape of the first point ${JSON.stringify(shape)}`,
  );
  return [xx, checkMat(fn, 'g', g, xx.shape, `must match the point's shape ${JSON.stringify(xx.shape)}`)];
}

/** One Riemannian step on one point: the next point (the slot is advanced in place). */
type PointStep<S> = (x: Mat, g: Mat, slot: S, t: number) => Mat;

/** Throws unless a parameter can be a point of a matrix manifold (float64, 2-D). */
function checkManifoldParam(fn: string, name: string, p: ParamTree[string]): void {
  if (p.dtype !== 'float64')
    throw new DTypeError(fn, `params.${name}`, p.dtype, 'float64 (a manifold point)');
  if (p.ndim !== 2)
    throw new ShapeError(fn, `params.${name}`, 'must be a matrix (a manifold point)', p.shape);
}

/**
 * The Riemannian step as a GradientTransformation for `Optimizer`: the update written is
 * y - x for the next point y (so the parameter becomes y up to one rounding per entry), and the
 * state (momentum, moments) is plain per-parameter buffers that checkpoint with `stateDict`.
 */
function riemannianTransform<S>(
  fn: string,
  initOne: (size: number) => S,
  step: PointStep<S>,
): GradientTransformation<PerParameterState<S>> {
  return perParameter(
    (p, name) => {
      checkManifoldParam(fn, name, p);
      return initOne(p.size);
    },
    (u, slot, p, t) => {
      const x = new NDArray(Float64Array.from(elementsOf(p)), p.shape) as Mat;
      const g = new NDArray(Float64Array.from(u), p.shape) as Mat;
      const y = step(x, g, slot, t).contiguous().data;
      for (let i = 0; i < u.length; i++) u[i] = y[i] - x.data[i];
    },
    { name: fn },
  );
}

/** The stepper `(x, g) => next x` over one point, kept for the one-point API; its state is one slot. */
function stepper<S>(fn: string, initOne: (size: number) => S, step: PointStep<S>): (x: Mat, g: Mat) => Mat {
  let slot: S | null = null;
  let shape: readonly number[] | null = null;
  let t = 0;
  return (x0: Mat, g0: Mat): Mat => {
    const [x, g] = checkStep(fn, x0, g0, shape);
    shape ??= x.shape;
    slot ??= initOne(x.size);
    return step(x, g, slot, ++t);
  };
}

function sgdStep(manifold: Manifold, lr: number, mu: number): PointStep<{ buf: Float64Array }> {
  return (x, g, slot) => {
    const rg = manifold.gradient(x, g);
    let v = rg;
    if (mu > 0) {
      for (let i = 0; i < rg.size; i++) slot.buf[i] = mu * slot.buf[i] + rg.data[i];
      v = new NDArray(slot.buf, rg.shape) as Mat;
    }
    const y = manifold.retract(x, comb(-lr, v, 0, v));
    if (mu > 0) slot.buf.set(manifold.transport(x, y, v).contiguous().data);
    return y;
  };
}

function adamStep(
  manifold: Manifold,
  lr: number,
  b1: number,
  b2: number,
  eps: number,
): PointStep<{ m: Float64Array; v: Float64Array }> {
  return (x, g, slot, t) => {
    const rg = manifold.gradient(x, g);
    const dir = new NDArray(new Float64Array(rg.size), rg.shape) as Mat;
    for (let i = 0; i < rg.size; i++) {
      slot.m[i] = b1 * slot.m[i] + (1 - b1) * rg.data[i];
      slot.v[i] = b2 * slot.v[i] + (1 - b2) * rg.data[i] ** 2;
      dir.data[i] = slot.m[i] / (1 - b1 ** t) / (Math.sqrt(slot.v[i] / (1 - b2 ** t)) + eps);
    }
    const y = manifold.retract(x, comb(-lr, manifold.project(x, dir), 0, dir));
    slot.m.set(manifold.transport(x, y, new NDArray(slot.m, rg.shape) as Mat).contiguous().data);
    return y;
  };
}

/**
 * Riemannian SGD with optional momentum (Bonnabel 2013): v = mu T(v) + grad_R f, x <- R_x(-lr v).
 *
 * Two forms: `riemannianSgd({ manifold, lr, momentum })` is a GradientTransformation for
 * `Optimizer` (every parameter a float64 matrix point; the momentum checkpoints through
 * `stateDict` as `RiemannianSgdState`): `new Optimizer({ X }, riemannianSgd, { manifold: stiefel(), lr: 0.01 })`.
 * `riemannianSgd(manifold, { lr, momentum })` returns a stepper `(x, g) => next x` for one point.
 * O(manifold operations) per step.
 * @throws InvalidArgumentError for a non-manifold or an option out of range; DTypeError/ShapeError
 * (at init) for a parameter that is not a float64 matrix; the stepper for a point or gradient that
 * is not a finite float64 matrix (DTypeError for other dtypes) or changes shape.
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { Optimizer, riemannianSgd, stiefel } from '@krylov/optimizers';
 * const x = array([[1, 0], [0, 1], [0, 0]]);
 * const opt = new Optimizer({ x }, riemannianSgd, { manifold: stiefel(), lr: 0.1 });
 * opt.step({ x: array([[0, 0], [0, 0], [1, 1]]) });
 * const n0 = x.get(0, 0) ** 2 + x.get(1, 0) ** 2 + x.get(2, 0) ** 2;
 * console.assert(Math.abs(n0 - 1) < 1e-12, 'columns stay unit norm');
 * ```
 */
export function riemannianSgd(manifold: Manifold, options: RiemannianOptions): (x: Mat, g: Mat) => Mat;
export function riemannianSgd(
  options: RiemannianOptions & { manifold: Manifold },
): GradientTransformation<RiemannianSgdState>;
export function riemannianSgd(
  a: Manifold | (RiemannianOptions & { manifold: Manifold }),
  b?: RiemannianOptions,
): GradientTransformation<RiemannianSgdState> | ((x: Mat, g: Mat) => Mat) {
  const fn = 'riemannianSgd';
  const asTransform = b === undefined && a !== null && typeof a === 'object' && 'manifold' in a;
  const options = asTransform ? a : b;
  const manifold = checkManifold(fn, asTransform ? (a as { manifold: unknown }).manifold : a);
  checkOptions(fn, options, asTransform ? ['manifold', 'lr', 'momentum'] : ['lr', 'momentum']);
  const lr = checkNumber(fn, 'options.lr', options?.lr, { min: 0 });
  const mu = numberOption(fn, options, 'momentum', 0, BETA);
  const init = (size: number) => ({ buf: new Float64Array(mu > 0 ? size : 0) });
  const step = sgdStep(manifold, lr, mu);
  return asTransform ? riemannianTransform(fn, init, step) : stepper(fn, init, step);
}

/**
 * Riemannian Adam (Becigneul & Ganea 2019, as geoopt's RiemannianAdam): Adam moments of the
 * Riemannian gradient in the embedding, the direction projected to the tangent space, a
 * retraction, and transport of the first moment. Two forms as `riemannianSgd`:
 * `riemannianAdam({ manifold, lr, b1, b2, eps })` for `Optimizer` (state `RiemannianAdamState`,
 * checkpointed by `stateDict`) and `riemannianAdam(manifold, options)`, a one-point stepper.
 * @throws InvalidArgumentError for a non-manifold or an option out of range (lr >= 0 required,
 * b1, b2 in [0, 1), eps > 0); the transform and the stepper as `riemannianSgd`'s.
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { riemannianAdam, spd } from '@krylov/optimizers';
 * const step = riemannianAdam(spd(), { lr: 0.1 }); // a one-point stepper
 * let x = array([[2, 0], [0, 2]]);
 * for (let i = 0; i < 50; i++) x = step(x, array([[x.get(0, 0) - 1, 0], [0, x.get(1, 1) - 1]])); // toward I
 * console.assert(Math.abs(x.get(0, 0) - 1) < 0.2, 'approaches the identity');
 * ```
 */
export function riemannianAdam(manifold: Manifold, options: RiemannianAdamOptions): (x: Mat, g: Mat) => Mat;
export function riemannianAdam(
  options: RiemannianAdamOptions & { manifold: Manifold },
): GradientTransformation<RiemannianAdamState>;
export function riemannianAdam(
  a: Manifold | (RiemannianAdamOptions & { manifold: Manifold }),
  b?: RiemannianAdamOptions,
): GradientTransformation<RiemannianAdamState> | ((x: Mat, g: Mat) => Mat) {
  const fn = 'riemannianAdam';
  const asTransform = b === undefined && a !== null && typeof a === 'object' && 'manifold' in a;
  const options = asTransform ? a : b;
  const manifold = checkManifold(fn, asTransform ? (a as { manifold: unknown }).manifold : a);
  checkOptions(fn, options, asTransform ? ['manifold', 'lr', 'b1', 'b2', 'eps'] : ['lr', 'b1', 'b2', 'eps']);
  const lr = checkNumber(fn, 'options.lr', options?.lr, { min: 0 });
  const b1 = numberOption(fn, options, 'b1', 0.9, BETA);
  const b2 = numberOption(fn, options, 'b2', 0.999, BETA);
  const eps = numberOption(fn, options, 'eps', 1e-8, POSITIVE);
  const init = (size: number) => ({ m: new Float64Array(size), v: new Float64Array(size) });
  const step = adamStep(manifold, lr, b1, b2, eps);
  return asTransform ? riemannianTransform(fn, init, step) : stepper(fn, init, step);
}
