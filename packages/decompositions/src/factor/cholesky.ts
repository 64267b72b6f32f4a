import {
  type DType,
  NDArray,
  NotPositiveDefiniteError,
  checkNumber,
  checkOptions,
  defineKernel,
  isNDArray,
  optionKeys,
} from '@krylov/core-array';
import { overStack } from '../util/batch.js';
import {
  type Floating,
  type SymmetryOption,
  floating,
  optBoolean,
  symmetricInput,
  workingCopy,
} from '../util/validate.js';
import { type RowMajor, block, gemmInto, rowMajor, trsmLeft } from './dense.js';

/** Block width, from measurement at n = 256..1024. */
const NB = 96;

/**
 * Unblocked Cholesky (dpotf2, dot-product form) of the nb x nb diagonal block at (j0, j0), lower
 * triangle, rows contiguous; returns LAPACK's info relative to the block.
 */
function potf2(x: RowMajor, j0: number, nb: number): number {
  const { d, ld } = x;
  const o = x.o + j0 * ld + j0;
  for (let j = 0; j < nb; j++) {
    const rj = o + j * ld;
    let sum = 0;
    for (let k = 0; k < j; k++) sum += d[rj + k] * d[rj + k];
    const s = d[rj + j] - sum;
    if (!(s > 0)) return j + 1;
    const ljj = Math.sqrt(s);
    d[rj + j] = ljj;
    for (let i = j + 1; i < nb; i++) {
      const ri = o + i * ld;
      let t = 0;
      for (let k = 0; k < j; k++) t += d[ri + k] * d[rj + k];
      d[ri + j] = (d[ri + j] - t) / ljj;
    }
  }
  return 0;
}

/**
 * Cholesky A = L L^T on the lower triangle (LAPACK dpotrf, blocked left-looking on the raw
 * row-major buffer): for each NB-column block, the diagonal block and the block column below it
 * are first updated with all previous columns by one gemm (A[j0:, j0:j1] -= L[j0:, :j0] L_j^T; the
 * strict upper triangle of the diagonal block, which the gemm also writes, is saved and restored),
 * then the diagonal
 * block is factored (dpotf2) and the block column solved against it (L_ij = A_ij L_jj^-T, one
 * substitution per contiguous row). The upper triangle is not touched. Returns info k > 0 when
 * the leading minor of order k is not positive definite. O(n^3 / 3).
 */
export const potrf = defineKernel('potrf', ({ a }) => {
  const n = a.shape[0];
  const x = rowMajor(a);
  const { d, ld } = x;
  const upper = new Float64Array(NB * NB);
  let info = 0;
  for (let j0 = 0; j0 < n && info === 0; j0 += NB) {
    const j1 = Math.min(n, j0 + NB);
    const nb = j1 - j0;
    if (j0 > 0) {
      // A[j0:, j0:j1] -= L[j0:, :j0] L[j0:j1, :j0]^T in one gemm; the strict upper triangle of the
      // diagonal block, which it also writes, is saved and restored (the kernel leaves it untouched)
      for (let i = 0; i < nb; i++)
        for (let j = i + 1, p = x.o + (j0 + i) * ld + j0; j < nb; j++) upper[i * NB + j] = d[p + j];
      gemmInto(
        -1,
        block(x, j0, 0, n - j0, j0),
        block(x, j0, 0, nb, j0, true),
        1,
        block(x, j0, j0, n - j0, nb),
      );
      for (let i = 0; i < nb; i++)
        for (let j = i + 1, p = x.o + (j0 + i) * ld + j0; j < nb; j++) d[p + j] = upper[i * NB + j];
    }
    const f = potf2(x, j0, nb);
    if (f > 0) info = j0 + f;
    else if (j1 < n) {
      // L21 = A21 L11^-T: row r of the block column solves r L11^T = a, a forward substitution
      // r_j = (a_j - sum_k<j r_k L_jk) / L_jj; four rows at a time share the loads of L11
      let i = j1;
      for (; i + 3 < n; i += 4) {
        const r0 = x.o + i * ld + j0;
        const r1 = r0 + ld;
        const r2 = r1 + ld;
        const r3 = r2 + ld;
        for (let j = 0; j < nb; j++) {
          const rj = x.o + (j0 + j) * ld + j0;
          let t0 = 0;
          let t1 = 0;
          let t2 = 0;
          let t3 = 0;
          for (let k = 0; k < j; k++) {
            const l = d[rj + k];
            t0 += d[r0 + k] * l;
            t1 += d[r1 + k] * l;
            t2 += d[r2 + k] * l;
            t3 += d[r3 + k] * l;
          }
          const ljj = d[rj + j];
          d[r0 + j] = (d[r0 + j] - t0) / ljj;
          d[r1 + j] = (d[r1 + j] - t1) / ljj;
          d[r2 + j] = (d[r2 + j] - t2) / ljj;
          d[r3 + j] = (d[r3 + j] - t3) / ljj;
        }
      }
      for (; i < n; i++) {
        const ri = x.o + i * ld + j0;
        for (let j = 0; j < nb; j++) {
          const rj = x.o + (j0 + j) * ld + j0;
          let t = 0;
          for (let k = 0; k < j; k++) t += d[ri + k] * d[rj + k];
          d[ri + j] = (d[ri + j] - t) / d[rj + j];
        }
      }
    }
  }
  x.commit();
  return info;
});

