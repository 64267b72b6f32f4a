import { type FloatDType, InvalidArgumentError, NDArray, ShapeError } from '@krylov/core-array';

/** Sampler state: a batch of samples, shape [batch, ...dims], float64 or float32. */
export type Batch = NDArray<FloatDType>;

/** sum_i c_i v_i as a new contiguous array of the dtype of the first term (all terms share a shape). */
export function lincomb(terms: readonly (readonly [number, Batch])[]): Batch {
  const first = terms[0][1];
  const out = new NDArray(
    new (first.data.constructor as Float64ArrayConstructor)(first.size),
    first.shape,
  ) as Batch;
  const o = out.data;
  for (const [c, v] of terms) {
    if (c === 0) continue;
    const d = v.contiguous();
    const src = d.data;
    const off = d.offset;
    for (let i = 0; i < o.length; i++) o[i] += c * src[off + i];
  }
  return out;
}

/** `x` with standard normal noise `z` scaled by `c` added; a new array. */
export function addNoise(x: Batch, c: number, z: Batch): Batch {
  return lincomb([
    [1, x],
    [c, z],
  ]);
}

/** Throws when `y` does not have `x`'s shape; used on every model output. */
export function checkSameShape(fn: string, arg: string, x: Batch, y: NDArray): void {
  if (y.shape.length !== x.shape.length || y.shape.some((d, i) => d !== x.shape[i])) {
    throw new ShapeError(fn, arg, `must match the sample shape ${JSON.stringify(x.shape)}`, y.shape);
  }
}

/** Throws InvalidArgumentError naming the step when `y` holds NaN or infinity. */
export function checkFinite(fn: string, what: string, y: NDArray, step: number): void {
  const d = y.contiguous();
  for (let i = 0; i < d.size; i++) {
    const v = d.data[d.offset + i];
    if (!Number.isFinite(v))
      throw new InvalidArgumentError(fn, what, v, `finite values (non-finite entry ${i} at step ${step})`);
  }
}
