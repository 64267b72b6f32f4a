import { InvalidArgumentError, NDArray, checkOptions, matmul } from '@krylov/core-array';
import { eigh, qr, solve } from '@krylov/decompositions';

type Mat = NDArray<'float64'>;

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

/**
 * The Stiefel manifold {X in R^(n x p) : X^T X = I} with the embedded metric: gradient
 * G - X sym(X^T G); retraction by QR (the Q factor with a positive diagonal of R) or by the Cayley
 * transform through its rank-2p Woodbury form (Wen & Yin 2013, eq. 2.9); transport by projection.
 */
export function stiefel(options?: { retraction?: 'qr' | 'cayley' }): Manifold {
  checkOptions('stiefel', options, ['retraction']);
  const retraction = options?.retraction ?? 'qr';
  if (retraction !== 'qr' && retraction !== 'cayley')
    throw new InvalidArgumentError('stiefel', 'options.retraction', retraction, "'qr' or 'cayley'");
  const project = (x: Mat, g: Mat) => comb(1, g, -1, mm(x, sym(mm(x.T, g))));
  return {
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
  };
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

/**
 * Symmetric positive definite matrices with the affine-invariant metric (gradient X sym(G) X, the
 * second-order retraction X + V + V X^-1 V / 2 which stays SPD; Jeuris, Vandebril & Vandereycken
 * 2012) or the Bures-Wasserstein metric (Han et al. 2021: gradient 4 sym(G X), retraction
 * X + V + L X L with L solving the Lyapunov equation X L + L X = V, through the eigenvectors of X).
 * Transport by re-symmetrization (identity on symmetric matrices).
 */
export function spd(options?: { metric?: 'affine-invariant' | 'bures-wasserstein' }): Manifold {
  checkOptions('spd', options, ['metric']);
  const metric = options?.metric ?? 'affine-invariant';
  if (metric !== 'affine-invariant' && metric !== 'bures-wasserstein')
    throw new InvalidArgumentError(
      'spd',
      'options.metric',
      metric,
      "'affine-invariant' or 'bures-wasserstein'",
    );
  return {
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
  };
}

export interface RiemannianOptions {
  lr: number;
  /** SGD momentum (transported between points). */
  momentum?: number;
}

/**
 * Riemannian SGD with optional momentum (Bonnabel 2013): v = mu T(v) + grad_R f, x <- R_x(-lr v).
 * Works on one matrix point; returns a stepper keeping its momentum.
 */
export function riemannianSgd(manifold: Manifold, options: RiemannianOptions) {
  checkOptions('riemannianSgd', options, ['lr', 'momentum']);
  const mu = options.momentum ?? 0;
  let buf: Mat | null = null;
  return (x: Mat, g: Mat): Mat => {
    const rg = manifold.gradient(x, g);
    buf = buf && mu > 0 ? comb(mu, buf, 1, rg) : rg;
    const y = manifold.retract(x, comb(-options.lr, buf, 0, buf));
    buf = manifold.transport(x, y, buf);
    return y;
  };
}

/**
 * Riemannian Adam (Becigneul & Ganea 2019, as geoopt's RiemannianAdam): Adam moments of the
 * Riemannian gradient in the embedding, the direction projected to the tangent space, a
 * retraction, and transport of the first moment.
 */
export function riemannianAdam(
  manifold: Manifold,
  options: { lr: number; b1?: number; b2?: number; eps?: number },
) {
  checkOptions('riemannianAdam', options, ['lr', 'b1', 'b2', 'eps']);
  const { lr, b1 = 0.9, b2 = 0.999, eps = 1e-8 } = options;
  let m: Mat | null = null;
  let v: Float64Array | null = null;
  let t = 0;
  return (x: Mat, g: Mat): Mat => {
    t++;
    const rg = manifold.gradient(x, g);
    m = m ? comb(b1, m, 1 - b1, rg) : comb(1 - b1, rg, 0, rg);
    v ??= new Float64Array(rg.size);
    const dir = new NDArray(new Float64Array(rg.size), rg.shape) as Mat;
    for (let i = 0; i < rg.size; i++) {
      v[i] = b2 * v[i] + (1 - b2) * rg.data[i] ** 2;
      dir.data[i] = m.data[i] / (1 - b1 ** t) / (Math.sqrt(v[i] / (1 - b2 ** t)) + eps);
    }
    const y = manifold.retract(x, comb(-lr, manifold.project(x, dir), 0, dir));
    m = manifold.transport(x, y, m);
    return y;
  };
}
