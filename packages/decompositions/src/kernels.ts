/**
 * @krylov/decompositions/kernels: the LAPACK-style kernel dispatchers of this package (potrf,
 * getrf, geqrf, gesdd, syevd, ...). An internal entry point for plugin authors and the algorithm
 * packages above this one (solvers' refinement and preconditioners), not the public API: semver
 * does not cover it, and users call `cholesky`, `lu`, `qr`, `svd`, `eigh`... Each one validates its operands' structure at the
 * boundary (NDArrays of dtype float64 or float32, two dimensions, square where the routine needs
 * it, matching row counts, in-range indices, known flags) with a typed error naming the kernel and
 * the argument, then dispatches through the registry exactly as the internal, unvalidated calls
 * of this package's algorithms do. The checks are O(1) (ipiv: O(n)); entries are not scanned for
 * NaN or Infinity, which propagate as in LAPACK. The result conventions (LAPACK's `info`, in-place
 * overwrites) are those of `KernelSignatures` in core-array.
 */
import {
  DTypeError,
  InvalidArgumentError,
  type KernelArgs,
  type KernelCall,
  type KernelName,
  type KernelResult,
  ShapeError,
  checkBoolean,
  checkChoice,
  checkInteger,
  checkNumber,
  isNDArray,
} from '@krylov/core-array';
import { potrf as potrfRaw, potrs as potrsRaw } from './factor/cholesky.js';
import { gesv as gesvRaw, getrf as getrfRaw, getrs as getrsRaw } from './factor/lu.js';
import { ormqr as ormqrRaw } from './factor/ormqr.js';
import { geqp3 as geqp3Raw, geqrf as geqrfRaw, orgqr as orgqrRaw } from './factor/qr.js';
import { trtrs as trtrsRaw } from './factor/trtrs.js';
import { syevd as syevdRaw, syevr as syevrRaw } from './spectral/eigh.js';
import { gelsd as gelsdRaw } from './spectral/gelsd.js';
import { geev as geevRaw } from './spectral/schur.js';
import { gesdd as gesddRaw } from './spectral/svd.js';

/** A float64/float32 matrix operand; returns its shape. */
function mat(fn: string, arg: string, a: unknown, square = false): [number, number] {
  if (!isNDArray(a)) throw new InvalidArgumentError(fn, arg, a, 'an NDArray');
  if (a.dtype !== 'float64' && a.dtype !== 'float32')
    throw new DTypeError(fn, arg, a.dtype, 'float64 or float32');
  if (a.ndim !== 2) throw new ShapeError(fn, arg, 'expected a matrix (2 dimensions)', a.shape);
  if (square && a.shape[0] !== a.shape[1]) throw new ShapeError(fn, arg, 'expected a square matrix', a.shape);
  return [a.shape[0], a.shape[1]];
}

/** A float64/float32 vector operand; returns its length. */
function vec(fn: string, arg: string, v: unknown): number {
  if (!isNDArray(v)) throw new InvalidArgumentError(fn, arg, v, 'an NDArray');
  if (v.dtype !== 'float64' && v.dtype !== 'float32')
    throw new DTypeError(fn, arg, v.dtype, 'float64 or float32');
  if (v.ndim !== 1) throw new ShapeError(fn, arg, 'expected a vector (1 dimension)', v.shape);
  return v.shape[0];
}

function rows(fn: string, arg: string, b: unknown, n: number, what: string): void {
  const [m] = mat(fn, arg, b);
  if (m !== n)
    throw new ShapeError(fn, arg, `needs ${n} rows to match ${what}`, (b as { shape: number[] }).shape);
}

function args(fn: string, a: unknown): Record<string, unknown> {
  if (typeof a !== 'object' || a === null)
    throw new InvalidArgumentError(fn, 'args', a, 'an object of operands');
  return a as Record<string, unknown>;
}

