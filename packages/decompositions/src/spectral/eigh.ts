import {
  ConvergenceError,
  type DType,
  InvalidArgumentError,
  type Mat,
  NDArray,
  type Vec,
  checkOptions,
  checkSymmetric,
  defineKernel,
  optionKeys,
} from '@krylov/core-array';
import { type RowMajor, block, gemmInto, gemvN, gemvT } from '../factor/dense.js';
import { householder, orgqrRaw } from '../factor/householder.js';
import { overStack } from '../util/batch.js';
import {
  type Floating,
  type SymmetryOption,
  checkArray,
  floating,
  optBoolean,
  withWorkingCopy,
} from '../util/validate.js';
import { RotationSequence, hypot, nearest } from './rotation.js';

const MAX_ITER_PER_VALUE = 30;

/**
 * y = A v for the m x m symmetric matrix whose lower triangle is the block of the row-major w (row
 * stride n) at (r0, r0) (BLAS dsymv, lower): row i contributes a_ik v_k to y_i and a_ik v_i to y_k;
 * four rows at a time share the loads and stores of y_k and v_k (1.3x faster than two in isolation).
 */
function symmetricProduct(
  w: Float64Array,
  n: number,
  r0: number,
  m: number,
  v: Float64Array,
  y: Float64Array,
): void {
  y.fill(0, 0, m);
  let i = 0;
  for (; i + 3 < m; i += 4) {
    const row0 = (r0 + i) * n + r0;
    const row1 = row0 + n;
    const row2 = row1 + n;
    const row3 = row2 + n;
    const v0 = v[i];
    const v1 = v[i + 1];
    const v2 = v[i + 2];
    const v3 = v[i + 3];
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let k = 0; k < i; k++) {
      const a0 = w[row0 + k];
      const a1 = w[row1 + k];
      const a2 = w[row2 + k];
      const a3 = w[row3 + k];
      const vk = v[k];
      s0 += a0 * vk;
      s1 += a1 * vk;
      s2 += a2 * vk;
      s3 += a3 * vk;
      y[k] += a0 * v0 + a1 * v1 + a2 * v2 + a3 * v3;
    }
    y[i] += s0;
    y[i + 1] += s1;
    y[i + 2] += s2;
    y[i + 3] += s3;
    // the lower triangle of the 4 x 4 diagonal block
    for (let r = 0; r < 4; r++) lowerRow(w, (r0 + i + r) * n + r0, i, i + r, v, y);
  }
  for (; i < m; i++) lowerRow(w, (r0 + i) * n + r0, 0, i, v, y);
}

/** Row i's entries k0..i of the lower triangle (row starts at w[row]) added to y symmetrically. */
function lowerRow(
  w: Float64Array,
  row: number,
  k0: number,
  i: number,
  v: Float64Array,
  y: Float64Array,
): void {
  const vi = v[i];
  let s = 0;
  for (let k = k0; k < i; k++) {
    const a = w[row + k];
    s += a * v[k];
    y[k] += a * vi;
  }
  y[i] += s + w[row + i] * vi;
}

/** Panel width of the blocked tridiagonalization. */
const NB = 32;

/**
 * Householder tridiagonalization Q^T A Q = T of a symmetric n x n matrix held in the lower triangle
 * of the row-major buffer w (LAPACK dsytrd + dlatrd, lower; the upper triangle is scratch): each
 * panel of NB columns is reduced with the trailing matrix left as it was, its reflectors V and the
 * matching W collected (row-major gemv helpers over contiguous rows) so that the panel's effect is
 * A22 - V W^T - W V^T, applied afterwards to the trailing lower triangle by gemm (dsyr2k) one
 * block row at a time; inside the panel the symmetric product A22 v reads each lower row once.
 * Reflector k is left QR-style in column k below the subdiagonal, tau[k] beside it, for orgqr to
 * form Q. Returns the diagonal d and the subdiagonal e (e[i] = T[i+1, i], e[n-1] = 0).
 * O(4/3 n^3), half of it in gemm.
 */
