import { NDArray, checkInteger, checkOptions, optionKeys } from '@krylov/core-array';
import { eigh } from '@krylov/decompositions';
import {
  COMMON_OPTIONS,
  type SolveResult,
  type SymmetricIterativeOptions,
  finish,
  setup,
  step,
  trackBest,
  zeroRhs,
} from './iterative/common.js';
import type { OperatorLike } from './operator.js';
import { type VectorLike, axpy, dot, norm2 } from './vector.js';

export interface RecycledSolveResult extends SolveResult {
  /** Operator applications, including the k that refresh A W for a new operator. */
  matvecs: number;
  /** Dimension of the deflation space used in this solve. */
  deflated: number;
}

/** Solves the k x k system E y = c for the SPD Galerkin matrix E = W^T A W, by its eigendecomposition (robust when W is nearly dependent). */
function galerkinSolver(E: Float64Array, k: number): (c: Float64Array, out: Float64Array) => void {
  const { values, vectors } = eigh(new NDArray(E, [k, k]));
  const lam = values.data;
  const Q = (vectors as NDArray<'float64'>).data;
  const cutoff = Math.max(...Array.from(lam, Math.abs)) * 1e-12;
  const t = new Float64Array(k);
  return (c, out) => {
    t.fill(0);
    for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) t[j] += Q[i * k + j] * c[i];
    for (let j = 0; j < k; j++) t[j] = lam[j] > cutoff ? t[j] / lam[j] : 0;
    out.fill(0);
    for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) out[i] += Q[i * k + j] * t[j];
  };
}

const RECYCLING_CGOPTIONS_KEYS = optionKeys<RecyclingCGOptions>()('k', 's');

/** Options of {@link RecyclingCG}. */
export type RecyclingCGOptions = { k?: number; s?: number };

/**
 * Conjugate gradients with Krylov subspace recycling for sequences of SPD systems A_i x_i = b_i
 * that change slowly (deflated CG, Saad, Yeung, Erhel & Guyomarc'h 2000, SIAM J. Sci. Comput. 21,
 * with the recycle-space update of RCG, Wang, de Sturler & Paulino 2007). The object keeps a
 * k-dimensional space W across `solve` calls: each solve starts from the Galerkin projection onto
 * W and keeps the search directions A-orthogonal to it, which removes the k smallest eigenvalues
 * from CG's effective condition number; afterwards a Rayleigh-Ritz step on [W, s search directions
 * spread over the solve] picks the k approximate eigenvectors of smallest eigenvalue for the next system.
 * Each solve costs k extra matvecs (A W for the new A) and O(n k) per iteration.
 * @example
 * ```ts
 * import { RecyclingCG, poisson } from '@krylov/solvers';
 * const a = poisson([30, 30]);
 * const solver = new RecyclingCG({ k: 10 }); // keeps 10 approximate eigenvectors between solves
 * const first = solver.solve(a, new Float64Array(900).fill(1));
 * const second = solver.solve(a, new Float64Array(900).fill(2)); // deflated by the recycled space
 * console.assert(second.converged && second.iterations < first.iterations, 'fewer iterations on the second solve');
 * ```
 */
export class RecyclingCG {
  readonly k: number;
  readonly s: number;
  private W: Float64Array[] = [];

  /** @throws InvalidArgumentError when k or s is not a positive integer. */
  constructor(options?: RecyclingCGOptions) {
    checkOptions('RecyclingCG', options, RECYCLING_CGOPTIONS_KEYS);
    const fn = 'RecyclingCG';
    this.k = options?.k === undefined ? 20 : checkInteger(fn, 'options.k', options.k, { min: 1 });
    this.s = options?.s === undefined ? 2 * this.k : checkInteger(fn, 'options.s', options.s, { min: 1 });
  }

  /** The current recycle space as an n x k matrix (null before the first solve). */
  get recycleSpace(): NDArray<'float64'> | null {
    const k = this.W.length;
    if (k === 0) return null;
    const n = this.W[0].length;
    const out = new NDArray(new Float64Array(n * k), [n, k]);
    this.W.forEach((w, j) => {
      for (let i = 0; i < n; i++) out.data[i * k + j] = w[i];
    });
    return out;
  }

  /** Forgets the recycle space (for a new, unrelated sequence). */
  reset(): void {
    this.W = [];
  }

