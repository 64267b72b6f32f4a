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

const MAX_SWEEPS = 60;

/**
 * Symmetric eigendecomposition by the cyclic Jacobi method (Jacobi 1846; Rutishauser's stable
 * rotation formulas, Golub & Van Loan 4th ed. section 8.5): rotations zero each off-diagonal pair
 * in turn until the off-diagonal norm is below eps times the norm of A. Jacobi is slower than
 * tridiagonal QR for large n but computes small eigenvalues to high relative accuracy (Demmel &
 * Veselic 1992). Reads the lower triangle. O(n^3) per sweep, typically 6-10 sweeps.
 * Returns info > 0 when it did not converge.
 */
export const syevd = defineKernel('syevd', ({ a, vectors }) => {
  const n = a.shape[0];
  const w = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) w[i * n + j] = w[j * n + i] = a.get(i, j);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  let total = 0;
  for (const x of w) total += x * x;
  const tol = 2 ** -53 * Math.sqrt(total);
  let info = 1;
  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += 2 * w[p * n + q] ** 2;
    if (Math.sqrt(off) <= tol) {
      info = 0;
      break;
    }
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = w[p * n + q];
        if (apq === 0) continue;
        const theta = (w[q * n + q] - w[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.hypot(theta, 1));
        const c = 1 / Math.hypot(t, 1);
        const s = t * c;
        // A <- J^T A J on columns then rows p, q (both copies stay symmetric), V <- V J
        rotate(w, p, q, n, n, c, s);
        rotate(w, p * n, q * n, 1, n, c, s);
        w[p * n + q] = w[q * n + p] = 0;
        if (vectors) rotate(v, p, q, n, n, c, s);
      }
    }
  }
  if (n <= 1) info = 0;
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => w[x * n + x] - w[y * n + y]);
  const Ctor = a.data.constructor as Float64ArrayConstructor;
  const values = new NDArray(
    Ctor.from(order, (i) => w[i * n + i]),
    [n],
  ) as Vec;
  if (!vectors) return { w: values, v: null, info };
  const vs = new NDArray(new Ctor(n * n), [n, n]) as Mat;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) vs.data[i * n + j] = v[i * n + order[j]];
  return { w: values, v: vs, info };
});

/**
 * Eigenvalues (ascending) and orthonormal eigenvectors (columns) of a symmetric matrix, from its
 * lower triangle (numpy.linalg.eigh). `range: [il, iu]` keeps eigenpairs il..iu (0-based,
 * inclusive). Backward error O(n eps ||A||) (the scaled residual ||A V - V W|| / (n eps ||A||) is
 * tested against LAPACK's threshold 60). O(n^3) per Jacobi sweep.
 * @throws ConvergenceError after 60 sweeps; ShapeError; InvalidArgumentError for non-finite entries or a bad range.
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
      MAX_SWEEPS,
      Number.NaN,
      'Jacobi sweeps did not reduce the off-diagonal part',
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
