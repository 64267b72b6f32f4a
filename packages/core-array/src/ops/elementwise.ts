import { type DType, dtypeInfo, floatResultType, promoteTypes } from '../dtype.js';
import { DTypeError, InvalidArgumentError, ShapeError, checkOptions, optionKeys } from '../errors.js';
import { stridedLoop } from '../iter.js';
import { NDArray, contiguousArray, isNDArray } from '../ndarray.js';
import { checkWritable, separate } from '../overlap.js';
import { checkArray, checkNumber } from '../validate.js';

/**
 * Elementwise operations with NumPy broadcasting and type promotion. One N-D loop (`stridedLoop`)
 * serves every operation; each operation is a scalar function plus its result-dtype rule. Numbers
 * are accepted wherever arrays are (as 0-d float64 arrays that adopt the other operand's dtype,
 * like NumPy's weak scalars). `out` writes in place: it may alias or overlap an input (which is then
 * read from a copy, as NumPy does), but it may not be a broadcast view. Every operation throws
 * InvalidArgumentError for an operand that is neither an NDArray nor a number, ShapeError for shapes
 * that do not broadcast, and DTypeError / ShapeError / InvalidArgumentError for a bad `out`.
 */

export type ArrayLike = NDArray | number;

export interface OutOption {
  /** Destination with the broadcast shape and the result dtype; returned. */
  out?: NDArray;
}

/** A number as a 0-d array of `dtype`. */
function scalarOf(x: number, dtype: DType): NDArray {
  const d = new (dtypeInfo(dtype).ctor)(1);
  d[0] = x;
  return new NDArray(d, []);
}

/**
 * The dtype two operands compute in: arrays promote (bool < int32 < float32 < float64); a number
 * adopts the array's dtype (NumPy's weak scalars), except that a fractional number makes an
 * integer array float64 and a number with a bool array computes in int32.
 */
function commonDType(x: ArrayLike, y: ArrayLike): DType {
  if (typeof x !== 'number' && typeof y !== 'number') return promoteTypes(x.dtype, y.dtype);
  if (typeof x === 'number' && typeof y === 'number') return 'float64';
  const arr = (typeof x === 'number' ? y : x) as NDArray;
  const num = (typeof x === 'number' ? x : y) as number;
  if (!Number.isInteger(num)) return floatResultType(arr.dtype);
  return arr.dtype === 'bool' ? 'int32' : arr.dtype;
}

/** `x` if it is an NDArray or a number (any number: NaN and infinities are values here). */
function checkOperand(fn: string, arg: string, x: unknown): ArrayLike {
  if (typeof x !== 'number' && !isNDArray(x))
    throw new InvalidArgumentError(fn, arg, x, 'an NDArray or a number');
  return x;
}

function operands(fn: string, x: ArrayLike, y: ArrayLike, names = ['x', 'y']): [NDArray, NDArray, DType] {
  checkOperand(fn, names[0], x);
  checkOperand(fn, names[1], y);
  const dtype = commonDType(x, y);
  return [
    typeof x === 'number' ? scalarOf(x, dtype) : x,
    typeof y === 'number' ? scalarOf(y, dtype) : y,
    dtype,
  ];
}

/** The broadcast shape of several shapes (NumPy rules). @throws ShapeError naming the operand. */
export function broadcastShapes(fn: string, ...shapes: (readonly number[])[]): number[] {
  const nd = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(nd).fill(1);
  shapes.forEach((s, k) => {
    for (let i = 0; i < s.length; i++) {
      const j = nd - s.length + i;
      if (s[i] === out[j] || s[i] === 1) continue;
      if (out[j] !== 1)
        throw new ShapeError(fn, `operand ${k}`, `does not broadcast with shape ${JSON.stringify(out)}`, s);
      out[j] = s[i];
    }
  });
  return out;
}

function prepareOut(fn: string, out: NDArray | undefined, shape: number[], dtype: DType): NDArray {
  if (!out) return new NDArray(new (dtypeInfo(dtype).ctor)(shape.reduce((a, b) => a * b, 1)), shape);
  checkArray(fn, 'options.out', out);
  if (out.ndim !== shape.length || out.shape.some((d, i) => d !== shape[i]))
    throw new ShapeError(
      fn,
      'options.out',
      `expected the broadcast shape ${JSON.stringify(shape)}`,
      out.shape,
    );
  if (out.dtype !== dtype) throw new DTypeError(fn, 'options.out', out.dtype, dtype);
  checkWritable(fn, 'options.out', out);
  return out;
}

