import { NDArray, checkInteger, drive, runToEnd } from '@krylov/core-array';
import { lstsq } from '@krylov/decompositions';
import type { OperatorLike } from '../operator.js';
import { type VectorLike, dot, norm2 } from '../vector.js';
import {
  COMMON_OPTIONS,
  type IterativeOptions,
  type Problem,
  type SolveProgram,
  type SolveResult,
  finish,
  setup,
  step,
  zeroRhs,
} from './common.js';

export interface GmresOptions extends IterativeOptions {
  /** Krylov dimension between restarts (default 20, as SciPy). */
  restart?: number;
}

/**
 * Restarted GMRES(m) (Saad & Schultz 1986) for general square A, right-preconditioned so the
 * residual it minimizes and tests is the true ||b - A x||. Arnoldi by modified Gram-Schmidt with
 * one reorthogonalization pass (robust for ill-conditioned bases), least squares by Givens
 * rotations. `maxiter` counts inner iterations (one matvec each, the unit every solver here
 * reports), not SciPy's restart cycles; default 10 n. Memory O(n m); cost per iteration one matvec,
 * one preconditioner application and O(n j) for orthogonalization.
 * @example
 * ```ts
 * import { gmres, ilu0, poisson, randomSparse } from '@krylov/solvers';
 * const a = poisson([10, 10]).add(randomSparse(100, 100, { density: 0.01, seed: 1 })); // nonsymmetric
 * const r = gmres(a, new Float64Array(100).fill(1), { restart: 30, M: ilu0(a), rtol: 1e-10 });
 * console.assert(r.converged && r.iterations < 100, 'preconditioned GMRES(30) converged');
 * ```
 * @throws ShapeError, InvalidArgumentError.
 */
export function gmres(a: OperatorLike, b: VectorLike, options?: GmresOptions): SolveResult {
  return runToEnd(gmresProgram('gmres', a, b, options, false));
}

/**
 * `gmres` that yields to the event loop every few milliseconds (see `cgAsync`): same options,
 * iterates, result, cost per iteration and reference as `gmres`, bit for bit; an aborted `signal` stops it with
 * reason 'aborted' and the partial iterate.
 * @throws nothing synchronously: `gmres`'s validation errors reject the promise.
 * @example
 * ```ts
 * import { gmresAsync, poisson } from '@krylov/solvers';
 * const r = await gmresAsync(poisson([50]), new Float64Array(50).fill(1), { restart: 50 });
 * console.assert(r.converged, 'converged');
 * ```
 */
export async function gmresAsync(
  a: OperatorLike,
  b: VectorLike,
  options?: GmresOptions,
): Promise<SolveResult> {
  return drive(gmresProgram('gmresAsync', a, b, options, false));
}

/**
 * Flexible GMRES (Saad 1993): right preconditioning that may change at every iteration (an inner
 * iterative solve, a mixed-precision factorization, a neural preconditioner), at the price of
 * storing the preconditioned basis too. Same options and stopping rule as `gmres`. Memory O(2 n m).
 * @example
 * ```ts
 * import { fgmres, ilu0, poisson, randomSparse } from '@krylov/solvers';
 * const a = poisson([50]).add(randomSparse(50, 50, { density: 0.02, seed: 1 })); // nonsymmetric
 * // M may also be a preconditioner that changes between calls (an inner solver)
 * const r = fgmres(a, new Float64Array(50).fill(1), { restart: 20, M: ilu0(a), rtol: 1e-10 });
 * console.assert(r.converged, 'flexible GMRES converged');
 * ```
 * @throws ShapeError, InvalidArgumentError.
 */
export function fgmres(a: OperatorLike, b: VectorLike, options?: GmresOptions): SolveResult {
  return runToEnd(gmresProgram('fgmres', a, b, options, true));
}

/**
 * `fgmres` that yields to the event loop every few milliseconds (see `cgAsync`): same options,
 * iterates, result, cost per iteration and reference as `fgmres`, bit for bit; an aborted `signal` stops it with
 * reason 'aborted' and the partial iterate.
 * @throws nothing synchronously: `fgmres`'s validation errors reject the promise.
 * @example
 * ```ts
 * import { fgmresAsync, poisson } from '@krylov/solvers';
 * const r = await fgmresAsync(poisson([50]), new Float64Array(50).fill(1), { restart: 50 });
 * console.assert(r.converged, 'converged');
 * ```
 */
export async function fgmresAsync(
  a: OperatorLike,
  b: VectorLike,
  options?: GmresOptions,
): Promise<SolveResult> {
  return drive(gmresProgram('fgmresAsync', a, b, options, true));
}

function* gmresProgram(
  fn: string,
  a: OperatorLike,
  b: VectorLike,
  options: GmresOptions | undefined,
  flexible: boolean,
): SolveProgram {
  const p = setup(fn, a, b, options, {
    allowed: [...COMMON_OPTIONS, 'restart'],
    maxiter: ([n]) => 10 * n,
  });
  const restart = restartOf(p.fn, options?.restart);
  return zeroRhs(p) ?? (yield* arnoldiSolve(p, restart, flexible));
}

function restartOf(fn: string, restart: unknown): number {
  return restart === undefined ? 20 : checkInteger(fn, 'options.restart', restart, { min: 1 });
}