function tridiagonalize(w: Float64Array, n: number, tau: Float64Array): { d: Float64Array; e: Float64Array } {
  const vw = new Float64Array(n * NB);
  const ww = new Float64Array(n * NB);
  const v = new Float64Array(n);
  const y = new Float64Array(n);
  const t1 = new Float64Array(NB);
  const t2 = new Float64Array(NB);
  const x: RowMajor = { d: w, o: 0, ld: n };
  for (let i0 = 0; i0 < n - 2; i0 += NB) {
    const nb = Math.min(NB, n - 2 - i0);
    // V and W rows are relative to i0: row r of the matrix is row r - i0 of V and W
    const xr = (r: number) => (r - i0) * NB;
    vw.fill(0);
    ww.fill(0);
    for (let j = 0; j < nb; j++) {
      const c = i0 + j;
      // column c (rows c..) brought up to date: -= V[:, :j] W[c, :j]^T + W[:, :j] V[c, :j]^T
      for (let q = 0; q < j; q++) {
        t1[q] = ww[xr(c) + q];
        t2[q] = vw[xr(c) + q];
      }
      gemvN(vw, xr(c), NB, n - c, j, t1, -1, w, c * n + c, n);
      gemvN(ww, xr(c), NB, n - c, j, t2, -1, w, c * n + c, n);
      const m = n - c - 1;
      const r0 = c + 1;
      const t = householder(w, r0 * n + c, n, m);
      tau[c] = t;
      v[0] = 1;
      for (let i = 1; i < m; i++) v[i] = w[(r0 + i) * n + c];
      for (let i = 0; i < m; i++) vw[xr(r0 + i) + j] = v[i];
      if (t === 0) continue;
      // y = A22 v - V (W^T v) - W (V^T v), A22 the trailing matrix as it was when the panel began
      symmetricProduct(w, n, r0, m, v, y);
      t1.fill(0);
      t2.fill(0);
      gemvT(ww, xr(r0), NB, m, j, v, 0, 1, t1);
      gemvT(vw, xr(r0), NB, m, j, v, 0, 1, t2);
      gemvN(vw, xr(r0), NB, m, j, t1, -1, y, 0, 1);
      gemvN(ww, xr(r0), NB, m, j, t2, -1, y, 0, 1);
      // w_j = tau y - (tau^2 / 2)(y . v) v
      let yv = 0;
      for (let i = 0; i < m; i++) yv += y[i] * v[i];
      const alpha = -0.5 * t * t * yv;
      for (let i = 0; i < m; i++) ww[xr(r0 + i) + j] = t * y[i] + alpha * v[i];
    }
    // trailing lower triangle: A[i1:, i1:] -= V W^T + W V^T, one block row at a time
    const i1 = i0 + nb;
    const vm: RowMajor = { d: vw, o: -i0 * NB, ld: NB };
    const wm: RowMajor = { d: ww, o: -i0 * NB, ld: NB };
    for (let b0 = i1; b0 < n; b0 += 64) {
      const b1 = Math.min(n, b0 + 64);
      const cb = block(x, b0, i1, b1 - b0, b1 - i1);
      gemmInto(-1, block(vm, b0, 0, b1 - b0, nb), block(wm, i1, 0, b1 - i1, nb, true), 1, cb);
      gemmInto(-1, block(wm, b0, 0, b1 - b0, nb), block(vm, i1, 0, b1 - i1, nb, true), 1, cb);
    }
  }
  const d = Float64Array.from({ length: n }, (_, i) => w[i * n + i]);
  const e = Float64Array.from({ length: n }, (_, i) => (i < n - 1 ? w[(i + 1) * n + i] : 0));
  return { d, e };
}

/**
 * Q of the tridiagonal reduction as a row-major n x n matrix: Q = diag(1, Q'), where Q' is formed
 * by the blocked orgqr from the reflectors in w's columns 0..n-3 (geqrf-style for w's block at
 * (1, 0), copied one column right, to the block of Q' at (1, 1)) (LAPACK dorgtr, lower).
 * O(4/3 n^3), mostly gemm.
 */
function formQ(w: Float64Array, n: number, tau: Float64Array): Float64Array {
  const q = new Float64Array(n * n);
  q[0] = 1;
  for (let i = 2; i < n; i++)
    for (let j = 0; j < Math.min(i - 1, n - 2); j++) q[i * n + j + 1] = w[i * n + j];
  if (n > 1) orgqrRaw({ d: q, o: 0, ld: n }, 1, 1, n - 1, n - 1, Math.max(n - 2, 0), tau);
  return q;
}

