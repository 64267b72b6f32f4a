import { drive, runToEnd } from '@krylov/core-array';
import type { OperatorLike } from '../operator.js';
import { type VectorLike, dot, norm2 } from '../vector.js';
import {
  COMMON_OPTIONS,
  type IterativeOptions,
  type SolveProgram,
  type SolveResult,
  finish,
  setup,
  step,
  trackBest,
  zeroRhs,
} from './common.js';

/**
 * BiCGSTAB (van der Vorst 1992) for general square A, right-preconditioned, with SciPy's loop,
 * breakdown thresholds (|rho| or |omega| below eps^2) and stopping rule ||b - A x|| <= max(atol,
 * rtol ||b||). A breakdown stops the solve with reason 'breakdown' and says which quantity vanished.
 * Default maxiter 10 n. Cost per iteration: two matvecs, two preconditioner applications.
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { bicgstab } from '@krylov/solvers';
 * const a = array([[4, 1, 0], [2, 5, 1], [0, 1, 3]]); // nonsymmetric
 * const { x, converged } = bicgstab(a, [5, 8, 4], { rtol: 1e-10 });
 * console.assert(converged && [0, 1, 2].every((i) => Math.abs(x.get(i) - 1) < 1e-8), 'x = [1, 1, 1]');
 * ```
 * @throws ShapeError, InvalidArgumentError.
 */
export function bicgstab(a: OperatorLike, b: VectorLike, options?: IterativeOptions): SolveResult {
  return runToEnd(bicgstabProgram('bicgstab', a, b, options));
}

/**
 * `bicgstab` that yields to the event loop every few milliseconds (see `cgAsync`): same options,
 * iterates, result, cost per iteration and reference as `bicgstab`, bit for bit; an aborted `signal` stops it with
 * reason 'aborted' and the partial iterate.
 * @throws nothing synchronously: `bicgstab`'s validation errors reject the promise.
 * @example
 * ```ts
 * import { poisson, bicgstabAsync } from '@krylov/solvers';
 * const r = await bicgstabAsync(poisson([100]), new Float64Array(100).fill(1));
 * console.assert(r.converged, 'converged without blocking the event loop');
 * ```
 */
export async function bicgstabAsync(
  a: OperatorLike,
  b: VectorLike,
  options?: IterativeOptions,
): Promise<SolveResult> {
  return drive(bicgstabProgram('bicgstabAsync', a, b, options));
}

// Validation runs at the first `next()`: synchronously in `bicgstab`, inside the promise in `bicgstabAsync`.
function* bicgstabProgram(
  fn: string,
  a: OperatorLike,
  b: VectorLike,
  options?: IterativeOptions,
): SolveProgram {
  const p = setup(fn, a, b, options, { allowed: COMMON_OPTIONS, maxiter: ([n]) => 10 * n });
  const { A, x, n, tol, M } = p;
  const trivial = zeroRhs(p);
  if (trivial) return trivial;
  const breakTol = Number.EPSILON ** 2;
  const r = A.matvec(x);
  for (let i = 0; i < n; i++) r[i] = p.b[i] - r[i];
  const rtilde = r.slice();
  const d = new Float64Array(n);
  const v = new Float64Array(n);
  const phat = new Float64Array(n);
  const s = new Float64Array(n);
  const shat = new Float64Array(n);
  const t = new Float64Array(n);
  let rnorm = norm2(r);
  p.history.push(rnorm);
  trackBest(p);
  let rhoPrev = 1;
  let alpha = 1;
  let omega = 1;
  for (let k = 0; k < p.maxiter; k++) {
    if (rnorm <= tol) return finish(p, 'converged', k);
    const rho = dot(rtilde, r);
    if (Math.abs(rho) < breakTol)
      return finish(p, 'breakdown', k, `rho = ${rho.toExponential(3)} (r orthogonal to the shadow residual)`);
    if (k === 0) d.set(r);
    else {
      if (Math.abs(omega) < breakTol) return finish(p, 'breakdown', k, `omega = ${omega.toExponential(3)}`);
      const beta = (rho / rhoPrev) * (alpha / omega);
      for (let i = 0; i < n; i++) d[i] = r[i] + beta * (d[i] - omega * v[i]);
    }
    if (M) M(d, phat);
    else phat.set(d);
    A.matvec(phat, v);
    const rv = dot(rtilde, v);
    if (rv === 0) return finish(p, 'breakdown', k, 'rtilde^T A p = 0');
    alpha = rho / rv;
    for (let i = 0; i < n; i++) s[i] = r[i] - alpha * v[i];
    if (norm2(s) <= tol) {
      for (let i = 0; i < n; i++) x[i] += alpha * phat[i];
      step(p, k + 1, norm2(s));
      return finish(p, 'converged', k + 1);
    }
    if (M) M(s, shat);
    else shat.set(s);
    A.matvec(shat, t);
    const tt = dot(t, t);
    omega = tt === 0 ? 0 : dot(t, s) / tt;
    for (let i = 0; i < n; i++) {
      x[i] += alpha * phat[i] + omega * shat[i];
      r[i] = s[i] - omega * t[i];
    }
    rhoPrev = rho;
    rnorm = norm2(r);
    const stop = step(p, k + 1, rnorm);
    if (stop) return finish(p, stop, k + 1);
    yield;
  }
  return finish(p, rnorm <= tol ? 'converged' : 'maxiter', p.maxiter);
}
