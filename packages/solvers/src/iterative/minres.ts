import { checkNumber, drive, runToEnd } from '@krylov/core-array';
import type { OperatorLike } from '../operator.js';
import { type VectorLike, dot } from '../vector.js';
import {
  COMMON_OPTIONS,
  type SolveProgram,
  type SolveResult,
  type SymmetricIterativeOptions,
  finish,
  setup,
  step,
  zeroRhs,
} from './common.js';

/**
 * MINRES for symmetric (possibly indefinite) A with an SPD preconditioner M (Paige & Saunders 1975;
 * the recurrences of SciPy's `minres`, from Stanford SOL's MINRES). Minimizes the (M^-1-norm of
 * the) residual over the Krylov space with short recurrences. Stops when the recurrence residual
 * norm (the true ||b - A x|| when M = I) meets max(atol, rtol ||b||). A preconditioner that is not
 * positive definite is reported as 'indefinite'. `shift` solves (A - shift I) x = b.
 * Default maxiter 5 n. Cost per iteration: one matvec, one preconditioner application, 9n flops.
 * A dense or sparse A is checked for symmetry (`checkSymmetry: false` skips it); a LinearOperator
 * is trusted. b = 0 returns x = 0 at once; a non-converged exit never returns an x worse than x0.
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { minres } from '@krylov/solvers';
 * const a = array([[1, 2], [2, 1]]); // symmetric indefinite (eigenvalues 3 and -1): CG would not apply
 * const { x, converged } = minres(a, [3, 3], { rtol: 1e-12 });
 * console.assert(converged && Math.abs(x.get(0) - 1) < 1e-10, 'x = [1, 1]');
 * ```
 * @throws ShapeError, InvalidArgumentError (bad options, a non-symmetric matrix).
 */
export function minres(
  a: OperatorLike,
  b: VectorLike,
  options?: SymmetricIterativeOptions & { shift?: number },
): SolveResult {
  return runToEnd(minresProgram('minres', a, b, options));
}

/**
 * `minres` that yields to the event loop every few milliseconds (see `cgAsync`): same options,
 * iterates, result, cost per iteration and reference as `minres`, bit for bit; an aborted `signal` stops it with
 * reason 'aborted' and the partial iterate.
 * @throws nothing synchronously: `minres`'s validation errors reject the promise.
 * @example
 * ```ts
 * import { minresAsync, poisson } from '@krylov/solvers';
 * const r = await minresAsync(poisson([100]), new Float64Array(100).fill(1), { shift: 0.5 }); // (A - 0.5 I) x = b
 * console.assert(r.converged, 'converged');
 * ```
 */
export async function minresAsync(
  a: OperatorLike,
  b: VectorLike,
  options?: SymmetricIterativeOptions & { shift?: number },
): Promise<SolveResult> {
  return drive(minresProgram('minresAsync', a, b, options));
}

function* minresProgram(
  fn: string,
  a: OperatorLike,
  b: VectorLike,
  options?: SymmetricIterativeOptions & { shift?: number },
): SolveProgram {
  const p = setup(fn, a, b, options, {
    allowed: [...COMMON_OPTIONS, 'shift', 'checkSymmetry'],
    maxiter: ([n]) => 5 * n,
    symmetric: true,
  });
  const { A, x, n, tol, M } = p;
  const shift = options?.shift === undefined ? 0 : checkNumber(fn, 'options.shift', options.shift);
  p.shift = shift;
  const trivial = zeroRhs(p);
  if (trivial) return trivial;
  const eps = Number.EPSILON;
  let r1 = A.matvec(x);
  for (let i = 0; i < n; i++) r1[i] = p.b[i] - r1[i] + shift * x[i];
  const y = new Float64Array(n);
  if (M) M(r1, y);
  else y.set(r1);
  let beta1 = dot(r1, y);
  if (beta1 < 0) return finish(p, 'indefinite', 0, 'the preconditioner is not positive definite');
  if (beta1 === 0) {
    p.history.push(0);
    return finish(p, 'converged', 0);
  }
  beta1 = Math.sqrt(beta1);
  p.history.push(beta1);
  let oldb = 0;
  let beta = beta1;
  let dbar = 0;
  let epsln = 0;
  let phibar = beta1;
  let cs = -1;
  let sn = 0;
  let w = new Float64Array(n);
  let w1 = new Float64Array(n);
  let w2 = new Float64Array(n);
  let r2 = r1.slice();
  const v = new Float64Array(n);
  for (let itn = 1; itn <= p.maxiter; itn++) {
    const s = 1 / beta;
    for (let i = 0; i < n; i++) v[i] = s * y[i];
    A.matvec(v, y);
    for (let i = 0; i < n; i++) y[i] -= shift * v[i];
    if (itn >= 2) for (let i = 0; i < n; i++) y[i] -= (beta / oldb) * r1[i];
    const alfa = dot(v, y);
    for (let i = 0; i < n; i++) y[i] -= (alfa / beta) * r2[i];
    [r1, r2] = [r2, r1];
    r2.set(y);
    if (M) M(r2, y);
    oldb = beta;
    const bb = dot(r2, y);
    if (bb < 0) return finish(p, 'indefinite', itn - 1, 'the preconditioner is not positive definite');
    beta = Math.sqrt(bb);
    // Apply the previous rotation, then compute and apply the next one.
    const oldeps = epsln;
    const delta = cs * dbar + sn * alfa;
    const gbar = sn * dbar - cs * alfa;
    epsln = sn * beta;
    dbar = -cs * beta;
    const gamma = Math.max(Math.hypot(gbar, beta), eps);
    cs = gbar / gamma;
    sn = beta / gamma;
    const phi = cs * phibar;
    phibar = sn * phibar;
    [w1, w2, w] = [w2, w, w1];
    for (let i = 0; i < n; i++) {
      w[i] = (v[i] - oldeps * w1[i] - delta * w2[i]) / gamma;
      x[i] += phi * w[i];
    }
    const stop = step(p, itn, phibar);
    if (phibar <= tol) return finish(p, 'converged', itn);
    if (stop) return finish(p, stop, itn);
    if (beta === 0)
      return finish(
        p,
        'breakdown',
        itn,
        'the Krylov space is exhausted (beta = 0) before the tolerance was met',
      );
    yield;
  }
  return finish(p, 'maxiter', p.maxiter);
}
