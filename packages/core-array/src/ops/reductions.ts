import { type DType, dtypeInfo, floatResultType } from '../dtype.js';
import { InvalidArgumentError, ShapeError, checkOptions, optionKeys } from '../errors.js';
import { stridedLoop } from '../iter.js';
import { scaledNorm2 } from '../kernels/level1.js';
import { NDArray, contiguousArray, isNDArray, normalizeAxis } from '../ndarray.js';
import { checkArray, checkBoolean, checkNumber } from '../validate.js';

/**
 * Reductions along any axes (NumPy semantics: `axis` a number, a list, or all axes when omitted;
 * `keepdims` keeps reduced axes as size 1). Each output element gathers its reduced elements into
 * a scratch buffer and hands it to a reducer, so every reduction shares one traversal. Every
 * reduction throws InvalidArgumentError for a non-array input, an unknown option, an axis out of
 * range or repeated, or a `keepdims` that is not a boolean.
 */

export interface ReduceOptions {
  axis?: number | number[];
  keepdims?: boolean;
}

/** The reductions' second argument: options, or the axis (or axes) alone as NumPy's `mean(a, 0)`. */
export type ReduceArg = ReduceOptions | number | number[];

const withAxis = <O extends ReduceOptions>(o: O | number | number[] | undefined): O | undefined =>
  typeof o === 'number' || Array.isArray(o) ? ({ axis: o } as O) : o;

type Reducer = (buf: Float64Array, n: number) => number;

function reduce(
  fn: string,
  x: NDArray,
  axisOrOptions: (ReduceOptions & { ddof?: number }) | number | number[] | undefined,
  extraKeys: string[],
  dtype: DType,
  reducer: Reducer,
): NDArray {
  const options = withAxis(axisOrOptions);
  checkOptions(fn, options, ['axis', 'keepdims', ...extraKeys]);
  const keepdims = checkBoolean(fn, 'options.keepdims', options?.keepdims ?? false);
  const axes =
    options?.axis === undefined
      ? [...x.shape.keys()]
      : (Array.isArray(options.axis) ? options.axis : [options.axis]).map((a) =>
          normalizeAxis(fn, 'options.axis', a, x.ndim),
        );
  if (new Set(axes).size !== axes.length)
    throw new InvalidArgumentError(fn, 'options.axis', options?.axis, 'distinct axes');
  const kept = [...x.shape.keys()].filter((a) => !axes.includes(a));
  const reducedShape = axes.map((a) => x.shape[a]);
  const reducedStrides = axes.map((a) => x.strides[a]);
  const n = reducedShape.reduce((s, d) => s * d, 1);
  const outShape = keepdims ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : kept.map((a) => x.shape[a]);
  const out = new NDArray(new (dtypeInfo(dtype).ctor)(outShape.reduce((s, d) => s * d, 1)), outShape);
  const buf = new Float64Array(n);
  const xd = x.data;
  let k = 0;
  const keptShape = kept.map((a) => x.shape[a]);
  const visit = (base: number) => {
    let j = 0;
    stridedLoop(reducedShape, [{ strides: reducedStrides, offset: base }], (p, len, s) => {
      for (let i = 0, q = p[0]; i < len; i++, q += s[0]) buf[j++] = xd[q];
    });
    out.data[k++] = reducer(buf, n);
  };
  if (keptShape.some((d) => d === 0)) return out;
  stridedLoop(keptShape, [{ strides: kept.map((a) => x.strides[a]), offset: x.offset }], (p, len, s) => {
    for (let i = 0, q = p[0]; i < len; i++, q += s[0]) visit(q);
  });
  return out;
}

/** Pairwise (cascade) summation: error O(log n eps) instead of O(n eps), as NumPy's sum. */
function pairwise(buf: ArrayLike<number>, lo: number, hi: number): number {
  if (hi - lo <= 128) {
    let s = 0;
    for (let i = lo; i < hi; i++) s += buf[i];
    return s;
  }
  const mid = lo + Math.floor((hi - lo) / 2);
  return pairwise(buf, lo, mid) + pairwise(buf, mid, hi);
}

const sumOf: Reducer = (b, n) => pairwise(b, 0, n);
const accumulateType = (d: DType): DType => (d === 'bool' ? 'int32' : d);

