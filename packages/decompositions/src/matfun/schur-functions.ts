import {
  ConvergenceError,
  type DType,
  InvalidArgumentError,
  NDArray,
  SingularMatrixError,
  matmul,
} from '@krylov/core-array';
import { solve } from '../factor/solve.js';
import { eigh } from '../spectral/eigh.js';
import { schur, schurBlocks, solveSylvesterBlock } from '../spectral/schur.js';
import { overStack } from '../util/batch.js';
import { type Floating, inDTypeOf, relativeAsymmetry, workingCopy } from '../util/validate.js';
import {
  blockEigen,
  briggsMinusOne,
  briggsMinusOneComplex,
  csqrt,
  isUpperBanded,
  logSuperdiagonal,
  powerSuperdiagonal,
  setBlockFunction,
  solveQuasiUpper,
} from './triangular-entries.js';

type M = NDArray<'float64'>;

/**
 * The principal square root R of an upper quasi-triangular T (real Schur form), R^2 = T, by the
 * block recurrence of Higham (1987, "Computing real square roots of a real matrix", LAA 88):
 * diagonal blocks in closed form, then R_ii R_ij + R_ij R_jj = T_ij - sum_k R_ik R_kj column by column.
 */
function sqrtQuasiTriangular(fn: string, t: Float64Array, n: number): Float64Array {
  const r = new Float64Array(n * n);
  const bl = schurBlocks(t, n);
  for (const [i0, s] of bl) {
    if (s === 1) {
      const v = t[i0 * n + i0];
      if (v < 0)
        throw new InvalidArgumentError(
          fn,
          'a',
          v,
          'a matrix with no negative real eigenvalue (its principal square root is not real)',
        );
      r[i0 * n + i0] = Math.sqrt(v);
      continue;
    }
    const a = t[i0 * n + i0];
    const b = t[i0 * n + i0 + 1];
    const c = t[(i0 + 1) * n + i0];
    const d = t[(i0 + 1) * n + i0 + 1];
    const theta = (a + d) / 2;
    const mu = Math.sqrt(Math.max(-((a - d) ** 2) / 4 - b * c, 0));
    const alpha = Math.sqrt((theta + Math.hypot(theta, mu)) / 2);
    r[i0 * n + i0] = alpha + (a - theta) / (2 * alpha);
    r[i0 * n + i0 + 1] = b / (2 * alpha);
    r[(i0 + 1) * n + i0] = c / (2 * alpha);
    r[(i0 + 1) * n + i0 + 1] = alpha + (d - theta) / (2 * alpha);
  }
  for (let jb = 0; jb < bl.length; jb++) {
    const [j0, sj] = bl[jb];
    for (let ib = jb - 1; ib >= 0; ib--) {
      const [i0, si] = bl[ib];
      const k = si * sj;
      const rhs = new Float64Array(k);
      for (let p = 0; p < si; p++)
        for (let q = 0; q < sj; q++) {
          let v = t[(i0 + p) * n + j0 + q];
          for (let m = i0 + si; m < j0; m++) v -= r[(i0 + p) * n + m] * r[m * n + j0 + q];
          rhs[p * sj + q] = v;
        }
      let x: Float64Array;
      try {
        x = solveSylvesterBlock(
          { data: r, n, start: i0, size: si },
          { data: r, n, start: j0, size: sj },
          rhs,
        );
      } catch (e) {
        if (e instanceof SingularMatrixError)
          throw new SingularMatrixError(
            fn,
            i0,
            'the matrix is singular or has eigenvalues whose square roots cancel; no principal square root',
          );
        throw e;
      }
      for (let p = 0; p < si; p++) for (let q = 0; q < sj; q++) r[(i0 + p) * n + j0 + q] = x[p * sj + q];
    }
  }
  return r;
}

/** Z X Z^T for a quasi-triangular result X of the Schur form's Z. */
function backTransform(z: M, x: Float64Array, n: number): M {
  return matmul(matmul(z, new NDArray(x, [n, n])), z.T) as M;
}

/**
 * The principal square root X of a square matrix, X^2 = A (scipy.linalg.sqrtm), real when A has no
 * negative real eigenvalue: for symmetric input through eigh (negative rounding-level eigenvalues
 * of a semidefinite matrix are clamped to zero), otherwise by the real Schur method (Higham 1987),
 * whose recurrence runs on A itself when A is upper or lower triangular (no Schur form). Computed in float64, returned in the input's dtype. O(n^3) (about 28 n^3 for the Schur path).
 * @example
 * ```ts
 * import { array, matmul, norm, sub } from '@krylov/core-array';
 * import { sqrtm } from '@krylov/decompositions';
 * const a = array([[4, 1], [0, 9]]); // non-symmetric, eigenvalues 4 and 9
 * const r = sqrtm(a);
 * console.assert(norm(sub(matmul(r, r), a)).item() < 1e-12, 'R R = A');
 * ```
 * @throws InvalidArgumentError for a negative real eigenvalue (the principal root is complex) or a
 *   symmetric matrix that is not positive semidefinite; SingularMatrixError when no square root
 *   exists (singular with a nontrivial Jordan block); ShapeError.
 */
