/**
 * Unfoldings and mode-n products in TensorLy's conventions (Kolda & Bader 2009 define the same
 * products; TensorLy's unfolding orders the columns differently from Kolda-Bader's, see `unfold`).
 */
import {
  InvalidArgumentError,
  type NDArray,
  ShapeError,
  checkBoolean,
  checkInteger,
  checkOptions,
  optionKeys,
} from '@krylov/core-array';
import { type Dense, mm, size, tensorArg, toNDArray } from './common.js';

/** The extents before and after `mode`: the tensor is read as an (L, I_mode, R) array. */
function split(shape: readonly number[], mode: number): [number, number, number] {
  return [size(shape.slice(0, mode)), shape[mode], size(shape.slice(mode + 1))];
}

/** Mode-`mode` unfolding of a row-major tensor: row i, column l * R + r holds X[l, i, r]. */
export function unfoldRaw(x: Dense, mode: number): Float64Array {
  const [L, I, R] = split(x.shape, mode);
  if (L === 1) return x.data.slice();
  const out = new Float64Array(x.data.length);
  for (let l = 0; l < L; l++)
    for (let i = 0; i < I; i++)
      out.set(x.data.subarray((l * I + i) * R, (l * I + i + 1) * R), i * L * R + l * R);
  return out;
}

/** The inverse of `unfoldRaw`: the tensor of `shape` whose mode-`mode` unfolding is `m`. */
export function foldRaw(m: Float64Array, mode: number, shape: readonly number[]): Dense {
  const [L, I, R] = split(shape, mode);
  if (L === 1) return { data: m.slice(), shape: [...shape] };
  const out = new Float64Array(m.length);
  for (let l = 0; l < L; l++)
    for (let i = 0; i < I; i++)
      out.set(m.subarray(i * L * R + l * R, i * L * R + (l + 1) * R), (l * I + i) * R);
  return { data: out, shape: [...shape] };
}

/**
 * X x_mode M for a J x I_mode matrix M (row-major), or M^T when `t` (M stored I_mode x J): every
 * mode-`mode` fiber is multiplied by M. Runs as registry `gemm` calls: one when the mode is the
 * first or the last, else one per leading index.
 */
export function ttmRaw(x: Dense, m: Float64Array, j: number, mode: number, t = false): Dense {
  const [L, I, R] = split(x.shape, mode);
  const shape = [...x.shape];
  shape[mode] = j;
  const out = new Float64Array(L * j * R);
  if (R === 1) mm(x.data, m, L, I, j, false, !t, out);
  else
    for (let l = 0; l < L; l++) mm(m, x.data.subarray(l * I * R), j, I, R, t, false, out.subarray(l * j * R));
  return { data: out, shape };
}

function modeArg(fn: string, mode: unknown, ndim: number): number {
  const m = checkInteger(fn, 'mode', mode, { min: -ndim, max: ndim - 1 });
  return m < 0 ? m + ndim : m;
}

/**
 * The mode-`mode` unfolding (matricization) of a tensor, in TensorLy's convention:
 * `unfold(X, n) = reshape(moveaxis(X, n, 0), [I_n, -1])` in C order, so entry
 * (i_0, ..., i_{N-1}) goes to row i_n and column `sum_{k != n} i_k prod_{l > k, l != n} I_l` (the
 * remaining indices in their original order, the last varying fastest). Kolda & Bader (2009)
 * order the columns with the first remaining index fastest; the two unfoldings differ by a column
 * permutation, so ranks, singular values and left singular vectors agree. Negative modes count
 * from the end. O(size). Reference: Kolda & Bader, "Tensor decompositions and applications",
 * SIAM Review 51 (2009); TensorLy's `tl.unfold`.
 * @throws InvalidArgumentError (not an NDArray, non-finite entries, mode out of range),
 *   DTypeError (not float), ShapeError (a 0-d array).
 * @example
 * ```ts
 * import { arange } from '@krylov/core-array';
 * import { unfold } from '@krylov/tensors';
 * const m = unfold(arange(24).reshape([2, 3, 4]), 1);
 * console.assert(m.shape[0] === 3 && m.shape[1] === 8, 'mode-1 unfolding is 3 x 8');
 * ```
 */