/** Solves (L L^T) X = B in place given the lower factor (LAPACK dpotrs): two blocked triangular solves. */
export const potrs = defineKernel('potrs', ({ l, b }) => {
  const n = l.shape[0];
  const f = rowMajor(l);
  const x = rowMajor(b);
  trsmLeft(n, b.shape[1], f, x, true, false, false);
  trsmLeft(n, b.shape[1], f, x, true, true, false);
  x.commit();
});

const CHOLESKY_OPTIONS_KEYS = optionKeys<CholeskyOptions>()('lower', 'checkSymmetry');

/** Options of {@link cholesky}. */
export type CholeskyOptions = { lower?: boolean } & SymmetryOption;

/**
 * The Cholesky factor of a symmetric positive definite matrix: lower L with A = L L^T (default),
 * or upper U = L^T with A = U^T U (LAPACK ?potrf; a float32 matrix is factored in float32).
 * A is first checked to be symmetric (core-array's `checkSymmetric`: relative asymmetry <= sqrt(eps)
 * of the dtype); with `checkSymmetry: false` that O(n^2) check is skipped and only the lower
 * triangle is read, as LAPACK does. O(n^3 / 3).
 * @example
 * ```ts
 * import { array, matmul, norm, sub } from '@krylov/core-array';
 * import { cholesky } from '@krylov/decompositions';
 * const a = array([[4, 2], [2, 3]]);
 * const l = cholesky(a); // lower triangular, a = l l^T
 * console.assert(norm(sub(matmul(l, l.T), a)).item() < 1e-12, 'L L^T reproduces A');
 * ```
 * @throws NotPositiveDefiniteError naming the column where a pivot was not positive;
 *   ShapeError for non-square input; InvalidArgumentError for non-finite entries, a non-symmetric
 *   matrix or a non-boolean option.
 */
export function cholesky<D extends DType>(a: NDArray<D>, options?: CholeskyOptions): NDArray<Floating<D>> {
  const fn = 'cholesky';
  if (isNDArray(a) && a.ndim > 2)
    return overStack(fn, [a], [2], (m) => cholesky(m, options)) as NDArray<Floating<D>>;
  checkOptions(fn, options, CHOLESKY_OPTIONS_KEYS);
  const lower = optBoolean(fn, 'options.lower', options?.lower, true);
  const w = workingCopy(fn, 'a', a, true, floating(a)) as NDArray<Floating<D>>;
  symmetricInput(fn, 'a', w, options);
  const info = potrf({ a: w });
  if (info > 0) throw new NotPositiveDefiniteError(fn, info - 1);
  const n = w.shape[0];
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) w.data[i * n + j] = 0;
  return lower ? w : w.T.copy();
}

const PIVOTED_CHOLESKY_OPTIONS_KEYS = optionKeys<PivotedCholeskyOptions>()('tol', 'checkSymmetry');

/** Options of {@link pivotedCholesky}. */
export type PivotedCholeskyOptions = { tol?: number } & SymmetryOption;

