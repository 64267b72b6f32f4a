import {
  type DType,
  type NDArray,
  NotPositiveDefiniteError,
  ShapeError,
  checkOptions,
  checkSymmetric,
  optionKeys,
} from '@krylov/core-array';
import { trsm } from '@krylov/core-array/internal';
import { potrf } from '../factor/cholesky.js';
import { eigh } from '../spectral/eigh.js';
import {
  type Floating,
  type SymmetryOption,
  inDTypeOf,
  optBoolean,
  optChoice,
  workingCopy,
} from '../util/validate.js';
import { mm, view } from './common.js';

/** Options of `eighGeneralized`. */
export interface EighGeneralizedOptions extends SymmetryOption {
  /** Which problem (LAPACK's itype): 1 A x = w B x (default), 2 A B x = w x, 3 B A x = w x. */
  itype?: 1 | 2 | 3;
  /** Compute eigenvectors (default true). */
  vectors?: boolean;
}

const EIGH_GENERALIZED_OPTIONS_KEYS = optionKeys<EighGeneralizedOptions>()(
  'itype',
  'vectors',
  'checkSymmetry',
);

/**
 * The generalized symmetric-definite eigenproblem (scipy.linalg.eigh(A, B), LAPACK dsygvd): A
 * symmetric, B symmetric positive definite; eigenvalues ascending and eigenvectors X as columns,
 * normalized as LAPACK does: X^T B X = I for itype 1 and 2, X^T B^-1 X = I for itype 3. By
 * Cholesky reduction (Golub and Van Loan, "Matrix Computations", 4th ed., sec. 8.7.2): B = L L^T,
 * C = L^-1 A L^-T (itype 1) or L^T A L (2, 3), C = Y W Y^T by eigh, X = L^-T Y (1, 2) or L Y (3).
 * Composed of registry kernels (potrf, trsm, gemm, syevd), so a native backend runs every step;
 * accuracy as sygvd: eigenvalue errors about eps ||A|| ||B^-1|| (grows with B's condition).
 * Computed in float64, returned in float32 when both inputs are. O(n^3) (about 14 n^3 with vectors).
 *
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { eighGeneralized } from '@krylov/decompositions';
 * const { values } = eighGeneralized(array([[2, 0], [0, 3]]), array([[1, 0], [0, 3]]));
 * // values: [1, 2] (to rounding)
 * ```
 * @throws NotPositiveDefiniteError (with the column) when B is not positive definite;
 *   ShapeError for non-square or mismatched matrices; InvalidArgumentError for non-finite entries,
 *   a non-symmetric A or B (unless checkSymmetry: false, which reads the lower triangles), or a bad option.
 */
export function eighGeneralized<A extends DType, B extends DType>(
  a: NDArray<A>,
  b: NDArray<B>,
  options?: EighGeneralizedOptions,
): { values: NDArray<Floating<A | B>>; vectors: NDArray<Floating<A | B>> | null } {
  const fn = 'eighGeneralized';
  checkOptions(fn, options, EIGH_GENERALIZED_OPTIONS_KEYS);
  const itype = optChoice(fn, 'options.itype', options?.itype, 1, [1, 2, 3] as const);
  const wantVectors = optBoolean(fn, 'options.vectors', options?.vectors, true);
  const check = optBoolean(fn, 'options.checkSymmetry', options?.checkSymmetry, true);
  const wa = workingCopy(fn, 'a', a, true);
  const wb = workingCopy(fn, 'b', b, true);
  const n = wa.shape[0];
  if (wb.shape[0] !== n) throw new ShapeError(fn, 'b', `expected ${n} x ${n} to match a`, wb.shape);
  if (check) {
    checkSymmetric(fn, 'a', wa);
    checkSymmetric(fn, 'b', wb);
  }
  const ad = wa.data;
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) ad[i * n + j] = ad[j * n + i];
  const info = potrf({ a: wb });
  if (info > 0) throw new NotPositiveDefiniteError(fn, info - 1);
  const l = wb.data;
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) l[i * n + j] = 0;
  const lv = view(l, n, n);
  let c: Float64Array;
  if (itype === 1) {
    // C = L^-1 A L^-T
    trsm({ side: 'left', lower: true, unitDiag: false, alpha: 1, a: lv, b: wa });
    trsm({ side: 'right', lower: false, unitDiag: false, alpha: 1, a: lv.T, b: wa });
    c = ad;
  } else {
    // C = L^T A L
    const al = mm(ad, false, l, false, new Float64Array(n * n), n, n, n);
    c = mm(l, true, al, false, new Float64Array(n * n), n, n, n);
  }
  for (let i = 0; i < n; i++)
    for (let j = 0; j < i; j++) c[i * n + j] = c[j * n + i] = 0.5 * (c[i * n + j] + c[j * n + i]);
  const r = eigh(view(c, n, n), { vectors: wantVectors, checkSymmetry: false });
  let x: NDArray | null = null;
  if (wantVectors) {
    const y = r.vectors!.copy('float64') as NDArray<'float64'>;
    if (itype === 3)
      x = view(mm(l, false, y.data as Float64Array, false, new Float64Array(n * n), n, n, n), n, n);
    else {
      trsm({ side: 'left', lower: false, unitDiag: false, alpha: 1, a: lv.T, b: y });
      x = y;
    }
  }
  return {
    values: inDTypeOf(r.values, a, b as unknown as NDArray<A>) as NDArray<Floating<A | B>>,
    vectors: x ? (inDTypeOf(x, a, b as unknown as NDArray<A>) as NDArray<Floating<A | B>>) : null,
  };
}