export function unfold(tensor: NDArray, mode: number): NDArray<'float64'> {
  const fn = 'unfold';
  const x = tensorArg(fn, 'tensor', tensor, { min: 1 });
  const n = modeArg(fn, mode, x.shape.length);
  return toNDArray({
    data: unfoldRaw(x, n),
    shape: [x.shape[n], size(x.shape) / Math.max(1, x.shape[n]) || 0],
  });
}

/**
 * The inverse of `unfold`: the tensor of `shape` whose mode-`mode` unfolding is `matrix`
 * (TensorLy's `tl.fold`). O(size).
 * @throws ShapeError when `matrix` is not I_mode x (size / I_mode); InvalidArgumentError for a bad
 *   shape or mode.
 * @example
 * ```ts
 * import { arange } from '@krylov/core-array';
 * import { fold, unfold } from '@krylov/tensors';
 * const x = arange(24).reshape([2, 3, 4]);
 * const back = fold(unfold(x, 2), 2, [2, 3, 4]);
 * console.assert(back.get(1, 2, 3) === 23, 'fold inverts unfold');
 * ```
 */
export function fold(matrix: NDArray, mode: number, shape: readonly number[]): NDArray<'float64'> {
  const fn = 'fold';
  const m = tensorArg(fn, 'matrix', matrix, { exact: 2 });
  if (!Array.isArray(shape) || shape.length === 0 || shape.some((d) => !Number.isInteger(d) || d < 0))
    throw new InvalidArgumentError(fn, 'shape', shape, 'a non-empty array of non-negative integers');
  const n = modeArg(fn, mode, shape.length);
  const rest = size(shape) / Math.max(1, shape[n]);
  if (
    m.shape[0] !== shape[n] ||
    m.shape[1] !== (shape[n] === 0 ? m.shape[1] : rest) ||
    size(m.shape) !== size(shape)
  )
    throw new ShapeError(
      fn,
      'matrix',
      `expected ${shape[n]} x ${rest} to fold into [${shape.join(', ')}]`,
      m.shape,
    );
  return toNDArray(foldRaw(m.data, n, shape));
}

/** Options of `modeProduct` and `multiModeProduct`. */
export interface ModeProductOptions {
  /** Multiply by M^T instead of M (TensorLy's `transpose`). Default false. */
  transpose?: boolean;
}

function matrixFor(
  fn: string,
  arg: string,
  m: unknown,
  extent: number,
  t: boolean,
): { data: Float64Array; j: number } {
  const a = tensorArg(fn, arg, m, { exact: 2 });
  const [rows, cols] = a.shape;
  if ((t ? rows : cols) !== extent)
    throw new ShapeError(
      fn,
      arg,
      `needs ${extent} ${t ? 'rows (transpose: true)' : 'columns'} to match the mode's extent`,
      a.shape,
    );
  return { data: a.data, j: t ? cols : rows };
}

const MODE_PRODUCT_OPTIONS_KEYS = optionKeys<ModeProductOptions>()('transpose');

/**
 * The mode-n product Y = X x_n M (TensorLy's `mode_dot`, Kolda & Bader's n-mode product): for M of
 * shape J x I_n, Y has I_n replaced by J and `unfold(Y, n) = M unfold(X, n)`. With
 * `transpose: true`, M (I_n x J) enters as M^T. O(J size(X)) flops as registry `gemm` calls.
 * @throws ShapeError (M's columns do not match I_n), InvalidArgumentError (mode, options).
 * @example
 * ```ts
 * import { arange, eye } from '@krylov/core-array';
 * import { modeProduct } from '@krylov/tensors';
 * const x = arange(24).reshape([2, 3, 4]);
 * console.assert(modeProduct(x, eye(3), 1).get(1, 2, 3) === 23, 'X x_1 I = X');
 * console.assert(modeProduct(x, eye(3).slice('0:2'), 1).shape[1] === 2, 'a 2 x 3 matrix shrinks mode 1');
 * ```
 */