/**
 * The implicit QL iteration with Wilkinson shifts on the symmetric tridiagonal (d, e) in place
 * (Bowdler, Martin, Reinsch & Wilkinson 1968, tql2; LAPACK dsteqr), deflating from the top. Each
 * sweep's rotations go to `rotations` when given. With `shifts` (the eigenvalues, ascending, from
 * a previous values-only run), the first sweep for each eigenvalue uses the eigenvalue nearest the
 * Wilkinson shift instead: an exact shift deflates in about one sweep, which cuts the number of
 * rotations by about a fifth (0.75 n^2 instead of 0.94 n^2 at n = 512); rounding can keep it from
 * deflating at once, and the later sweeps fall back to Wilkinson shifts, so only the speed depends
 * on it. Returns 0, or l + 1 when eigenvalue l needed more than 30 sweeps.
 */
function implicitQL(
  d: Float64Array,
  e: Float64Array,
  n: number,
  rotations: RotationSequence | null,
  shifts: Float64Array | null,
): number {
  const cs = new Float64Array(n);
  const sn = new Float64Array(n);
  // An off-diagonal deflates when negligible next to its neighbours (relative accuracy on graded
  // matrices) or next to the whole matrix (tql2's test): rounding leaves noise of size eps ||T|| in
  // e, so eigenvalues below that level (a low-rank matrix's zeros) could never pass the relative
  // test alone, and the iteration would stall. Either keeps the backward error O(eps ||T||).
  let norm = 0;
  for (let i = 0; i < n; i++) norm = Math.max(norm, Math.abs(d[i]) + (i < n - 1 ? Math.abs(e[i]) : 0));
  const floor = 2 ** -53 * norm;
  for (let l = 0; l < n; l++) {
    let iter = 0;
    for (;;) {
      let m = l;
      for (; m < n - 1; m++) {
        const em = Math.abs(e[m]);
        if (em <= floor || em <= 2 ** -53 * (Math.abs(d[m]) + Math.abs(d[m + 1]))) break;
      }
      if (m === l) break;
      if (++iter > MAX_ITER_PER_VALUE) return l + 1;
      let g = (d[l + 1] - d[l]) / (2 * e[l]);
      let r = hypot(g, 1);
      let shift = d[l] - e[l] / (g + (g >= 0 ? r : -r));
      if (shifts && iter === 1) shift = nearest(shifts, shift);
      g = d[m] - shift;
      let s = 1;
      let c = 1;
      let p = 0;
      let i = m - 1;
      for (; i >= l; i--) {
        const f = s * e[i];
        const b = c * e[i];
        r = hypot(f, g);
        e[i + 1] = r;
        if (r === 0) {
          d[i + 1] -= p;
          e[m] = 0;
          break;
        }
        s = f / r;
        c = g / r;
        g = d[i + 1] - p;
        r = (d[i] - g) * s + 2 * c * b;
        p = s * r;
        d[i + 1] = g + p;
        g = c * r - b;
        // columns i+1, i of the eigenvector matrix: z_{i+1} <- c z_{i+1} + s z_i, z_i <- c z_i - s z_{i+1}
        cs[i] = c;
        sn[i] = -s;
      }
      rotations?.push(i + 1, m, cs, sn, false);
      if (r === 0 && i >= l) continue;
      d[l] -= p;
      e[l] = g;
      e[m] = 0;
    }
  }
  return 0;
}

/**
 * Symmetric eigendecomposition: Householder tridiagonalization, then the implicit QL iteration
 * with Wilkinson shifts on the tridiagonal matrix (Bowdler, Martin, Reinsch & Wilkinson 1968, tql2;
 * LAPACK dsteqr with compz = 'V'). With vectors, the eigenvalues are computed first (O(n^2)) and
 * serve as first shifts of the vector pass (see implicitQL); its rotations are recorded and
 * replayed on the explicitly formed Q (dlasr order) in cache-sized row blocks, each row a
 * contiguous pass with the running column kept in registers (RotationSequence). Reads the lower
 * triangle; w ascending, eigenvectors as columns. O(4/3 n^3) without vectors; with vectors add
 * O(4/3 n^3) for Q (gemm) and about 4.5 n^3 for the rotations. Returns info > 0 when an eigenvalue
 * needs more than 30 iterations.
 */