export function sqrtm<D extends DType>(a: NDArray<D>): NDArray<Floating<D>> {
  if (a.ndim > 2) return overStack('sqrtm', [a], [2], sqrtm) as NDArray<Floating<D>>;
  const fn = 'sqrtm';
  const w = workingCopy(fn, 'a', a, true);
  const n = w.shape[0];
  if (relativeAsymmetry(w) <= 1e-14) {
    const { values, vectors } = eigh(w);
    const v = vectors as M;
    const top = Math.max(...Array.from(values.data, Math.abs), 0);
    const scaled = v.copy() as M;
    for (let j = 0; j < n; j++) {
      const lam = values.data[j];
      if (lam < -1e3 * Number.EPSILON * n * top)
        throw new InvalidArgumentError(
          fn,
          'a',
          lam,
          'a positive semidefinite matrix (a symmetric input has this negative eigenvalue)',
        );
      const s = Math.sqrt(Math.max(lam, 0));
      for (let i = 0; i < n; i++) scaled.data[i * n + j] *= s;
    }
    return inDTypeOf(matmul(scaled, v.T), a);
  }
  const x = w.data as Float64Array;
  if (isUpperBanded(x, n, 0)) return inDTypeOf(new NDArray(sqrtQuasiTriangular(fn, x, n), [n, n]), a);
  const xt = transposed(x, n);
  if (isUpperBanded(xt, n, 0))
    return inDTypeOf(new NDArray(transposed(sqrtQuasiTriangular(fn, xt, n), n), [n, n]), a);
  const { t, z } = schur(w);
  return inDTypeOf(backTransform(z, sqrtQuasiTriangular(fn, t.data as Float64Array, n), n), a);
}

/** Gauss-Legendre nodes and weights on [0, 1] by Golub-Welsch (eigenvalues of the Jacobi matrix). */
function gaussLegendre(m: number): { nodes: Float64Array; weights: Float64Array } {
  const j = new NDArray(new Float64Array(m * m), [m, m]);
  for (let k = 1; k < m; k++) j.data[(k - 1) * m + k] = j.data[k * m + k - 1] = k / Math.sqrt(4 * k * k - 1);
  const { values, vectors } = eigh(j);
  const v = vectors as M;
  return {
    nodes: Float64Array.from(values.data, (x) => (x + 1) / 2),
    weights: Float64Array.from({ length: m }, (_, k) => v.data[k] ** 2),
  };
}

/**
 * theta_m of Al-Mohy and Higham (2012, Table 2.1), m = 1..16: ||X|| up to it makes the degree-m Pade
 * approximant of log(I + X) accurate to unit roundoff (the bound is in alpha_p(X), so ||X^p||^(1/p)).
 */
const THETA = [
  Number.NaN,
  1.59e-5,
  2.31e-3,
  1.94e-2,
  6.21e-2,
  1.28e-1,
  2.06e-1,
  2.88e-1,
  3.67e-1,
  4.39e-1,
  5.03e-1,
  5.6e-1,
  6.09e-1,
  6.52e-1,
  6.89e-1,
  7.21e-1,
  7.49e-1,
];
/** More square roots than any double with finite entries needs (each one halves log T). */
const MAX_ROOTS = 100;

/**
 * d_k = ||X^k||_1^(1/k) of a row-major n x n X on demand, powers formed once each and on X / ||X||_1
 * so that none overflows.
 */
function powerNormRoots(x: Float64Array, n: number): (k: number) => number {
  const colMax = (y: ArrayLike<number>) => {
    let best = 0;
    for (let j = 0; j < n; j++) {
      let col = 0;
      for (let i = 0; i < n; i++) col += Math.abs(y[i * n + j]);
      best = Math.max(best, col);
    }
    return best;
  };
  const c = colMax(x);
  const y = new NDArray(
    Float64Array.from(x, (v) => (c === 0 ? 0 : v / c)),
    [n, n],
  );
  const powers: M[] = [y];
  const roots = new Map<number, number>();
  return (k) => {
    let r = roots.get(k);
    if (r === undefined) {
      while (powers.length < k) powers.push(matmul(powers[powers.length - 1], y) as M);
      r = c * colMax(powers[k - 1].data) ** (1 / k);
      roots.set(k, r);
    }
    return r;
  };
}