/** Applies f elementwise to the broadcast of `args`, writing a new (or the `out`) array of `dtype`. */
function apply(
  fn: string,
  args: NDArray[],
  dtype: DType,
  f: (...v: number[]) => number,
  out?: NDArray,
): NDArray {
  const shape = broadcastShapes(fn, ...args.map((a) => a.shape));
  const o = prepareOut(fn, out, shape, dtype);
  // an input overlapping `out` other than element for element would be overwritten while still
  // being read; the very same view is safe (each element is read before it is written)
  const inputs = args.map((a) => (out ? separate(o, a, true) : a).broadcastTo(shape));
  const od = o.data;
  const datas = inputs.map((a) => a.data);
  if (inputs.length === 1) {
    const [x] = datas;
    stridedLoop(shape, [o, inputs[0]], (p, n, s) => {
      for (let i = 0, q = p[0], r = p[1]; i < n; i++, q += s[0], r += s[1]) od[q] = f(x[r]);
    });
  } else if (inputs.length === 2) {
    const [x, y] = datas;
    stridedLoop(shape, [o, inputs[0], inputs[1]], (p, n, s) => {
      for (let i = 0, q = p[0], r = p[1], t = p[2]; i < n; i++, q += s[0], r += s[1], t += s[2])
        od[q] = f(x[r], y[t]);
    });
  } else {
    stridedLoop(shape, [o, ...inputs], (p, n, s) => {
      const pos = Array.from(p);
      for (let i = 0; i < n; i++) {
        od[pos[0]] = f(...datas.map((d, k) => d[pos[k + 1]]));
        for (let k = 0; k < pos.length; k++) pos[k] += s[k];
      }
    });
  }
  return o;
}

type Rule = 'same' | 'float' | 'bool';

/** The result dtype of `rule` for operands computing in `common`. */
const resultType = (rule: Rule, common: DType): DType =>
  rule === 'bool'
    ? 'bool'
    : rule === 'float'
      ? floatResultType(common)
      : common === 'bool'
        ? 'int32'
        : common;

/** Whether `a` is row-major without gaps (ndim loop, no allocation). */
function dense(a: NDArray): boolean {
  const shape = a.shape;
  const strides = a.strides;
  let step = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i] !== 1 && strides[i] !== step) return false;
    step *= shape[i];
  }
  return true;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The lean path of a binary operation, or undefined when it does not apply: no `out`, and either
 * two dense arrays of one dtype and one shape, or a number with a dense array whose dtype the
 * number adopts. The result is a fresh dense array, so no overlap can arise; the operands passed
 * the same checks as on the general path (NDArrays, or numbers of any value).
 */
function binaryDense(
  f: (a: number, b: number) => number,
  rule: Rule,
  x: ArrayLike,
  y: ArrayLike,
): NDArray | undefined {
  let common: DType;
  let arr: NDArray;
  if (typeof x === 'number') {
    if (!isNDArray(y) || !dense(y)) return undefined;
    arr = y;
    common = commonDType(x, y);
  } else if (typeof y === 'number') {
    if (!isNDArray(x) || !dense(x)) return undefined;
    arr = x;
    common = commonDType(x, y);
  } else {
    if (!isNDArray(x) || !isNDArray(y) || x.dtype !== y.dtype || !sameShape(x.shape, y.shape))
      return undefined;
    if (!dense(x) || !dense(y)) return undefined;
    arr = x;
    common = x.dtype;
  }
  if (common !== arr.dtype) return undefined;
  const dtype = resultType(rule, common);
  const n = arr.size;
  const od = new (dtypeInfo(dtype).ctor)(n);
  if (typeof x === 'number') {
    const yd = (y as NDArray).data;
    const yo = (y as NDArray).offset;
    for (let i = 0; i < n; i++) od[i] = f(x, yd[yo + i]);
  } else if (typeof y === 'number') {
    const xd = x.data;
    const xo = x.offset;
    for (let i = 0; i < n; i++) od[i] = f(xd[xo + i], y);
  } else {
    const xd = x.data;
    const yd = (y as NDArray).data;
    const xo = x.offset;
    const yo = (y as NDArray).offset;
    for (let i = 0; i < n; i++) od[i] = f(xd[xo + i], yd[yo + i]);
  }
  return contiguousArray(od, dtype, [...arr.shape]);
}

const OUT_OPTION_KEYS = optionKeys<OutOption>()('out');