export const syevd = defineKernel('syevd', ({ a, vectors }) => {
  const n = a.shape[0];
  const w = new Float64Array(n * n);
  const [ars, acs] = a.strides;
  for (let i = 0; i < n; i++)
    for (let j = 0; j <= i; j++) w[i * n + j] = a.data[a.offset + i * ars + j * acs];
  const tau = new Float64Array(Math.max(n - 2, 0));
  const { d, e } = tridiagonalize(w, n, tau);
  const z = vectors ? formQ(w, n, tau) : null;
  const rotations = z ? new RotationSequence(z, n, n, n * n) : null;
  let info: number;
  if (rotations) {
    // the eigenvalues first (O(n^2)), then the sweeps on the vectors with them as first shifts
    const dv = Float64Array.from(d);
    const ev = Float64Array.from(e);
    const shifts = implicitQL(dv, ev, n, null, null) === 0 ? dv.sort() : null;
    info = implicitQL(d, e, n, rotations, shifts);
  } else info = implicitQL(d, e, n, null, null);
  rotations?.flush();
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => d[x] - d[y]);
  const Ctor = a.data.constructor as Float64ArrayConstructor;
  const values = new NDArray(
    Ctor.from(order, (i) => d[i]),
    [n],
  ) as Vec;
  if (!z) return { w: values, v: null, info };
  const vs = new NDArray(new Ctor(n * n), [n, n]) as Mat;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) vs.data[i * n + j] = z[i * n + order[j]];
  return { w: values, v: vs, info };
});

/**
 * Eigenvalues il..iu (0-based, inclusive, in ascending order) of a symmetric matrix, read from its
 * lower triangle, and with `vectors` the matching orthonormal eigenvectors as the columns of an
 * n x (iu - il + 1) matrix (LAPACK dsyevr with RANGE = 'I'). `iu = il - 1` asks for none. The
 * pure-JS version is the full decomposition of the registered `syevd` kernel (tridiagonalization +
 * implicit QL) followed by a selection, so it costs as much as the full problem; LAPACK's dsyevr
 * computes only the wanted pairs by MRRR. Returns syevd's info (> 0: QL did not converge).
 * O(9 n^3) with vectors.
 */
export const syevr = defineKernel('syevr', ({ a, vectors, il, iu }) => {
  const n = a.shape[0];
  const count = Math.max(0, iu - il + 1);
  const Ctor = a.data.constructor as Float64ArrayConstructor;
  if (count === 0)
    return {
      w: new NDArray(new Ctor(0), [0]) as Vec,
      v: vectors ? (new NDArray(new Ctor(0), [n, 0]) as Mat) : null,
      info: 0,
    };
  const full = syevd({ a, vectors });
  const w = new NDArray(new Ctor(count), [count]) as Vec;
  for (let i = 0; i < count; i++) w.data[i] = full.w.get(il + i);
  if (!vectors || !full.v) return { w, v: null, info: full.info };
  const v = new NDArray(new Ctor(n * count), [n, count]) as Mat;
  for (let i = 0; i < n; i++) for (let j = 0; j < count; j++) v.data[i * count + j] = full.v.get(i, il + j);
  return { w, v, info: full.info };
});

/** Options of `eigh`: `vectors` (default true), `range: [il, iu]`, `checkSymmetry`. */
export interface EighOptions extends SymmetryOption {
  /** Compute the eigenvectors (default true); with `false` the result's `vectors` is null. */
  vectors?: boolean;
  /** Eigenpairs il..iu only (0-based, inclusive). */
  range?: [number, number];
}

const EIGH_OPTIONS_KEYS = optionKeys<EighOptions>()('vectors', 'range', 'checkSymmetry');

