import {
  type NDArray,
  NotPositiveDefiniteError,
  ShapeError,
  checkOptions,
  optionKeys,
} from '@krylov/core-array';
import { eigh } from '../spectral/eigh.js';
import { type SymmetryOption, symmetricInput, workingCopy } from '../util/validate.js';

/** log(A) of an SPD matrix as a row-major buffer, from A = V diag(w) V^T. */
function spdLog(fn: string, arg: string, a: NDArray, options?: SymmetryOption): Float64Array {
  const w = workingCopy(fn, arg, a, true);
  symmetricInput(fn, arg, w, options);
  const n = w.shape[0];
  const { values, vectors } = eigh(w, { checkSymmetry: false });
  const v = vectors!.copy('float64').data as Float64Array;
  for (let j = 0; j < n; j++) if (!(values.data[j] > 0)) throw new NotPositiveDefiniteError(fn, 0);
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let t = 0; t < n; t++) s += v[i * n + t] * Math.log(values.data[t]) * v[j * n + t];
      out[i * n + j] = out[j * n + i] = s;
    }
  return out;
}

const SYMMETRY_OPTION_KEYS = optionKeys<SymmetryOption>()('checkSymmetry');

/**
 * The log-Euclidean distance ||log(A) - log(B)||_F between symmetric positive definite matrices
 * (Arsigny, Fillard, Pennec and Ayache, "Log-Euclidean metrics for fast and simple calculus on
 * diffusion tensors", Magnetic Resonance in Medicine 2006): the Euclidean distance after the matrix
 * logarithm, invariant under orthogonal similarity and inversion, cheaper than the affine-invariant
 * distance (two eigendecompositions, no square roots of products). A and B are checked symmetric
 * unless `checkSymmetry: false` (lower triangles read). Computed in float64. O(n^3).
 *
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { logEuclideanDistance } from '@krylov/decompositions';
 * logEuclideanDistance(array([[Math.E, 0], [0, 1]]), array([[1, 0], [0, 1]])); // 1
 * ```
 * @throws NotPositiveDefiniteError when A or B has an eigenvalue <= 0; ShapeError (also for A and
 *   B of different sizes); InvalidArgumentError for non-finite entries or a non-symmetric matrix.
 */
export function logEuclideanDistance(a: NDArray, b: NDArray, options?: SymmetryOption): number {
  const fn = 'logEuclideanDistance';
  checkOptions(fn, options, SYMMETRY_OPTION_KEYS);
  const la = spdLog(fn, 'a', a, options);
  const lb = spdLog(fn, 'b', b, options);
  if (la.length !== lb.length)
    throw new ShapeError(fn, 'b', `expected the shape [${a.shape.join(', ')}] of the first matrix`, b.shape);
  let s = 0;
  for (let p = 0; p < la.length; p++) s += (la[p] - lb[p]) ** 2;
  return Math.sqrt(s);
}