/** Whether `x` is a float array laid out row-major without gaps (the reductions' lean path). */
function denseFloat(x: unknown): x is NDArray<'float64' | 'float32'> {
  if (!isNDArray(x) || (x.dtype !== 'float64' && x.dtype !== 'float32')) return false;
  const shape = x.shape;
  const strides = x.strides;
  let step = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i] !== 1 && strides[i] !== step) return false;
    step *= shape[i];
  }
  return true;
}

/** A 0-d result of `x`'s float dtype. */
function scalarResult(x: NDArray<'float64' | 'float32'>, value: number): NDArray {
  const d = x.dtype === 'float32' ? new Float32Array(1) : new Float64Array(1);
  d[0] = value;
  return contiguousArray(d, x.dtype, []);
}

/**
 * Sum along axes (pairwise summation). O(size).
 * @example
 * ```ts
 * import { array, sum } from '@krylov/core-array';
 * const a = array([[1, 2], [3, 4]]);
 * console.assert(sum(a).item() === 10); // a 0-d array without an axis
 * console.assert(sum(a, { axis: 0 }).toFlatArray().join() === '4,6');
 * ```
 */
export function sum(x: NDArray, options?: ReduceArg): NDArray {
  // lean path: the whole of a dense float array, summed where it lies (float32 accumulates in
  // float64 as on the general path, which gathers into a Float64Array)
  if (options === undefined && denseFloat(x))
    return scalarResult(x, pairwise(x.data, x.offset, x.offset + x.size));
  checkArray('sum', 'x', x);
  return reduce('sum', x, options, [], accumulateType(x.dtype), sumOf);
}

/**
 * Arithmetic mean along axes; NaN for an empty reduction, as NumPy. O(size).
 * @example
 * ```ts
 * import { array, mean } from '@krylov/core-array';
 * console.assert(mean(array([[1, 2], [3, 4]]), { axis: 1 }).toFlatArray().join() === '1.5,3.5');
 * ```
 */
export function mean(x: NDArray, options?: ReduceArg): NDArray {
  checkArray('mean', 'x', x);
  return reduce('mean', x, options, [], floatResultType(x.dtype), (b, n) => sumOf(b, n) / n);
}

/** Product along axes. O(size). */
export function prod(x: NDArray, options?: ReduceArg): NDArray {
  checkArray('prod', 'x', x);
  return reduce('prod', x, options, [], accumulateType(x.dtype), (b, n) => {
    let p = 1;
    for (let i = 0; i < n; i++) p *= b[i];
    return p;
  });
}

function extreme(fn: string, better: (a: number, b: number) => boolean) {
  return (x: NDArray, options?: ReduceArg): NDArray => {
    checkArray(fn, 'x', x);
    if (x.size === 0)
      throw new ShapeError(
        fn,
        'x',
        `zero-size array has no ${fn === 'min' ? 'minimum' : 'maximum'}`,
        x.shape,
      );
    return reduce(fn, x, options, [], x.dtype, (b, n) => {
      let m = b[0];
      for (let i = 1; i < n && !Number.isNaN(m); i++) if (Number.isNaN(b[i]) || better(b[i], m)) m = b[i];
      return m;
    });
  };
}

/** Minimum along axes (NaN propagates). @throws ShapeError for an empty array. */
export const min = extreme('min', (a, b) => a < b);
/** Maximum along axes (NaN propagates). @throws ShapeError for an empty array. */
export const max = extreme('max', (a, b) => a > b);

function argExtreme(fn: string, better: (a: number, b: number) => boolean) {
  return (x: NDArray, options?: { axis?: number; keepdims?: boolean }): NDArray<'int32'> => {
    checkOptions(fn, options, ['axis', 'keepdims']);
    checkArray(fn, 'x', x);
    if (x.size === 0) throw new ShapeError(fn, 'x', 'zero-size array has no extreme element', x.shape);
    const flat = options?.axis === undefined ? x.reshape([x.size]) : x;
    const axis = options?.axis ?? 0;
    if (Array.isArray(axis)) throw new InvalidArgumentError(fn, 'options.axis', axis, 'a single axis');
    return reduce(fn, flat, { axis, keepdims: options?.keepdims }, [], 'int32', (b, n) => {
      let k = 0;
      for (let i = 1; i < n && !Number.isNaN(b[k]); i++) if (Number.isNaN(b[i]) || better(b[i], b[k])) k = i;
      return k;
    }) as NDArray<'int32'>;
  };
}

