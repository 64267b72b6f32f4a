import { type Mat, NDArray } from '@krylov/core-array';
import { gemm } from '@krylov/core-array/internal';

/**
 * Raw row-major helpers shared by the pure-JS blocked factorizations (getrf, potrf, geqrf/orgqr,
 * syevd, gesdd). The factorizations work on one Float64Array with a row stride and direct index
 * arithmetic; the only NDArray objects they build are the few views handed to gemm once per block,
 * so the O(n^3) part runs in the packed gemm (or a faster backend's) and the O(n^2 nb) panel
 * work runs in tight loops over contiguous rows.
 */

/** A row-major float64 matrix: entry (i, j) is d[o + i * ld + j]. */
export interface RowMajor {
  d: Float64Array;
  o: number;
  ld: number;
}

/**
 * A row-major float64 working form of `a`: `a` itself when it already is one (float64, unit column
 * stride), otherwise a contiguous copy; `commit` writes the copy back into `a` (a no-op in place).
 */
export function rowMajor(a: Mat): RowMajor & { commit(): void } {
  const [m, n] = a.shape;
  const [rs, cs] = a.strides;
  if (a.data instanceof Float64Array && (cs === 1 || n <= 1) && (rs >= n || m <= 1))
    return { d: a.data, o: a.offset, ld: m <= 1 ? n : rs, commit() {} };
  const d = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0, p = a.offset + i * rs; j < n; j++, p += cs) d[i * n + j] = a.data[p];
  return {
    d,
    o: 0,
    ld: n,
    commit() {
      for (let i = 0; i < m; i++)
        for (let j = 0, p = a.offset + i * rs; j < n; j++, p += cs) a.data[p] = d[i * n + j];
    },
  };
}

/** The rows x cols block of `x` at (r0, c0) as an NDArray view (transposed when `t`). */
export function block(x: RowMajor, r0: number, c0: number, rows: number, cols: number, t = false): Mat {
  const v = new NDArray(x.d, [rows, cols], [x.ld, 1], x.o + r0 * x.ld + c0) as Mat;
  return t ? (v.T as Mat) : v;
}

/**
 * C = alpha A B + beta C on views (one unvalidated registry dispatch of `gemm`: the blocks are
 * views of a checked working copy, and C never overlaps A or B); skips empty products.
 */
export function gemmInto(alpha: number, a: Mat, b: Mat, beta: number, c: Mat): void {
  if (c.shape[0] === 0 || c.shape[1] === 0 || (a.shape[1] === 0 && beta === 1)) return;
  gemm({ alpha, a, b, beta, c });
}

const NB = 64;

/**
 * Unblocked left-side triangular solve on rows i0..i1 of B (n columns of B, nrhs of them): B_i <-
 * op(A)_ii^-1 B_i, where op(A) is lower (forward) when `forward`. `trans` reads A transposed: then
 * the loops run down the rows of A (the column-oriented forms), so every inner loop is contiguous.
 */
function solveDiagonalBlock(
  a: RowMajor,
  b: RowMajor,
  i0: number,
  i1: number,
  nrhs: number,
  lower: boolean,
  trans: boolean,
  unit: boolean,
): void {
  const { d: ad, o: ao, ld: lda } = a;
  const { d: bd, o: bo, ld: ldb } = b;
  if (!trans) {
    // row i of B minus A[i, p] times rows p already solved (p before i when lower, after when upper)
    for (let s = 0; s < i1 - i0; s++) {
      const i = lower ? i0 + s : i1 - 1 - s;
      const bi = bo + i * ldb;
      const [p0, p1] = lower ? [i0, i] : [i + 1, i1];
      const ai = ao + i * lda;
      let p = p0;
      // four solved rows at a time: row i is loaded and stored once per four
      for (; p + 3 < p1; p += 4) {
        const f0 = ad[ai + p];
        const f1 = ad[ai + p + 1];
        const f2 = ad[ai + p + 2];
        const f3 = ad[ai + p + 3];
        const q0 = bo + p * ldb;
        const q1 = q0 + ldb;
        const q2 = q1 + ldb;
        const q3 = q2 + ldb;
        for (let c = 0; c < nrhs; c++)
          bd[bi + c] -= f0 * bd[q0 + c] + f1 * bd[q1 + c] + f2 * bd[q2 + c] + f3 * bd[q3 + c];
      }
      for (; p < p1; p++) {
        const f = ad[ai + p];
        if (f === 0) continue;
        const bp = bo + p * ldb;
        for (let c = 0; c < nrhs; c++) bd[bi + c] -= f * bd[bp + c];
      }
      if (!unit) {
        const r = 1 / ad[ao + i * lda + i];
        for (let c = 0; c < nrhs; c++) bd[bi + c] *= r;
      }
    }
    return;
  }
  // op(A) = A^T: lower A gives an upper op(A), solved from the bottom; each solved row i of B is
  // subtracted from the rows p that A[i, p] couples it to (p before i for lower A, after for upper)
  for (let s = 0; s < i1 - i0; s++) {
    const i = lower ? i1 - 1 - s : i0 + s;
    const bi = bo + i * ldb;
    if (!unit) {
      const r = 1 / ad[ao + i * lda + i];
      for (let c = 0; c < nrhs; c++) bd[bi + c] *= r;
    }
    const [p0, p1] = lower ? [i0, i] : [i + 1, i1];
    for (let p = p0; p < p1; p++) {
      const f = ad[ao + i * lda + p];
      if (f === 0) continue;
      const bp = bo + p * ldb;
      for (let c = 0; c < nrhs; c++) bd[bp + c] -= f * bd[bi + c];
    }
  }
}

