import {
  InvalidArgumentError,
  NDArray,
  ShapeError,
  SingularMatrixError,
  checkChoice,
  checkInteger,
  checkOptions,
  optionKeys,
} from '@krylov/core-array';
import { geqrf, getrf, getrs } from '@krylov/decompositions/kernels';
import { fgmres, gmres } from './iterative/gmres.js';
import { LinearOperator, aslinearoperator } from './operator.js';
import { type VectorLike, denseMatrix, norm2, toVector } from './vector.js';

export interface RefinementResult {
  x: NDArray<'float64'>;
  converged: boolean;
  /** Refinement steps taken (each one residual in float64 and one correction solve). */
  iterations: number;
  /** GMRES iterations summed over the refinement steps (0 for classical refinement). */
  innerIterations: number;
  /** Normwise backward error ||b - A x||_inf / (||A||_inf ||x||_inf + ||b||_inf) after each step (the first before any). */
  backwardErrors: number[];
  message: string;
}

function infNorm(v: Float64Array): number {
  let m = 0;
  for (let i = 0; i < v.length; i++) m = Math.max(m, Math.abs(v[i]));
  return m;
}

const REFINE_OPTIONS_KEYS = optionKeys<RefineOptions>()('method', 'maxiter');

/** Options of {@link refine}. */
export type RefineOptions = { method?: 'ir' | 'gmres-ir'; maxiter?: number };

/**
 * Solves a dense A x = b by mixed-precision iterative refinement: A is factored by LU in float32
 * (half the memory and, on hardware with fast float32, about twice the speed of float64), then
 * corrections computed from float64 residuals recover float64 accuracy.
 * - `method: 'ir'` (classical, LAPACK dsgesv; Moler 1967): d = (L U)^-1 r in float32. Converges
 *   when cond(A) u_32 < 1, i.e. cond(A) below about 1e7.
 * - `method: 'gmres-ir'` (default; Carson & Higham 2018, SIAM J. Sci. Comput. 40): each correction
 *   solves A d = r by GMRES in float64 preconditioned with the float32 factors. Tested to reach
 *   float64 backward error at condition number 1e10 (n = 80, 200); in our runs at 1e12 it did not.
 * Stops, as dsgesv, when ||r||_inf <= sqrt(n) eps ||A||_inf ||x||_inf; `maxiter` (default 30)
 * bounds the refinement steps. O(2/3 n^3) float32 flops plus O(n^2) per step (per GMRES iteration).
 * @example
 * ```ts
 * import { matmul, rng } from '@krylov/core-array';
 * import { refine } from '@krylov/solvers';
 * const a = rng(1).normal([50, 50]);
 * const xTrue = rng(2).normal([50]);
 * const { x, converged } = refine(a, matmul(a, xTrue)); // float32 LU, float64 accuracy
 * console.assert(converged && Math.abs(x.get(0) - xTrue.get(0)) < 1e-10, 'float64 accuracy');
 * ```
 * @throws ShapeError, InvalidArgumentError (non-finite entries, bad options); SingularMatrixError
 *   when the float32 factorization meets a zero pivot.
 */
