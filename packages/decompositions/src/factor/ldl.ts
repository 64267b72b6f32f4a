import { NDArray as Arr, type DType, type NDArray, checkOptions, optionKeys } from '@krylov/core-array';
import {
  type Floating,
  type SymmetryOption,
  floating,
  symmetricInput,
  workingCopy,
} from '../util/validate.js';

type M = NDArray<'float64'>;

// Bunch & Kaufman's growth-bounding constant (1 + sqrt 17) / 8
const ALPHA = (1 + Math.sqrt(17)) / 8;

const SYMMETRY_OPTION_KEYS = optionKeys<SymmetryOption>()('checkSymmetry');

/**
 * The symmetric indefinite factorization A[perm][:, perm] = L D L^T with Bunch-Kaufman partial
 * pivoting (Bunch & Kaufman 1977; LAPACK dsytf2, lower): L unit lower triangular, D block diagonal
 * with 1 x 1 and 2 x 2 blocks (`blocks` lists their sizes), so any symmetric matrix, indefinite or
 * singular, factors stably without the cost of full pivoting. A is first checked to be symmetric
 * (core-array's `checkSymmetric`); with `checkSymmetry: false` only the lower triangle is read, as
 * LAPACK does. Computed in float64; L and D are returned in the input's dtype. O(n^3 / 3).
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { ldl } from '@krylov/decompositions';
 * // symmetric indefinite: Bunch-Kaufman pivoting with 1 x 1 and 2 x 2 blocks
 * const { l, d, blocks } = ldl(array([[0, 1], [1, 0]]));
 * console.assert(blocks.length === 1 && blocks[0] === 2, 'one 2 x 2 block');
 * console.log(l.shape, d.shape);
 * ```
 * @throws ShapeError for non-square input; InvalidArgumentError for non-finite entries or a
 *   non-symmetric matrix.
 */
export function ldl<D extends DType>(
  a: NDArray<D>,
  options?: SymmetryOption,
): { l: NDArray<Floating<D>>; d: NDArray<Floating<D>>; perm: Int32Array; blocks: number[] } {
  checkOptions('ldl', options, SYMMETRY_OPTION_KEYS);
  const w = workingCopy('ldl', 'a', a, true);
  symmetricInput('ldl', 'a', w, options);
  const n = w.shape[0];
  const x = w.data;
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) x[i * n + j] = x[j * n + i];
  const perm = Int32Array.from({ length: n }, (_, i) => i);
  const swap = (p: number, q: number) => {
    if (p === q) return;
    for (let j = 0; j < n; j++) [x[p * n + j], x[q * n + j]] = [x[q * n + j], x[p * n + j]];
    for (let i = 0; i < n; i++) [x[i * n + p], x[i * n + q]] = [x[i * n + q], x[i * n + p]];
    [perm[p], perm[q]] = [perm[q], perm[p]];
  };
  const blocks: number[] = [];
  const dMat = new Arr(new Float64Array(n * n), [n, n]) as M;
  const l = new Arr(new Float64Array(n * n), [n, n]) as M;
  let k = 0;
  while (k < n) {
    const akk = Math.abs(x[k * n + k]);
    let r = k;
    let colmax = 0;
    for (let i = k + 1; i < n; i++)
      if (Math.abs(x[i * n + k]) > colmax) [colmax, r] = [Math.abs(x[i * n + k]), i];
    let step = 1;
    if (akk < ALPHA * colmax) {
      let rowmax = 0;
      for (let j = k; j < n; j++) if (j !== r) rowmax = Math.max(rowmax, Math.abs(x[r * n + j]));
      if (akk * rowmax >= ALPHA * colmax * colmax) {
        // keep the 1 x 1 pivot at k
      } else if (Math.abs(x[r * n + r]) >= ALPHA * rowmax) {
        swap(k, r);
      } else {
        swap(k + 1, r);
        step = 2;
      }
    }
    if (step === 1) {
      const dkk = x[k * n + k];
      dMat.data[k * n + k] = dkk;
      const col = Float64Array.from({ length: n }, (_, i) => x[i * n + k]);
      for (let i = k + 1; i < n; i++) {
        const li = dkk === 0 ? 0 : col[i] / dkk;
        for (let j = k + 1; j <= i; j++) x[i * n + j] -= li * col[j];
        x[i * n + k] = li;
      }
    } else {
      const d11 = x[k * n + k];
      const d21 = x[(k + 1) * n + k];
      const d22 = x[(k + 1) * n + k + 1];
      const det = d11 * d22 - d21 * d21;
      dMat.data[k * n + k] = d11;
      dMat.data[(k + 1) * n + k + 1] = d22;
      dMat.data[k * n + k + 1] = dMat.data[(k + 1) * n + k] = d21;
      const c1 = Float64Array.from({ length: n }, (_, i) => x[i * n + k]);
      const c2 = Float64Array.from({ length: n }, (_, i) => x[i * n + k + 1]);
      for (let i = k + 2; i < n; i++) {
        // [l1 l2] = [a1 a2] D^-1; A22 -= [l1 l2] [a1 a2]^T over the lower triangle
        const l1 = (c1[i] * d22 - c2[i] * d21) / det;
        const l2 = (c2[i] * d11 - c1[i] * d21) / det;
        for (let j = k + 2; j <= i; j++) x[i * n + j] -= l1 * c1[j] + l2 * c2[j];
        x[i * n + k] = l1;
        x[i * n + k + 1] = l2;
      }
      x[(k + 1) * n + k] = 0;
    }
    // keep the trailing block symmetric for the next pivot search
    for (let i = k + step; i < n; i++) for (let j = i + 1; j < n; j++) x[i * n + j] = x[j * n + i];
    blocks.push(step);
    k += step;
  }
  for (let i = 0; i < n; i++) {
    l.data[i * n + i] = 1;
    for (let j = 0; j < i; j++) l.data[i * n + j] = x[i * n + j];
  }
  for (let b = 0, c = 0; b < blocks.length; c += blocks[b], b++)
    if (blocks[b] === 2) l.data[(c + 1) * n + c] = 0;
  const dtype = floating(a) as Floating<D>;
  return { l: l.astype(dtype), d: dMat.astype(dtype), perm, blocks };
}
