import { InvalidArgumentError, checkNumber, drive, runToEnd } from '@krylov/core-array';
import type { OperatorLike } from '../operator.js';
import { type VectorLike, norm2 } from '../vector.js';
import {
  type Problem,
  type ProgressHook,
  type SolveProgram,
  type SolveResult,
  type StopReason,
  finish,
  setup,
  step,
} from './common.js';

/** Options of LSQR and LSMR (Paige-Saunders names and defaults, as SciPy). */
export interface LeastSquaresOptions {
  x0?: VectorLike;
  /** Solves min ||A x - b||^2 + damp^2 ||x||^2. Default 0. */
  damp?: number;
  /** Stop when ||A^T r|| <= atol ||A|| ||r|| (least squares) ... Default 1e-6. */
  atol?: number;
  /** ... or ||r|| <= btol ||b|| + atol ||A|| ||x|| (consistent systems). Default 1e-6. */
  btol?: number;
  /** Stop when the estimate of cond(A) exceeds conlim (0 disables). Default 1e8. */
  conlim?: number;
  maxiter?: number;
  /** Called after every iteration; returning `false` stops the solve (reason 'callback'). */
  onProgress?: ProgressHook;
  /** @deprecated The old name of `onProgress`. */
  callback?: ProgressHook;
  /** Checked after every iteration (see `IterativeOptions.signal`: timers fire only in the async forms). */
  signal?: AbortSignal;
}

export interface LeastSquaresResult extends SolveResult {
  /** Paige-Saunders stop code: 1 consistent solution, 2 least-squares solution, 3 conlim, 4-6 the same at machine precision, 7 maxiter. */
  istop: number;
  /** Estimates of ||A||_F, cond(A), ||A^T r|| and ||x||. */
  normA: number;
  condA: number;
  normAr: number;
  normX: number;
}

const ALLOWED = ['x0', 'damp', 'atol', 'btol', 'conlim', 'maxiter', 'onProgress', 'callback', 'signal'];

interface Bidiag {
  p: Problem;
  damp: number;
  atol: number;
  btol: number;
  ctol: number;
  u: Float64Array;
  v: Float64Array;
  alpha: number;
  beta: number;
}

function start(
  fn: string,
  a: OperatorLike,
  b: VectorLike,
  options: LeastSquaresOptions | undefined,
  maxiter: (s: readonly [number, number]) => number,
): Bidiag {
  const p = setup(fn, a, b, options, { allowed: ALLOWED, maxiter, square: false });
  const o = options ?? {};
  const num = (arg: 'damp' | 'atol' | 'btol' | 'conlim', d: number) =>
    o[arg] === undefined ? d : checkNumber(fn, `options.${arg}`, o[arg], { min: 0 });
  const conlim = num('conlim', 1e8);
  if (!p.A.hasAdjoint)
    throw new InvalidArgumentError(fn, 'A', 'operator without rmatvec', 'an operator with rmatvec (A^T x)');
  // b = 0: x = 0 is the (least-squares and damped) solution whatever x0 is (SciPy returns it at once).
  if (p.bnorm === 0) p.x.fill(0);
  // Golub-Kahan bidiagonalization starts from u = b - A x0, v = A^T u.
  const u = p.A.matvec(p.x);
  for (let i = 0; i < u.length; i++) u[i] = p.b[i] - u[i];
  const beta = norm2(u);
  if (beta > 0) for (let i = 0; i < u.length; i++) u[i] /= beta;
  const v = beta > 0 ? p.A.rmatvec(u) : new Float64Array(p.n);
  const alpha = norm2(v);
  if (alpha > 0) for (let i = 0; i < v.length; i++) v[i] /= alpha;
  p.history.push(beta);
  return {
    p,
    damp: num('damp', 0),
    atol: num('atol', 1e-6),
    btol: num('btol', 1e-6),
    ctol: conlim > 0 ? 1 / conlim : 0,
    u,
    v,
    alpha,
    beta,
  };
}

/** One bidiagonalization step: u = (A v - alpha u)/beta, v = (A^T u - beta v)/alpha. */
function advance(s: Bidiag): void {
  const { p, u, v } = s;
  const av = p.A.matvec(v);
  for (let i = 0; i < u.length; i++) u[i] = av[i] - s.alpha * u[i];
  s.beta = norm2(u);
  if (s.beta > 0) {
    for (let i = 0; i < u.length; i++) u[i] /= s.beta;
    const atu = p.A.rmatvec(u);
    for (let i = 0; i < v.length; i++) v[i] = atu[i] - s.beta * v[i];
    s.alpha = norm2(v);
    if (s.alpha > 0) for (let i = 0; i < v.length; i++) v[i] /= s.alpha;
  }
}

