import {
  InvalidArgumentError,
  type NDArray,
  ShapeError,
  broadcastShapes,
  checkFunction,
  checkOptions,
  fromTypedArray,
  isNDArray,
  optionKeys,
  shapeSize,
  stack,
  zeros,
} from '@krylov/core-array';

/**
 * The result of a function mapped over a stack of matrices: arrays gain the leading (batch)
 * dimensions, numbers become float64 arrays of the batch shape, typed arrays (`Int32Array` indices,
 * `Float64Array` values) become arrays with one more dimension, and objects map field by field.
 */
export type Batched<R> = R extends NDArray
  ? R
  : R extends number
    ? NDArray<'float64'>
    : R extends Int32Array
      ? NDArray<'int32'>
      : R extends Float64Array
        ? NDArray<'float64'>
        : R extends null | undefined
          ? R
          : R extends object
            ? { [K in keyof R]: Batched<R[K]> }
            : never;

/**
 * Maps `core` over the leading dimensions of `arrays` (each with `coreDims[i]` trailing core
 * dimensions, batch dimensions broadcast as in NumPy) and stacks the results (see `Batched`).
 * An empty batch evaluates `core` once on identity-like inputs to learn the result shapes.
 * @throws ShapeError (naming `fn`) when an array has fewer dimensions than its core or the batch
 * shapes do not broadcast; whatever `core` throws for one matrix of the stack.
 */
export function overStack<R>(
  fn: string,
  arrays: readonly NDArray[],
  coreDims: readonly number[],
  core: (...mats: NDArray[]) => R,
): Batched<R> {
  const batchShapes = arrays.map((a, i) => {
    if (a.ndim < coreDims[i])
      throw new ShapeError(fn, `arguments[${i}]`, `expected at least ${coreDims[i]} dimensions`, a.shape);
    return a.shape.slice(0, a.ndim - coreDims[i]);
  });
  const batch = broadcastShapes(fn, ...batchShapes);
  const count = shapeSize(batch);
  const views = arrays.map((a, i) => a.broadcastTo([...batch, ...a.shape.slice(a.ndim - coreDims[i])]));
  const results: R[] = [];
  const index = new Array<number>(batch.length).fill(0);
  for (let b = 0; b < count; b++) {
    results.push(core(...views.map((v) => v.slice(...index))));
    for (let d = batch.length - 1; d >= 0 && ++index[d] === batch[d]; d--) index[d] = 0;
  }
  if (count === 0) {
    const probe = core(...views.map((v) => identityLike(v.shape.slice(batch.length), v.dtype)));
    return emptyStack(probe, batch) as Batched<R>;
  }
  return stackResults(fn, results, batch) as Batched<R>;
}

const BATCHED_OPTIONS_KEYS = optionKeys<BatchedOptions>()('coreDims');

/** Options of {@link batched}. */
export type BatchedOptions = { coreDims?: readonly number[] };

/**
 * Wraps a function of matrices so that it maps over stacks `[..., m, n]` and stacks the results,
 * as NumPy's linalg functions do (and `jax.vmap` over leading axes). Every `NDArray` positional
 * argument is batched, with `coreDims[i]` trailing core dimensions (default 2: matrices); other
 * arguments pass through. Functions whose results are arrays batch on their own; use this for those
 * returning numbers or index arrays: `batched(det)(stack)` is the array of determinants.
 * Complexity: the batch size times the cost of one call.
 * @example
 * ```ts
 * import { rng } from '@krylov/core-array';
 * import { batched, det } from '@krylov/decompositions';
 * const stack = rng(1).normal([10, 3, 3]); // ten 3 x 3 matrices
 * const dets = batched(det)(stack); // an NDArray of 10 determinants
 * console.assert(dets.shape[0] === 10 && Math.abs(dets.get(0) - det(stack.slice(0))) < 1e-12, 'one det per matrix');
 * ```
 * @throws ShapeError when the batch shapes do not broadcast or the results of the matrices of the
 *   stack differ in shape (a rank-revealing result, say); InvalidArgumentError for an `fn` that is
 *   not a function or bad coreDims; whatever `fn` throws.
 */
export function batched<A extends unknown[], R>(
  fn: (...args: A) => R,
  options?: BatchedOptions,
): (...args: A) => Batched<R> {
  checkFunction('batched', 'fn', fn);
  checkOptions('batched', options, BATCHED_OPTIONS_KEYS);
  const dims = options?.coreDims;
  if (dims !== undefined && (!Array.isArray(dims) || dims.some((d) => !Number.isInteger(d) || d < 0)))
    throw new InvalidArgumentError('batched', 'options.coreDims', dims, 'an array of non-negative integers');
  return (...args: A) => {
    const positions = args.flatMap((arg, i) => (isNDArray(arg) ? [i] : []));
    const coreDims = positions.map((_, k) => options?.coreDims?.[k] ?? 2);
    return overStack(
      fn.name || 'batched',
      positions.map((i) => args[i] as NDArray),
      coreDims,
      (...mats) => {
        const call = [...args] as A;
        positions.forEach((i, k) => {
          call[i] = mats[k];
        });
        return fn(...call);
      },
    );
  };
}

function identityLike(shape: readonly number[], dtype: NDArray['dtype']): NDArray {
  const a = zeros(shape, { dtype });
  if (shape.length === 2) for (let i = 0; i < Math.min(shape[0], shape[1]); i++) a.set(1, i, i);
  return a;
}

function stackResults(fn: string, results: readonly unknown[], batch: readonly number[]): unknown {
  const first = results[0];
  // results that cannot stack (a rank-dependent length, say) are refused, never overlapped or padded
  const lengthOf = (r: unknown) => (r as { length?: number } | null)?.length;
  if (
    (ArrayBuffer.isView(first) || Array.isArray(first)) &&
    results.some((r) => lengthOf(r) !== lengthOf(first))
  )
    throw new ShapeError(fn, 'result', 'the results for the matrices of the stack differ in length', [
      results.length,
    ]);
  if (isNDArray(first)) {
    const stacked = stack(results as NDArray[]);
    return stacked.reshape([...batch, ...first.shape]);
  }
  if (typeof first === 'number') return fromTypedArray(Float64Array.from(results as number[]), batch);
  if (first instanceof Int32Array || first instanceof Float64Array) {
    const data = new (first.constructor as Int32ArrayConstructor | Float64ArrayConstructor)(
      results.length * first.length,
    );
    (results as (Int32Array | Float64Array)[]).forEach((r, i) => data.set(r, i * first.length));
    return fromTypedArray(data, [...batch, first.length]);
  }
  if (first === null || first === undefined) return first;
  return Object.fromEntries(
    Object.keys(first).map((key) => [
      key,
      stackResults(
        fn,
        results.map((r) => (r as Record<string, unknown>)[key]),
        batch,
      ),
    ]),
  );
}

function emptyStack(probe: unknown, batch: readonly number[]): unknown {
  if (isNDArray(probe)) return zeros([...batch, ...probe.shape], { dtype: probe.dtype });
  if (typeof probe === 'number') return zeros(batch);
  if (probe instanceof Int32Array) return zeros([...batch, probe.length], { dtype: 'int32' });
  if (probe instanceof Float64Array) return zeros([...batch, probe.length]);
  if (probe === null || probe === undefined) return probe;
  return Object.fromEntries(
    Object.entries(probe as Record<string, unknown>).map(([key, v]) => [key, emptyStack(v, batch)]),
  );
}
