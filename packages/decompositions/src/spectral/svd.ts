import {
  ConvergenceError,
  type DType,
  type Mat,
  NDArray,
  type Vec,
  checkOptions,
  defineKernel,
  eye,
  optionKeys,
  zeros,
} from '@krylov/core-array';
import { type RowMajor, rowMajor } from '../factor/dense.js';
import { overStack } from '../util/batch.js';
import { type Floating, checkArray, floating, optChoice, withWorkingCopy } from '../util/validate.js';
import { bdsqr } from './bdsqr.js';
import { bidiagonalize, formLeft, formRight } from './bidiagonal.js';

/** LAPACK dbdsqr's MAXITR: at most 6 n^2 inner QR steps. */
const MAX_ITER = 6;

/** The transpose of a row-major rows x cols buffer as an NDArray of the constructor's dtype. */
function transposed(ctor: Float64ArrayConstructor, x: Float64Array, rows: number, cols: number): Mat {
  const t = new ctor(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = x[i * cols + j];
  return new NDArray(t, [cols, rows]) as Mat;
}

/**
 * SVD by Golub-Kahan bidiagonalization and the implicit bidiagonal QR iteration (LAPACK dgebd2 +
 * dorgbr + dbdsqr; Golub & Kahan 1965, Demmel & Kahan 1990): A = Q B P^T, then B = U_B S V_B^T with
 * the rotations of every QR sweep applied to Q and P as one sequence each, row by row. A wide A is
 * factored as A^T. 'values' skips Q and P and costs O(4 m n^2 - 4/3 n^3) plus O(n^2); 'thin' and
 * 'full' add O(4/3 n^3)-type gemm work for Q and P and about 6 (m + n) n^2 for the rotations.
 * Singular values to high relative accuracy for bidiagonal B (zero-shift sweeps where a shift
 * would spoil small values). info > 0: the QR iteration did not converge (that many superdiagonal
 * entries left).
 */
export const gesdd = defineKernel('gesdd', ({ a, job }) => {
  const [m0, n0] = a.shape;
  const wide = n0 > m0;
  const [m, n] = wide ? [n0, m0] : [m0, n0];
  // the kernel may overwrite `a`: a row-major float64 A is reduced in place, anything else copied
  let x: RowMajor;
  if (wide) {
    const w = new Float64Array(m * n);
    const [rs, cs] = a.strides;
    for (let i = 0; i < m0; i++)
      for (let j = 0, p = a.offset + i * rs; j < n0; j++, p += cs) w[j * n + i] = a.data[p];
    x = { d: w, o: 0, ld: n };
  } else x = rowMajor(a);
  const { d, e, tauq, taup } = bidiagonalize(x, m, n);
  const vectors = job !== 'values';
  const k = job === 'full' ? m : n;
  const left = vectors ? formLeft(x, m, n, k, tauq) : null;
  const right = vectors ? formRight(x, n, taup) : null;
  // with vectors, the singular values first (O(n^2)): they serve as shifts of the vector pass
  let shifts: Float64Array | null = null;
  if (left) {
    const dv = Float64Array.from(d);
    if (bdsqr(n, dv, Float64Array.from(e), null, null, MAX_ITER) === 0) shifts = dv.reverse();
  }
  const info = bdsqr(
    n,
    d,
    e,
    left ? { d: left, ld: k, rows: m } : null,
    right ? { d: right, ld: n, rows: n } : null,
    MAX_ITER,
    shifts,
  );
  const Ctor = a.data.constructor as Float64ArrayConstructor;
  const s = new NDArray(Ctor.from(d), [n]) as Vec;
  if (!left || !right) return { s, u: null, vt: null, info };
  const asDType = (buf: Float64Array) => (Ctor === Float64Array ? buf : Ctor.from(buf));
  // A = left S right^T; for a wide A that is A^T, so A = right S left^T
  return wide
    ? { s, u: new NDArray(asDType(right), [n, n]) as Mat, vt: transposed(Ctor, left, m, k), info }
    : { s, u: new NDArray(asDType(left), [m, k]) as Mat, vt: transposed(Ctor, right, n, n), info };
});

export type SvdMode = 'thin' | 'full' | 'values';

/** The options the implementation of {@link svd} accepts (the union of its overloads'). */
type SvdOptions = { mode?: SvdMode };

const SVD_OPTIONS_KEYS = optionKeys<SvdOptions>()('mode');

/**
 * Singular value decomposition A = U diag(s) V^T with s descending (numpy.linalg.svd): 'thin'
 * (U m x k, V^T k x n, k = min(m, n)), 'full' (U m x m, V^T n x n) or 'values' (u and vt null).
 * Bidiagonalization + bidiagonal QR (gesdd's pure-JS kernel), in float32 for a float32 matrix (LAPACK
 * sgesdd natively; the JS kernel computes in float64 and rounds); the scaled residual
 * ||A - U S V^T|| / (max(m, n) eps ||A||) is tested against LAPACK's threshold 50. O(m n^2).
 * @example
 * ```ts
 * import { diag, matmul, norm, rng, sub } from '@krylov/core-array';
 * import { svd } from '@krylov/decompositions';
 * const a = rng(1).normal([5, 3]);
 * const { u, s, vt } = svd(a); // thin: u 5 x 3, s descending, vt 3 x 3
 * console.assert(norm(sub(matmul(matmul(u, diag(s)), vt), a)).item() < 1e-12, 'U S V^T = A');
 * ```
 * @throws ConvergenceError when the bidiagonal QR iteration exceeds 6 n^2 steps; ShapeError; InvalidArgumentError for non-finite entries or an unknown mode.
 */
export function svd<D extends DType>(a: NDArray<D>, options: { mode: 'values' }): { s: NDArray<Floating<D>> };
export function svd<D extends DType>(
  a: NDArray<D>,
  options?: { mode?: 'thin' | 'full' },
): { u: NDArray<Floating<D>>; s: NDArray<Floating<D>>; vt: NDArray<Floating<D>> };
export function svd<D extends DType>(
  a: NDArray<D>,
  options?: SvdOptions,
): { u?: NDArray<Floating<D>>; s: NDArray<Floating<D>>; vt?: NDArray<Floating<D>> } {
  type F = NDArray<Floating<D>>;
  const fn = 'svd';
  checkArray(fn, 'a', a);
  if (a.ndim > 2)
    return overStack(fn, [a], [2], (m) => svd(m, options as { mode?: 'thin' | 'full' })) as {
      u: F;
      s: F;
      vt: F;
    };
  checkOptions(fn, options, SVD_OPTIONS_KEYS);
  const mode = optChoice(fn, 'options.mode', options?.mode, 'thin', ['thin', 'full', 'values'] as const);
  const dtype = floating(a) as Floating<D>;
  // gesdd may overwrite w (a's validated copy, in a reused buffer) and returns new arrays
  const r = withWorkingCopy(fn, 'a', a, false, dtype, (w) =>
    w.size === 0 ? null : gesdd({ a: w, job: mode }),
  );
  if (!r) {
    const [m, n] = a.shape;
    const k = Math.min(m, n);
    const s = zeros([0], { dtype });
    return mode === 'values'
      ? { s }
      : {
          u: mode === 'full' ? eye(m, { dtype }) : zeros([m, k], { dtype }),
          s,
          vt: mode === 'full' ? eye(n, { dtype }) : zeros([k, n], { dtype }),
        };
  }
  if (r.info > 0)
    throw new ConvergenceError(
      fn,
      MAX_ITER,
      Number.NaN,
      `the bidiagonal QR iteration left ${r.info} superdiagonal entries unconverged`,
    );
  if (mode === 'values') return { s: r.s as F };
  return { u: r.u as F, s: r.s as F, vt: r.vt as F };
}