/**
 * B = op(A)^-1 B in place for an n x n triangular A (the `lower` or upper triangle is read) and an
 * n x nrhs B, op(A) = A or A^T (LAPACK dtrsm, left side). Blocked by NB rows: diagonal blocks by
 * substitution over contiguous rows, the rest of B updated by gemm. O(n^2 nrhs).
 */
export function trsmLeft(
  n: number,
  nrhs: number,
  a: RowMajor,
  b: RowMajor,
  lower: boolean,
  trans: boolean,
  unit: boolean,
): void {
  if (n === 0 || nrhs === 0) return;
  // op(A) lower: blocks top to bottom; op(A) upper: bottom to top
  const forward = lower !== trans;
  const nb = nrhs < 8 ? n : NB;
  for (let s = 0; s < n; s += nb) {
    const [i0, i1] = forward ? [s, Math.min(n, s + nb)] : [Math.max(0, n - s - nb), n - s];
    solveDiagonalBlock(a, b, i0, i1, nrhs, lower, trans, unit);
    const solved = block(b, i0, 0, i1 - i0, nrhs);
    if (forward && i1 < n) {
      // B[i1:] -= op(A)[i1:, i0:i1] B[i0:i1]
      const opA = trans ? block(a, i0, i1, i1 - i0, n - i1, true) : block(a, i1, i0, n - i1, i1 - i0);
      gemmInto(-1, opA, solved, 1, block(b, i1, 0, n - i1, nrhs));
    } else if (!forward && i0 > 0) {
      // B[:i0] -= op(A)[:i0, i0:i1] B[i0:i1]
      const opA = trans ? block(a, i0, 0, i1 - i0, i0, true) : block(a, 0, i0, i0, i1 - i0);
      gemmInto(-1, opA, solved, 1, block(b, 0, 0, i0, nrhs));
    }
  }
}

/**
 * out[o0 + k] += sum_r w[w0 + r ws] A[r, k] for k < cols: A^T w over the rows x cols block of the
 * row-major a at offset o (BLAS dgemv, transposed, on row-major storage), four rows per pass so
 * each out[k] is loaded and stored once per four rows. O(rows cols).
 */
export function gemvT(
  a: Float64Array,
  o: number,
  ld: number,
  rows: number,
  cols: number,
  w: Float64Array,
  w0: number,
  ws: number,
  out: Float64Array,
  o0 = 0,
): void {
  let r = 0;
  for (; r + 3 < rows; r += 4) {
    const p0 = o + r * ld;
    const p1 = p0 + ld;
    const p2 = p1 + ld;
    const p3 = p2 + ld;
    const f0 = w[w0 + r * ws];
    const f1 = w[w0 + (r + 1) * ws];
    const f2 = w[w0 + (r + 2) * ws];
    const f3 = w[w0 + (r + 3) * ws];
    for (let k = 0; k < cols; k++)
      out[o0 + k] += f0 * a[p0 + k] + f1 * a[p1 + k] + f2 * a[p2 + k] + f3 * a[p3 + k];
  }
  for (; r < rows; r++) {
    const p = o + r * ld;
    const f = w[w0 + r * ws];
    for (let k = 0; k < cols; k++) out[o0 + k] += f * a[p + k];
  }
}

/**
 * out[o0 + r os] += alpha (A[r, :] . u) for r < rows: A u over the rows x cols block of the
 * row-major a at offset o (BLAS dgemv), four rows at a time sharing the loads of u. O(rows cols).
 */
export function gemvN(
  a: Float64Array,
  o: number,
  ld: number,
  rows: number,
  cols: number,
  u: Float64Array,
  alpha: number,
  out: Float64Array,
  o0: number,
  os: number,
): void {
  let r = 0;
  for (; r + 3 < rows; r += 4) {
    const p0 = o + r * ld;
    const p1 = p0 + ld;
    const p2 = p1 + ld;
    const p3 = p2 + ld;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let k = 0; k < cols; k++) {
      const x = u[k];
      s0 += a[p0 + k] * x;
      s1 += a[p1 + k] * x;
      s2 += a[p2 + k] * x;
      s3 += a[p3 + k] * x;
    }
    out[o0 + r * os] += alpha * s0;
    out[o0 + (r + 1) * os] += alpha * s1;
    out[o0 + (r + 2) * os] += alpha * s2;
    out[o0 + (r + 3) * os] += alpha * s3;
  }
  for (; r < rows; r++) {
    const p = o + r * ld;
    let s = 0;
    for (let k = 0; k < cols; k++) s += a[p + k] * u[k];
    out[o0 + r * os] += alpha * s;
  }
}