/** The Paige-Saunders stopping tests shared by LSQR and LSMR. */
function stopCode(
  s: Bidiag,
  itn: number,
  normr: number,
  normar: number,
  normA: number,
  condA: number,
  normx: number,
  bnorm: number,
): number {
  const test1 = normr / bnorm;
  const test2 = normA * normr !== 0 ? normar / (normA * normr) : Number.POSITIVE_INFINITY;
  const test3 = 1 / condA;
  const t1 = test1 / (1 + (normA * normx) / bnorm);
  const rtol = s.btol + (s.atol * normA * normx) / bnorm;
  if (test1 <= rtol) return 1;
  if (test2 <= s.atol) return 2;
  if (test3 <= s.ctol) return 3;
  if (1 + t1 <= 1) return 4;
  if (1 + test2 <= 1) return 5;
  if (1 + test3 <= 1) return 6;
  if (itn >= s.p.maxiter) return 7;
  return 0;
}

function report(
  s: Bidiag,
  istop: number,
  itn: number,
  stats: { normA: number; condA: number; normAr: number; normX: number },
  early: StopReason | null,
): LeastSquaresResult {
  const reason: StopReason =
    early ?? (istop === 7 ? 'maxiter' : istop === 3 || istop === 6 ? 'conlim' : 'converged');
  return { ...finish(s.p, reason, itn), istop, ...stats };
}

function symOrtho(a: number, b: number): [number, number, number] {
  if (b === 0) return [a === 0 ? 1 : Math.sign(a), 0, Math.abs(a)];
  if (a === 0) return [0, Math.sign(b), Math.abs(b)];
  if (Math.abs(b) > Math.abs(a)) {
    const tau = a / b;
    const sn = Math.sign(b) / Math.sqrt(1 + tau * tau);
    return [sn * tau, sn, b / sn];
  }
  const tau = b / a;
  const c = Math.sign(a) / Math.sqrt(1 + tau * tau);
  return [c, c * tau, a / c];
}

/**
 * LSQR (Paige & Saunders 1982, ACM TOMS 8; the algorithm of SciPy's `lsqr`) for min ||A x - b||
 * (damped: min ||A x - b||^2 + damp^2 ||x||^2) with any m x n A that has rmatvec. Equivalent to CG
 * on the normal equations but numerically safer. Default maxiter 2 n. Cost per iteration: one
 * matvec and one rmatvec, 3m + 5n flops.
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { lsqr } from '@krylov/solvers';
 * const a = array([[1, 0], [1, 1], [1, 2]]);
 * const { x, istop } = lsqr(a, [1, 3, 5], { atol: 1e-12, btol: 1e-12 });
 * console.assert(istop === 1 && Math.abs(x.get(1) - 2) < 1e-8, 'consistent system solved, slope 2');
 * ```
 * @throws ShapeError, InvalidArgumentError (bad options, operator without rmatvec, NaN in b).
 */
export function lsqr(a: OperatorLike, b: VectorLike, options?: LeastSquaresOptions): LeastSquaresResult {
  return runToEnd(lsqrProgram('lsqr', a, b, options));
}

/**
 * `lsqr` that yields to the event loop every few milliseconds (see `cgAsync`): same options,
 * iterates, result, cost per iteration and reference as `lsqr`, bit for bit; an aborted `signal` stops it with
 * reason 'aborted' and the partial iterate.
 * @throws nothing synchronously: `lsqr`'s validation errors reject the promise.
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { lsqrAsync } from '@krylov/solvers';
 * const { x } = await lsqrAsync(array([[1, 0], [1, 1], [1, 2]]), [1, 3, 5], { damp: 0.1 }); // ridge-damped
 * console.assert(x.shape[0] === 2, 'regularized solution');
 * ```
 */
export async function lsqrAsync(
  a: OperatorLike,
  b: VectorLike,
  options?: LeastSquaresOptions,
): Promise<LeastSquaresResult> {
  return drive(lsqrProgram('lsqrAsync', a, b, options));
}

