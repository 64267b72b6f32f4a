import { type DType, type DTypeMap, type TypedArray, dtypeInfo, dtypeOfTypedArray } from './dtype.js';
import { InvalidArgumentError, ShapeError } from './errors.js';
import { formatArray } from './format.js';
import { contiguousStrides, shapeSize, stridedLoop } from './iter.js';
import { checkWritable, separate } from './overlap.js';
import { checkNumber, checkShape } from './validate.js';

/**
 * One axis of a slice: an integer picks one index and drops the axis; `null` or `':'` keeps the
 * whole axis; `'start:stop:step'` (any part optional, negatives count from the end, as in NumPy)
 * or `{ start, stop, step }` takes a range; `'...'` stands for as many full axes as needed.
 */
export type SliceSpec = number | string | null | { start?: number; stop?: number; step?: number };

/** Nested JavaScript arrays of numbers, as `toArray` returns and `array` accepts. */
export type NestedArray = number | NestedArray[];

/**
 * An N-dimensional strided view over a typed array: `element(i0, i1, ...)` lives at
 * `data[offset + i0*strides[0] + i1*strides[1] + ...]` (strides in elements, possibly zero or
 * negative). Views (`slice`, `transpose`, `reshape` when possible, `broadcastTo`, `squeeze`,
 * `expandDims`) share `data`; `copy` and `contiguous` are the explicit ways to get new storage.
 * No operation consumes or mutates its inputs unless it says so (`out` arguments, `set`, `fill`).
 */
class NDArrayImpl<D extends DType = DType> {
  readonly dtype: D;
  readonly data: DTypeMap[D];
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
  readonly size: number;

  /**
   * Wraps `data` without copying. Prefer `fromTypedArray` or the creation functions; this
   * constructor validates that every reachable index lies inside `data`.
   * @throws ShapeError when the shape, strides or offset reach outside `data`.
   */
  constructor(data: DTypeMap[D], shape: readonly number[], strides?: readonly number[], offset = 0) {
    if (trustedDType !== undefined) {
      // `contiguousArray`: a fresh contiguous result whose shape the caller computed
      this.dtype = trustedDType as D;
      trustedDType = undefined;
      this.data = data;
      this.shape = trustedShape;
      this.strides = trustedStrides;
      this.offset = 0;
      this.size = data.length;
      return;
    }
    const fn = 'NDArray';
    this.dtype = dtypeOfTypedArray(data, fn) as D;
    for (const d of shape) {
      if (!Number.isInteger(d) || d < 0)
        throw new ShapeError(fn, 'shape', 'extents must be non-negative integers', shape);
    }
    const st = strides ?? contiguousStrides(shape);
    if (st.length !== shape.length || st.some((s) => !Number.isInteger(s))) {
      throw new ShapeError(
        fn,
        'strides',
        `need ${shape.length} integer strides, got ${JSON.stringify(st)}`,
        shape,
      );
    }
    const size = shapeSize(shape);
    if (size > 0) {
      let lo = offset;
      let hi = offset;
      for (let i = 0; i < shape.length; i++) {
        const reach = st[i] * (shape[i] - 1);
        if (reach < 0) lo += reach;
        else hi += reach;
      }
      if (!Number.isInteger(offset) || lo < 0 || hi >= data.length) {
        throw new ShapeError(
          fn,
          'strides',
          `offset ${offset} and strides ${JSON.stringify(st)} reach outside storage of length ${data.length}`,
          shape,
        );
      }
    }
    this.data = data;
    this.shape = Object.freeze([...shape]);
    this.strides = Object.freeze([...st]);
    this.offset = offset;
    this.size = size;
  }

  get ndim(): number {
    return this.shape.length;
  }

  /** True when the elements are laid out in row-major order without gaps. */
  get isContiguous(): boolean {
    let step = 1;
    for (let i = this.ndim - 1; i >= 0; i--) {
      if (this.shape[i] !== 1 && this.strides[i] !== step) return this.size === 0;
      step *= this.shape[i];
    }
    return true;
  }

