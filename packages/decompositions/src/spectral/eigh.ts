import {
  ConvergenceError,
  InvalidArgumentError,
  type Mat,
  NDArray,
  type Vec,
  checkOptions,
  defineKernel,
} from '@krylov/core-array';
import { workingCopy } from '../util/validate.js';
import { rotate } from './rotation.js';

const MAX_ITER_PER_VALUE = 30;

/**
 * Householder tridiagonalization of a full symmetric n x n matrix in place (LAPACK dsytd2, lower):
 * returns the diagonal d, the subdiagonal e (e[i] = T[i+1, i], e[n-1] = 0) and, when wanted, Q^T
 * as rows (Q^T A Q = T), accumulated by row operations that stay contiguous in row-major storage.
 * O(4/3 n^3), plus O(4/3 n^3) for Q^T.
 */
function tridiagonalize(
  w: Float64Array,
  n: number,
  wantQ: boolean,
): { d: Float64Array; e: Float64Array; qt: Float64Array | null } {
  const qt = wantQ ? new Float64Array(n * n) : null;
  if (qt) for (let i = 0; i < n; i++) qt[i * n + i] = 1;
  const v = new Float64Array(n);
  const p = new Float64Array(n);
  for (let k = 0; k < n - 2; k++) {
    const m = n - k - 1;
    let scale = 0;
    for (let i = 1; i < m; i++) scale = Math.max(scale, Math.abs(w[(k + 1 + i) * n + k]));
    if (scale === 0) continue;
    const alpha = w[(k + 1) * n + k];
    scale = Math.max(scale, Math.abs(alpha));
    let ss = 0;
    for (let i = 0; i < m; i++) ss += (w[(k + 1 + i) * n + k] / scale) ** 2;
    const beta = -Math.sign(alpha || 1) * scale * Math.sqrt(ss);
    const tau = (beta - alpha) / beta;
    v[0] = 1;
    for (let i = 1; i < m; i++) v[i] = w[(k + 1 + i) * n + k] / (alpha - beta);
    for (let i = 0; i < m; i++) w[(k + 1 + i) * n + k] = w[k * n + k + 1 + i] = i === 0 ? beta : 0;
    // A22 <- H A22 H with p = tau A22 v, q = p - (tau/2)(p.v) v: A22 -= v q^T + q v^T
    let pv = 0;
    for (let i = 0; i < m; i++) {
      let s = 0;
      const row = (k + 1 + i) * n + k + 1;
      for (let j = 0; j < m; j++) s += w[row + j] * v[j];
      p[i] = tau * s;
      pv += p[i] * v[i];
    }
    const half = 0.5 * tau * pv;
    for (let i = 0; i < m; i++) p[i] -= half * v[i];
    for (let i = 0; i < m; i++) {
      const row = (k + 1 + i) * n + k + 1;
      const vi = v[i];
      const pi = p[i];
      for (let j = 0; j < m; j++) w[row + j] -= vi * p[j] + pi * v[j];
    }
    if (qt) {
      // Q^T <- H Q^T on rows k+1..n-1
      for (let c = 0; c < n; c++) p[c] = 0;
      for (let i = 0; i < m; i++) {
        const row = (k + 1 + i) * n;
        const vi = v[i];
        for (let c = 0; c < n; c++) p[c] += vi * qt[row + c];
      }
      for (let i = 0; i < m; i++) {
        const row = (k + 1 + i) * n;
        const f = tau * v[i];
        for (let c = 0; c < n; c++) qt[row + c] -= f * p[c];
      }
    }
  }
  const d = Float64Array.from({ length: n }, (_, i) => w[i * n + i]);
  const e = Float64Array.from({ length: n }, (_, i) => (i < n - 1 ? w[(i + 1) * n + i] : 0));
  return { d, e, qt };
}

/**
 * Symmetric eigendecomposition (LAPACK dsyev's path): Householder tridiagonalization, then the
 * implicit QL iteration with Wilkinson shifts on the tridiagonal matrix (Bowdler, Martin, Reinsch &
 * Wilkinson 1968, tql2; LAPACK dsteqr), accumulating the plane rotations into the rows of Q^T, which
 * keeps every inner loop contiguous. Reads the lower triangle; w ascending, eigenvectors as columns.
 * O(9 n^3) with vectors, O(4/3 n^3) without. Returns info > 0 when an eigenvalue needs more than
 * 30 iterations.
 */
export const syevd = defineKernel('syevd', ({ a, vectors }) => {
  const n = a.shape[0];
  const w = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) w[i * n + j] = w[j * n + i] = a.get(i, j);
  const { d, e, qt: z } = tridiagonalize(w, n, vectors);
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
      let r = Math.hypot(g, 1);
      g = d[m] - d[l] + e[l] / (g + (g >= 0 ? r : -r));
      let s = 1;
      let c = 1;
      let p = 0;
      let i = m - 1;
      for (; i >= l; i--) {
        const f = s * e[i];
        const b = c * e[i];
        r = Math.hypot(f, g);
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
        // rows i and i+1 of Q^T are columns i and i+1 of the eigenvector matrix
        if (z) rotate(z, (i + 1) * n, i * n, 1, n, c, -s);
      }
      if (r === 0 && i >= l) continue;
      d[l] -= p;
      e[l] = g;
      e[m] = 0;
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => d[x] - d[y]);
  const Ctor = a.data.constructor as Float64ArrayConstructor;
  const values = new NDArray(
    Ctor.from(order, (i) => d[i]),
    [n],
  ) as Vec;
  if (!z) return { w: values, v: null, info };
  const vs = new NDArray(new Ctor(n * n), [n, n]) as Mat;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) vs.data[i * n + j] = z[order[j] * n + i];
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
