import {
  type CsrOperand,
  DTypeError,
  InvalidArgumentError,
  type NDArray,
  ShapeError,
  checkInteger,
  checkNumber,
  isNDArray,
  zeros,
} from '@krylov/core-array';
import { asVec, float64Operand, overlaps, requireFinite } from '../vector.js';
import { spmmKernel, spmvKernel } from './kernels.js';

type Shape = readonly [number, number];

function checkShape(fn: string, shape: readonly number[]): Shape {
  if (!Array.isArray(shape) || shape.length !== 2 || !shape.every((d) => Number.isInteger(d) && d >= 0))
    throw new InvalidArgumentError(fn, 'shape', shape, 'two non-negative integers');
  return [shape[0], shape[1]];
}

function checkIndices(fn: string, arg: string, idx: ArrayLike<number>, bound: number): void {
  for (let p = 0; p < idx.length; p++) {
    const v = idx[p];
    if (!Number.isInteger(v) || v < 0 || v >= bound)
      throw new InvalidArgumentError(fn, `${arg}[${p}]`, v, `an integer in [0, ${bound})`);
  }
}

/**
 * A sparse matrix in coordinate format (scipy.sparse.coo_array): parallel arrays of row indices,
 * column indices and values. Duplicates are allowed and summed on conversion. Build it, then
 * convert to CSR or CSC for arithmetic (O(nnz + m) and O(nnz + n)). Values are float64.
 * @example
 * ```ts
 * import { COOMatrix } from '@krylov/solvers';
 * // triplets (row, col, value); duplicates are summed on conversion
 * const a = new COOMatrix([2, 2], [0, 1, 1], [0, 1, 1], [4, 2, 3]);
 * const csr = a.toCSR();
 * console.assert(csr.get(0, 0) === 4 && csr.get(1, 1) === 5 && csr.nnz === 2, 'duplicates summed');
 * ```
 */
export class COOMatrix {
  readonly shape: Shape;
  readonly rows: Int32Array;
  readonly cols: Int32Array;
  readonly values: Float64Array;

  /**
   * @throws InvalidArgumentError on a bad shape, an index out of range or a non-finite value;
   *   ShapeError when the three arrays differ in length.
   */
  constructor(
    shape: readonly number[],
    rows: ArrayLike<number>,
    cols: ArrayLike<number>,
    values: ArrayLike<number>,
  ) {
    const fn = 'COOMatrix';
    this.shape = checkShape(fn, shape);
    if (rows.length !== cols.length || rows.length !== values.length)
      throw new ShapeError(
        fn,
        'values',
        `rows, cols and values need equal lengths (${rows.length}, ${cols.length}, ${values.length})`,
      );
    checkIndices(fn, 'rows', rows, this.shape[0]);
    checkIndices(fn, 'cols', cols, this.shape[1]);
    requireFinite(fn, 'values', values);
    this.rows = Int32Array.from(rows);
    this.cols = Int32Array.from(cols);
    this.values = Float64Array.from(values);
  }

  /** Stored entries, duplicates counted. */
  get nnz(): number {
    return this.values.length;
  }

  /** Sorted, duplicate-summed CSR. O(nnz + m). */
  toCSR(): CSRMatrix {
    const [m, n] = this.shape;
    return new CSRMatrix([m, n], ...compress(m, n, this.rows, this.cols, this.values));
  }

  /** Sorted, duplicate-summed CSC. O(nnz + n). */
  toCSC(): CSCMatrix {
    const [m, n] = this.shape;
    return new CSCMatrix([m, n], ...compress(n, m, this.cols, this.rows, this.values));
  }

  toDense(): NDArray<'float64'> {
    const [m, n] = this.shape;
    const out = zeros([m, n]);
    for (let p = 0; p < this.nnz; p++) out.data[this.rows[p] * n + this.cols[p]] += this.values[p];
    return out;
  }

  transpose(): COOMatrix {
    return new COOMatrix([this.shape[1], this.shape[0]], this.cols, this.rows, this.values);
  }
}