  /**
   * Solves A x = b (A SPD) with the same options, stopping rule and report as `cg`, then updates
   * the recycle space from this solve. A recycle space of the wrong size (a new problem size) is dropped.
   * @throws ShapeError, InvalidArgumentError as `cg`.
   */
  solve(a: OperatorLike, b: VectorLike, options?: SymmetricIterativeOptions): RecycledSolveResult {
    const p = setup('RecyclingCG.solve', a, b, options, {
      allowed: [...COMMON_OPTIONS, 'checkSymmetry'],
      maxiter: ([n]) => 10 * n,
      symmetric: true,
    });
    const { A, x, n, tol, M } = p;
    const trivial = zeroRhs(p);
    if (trivial) return { ...trivial, matvecs: 1, deflated: 0 };
    if (this.W.length > 0 && this.W[0].length !== n) this.reset();
    const W = this.W;
    const k = W.length;
    const AW = W.map((w) => A.matvec(w));
    let matvecs = k + 1;
    const E = new Float64Array(k * k);
    for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) E[i * k + j] = dot(W[i], AW[j]);
    const solveE = k > 0 ? galerkinSolver(E, k) : null;
    const c = new Float64Array(k);
    const mu = new Float64Array(k);
    // x0 += W E^-1 W^T r0 makes r0 orthogonal to W.
    const r = A.matvec(x);
    for (let i = 0; i < n; i++) r[i] = p.b[i] - r[i];
    if (solveE) {
      for (let j = 0; j < k; j++) c[j] = dot(W[j], r);
      solveE(c, mu);
      for (let j = 0; j < k; j++) {
        axpy(mu[j], W[j], x);
        axpy(-mu[j], AW[j], r);
      }
    }
    const z = M ? new Float64Array(n) : r;
    const d = new Float64Array(n);
    const q = new Float64Array(n);
    const kept: Float64Array[] = [];
    const keptA: Float64Array[] = [];
    // d = z - W E^-1 (A W)^T z keeps the directions A-orthogonal to W.
    const deflate = (target: Float64Array) => {
      if (!solveE) return;
      for (let j = 0; j < k; j++) c[j] = dot(AW[j], z);
      solveE(c, mu);
      for (let j = 0; j < k; j++) axpy(-mu[j], W[j], target);
    };
    let rnorm = norm2(r);
    p.history.push(rnorm);
    trackBest(p);
    let rho = 0;
    let stride = 1;
    let result: SolveResult | null = null;
    for (let it = 0; it < p.maxiter; it++) {
      if (rnorm <= tol) {
        result = finish(p, 'converged', it);
        break;
      }
      if (M) M(r, z);
      const rhoNew = dot(r, z);
      const beta = it === 0 ? 0 : rhoNew / rho;
      for (let i = 0; i < n; i++) d[i] = z[i] + beta * d[i];
      deflate(d);
      A.matvec(d, q);
      matvecs++;
      const curvature = dot(d, q);
      if (!(curvature > 0) || !(rhoNew > 0)) {
        result = finish(p, 'indefinite', it, `d^T A d = ${curvature.toExponential(3)}`);
        break;
      }
      // Keep s directions spread over the whole run (every stride-th, thinned as it fills):
      // the smallest eigenvectors need the late Krylov information as much as the early.
      if (it % stride === 0) {
        kept.push(d.slice());
        keptA.push(q.slice());
      }
      if (kept.length >= this.s) {
        for (let j = 0; 2 * j < kept.length; j++) {
          kept[j] = kept[2 * j];
          keptA[j] = keptA[2 * j];
        }
        kept.length = keptA.length = Math.ceil(kept.length / 2);
        stride *= 2;
      }
      const alpha = rhoNew / curvature;
      axpy(alpha, d, x);
      axpy(-alpha, q, r);
      rho = rhoNew;
      rnorm = norm2(r);
      const stop = step(p, it + 1, rnorm);
      if (stop) {
        result = finish(p, stop, it + 1);
        break;
      }
    }
    result ??= finish(p, rnorm <= tol ? 'converged' : 'maxiter', p.maxiter);
    this.update([...W, ...kept], [...AW, ...keptA]);
    return { ...result, matvecs, deflated: k };
  }

  /** Rayleigh-Ritz on span(Z): the k Ritz vectors of smallest Ritz value become the new W. */
  private update(Z: Float64Array[], AZ: Float64Array[]): void {
    const m = Z.length;
    if (m === 0) return;
    const n = Z[0].length;
    const F = new Float64Array(m * m);
    const G = new Float64Array(m * m);
    for (let i = 0; i < m; i++)
      for (let j = i; j < m; j++) {
        F[i * m + j] = F[j * m + i] = dot(Z[i], Z[j]);
        const g = (dot(Z[i], AZ[j]) + dot(Z[j], AZ[i])) / 2;
        G[i * m + j] = G[j * m + i] = g;
      }
    // Generalized problem G y = theta F y through an orthonormal basis of span(Z) (F's well-conditioned part).
    const f = eigh(new NDArray(F, [m, m]));
    const lam = f.values.data;
    const Q = (f.vectors as NDArray<'float64'>).data;
    const cutoff = lam[m - 1] * 1e-10;
    const cols = Array.from(lam.keys()).filter((j) => lam[j] > cutoff);
    const r = cols.length;
    const B = new Float64Array(m * r);
    cols.forEach((j, c) => {
      for (let i = 0; i < m; i++) B[i * r + c] = Q[i * m + j] / Math.sqrt(lam[j]);
    });
    const H = new Float64Array(r * r);
    for (let a = 0; a < r; a++)
      for (let b = 0; b < r; b++) {
        let s = 0;
        for (let i = 0; i < m; i++)
          for (let j = 0; j < m; j++) s += B[i * r + a] * G[i * m + j] * B[j * r + b];
        H[a * r + b] = s;
      }
    const h = eigh(new NDArray(H, [r, r]));
    const Y = (h.vectors as NDArray<'float64'>).data;
    const kNew = Math.min(this.k, r);
    this.W = Array.from({ length: kNew }, (_, c) => {
      const w = new Float64Array(n);
      for (let i = 0; i < m; i++) {
        let coef = 0;
        for (let a = 0; a < r; a++) coef += B[i * r + a] * Y[a * r + c];
        axpy(coef, Z[i], w);
      }
      const nw = norm2(w);
      return nw > 0 ? w.map((v) => v / nw) : w;
    });
  }
}