  private elementOffset(fn: string, index: readonly number[]): number {
    if (index.length !== this.ndim) {
      throw new InvalidArgumentError(
        fn,
        'index',
        index,
        `${this.ndim} indices for shape ${JSON.stringify(this.shape)}`,
      );
    }
    let off = this.offset;
    for (let i = 0; i < index.length; i++) {
      let k = index[i];
      if (k < 0) k += this.shape[i];
      if (!Number.isInteger(k) || k < 0 || k >= this.shape[i]) {
        throw new InvalidArgumentError(
          fn,
          `index[${i}]`,
          index[i],
          `an integer in [${-this.shape[i]}, ${this.shape[i]})`,
        );
      }
      off += k * this.strides[i];
    }
    return off;
  }

  /** The element at `index` (negative indices count from the end). */
  get(...index: number[]): number {
    return this.data[this.elementOffset('NDArray.get', index)];
  }

  /** Writes `value` at `index`, in place. @throws InvalidArgumentError for a non-number value or a bad index. */
  set(value: number, ...index: number[]): void {
    checkNumber('NDArray.set', 'value', value, { infinite: true, nan: true });
    this.data[this.elementOffset('NDArray.set', index)] = value;
  }

  /** The single element of a size-1 array. */
  item(): number {
    if (this.size !== 1)
      throw new ShapeError('NDArray.item', 'this', 'only a size-1 array converts to a number', this.shape);
    return this.data[this.offset];
  }

  /** Fills every element of this view with `value`, in place; returns `this`. @throws InvalidArgumentError for a non-number value. */
  fill(value: number): this {
    checkNumber('NDArray.fill', 'value', value, { infinite: true, nan: true });
    const d = this.data;
    stridedLoop(this.shape, [this], (o, n, s) => {
      for (let i = 0, p = o[0]; i < n; i++, p += s[0]) d[p] = value;
    });
    return this;
  }

  /** A view of a sub-array; see `SliceSpec`. Never copies. */
  slice(...specs: SliceSpec[]): NDArray<D> {
    const fn = 'NDArray.slice';
    const ellipsis = specs.indexOf('...');
    if (ellipsis !== specs.lastIndexOf('...'))
      throw new InvalidArgumentError(fn, 'specs', specs, 'at most one "..."');
    let expanded = specs;
    if (ellipsis >= 0) {
      const fill = this.ndim - (specs.length - 1);
      if (fill < 0) throw new InvalidArgumentError(fn, 'specs', specs, `at most ${this.ndim} axes`);
      expanded = [
        ...specs.slice(0, ellipsis),
        ...new Array<SliceSpec>(fill).fill(null),
        ...specs.slice(ellipsis + 1),
      ];
    }
    if (expanded.length > this.ndim)
      throw new InvalidArgumentError(fn, 'specs', specs, `at most ${this.ndim} axes`);
    const shape: number[] = [];
    const strides: number[] = [];
    let offset = this.offset;
    for (let axis = 0; axis < this.ndim; axis++) {
      const spec = axis < expanded.length ? expanded[axis] : null;
      const n = this.shape[axis];
      if (typeof spec === 'number') {
        const k = spec < 0 ? spec + n : spec;
        if (!Number.isInteger(k) || k < 0 || k >= n) {
          throw new InvalidArgumentError(fn, `specs[${axis}]`, spec, `an integer index in [${-n}, ${n})`);
        }
        offset += k * this.strides[axis];
        continue;
      }
      const { start, length, step } = resolveRange(fn, axis, spec, n);
      if (length > 0) offset += start * this.strides[axis];
      shape.push(length);
      strides.push(step * this.strides[axis]);
    }
    return new NDArray(this.data, shape, strides, offset);
  }

  /** A view with the axes permuted (`axes` defaults to reversing them, as NumPy). */
  transpose(axes?: readonly number[]): NDArray<D> {
    const fn = 'NDArray.transpose';
    const perm = axes
      ? axes.map((a) => normalizeAxis(fn, 'axes', a, this.ndim))
      : [...this.shape.keys()].reverse();
    if (perm.length !== this.ndim || new Set(perm).size !== this.ndim) {
      throw new InvalidArgumentError(fn, 'axes', axes, `a permutation of 0..${this.ndim - 1}`);
    }
    return new NDArray(
      this.data,
      perm.map((a) => this.shape[a]),
      perm.map((a) => this.strides[a]),
      this.offset,
    );
  }

  /** The transpose (all axes reversed); for a matrix, swaps rows and columns without copying. */
  get T(): NDArray<D> {
    return this.transpose();
  }

