import {
  InvalidArgumentError,
  type KernelArgs,
  type KernelCall,
  type Mat,
  ShapeError,
  checkBoolean,
  checkNumber,
  defineKernel,
  isNDArray,
} from '@krylov/core-array';
import { float64Operand, overlaps } from '../vector.js';

/** The arrays of a compressed-row matrix, as the sparse kernels take them. */
export interface CsrArrays {
  readonly shape: readonly [number, number];
  readonly indptr: Int32Array;
  readonly indices: Int32Array;
  readonly data: Float64Array;
}

declare module '@krylov/core-array' {
  interface KernelSignatures {
    /** y = alpha op(A) x + beta y for a CSR matrix A (op(A) = A^T when `transpose`); beta = 0 ignores y's contents. */
    spmv: {
      args: {
        a: CsrArrays;
        x: Float64Array;
        y: Float64Array;
        alpha: number;
        beta: number;
        transpose: boolean;
      };
      result: void;
    };
    /** C = alpha A B + beta C for a CSR matrix A and dense row-major-or-strided B, C. */
    spmm: { args: { a: CsrArrays; b: Mat; c: Mat; alpha: number; beta: number }; result: void };
  }
}

/** y = A x over CSR arrays (the common alpha = 1, beta = 0 case, without the per-row scaling). */
function csrMatvec(
  indptr: Int32Array,
  indices: Int32Array,
  data: Float64Array,
  x: Float64Array,
  y: Float64Array,
  m: number,
): void {
  let start = indptr[0];
  for (let i = 0; i < m; i++) {
    const end = indptr[i + 1];
    let s = 0;
    for (let p = start; p < end; p++) s += data[p] * x[indices[p]];
    y[i] = s;
    start = end;
  }
}

/** The unvalidated dispatcher (internal: callers validate first). */
export const spmvKernel = defineKernel('spmv', ({ a, x, y, alpha, beta, transpose }) => {
  const { indptr, indices, data } = a;
  const m = a.shape[0];
  if (!transpose) {
    if (alpha === 1 && beta === 0) return csrMatvec(indptr, indices, data, x, y, m);
    for (let i = 0; i < m; i++) {
      let s = 0;
      for (let p = indptr[i]; p < indptr[i + 1]; p++) s += data[p] * x[indices[p]];
      y[i] = beta === 0 ? alpha * s : alpha * s + beta * y[i];
    }
    return;
  }
  if (beta === 0) y.fill(0);
  else if (beta !== 1) for (let j = 0; j < y.length; j++) y[j] *= beta;
  for (let i = 0; i < m; i++) {
    const xi = alpha * x[i];
    if (xi === 0) continue;
    for (let p = indptr[i]; p < indptr[i + 1]; p++) y[indices[p]] += data[p] * xi;
  }
});

/** The unvalidated dispatcher (internal: callers validate first). */
export const spmmKernel = defineKernel('spmm', ({ a, b, c, alpha, beta }) => {
  const { indptr, indices, data } = a;
  const [m] = a.shape;
  const n = b.shape[1];
  const [bs0, bs1] = b.strides;
  const [cs0, cs1] = c.strides;
  const bd = b.data;
  const cd = c.data;
  const row = new Float64Array(n);
  for (let i = 0; i < m; i++) {
    row.fill(0);
    for (let p = indptr[i]; p < indptr[i + 1]; p++) {
      const v = data[p];
      const base = b.offset + indices[p] * bs0;
      for (let j = 0; j < n; j++) row[j] += v * bd[base + j * bs1];
    }
    const cb = c.offset + i * cs0;
    for (let j = 0; j < n; j++) {
      const at = cb + j * cs1;
      cd[at] = beta === 0 ? alpha * row[j] : alpha * row[j] + beta * cd[at];
    }
  }
});

function checkedSpmv(args: KernelArgs<'spmv'>): KernelArgs<'spmv'> {
  const fn = 'spmv';
  if (args === null || typeof args !== 'object')
    throw new InvalidArgumentError(fn, 'args', args, 'an object');
  const { a, x, y } = args;
  checkCsrArrays(fn, a);
  const transpose = checkBoolean(fn, 'transpose', args.transpose);
  checkNumber(fn, 'alpha', args.alpha);
  checkNumber(fn, 'beta', args.beta);
  const [m, n] = a.shape;
  float64Operand(fn, 'x', x, transpose ? m : n);
  float64Operand(fn, 'y', y, transpose ? n : m);
  // y aliasing x: the kernels overwrite y while reading x, so read a copy (NumPy's rule for out=).
  return overlaps(x, y) ? { ...args, x: x.slice() } : args;
}

function checkedSpmm(args: KernelArgs<'spmm'>): KernelArgs<'spmm'> {
  const fn = 'spmm';
  if (args === null || typeof args !== 'object')
    throw new InvalidArgumentError(fn, 'args', args, 'an object');
  const { a, b, c } = args;
  checkCsrArrays(fn, a);
  checkNumber(fn, 'alpha', args.alpha);
  checkNumber(fn, 'beta', args.beta);
  for (const [arg, v] of [
    ['b', b],
    ['c', c],
  ] as const)
    if (!isNDArray(v) || v.ndim !== 2) throw new InvalidArgumentError(fn, arg, v, 'a 2-D NDArray');
  if (b.shape[0] !== a.shape[1]) throw new ShapeError(fn, 'b', `expected ${a.shape[1]} rows`, b.shape);
  if (c.shape[0] !== a.shape[0] || c.shape[1] !== b.shape[1])
    throw new ShapeError(fn, 'c', `expected shape [${a.shape[0]}, ${b.shape[1]}]`, c.shape);
  return overlaps(b.data, c.data) ? { ...args, b: b.copy() as Mat } : args;
}

function checkCsrArrays(fn: string, a: unknown): void {
  const c = a as { shape?: unknown; indptr?: unknown; indices?: unknown; data?: unknown };
  if (
    c === null ||
    typeof c !== 'object' ||
    !Array.isArray(c.shape) ||
    !(c.indptr instanceof Int32Array) ||
    !(c.indices instanceof Int32Array) ||
    !(c.data instanceof Float64Array)
  )
    throw new InvalidArgumentError(
      fn,
      'a',
      a,
      'a CSRMatrix (or CSR arrays: shape, Int32Array indptr/indices, Float64Array data)',
    );
}

function publicKernel<K extends 'spmv' | 'spmm'>(
  inner: KernelCall<K>,
  check: (args: KernelArgs<K>) => KernelArgs<K>,
): KernelCall<K> {
  const call = ((args: KernelArgs<K>) => inner(check(args))) as KernelCall<K>;
  call.async = (args) => inner.async(check(args));
  call.explain = (args, mode) => inner.explain(args, mode);
  (call as { reference: unknown }).reference = inner.reference;
  return call;
}

/**
 * y = alpha op(A) x + beta y through the registry (the CSR `spmv` kernel), validated: lengths,
 * dtypes and scalars are checked, and a `y` that overlaps `x` is handled by reading a copy of x.
 * @throws ShapeError, DTypeError, InvalidArgumentError.
 */
export const spmv: KernelCall<'spmv'> = publicKernel(spmvKernel, checkedSpmv);

/**
 * C = alpha A B + beta C through the registry (the CSR `spmm` kernel), validated: shapes and scalars
 * are checked, and a `c` that shares memory with `b` is handled by reading a copy of B.
 * @throws ShapeError, InvalidArgumentError.
 */
export const spmm: KernelCall<'spmm'> = publicKernel(spmmKernel, checkedSpmm);
