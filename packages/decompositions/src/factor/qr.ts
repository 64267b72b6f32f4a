import {
  NDArray as Arr,
  type DType,
  type FloatDType,
  type NDArray,
  ShapeError,
  type Vec,
  checkOptions,
  defineKernel,
  optionKeys,
  zeros,
} from '@krylov/core-array';
import { overStack } from '../util/batch.js';
import {
  type Floating,
  checkArray,
  checkMatrix,
  floating,
  optBoolean,
  optChoice,
  workingCopy,
} from '../util/validate.js';
import { rowMajor } from './dense.js';
import { geqrfRaw, householder, orgqrRaw, reflectColumns } from './householder.js';

/** A length-k vector of the matrix's dtype holding `values`. */
function tauVector(like: NDArray, values: Float64Array): Vec {
  const Ctor = like.data.constructor as Float64ArrayConstructor;
  return new Arr(Ctor.from(values), [values.length]) as Vec;
}

/**
 * Householder QR in place (LAPACK dgeqrf, blocked with compact WY): column k is reduced by the
 * reflector H = I - tau v v^T with v(k) = 1 stored below the diagonal, R on and above it. Panels
 * are factored one column at a time on the raw row-major buffer; the trailing matrix is updated
 * by the panel's block reflector I - V T^T V^T with two gemms. The norm uses the scaled form of
 * dnrm2 and beta = -sign(alpha) ||x|| avoids cancellation (dlarfg). O(2 m n^2 - 2/3 n^3).
 */
export const geqrf = defineKernel('geqrf', ({ a }) => {
  const [m, n] = a.shape;
  const x = rowMajor(a);
  const tau = new Float64Array(Math.min(m, n));
  geqrfRaw(x, 0, 0, m, n, tau);
  x.commit();
  return { tau: tauVector(a, tau) };
});

/**
 * QR with column pivoting A P = Q R (LAPACK dgeqp3, Businger & Golub 1965): at each step the
 * remaining column of largest norm is moved forward, so |R| decreases along its diagonal and reveals
 * the numerical rank. Column norms are downdated and recomputed when cancellation makes the
 * downdate unreliable (Drmac & Bujanovic 2008, LAWN 176). O(4 m n k - 2 (m + n) k^2 + 4/3 k^3).
 */
export const geqp3 = defineKernel('geqp3', ({ a }) => {
  const [m, n] = a.shape;
  const k = Math.min(m, n);
  const tau = new Float64Array(k);
  const jpvt = Int32Array.from({ length: n }, (_, j) => j);
  const x = rowMajor(a);
  const { d, o, ld } = x;
  const colNorm = (j: number, from: number) => {
    let s = 0;
    for (let i = from; i < m; i++) s = Math.hypot(s, d[o + i * ld + j]);
    return s;
  };
  const vn1 = Float64Array.from({ length: n }, (_, j) => colNorm(j, 0));
  const vn2 = Float64Array.from(vn1);
  const tol = Math.sqrt(2 ** -52);
  const w = new Float64Array(n);
  for (let c = 0; c < k; c++) {
    let p = c;
    for (let j = c + 1; j < n; j++) if (vn1[j] > vn1[p]) p = j;
    if (p !== c) {
      for (let i = 0, r = o; i < m; i++, r += ld) [d[r + c], d[r + p]] = [d[r + p], d[r + c]];
      [jpvt[c], jpvt[p]] = [jpvt[p], jpvt[c]];
      vn1[p] = vn1[c];
      vn2[p] = vn2[c];
    }
    tau[c] = householder(d, o + c * ld + c, ld, m - c);
    reflectColumns(x, c, m - c, c, tau[c], c + 1, n, w);
    for (let j = c + 1; j < n; j++) {
      if (vn1[j] === 0) continue;
      const ratio = Math.abs(d[o + c * ld + j]) / vn1[j];
      const temp = Math.max(0, 1 - ratio * ratio);
      if (temp * (vn1[j] / vn2[j]) ** 2 <= tol) {
        vn1[j] = colNorm(j, c + 1);
        vn2[j] = vn1[j];
      } else {
        vn1[j] *= Math.sqrt(temp);
      }
    }
  }
  x.commit();
  return { tau: tauVector(a, tau), jpvt };
});

