import { drive, runToEnd } from '@krylov/core-array';
import type { OperatorLike } from '../operator.js';
import { type VectorLike, dot } from '../vector.js';
import {
  COMMON_OPTIONS,
  type Problem,
  type SolveProgram,
  type SolveResult,
  type SymmetricIterativeOptions,
  finish,
  setup,
  step,
  trackBest,
  zeroRhs,
} from './common.js';

/**
 * Conjugate gradients for symmetric positive definite A, optionally preconditioned by an SPD M
 * (Hestenes & Stiefel 1952; Saad 2003, Alg. 9.1), with SciPy's `cg` loop and stopping rule
 * ||b - A x|| <= max(atol, rtol ||b||). A direction with d^T A d <= 0 (A or M not positive definite)
 * stops the solve with reason 'indefinite' instead of continuing on garbage. Default maxiter 10 n.
 * Cost per iteration: one matvec, one preconditioner application, 5n flops of vector work.
 * A dense or sparse A is checked for symmetry (O(nnz); `checkSymmetry: false` skips it); a
 * LinearOperator is trusted. b = 0 returns x = 0 at once; a non-converged exit returns the iterate
 * of smallest residual, never one worse than x0.
 * @example
 * ```ts
 * import { cg, ic0, poisson } from '@krylov/solvers';
 * const a = poisson([20, 20]); // SPD, 400 x 400
 * const b = new Float64Array(400).fill(1);
 * const r = cg(a, b, { rtol: 1e-8, M: ic0(a) });
 * console.assert(r.converged && r.residualNorm <= 1e-8 * 20, '||b - A x|| <= rtol ||b||');
 * ```
 * @throws ShapeError, InvalidArgumentError (NaN in b, bad options, a non-symmetric matrix).
 */
export function cg(a: OperatorLike, b: VectorLike, options?: SymmetricIterativeOptions): SolveResult {
  return runToEnd(cgProgram(cgSetup('cg', a, b, options)));
}

/**
 * `cg` that yields to the event loop every few milliseconds (core-array's `drive`), so timers,
 * I/O and `AbortSignal.timeout` run during the solve: an aborted signal stops it within about one
 * time slice plus one iteration, with reason 'aborted' and the partial iterate and history. Same
 * iterates, result, cost per iteration and reference (Hestenes & Stiefel 1952) as `cg`, bit for bit. Validation errors reject the promise.
 * @throws nothing synchronously: `cg`'s validation errors (ShapeError, InvalidArgumentError) reject
 *   the promise.
 * @example
 * ```ts
 * import { cgAsync, poisson } from '@krylov/solvers';
 * const controller = new AbortController(); // controller.abort() stops it with reason 'aborted'
 * const r = await cgAsync(poisson([200]), new Float64Array(200).fill(1), { signal: controller.signal });
 * console.assert(r.converged && r.reason === 'converged', 'converged');
 * ```
 */
export async function cgAsync(
  a: OperatorLike,
  b: VectorLike,
  options?: SymmetricIterativeOptions,
): Promise<SolveResult> {
  return drive(cgProgram(cgSetup('cgAsync', a, b, options)));
}

function cgSetup(fn: string, a: OperatorLike, b: VectorLike, options?: SymmetricIterativeOptions): Problem {
  return setup(fn, a, b, options, {
    allowed: [...COMMON_OPTIONS, 'checkSymmetry'],
    maxiter: ([n]) => 10 * n,
    symmetric: true,
  });
}

function* cgProgram(p: Problem): SolveProgram {
  const { A, x, n, tol, M } = p;
  const trivial = zeroRhs(p);
  if (trivial) return trivial;
  const r = A.matvec(x);
  for (let i = 0; i < n; i++) r[i] = p.b[i] - r[i];
  const z = M ? new Float64Array(n) : r;
  const d = new Float64Array(n);
  const q = new Float64Array(n);
  let rr = dot(r, r);
  let rnorm = Math.sqrt(rr);
  p.history.push(rnorm);
  trackBest(p);
  let rho = 0;
  for (let k = 0; k < p.maxiter; k++) {
    if (rnorm <= tol) return finish(p, 'converged', k);
    if (M) M(r, z);
    const rhoNew = M ? dot(r, z) : rr;
    if (k === 0) d.set(z);
    else {
      const beta = rhoNew / rho;
      for (let i = 0; i < n; i++) d[i] = z[i] + beta * d[i];
    }
    A.matvec(d, q);
    const curvature = dot(d, q);
    if (!(curvature > 0) || !(rhoNew > 0))
      return finish(
        p,
        'indefinite',
        k,
        `d^T A d = ${curvature.toExponential(3)}, r^T M r = ${rhoNew.toExponential(3)}`,
      );
    const alpha = rhoNew / curvature;
    // One fused pass: x += alpha d, r -= alpha q, ||r||^2 (three passes in the textbook form).
    rr = 0;
    for (let i = 0; i < n; i++) {
      x[i] += alpha * d[i];
      const ri = r[i] - alpha * q[i];
      r[i] = ri;
      rr += ri * ri;
    }
    rho = rhoNew;
    rnorm = Math.sqrt(rr);
    const stop = step(p, k + 1, rnorm);
    if (stop) return finish(p, stop, k + 1);
    yield;
  }
  return finish(p, rnorm <= tol ? 'converged' : 'maxiter', p.maxiter);
}