/**
 * Cholesky with diagonal pivoting for symmetric positive semidefinite matrices (LAPACK dpstrf,
 * unblocked; Higham 2002 section 10.3): at step k the largest remaining diagonal entry of the Schur
 * complement is the pivot; the factorization stops when it is <= `tol` (default
 * n eps max(max diag, 0), as dpstrf), giving P A P^T ~ L L^T with L n x rank:
 * A[perm][:, perm] = L L^T up to tol.
 *
 * dpstrf stops in the same way on an indefinite matrix (its info = 1 means "rank deficient or not
 * positive semidefinite") and leaves telling the two apart to the caller; here a stop that leaves a
 * Schur complement which no positive semidefinite matrix could leave is refused: a remaining
 * diagonal entry below -tol (a negative pivot), or an off-diagonal entry larger than
 * sqrt(s_ii s_jj) + 2 tol (a 2 x 2 principal minor negative beyond tolerance). So a returned rank
 * always comes with L L^T ~ P A P^T; an indefinite matrix raises NotPositiveDefiniteError instead
 * of a truncated factor (as scikit-learn-style callers of a low-rank PSD factorization expect).
 * A is first checked to be symmetric unless `checkSymmetry: false` (then only the lower triangle
 * is read). Computed in float64; L is returned in the input's dtype. O(n^2 rank).
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { pivotedCholesky } from '@krylov/decompositions';
 * // a rank-1 positive semidefinite matrix: v v^T with v = [1, 2, 3]
 * const a = array([[1, 2, 3], [2, 4, 6], [3, 6, 9]]);
 * const { rank, perm } = pivotedCholesky(a);
 * console.assert(rank === 1 && perm[0] === 2, 'rank 1, largest diagonal pivoted first');
 * ```
 * @throws NotPositiveDefiniteError naming the original column of the offending entry; ShapeError;
 *   InvalidArgumentError for a negative or non-finite tolerance, non-finite entries or a
 *   non-symmetric matrix.
 */
export function pivotedCholesky<D extends DType>(
  a: NDArray<D>,
  options?: PivotedCholeskyOptions,
): { l: NDArray<Floating<D>>; perm: Int32Array; rank: number } {
  const fn = 'pivotedCholesky';
  checkOptions(fn, options, PIVOTED_CHOLESKY_OPTIONS_KEYS);
  if (options?.tol !== undefined) checkNumber(fn, 'options.tol', options.tol, { min: 0 });
  const w = workingCopy(fn, 'a', a, true);
  symmetricInput(fn, 'a', w, options);
  const n = w.shape[0];
  const d = w.data;
  // read the lower triangle only (the rule with checkSymmetry: false)
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) d[i * n + j] = d[j * n + i];
  const perm = Int32Array.from({ length: n }, (_, i) => i);
  let maxDiag = 0;
  for (let i = 0; i < n; i++) maxDiag = Math.max(maxDiag, d[i * n + i]);
  const tol = options?.tol ?? n * 2 ** -52 * maxDiag;
  // w holds the Schur complement in its trailing block and L in its leading columns (lower part)
  let rank = 0;
  for (let k = 0; k < n; k++) {
    let p = k;
    for (let i = k + 1; i < n; i++) if (d[i * n + i] > d[p * n + p]) p = i;
    if (!(d[p * n + p] > tol)) break;
    if (p !== k) {
      for (let j = 0; j < n; j++) [d[k * n + j], d[p * n + j]] = [d[p * n + j], d[k * n + j]];
      for (let i = 0; i < n; i++) [d[i * n + k], d[i * n + p]] = [d[i * n + p], d[i * n + k]];
      [perm[k], perm[p]] = [perm[p], perm[k]];
    }
    const lkk = Math.sqrt(d[k * n + k]);
    d[k * n + k] = lkk;
    for (let i = k + 1; i < n; i++) d[i * n + k] /= lkk;
    for (let i = k + 1; i < n; i++)
      for (let j = k + 1; j <= i; j++) d[i * n + j] -= d[i * n + k] * d[j * n + k];
    for (let i = k + 1; i < n; i++) for (let j = k + 1; j < i; j++) d[j * n + i] = d[i * n + j];
    rank++;
  }
  // the Schur complement left behind must be that of a positive semidefinite matrix
  const noise = Math.max(tol, n * 2 ** -52 * maxDiag);
  for (let i = rank; i < n; i++) {
    const sii = d[i * n + i];
    if (sii < -noise) throw new NotPositiveDefiniteError(fn, perm[i]);
    for (let j = rank; j < i; j++) {
      const bound = Math.sqrt(Math.max(sii, 0) * Math.max(d[j * n + j], 0)) + 2 * noise;
      if (Math.abs(d[i * n + j]) > bound) throw new NotPositiveDefiniteError(fn, perm[i]);
    }
  }
  const l = new NDArray(new Float64Array(n * rank), [n, rank]) as NDArray<'float64'>;
  for (let i = 0; i < n; i++)
    for (let j = 0; j < Math.min(i + 1, rank); j++) l.data[i * rank + j] = d[i * n + j];
  return { l: l.astype(floating(a)) as NDArray<Floating<D>>, perm, rank };
}
