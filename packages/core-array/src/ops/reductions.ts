import { type DType, dtypeInfo, floatResultType } from '../dtype.js';
import { InvalidArgumentError, ShapeError, checkOptions } from '../errors.js';
import { stridedLoop } from '../iter.js';
import { scaledNorm2 } from '../kernels/level1.js';
import { NDArray, normalizeAxis } from '../ndarray.js';

/**
 * Reductions along any axes (NumPy semantics: `axis` a number, a list, or all axes when omitted;
 * `keepdims` keeps reduced axes as size 1). Each output element gathers its reduced elements into
 * a scratch buffer and hands it to a reducer, so every reduction shares one traversal.
 */

export interface ReduceOptions {
  axis?: number | number[];
  keepdims?: boolean;
}

type Reducer = (buf: Float64Array, n: number) => number;

function reduce(
  fn: string,
  x: NDArray,
  options: (ReduceOptions & { ddof?: number }) | undefined,
  extraKeys: string[],
  dtype: DType,
  reducer: Reducer,
): NDArray {
  checkOptions(fn, options, ['axis', 'keepdims', ...extraKeys]);
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
  const outShape = options?.keepdims
    ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d))
    : kept.map((a) => x.shape[a]);
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
function pairwise(buf: Float64Array, lo: number, hi: number): number {
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

/** Sum along axes (pairwise summation). O(size). */
export function sum(x: NDArray, options?: ReduceOptions): NDArray {
  return reduce('sum', x, options, [], accumulateType(x.dtype), sumOf);
}

/** Arithmetic mean along axes; NaN for an empty reduction, as NumPy. O(size). */
export function mean(x: NDArray, options?: ReduceOptions): NDArray {
  return reduce('mean', x, options, [], floatResultType(x.dtype), (b, n) => sumOf(b, n) / n);
}

/** Product along axes. O(size). */
export function prod(x: NDArray, options?: ReduceOptions): NDArray {
  return reduce('prod', x, options, [], accumulateType(x.dtype), (b, n) => {
    let p = 1;
    for (let i = 0; i < n; i++) p *= b[i];
    return p;
  });
}

function extreme(fn: string, better: (a: number, b: number) => boolean) {
  return (x: NDArray, options?: ReduceOptions): NDArray => {
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

/** Variance with `ddof` delta degrees of freedom (two-pass). O(size). */
export function variance(x: NDArray, options?: ReduceOptions & { ddof?: number }): NDArray {
  const ddof = options?.ddof ?? 0;
  return reduce('variance', x, options, ['ddof'], floatResultType(x.dtype), (b, n) => {
    const m = sumOf(b, n) / n;
    for (let i = 0; i < n; i++) b[i] = (b[i] - m) ** 2;
    return sumOf(b, n) / (n - ddof);
  });
}

/** Standard deviation with `ddof`. O(size). */
export function std(x: NDArray, options?: ReduceOptions & { ddof?: number }): NDArray {
  const v = variance(x, options);
  for (let i = 0; i < v.size; i++) v.data[i] = Math.sqrt(v.data[i]);
  return v;
}

const norm2Of: Reducer = (b, n) => scaledNorm2(b, 0, 1, n);

export type NormOrder = number | 'fro' | 'nuc';

/**
 * Vector norms (`ord` 1, 2 default, Infinity, -Infinity, or any p >= 1) along `axis`, and matrix
 * norms over two axes (a 2-D input with no axis, or `axis: [r, c]`): 'fro' (default), 1 (max column
 * sum), Infinity (max row sum). The matrix 2-norm and nuclear norm need singular values: use
 * `matrixNorm` from @krylov/decompositions.
 * @throws InvalidArgumentError for unsupported orders.
 */
export function norm(
  x: NDArray,
  ord?: NormOrder,
  options?: { axis?: number | [number, number]; keepdims?: boolean },
): NDArray {
  const fn = 'norm';
  checkOptions(fn, options, ['axis', 'keepdims']);
  const axis = options?.axis ?? (x.ndim === 2 && ord !== undefined && ord !== 2 ? [0, 1] : undefined);
  const dtype = floatResultType(x.dtype);
  if (Array.isArray(axis)) {
    const [r, c] = axis.map((a) => normalizeAxis(fn, 'options.axis', a, x.ndim));
    const o = ord ?? 'fro';
    if (o === 'fro') return reduce(fn, x, { axis: [r, c], keepdims: options?.keepdims }, [], dtype, norm2Of);
    if (o === 1 || o === Number.POSITIVE_INFINITY) {
      const inner = o === 1 ? r : c;
      const sums = reduce(fn, x, { axis: inner, keepdims: true }, [], dtype, (b, n) => {
        let s = 0;
        for (let i = 0; i < n; i++) s += Math.abs(b[i]);
        return s;
      });
      return max(sums, { axis: [r, c], keepdims: options?.keepdims });
    }
    throw new InvalidArgumentError(
      fn,
      'ord',
      o,
      "'fro', 1 or Infinity for matrices (2 and 'nuc' are matrixNorm in @krylov/decompositions)",
    );
  }
  const keep = { axis: axis ?? [...x.shape.keys()], keepdims: options?.keepdims };
  const p = ord ?? 2;
  if (p === 2) return reduce(fn, x, keep, [], dtype, norm2Of);
  if (typeof p !== 'number' || !(p >= 1 || p === Number.NEGATIVE_INFINITY))
    throw new InvalidArgumentError(fn, 'ord', p, 'a vector order: 1, 2, Infinity, -Infinity or p >= 1');
  return reduce(fn, x, keep, [], dtype, (b, n) => {
    if (p === Number.POSITIVE_INFINITY || p === Number.NEGATIVE_INFINITY) {
      let m = p > 0 ? 0 : Number.POSITIVE_INFINITY;
      for (let i = 0; i < n; i++) m = p > 0 ? Math.max(m, Math.abs(b[i])) : Math.min(m, Math.abs(b[i]));
      return m;
    }
    let s = 0;
    for (let i = 0; i < n; i++) s += Math.abs(b[i]) ** p;
    return s ** (1 / p);
  });
}
