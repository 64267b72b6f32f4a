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

/** Cholesky in place on the lower triangle (LAPACK ?potrf); returns info. `a`: square. */
export const potrf = validated('potrf', potrfRaw, (a) => {
  mat('potrf', 'a', a.a, true);
});

/** Solves L L^T X = B in place on `b` (LAPACK ?potrs). `l`: square n x n; `b`: n rows. */
export const potrs = validated('potrs', potrsRaw, (a) => {
  const [n] = mat('potrs', 'l', a.l, true);
  rows('potrs', 'b', a.b, n, 'l');
});

/** LU with partial pivoting in place (LAPACK ?getrf); returns { ipiv, info }. `a`: any m x n. */
export const getrf = validated('getrf', getrfRaw, (a) => {
  mat('getrf', 'a', a.a);
});

/** Solves A X = B or A^T X = B in place on `b` from getrf's output (LAPACK ?getrs). */
export const getrs = validated('getrs', getrsRaw, (a) => {
  const fn = 'getrs';
  const [n] = mat(fn, 'lu', a.lu, true);
  const ipiv = a.ipiv;
  if (!(ipiv instanceof Int32Array) || ipiv.length !== n || ipiv.some((p) => !(p >= 0 && p < n)))
    throw new InvalidArgumentError(fn, 'ipiv', ipiv, `an Int32Array of ${n} row indices in [0, ${n})`);
  rows(fn, 'b', a.b, n, 'lu');
  checkBoolean(fn, 'transpose', a.transpose);
});

/** Solves A X = B in place (LAPACK ?gesv); returns info. `a`: square n x n; `b`: n rows. */
export const gesv = validated('gesv', gesvRaw, (a) => {
  const [n] = mat('gesv', 'a', a.a, true);
  rows('gesv', 'b', a.b, n, 'a');
});

/** Householder QR in place (LAPACK ?geqrf); returns { tau }. `a`: any m x n. */
export const geqrf = validated('geqrf', geqrfRaw, (a) => {
  mat('geqrf', 'a', a.a);
});

/** QR with column pivoting in place (LAPACK ?geqp3); returns { tau, jpvt }. `a`: any m x n. */
export const geqp3 = validated('geqp3', geqp3Raw, (a) => {
  mat('geqp3', 'a', a.a);
});

/** Forms the first n columns of Q in place from geqrf's reflectors (LAPACK ?orgqr). `a`: m x n, m >= n; `tau`: k <= n. */
export const orgqr = validated('orgqr', orgqrRaw, (a) => {
  const fn = 'orgqr';
  const [m, n] = mat(fn, 'a', a.a);
  if (m < n) throw new ShapeError(fn, 'a', 'expected at least as many rows as columns', [m, n]);
  const k = vec(fn, 'tau', a.tau);
  if (k > n) throw new ShapeError(fn, 'tau', `expected at most ${n} reflectors (a's columns)`, [k]);
});

/** C = op(Q) C or C op(Q) in place, Q from geqrf's reflectors (LAPACK ?ormqr). */
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

/** Triangular solve in place on `b` (LAPACK ?trtrs); returns info. `a`: square n x n; `b`: n rows. */
export const trtrs = validated('trtrs', trtrsRaw, (a) => {
  const fn = 'trtrs';
  const [n] = mat(fn, 'a', a.a, true);
  rows(fn, 'b', a.b, n, 'a');
  checkBoolean(fn, 'lower', a.lower);
  checkBoolean(fn, 'transpose', a.transpose);
  checkBoolean(fn, 'unitDiag', a.unitDiag);
});

/** SVD (LAPACK ?gesdd); `a` may be overwritten. `job`: 'thin', 'full' or 'values'. */
export const gesdd = validated('gesdd', gesddRaw, (a) => {
  mat('gesdd', 'a', a.a);
  checkChoice('gesdd', 'job', a.job, ['thin', 'full', 'values'] as const);
});

/** Symmetric eigendecomposition from the lower triangle (LAPACK ?syevd). `a`: square. */
export const syevd = validated('syevd', syevdRaw, (a) => {
  mat('syevd', 'a', a.a, true);
  checkBoolean('syevd', 'vectors', a.vectors);
});

/** Eigenpairs il..iu of a symmetric matrix from its lower triangle (LAPACK ?syevr); iu = il - 1 asks for none. */
export const syevr = validated('syevr', syevrRaw, (a) => {
  const fn = 'syevr';
  const [n] = mat(fn, 'a', a.a, true);
  checkBoolean(fn, 'vectors', a.vectors);
  const il = checkInteger(fn, 'il', a.il, { min: 0, max: n });
  checkInteger(fn, 'iu', a.iu, { min: il - 1, max: n - 1 });
});

/** Nonsymmetric eigenproblem (LAPACK ?geev). `a`: square. */
export const geev = validated('geev', geevRaw, (a) => {
  mat('geev', 'a', a.a, true);
  checkBoolean('geev', 'vectors', a.vectors);
});

/** Minimum-norm least squares by the SVD (LAPACK ?gelsd). `b`: as many rows as `a`; `rcond` finite (< 0: eps). */
export const gelsd = validated('gelsd', gelsdRaw, (a) => {
  const fn = 'gelsd';
  const [m] = mat(fn, 'a', a.a);
  rows(fn, 'b', a.b, m, 'a');
  checkNumber(fn, 'rcond', a.rcond);
});