/** `raw` with `check` run first on every call (sync and async); `explain` and `reference` unchanged. */
function validated<K extends KernelName>(
  name: K,
  raw: KernelCall<K>,
  check: (a: Record<string, unknown>) => void,
): KernelCall<K> {
  const call = ((a: KernelArgs<K>): KernelResult<K> => {
    check(args(name, a));
    return raw(a);
  }) as KernelCall<K>;
  call.async = (a) => {
    try {
      check(args(name, a));
    } catch (e) {
      return Promise.reject(e);
    }
    return raw.async(a);
  };
  call.explain = (a, mode) => raw.explain(a, mode);
  (call as { reference: KernelCall<K>['reference'] }).reference = raw.reference;
  return call;
}

/**
 * Cholesky in place on the lower triangle (LAPACK ?potrf); returns info. `a`: square. n^3 / 3 flops.
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { potrf } from '@krylov/decompositions/kernels';
 * const a = array([[4, 2], [2, 3]]);
 * const info = potrf({ a }); // in place: the lower triangle becomes L
 * console.assert(info === 0 && a.get(0, 0) === 2 && a.get(1, 0) === 1, 'L = [[2, 0], [1, sqrt 2]]');
 * ```
 * @throws InvalidArgumentError, DTypeError or ShapeError naming the kernel and the argument when an
 *   operand has the wrong type, dtype or shape (see the module comment); numerical failures are
 *   reported through LAPACK's `info`, not thrown.
 */
export const potrf = validated('potrf', potrfRaw, (a) => {
  mat('potrf', 'a', a.a, true);
});

/**
 * Solves L L^T X = B in place on `b` (LAPACK ?potrs). `l`: square n x n; `b`: n rows. 2 n^2 k flops (k right-hand sides).
 * @throws InvalidArgumentError, DTypeError or ShapeError naming the kernel and the argument when an
 *   operand has the wrong type, dtype or shape (see the module comment); numerical failures are
 *   reported through LAPACK's `info`, not thrown.
 */
export const potrs = validated('potrs', potrsRaw, (a) => {
  const [n] = mat('potrs', 'l', a.l, true);
  rows('potrs', 'b', a.b, n, 'l');
});

/**
 * LU with partial pivoting in place (LAPACK ?getrf); returns { ipiv, info }. `a`: any m x n. m n^2 - n^3 / 3 flops (m >= n).
 * @throws InvalidArgumentError, DTypeError or ShapeError naming the kernel and the argument when an
 *   operand has the wrong type, dtype or shape (see the module comment); numerical failures are
 *   reported through LAPACK's `info`, not thrown.
 */
export const getrf = validated('getrf', getrfRaw, (a) => {
  mat('getrf', 'a', a.a);
});

/**
 * Solves A X = B or A^T X = B in place on `b` from getrf's output (LAPACK ?getrs). 2 n^2 k flops.
 * @throws InvalidArgumentError, DTypeError or ShapeError naming the kernel and the argument when an
 *   operand has the wrong type, dtype or shape (see the module comment); numerical failures are
 *   reported through LAPACK's `info`, not thrown.
 */
export const getrs = validated('getrs', getrsRaw, (a) => {
  const fn = 'getrs';
  const [n] = mat(fn, 'lu', a.lu, true);
  const ipiv = a.ipiv;
  if (!(ipiv instanceof Int32Array) || ipiv.length !== n || ipiv.some((p) => !(p >= 0 && p < n)))
    throw new InvalidArgumentError(fn, 'ipiv', ipiv, `an Int32Array of ${n} row indices in [0, ${n})`);
  rows(fn, 'b', a.b, n, 'lu');
  checkBoolean(fn, 'transpose', a.transpose);
});

/**
 * Solves A X = B in place (LAPACK ?gesv); returns info. `a`: square n x n; `b`: n rows. 2 n^3 / 3 + 2 n^2 k flops.
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { gesv } from '@krylov/decompositions/kernels';
 * const a = array([[2, 1], [1, 3]]);
 * const b = array([[3], [4]]);
 * const info = gesv({ a, b }); // b is overwritten by x
 * console.assert(info === 0 && Math.abs(b.get(0, 0) - 1) < 1e-12, 'x = [1, 1]');
 * ```
 * @throws InvalidArgumentError, DTypeError or ShapeError naming the kernel and the argument when an
 *   operand has the wrong type, dtype or shape (see the module comment); numerical failures are
 *   reported through LAPACK's `info`, not thrown.
 */
