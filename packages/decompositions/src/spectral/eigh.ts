import {
  ConvergenceError,
  InvalidArgumentError,
  type Mat,
  NDArray,
  type Vec,
  checkOptions,
  defineKernel,
} from '@krylov/core-array';
import { householder, orgqrRaw } from '../factor/householder.js';
import { workingCopy } from '../util/validate.js';
import { RotationSequence, hypot } from './rotation.js';

const MAX_ITER_PER_VALUE = 30;

/**
 * Householder tridiagonalization Q^T A Q = T of a symmetric n x n matrix held in the lower triangle
 * of the row-major buffer w (LAPACK dsytd2, lower): step k reflects rows/columns k+1.. with
 * H = I - tau v v^T, working on the lower triangle only (the symmetric product p = A22 v and the
 * rank-2 update A22 -= v q^T + q v^T each read each lower row once, contiguously). The reflector
 * is left QR-style in column k below the subdiagonal, tau[k] beside it, for orgqr to form Q.
 * Returns the diagonal d and the subdiagonal e (e[i] = T[i+1, i], e[n-1] = 0). O(4/3 n^3).
 */
function tridiagonalize(w: Float64Array, n: number, tau: Float64Array): { d: Float64Array; e: Float64Array } {
  const v = new Float64Array(n);
  const p = new Float64Array(n);
  for (let k = 0; k < n - 2; k++) {
    const m = n - k - 1;
    const r0 = k + 1;
    const t = householder(w, r0 * n + k, n, m);
    tau[k] = t;
    if (t === 0) continue;
    v[0] = 1;
    for (let i = 1; i < m; i++) v[i] = w[(r0 + i) * n + k];
    // p = tau A22 v from the lower triangle: row i contributes a_ij v_j to p_i and a_ij v_i to p_j
    p.fill(0, 0, m);
    for (let i = 0; i < m; i++) {
      const row = (r0 + i) * n + r0;
      const vi = v[i];
      let s = 0;
      for (let j = 0; j < i; j++) {
        const aij = w[row + j];
        s += aij * v[j];
        p[j] += aij * vi;
      }
      p[i] += s + w[row + i] * vi;
    }
    let pv = 0;
    for (let i = 0; i < m; i++) {
      p[i] *= t;
      pv += p[i] * v[i];
    }
    // q = p - (tau/2)(p.v) v; A22 -= v q^T + q v^T on the lower triangle
    const half = 0.5 * t * pv;
    for (let i = 0; i < m; i++) p[i] -= half * v[i];
    for (let i = 0; i < m; i++) {
      const row = (r0 + i) * n + r0;
      const vi = v[i];
      const qi = p[i];
      for (let j = 0; j <= i; j++) w[row + j] -= vi * p[j] + qi * v[j];
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
 * Symmetric eigendecomposition: Householder tridiagonalization, then the implicit QL iteration
 * with Wilkinson shifts on the tridiagonal matrix (Bowdler, Martin, Reinsch & Wilkinson 1968, tql2;
 * LAPACK dsteqr with compz = 'V'). The sweeps' rotations are recorded and replayed on the
 * explicitly formed Q (dlasr order) in cache-sized row blocks, each row a contiguous pass with the
 * running column kept in registers (RotationSequence). Reads the lower triangle; w
 * ascending, eigenvectors as columns. O(4/3 n^3) without vectors; with vectors add O(4/3 n^3)
 * for Q (gemm) and about 6 n^3 for the rotations. Returns info > 0 when an eigenvalue needs more
 * than 30 iterations.
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
  const rotations = z ? new RotationSequence(z, n, n) : null;
  const cs = new Float64Array(n);
  const sn = new Float64Array(n);
  let info = 0;
  for (let l = 0; l < n && info === 0; l++) {
    let iter = 0;
    for (;;) {
      let m = l;
      for (; m < n - 1; m++) if (Math.abs(e[m]) <= 2 ** -53 * (Math.abs(d[m]) + Math.abs(d[m + 1]))) break;
      if (m === l) break;
      if (++iter > MAX_ITER_PER_VALUE) {
        info = l + 1;
        break;
      }
      let g = (d[l + 1] - d[l]) / (2 * e[l]);
      let r = hypot(g, 1);
      g = d[m] - d[l] + e[l] / (g + (g >= 0 ? r : -r));
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
 * Eigenvalues (ascending) and orthonormal eigenvectors (columns) of a symmetric matrix, from its
 * lower triangle (numpy.linalg.eigh). `range: [il, iu]` keeps eigenpairs il..iu (0-based,
 * inclusive). Backward error O(n eps ||A||) (the scaled residual ||A V - V W|| / (n eps ||A||) is
 * tested against LAPACK's threshold 60). Tridiagonalization + implicit QL: O(9 n^3) with vectors.
 * @throws ConvergenceError when QL needs more than 30 iterations for one eigenvalue; ShapeError; InvalidArgumentError for non-finite entries or a bad range.
 */
export function eigh(
  a: NDArray,
  options?: { vectors?: boolean; range?: [number, number] },
): { values: NDArray<'float64'>; vectors: NDArray<'float64'> | null } {
  const fn = 'eigh';
  checkOptions(fn, options, ['vectors', 'range']);
  const { w } = workingCopy(fn, 'a', a, true);
  const n = w.shape[0];
  const wantVectors = options?.vectors ?? true;
  const { w: values, v, info } = syevd({ a: w, vectors: wantVectors });
  if (info > 0)
    throw new ConvergenceError(
      fn,
      MAX_ITER_PER_VALUE,
      Number.NaN,
      `the QL iteration stalled on eigenvalue ${info - 1}`,
    );
  if (!options?.range)
    return { values: values as NDArray<'float64'>, vectors: v as NDArray<'float64'> | null };
  const [il, iu] = options.range;
  if (!(Number.isInteger(il) && Number.isInteger(iu) && il >= 0 && il <= iu && iu < n)) {
    throw new InvalidArgumentError(fn, 'options.range', options.range, `0 <= il <= iu < ${n}`);
  }
  return {
    values: values.slice(`${il}:${iu + 1}`).copy() as NDArray<'float64'>,
    vectors: v ? (v.slice(null, `${il}:${iu + 1}`).copy() as NDArray<'float64'>) : null,
  };
}