/**
 * Eigenvalues (ascending) and orthonormal eigenvectors (columns) of a symmetric matrix
 * (numpy.linalg.eigh). The overloads type `vectors` as non-null unless `{ vectors: false }` (null)
 * or a `boolean` variable is passed. A is first checked to be symmetric (core-array's `checkSymmetric`: relative
 * asymmetry <= sqrt(eps) of the dtype); with `checkSymmetry: false` the check is skipped and only
 * the lower triangle is read, as numpy.linalg.eigh (UPLO='L') and LAPACK do. `range: [il, iu]` computes eigenpairs il..iu only (0-based,
 * inclusive; the `syevr` kernel). Stacks `[..., n, n]` map over the leading dimensions. Backward error O(n eps ||A||) (the scaled residual ||A V - V W|| / (n eps ||A||) is
 * tested against LAPACK's threshold 60). Tridiagonalization + implicit QL: O(9 n^3) with vectors.
 * A float32 matrix is solved in float32 (LAPACK ssyevd natively; the JS kernel computes in float64).
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { eigh } from '@krylov/decompositions';
 * const { values, vectors } = eigh(array([[2, 1], [1, 2]])); // ascending eigenvalues
 * console.assert(Math.abs(values.get(0) - 1) < 1e-12 && Math.abs(values.get(1) - 3) < 1e-12, 'eigenvalues 1 and 3');
 * console.assert(Math.abs(Math.abs(vectors.get(0, 1)) - Math.SQRT1_2) < 1e-12, 'eigenvector [1, 1] / sqrt(2)');
 * ```
 * @throws ConvergenceError when QL needs more than 30 iterations for one eigenvalue; ShapeError;
 *   InvalidArgumentError for non-finite entries, a non-symmetric matrix, a bad range or a
 *   non-boolean option.
 */
export function eigh<D extends DType>(
  a: NDArray<D>,
  options: EighOptions & { vectors: false },
): { values: NDArray<Floating<D>>; vectors: null };
export function eigh<D extends DType>(
  a: NDArray<D>,
  options?: EighOptions & { vectors?: true },
): { values: NDArray<Floating<D>>; vectors: NDArray<Floating<D>> };
export function eigh<D extends DType>(
  a: NDArray<D>,
  options?: EighOptions,
): { values: NDArray<Floating<D>>; vectors: NDArray<Floating<D>> | null };
export function eigh<D extends DType>(
  a: NDArray<D>,
  options?: EighOptions,
): { values: NDArray<Floating<D>>; vectors: NDArray<Floating<D>> | null } {
  type F = NDArray<Floating<D>>;
  const fn = 'eigh';
  checkOptions(fn, options, EIGH_OPTIONS_KEYS);
  const wantVectors = optBoolean(fn, 'options.vectors', options?.vectors, true);
  const checkSymmetry = optBoolean(fn, 'options.checkSymmetry', options?.checkSymmetry, true);
  const range = options?.range;
  if (range !== undefined && !(Array.isArray(range) && range.length === 2))
    throw new InvalidArgumentError(fn, 'options.range', range, '[il, iu], two integers');
  checkArray(fn, 'a', a);
  if (a.ndim > 2) return overStack(fn, [a], [2], (m) => eigh(m, options)) as { values: F; vectors: F | null };
  // the kernels only read w (a's validated copy, in a reused buffer) and return new arrays
  const result = withWorkingCopy(fn, 'a', a, true, floating(a), (w) => {
    const n = w.shape[0];
    if (checkSymmetry) checkSymmetric(fn, 'a', w);
    if (!range) return syevd({ a: w, vectors: wantVectors });
    const [il, iu] = range;
    if (!(Number.isInteger(il) && Number.isInteger(iu) && il >= 0 && il <= iu && iu < n))
      throw new InvalidArgumentError(
        fn,
        'options.range',
        range,
        `[il, iu], integers with 0 <= il <= iu < ${n}`,
      );
    // LAPACK's dsyevr computes only the wanted pairs (MRRR); the pure-JS kernel selects from syevd's.
    return syevr({ a: w, vectors: wantVectors, il, iu });
  });
  if (result.info > 0)
    throw new ConvergenceError(
      fn,
      MAX_ITER_PER_VALUE,
      Number.NaN,
      `the QL iteration stalled on eigenvalue ${result.info - 1}`,
    );
  return { values: result.w as F, vectors: result.v as F | null };
}
