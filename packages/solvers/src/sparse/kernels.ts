import {
  type CsrOperand,
  DTypeError,
  InvalidArgumentError,
  type KernelArgs,
  type KernelCall,
  type Mat,
  ShapeError,
  type Vec,
  checkBoolean,
  checkNumber,
  checkWritable,
  defineKernel,
  isNDArray,
  separate,
} from '@krylov/core-array';

/**
 * The pure-JS references of the sparse kernels `spmv` and `spmm`, whose signatures (and the
 * `CsrOperand` type) live in core-array's kernel catalogue. Importing this module registers them
 * with the `js` backend. The dispatchers exported here are unvalidated: this package's algorithms
 * call them on operands they have checked; `@krylov/solvers/kernels` exports the validated forms.
 */

/** y = A x over CSR arrays and unit-stride vectors (the common alpha = 1, beta = 0 case). */
function csrMatvec(a: CsrOperand, xd: Vec['data'], xo: number, yd: Vec['data'], yo: number): void {
  const { indptr, indices, data } = a;
  const m = a.shape[0];
  let start = indptr[0];
  for (let i = 0; i < m; i++) {
    const end = indptr[i + 1];
    let s = 0;
    for (let p = start; p < end; p++) s += data[p] * xd[xo + indices[p]];
    yd[yo + i] = s;
    start = end;
  }
}

/** The unvalidated `spmv` dispatcher: y = alpha op(A) x + beta y, x and y with any strides. */
export const spmvKernel = defineKernel('spmv', ({ a, x, y, alpha, beta, transpose }) => {
  const { indptr, indices, data } = a;
  const m = a.shape[0];
  const xd = x.data;
  const xo = x.offset;
  const xs = x.strides[0] ?? 1;
  const yd = y.data;
  const yo = y.offset;
  const ys = y.strides[0] ?? 1;
  if (!transpose) {
    if (alpha === 1 && beta === 0 && xs === 1 && ys === 1) return csrMatvec(a, xd, xo, yd, yo);
    for (let i = 0; i < m; i++) {
      let s = 0;
      for (let p = indptr[i]; p < indptr[i + 1]; p++) s += data[p] * xd[xo + indices[p] * xs];
      const q = yo + i * ys;
      yd[q] = beta === 0 ? alpha * s : alpha * s + beta * yd[q];
    }
    return;
  }
  const n = a.shape[1];
  for (let j = 0, q = yo; j < n; j++, q += ys) yd[q] = beta === 0 ? 0 : beta * yd[q];
  for (let i = 0; i < m; i++) {
    const xi = alpha * xd[xo + i * xs];
    if (xi === 0) continue;
    for (let p = indptr[i]; p < indptr[i + 1]; p++) yd[yo + indices[p] * ys] += data[p] * xi;
  }
});

/** The unvalidated `spmm` dispatcher: C = alpha A B + beta C, B and C with any strides. */
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

const dtypeOf = (a: CsrOperand) => (a.data instanceof Float32Array ? 'float32' : 'float64');

/** A float operand of `a`'s dtype with `ndim` dimensions. */
function operand(fn: string, arg: string, v: unknown, ndim: number, a: CsrOperand): void {
  if (!isNDArray(v)) throw new InvalidArgumentError(fn, arg, v, `a ${ndim}-D NDArray`);
  if (v.dtype !== dtypeOf(a)) throw new DTypeError(fn, arg, v.dtype, `${dtypeOf(a)} like a.data`);
  if (v.ndim !== ndim)
    throw new ShapeError(fn, arg, `expected ${ndim} dimension${ndim > 1 ? 's' : ''}`, v.shape);
}

function checkedSpmv(args: KernelArgs<'spmv'>): KernelArgs<'spmv'> {
  const fn = 'spmv';
  if (args === null || typeof args !== 'object')
    throw new InvalidArgumentError(fn, 'args', args, 'an object');
  const { a, x, y } = args;
  checkCsrOperand(fn, a);
  const transpose = checkBoolean(fn, 'transpose', args.transpose);
  checkNumber(fn, 'alpha', args.alpha);
  checkNumber(fn, 'beta', args.beta);
  const [m, n] = transpose ? [a.shape[1], a.shape[0]] : a.shape;
  operand(fn, 'x', x, 1, a);
  operand(fn, 'y', y, 1, a);
  if (x.size !== n) throw new ShapeError(fn, 'x', `expected length ${n}`, x.shape);
  if (y.size !== m) throw new ShapeError(fn, 'y', `expected length ${m}`, y.shape);
  checkWritable(fn, 'y', y);
  // y sharing memory with x: the kernels overwrite y while reading x, so read a copy (NumPy's rule for out=).
  return { ...args, x: separate(y, x) as Vec };
}