  /**
   * The same elements in row-major order with a new shape (one extent may be -1). A view when the
   * strides allow it (always for contiguous arrays), a copy otherwise, as `numpy.reshape`.
   */
  reshape(shape: readonly number[] | number): NDArray<D> {
    const target = resolveShape('NDArray.reshape', typeof shape === 'number' ? [shape] : shape, this.size);
    const strides = reshapeStrides(this.shape, this.strides, target);
    if (strides) return new NDArray(this.data, target, strides, this.offset);
    return this.copy().reshape(target);
  }

  /** Collapses to 1-D (a view when possible). */
  ravel(): NDArray<D> {
    return this.reshape([this.size]);
  }

  /** A read-through view repeated along new or size-1 axes by NumPy's broadcasting rules (stride 0). */
  broadcastTo(shape: readonly number[]): NDArray<D> {
    const fn = 'broadcastTo';
    checkShape(fn, 'shape', shape);
    const pad = shape.length - this.ndim;
    if (pad < 0)
      throw new ShapeError(
        fn,
        'shape',
        `cannot broadcast ${JSON.stringify(this.shape)} to fewer dimensions`,
        shape,
      );
    const strides = shape.map((extent, i) => {
      if (i < pad) return 0;
      const own = this.shape[i - pad];
      if (own === extent) return this.strides[i - pad];
      if (own === 1) return 0;
      throw new ShapeError(fn, 'shape', `cannot broadcast ${JSON.stringify(this.shape)} to it`, shape);
    });
    return new NDArray(this.data, shape, strides, this.offset);
  }

  /** Removes size-1 axes (all of them, or those listed). */
  squeeze(axes?: readonly number[]): NDArray<D> {
    const fn = 'NDArray.squeeze';
    const drop = new Set(
      axes
        ? axes.map((a) => normalizeAxis(fn, 'axes', a, this.ndim))
        : this.shape.flatMap((d, i) => (d === 1 ? [i] : [])),
    );
    for (const a of drop)
      if (this.shape[a] !== 1)
        throw new ShapeError(fn, 'axes', `axis ${a} has extent ${this.shape[a]}, not 1`, this.shape);
    const keep = [...this.shape.keys()].filter((i) => !drop.has(i));
    return new NDArray(
      this.data,
      keep.map((i) => this.shape[i]),
      keep.map((i) => this.strides[i]),
      this.offset,
    );
  }

  /** Inserts a size-1 axis at `axis` (negative counts from the end of the result). */
  expandDims(axis: number): NDArray<D> {
    const a = normalizeAxis('NDArray.expandDims', 'axis', axis, this.ndim + 1);
    const shape = [...this.shape];
    const strides = [...this.strides];
    shape.splice(a, 0, 1);
    strides.splice(a, 0, 0);
    return new NDArray(this.data, shape, strides, this.offset);
  }

  /** A new contiguous array with the same elements (converted when `dtype` differs). */
  copy<E extends DType = D>(dtype?: E): NDArray<E> {
    const out = new NDArray(new (dtypeInfo(dtype ?? this.dtype).ctor)(this.size), this.shape) as NDArray<E>;
    copyInto(out, this);
    return out;
  }

  /** This array as `dtype` (a copy unless it already has that dtype). */
  astype<E extends DType>(dtype: E): NDArray<E> {
    return (dtype === (this.dtype as DType) ? this : this.copy(dtype)) as NDArray<E>;
  }

  /** `this` when already contiguous, otherwise a contiguous copy. */
  contiguous(): NDArray<D> {
    return this.isContiguous ? this : this.copy();
  }

  /** Nested JavaScript arrays (a number for a 0-d array). */
  toArray(): NestedArray {
    const build = (axis: number, off: number): NestedArray => {
      if (axis === this.ndim) return this.data[off];
      const out: NestedArray[] = [];
      for (let i = 0; i < this.shape[axis]; i++) out.push(build(axis + 1, off + i * this.strides[axis]));
      return out;
    };
    return build(0, this.offset);
  }

  /** The elements in row-major order as a plain array. */
  toFlatArray(): number[] {
    const c = this.contiguous();
    return Array.from(c.data.subarray(c.offset, c.offset + c.size) as ArrayLike<number>);
  }

