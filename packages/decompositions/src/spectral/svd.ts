import {
  ConvergenceError,
  InvalidArgumentError,
  type Mat,
  NDArray,
  type Vec,
  checkOptions,
  defineKernel,
  eye,
} from '@krylov/core-array';
import { workingCopy } from '../util/validate.js';
function rotate(
  data: Float64Array,
  px: number,
  py: number,
  step: number,
  len: number,
  c: number,
  s: number,
): void {
  for (let k = 0, i = px, j = py; k < len; k++, i += step, j += step) {
    const x = data[i];
    const y = data[j];
    data[i] = c * x - s * y;
    data[j] = s * x + c * y;
  }
}

const MAX_SWEEPS = 60;

/**
 * Orthonormalizes the rows of `q` (k x m) that are zero against the others by Gram-Schmidt with
 * standard basis vectors, completing an orthonormal set (used for zero singular values and 'full' U).
 */
function completeRows(
  q: Float64Array,
  m: number,
  from: number,
  to: number,
  isZero: (r: number) => boolean,
): void {
  // each empty row takes the first standard basis vector whose residual against the rows filled so
  // far has norm >= 1 / (2 sqrt m): one always exists, since the squared residual norms of all m
  // basis vectors sum to the number of rows still empty (>= 1)
  const threshold = 0.5 / Math.sqrt(m);
  for (let r = from; r < to; r++) {
    if (!isZero(r)) continue;
    for (let e = 0; e < m; e++) {
      const row = new Float64Array(m);
      row[e] = 1;
      for (let pass = 0; pass < 2; pass++) {
        // rows not filled yet are zero and drop out of the projection
        for (let s = 0; s < to; s++) {
          if (s === r) continue;
          let d = 0;
          for (let i = 0; i < m; i++) d += q[s * m + i] * row[i];
          for (let i = 0; i < m; i++) row[i] -= d * q[s * m + i];
        }
      }
      let norm = 0;
      for (const v of row) norm += v * v;
      norm = Math.sqrt(norm);
      if (norm >= threshold) {
        for (let i = 0; i < m; i++) q[r * m + i] = row[i] / norm;
        break;
      }
    }
  }
}

/**
 * SVD by one-sided Jacobi (Hestenes 1958; Demmel & Veselic 1992): plane rotations orthogonalize
 * pairs of columns of A (rows of the transposed working copy, so the inner loops are contiguous)
 * until every pair is orthogonal to working precision; singular values are the column norms.
 * High relative accuracy; O(m n^2) per sweep. `job`: 'values', 'thin' or 'full'.
 */
