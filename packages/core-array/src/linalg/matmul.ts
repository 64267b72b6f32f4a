import { type ArrayInput, asarray } from '../asarray.js';
import { type FloatDType, dtypeInfo } from '../dtype.js';
import { ShapeError, checkOptions, optionKeys } from '../errors.js';
import { gemmBatchedKernel, gemmKernel } from '../kernels/gemm.js';
import type { Mat } from '../kernels/signatures.js';
import { NDArray, contiguousArray, isNDArray } from '../ndarray.js';
import { checkWritable, separate } from '../overlap.js';
import { checkArray, checkBoolean, checkNumber } from '../validate.js';
import { floatResult, requireNdim, requireSameDType } from './validate.js';

export interface GemmOptions {
  transA?: boolean;
  transB?: boolean;
  alpha?: number;
  /** Multiplies `c` (default 0: c's old contents, NaN included, are ignored). */
  beta?: number;
  /** Output (m x n), written in place; allocated when omitted. */
  c?: NDArray;
}

const GEMM_OPTIONS_KEYS = optionKeys<GemmOptions>()('transA', 'transB', 'alpha', 'beta', 'c');

/**
 * C = alpha op(A) op(B) + beta C (BLAS dgemm) for matrices of one float dtype and any strides;
 * transposes are views, so no data moves before the kernel packs its panels. O(mnk). A `c` that
 * shares memory with `a` or `b` (`gemm(a, b, { c: a })`) is allowed: they are read from copies.
 * @throws ShapeError for mismatched dimensions; DTypeError for mixed or non-float dtypes;
 * InvalidArgumentError for unknown options, a non-finite alpha or beta, non-boolean transposes, a
 * non-array operand, or a `c` that is a broadcast view.
 */
export function gemm(a: NDArray, b: NDArray, options?: GemmOptions): NDArray<FloatDType> {
  const fn = 'gemm';
  checkOptions(fn, options, GEMM_OPTIONS_KEYS);
  const alpha = checkNumber(fn, 'options.alpha', options?.alpha ?? 1);
  const beta = checkNumber(fn, 'options.beta', options?.beta ?? 0);
  requireNdim(fn, 'a', a, 2);
  requireNdim(fn, 'b', b, 2);
  const opA = checkBoolean(fn, 'options.transA', options?.transA ?? false) ? a.T : a;
  const opB = checkBoolean(fn, 'options.transB', options?.transB ?? false) ? b.T : b;
  const [m, k] = opA.shape;
  if (opB.shape[0] !== k)
    throw new ShapeError(
      fn,
      'b',
      `op(b) needs ${k} rows to match op(a) ${JSON.stringify(opA.shape)}`,
      opB.shape,
    );
  const n = opB.shape[1];
  const c = options?.c ?? new NDArray(new (dtypeInfo(a.dtype).ctor)(m * n), [m, n]);
  checkArray(fn, 'options.c', c);
  requireSameDType(fn, { a, b, c });
  if (c.ndim !== 2 || c.shape[0] !== m || c.shape[1] !== n)
    throw new ShapeError(fn, 'c', `expected [${m}, ${n}]`, c.shape);
  checkWritable(fn, 'options.c', c);
  gemmKernel({
    alpha,
    a: separate(c, opA) as Mat,
    b: separate(c, opB) as Mat,
    beta: options?.c ? beta : 0,
    c: c as Mat,
  });
  return c as NDArray<FloatDType>;
}

interface Plan {
  a: NDArray<FloatDType>;
  b: NDArray<FloatDType>;
  out: NDArray<FloatDType>;
  /** Shape of the result after dropping axes added for 1-D operands. */
  shape: number[];
}