/**
 * log(T0) for an upper quasi-triangular T0 (a real Schur form, or a triangular matrix) with no
 * eigenvalue on the closed negative real axis: Al-Mohy and Higham (2012, "Improved inverse scaling
 * and squaring algorithms for the matrix logarithm", SIAM J. Sci. Comput. 34(4), Algorithm 4.1,
 * iss_schur_new; as SciPy's `_logm_triu`) in real arithmetic. Square roots (Higham 1987) until the
 * eigenvalues are within theta_7 of 1, then more, guided by alpha_p = max(d_p, d_(p+1)),
 * d_p = ||(T - I)^p||_1^(1/p), until a Pade degree m <= 7 is accurate (at most two extra roots to
 * reach a lower degree); the diagonal (blocks) and first superdiagonal of R = T0^(1/2^s) - I are
 * recomputed without cancellation (Al-Mohy 2012's Briggs product; Higham and Lin 2011 (5.6)); the
 * degree-m Pade approximant of log(I + R) in partial fractions (Gauss-Legendre) times 2^s; and
 * finally the diagonal (blocks) and first superdiagonal of log(T0) in closed form (Higham 2008
 * (11.28) with atanh). A 2 x 2 block theta +- i mu gets log|lambda| I + (arg lambda / mu)(B - theta I).
 */
function logQuasiTriangular(fn: string, t0: Float64Array, n: number): Float64Array {
  const blocks = schurBlocks(t0, n);
  // Eigenvalues per block: 1 x 1 (mu = 0) or theta +- i mu.
  const eig = blocks.map(([i0, size]) =>
    size === 1 ? { theta: t0[i0 * n + i0], mu: 0 } : blockEigen(t0, n, i0),
  );
  // s0: the fewest square roots that bring every eigenvalue within theta_7 of 1.
  let s0 = 0;
  let roots: [number, number][] = eig.map(({ theta, mu }) => [theta, mu]);
  while (roots.some(([re, im]) => Math.hypot(re - 1, im) > THETA[7])) {
    if (s0 === MAX_ROOTS)
      throw new ConvergenceError(fn, s0, 0, 'repeated square roots did not bring the eigenvalues near 1');
    roots = roots.map(([re, im]) => csqrt(re, im));
    s0++;
  }
  let T = t0;
  for (let i = 0; i < s0; i++) T = sqrtQuasiTriangular(fn, T, n);
  const minusI = (x: Float64Array) => Float64Array.from(x, (v, idx) => v - (idx % (n + 1) === 0 ? 1 : 0));
  let s = s0;
  let k = 0;
  let m = 0;
  let d = powerNormRoots(minusI(T), n);
  const a2 = Math.max(d(2), d(3));
  if (a2 <= THETA[1]) m = 1;
  else if (a2 <= THETA[2]) m = 2;
  while (m === 0) {
    const a3 = Math.max(d(3), d(4));
    if (a3 <= THETA[7]) {
      let j1 = 3;
      while (a3 > THETA[j1]) j1++;
      if (j1 <= 6) {
        m = j1;
        break;
      }
      if (a3 / 2 <= THETA[5] && k < 2) {
        k++;
        T = sqrtQuasiTriangular(fn, T, n);
        s++;
        d = powerNormRoots(minusI(T), n);
        continue;
      }
    }
    const a4 = Math.max(d(4), d(5));
    const eta = Math.min(a3, a4);
    if (eta <= THETA[6]) m = 6;
    else if (eta <= THETA[7]) m = 7;
    if (m !== 0) break;
    if (s === MAX_ROOTS)
      throw new ConvergenceError(
        fn,
        s,
        eta,
        'repeated square roots did not bring the matrix near the identity',
      );
    T = sqrtQuasiTriangular(fn, T, n);
    s++;
    d = powerNormRoots(minusI(T), n);
  }
  // R = T0^(1/2^s) - I with its diagonal (blocks) and first superdiagonal recomputed.
  const r = minusI(T);
  const p = 2 ** -s;
  for (let bi = 0; bi < blocks.length; bi++) {
    const [j, size] = blocks[bi];
    if (size === 2) {
      const { theta, mu } = eig[bi];
      if (mu > 0) {
        const [re, im] = briggsMinusOneComplex(theta, mu, s);
        setBlockFunction(t0, n, j, theta, mu, re, im, r);
      }
      continue;
    }
    r[j * n + j] = briggsMinusOne(t0[j * n + j], s);
    if (bi + 1 < blocks.length && blocks[bi + 1][1] === 1)
      r[j * n + j + 1] = powerSuperdiagonal(t0[j * n + j], t0[(j + 1) * n + j + 1], t0[j * n + j + 1], p);
  }
  // U = 2^s sum_k w_k (I + x_k R)^-1 R, the degree-m Pade approximant in partial fractions.
  const { nodes, weights } = gaussLegendre(m);
  const u = new Float64Array(n * n);
  for (let q = 0; q < m; q++) {
    const lhs = Float64Array.from(r, (v, idx) => nodes[q] * v + (idx % (n + 1) === 0 ? 1 : 0));
    const term = solveQuasiUpper(lhs, r, n, blocks);
    for (let i = 0; i < n * n; i++) u[i] += weights[q] * term[i];
  }
  const scale = 2 ** s;
  for (let i = 0; i < n * n; i++) u[i] *= scale;
  // The diagonal (blocks) and first superdiagonal of log(T0) in closed form.
  for (let bi = 0; bi < blocks.length; bi++) {
    const [j, size] = blocks[bi];
    if (size === 2) {
      const { theta, mu } = eig[bi];
      if (mu > 0)
        setBlockFunction(t0, n, j, theta, mu, Math.log(Math.hypot(theta, mu)), Math.atan2(mu, theta), u);
      continue;
    }
    u[j * n + j] = Math.log(t0[j * n + j]);
    if (bi + 1 < blocks.length && blocks[bi + 1][1] === 1)
      u[j * n + j + 1] = logSuperdiagonal(t0[j * n + j], t0[(j + 1) * n + j + 1], t0[j * n + j + 1]);
  }
  return u;
}