/**
 * Overwrites the m x n reflector block from geqrf with the first n columns of Q (LAPACK dorgqr,
 * blocked: each block of reflectors applied by its compact WY form). O(4 m n^2 - 4/3 n^3).
 */
export const orgqr = defineKernel('orgqr', ({ a, tau }) => {
  const [m, n] = a.shape;
  const k = tau.shape[0];
  const taus = Float64Array.from({ length: k }, (_, j) => tau.data[tau.offset + j * (tau.strides[0] ?? 1)]);
  const x = rowMajor(a);
  orgqrRaw(x, 0, 0, m, n, k, taus);
  x.commit();
});

export type QRMode = 'reduced' | 'complete' | 'r';

/** `qr`'s result: Q (null in mode 'r'), R and, with pivoting, the column order. */
export interface QR<D extends FloatDType> {
  q: NDArray<D> | null;
  r: NDArray<D>;
  p?: Int32Array;
}

const QR_OPTIONS_KEYS = optionKeys<QrOptions>()('mode', 'pivoting');

/** Options of {@link qr}. */
export type QrOptions = { mode?: QRMode; pivoting?: boolean };

/**
 * QR factorization A = Q R by Householder reflections (LAPACK dgeqrf + dorgqr), as
 * numpy.linalg.qr: 'reduced' gives Q m x k and R k x n (k = min(m, n)), 'complete' Q m x m, 'r'
 * only R. With `pivoting`, A[:, p] = Q R with column pivoting (dgeqp3) and `p` the column order.
 * A float32 matrix is factored in float32. O(2 m n^2 - 2/3 n^3) for R, as much again for Q.
 * @example
 * ```ts
 * import { matmul, norm, rng, sub } from '@krylov/core-array';
 * import { qr } from '@krylov/decompositions';
 * const a = rng(1).normal([5, 3]);
 * const { q, r } = qr(a); // reduced: q 5 x 3 with orthonormal columns, r 3 x 3 upper triangular
 * console.assert(q.shape[1] === 3 && norm(sub(matmul(q, r), a)).item() < 1e-12, 'Q R = A');
 * ```
 * @throws ShapeError, DTypeError, InvalidArgumentError for non-finite entries, an unknown mode or a
 *   non-boolean pivoting.
 */
export function qr<D extends DType>(a: NDArray<D>, options?: QrOptions): QR<Floating<D>> {
  checkOptions('qr', options, QR_OPTIONS_KEYS);
  const mode = optChoice('qr', 'options.mode', options?.mode, 'reduced', [
    'reduced',
    'complete',
    'r',
  ] as const);
  const pivoting = optBoolean('qr', 'options.pivoting', options?.pivoting, false);
  checkArray('qr', 'a', a);
  if (a.ndim > 2) {
    // A stack's permutations are an int32 array, not the Int32Array of one matrix: batched(qr) gives them.
    if (pivoting)
      throw new ShapeError(
        'qr',
        'a',
        'a stack with pivoting: use batched(qr)(a, { pivoting: true })',
        a.shape,
      );
    return overStack('qr', [a], [2], (m) => {
      const { q, r } = qr(m, options);
      return { q, r };
    }) as QR<Floating<D>>;
  }
  const dtype = floating(a) as Floating<D>;
  const w = workingCopy('qr', 'a', a, false, dtype);
  const [m, n] = w.shape;
  const k = Math.min(m, n);
  const { tau, jpvt } = pivoting ? geqp3({ a: w }) : { ...geqrf({ a: w }), jpvt: undefined };
  const rows = mode === 'complete' ? m : k;
  const r = zeros([rows, n], { dtype });
  for (let i = 0; i < Math.min(rows, k); i++)
    for (let j = i; j < n; j++) r.data[i * n + j] = w.data[i * n + j];
  const pivots = jpvt ? { p: jpvt } : {};
  if (mode === 'r') return { q: null, r, ...pivots };
  const cols = mode === 'complete' ? m : k;
  const q = zeros([m, cols], { dtype });
  for (let i = 0; i < m; i++)
    for (let j = 0; j < Math.min(cols, n); j++) q.data[i * cols + j] = w.data[i * n + j];
  orgqr({ a: q, tau });
  return { q, r, ...pivots };
}