/** Index of the first minimum along one axis (or of the flattened array); the first NaN wins. */
export const argmin = argExtreme('argmin', (a, b) => a < b);
/** Index of the first maximum along one axis (or of the flattened array); the first NaN wins. */
export const argmax = argExtreme('argmax', (a, b) => a > b);

/** Variance along axes with `ddof` delta degrees of freedom (two-pass), under the name `fn`. */
function varianceOf(
  fn: string,
  x: NDArray,
  axisOrOptions: (ReduceOptions & { ddof?: number }) | number | number[] | undefined,
): NDArray {
  const options = withAxis(axisOrOptions);
  checkOptions(fn, options, ['axis', 'keepdims', 'ddof']);
  checkArray(fn, 'x', x);
  const ddof = checkNumber(fn, 'options.ddof', options?.ddof ?? 0, { min: 0 });
  return reduce(fn, x, options, ['ddof'], floatResultType(x.dtype), (b, n) => {
    // n - ddof <= 0 divides by zero or flips the sign: refuse it rather than return inf or a negative
    if (n - ddof <= 0)
      throw new InvalidArgumentError(fn, 'options.ddof', ddof, `less than the ${n} elements reduced`);
    const m = sumOf(b, n) / n;
    for (let i = 0; i < n; i++) b[i] = (b[i] - m) ** 2;
    return sumOf(b, n) / (n - ddof);
  });
}

/**
 * Variance along axes with `ddof` delta degrees of freedom (default 0; 1 for the unbiased
 * estimate), two-pass. O(size).
 * @throws InvalidArgumentError for a negative or non-finite ddof, or one not below the number of
 * elements reduced (which would divide by zero or give a negative variance).
 */
export function variance(
  x: NDArray,
  options?: (ReduceOptions & { ddof?: number }) | number | number[],
): NDArray {
  return varianceOf('variance', x, options);
}

/**
 * Standard deviation along axes with `ddof` (see `variance`). O(size). @throws as `variance`.
 * @example
 * ```ts
 * import { array, std } from '@krylov/core-array';
 * console.assert(std(array([1, 3])).item() === 1); // ddof 0, as NumPy
 * console.assert(Math.abs(std(array([1, 3]), { ddof: 1 }).item() - Math.SQRT2) < 1e-15);
 * ```
 */
export function std(x: NDArray, options?: (ReduceOptions & { ddof?: number }) | number | number[]): NDArray {
  const v = varianceOf('std', x, options);
  for (let i = 0; i < v.size; i++) v.data[i] = Math.sqrt(v.data[i]);
  return v;
}

const norm2Of: Reducer = (b, n) => scaledNorm2(b, 0, 1, n);

const absSum: Reducer = (b, n) => {
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.abs(b[i]);
  return s;
};

/** The vector p-norm reducer for any order other than 2 (NumPy's `ord` for vectors). */
function vectorNorm(p: number): Reducer {
  if (p === Number.POSITIVE_INFINITY || p === Number.NEGATIVE_INFINITY)
    return (b, n) => {
      let m = p > 0 ? 0 : Number.POSITIVE_INFINITY;
      for (let i = 0; i < n; i++) {
        const v = Math.abs(b[i]);
        if (Number.isNaN(v)) return v;
        m = p > 0 ? Math.max(m, v) : Math.min(m, v);
      }
      return m;
    };
  // ord 0 counts the non-zero entries, as NumPy
  if (p === 0)
    return (b, n) => {
      let c = 0;
      for (let i = 0; i < n; i++) c += b[i] !== 0 ? 1 : 0;
      return c;
    };
  if (p === 1) return absSum;
  return (b, n) => {
    // scaled by the largest magnitude so |x|^p neither overflows nor underflows
    let scale = 0;
    for (let i = 0; i < n; i++) scale = Math.max(scale, Math.abs(b[i]));
    if (Number.isNaN(scale)) return scale;
    const s = scale > 0 && Number.isFinite(scale) ? scale : 1;
    let acc = 0;
    for (let i = 0; i < n; i++) acc += (Math.abs(b[i]) / s) ** p;
    return s * acc ** (1 / p);
  };
}

export type NormOrder = number | 'fro' | 'nuc';

const NORM_OPTIONS_KEYS = optionKeys<NormOptions>()('axis', 'keepdims');

/** Options of {@link norm}. */
export type NormOptions = { axis?: number | [number, number]; keepdims?: boolean };

