import { DTypeError, type FloatDType, type Mat, NDArray, ShapeError, checkArray } from '@krylov/core-array';
import { type ExecStats, compilePlan, newContext, recursiveGemm } from './execute.js';
import { type RunOptions, resolveRun } from './options.js';
import { SYMMETRIC_2X2, recursiveSyrk } from './symmetric.js';

/** Options of `fastMatmul` and `fastSyrk`. */
export interface MultiplyOptions extends RunOptions {
  /** Receives what the call did (levels, base calls, temporary bytes). */
  onStats?: (stats: ExecStats) => void;
}

function operand(fn: string, arg: string, x: unknown): Mat {
  const a = checkArray(fn, arg, x);
  if (a.ndim !== 2) throw new ShapeError(fn, arg, 'expected a matrix (2-D)', a.shape);
  if (a.dtype !== 'float64' && a.dtype !== 'float32')
    throw new DTypeError(fn, arg, a.dtype, 'float64 or float32');
  return a as Mat;
}

const zeros = (dtype: FloatDType, m: number, n: number) =>
  new NDArray(dtype === 'float64' ? new Float64Array(m * n) : new Float32Array(m * n), [m, n]) as Mat;

/**
 * C = A B by a fast bilinear scheme applied recursively (Strassen 1969; Higham 2002, ch. 23),
 * the base-case products running on the registry's gemm under the backend order in force
 * (`withBackends(['wasm-simd', 'js'], () => fastMatmul(a, b))`). Any strides (a transpose is a
 * view), float64 or float32 (both operands alike), any sizes (leftover rows and columns are
 * peeled). Cost O(r^L (n/m^L)^3) multiplications plus O(additions n^2) for L levels of a
 * <m,m,m>:r scheme. Accuracy: normwise, ||C - Ĉ||max <= f(n) u ||A||max ||B||max with f growing
 * by the scheme's `stabilityFactor` per level (12 for Strassen, 18 for Winograd) instead of the
 * classical n; not componentwise (see `errorBound`, README).
 * @returns C = A B, m x n, in A's float dtype.
 * @throws ShapeError for non-matrices or mismatched inner dimensions; DTypeError for non-float or
 * mixed dtypes; InvalidArgumentError for bad or unknown options; SchemeError (BrentEquationError)
 * for a custom scheme that fails its equations.
 * @example
 * ```ts
 * import { matmul, rng } from '@krylov/core-array';
 * import { fastMatmul } from '@krylov/fast-matmul';
 * const a = rng(1).normal([128, 128]);
 * const b = rng(2).normal([128, 128]);
 * const c = fastMatmul(a, b, { scheme: 'strassen', cutoff: 32 }); // two Strassen levels
 * const ref = matmul(a, b);
 * console.assert(Math.abs(c.get(5, 7) - ref.get(5, 7)) < 1e-10, 'matches the classical product');
 * ```
 */
export function fastMatmul(a: NDArray, b: NDArray, options?: MultiplyOptions): NDArray<FloatDType> {
  const fn = 'fastMatmul';
  const run = resolveRun(fn, options, ['onStats']);
  const x = operand(fn, 'a', a);
  const y = operand(fn, 'b', b);
  if (x.dtype !== y.dtype) throw new DTypeError(fn, 'b', y.dtype, `${x.dtype} (the dtype of a)`);
  if (y.shape[0] !== x.shape[1])
    throw new ShapeError(fn, 'b', `needs ${x.shape[1]} rows to match a ${JSON.stringify(x.shape)}`, y.shape);
  const c = zeros(x.dtype, x.shape[0], y.shape[1]);
  const ctx = newContext(compilePlan(run.scheme, run.cse), run.cutoff, run.maxDepth);
  if (x.shape[1] === 0) return c;
  recursiveGemm(ctx, 1, x, y, c, 0);
  options?.onStats?.({ ...ctx.stats, tempBytes: ctx.pool.allocatedBytes });
  return c;
}

/**
 * C = A A^T (n x n, symmetric, both triangles returned) by the symmetric block scheme
 * (`SYMMETRIC_2X2`: 4 symmetric and 2 general half-size products per level), the general
 * products by the gemm scheme of `options.scheme`, the base cases on the registry's syrk and
 * gemm. About 2/3 of the multiplications of the same scheme's A B. Errors as `fastMatmul`.
 * @throws as `fastMatmul`.
 */
export function fastSyrk(a: NDArray, options?: MultiplyOptions): NDArray<FloatDType> {
  const fn = 'fastSyrk';
  const run = resolveRun(fn, options, ['onStats']);
  const x = operand(fn, 'a', a);
  const n = x.shape[0];
  const c = zeros(x.dtype, n, n);
  if (x.shape[1] === 0) return c;
  const ctx = newContext(compilePlan(run.scheme, run.cse), run.cutoff, run.maxDepth);
  recursiveSyrk(ctx, SYMMETRIC_2X2, 1, x, c, 0);
  const d = c.data;
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) d[i * n + j] = d[j * n + i];
  options?.onStats?.({ ...ctx.stats, tempBytes: ctx.pool.allocatedBytes });
  return c;
}