function checkedSpmm(args: KernelArgs<'spmm'>): KernelArgs<'spmm'> {
  const fn = 'spmm';
  if (args === null || typeof args !== 'object')
    throw new InvalidArgumentError(fn, 'args', args, 'an object');
  const { a, b, c } = args;
  checkCsrOperand(fn, a);
  checkNumber(fn, 'alpha', args.alpha);
  checkNumber(fn, 'beta', args.beta);
  operand(fn, 'b', b, 2, a);
  operand(fn, 'c', c, 2, a);
  if (b.shape[0] !== a.shape[1]) throw new ShapeError(fn, 'b', `expected ${a.shape[1]} rows`, b.shape);
  if (c.shape[0] !== a.shape[0] || c.shape[1] !== b.shape[1])
    throw new ShapeError(fn, 'c', `expected shape [${a.shape[0]}, ${b.shape[1]}]`, c.shape);
  checkWritable(fn, 'c', c);
  return { ...args, b: separate(c, b) as Mat };
}

/**
 * The structure of a CSR operand, O(m + nnz): two non-negative integer extents, Int32Array indptr
 * of m + 1 non-decreasing entries from 0, in-range column indices and a float data array of nnz
 * entries. (A `CSRMatrix` was checked when it was built; a plain object is checked here.)
 */
function checkCsrOperand(fn: string, a: unknown): asserts a is CsrOperand {
  const c = a as { shape?: unknown; indptr?: unknown; indices?: unknown; data?: unknown };
  const expected =
    'a CSRMatrix (or a CsrOperand: shape, Int32Array indptr and indices, Float64Array or Float32Array data)';
  if (
    c === null ||
    typeof c !== 'object' ||
    !Array.isArray(c.shape) ||
    c.shape.length !== 2 ||
    !c.shape.every((d) => Number.isInteger(d) && d >= 0) ||
    !(c.indptr instanceof Int32Array) ||
    !(c.indices instanceof Int32Array) ||
    !(c.data instanceof Float64Array || c.data instanceof Float32Array)
  )
    throw new InvalidArgumentError(fn, 'a', a, expected);
  const [m, n] = c.shape as [number, number];
  const { indptr, indices, data } = c;
  if (indptr.length !== m + 1 || indptr[0] !== 0)
    throw new ShapeError(fn, 'a.indptr', `expected ${m + 1} entries starting at 0`, [indptr.length]);
  const nnz = indptr[m];
  if (indices.length < nnz || data.length < nnz)
    throw new ShapeError(fn, 'a.indices', `expected at least nnz = ${nnz} indices and values`, [
      indices.length,
    ]);
  for (let i = 0; i < m; i++)
    if (indptr[i + 1] < indptr[i])
      throw new InvalidArgumentError(fn, `a.indptr[${i + 1}]`, indptr[i + 1], 'a non-decreasing indptr');
  for (let p = 0; p < nnz; p++)
    if (!(indices[p] >= 0 && indices[p] < n))
      throw new InvalidArgumentError(fn, `a.indices[${p}]`, indices[p], `a column index in [0, ${n})`);
}

function validatedKernel<K extends 'spmv' | 'spmm'>(
  inner: KernelCall<K>,
  check: (args: KernelArgs<K>) => KernelArgs<K>,
): KernelCall<K> {
  const call = ((args: KernelArgs<K>) => inner(check(args))) as KernelCall<K>;
  call.async = (args) => {
    try {
      return inner.async(check(args));
    } catch (e) {
      return Promise.reject(e);
    }
  };
  call.explain = (args, mode) => inner.explain(args, mode);
  (call as { reference: unknown }).reference = inner.reference;
  return call;
}

/**
 * y = alpha op(A) x + beta y through the registry (the CSR `spmv` kernel), validated: the CSR
 * structure (O(m + nnz)), dtypes, lengths and scalars are checked, a broadcast y is refused, and a
 * y that shares memory with x is handled by reading a copy of x.
 * Cost: O(m + nnz) per call (validation and product).
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { poisson } from '@krylov/solvers';
 * import { spmv } from '@krylov/solvers/kernels';
 * const a = poisson([3]);
 * const y = array([0, 0, 0]);
 * spmv({ a, x: array([1, 1, 1]), y, alpha: 1, beta: 0, transpose: false }); // y = A x
 * console.assert(y.get(0) === 1 && y.get(1) === 0, 'A ones = [1, 0, 1]');
 * ```
 * @throws ShapeError, DTypeError, InvalidArgumentError.
 */
export const spmv: KernelCall<'spmv'> = validatedKernel(spmvKernel, checkedSpmv);

/**
 * C = alpha A B + beta C through the registry (the CSR `spmm` kernel), validated: the CSR
 * structure, dtypes, shapes and scalars are checked, and a c that shares memory with b is handled
 * by reading a copy of B.
 * Cost: O((m + nnz) + nnz n) per call for n columns.
 * @example
 * ```ts
 * import { array, zeros } from '@krylov/core-array';
 * import { poisson } from '@krylov/solvers';
 * import { spmm } from '@krylov/solvers/kernels';
 * const c = zeros([3, 1]);
 * spmm({ a: poisson([3]), b: array([[1], [1], [1]]), c, alpha: 2, beta: 0 }); // C = 2 A B
 * console.assert(c.get(0, 0) === 2 && c.get(1, 0) === 0, '2 A ones = [2, 0, 2]');
 * ```
 * @throws ShapeError, DTypeError, InvalidArgumentError.
 */
export const spmm: KernelCall<'spmm'> = validatedKernel(spmmKernel, checkedSpmm);