export const gesv = validated('gesv', gesvRaw, (a) => {
  const [n] = mat('gesv', 'a', a.a, true);
  rows('gesv', 'b', a.b, n, 'a');
});

/**
 * Householder QR in place (LAPACK ?geqrf); returns { tau }. `a`: any m x n. 2 m n^2 - 2 n^3 / 3 flops (m >= n).
 * @throws InvalidArgumentError, DTypeError or ShapeError naming the kernel and the argument when an
 *   operand has the wrong type, dtype or shape (see the module comment); numerical failures are
 *   reported through LAPACK's `info`, not thrown.
 */
export const geqrf = validated('geqrf', geqrfRaw, (a) => {
  mat('geqrf', 'a', a.a);
});

/**
 * QR with column pivoting in place (LAPACK ?geqp3); returns { tau, jpvt }. `a`: any m x n. about the flops of geqrf, 2 m n^2 - 2 n^3 / 3, plus O(m n) for the column norms.
 * @throws InvalidArgumentError, DTypeError or ShapeError naming the kernel and the argument when an
 *   operand has the wrong type, dtype or shape (see the module comment); numerical failures are
 *   reported through LAPACK's `info`, not thrown.
 */
export const geqp3 = validated('geqp3', geqp3Raw, (a) => {
  mat('geqp3', 'a', a.a);
});

/**
 * Forms the first n columns of Q in place from geqrf's reflectors (LAPACK ?orgqr). `a`: m x n, m >= n; `tau`: k <= n. 4 m n k - 2 (m + n) k^2 + 4 k^3 / 3 flops.
 * @throws InvalidArgumentError, DTypeError or ShapeError naming the kernel and the argument when an
 *   operand has the wrong type, dtype or shape (see the module comment); numerical failures are
 *   reported through LAPACK's `info`, not thrown.
 */
export const orgqr = validated('orgqr', orgqrRaw, (a) => {
  const fn = 'orgqr';
  const [m, n] = mat(fn, 'a', a.a);
  if (m < n) throw new ShapeError(fn, 'a', 'expected at least as many rows as columns', [m, n]);
  const k = vec(fn, 'tau', a.tau);
  if (k > n) throw new ShapeError(fn, 'tau', `expected at most ${n} reflectors (a's columns)`, [k]);
});

/**
 * C = op(Q) C or C op(Q) in place, Q from geqrf's reflectors (LAPACK ?ormqr). about 4 m n k flops (left side; 4 n m k right).
 * @throws InvalidArgumentError, DTypeError or ShapeError naming the kernel and the argument when an
 *   operand has the wrong type, dtype or shape (see the module comment); numerical failures are
 *   reported through LAPACK's `info`, not thrown.
 */
export const ormqr = validated('ormqr', ormqrRaw, (a) => {
  const fn = 'ormqr';
  const side = checkChoice(fn, 'side', a.side, ['left', 'right'] as const);
  checkBoolean(fn, 'transpose', a.transpose);
  const [m, n] = mat(fn, 'c', a.c);
  const [ar, ac] = mat(fn, 'a', a.a);
  const k = vec(fn, 'tau', a.tau);
  const order = side === 'left' ? m : n;
  if (ar !== order)
    throw new ShapeError(fn, 'a', `needs ${order} rows (the ${side === 'left' ? 'rows' : 'columns'} of c)`, [
      ar,
      ac,
    ]);
  if (k > ac || k > ar)
    throw new ShapeError(
      fn,
      'tau',
      `expected at most min(a's rows, a's columns) = ${Math.min(ar, ac)} reflectors`,
      [k],
    );
});