function* lsqrProgram(
  fn: string,
  a: OperatorLike,
  b: VectorLike,
  options?: LeastSquaresOptions,
): SolveProgram<LeastSquaresResult> {
  const s = start(fn, a, b, options, ([, n]) => 2 * n);
  const { p, u, v, damp } = s;
  const { n, x } = p;
  const bnorm = p.bnorm;
  const dampsq = damp * damp;
  const w = v.slice();
  let rhobar = s.alpha;
  let phibar = s.beta;
  let anorm = 0;
  let acond = 0;
  let ddnorm = 0;
  let res2 = 0;
  let xxnorm = 0;
  let z = 0;
  let cs2 = -1;
  let sn2 = 0;
  let rnorm = s.beta;
  let arnorm = s.alpha * s.beta;
  let xnorm = norm2(x);
  if (arnorm === 0) return report(s, 0, 0, { normA: 0, condA: 0, normAr: 0, normX: xnorm }, 'converged');
  for (let itn = 1; ; itn++) {
    advance(s);
    anorm = Math.sqrt(anorm * anorm + s.alpha * s.alpha + s.beta * s.beta + dampsq);
    let rhobar1 = rhobar;
    let psi = 0;
    if (damp > 0) {
      rhobar1 = Math.hypot(rhobar, damp);
      const cs1 = rhobar / rhobar1;
      const sn1 = damp / rhobar1;
      psi = sn1 * phibar;
      phibar = cs1 * phibar;
    }
    const rho = Math.hypot(rhobar1, s.beta);
    const cs = rhobar1 / rho;
    const sn = s.beta / rho;
    const theta = sn * s.alpha;
    rhobar = -cs * s.alpha;
    const phi = cs * phibar;
    phibar = sn * phibar;
    const tau = sn * phi;
    const t1 = phi / rho;
    const t2 = -theta / rho;
    let dk = 0;
    for (let i = 0; i < n; i++) {
      const wi = w[i];
      dk += (wi / rho) ** 2;
      x[i] += t1 * wi;
      w[i] = v[i] + t2 * wi;
    }
    ddnorm += dk;
    // Estimate ||x|| by the plane rotations of the LQ factorization of the bidiagonal (Paige-Saunders 5.2).
    const delta = sn2 * rho;
    const gambar = -cs2 * rho;
    const rhs = phi - delta * z;
    const zbar = rhs / gambar;
    xnorm = Math.sqrt(xxnorm + zbar * zbar);
    const gamma = Math.hypot(gambar, theta);
    cs2 = gambar / gamma;
    sn2 = theta / gamma;
    z = rhs / gamma;
    xxnorm += z * z;
    acond = anorm * Math.sqrt(ddnorm);
    res2 += psi * psi;
    rnorm = Math.sqrt(phibar * phibar + res2);
    arnorm = s.alpha * Math.abs(tau);
    const early = step(p, itn, rnorm);
    const istop = stopCode(s, itn, rnorm, arnorm, anorm, acond, xnorm, bnorm);
    if (istop || early)
      return report(
        s,
        istop,
        itn,
        { normA: anorm, condA: acond, normAr: arnorm, normX: xnorm },
        istop ? null : early,
      );
    yield;
  }
}

/**
 * LSMR (Fong & Saunders 2011, SIAM J. Sci. Comput. 33; the algorithm of SciPy's `lsmr`): MINRES on
 * the normal equations, so ||A^T r|| decreases monotonically and early stops are safer than
 * LSQR's. Same problem, options and stopping tests as `lsqr`. Default maxiter min(m, n).
 * Cost per iteration: one matvec, one rmatvec, 3m + 7n flops.
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { lsmr } from '@krylov/solvers';
 * // fit y = c0 + c1 t through (0, 1), (1, 3), (2, 5)
 * const { x, converged } = lsmr(array([[1, 0], [1, 1], [1, 2]]), [1, 3, 5], { atol: 1e-12, btol: 1e-12 });
 * console.assert(converged && Math.abs(x.get(1) - 2) < 1e-8, 'slope 2');
 * ```
 * @throws ShapeError, InvalidArgumentError.
 */
export function lsmr(a: OperatorLike, b: VectorLike, options?: LeastSquaresOptions): LeastSquaresResult {
  return runToEnd(lsmrProgram('lsmr', a, b, options));
}

