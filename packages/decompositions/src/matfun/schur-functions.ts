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
 * of a semidefinite matrix are clamped to zero), otherwise by the real Schur method (Higham 1987).
 * Computed in float64, returned in the input's dtype. O(n^3) (about 28 n^3 for the Schur path).
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

/** theta_7 of Higham (2008, Table 11.1): ||X|| below it makes the degree-7 Pade approximant of log(I + X) accurate to unit roundoff. */
const THETA_7 = 0.264;
const PADE_DEGREE = 7;

/**
 * The principal matrix logarithm (scipy.linalg.logm), real when A has no eigenvalue on the closed
 * negative real axis: inverse scaling and squaring on the real Schur form (Higham 2008, "Functions
 * of Matrices", Alg. 11.9, with Higham's real Schur square roots): take s square roots until
 * ||T^(1/2^s) - I||_1 <= theta_7, evaluate the degree-7 Pade approximant of log(I + X) in partial
 * fractions (Gauss-Legendre), and scale by 2^s. Computed in float64, returned in the input's dtype.
 * O(n^3 (s + 7)).
 * @throws InvalidArgumentError for an eigenvalue on the closed negative real axis (zero included);
 *   ConvergenceError if 64 square roots do not bring T near I; ShapeError.
 */
export function logm<D extends DType>(a: NDArray<D>): NDArray<Floating<D>> {
  if (a.ndim > 2) return overStack('logm', [a], [2], logm) as NDArray<Floating<D>>;
  const fn = 'logm';
  const w = workingCopy(fn, 'a', a, true);
  const n = w.shape[0];
  if (n === 0) return inDTypeOf(w, a);
  const { t, z, wr, wi } = schur(w);
  for (let i = 0; i < n; i++)
    if (wi[i] === 0 && wr[i] <= 0)
      throw new InvalidArgumentError(
        fn,
        'a',
        wr[i],
        'a matrix with no eigenvalue on the closed negative real axis (its principal logarithm is not real)',
      );
  let T = t.data as Float64Array;
  let s = 0;
  const distance = (x: Float64Array) => {
    let best = 0;
    for (let j = 0; j < n; j++) {
      let col = 0;
      for (let i = 0; i < n; i++) col += Math.abs(x[i * n + j] - (i === j ? 1 : 0));
      best = Math.max(best, col);
    }
    return best;
  };
  while (distance(T) > THETA_7) {
    if (s === 64)
      throw new ConvergenceError(fn, s, distance(T), 'repeated square roots did not approach the identity');
    T = sqrtQuasiTriangular(fn, T, n);
    s++;
  }
  const x = new NDArray(
    Float64Array.from(T, (v, idx) => v - (idx % (n + 1) === 0 ? 1 : 0)),
    [n, n],
  );
  const { nodes, weights } = gaussLegendre(PADE_DEGREE);
  const sum = new Float64Array(n * n);
  for (let k = 0; k < PADE_DEGREE; k++) {
    // w_k (I + x_k X)^-1 X
    const lhs = new NDArray(
      Float64Array.from(x.data, (v, idx) => nodes[k] * v + (idx % (n + 1) === 0 ? 1 : 0)),
      [n, n],
    );
    const term = solve(lhs, x);
    for (let i = 0; i < n * n; i++) sum[i] += weights[k] * term.data[i];
  }
  const scale = 2 ** s;
  for (let i = 0; i < n * n; i++) sum[i] *= scale;
  return inDTypeOf(backTransform(z, sum, n), a);
}