function binary(name: string, f: (a: number, b: number) => number, rule: Rule) {
  return (x: ArrayLike, y: ArrayLike, options?: OutOption): NDArray => {
    if (options === undefined) {
      const r = binaryDense(f, rule, x, y);
      if (r !== undefined) return r;
    }
    checkOptions(name, options, OUT_OPTION_KEYS);
    const [a, b, common] = operands(name, x, y);
    const dtype =
      rule === 'bool'
        ? 'bool'
        : rule === 'float'
          ? floatResultType(common)
          : common === 'bool'
            ? 'int32'
            : common;
    return apply(name, [a, b], dtype, f, options?.out);
  };
}

function unary(name: string, f: (a: number) => number, rule: Rule) {
  return (x: NDArray, options?: OutOption): NDArray => {
    if (options === undefined && isNDArray(x) && dense(x)) {
      const dtype = resultType(rule, x.dtype);
      const n = x.size;
      const od = new (dtypeInfo(dtype).ctor)(n);
      const xd = x.data;
      const xo = x.offset;
      for (let i = 0; i < n; i++) od[i] = f(xd[xo + i]);
      return contiguousArray(od, dtype, [...x.shape]);
    }
    checkOptions(name, options, OUT_OPTION_KEYS);
    checkArray(name, 'x', x);
    const dtype =
      rule === 'bool'
        ? 'bool'
        : rule === 'float'
          ? floatResultType(x.dtype)
          : x.dtype === 'bool'
            ? 'int32'
            : x.dtype;
    return apply(name, [x], dtype, f, options?.out);
  };
}

/** a + b, broadcast. */
export const add = binary('add', (a, b) => a + b, 'same');
/** a - b, broadcast. */
export const sub = binary('sub', (a, b) => a - b, 'same');
/** a * b, broadcast. */
export const mul = binary('mul', (a, b) => a * b, 'same');
/** a / b, broadcast; true division (integers give float64), as numpy.true_divide. */
export const div = binary('div', (a, b) => a / b, 'float');
/** a ** b, broadcast. */
export const pow = binary('pow', (a, b) => a ** b, 'same');
/** The larger of a and b (NaN propagates), as numpy.maximum. */
export const maximum = binary('maximum', (a, b) => (a > b || Number.isNaN(a) ? a : b), 'same');
/** The smaller of a and b (NaN propagates), as numpy.minimum. */
export const minimum = binary('minimum', (a, b) => (a < b || Number.isNaN(a) ? a : b), 'same');
/** a mod b with the sign of b, as numpy.mod. */
export const mod = binary('mod', (a, b) => a - Math.floor(a / b) * b, 'same');

// Comparisons give bool arrays (1 / 0); NaN compares unequal to everything.
/** a == b (bool). Elementwise, O(size); `{ out }` writes in place. */
export const equal = binary('equal', (a, b) => +(a === b), 'bool');
/** a != b (bool). Elementwise, O(size); `{ out }` writes in place. */
export const notEqual = binary('notEqual', (a, b) => +(a !== b), 'bool');
/** a < b (bool). Elementwise, O(size); `{ out }` writes in place. */
export const less = binary('less', (a, b) => +(a < b), 'bool');
/** a <= b (bool). Elementwise, O(size); `{ out }` writes in place. */
export const lessEqual = binary('lessEqual', (a, b) => +(a <= b), 'bool');
/** a > b (bool). Elementwise, O(size); `{ out }` writes in place. */
export const greater = binary('greater', (a, b) => +(a > b), 'bool');
/** a >= b (bool). Elementwise, O(size); `{ out }` writes in place. */
export const greaterEqual = binary('greaterEqual', (a, b) => +(a >= b), 'bool');
/** a && b as bool. Elementwise, O(size); `{ out }` writes in place. */
export const logicalAnd = binary('logicalAnd', (a, b) => +(a !== 0 && b !== 0), 'bool');
/** a || b as bool. Elementwise, O(size); `{ out }` writes in place. */
export const logicalOr = binary('logicalOr', (a, b) => +(a !== 0 || b !== 0), 'bool');