export function refine(a: NDArray, b: VectorLike, options?: RefineOptions): RefinementResult {
  const fn = 'refine';
  checkOptions(fn, options, REFINE_OPTIONS_KEYS);
  const method =
    options?.method === undefined
      ? 'gmres-ir'
      : checkChoice(fn, 'options.method', options.method, ['ir', 'gmres-ir']);
  const maxiter =
    options?.maxiter === undefined ? 30 : checkInteger(fn, 'options.maxiter', options.maxiter, { min: 1 });
  denseMatrix(fn, 'a', a);
  if (a.ndim !== 2 || a.shape[0] !== a.shape[1])
    throw new ShapeError(fn, 'a', 'expected a square matrix', a.shape);
  const n = a.shape[0];
  const bv = toVector(fn, 'b', b, n);
  const a64 = a.astype('float64').contiguous() as NDArray<'float64'>;
  for (let i = 0; i < a64.size; i++)
    if (!Number.isFinite(a64.data[i]))
      throw new InvalidArgumentError(fn, 'a', a64.data[i], `finite entries (entry ${i} is not)`);
  const lu32 = a64.astype('float32');
  const { ipiv } = getrf({ a: lu32 });
  for (let k = 0; k < n; k++)
    if (lu32.data[k * n + k] === 0) throw new SingularMatrixError(fn, k, 'in the float32 LU factorization');
  const A = aslinearoperator(a64);
  let anorm = 0;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += Math.abs(a64.data[i * n + j]);
    anorm = Math.max(anorm, s);
  }
  // The factors are applied in float64 by GMRES-IR (Carson-Higham's u_f < u), in float32 by classical IR.
  const lu64 = method === 'gmres-ir' ? lu32.astype('float64') : null;
  const solveFactored = (r: Float64Array, out: Float64Array) => {
    if (lu64) {
      out.set(r);
      getrs({ lu: lu64, ipiv, b: new NDArray(out, [n, 1]), transpose: false });
      return;
    }
    // Scale so the float32 right-hand side neither overflows nor underflows.
    const scale = infNorm(r) || 1;
    const r32 = Float32Array.from(r, (v) => v / scale);
    getrs({ lu: lu32, ipiv, b: new NDArray(r32, [n, 1]), transpose: false });
    for (let i = 0; i < n; i++) out[i] = r32[i] * scale;
  };
  const x = new Float64Array(n);
  solveFactored(bv, x);
  const r = new Float64Array(n);
  const d = new Float64Array(n);
  const backwardErrors: number[] = [];
  const bnorm = infNorm(bv);
  let inner = 0;
  const threshold = Math.sqrt(n) * Number.EPSILON * anorm;
  for (let it = 0; ; it++) {
    A.matvec(x, r);
    for (let i = 0; i < n; i++) r[i] = bv[i] - r[i];
    const rnorm = infNorm(r);
    const xnorm = infNorm(x);
    backwardErrors.push(rnorm / (anorm * xnorm + bnorm || 1));
    const done = rnorm <= threshold * xnorm;
    if (done || it === maxiter || !Number.isFinite(rnorm)) {
      const converged = done && Number.isFinite(rnorm);
      return {
        x: new NDArray(x, [n]),
        converged,
        iterations: it,
        innerIterations: inner,
        backwardErrors,
        message: `${fn} (${method}): ${converged ? 'reached float64 backward error' : 'did not reach float64 backward error (cond(A) too large for this method?)'} after ${it} steps; backward error ${backwardErrors[it].toExponential(3)}`,
      };
    }
    if (lu64) {
      // Solve only as far as the outer test needs: a loose relative tolerance, floored at the target.
      const res = gmres(A, r, {
        M: { name: 'lu32', size: n, apply: solveFactored },
        rtol: 1e-4,
        atol: threshold * xnorm,
        restart: Math.min(n, 50),
        maxiter: 200,
      });
      inner += res.iterations;
      d.set(res.x.data as Float64Array);
    } else solveFactored(r, d);
    for (let i = 0; i < n; i++) x[i] += d[i];
  }
}

export interface LeastSquaresRefinementResult {
  x: NDArray<'float64'>;
  converged: boolean;
  /** Refinement steps (each: float64 residuals of the augmented system and one FGMRES correction). */
  iterations: number;
  /** FGMRES iterations summed over the steps. */
  innerIterations: number;
  /** ||A_w^T r|| / (||A_w||_F ||r||) after each step (the first before any), A_w = W^1/2 A, r = W^1/2 (b - A x). */
  optimality: number[];
  message: string;
}

const REFINE_LEAST_SQUARES_OPTIONS_KEYS = optionKeys<RefineLeastSquaresOptions>()('weights', 'maxiter');

/** Options of {@link refineLeastSquares}. */
export type RefineLeastSquaresOptions = { weights?: VectorLike; maxiter?: number };