/**
 * Vector and matrix norms with `numpy.linalg.norm`'s rules for `ord` and `axis`:
 * - no `ord` and no `axis`: the 2-norm of the flattened array (the Frobenius norm of a matrix);
 * - a 1-D input, or an integer `axis`: vector norms, `ord` any real p (sum |x|^p)^(1/p) (2 by
 *   default; p < 1 gives NumPy's generalized value), Infinity (max |x|), -Infinity (min |x|) or 0
 *   (the number of non-zero entries);
 * - a 2-D input, or `axis: [r, c]`: matrix norms, `ord` 'fro' (default), 1 / -1 (largest / smallest
 *   column sum of |a|), Infinity / -Infinity (largest / smallest row sum of |a|).
 * The matrix orders 2, -2 and 'nuc' need singular values, which core-array does not compute: they
 * throw and point to `matrixNorm` in @krylov/decompositions. O(size).
 * @throws InvalidArgumentError for an order that does not exist for the input (a string for a
 * vector, 3 for a matrix...), the SVD orders on a matrix, or a bad axis; ShapeError for an `ord`
 * on an input with more than two dimensions and no `axis`.
 * @example
 * ```ts
 * import { array, norm } from '@krylov/core-array';
 * const v = array([3, 4]);
 * console.assert(norm(v).item() === 5);
 * console.assert(norm(v, 1).item() === 7 && norm(v, Infinity).item() === 4);
 * ```
 */
export function norm(x: NDArray, ord?: NormOrder, options?: NormOptions): NDArray {
  const fn = 'norm';
  if (ord === undefined && options === undefined && denseFloat(x))
    return scalarResult(x, scaledNorm2(x.data, x.offset, 1, x.size));
  checkOptions(fn, options, NORM_OPTIONS_KEYS);
  checkArray(fn, 'x', x);
  const keepdims = checkBoolean(fn, 'options.keepdims', options?.keepdims ?? false);
  const dtype = floatResultType(x.dtype);
  let axis = options?.axis;
  if (axis === undefined) {
    if (ord === undefined) return reduce(fn, x, { keepdims }, [], dtype, norm2Of);
    if (x.ndim !== 1 && x.ndim !== 2)
      throw new ShapeError(fn, 'x', `an 'ord' needs a vector or a matrix, or options.axis`, x.shape);
    axis = x.ndim === 1 ? 0 : [0, 1];
  }
  if (!Array.isArray(axis)) {
    if (ord !== undefined && (typeof ord !== 'number' || Number.isNaN(ord)))
      throw new InvalidArgumentError(fn, 'ord', ord, 'a vector order: a real number, Infinity or -Infinity');
    const p = ord ?? 2;
    return reduce(fn, x, { axis, keepdims }, [], dtype, p === 2 ? norm2Of : vectorNorm(p));
  }
  if (axis.length !== 2)
    throw new InvalidArgumentError(
      fn,
      'options.axis',
      axis,
      'an axis, or two distinct axes for a matrix norm',
    );
  const [r, c] = axis.map((a) => normalizeAxis(fn, 'options.axis', a, x.ndim));
  if (r === c) throw new InvalidArgumentError(fn, 'options.axis', axis, 'two distinct axes');
  const o = ord ?? 'fro';
  if (o === 'fro') return reduce(fn, x, { axis: [r, c], keepdims }, [], dtype, norm2Of);
  if (o === 1 || o === -1 || o === Number.POSITIVE_INFINITY || o === Number.NEGATIVE_INFINITY) {
    // 1 sums each column (over the row axis), Infinity each row (over the column axis)
    const sums = reduce(fn, x, { axis: o === 1 || o === -1 ? r : c, keepdims: true }, [], dtype, absSum);
    return (o > 0 ? max : min)(sums, { axis: [r, c], keepdims });
  }
  if (o === 2 || o === -2 || o === 'nuc')
    throw new InvalidArgumentError(
      fn,
      'ord',
      o,
      "'fro', 1, -1, Infinity or -Infinity here: 2, -2 and 'nuc' need singular values (matrixNorm(a, 2 | 'nuc') from @krylov/decompositions, or the smallest value of its svd for -2)",
    );
  throw new InvalidArgumentError(fn, 'ord', o, "a matrix order: 'fro', 1, -1, Infinity or -Infinity");
}