export function modeProduct(
  tensor: NDArray,
  matrix: NDArray,
  mode: number,
  options?: ModeProductOptions,
): NDArray<'float64'> {
  const fn = 'modeProduct';
  checkOptions(fn, options, MODE_PRODUCT_OPTIONS_KEYS);
  const t =
    options?.transpose === undefined ? false : checkBoolean(fn, 'options.transpose', options.transpose);
  const x = tensorArg(fn, 'tensor', tensor, { min: 1 });
  const n = modeArg(fn, mode, x.shape.length);
  const m = matrixFor(fn, 'matrix', matrix, x.shape[n], t);
  return toNDArray(ttmRaw(x, m.data, m.j, n, t));
}

const MULTI_MODE_PRODUCT_OPTIONS_KEYS = optionKeys<MultiModeProductOptions>()('transpose', 'modes', 'skip');

/** Options of {@link multiModeProduct}. */
export type MultiModeProductOptions = ModeProductOptions & { modes?: readonly number[]; skip?: number };

/**
 * X x_{m_1} M_1 x_{m_2} M_2 ... (TensorLy's `multi_mode_dot`): one mode product per matrix, in the
 * modes `modes` (default 0, 1, ..., matrices.length - 1), skipping the index `skip` if given.
 * Products in distinct modes commute. O(sum_k J_k size(X_k)).
 * @throws ShapeError, InvalidArgumentError as `modeProduct`; InvalidArgumentError for repeated modes.
 * @returns a float64 tensor with mode m_k of size rows(M_k).
 * @example
 * ```ts
 * import { ones, rng } from '@krylov/core-array';
 * import { multiModeProduct } from '@krylov/tensors';
 * const x = rng(1).normal([2, 3, 4]);
 * const y = multiModeProduct(x, [ones([1, 2]), ones([1, 3])], { modes: [0, 1] }); // sums over modes 0 and 1
 * console.assert(y.shape.join() === '1,1,4', 'modes 0 and 1 reduced to 1');
 * ```
 */
export function multiModeProduct(
  tensor: NDArray,
  matrices: readonly NDArray[],
  options?: MultiModeProductOptions,
): NDArray<'float64'> {
  const fn = 'multiModeProduct';
  checkOptions(fn, options, MULTI_MODE_PRODUCT_OPTIONS_KEYS);
  const t =
    options?.transpose === undefined ? false : checkBoolean(fn, 'options.transpose', options.transpose);
  let x = tensorArg(fn, 'tensor', tensor, { min: 1 });
  if (!Array.isArray(matrices))
    throw new InvalidArgumentError(fn, 'matrices', matrices, 'an array of matrices');
  const modes = (options?.modes ?? matrices.map((_, i) => i)).map((m) => modeArg(fn, m, x.shape.length));
  if (modes.length !== matrices.length)
    throw new InvalidArgumentError(
      fn,
      'options.modes',
      options?.modes,
      `${matrices.length} modes, one per matrix`,
    );
  if (new Set(modes).size !== modes.length)
    throw new InvalidArgumentError(fn, 'options.modes', modes, 'distinct modes');
  const skip =
    options?.skip === undefined
      ? -1
      : checkInteger(fn, 'options.skip', options.skip, { min: 0, max: matrices.length - 1 });
  for (let k = 0; k < matrices.length; k++) {
    if (k === skip) continue;
    const m = matrixFor(fn, `matrices[${k}]`, matrices[k], x.shape[modes[k]], t);
    x = ttmRaw(x, m.data, m.j, modes[k], t);
  }
  return toNDArray(x);
}
