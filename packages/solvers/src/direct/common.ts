import { DTypeError, NDArray, ShapeError, isNDArray } from '@krylov/core-array';
import { type VectorLike, requireFinite, toVector } from '../vector.js';

/**
 * Applies `solve1` (which overwrites its n-vector with the solution) to a right-hand side that is a
 * vector (returns shape [n]) or an n x k NDArray (returns n x k, column by column), as SciPy's
 * `spsolve` and `SuperLU.solve` accept both.
 * @throws ShapeError when b has the wrong length or rank; DTypeError for an integer NDArray.
 */
export function solveColumns(
  fn: string,
  b: VectorLike,
  n: number,
  solve1: (x: Float64Array) => void,
): NDArray<'float64'> {
  if (isNDArray(b) && (b as NDArray).ndim === 2 && (b as NDArray).shape[1] !== 1) {
    const B = b as NDArray;
    if (B.dtype !== 'float64' && B.dtype !== 'float32')
      throw new DTypeError(fn, 'b', B.dtype, 'float64 or float32');
    const [m, k] = B.shape;
    if (m !== n) throw new ShapeError(fn, 'b', `expected ${n} rows, got ${m}`, B.shape);
    const src = B.copy('float64').data as Float64Array;
    requireFinite(fn, 'b', src);
    const out = new Float64Array(n * k);
    const col = new Float64Array(n);
    for (let c = 0; c < k; c++) {
      for (let i = 0; i < n; i++) col[i] = src[i * k + c];
      solve1(col);
      for (let i = 0; i < n; i++) out[i * k + c] = col[i];
    }
    return new NDArray(out, [n, k]);
  }
  const x = toVector(fn, 'b', b, n);
  solve1(x);
  return new NDArray(x, [n]);
}
