import {
  InvalidArgumentError,
  type NDArray,
  ShapeError,
  SingularMatrixError,
  matmul,
} from '@krylov/core-array';
import { schur, schurBlocks, solve, solveSylvesterBlock } from '@krylov/decompositions';
import { denseMatrix } from '../vector.js';

function square(fn: string, arg: string, a: NDArray): void {
  denseMatrix(fn, arg, a);
  const d = a.contiguous().data;
  for (let i = 0; i < a.size; i++)
    if (!Number.isFinite(d[i]))
      throw new InvalidArgumentError(fn, arg, d[i], `finite entries (entry ${i} is not)`);
  if (a.ndim !== 2 || a.shape[0] !== a.shape[1])
    throw new ShapeError(fn, arg, 'expected a square matrix', a.shape);
}

/**
 * Solves the Sylvester equation A X + X B = C (scipy.linalg.solve_sylvester) by the Bartels-Stewart
 * algorithm (Bartels & Stewart 1972; LAPACK dtrsyl): real Schur forms A = U T U^T and B = V S V^T,
 * then T Y + Y S = U^T C V block by block (1 x 1 and 2 x 2 diagonal blocks, each a linear system of
 * order at most 4) and X = U Y V^T. A is m x m, B n x n, C m x n. O(m^3 + n^3 + m n (m + n)).
 * @example
 * ```ts
 * import { add, array, matmul, norm, sub } from '@krylov/core-array';
 * import { sylvester } from '@krylov/solvers';
 * const a = array([[1, 2], [0, 3]]);
 * const b = array([[4, 0], [1, 5]]);
 * const c = array([[1, 0], [0, 1]]);
 * const x = sylvester(a, b, c); // A X + X B = C
 * console.assert(norm(sub(add(matmul(a, x), matmul(x, b)), c)).item() < 1e-12, 'residual ~ 0');
 * ```
 * @throws ShapeError on mismatched shapes; SingularMatrixError when A and -B share an eigenvalue
 *   (the equation has no unique solution); InvalidArgumentError for non-finite entries.
 */
export function sylvester(a: NDArray, b: NDArray, c: NDArray): NDArray<'float64'> {
  const fn = 'sylvester';
  square(fn, 'a', a);
  square(fn, 'b', b);
  const m = a.shape[0];
  const n = b.shape[0];
  denseMatrix(fn, 'c', c);
  if (c.ndim !== 2 || c.shape[0] !== m || c.shape[1] !== n)
    throw new ShapeError(fn, 'c', `expected shape [${m}, ${n}]`, c.shape);
  const fa = schur(a);
  const fb = schur(b);
  const T = fa.t;
  const S = fb.t;
  const Y = matmul(matmul(fa.z.T, c.astype('float64')), fb.z) as NDArray<'float64'>;
  for (let i = 0; i < Y.size; i++)
    if (!Number.isFinite(Y.data[i])) throw new InvalidArgumentError(fn, 'c', Y.data[i], 'finite entries');
  const tb = schurBlocks(T.data, m);
  const sb = schurBlocks(S.data, n);
  const y = Y.data;
  // Column blocks of S left to right, row blocks of T bottom to top (dtrsyl's order for T Y + Y S).
  for (const [q0, qs] of sb) {
    for (let bi = tb.length - 1; bi >= 0; bi--) {
      const [p0, ps] = tb[bi];
      // rhs = F_pq - sum_{r > p} T_pr Y_rq - sum_{s < q} Y_ps S_sq; Y already holds F_pq.
      const rhs = new Float64Array(ps * qs);
      for (let i = 0; i < ps; i++)
        for (let j = 0; j < qs; j++) {
          let v = y[(p0 + i) * n + q0 + j];
          for (let r = p0 + ps; r < m; r++) v -= T.data[(p0 + i) * m + r] * y[r * n + q0 + j];
          for (let s = 0; s < q0; s++) v -= y[(p0 + i) * n + s] * S.data[s * n + q0 + j];
          rhs[i * qs + j] = v;
        }
      let sol: Float64Array;
      try {
        sol = solveSylvesterBlock(
          { data: T.data, n: m, start: p0, size: ps },
          { data: S.data, n, start: q0, size: qs },
          rhs,
        );
      } catch (e) {
        if (e instanceof SingularMatrixError)
          throw new SingularMatrixError(
            fn,
            p0,
            'A and -B have a common eigenvalue, so A X + X B = C has no unique solution',
          );
        throw e;
      }
      for (let i = 0; i < ps; i++) for (let j = 0; j < qs; j++) y[(p0 + i) * n + q0 + j] = sol[i * qs + j];
    }
  }
  return matmul(matmul(fa.z, Y), fb.z.T) as NDArray<'float64'>;
}