/**
 * `lsmr` that yields to the event loop every few milliseconds (see `cgAsync`): same options,
 * iterates, result, cost per iteration and reference as `lsmr`, bit for bit; an aborted `signal` stops it with
 * reason 'aborted' and the partial iterate.
 * @throws nothing synchronously: `lsmr`'s validation errors reject the promise.
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { lsmrAsync } from '@krylov/solvers';
 * const { x } = await lsmrAsync(array([[1, 0], [1, 1], [1, 2]]), [1, 3, 5], { atol: 1e-12, btol: 1e-12 });
 * console.assert(Math.abs(x.get(0) - 1) < 1e-8, 'intercept 1');
 * ```
 */
export async function lsmrAsync(
  a: OperatorLike,
  b: VectorLike,
  options?: LeastSquaresOptions,
): Promise<LeastSquaresResult> {
  return drive(lsmrProgram('lsmrAsync', a, b, options));
}

function* lsmrProgram(
  fn: string,
  a: OperatorLike,
  b: VectorLike,
  options?: LeastSquaresOptions,
): SolveProgram<LeastSquaresResult> {
  const s = start(fn, a, b, options, ([m, n]) => Math.max(Math.min(m, n), 1));
  const { p, v, damp } = s;
  const { n, x } = p;
  const normb = p.bnorm;
  let zetabar = s.alpha * s.beta;
  let alphabar = s.alpha;
  let rho = 1;
  let rhobar = 1;
  let cbar = 1;
  let sbar = 0;
  const h = v.slice();
  const hbar = new Float64Array(n);
  let betadd = s.beta;
  let betad = 0;
  let rhodold = 1;
  let tautildeold = 0;
  let thetatilde = 0;
  let zeta = 0;
  let d = 0;
  let normA2 = s.alpha * s.alpha;
  let maxrbar = 0;
  let minrbar = 1e100;
  let normA = Math.sqrt(normA2);
  let condA = 1;
  let normr = s.beta;
  let normar = s.alpha * s.beta;
  if (normar === 0) return report(s, 0, 0, { normA, condA, normAr: 0, normX: norm2(x) }, 'converged');
  for (let itn = 1; ; itn++) {
    advance(s);
    const [chat, shat, alphahat] = symOrtho(alphabar, damp);
    const rhoold = rho;
    const [c, sn, rhoNew] = symOrtho(alphahat, s.beta);
    rho = rhoNew;
    const thetanew = sn * s.alpha;
    alphabar = c * s.alpha;
    const rhobarold = rhobar;
    const zetaold = zeta;
    const thetabar = sbar * rho;
    const rhotemp = cbar * rho;
    [cbar, sbar, rhobar] = symOrtho(cbar * rho, thetanew);
    zeta = cbar * zetabar;
    zetabar = -sbar * zetabar;
    const fh = (thetabar * rho) / (rhoold * rhobarold);
    const fx = zeta / (rho * rhobar);
    const fv = thetanew / rho;
    for (let i = 0; i < n; i++) {
      hbar[i] = h[i] - fh * hbar[i];
      x[i] += fx * hbar[i];
      h[i] = v[i] - fv * h[i];
    }
    // Estimate ||r|| (Fong & Saunders section 3.3).
    const betaacute = chat * betadd;
    const betacheck = -shat * betadd;
    const betahat = c * betaacute;
    betadd = -sn * betaacute;
    const thetatildeold = thetatilde;
    const [ctildeold, stildeold, rhotildeold] = symOrtho(rhodold, thetabar);
    thetatilde = stildeold * rhobar;
    rhodold = ctildeold * rhobar;
    betad = -stildeold * betad + ctildeold * betahat;
    tautildeold = (zetaold - thetatildeold * tautildeold) / rhotildeold;
    const taud = (zeta - thetatilde * tautildeold) / rhodold;
    d += betacheck * betacheck;
    normr = Math.sqrt(d + (betad - taud) ** 2 + betadd * betadd);
    normA2 += s.beta * s.beta;
    normA = Math.sqrt(normA2);
    normA2 += s.alpha * s.alpha;
    maxrbar = Math.max(maxrbar, rhobarold);
    if (itn > 1) minrbar = Math.min(minrbar, rhobarold);
    condA = Math.max(maxrbar, rhotemp) / Math.min(minrbar, rhotemp);
    normar = Math.abs(zetabar);
    const normx = norm2(x);
    const early = step(p, itn, normr);
    const istop = stopCode(s, itn, normr, normar, normA, condA, normx, normb);
    if (istop || early)
      return report(s, istop, itn, { normA, condA, normAr: normar, normX: normx }, istop ? null : early);
    yield;
  }
}