function* arnoldiSolve(p: Problem, restart: number, flexible: boolean): SolveProgram {
  const { A, x, n, tol, M } = p;
  const m = Math.min(restart, Math.max(n, 1));
  const V = Array.from({ length: m + 1 }, () => new Float64Array(n));
  const Z = flexible ? Array.from({ length: m }, () => new Float64Array(n)) : [];
  const H = Array.from({ length: m + 1 }, () => new Float64Array(m));
  const cs = new Float64Array(m);
  const sn = new Float64Array(m);
  const g = new Float64Array(m + 1);
  const z = new Float64Array(n);
  const w = new Float64Array(n);
  let total = 0;
  let first = true;
  for (;;) {
    const r = V[0];
    A.matvec(x, r);
    for (let i = 0; i < n; i++) r[i] = p.b[i] - r[i];
    const beta = norm2(r);
    if (first) {
      p.history.push(beta);
      first = false;
    }
    if (beta <= tol) return finish(p, 'converged', total);
    if (total >= p.maxiter) return finish(p, 'maxiter', total);
    for (let i = 0; i < n; i++) r[i] /= beta;
    g.fill(0);
    g[0] = beta;
    let j = 0;
    let stop: ReturnType<typeof step> = null;
    let lucky = false;
    let nonFinite = false;
    for (; j < m && total < p.maxiter; j++) {
      const zj = flexible ? Z[j] : z;
      if (M) M(V[j], zj);
      else zj.set(V[j]);
      A.matvec(zj, w);
      for (let pass = 0; pass < 2; pass++)
        for (let i = 0; i <= j; i++) {
          const h = dot(w, V[i]);
          H[i][j] = pass === 0 ? h : H[i][j] + h;
          const vi = V[i];
          for (let t = 0; t < n; t++) w[t] -= h * vi[t];
        }
      const hNext = norm2(w);
      for (let i = 0; i < j; i++) {
        const t = cs[i] * H[i][j] + sn[i] * H[i + 1][j];
        H[i + 1][j] = -sn[i] * H[i][j] + cs[i] * H[i + 1][j];
        H[i][j] = t;
      }
      const rho = Math.hypot(H[j][j], hNext);
      cs[j] = rho === 0 ? 1 : H[j][j] / rho;
      sn[j] = rho === 0 ? 0 : hNext / rho;
      H[j][j] = rho;
      g[j + 1] = -sn[j] * g[j];
      g[j] = cs[j] * g[j];
      total++;
      const resid = Math.abs(g[j + 1]);
      stop = step(p, total, resid);
      if (!Number.isFinite(hNext) || !Number.isFinite(rho)) {
        // A NaN or infinity from the operator or preconditioner: the column is garbage, drop it.
        nonFinite = true;
        break;
      }
      if (hNext <= 1e-14 * rho || resid <= tol || stop) {
        lucky = hNext <= 1e-14 * rho;
        j++;
        break;
      }
      const vNext = V[j + 1];
      for (let t = 0; t < n; t++) vNext[t] = w[t] / hNext;
      yield;
    }
    // x += (right-preconditioned) V y with H y = g, upper triangular.
    const y = leastSquaresCoefficients(H, g, j);
    if (flexible) {
      for (let i = 0; i < j; i++) for (let t = 0; t < n; t++) x[t] += y[i] * Z[i][t];
    } else {
      w.fill(0);
      for (let i = 0; i < j; i++) for (let t = 0; t < n; t++) w[t] += y[i] * V[i][t];
      if (M) M(w, z);
      else z.set(w);
      for (let t = 0; t < n; t++) x[t] += z[t];
    }
    if (stop) return finish(p, stop, total);
    if (nonFinite)
      return finish(p, 'breakdown', total, 'the operator or preconditioner returned a non-finite value');
    if (lucky && norm2(residual(p)) > tol)
      return finish(
        p,
        'breakdown',
        total,
        'the Krylov space became invariant before the tolerance was met (A or M singular?)',
      );
  }
}

/**
 * y minimizing ||g[0..j) - R y|| for the j x j upper triangular R = H[0..j)[0..j) after the Givens
 * rotations: back substitution when R is well conditioned; when a diagonal entry is (nearly) zero
 * (a singular A or M made the Krylov space degenerate) the minimum-norm least-squares solution by
 * SVD, as SciPy, since back substitution with a zeroed coefficient can return an x worse than x0.
 */
function leastSquaresCoefficients(H: Float64Array[], g: Float64Array, j: number): Float64Array {
  let big = 0;
  let small = Number.POSITIVE_INFINITY;
  for (let i = 0; i < j; i++) {
    big = Math.max(big, Math.abs(H[i][i]));
    small = Math.min(small, Math.abs(H[i][i]));
  }
  const y = new Float64Array(j);
  if (j > 0 && !(small > 1e3 * Number.EPSILON * j * big)) {
    if (big === 0) return y;
    const R = new NDArray(new Float64Array(j * j), [j, j]);
    for (let i = 0; i < j; i++) for (let k = i; k < j; k++) R.data[i * j + k] = H[i][k];
    const rhs = new NDArray(Float64Array.from(g.subarray(0, j)), [j]);
    const sol = lstsq(R, rhs, { rcond: 1e3 * Number.EPSILON * j }).x.data;
    for (let i = 0; i < j; i++) y[i] = sol[i];
    return y;
  }
  for (let i = j - 1; i >= 0; i--) {
    let s = g[i];
    for (let k = i + 1; k < j; k++) s -= H[i][k] * y[k];
    y[i] = s / H[i][i];
  }
  return y;
}

function residual(p: Problem): Float64Array {
  const r = p.A.matvec(p.x);
  for (let i = 0; i < r.length; i++) r[i] = p.b[i] - r[i];
  return r;
}