/**
 * Triangular solve in place on `b` (LAPACK ?trtrs); returns info. `a`: square n x n; `b`: n rows. n^2 k flops.
 * @throws InvalidArgumentError, DTypeError or ShapeError naming the kernel and the argument when an
 *   operand has the wrong type, dtype or shape (see the module comment); numerical failures are
 *   reported through LAPACK's `info`, not thrown.
 */
export const trtrs = validated('trtrs', trtrsRaw, (a) => {
  const fn = 'trtrs';
  const [n] = mat(fn, 'a', a.a, true);
  rows(fn, 'b', a.b, n, 'a');
  checkBoolean(fn, 'lower', a.lower);
  checkBoolean(fn, 'transpose', a.transpose);
  checkBoolean(fn, 'unitDiag', a.unitDiag);
});

/**
 * SVD (LAPACK ?gesdd); `a` may be overwritten. `job`: 'thin', 'full' or 'values'. O(m n min(m, n)) flops.
 * @throws InvalidArgumentError, DTypeError or ShapeError naming the kernel and the argument when an
 *   operand has the wrong type, dtype or shape (see the module comment); numerical failures are
 *   reported through LAPACK's `info`, not thrown.
 */
export const gesdd = validated('gesdd', gesddRaw, (a) => {
  mat('gesdd', 'a', a.a);
  checkChoice('gesdd', 'job', a.job, ['thin', 'full', 'values'] as const);
});

/**
 * Symmetric eigendecomposition from the lower triangle (LAPACK ?syevd). `a`: square. O(n^3) flops (about 4 n^3 / 3 values only, 9 n^3 with vectors).
 * @throws InvalidArgumentError, DTypeError or ShapeError naming the kernel and the argument when an
 *   operand has the wrong type, dtype or shape (see the module comment); numerical failures are
 *   reported through LAPACK's `info`, not thrown.
 */
export const syevd = validated('syevd', syevdRaw, (a) => {
  mat('syevd', 'a', a.a, true);
  checkBoolean('syevd', 'vectors', a.vectors);
});

/**
 * Eigenpairs il..iu of a symmetric matrix from its lower triangle (LAPACK ?syevr); iu = il - 1 asks for none. O(n^3) flops for the tridiagonalization plus O(n k) for k = iu - il + 1 pairs.
 * @throws InvalidArgumentError, DTypeError or ShapeError naming the kernel and the argument when an
 *   operand has the wrong type, dtype or shape (see the module comment); numerical failures are
 *   reported through LAPACK's `info`, not thrown.
 */
export const syevr = validated('syevr', syevrRaw, (a) => {
  const fn = 'syevr';
  const [n] = mat(fn, 'a', a.a, true);
  checkBoolean(fn, 'vectors', a.vectors);
  const il = checkInteger(fn, 'il', a.il, { min: 0, max: n });
  checkInteger(fn, 'iu', a.iu, { min: il - 1, max: n - 1 });
});

/**
 * Nonsymmetric eigenproblem (LAPACK ?geev). `a`: square. O(n^3) flops (about 10 n^3 values only, 25 n^3 with vectors).
 * @throws InvalidArgumentError, DTypeError or ShapeError naming the kernel and the argument when an
 *   operand has the wrong type, dtype or shape (see the module comment); numerical failures are
 *   reported through LAPACK's `info`, not thrown.
 */
export const geev = validated('geev', geevRaw, (a) => {
  mat('geev', 'a', a.a, true);
  checkBoolean('geev', 'vectors', a.vectors);
});

/**
 * Minimum-norm least squares by the SVD (LAPACK ?gelsd). `b`: as many rows as `a`; `rcond` finite (< 0: eps). O(m n min(m, n)) flops.
 * @throws InvalidArgumentError, DTypeError or ShapeError naming the kernel and the argument when an
 *   operand has the wrong type, dtype or shape (see the module comment); numerical failures are
 *   reported through LAPACK's `info`, not thrown.
 */
export const gelsd = validated('gelsd', gelsdRaw, (a) => {
  const fn = 'gelsd';
  const [m] = mat(fn, 'a', a.a);
  rows(fn, 'b', a.b, m, 'a');
  checkNumber(fn, 'rcond', a.rcond);
});