/** A^T of a row-major n x n matrix. */
function transposed(x: ArrayLike<number>, n: number): Float64Array {
  const t = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) t[j * n + i] = x[i * n + j];
  return t;
}

/**
 * The principal matrix logarithm (scipy.linalg.logm), real when A has no eigenvalue on the closed
 * negative real axis: the inverse scaling and squaring algorithm of Al-Mohy and Higham (2012,
 * "Improved inverse scaling and squaring algorithms for the matrix logarithm", SIAM J. Sci. Comput.
 * 34(4), Algorithm 4.1) on the real Schur form T = Z^T A Z, or on A itself when A is upper or lower
 * triangular (no Schur form, so the triangular structure and its diagonal stay exact): square roots
 * of T (Higham 1987) until a Pade approximant of degree m <= 7 of log(I + X) is accurate, the degree
 * and the number of roots chosen from ||(T - I)^p||_1^(1/p) rather than ||T - I||_1, with the
 * diagonal and first superdiagonal of T^(1/2^s) - I and of log(T) recomputed in closed form. The
 * diagonal of logm of a triangular A is log of A's diagonal to working precision. Computed in float64,
 * returned in the input's dtype. O(n^3 (s + m)), s the number of square roots (about
 * log2 of ||log A|| plus a few).
 * @example
 * ```ts
 * import { array, norm, sub } from '@krylov/core-array';
 * import { expm, logm } from '@krylov/decompositions';
 * const a = array([[2, 1], [0, 3]]);
 * console.assert(norm(sub(expm(logm(a)), a)).item() < 1e-12, 'exp(log(A)) = A');
 * ```
 * @throws InvalidArgumentError for an eigenvalue on the closed negative real axis (zero included);
 *   ConvergenceError if 100 square roots do not bring T near I; ShapeError.
 */
export function logm<D extends DType>(a: NDArray<D>): NDArray<Floating<D>> {
  if (a.ndim > 2) return overStack('logm', [a], [2], logm) as NDArray<Floating<D>>;
  const fn = 'logm';
  const w = workingCopy(fn, 'a', a, true);
  const n = w.shape[0];
  if (n === 0) return inDTypeOf(w, a);
  const x = w.data as Float64Array;
  const negativeAxis = (v: number) =>
    new InvalidArgumentError(
      fn,
      'a',
      v,
      'a matrix with no eigenvalue on the closed negative real axis (its principal logarithm is not real)',
    );
  const upper = isUpperBanded(x, n, 0);
  const lower = !upper && isUpperBanded(transposed(x, n), n, 0);
  if (upper || lower) {
    // log(A^T) = log(A)^T: a lower triangular A goes through the upper triangular path.
    const t = upper ? x : transposed(x, n);
    for (let i = 0; i < n; i++) if (!(t[i * n + i] > 0)) throw negativeAxis(t[i * n + i]);
    const u = logQuasiTriangular(fn, t, n);
    return inDTypeOf(new NDArray(upper ? u : transposed(u, n), [n, n]), a);
  }
  const { t, z, wr, wi } = schur(w);
  for (let i = 0; i < n; i++) if (wi[i] === 0 && wr[i] <= 0) throw negativeAxis(wr[i]);
  return inDTypeOf(backTransform(z as M, logQuasiTriangular(fn, t.data as Float64Array, n), n), a);
}