/**
 * Weighted least squares min ||W^1/2 (b - A x)||_2 (W = diag(weights), default I) by mixed-precision
 * iterative refinement on the augmented system [[I, A_w], [A_w^T, 0]] [r; x] = [b_w; 0]
 * (A_w = W^1/2 A, b_w = W^1/2 b; Bjorck 1967; Carson, Higham & Pranesh 2020, "Three-precision
 * GMRES-based iterative refinement for least squares problems", SIAM J. Sci. Comput. 42): A_w is
 * factored by Householder QR in float32 only; each step computes the augmented residual in float64
 * and solves for the correction by FGMRES with the block preconditioner diag(I, (R^T R)^-1) applied
 * in float64 (with an exact R it would cluster the spectrum at 1 and (1 +- sqrt 5) / 2). Tested to
 * reach a float64 optimality ||A_w^T r|| / (||A_w|| ||r||) of order eps at condition numbers 1e8
 * and 1e10, beyond float32's 1e7. m x n with m >= n, full rank. O(mn^2) float32 flops plus O(mn) per FGMRES iteration.
 * @example
 * ```ts
 * import { matmul, rng } from '@krylov/core-array';
 * import { refineLeastSquares } from '@krylov/solvers';
 * const a = rng(1).normal([40, 5]);
 * const xTrue = rng(2).normal([5]);
 * const { x, converged } = refineLeastSquares(a, matmul(a, xTrue)); // float32 QR, float64 accuracy
 * console.assert(converged && Math.abs(x.get(0) - xTrue.get(0)) < 1e-10, 'consistent system recovered');
 * ```
 * @throws ShapeError (wide A, mismatched b or weights), InvalidArgumentError (non-finite entries,
 *   non-positive weights), SingularMatrixError when the float32 R has a zero diagonal entry.
 */