/** Counting sort of triplets by major index, then minor index within each major line; duplicates summed. */
function compress(
  nMajor: number,
  nMinor: number,
  major: Int32Array,
  minor: Int32Array,
  values: Float64Array,
): [Int32Array, Int32Array, Float64Array] {
  const count = new Int32Array(nMajor + 1);
  for (let p = 0; p < major.length; p++) count[major[p] + 1]++;
  for (let i = 0; i < nMajor; i++) count[i + 1] += count[i];
  const next = count.slice();
  const idx = new Int32Array(major.length);
  const val = new Float64Array(major.length);
  for (let p = 0; p < major.length; p++) {
    const q = next[major[p]]++;
    idx[q] = minor[p];
    val[q] = values[p];
  }
  // Sort each line by minor index with a dense marker, summing duplicates (O(nnz + nMinor) per pass).
  const indptr = new Int32Array(nMajor + 1);
  const outIdx = new Int32Array(major.length);
  const outVal = new Float64Array(major.length);
  const where = new Int32Array(nMinor).fill(-1);
  let nz = 0;
  for (let i = 0; i < nMajor; i++) {
    const start = nz;
    for (let p = count[i]; p < count[i + 1]; p++) {
      const j = idx[p];
      if (where[j] >= start) outVal[where[j]] += val[p];
      else {
        where[j] = nz;
        outIdx[nz] = j;
        outVal[nz++] = val[p];
      }
    }
    sortLine(outIdx, outVal, start, nz);
    indptr[i + 1] = nz;
  }
  return [indptr, outIdx.slice(0, nz), outVal.slice(0, nz)];
}

function sortLine(idx: Int32Array, val: Float64Array, lo: number, hi: number): void {
  for (let p = lo + 1; p < hi; p++) {
    const j = idx[p];
    const v = val[p];
    let q = p - 1;
    while (q >= lo && idx[q] > j) {
      idx[q + 1] = idx[q];
      val[q + 1] = val[q];
      q--;
    }
    idx[q + 1] = j;
    val[q + 1] = v;
  }
}

function checkCompressed(
  fn: string,
  nMajor: number,
  nMinor: number,
  indptr: Int32Array,
  indices: Int32Array,
  data: Float64Array,
): void {
  for (const [arg, v, want] of [
    ['indptr', indptr, Int32Array],
    ['indices', indices, Int32Array],
    ['data', data, Float64Array],
  ] as const)
    if (!(v instanceof want)) {
      if (ArrayBuffer.isView(v)) throw new DTypeError(fn, arg, v.constructor.name, `an ${want.name}`);
      throw new InvalidArgumentError(fn, arg, v, `an ${want.name}`);
    }
  const major = fn.startsWith('CSC') ? 'columns' : 'rows';
  if (indptr.length !== nMajor + 1)
    throw new ShapeError(fn, 'indptr', `expected length ${nMajor + 1} (${major} + 1), got ${indptr.length}`, [
      indptr.length,
    ]);
  if (indices.length !== data.length)
    throw new ShapeError(
      fn,
      'data',
      `indices and data need equal lengths (got ${indices.length} and ${data.length})`,
      [data.length],
    );
  if (indptr[0] !== 0 || indptr[nMajor] !== data.length)
    throw new InvalidArgumentError(
      fn,
      'indptr',
      Array.from(indptr.subarray(0, 8)),
      `to start at 0 and end at nnz = ${data.length} (the length of indices and data; got indptr[0] = ${indptr[0]}, indptr[${nMajor}] = ${indptr[nMajor]})`,
    );
  for (let i = 0; i < nMajor; i++)
    if (indptr[i + 1] < indptr[i])
      throw new InvalidArgumentError(fn, `indptr[${i + 1}]`, indptr[i + 1], `>= indptr[${i}] = ${indptr[i]}`);
  checkIndices(fn, 'indices', indices, nMinor);
  requireFinite(fn, 'data', data);
}

