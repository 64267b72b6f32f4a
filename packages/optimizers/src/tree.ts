import { type FloatDType, InvalidArgumentError, type NDArray, ShapeError } from '@krylov/core-array';

/** Named parameters (or gradients, or updates): contiguous float arrays keyed by name. */
export type ParamTree = Record<string, NDArray<FloatDType>>;

/** A float buffer shaped like one parameter (state is kept in the parameter's dtype, as PyTorch does). */
export type Buffer = Float64Array | Float32Array;

/** A zero buffer of the parameter's dtype and size. */
export function zerosLike(p: NDArray<FloatDType>): Buffer {
  return p.dtype === 'float32' ? new Float32Array(p.size) : new Float64Array(p.size);
}

/** Applies `fn` to every (name, array) pair, building an object keyed the same way. */
export function mapTree<T>(
  tree: ParamTree,
  fn: (p: NDArray<FloatDType>, name: string) => T,
): Record<string, T> {
  const out: Record<string, T> = {};
  for (const name of Object.keys(tree)) out[name] = fn(tree[name], name);
  return out;
}

/**
 * Checks that `grads` has exactly the parameters' names, shapes and dtypes and only finite values.
 * @throws InvalidArgumentError for unknown or missing names and non-finite entries; ShapeError for shapes.
 */
export function checkGrads(fn: string, params: ParamTree, grads: ParamTree): void {
  for (const name of Object.keys(grads)) {
    if (!(name in params))
      throw new InvalidArgumentError(
        fn,
        `grads.${name}`,
        grads[name],
        `a gradient for a known parameter (${Object.keys(params).join(', ')})`,
      );
  }
  for (const name of Object.keys(params)) {
    const g = grads[name];
    const p = params[name];
    if (!g) throw new InvalidArgumentError(fn, `grads.${name}`, undefined, 'a gradient for every parameter');
    if (g.ndim !== p.ndim || g.shape.some((d, i) => d !== p.shape[i])) {
      throw new ShapeError(
        fn,
        `grads.${name}`,
        `must match the parameter's shape ${JSON.stringify(p.shape)}`,
        g.shape,
      );
    }
    const c = g.contiguous();
    for (let i = 0; i < c.size; i++) {
      const v = c.data[c.offset + i];
      if (!Number.isFinite(v))
        throw new InvalidArgumentError(
          fn,
          `grads.${name}`,
          v,
          `finite values (entry ${i} is not); the parameters were left unchanged`,
        );
    }
  }
}

/** Throws unless every parameter is a contiguous float array (parameters are updated in place). */
export function checkParams(fn: string, params: ParamTree): void {
  if (params === null || typeof params !== 'object')
    throw new InvalidArgumentError(fn, 'params', params, 'an object of named NDArrays');
  for (const [name, p] of Object.entries(params)) {
    if (p?.dtype !== 'float64' && p?.dtype !== 'float32')
      throw new InvalidArgumentError(fn, `params.${name}`, p, 'a float64 or float32 NDArray');
    if (!p.isContiguous)
      throw new InvalidArgumentError(
        fn,
        `params.${name}`,
        p,
        'a contiguous array (parameters are updated in place; pass .copy())',
      );
  }
}