/**
 * Solves the continuous Lyapunov equation A X + X A^T = Q (scipy.linalg.solve_continuous_lyapunov)
 * as the Sylvester equation with B = A^T. X is symmetric when Q is. O(n^3).
 * @example
 * ```ts
 * import { add, array, matmul, norm, sub } from '@krylov/core-array';
 * import { lyapunov } from '@krylov/solvers';
 * const a = array([[-1, 1], [0, -2]]); // stable
 * const q = array([[-1, 0], [0, -1]]);
 * const x = lyapunov(a, q); // A X + X A^T = Q
 * console.assert(norm(sub(add(matmul(a, x), matmul(x, a.T)), q)).item() < 1e-12, 'residual ~ 0');
 * ```
 * @throws as `sylvester` (SingularMatrixError when lambda_i + lambda_j = 0 for eigenvalues of A).
 */
export function lyapunov(a: NDArray, q: NDArray): NDArray<'float64'> {
  square('lyapunov', 'a', a);
  const n = a.shape[0];
  denseMatrix('lyapunov', 'q', q);
  if (q.shape[0] !== n || q.shape[1] !== n)
    throw new ShapeError('lyapunov', 'q', `expected shape [${n}, ${n}]`, q.shape);
  return sylvester(a, a.T, q);
}

/**
 * Solves the discrete Lyapunov (Stein) equation A X A^T - X + Q = 0
 * (scipy.linalg.solve_discrete_lyapunov, method 'bilinear'): the Cayley transform
 * B = (A - I)(A + I)^-1 turns it into the continuous equation B X + X B^T = -C with
 * C = 2 (A + I)^-1 Q (A + I)^-T. O(n^3).
 * @example
 * ```ts
 * import { add, array, matmul, norm, sub } from '@krylov/core-array';
 * import { discreteLyapunov } from '@krylov/solvers';
 * const a = array([[0.5, 0.1], [0, 0.3]]); // spectral radius < 1
 * const q = array([[1, 0], [0, 1]]);
 * const x = discreteLyapunov(a, q); // A X A^T - X + Q = 0
 * console.assert(norm(add(sub(matmul(matmul(a, x), a.T), x), q)).item() < 1e-12, 'residual ~ 0');
 * ```
 * @throws SingularMatrixError when A has the eigenvalue -1 or the equation is singular (eigenvalues
 *   with lambda_i lambda_j = 1); ShapeError.
 */
export function discreteLyapunov(a: NDArray, q: NDArray): NDArray<'float64'> {
  const fn = 'discreteLyapunov';
  square(fn, 'a', a);
  const n = a.shape[0];
  square(fn, 'q', q);
  if (q.shape[0] !== n) throw new ShapeError(fn, 'q', `expected shape [${n}, ${n}]`, q.shape);
  const a64 = a.astype('float64').contiguous() as NDArray<'float64'>;
  const plus = a64.copy() as NDArray<'float64'>;
  const minus = a64.copy() as NDArray<'float64'>;
  for (let i = 0; i < n; i++) {
    plus.data[i * n + i] += 1;
    minus.data[i * n + i] -= 1;
  }
  // B = (A - I)(A + I)^-1, i.e. B^T = (A + I)^-T (A - I)^T.
  const b = solve(plus.T.copy(), minus.T.copy()).T.copy() as NDArray<'float64'>;
  const w = solve(plus, q.astype('float64')); // (A + I)^-1 Q
  const c = solve(plus, w.T.copy()).T.copy() as NDArray<'float64'>; // (A + I)^-1 Q (A + I)^-T
  for (let i = 0; i < c.size; i++) c.data[i] *= -2;
  return sylvester(b, b.T, c);
}