/**
 * A sparse matrix in compressed sparse row format (scipy.sparse.csr_array). Row i's entries are
 * `data[indptr[i]..indptr[i+1])` at columns `indices[...]`. The arrays are used as given (no copy);
 * they are validated once, here, in O(m + nnz). Values are float64; `matvec`, `rmatvec` cost O(nnz)
 * and dispatch through the registry's `spmv` kernel. Errors: see the constructor and each method.
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { CSRMatrix } from '@krylov/solvers';
 * const a = CSRMatrix.fromDense(array([[2, 0, 1], [0, 3, 0]]));
 * const y = a.matvec(Float64Array.of(1, 1, 1)); // A x in O(nnz)
 * console.assert(a.nnz === 3 && y[0] === 3 && y[1] === 3, 'A [1, 1, 1] = [3, 3]');
 * ```
 */
export class CSRMatrix implements CsrOperand {
  readonly shape: Shape;
  readonly indptr: Int32Array;
  readonly indices: Int32Array;
  readonly data: Float64Array;

  /** @throws InvalidArgumentError / ShapeError when the arrays do not describe an m x n CSR matrix. */
  constructor(shape: readonly number[], indptr: Int32Array, indices: Int32Array, data: Float64Array) {
    this.shape = checkShape('CSRMatrix', shape);
    checkCompressed('CSRMatrix', this.shape[0], this.shape[1], indptr, indices, data);
    this.indptr = indptr;
    this.indices = indices;
    this.data = data;
  }

  /** The nonzeros of a dense matrix (entries with |a_ij| <= `tol` are dropped). O(mn). */
  static fromDense(a: NDArray, tol = 0): CSRMatrix {
    return fromDenseCompressed('CSRMatrix.fromDense', a, tol, false) as CSRMatrix;
  }

  get nnz(): number {
    return this.data.length;
  }

  toCOO(): COOMatrix {
    const rows = new Int32Array(this.nnz);
    for (let i = 0; i < this.shape[0]; i++) rows.fill(i, this.indptr[i], this.indptr[i + 1]);
    return new COOMatrix(this.shape, rows, this.indices, this.data);
  }

  toCSC(): CSCMatrix {
    return this.toCOO().toCSC();
  }

  toDense(): NDArray<'float64'> {
    return this.toCOO().toDense();
  }

  /** A^T as CSC sharing these arrays (no copy). */
  transpose(): CSCMatrix {
    return new CSCMatrix([this.shape[1], this.shape[0]], this.indptr, this.indices, this.data);
  }

  /**
   * y = A x through the registry's `spmv` kernel. O(nnz). `out` may alias `x` (x is then read from
   * a copy, as NumPy does for `out=`).
   * @throws ShapeError on a wrong length of x or out; DTypeError when either is not a Float64Array.
   */
  matvec(x: Float64Array, out = new Float64Array(this.shape[0])): Float64Array {
    return csrApply('CSRMatrix.matvec', this, x, out, false);
  }

  /** y = A^T x. O(nnz). `out` may alias `x` (x is then read from a copy). */
  rmatvec(x: Float64Array, out = new Float64Array(this.shape[1])): Float64Array {
    return csrApply('CSRMatrix.rmatvec', this, x, out, true);
  }

  /** A B for a dense matrix B (the `spmm` kernel). O(nnz * cols(B)). */
  matmul(b: NDArray): NDArray<'float64'> {
    if (!isNDArray(b)) throw new InvalidArgumentError('CSRMatrix.matmul', 'b', b, 'an NDArray');
    if (b.ndim !== 2 || b.shape[0] !== this.shape[1])
      throw new ShapeError('CSRMatrix.matmul', 'b', `expected ${this.shape[1]} rows`, b.shape);
    if (b.dtype !== 'float64' && b.dtype !== 'float32')
      throw new DTypeError('CSRMatrix.matmul', 'b', b.dtype, 'float64 or float32');
    const c = zeros([this.shape[0], b.shape[1]]);
    spmmKernel({ a: this, b: b.astype('float64'), c, alpha: 1, beta: 0 });
    return c;
  }

  /** alpha A (new arrays for the values only). */
  scale(alpha: number): CSRMatrix {
    checkNumber('CSRMatrix.scale', 'alpha', alpha);
    return new CSRMatrix(
      this.shape,
      this.indptr,
      this.indices,
      this.data.map((v) => alpha * v),
    );
  }