  toString(): string {
    return formatArray(this);
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

/**
 * The constructor's overloads infer the dtype from the typed array, so
 * `new NDArray(new Float64Array(4), [2, 2])` is an `NDArray<'float64'>`.
 */
export interface NDArrayConstructor {
  new (
    data: Float64Array,
    shape: readonly number[],
    strides?: readonly number[],
    offset?: number,
  ): NDArray<'float64'>;
  new (
    data: Float32Array,
    shape: readonly number[],
    strides?: readonly number[],
    offset?: number,
  ): NDArray<'float32'>;
  new (
    data: Int32Array,
    shape: readonly number[],
    strides?: readonly number[],
    offset?: number,
  ): NDArray<'int32'>;
  new (
    data: Uint8Array,
    shape: readonly number[],
    strides?: readonly number[],
    offset?: number,
  ): NDArray<'bool'>;
  new <D extends DType>(
    data: DTypeMap[D],
    shape: readonly number[],
    strides?: readonly number[],
    offset?: number,
  ): NDArray<D>;
  readonly prototype: NDArray;
}

export type NDArray<D extends DType = DType> = NDArrayImpl<D>;
export const NDArray = NDArrayImpl as unknown as NDArrayConstructor;

/**
 * Copies `src` into `dst` elementwise (same shape, any strides and dtypes); `src` may overlap `dst`
 * (it is read from a copy then, so `copyInto(x, reversed view of x)` reverses x). O(size).
 * @throws InvalidArgumentError when either is not an NDArray or `dst` is a broadcast (or otherwise
 * self-overlapping) view; ShapeError when the shapes differ.
 */
export function copyInto(dst: NDArray, src: NDArray): void {
  const fn = 'copyInto';
  if (!isNDArray(dst)) throw new InvalidArgumentError(fn, 'dst', dst, 'an NDArray');
  if (!isNDArray(src)) throw new InvalidArgumentError(fn, 'src', src, 'an NDArray');
  if (dst.shape.length !== src.shape.length || dst.shape.some((d, i) => d !== src.shape[i])) {
    throw new ShapeError(
      fn,
      'src',
      `does not match destination shape ${JSON.stringify(dst.shape)}`,
      src.shape,
    );
  }
  if (src.size === 0) return; // an empty view's offset may lie past the end of its storage
  checkWritable(fn, 'dst', dst);
  const from = separate(dst, src, true);
  const d = dst.data;
  const s = from.data;
  if (dst.isContiguous && from.isContiguous) {
    // one bulk copy (with conversion between typed arrays)
    d.set(s.subarray(from.offset, from.offset + from.size), dst.offset);
    return;
  }
  stridedLoop(dst.shape, [dst, from], (o, n, st) => {
    for (let i = 0, p = o[0], q = o[1]; i < n; i++, p += st[0], q += st[1]) d[p] = s[q];
  });
}

/** Wraps `axis` (negative counts from the end) into [0, ndim), or throws `InvalidArgumentError`. */
export function normalizeAxis(fn: string, arg: string, axis: number, ndim: number): number {
  const a = axis < 0 ? axis + ndim : axis;
  if (!Number.isInteger(a) || a < 0 || a >= ndim)
    throw new InvalidArgumentError(fn, arg, axis, `an axis in [${-ndim}, ${ndim})`);
  return a;
}

function resolveRange(fn: string, axis: number, spec: Exclude<SliceSpec, number>, n: number) {
  let start: number | undefined;
  let stop: number | undefined;
  let step = 1;
  if (typeof spec === 'string') {
    const parts = spec.split(':');
    const nums = parts.map((p) => (p.trim() === '' ? undefined : Number(p)));
    if (
      parts.length < 1 ||
      parts.length > 3 ||
      (parts.length === 1 && spec.trim() !== '') ||
      nums.some((v) => v !== undefined && !Number.isInteger(v))
    ) {
      throw new InvalidArgumentError(fn, `specs[${axis}]`, spec, 'a slice string like "1:5", "::2" or ":"');
    }
    [start, stop] = nums;
    step = nums[2] ?? 1;
  } else if (spec !== null) {
    ({ start, stop } = spec);
    step = spec.step ?? 1;
  }
  if (!Number.isInteger(step) || step === 0)
    throw new InvalidArgumentError(fn, `specs[${axis}].step`, step, 'a non-zero integer');
  const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v < 0 ? v + n : v, lo), hi);
  let s: number;
  let e: number;
  if (step > 0) {
    s = start === undefined ? 0 : clamp(start, 0, n);
    e = stop === undefined ? n : clamp(stop, 0, n);
  } else {
    s = start === undefined ? n - 1 : clamp(start, -1, n - 1);
    e = stop === undefined ? -1 : clamp(stop, -1, n - 1);
  }
  const length = Math.max(0, Math.ceil((e - s) / step));
  return { start: s, length, step };
}