export function refineLeastSquares(
  a: NDArray,
  b: VectorLike,
  options?: RefineLeastSquaresOptions,
): LeastSquaresRefinementResult {
  const fn = 'refineLeastSquares';
  checkOptions(fn, options, REFINE_LEAST_SQUARES_OPTIONS_KEYS);
  denseMatrix(fn, 'a', a);
  if (a.ndim !== 2 || a.shape[0] < a.shape[1])
    throw new ShapeError(fn, 'a', 'expected a tall matrix (m >= n)', a.shape);
  const [m, n] = a.shape;
  const maxiter =
    options?.maxiter === undefined ? 10 : checkInteger(fn, 'options.maxiter', options.maxiter, { min: 1 });
  const w =
    options?.weights === undefined
      ? new Float64Array(m).fill(1)
      : toVector(fn, 'options.weights', options.weights, m);
  for (let i = 0; i < m; i++)
    if (!(w[i] > 0))
      throw new InvalidArgumentError(fn, 'options.weights', w[i], `positive weights (entry ${i} is not)`);
  const bw = toVector(fn, 'b', b, m);
  const aw = a.astype('float64').contiguous().copy() as NDArray<'float64'>;
  const A = aw.data;
  for (let i = 0; i < m; i++) {
    const s = Math.sqrt(w[i]);
    bw[i] *= s;
    for (let j = 0; j < n; j++) {
      A[i * n + j] *= s;
      if (!Number.isFinite(A[i * n + j]))
        throw new InvalidArgumentError(fn, 'a', A[i * n + j], `finite entries (entry [${i}, ${j}] is not)`);
    }
  }
  // R from a float32 Householder QR, then used in float64.
  const qr32 = aw.astype('float32');
  geqrf({ a: qr32 });
  const R = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) R[i * n + j] = qr32.data[i * n + j];
    if (R[i * n + i] === 0)
      throw new SingularMatrixError(fn, i, 'in the float32 QR factorization (A is rank deficient)');
  }
  const solveRtR = (v: Float64Array, out: Float64Array) => {
    // out = R^-1 R^-T v
    for (let i = 0; i < n; i++) {
      let s = v[i];
      for (let k = 0; k < i; k++) s -= R[k * n + i] * out[k];
      out[i] = s / R[i * n + i];
    }
    for (let i = n - 1; i >= 0; i--) {
      let s = out[i];
      for (let k = i + 1; k < n; k++) s -= R[i * n + k] * out[k];
      out[i] = s / R[i * n + i];
    }
  };
  const mulA = (x: Float64Array, out: Float64Array) => {
    for (let i = 0; i < m; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += A[i * n + j] * x[j];
      out[i] = s;
    }
  };
  const mulAt = (r: Float64Array, out: Float64Array) => {
    out.fill(0);
    for (let i = 0; i < m; i++) {
      const ri = r[i];
      for (let j = 0; j < n; j++) out[j] += A[i * n + j] * ri;
    }
  };
  const tmpN = new Float64Array(n);
  const tmpM = new Float64Array(m);
  const K = new LinearOperator([m + n, m + n], (v, out) => {
    const r = v.subarray(0, m);
    const x = v.subarray(m);
    mulA(x, tmpM);
    for (let i = 0; i < m; i++) out[i] = r[i] + tmpM[i];
    mulAt(r, tmpN);
    out.set(tmpN, m);
  });
  const M = {
    name: 'diag(I, (R^T R)^-1), R from float32 QR',
    size: m + n,
    apply: (v: Float64Array, out: Float64Array) => {
      out.set(v.subarray(0, m));
      solveRtR(v.subarray(m), tmpN);
      out.set(tmpN, m);
    },
  };
  let frob = 0;
  for (let i = 0; i < A.length; i++) frob += A[i] * A[i];
  frob = Math.sqrt(frob);
  // Start: x0 = (R^T R)^-1 A^T b (seminormal equations with the float32 R), r0 = b - A x0.
  const x = new Float64Array(n);
  mulAt(bw, tmpN);
  solveRtR(tmpN.slice(), x);
  const r = new Float64Array(m);
  const rhs = new Float64Array(m + n);
  const optimality: number[] = [];
  let inner = 0;
  const measure = () => {
    mulA(x, tmpM);
    for (let i = 0; i < m; i++) r[i] = bw[i] - tmpM[i];
    mulAt(r, tmpN);
    const rn = norm2(r);
    optimality.push(rn === 0 ? 0 : norm2(tmpN) / (frob * rn));
  };
  measure();
  for (let it = 1; it <= maxiter; it++) {
    // Augmented residual in float64: [b - r - A x; -A^T r], with r the current residual estimate.
    mulA(x, tmpM);
    for (let i = 0; i < m; i++) rhs[i] = bw[i] - r[i] - tmpM[i];
    mulAt(r, tmpN);
    for (let j = 0; j < n; j++) rhs[m + j] = -tmpN[j];
    const res = fgmres(K, rhs, { M, rtol: 1e-8, restart: 30, maxiter: 300 });
    inner += res.iterations;
    const d = res.x.data;
    for (let i = 0; i < m; i++) r[i] += d[i];
    for (let j = 0; j < n; j++) x[j] += d[m + j];
    measure();
    const now = optimality[optimality.length - 1];
    const before = optimality[optimality.length - 2];
    if (now <= 4 * Number.EPSILON * Math.sqrt(n) || now >= before * 0.9) {
      const converged = now <= 1e3 * Number.EPSILON;
      return {
        x: new NDArray(x, [n]),
        converged,
        iterations: it,
        innerIterations: inner,
        optimality,
        message: `${fn}: ${converged ? 'reached float64 optimality' : 'stagnated before float64 optimality'} after ${it} steps (${inner} FGMRES iterations); ||A^T r|| / (||A|| ||r||) = ${now.toExponential(3)}`,
      };
    }
  }
  const last = optimality[optimality.length - 1];
  return {
    x: new NDArray(x, [n]),
    converged: last <= 1e3 * Number.EPSILON,
    iterations: maxiter,
    innerIterations: inner,
    optimality,
    message: `${fn}: stopped at maxiter = ${maxiter}; ||A^T r|| / (||A|| ||r||) = ${last.toExponential(3)}`,
  };
}