  /** A + B (pattern union; explicit zeros from cancellation are kept). O(nnz(A) + nnz(B)). */
  add(other: SparseMatrix): CSRMatrix {
    if (!isSparse(other)) throw new InvalidArgumentError('CSRMatrix.add', 'other', other, 'a sparse matrix');
    const b = other instanceof CSRMatrix ? other : other.toCSR();
    if (b.shape[0] !== this.shape[0] || b.shape[1] !== this.shape[1])
      throw new ShapeError('CSRMatrix.add', 'other', `expected shape [${this.shape.join(', ')}]`, b.shape);
    const a = this.toCOO();
    const c = b.toCOO();
    return new COOMatrix(
      this.shape,
      concat(a.rows, c.rows),
      concat(a.cols, c.cols),
      Float64Array.from([...a.values, ...c.values]),
    ).toCSR();
  }

  /** The main diagonal (zeros where nothing is stored). */
  diagonal(): Float64Array {
    const k = Math.min(this.shape[0], this.shape[1]);
    const d = new Float64Array(k);
    for (let i = 0; i < k; i++)
      for (let p = this.indptr[i]; p < this.indptr[i + 1]; p++)
        if (this.indices[p] === i) d[i] += this.data[p];
    return d;
  }

  /** Rows start..end-1 as a new CSR matrix (copies the slice). */
  rows(start: number, end: number): CSRMatrix {
    const m = this.shape[0];
    if (!Number.isInteger(start) || start < 0 || start > m)
      throw new InvalidArgumentError('CSRMatrix.rows', 'start', start, `an integer in [0, ${m}]`);
    if (!Number.isInteger(end) || end < start || end > m)
      throw new InvalidArgumentError('CSRMatrix.rows', 'end', end, `an integer in [${start}, ${m}]`);
    const p0 = this.indptr[start];
    const p1 = this.indptr[end];
    return new CSRMatrix(
      [end - start, this.shape[1]],
      this.indptr.slice(start, end + 1).map((p) => p - p0),
      this.indices.slice(p0, p1),
      this.data.slice(p0, p1),
    );
  }

  /**
   * Entry (i, j), 0 when not stored. O(row length).
   * @throws InvalidArgumentError when i or j is not an integer index inside the matrix.
   */
  get(i: number, j: number): number {
    checkInteger('CSRMatrix.get', 'i', i, { min: 0, max: this.shape[0] - 1 });
    checkInteger('CSRMatrix.get', 'j', j, { min: 0, max: this.shape[1] - 1 });
    let s = 0;
    for (let p = this.indptr[i]; p < this.indptr[i + 1]; p++) if (this.indices[p] === j) s += this.data[p];
    return s;
  }
}

/**
 * A sparse matrix in compressed sparse column format (scipy.sparse.csc_array): column j's entries
 * are `data[indptr[j]..indptr[j+1])` at rows `indices[...]`. Stored as the CSR arrays of A^T
 * (`transpose()` is O(1)); validated in O(n + nnz). Values are float64. Errors: see the constructor
 * and each method.
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { CSCMatrix } from '@krylov/solvers';
 * const a = CSCMatrix.fromDense(array([[1, 0], [2, 3]]));
 * console.assert(Array.from(a.indptr).join() === '0,2,3' && a.rmatvec(Float64Array.of(1, 1))[0] === 3, 'column-compressed');
 * ```
 */
export class CSCMatrix {
  readonly shape: Shape;
  readonly indptr: Int32Array;
  readonly indices: Int32Array;
  readonly data: Float64Array;

  /** @throws InvalidArgumentError / ShapeError when the arrays do not describe an m x n CSC matrix. */
  constructor(shape: readonly number[], indptr: Int32Array, indices: Int32Array, data: Float64Array) {
    this.shape = checkShape('CSCMatrix', shape);
    checkCompressed('CSCMatrix', this.shape[1], this.shape[0], indptr, indices, data);
    this.indptr = indptr;
    this.indices = indices;
    this.data = data;
  }