function resolveShape(fn: string, shape: readonly number[], size: number): number[] {
  if (!Array.isArray(shape))
    throw new InvalidArgumentError(fn, 'shape', shape, 'an integer or an array of integers (one may be -1)');
  const unknown = shape.filter((d) => d === -1).length;
  if (unknown > 1 || shape.some((d) => !Number.isInteger(d) || d < -1)) {
    throw new InvalidArgumentError(fn, 'shape', shape, 'non-negative integer extents with at most one -1');
  }
  const known = shapeSize(shape.filter((d) => d !== -1));
  if (unknown === 1) {
    if (known === 0 || size % known !== 0)
      throw new ShapeError(fn, 'shape', `cannot reshape an array of size ${size}`, shape);
    return shape.map((d) => (d === -1 ? size / known : d));
  }
  if (known !== size) throw new ShapeError(fn, 'shape', `cannot reshape an array of size ${size}`, shape);
  return [...shape];
}

/**
 * Strides that view (oldShape, oldStrides) as `newShape` without copying, or null when none
 * exist. Groups old and new axes into runs with equal element counts; each old run must be
 * contiguous within itself (the approach of NumPy's `_attempt_nocopy_reshape`).
 */
function reshapeStrides(
  oldShape: readonly number[],
  oldStrides: readonly number[],
  newShape: readonly number[],
): number[] | null {
  if (shapeSize(newShape) === 0) return contiguousStrides(newShape);
  const os: number[] = [];
  const ost: number[] = [];
  oldShape.forEach((d, i) => {
    if (d !== 1) {
      os.push(d);
      ost.push(oldStrides[i]);
    }
  });
  const out = new Array<number>(newShape.length).fill(0);
  let oi = 0;
  let ni = 0;
  while (ni < newShape.length && oi < os.length) {
    let np = newShape[ni];
    let op = os[oi];
    let oj = oi + 1;
    let nj = ni + 1;
    while (np !== op) {
      if (np < op) np *= newShape[nj++];
      else op *= os[oj++];
    }
    for (let k = oi; k < oj - 1; k++) if (ost[k] !== ost[k + 1] * os[k + 1]) return null;
    out[nj - 1] = ost[oj - 1];
    for (let k = nj - 1; k > ni; k--) out[k - 1] = out[k] * newShape[k];
    ni = nj;
    oi = oj;
  }
  for (; ni < newShape.length; ni++) out[ni] = 1;
  return out;
}

// Set by `contiguousArray` for the one constructor call it makes (JavaScript is single-threaded).
let trustedDType: DType | undefined;
let trustedShape: readonly number[] = [];
let trustedStrides: readonly number[] = [];

const SCALAR_SHAPE: readonly number[] = Object.freeze([]);
const VECTOR_STRIDES: readonly number[] = Object.freeze([1]);

/**
 * A new contiguous array over fresh storage `data` (of `dtype`, length = the product of `shape`)
 * without the constructor's checks: for results whose shape an operation has just computed, on
 * the small-array hot paths where the checks cost as much as the arithmetic. `shape` is taken over
 * (frozen), so pass a fresh array. Internal: not exported from the package index.
 */
export function contiguousArray<D extends DType>(data: DTypeMap[D], dtype: D, shape: number[]): NDArray<D> {
  trustedStrides =
    shape.length === 0
      ? SCALAR_SHAPE
      : shape.length === 1
        ? VECTOR_STRIDES
        : Object.freeze(contiguousStrides(shape));
  trustedShape = shape.length === 0 ? SCALAR_SHAPE : Object.freeze(shape);
  trustedDType = dtype;
  return new NDArray(data, shape);
}

/** Marks NDArray instances across duplicate loaded copies of this package (ESM beside CJS, bundles). */
const BRAND = Symbol.for('@krylov/core-array.NDArray');
Object.defineProperty(NDArray.prototype, BRAND, { value: true });

/** True when `value` is an NDArray (also across duplicate copies of this package). */
export function isNDArray(value: unknown): value is NDArray {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}

/** The typed-array storage type for `dtype`. */
export type StorageOf<D extends DType> = DTypeMap[D];
export type { TypedArray };
