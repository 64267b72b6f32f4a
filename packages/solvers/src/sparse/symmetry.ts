import {
  InvalidArgumentError,
  type NDArray,
  checkBoolean,
  checkSymmetric,
  isNDArray,
} from '@krylov/core-array';
import { COOMatrix, type SparseMatrix, isSparse } from './formats.js';

/**
 * max |a_ij - a_ji| / max |a_ij| of a square sparse matrix (0 for the zero matrix), the definition of
 * core-array's `relativeAsymmetry`, in O(nnz + n): A and A^T are brought to sorted,
 * duplicate-summed CSR and their rows merged. Explicitly stored zeros count as absent. A square
 * matrix is assumed, not validated (it is the kernel behind `checkSymmetricMatrix`).
 * @throws TypeError when `a` is not a sparse matrix (it is not validated).
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { CSRMatrix, sparseRelativeAsymmetry } from '@krylov/solvers';
 * const a = CSRMatrix.fromDense(array([[2, 1], [0.5, 2]]));
 * console.assert(sparseRelativeAsymmetry(a) === 0.25, '|1 - 0.5| / 2');
 * ```
 */
export function sparseRelativeAsymmetry(a: SparseMatrix): number {
  const coo = a instanceof COOMatrix ? a : a.toCOO();
  const A = coo.toCSR();
  const T = coo.transpose().toCSR();
  const n = A.shape[0];
  let asym = 0;
  let size = 0;
  for (let i = 0; i < n; i++) {
    let p = A.indptr[i];
    let q = T.indptr[i];
    const pe = A.indptr[i + 1];
    const qe = T.indptr[i + 1];
    while (p < pe || q < qe) {
      const jp = p < pe ? A.indices[p] : n;
      const jq = q < qe ? T.indices[q] : n;
      let x = 0;
      let y = 0;
      if (jp <= jq) x = A.data[p++];
      if (jq <= jp) y = T.data[q++];
      if (Number.isNaN(x) || Number.isNaN(y)) return Number.NaN;
      asym = Math.max(asym, Math.abs(x - y));
      size = Math.max(size, Math.abs(x));
    }
  }
  return size === 0 ? 0 : asym / size;
}

/**
 * The project's symmetry rule (core-array's `checkSymmetric`) for what the solvers accept as a
 * symmetric matrix: a dense NDArray is checked in O(n^2), a sparse matrix in O(nnz + n); a
 * LinearOperator cannot be checked without forming it, so it is trusted (the caller's
 * responsibility, as in SciPy). `check` is the caller's `checkSymmetry` option (default true;
 * false skips the check).
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { checkSymmetricMatrix } from '@krylov/solvers';
 * checkSymmetricMatrix('mySolver', 'a', array([[2, 1], [1, 2]])); // passes
 * let threw = false;
 * try { checkSymmetricMatrix('mySolver', 'a', array([[2, 1], [0, 2]])); } catch { threw = true; }
 * console.assert(threw, 'an asymmetric matrix throws InvalidArgumentError');
 * ```
 * @throws InvalidArgumentError naming `fn`, `arg` and the asymmetry found.
 */
export function checkSymmetricMatrix(fn: string, arg: string, a: unknown, check: unknown = true): void {
  if (!checkBoolean(fn, 'options.checkSymmetry', check)) return;
  if (isNDArray(a)) {
    const m = a as NDArray;
    if (m.ndim === 2 && m.shape[0] === m.shape[1]) checkSymmetric(fn, arg, m);
    return;
  }
  if (isSparse(a) && a.shape[0] === a.shape[1]) {
    const tol = Math.sqrt(2 ** -52);
    const asym = sparseRelativeAsymmetry(a);
    if (!(asym <= tol))
      throw new InvalidArgumentError(
        fn,
        arg,
        `a sparse matrix with relative asymmetry ${Number.isNaN(asym) ? 'NaN' : asym.toExponential(2)}`,
        `a symmetric matrix (max |a_ij - a_ji| / max |a_ij| <= ${tol.toExponential(1)}; pass checkSymmetry: false to skip this check)`,
      );
  }
}