  static fromDense(a: NDArray, tol = 0): CSCMatrix {
    return fromDenseCompressed('CSCMatrix.fromDense', a, tol, true) as CSCMatrix;
  }

  get nnz(): number {
    return this.data.length;
  }

  /** A^T as CSR sharing these arrays. */
  transpose(): CSRMatrix {
    return new CSRMatrix([this.shape[1], this.shape[0]], this.indptr, this.indices, this.data);
  }

  toCOO(): COOMatrix {
    return this.transpose().toCOO().transpose();
  }

  toCSR(): CSRMatrix {
    return this.toCOO().toCSR();
  }

  toDense(): NDArray<'float64'> {
    return this.toCOO().toDense();
  }

  matvec(x: Float64Array, out = new Float64Array(this.shape[0])): Float64Array {
    return this.transpose().rmatvec(x, out);
  }

  rmatvec(x: Float64Array, out = new Float64Array(this.shape[1])): Float64Array {
    return this.transpose().matvec(x, out);
  }

  matmul(b: NDArray): NDArray<'float64'> {
    return this.toCSR().matmul(b);
  }

  scale(alpha: number): CSCMatrix {
    return this.transpose().scale(alpha).transpose();
  }

  add(other: SparseMatrix): CSCMatrix {
    return this.toCSR().add(other).toCSC();
  }

  diagonal(): Float64Array {
    return this.transpose().diagonal();
  }

  /** Entry (i, j), 0 when not stored. @throws InvalidArgumentError for an index outside the matrix. */
  get(i: number, j: number): number {
    checkInteger('CSCMatrix.get', 'i', i, { min: 0, max: this.shape[0] - 1 });
    checkInteger('CSCMatrix.get', 'j', j, { min: 0, max: this.shape[1] - 1 });
    return this.transpose().get(j, i);
  }
}

export type SparseMatrix = COOMatrix | CSRMatrix | CSCMatrix;

/**
 * Whether `a` is a `COOMatrix`, `CSRMatrix` or `CSCMatrix` (scipy.sparse.issparse). O(1); never throws.
 * @example
 * ```ts
 * import { eye } from '@krylov/core-array';
 * import { isSparse, poisson } from '@krylov/solvers';
 * console.assert(isSparse(poisson([4])) && !isSparse(eye(4)), 'CSR is sparse, an NDArray is not');
 * ```
 */
export function isSparse(a: unknown): a is SparseMatrix {
  return a instanceof CSRMatrix || a instanceof CSCMatrix || a instanceof COOMatrix;
}

function concat(a: Int32Array, b: Int32Array): Int32Array {
  const out = new Int32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function csrApply(
  fn: string,
  a: CSRMatrix,
  x: Float64Array,
  out: Float64Array,
  transpose: boolean,
): Float64Array {
  const [m, n] = a.shape;
  float64Operand(fn, 'x', x, transpose ? m : n);
  float64Operand(fn, 'out', out, transpose ? n : m);
  // out aliasing x: the kernels (native and js) overwrite out while reading x, so read a copy.
  const xin = overlaps(x, out) ? x.slice() : x;
  spmvKernel({ a, x: asVec(xin), y: asVec(out), alpha: 1, beta: 0, transpose });
  return out;
}

function fromDenseCompressed(fn: string, a: NDArray, tol: number, byColumn: boolean): CSRMatrix | CSCMatrix {
  if (!isNDArray(a)) throw new InvalidArgumentError(fn, 'a', a, 'an NDArray');
  checkNumber(fn, 'tol', tol, { min: 0 });
  if (a.ndim !== 2) throw new ShapeError(fn, 'a', 'expected a matrix', a.shape);
  const [m, n] = a.shape;
  const rows: number[] = [];
  const cols: number[] = [];
  const vals: number[] = [];
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      const v = a.get(i, j);
      if (Math.abs(v) > tol || Number.isNaN(v)) {
        rows.push(i);
        cols.push(j);
        vals.push(v);
      }
    }
  const coo = new COOMatrix([m, n], rows, cols, vals);
  return byColumn ? coo.toCSC() : coo.toCSR();
}