/** -x. Elementwise, O(size); `{ out }` writes in place. */
export const neg = unary('neg', (a) => -a, 'same');
/** |x|. Elementwise, O(size); `{ out }` writes in place. */
export const abs = unary('abs', Math.abs, 'same');
/** sign(x): -1, 0 or 1 (NaN stays NaN). Elementwise, O(size); `{ out }` writes in place. */
export const sign = unary('sign', Math.sign, 'same');
/** x * x. Elementwise, O(size); `{ out }` writes in place. */
export const square = unary('square', (a) => a * a, 'same');
/** sqrt(x) (NaN for negative x, as NumPy). Elementwise, O(size); `{ out }` writes in place. */
export const sqrt = unary('sqrt', Math.sqrt, 'float');
/** e^x. Elementwise, O(size); `{ out }` writes in place. */
export const exp = unary('exp', Math.exp, 'float');
/** e^x - 1, accurate near 0. Elementwise, O(size); `{ out }` writes in place. */
export const expm1 = unary('expm1', Math.expm1, 'float');
/** Natural logarithm (-Infinity at 0, NaN below). Elementwise, O(size); `{ out }` writes in place. */
export const log = unary('log', Math.log, 'float');
/** log(1 + x), accurate near 0. Elementwise, O(size); `{ out }` writes in place. */
export const log1p = unary('log1p', Math.log1p, 'float');
/** sin(x). Elementwise, O(size); `{ out }` writes in place. */
export const sin = unary('sin', Math.sin, 'float');
/** cos(x). Elementwise, O(size); `{ out }` writes in place. */
export const cos = unary('cos', Math.cos, 'float');
/** tan(x). Elementwise, O(size); `{ out }` writes in place. */
export const tan = unary('tan', Math.tan, 'float');
/** tanh(x). Elementwise, O(size); `{ out }` writes in place. */
export const tanh = unary('tanh', Math.tanh, 'float');
/** Largest integer <= x. Elementwise, O(size); `{ out }` writes in place. */
export const floor = unary('floor', Math.floor, 'same');
/** Smallest integer >= x. Elementwise, O(size); `{ out }` writes in place. */
export const ceil = unary('ceil', Math.ceil, 'same');
/** Rounds half to even, as numpy.round. */
export const round = unary(
  'round',
  (a) => {
    const r = Math.round(a);
    return Math.abs(a % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
  },
  'same',
);
/** 1 / x. Elementwise, O(size); `{ out }` writes in place. */
export const reciprocal = unary('reciprocal', (a) => 1 / a, 'float');
/** 1 where x is NaN, else 0 (bool). Elementwise, O(size); `{ out }` writes in place. */
export const isnan = unary('isnan', (a) => +Number.isNaN(a), 'bool');
/** 1 where x is finite, else 0 (bool). Elementwise, O(size); `{ out }` writes in place. */
export const isfinite = unary('isfinite', (a) => +Number.isFinite(a), 'bool');
/** 1 where x is 0, else 0 (bool). Elementwise, O(size); `{ out }` writes in place. */
export const logicalNot = unary('logicalNot', (a) => +(a === 0), 'bool');

/**
 * Clips to [lo, hi] (NaN propagates; infinite bounds clip on one side only). O(size).
 * @throws InvalidArgumentError for unknown options, a non-array `x`, or a bound that is NaN or not a
 * number.
 * @example
 * ```ts
 * import { array, clip } from '@krylov/core-array';
 * console.assert(clip(array([-2, 0.5, 3]), 0, 1).toFlatArray().join() === '0,0.5,1');
 * ```
 */
export function clip(x: NDArray, lo: number, hi: number, options?: OutOption): NDArray {
  checkOptions('clip', options, OUT_OPTION_KEYS);
  checkArray('clip', 'x', x);
  checkNumber('clip', 'lo', lo, { infinite: true });
  checkNumber('clip', 'hi', hi, { infinite: true });
  return apply('clip', [x], x.dtype, (a) => (a < lo ? lo : a > hi ? hi : a), options?.out);
}

/**
 * Elements of `a` where `cond` is non-zero, else of `b` (all broadcast), as numpy.where. O(size).
 * @throws InvalidArgumentError for a non-array `cond` or operands that are neither arrays nor numbers.
 * @example
 * ```ts
 * import { array, greater, where } from '@krylov/core-array';
 * const x = array([-1, 2, -3]);
 * const relu = where(greater(x, 0), x, 0);
 * console.assert(relu.toFlatArray().join() === '0,2,0');
 * ```
 */
export function where(cond: NDArray, a: ArrayLike, b: ArrayLike, options?: OutOption): NDArray {
  checkOptions('where', options, OUT_OPTION_KEYS);
  checkArray('where', 'cond', cond);
  const [x, y, dtype] = operands('where', a, b, ['a', 'b']);
  return apply('where', [cond, x, y], dtype, (c, p, q) => (c !== 0 ? p : q), options?.out);
}