/** NumPy matmul's shape rules: 1-D promotion, broadcasting of leading (batch) dimensions. */
function plan(fn: string, a0: NDArray, b0: NDArray): Plan {
  checkArray(fn, 'a', a0);
  checkArray(fn, 'b', b0);
  if (a0.ndim === 0 || b0.ndim === 0)
    throw new ShapeError(
      fn,
      a0.ndim === 0 ? 'a' : 'b',
      'matmul does not take scalars (use mul)',
      a0.ndim === 0 ? a0.shape : b0.shape,
    );
  const dtype = floatResult(a0.dtype, b0.dtype);
  let a = a0.astype(dtype);
  let b = b0.astype(dtype);
  if (a.ndim === 1) a = a.expandDims(0);
  if (b.ndim === 1) b = b.expandDims(1);
  const [m, k] = a.shape.slice(-2);
  const [k2, n] = b.shape.slice(-2);
  if (k !== k2)
    throw new ShapeError(
      fn,
      'b',
      `has ${k2} rows in its last two dimensions; a has ${k} columns (a: ${JSON.stringify(a0.shape)})`,
      b0.shape,
    );
  const la = a.shape.slice(0, -2);
  const lb = b.shape.slice(0, -2);
  const nd = Math.max(la.length, lb.length);
  const lead: number[] = [];
  for (let i = 0; i < nd; i++) {
    const x = la[la.length - nd + i] ?? 1;
    const y = lb[lb.length - nd + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1)
      throw new ShapeError(
        fn,
        'b',
        `batch dimensions do not broadcast with a's ${JSON.stringify(a0.shape)}`,
        b0.shape,
      );
    lead.push(Math.max(x, y));
  }
  const out = new NDArray(new (dtypeInfo(dtype).ctor)(lead.reduce((s, v) => s * v, 1) * m * n), [
    ...lead,
    m,
    n,
  ]) as NDArray<FloatDType>;
  const shape = [...lead, ...(a0.ndim === 1 ? [] : [m]), ...(b0.ndim === 1 ? [] : [n])];
  return {
    a: a.broadcastTo([...lead, m, k]) as NDArray<FloatDType>,
    b: b.broadcastTo([...lead, k, n]) as NDArray<FloatDType>,
    out,
    shape,
  };
}

/**
 * The matrix product with NumPy `matmul` semantics: 1-D operands are promoted to a row (left) or
 * column (right) and the added axis dropped; leading dimensions broadcast and each batch entry is a
 * gemm (through the `gemmBatched` kernel). Integer inputs are promoted to float64, mixed float
 * inputs to the wider type. O(batch mnk). Nested arrays, 1-D typed arrays and numbers are
 * converted by `asarray` first.
 * @throws ShapeError for non-matching inner or batch dimensions or a ragged nested array.
 * @example
 * ```ts
 * import { array, matmul } from '@krylov/core-array';
 * const a = array([[1, 2], [3, 4]]);
 * const c = matmul(a, a.T); // a transposed view, no copy
 * console.assert(c.toFlatArray().join() === '5,11,11,25');
 * ```
 */
export function matmul(a: ArrayInput, b: ArrayInput): NDArray<FloatDType> {
  if (!isNDArray(a)) a = asarray(a, { fn: 'matmul', arg: 'a' });
  if (!isNDArray(b)) b = asarray(b, { fn: 'matmul', arg: 'b' });
  // lean path: two matrices of one float dtype (views of any strides); the result is fresh, so
  // it cannot overlap them. Everything else (1-D, batches, promotion, faults) goes through `plan`.
  if (
    isNDArray(a) &&
    isNDArray(b) &&
    a.ndim === 2 &&
    b.ndim === 2 &&
    a.dtype === b.dtype &&
    (a.dtype === 'float64' || a.dtype === 'float32') &&
    a.shape[1] === b.shape[0]
  ) {
    const m = a.shape[0];
    const n = b.shape[1];
    const dtype = a.dtype as FloatDType;
    const c = contiguousArray(
      dtype === 'float64' ? new Float64Array(m * n) : new Float32Array(m * n),
      dtype,
      [m, n],
    );
    gemmKernel({ alpha: 1, a: a as Mat, b: b as Mat, beta: 0, c: c as Mat });
    return c;
  }
  const p = plan('matmul', a, b);
  if (p.out.ndim === 2) gemmKernel({ alpha: 1, a: p.a as Mat, b: p.b as Mat, beta: 0, c: p.out as Mat });
  else gemmBatchedKernel({ alpha: 1, a: p.a, b: p.b, beta: 0, c: p.out });
  return p.out.reshape(p.shape);
}

/** `matmul` through the registry's async entry point: off the main thread or on a device when the selected backend offers it. */
export async function matmulAsync(a: NDArray, b: NDArray): Promise<NDArray<FloatDType>> {
  const p = plan('matmulAsync', a, b);
  if (p.out.ndim === 2)
    await gemmKernel.async({ alpha: 1, a: p.a as Mat, b: p.b as Mat, beta: 0, c: p.out as Mat });
  else await gemmBatchedKernel.async({ alpha: 1, a: p.a, b: p.b, beta: 0, c: p.out });
  return p.out.reshape(p.shape);
}

/**
 * The outer product x y^T of two vectors. O(mn). @throws ShapeError for non-vectors.
 * @example
 * ```ts
 * import { array, outer } from '@krylov/core-array';
 * const o = outer(array([1, 2]), array([3, 4, 5]));
 * console.assert(o.shape.join() === '2,3' && o.get(1, 2) === 10);
 * ```
 */
export function outer(x: NDArray, y: NDArray): NDArray<FloatDType> {
  requireNdim('outer', 'x', x, 1);
  requireNdim('outer', 'y', y, 1);
  return matmul(x.expandDims(1), y.expandDims(0));
}