export const gesdd = defineKernel('gesdd', ({ a, job }) => {
  const [m0, n0] = a.shape;
  const wide = n0 > m0;
  const [m, n] = wide ? [n0, m0] : [m0, n0];
  // rows of u are the columns of A (or of A^T when wide)
  const u = new Float64Array(n * m);
  for (let j = 0; j < n; j++) for (let i = 0; i < m; i++) u[j * m + i] = wide ? a.get(j, i) : a.get(i, j);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  let info = 1;
  for (let sweep = 0; sweep < MAX_SWEEPS && n > 1; sweep++) {
    let rotated = false;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        let alpha = 0;
        let beta = 0;
        let gamma = 0;
        for (let i = 0; i < m; i++) {
          const x = u[p * m + i];
          const y = u[q * m + i];
          alpha += x * x;
          beta += y * y;
          gamma += x * y;
        }
        // converged pair: cosine of the angle below sqrt(m) eps, the tolerance of LAPACK dgesvj
        if (Math.abs(gamma) <= Math.sqrt(m) * 2 ** -52 * Math.sqrt(alpha * beta)) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = Math.sign(zeta || 1) / (Math.abs(zeta) + Math.hypot(1, zeta));
        const c = 1 / Math.hypot(1, t);
        rotate(u, p * m, q * m, 1, m, c, c * t);
        rotate(v, p * n, q * n, 1, n, c, c * t);
      }
    }
    if (!rotated) {
      info = 0;
      break;
    }
  }
  if (n <= 1) info = 0;
  const sigma = Array.from({ length: n }, (_, j) => {
    let s = 0;
    for (let i = 0; i < m; i++) s += u[j * m + i] ** 2;
    return Math.sqrt(s);
  });
  const order = Array.from({ length: n }, (_, j) => j).sort((x, y) => sigma[y] - sigma[x]);
  const Ctor = a.data.constructor as Float64ArrayConstructor;
  const s = new NDArray(
    Ctor.from(order, (j) => sigma[j]),
    [n],
  ) as Vec;
  if (job === 'values') return { s, u: null, vt: null, info };
  // left vectors as rows (k x m), normalized, zero ones completed; right vectors as rows of V^T
  const k = job === 'full' ? m : n;
  const left = new Float64Array(k * m);
  const tiny = (sigma[order[0]] ?? 0) * 2 ** -60;
  order.forEach((j, r) => {
    if (sigma[j] > tiny) for (let i = 0; i < m; i++) left[r * m + i] = u[j * m + i] / sigma[j];
  });
  completeRows(left, m, 0, k, (r) => r >= n || !(sigma[order[r]] > tiny));
  const right = new Float64Array(n * n);
  order.forEach((j, r) => {
    for (let i = 0; i < n; i++) right[r * n + i] = v[j * n + i];
  });
  // A = U S V^T; for a wide A we factored A^T = U' S V'^T, so U = V' and V = U'
  const uMat = wide
    ? new NDArray(Ctor.from(right), [n, n]).T.copy()
    : new NDArray(Ctor.from(left), [k, m]).T.copy();
  const vtMat = wide
    ? new NDArray(Ctor.from(left), [k, m]).copy()
    : new NDArray(Ctor.from(right), [n, n]).copy();
  return { s, u: uMat as Mat, vt: vtMat as Mat, info };
});

export type SvdMode = 'thin' | 'full' | 'values';

/**
 * Singular value decomposition A = U diag(s) V^T with s descending (numpy.linalg.svd): 'thin'
 * (U m x k, V^T k x n, k = min(m, n)), 'full' (U m x m, V^T n x n) or 'values' (u and vt null).
 * One-sided Jacobi in float64; the scaled residual ||A - U S V^T|| / (max(m, n) eps ||A||) is
 * tested against LAPACK's threshold 50. O(m n^2) per sweep.
 * @throws ConvergenceError after 60 sweeps; ShapeError; InvalidArgumentError for non-finite entries or an unknown mode.
 */
export function svd(a: NDArray, options: { mode: 'values' }): { s: NDArray<'float64'> };
export function svd(
  a: NDArray,
  options?: { mode?: 'thin' | 'full' },
): { u: NDArray<'float64'>; s: NDArray<'float64'>; vt: NDArray<'float64'> };
export function svd(
  a: NDArray,
  options?: { mode?: SvdMode },
): { u?: NDArray<'float64'>; s: NDArray<'float64'>; vt?: NDArray<'float64'> } {
  const fn = 'svd';
  checkOptions(fn, options, ['mode']);
  const mode = options?.mode ?? 'thin';
  if (!['thin', 'full', 'values'].includes(mode))
    throw new InvalidArgumentError(fn, 'options.mode', mode, "'thin', 'full' or 'values'");
  const { w } = workingCopy(fn, 'a', a);
  const [m, n] = w.shape;
  if (m === 0 || n === 0) {
    const k = Math.min(m, n);
    const z = (r: number, c: number) => new NDArray(new Float64Array(r * c), [r, c]) as NDArray<'float64'>;
    const s = new NDArray(new Float64Array(0), [0]) as NDArray<'float64'>;
    return mode === 'values'
      ? { s }
      : {
          u: mode === 'full' ? (eye(m) as NDArray<'float64'>) : z(m, k),
          s,
          vt: mode === 'full' ? (eye(n) as NDArray<'float64'>) : z(k, n),
        };
  }
  const r = gesdd({ a: w, job: mode });
  if (r.info > 0)
    throw new ConvergenceError(fn, MAX_SWEEPS, Number.NaN, 'Jacobi sweeps did not orthogonalize the columns');
  if (mode === 'values') return { s: r.s as NDArray<'float64'> };
  return { u: r.u as NDArray<'float64'>, s: r.s as NDArray<'float64'>, vt: r.vt as NDArray<'float64'> };
}
