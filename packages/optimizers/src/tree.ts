import {
  DTypeError,
  type FloatDType,
  InvalidArgumentError,
  type NDArray,
  ShapeError,
  isNDArray,
} from '@krylov/core-array';

/** Named parameters (or gradients, or updates): contiguous float arrays keyed by name. */
export type ParamTree = Record<string, NDArray<FloatDType>>;

/** A float buffer shaped like one parameter (state is kept in the parameter's dtype, as PyTorch does). */
export type Buffer = Float64Array | Float32Array;

/** A zero buffer of the parameter's dtype and size. */
export function zerosLike(p: NDArray<FloatDType>): Buffer {
  return p.dtype === 'float32' ? new Float32Array(p.size) : new Float64Array(p.size);
}

/**
 * The elements of a contiguous array as a buffer of exactly `p.size` entries (a view: writes reach
 * `p`). A parameter may be a contiguous view into a larger buffer (offset > 0), so `p.data` alone
 * is not its elements.
 */
export function elementsOf(p: NDArray<FloatDType>): Buffer {
  const d = p.data as Buffer;
  return p.offset === 0 && d.length === p.size ? d : d.subarray(p.offset, p.offset + p.size);
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

/** Throws unless `tree` is a plain object (not null, a number, an array or an NDArray). */
export function checkTree(fn: string, arg: string, tree: unknown): asserts tree is ParamTree {
  if (tree === null || typeof tree !== 'object' || Array.isArray(tree) || isNDArray(tree))
    throw new InvalidArgumentError(fn, arg, tree, 'an object of named NDArrays ({ name: NDArray })');
}

/** The index of the first non-finite entry of a contiguous array, or -1. */
function firstNonFinite(a: NDArray): number {
  const c = a.contiguous();
  for (let i = 0; i < c.size; i++) if (!Number.isFinite(c.data[c.offset + i] as number)) return i;
  return -1;
}

/**
 * Checks that `grads` has exactly the parameters' names, shapes and dtypes and only finite values.
 * O(total size).
 * @throws InvalidArgumentError for a non-object, unknown or missing names, non-arrays and non-finite
 * entries; DTypeError for a dtype other than the parameter's; ShapeError for shapes.
 */
export function checkGrads(fn: string, params: ParamTree, grads: ParamTree): void {
  checkTree(fn, 'grads', grads);
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
    if (g === undefined)
      throw new InvalidArgumentError(fn, `grads.${name}`, undefined, 'a gradient for every parameter');
    if (!isNDArray(g)) throw new InvalidArgumentError(fn, `grads.${name}`, g, 'an NDArray');
    if (g.dtype !== p.dtype)
      throw new DTypeError(fn, `grads.${name}`, g.dtype, `the parameter's dtype ${p.dtype}`);
    if (g.ndim !== p.ndim || g.shape.some((d, i) => d !== p.shape[i])) {
      throw new ShapeError(
        fn,
        `grads.${name}`,
        `must match the parameter's shape ${JSON.stringify(p.shape)}`,
        g.shape,
      );
    }
    const bad = firstNonFinite(g);
    if (bad >= 0)
      throw new InvalidArgumentError(
        fn,
        `grads.${name}`,
        g.contiguous().data[g.contiguous().offset + bad],
        `finite values (entry ${bad} is not); the parameters were left unchanged`,
      );
  }
}

/**
 * Throws unless every parameter is a contiguous float array of finite values (parameters are
 * updated in place; a NaN start would make every later step NaN). O(total size).
 * @throws InvalidArgumentError for a non-object, non-arrays, non-contiguous arrays and non-finite
 * entries; DTypeError for a dtype other than float64 or float32.
 */
export function checkParams(fn: string, params: ParamTree): void {
  checkTree(fn, 'params', params);
  for (const [name, p] of Object.entries(params)) {
    if (!isNDArray(p)) throw new InvalidArgumentError(fn, `params.${name}`, p, 'an NDArray');
    if (p.dtype !== 'float64' && p.dtype !== 'float32')
      throw new DTypeError(fn, `params.${name}`, p.dtype, 'float64 or float32');
    if (!p.isContiguous)
      throw new InvalidArgumentError(
        fn,
        `params.${name}`,
        p,
        'a contiguous array (parameters are updated in place; pass .copy())',
      );
    const bad = firstNonFinite(p);
    if (bad >= 0)
      throw new InvalidArgumentError(
        fn,
        `params.${name}`,
        p.data[p.offset + bad],
        `finite values (entry ${bad} is not)`,
      );
  }
}
