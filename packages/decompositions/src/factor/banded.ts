import {
  type DType,
  InvalidArgumentError,
  type NDArray,
  ShapeError,
  SingularMatrixError,
  checkInteger,
  isNDArray,
} from '@krylov/core-array';
import { type Floating, checkArray, inDTypeOf, workingCopy } from '../util/validate.js';

/**
 * Solves A X = B for a banded A with `lower` subdiagonals and `upper` superdiagonals given in
 * SciPy's compact form (scipy.linalg.solve_banded): ab[upper + i - j, j] = A[i, j], ab of shape
 * (lower + upper + 1, n). LU with partial pivoting in band storage (LAPACK dgbsv: the pivoting
 * widens U to lower + upper superdiagonals). O(n lower (lower + upper)) flops, O(n (2 lower + upper))
 * memory. A 1-D b gives a 1-D x. Computed in float64; float32 when both inputs are.
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { solveBanded } from '@krylov/decompositions';
 * // tridiagonal [[2, -1, 0], [-1, 2, -1], [0, -1, 2]] in SciPy's band storage: rows = upper, diag, lower
 * const ab = array([[0, -1, -1], [2, 2, 2], [-1, -1, 0]]);
 * const x = solveBanded([1, 1], ab, array([1, 0, 1]));
 * console.assert([0, 1, 2].every((i) => Math.abs(x.get(i) - 1) < 1e-12), 'x = [1, 1, 1]');
 * ```
 * @throws InvalidArgumentError for bad band widths or non-finite entries; ShapeError for mismatched
 *   shapes; SingularMatrixError with the zero pivot.
 */
export function solveBanded<A extends DType, B extends DType>(
  bands: readonly [number, number],
  ab: NDArray<A>,
  b: NDArray<B>,
): NDArray<Floating<A | B>> {
  const fn = 'solveBanded';
  if (!Array.isArray(bands) || bands.length !== 2)
    throw new InvalidArgumentError(fn, 'bands', bands, '[lower, upper] with non-negative integers');
  const kl = checkInteger(fn, 'bands[0]', bands[0], { min: 0 });
  const ku = checkInteger(fn, 'bands[1]', bands[1], { min: 0 });
  checkArray(fn, 'b', b);
  if (b.ndim > 2) throw new ShapeError(fn, 'b', 'expected a vector or a matrix', b.shape);
  const band = workingCopy(fn, 'ab', ab);
  if (band.shape[0] !== kl + ku + 1)
    throw new ShapeError(fn, 'ab', `expected ${kl + ku + 1} rows (lower + upper + 1)`, ab.shape);
  const n = band.shape[1];
  const x = workingCopy(fn, 'b', b.ndim === 1 ? b.reshape([b.shape[0], 1]) : b);
  if (x.shape[0] !== n) throw new ShapeError(fn, 'b', `needs ${n} rows to match ab`, b.shape);
  const nrhs = x.shape[1];
  // Row-oriented band with room for fill: element (i, j) at W[i * width + j - i + kl], j in [i - kl, i + kl + ku].
  const width = 2 * kl + ku + 1;
  const W = new Float64Array(n * width);
  for (let j = 0; j < n; j++)
    for (let i = Math.max(0, j - ku); i <= Math.min(n - 1, j + kl); i++)
      W[i * width + j - i + kl] = band.data[(ku + i - j) * n + j];
  const at = (i: number, j: number) => i * width + j - i + kl;
  const xd = x.data;
  for (let k = 0; k < n; k++) {
    const last = Math.min(n - 1, k + kl);
    let p = k;
    for (let i = k + 1; i <= last; i++) if (Math.abs(W[at(i, k)]) > Math.abs(W[at(p, k)])) p = i;
    if (W[at(p, k)] === 0) throw new SingularMatrixError(fn, k);
    const right = Math.min(n - 1, k + kl + ku);
    if (p !== k) {
      for (let j = k; j <= right; j++) {
        const t = W[at(k, j)];
        W[at(k, j)] = W[at(p, j)];
        W[at(p, j)] = t;
      }
      for (let c = 0; c < nrhs; c++) {
        const t = xd[k * nrhs + c];
        xd[k * nrhs + c] = xd[p * nrhs + c];
        xd[p * nrhs + c] = t;
      }
    }
    const pivot = W[at(k, k)];
    for (let i = k + 1; i <= last; i++) {
      const l = W[at(i, k)] / pivot;
      if (l === 0) continue;
      for (let j = k + 1; j <= right; j++) W[at(i, j)] -= l * W[at(k, j)];
      for (let c = 0; c < nrhs; c++) xd[i * nrhs + c] -= l * xd[k * nrhs + c];
    }
  }
  for (let k = n - 1; k >= 0; k--) {
    const right = Math.min(n - 1, k + kl + ku);
    for (let c = 0; c < nrhs; c++) {
      let s = xd[k * nrhs + c];
      for (let j = k + 1; j <= right; j++) s -= W[at(k, j)] * xd[j * nrhs + c];
      xd[k * nrhs + c] = s / W[at(k, k)];
    }
  }
  return inDTypeOf<A | B>(b.ndim === 1 ? x.reshape([n]) : x, ab, b);
}
