import {
  type Backend,
  InvalidArgumentError,
  type KernelArgs,
  type Mat,
  type Plugin,
  checkBoolean,
  checkInteger,
  checkNumber,
} from '@krylov/core-array';
import { baseCaseGuard, compilePlan, newContext, recursiveGemm } from './execute.js';
import { type RunOptions, resolveRun } from './options.js';
import { linearCombination } from './pool.js';
import { SYMMETRIC_2X2, recursiveSyrk } from './symmetric.js';

/** Options of `createFastMatmulPlugin`. */
export interface FastMatmulPluginOptions extends RunOptions {
  /** Backend name (default 'fast-matmul'); name it in `configure({ backends })` to use it. */
  name?: string;
  /**
   * Let the registry pick this backend without being named (default false). It then registers
   * with priority 75, between native (100) and wasm-simd (50): where OpenBLAS is available it wins
   * (fast schemes measured slower over it), else this backend takes float64 products whose
   * smallest dimension is at least `crossover`, with the base cases on wasm-simd or js. Results are
   * normwise, not componentwise, accurate (README).
   */
  allowReducedAccuracy?: boolean;
  /**
   * Smallest min(m, k, n) accepted under `allowReducedAccuracy` (default 4096: the size at which
   * Winograd over the wasm-simd gemm measured faster than wasm-simd alone in float64,
   * docs/bench/fast-matmul.md; float32 never did, so it is declined in that mode).
   */
  crossover?: number;
  /** Also provide `syrk` by the symmetric scheme (default true). */
  syrk?: boolean;
}

const KEYS = ['name', 'allowReducedAccuracy', 'crossover', 'syrk'];
export const DEFAULT_CROSSOVER = 4096;

/**
 * Builds the plugin: a backend with `gemm` (and `syrk`) kernels that run a fast scheme and send
 * the base-case products back to the registry, where the next backend of the order (wasm-simd,
 * native or js) takes them. Nothing registers until `use(plugin)`; by default the backend has
 * priority -10, below js, so the registry runs it only where the user names it:
 * `configure({ backends: ['fast-matmul', 'wasm-simd', 'js'] })` or `withBackends([...], fn)`.
 * Its `supports` declines dtypes other than float32/float64, products whose blocks would fall
 * below `cutoff`, and the base cases of its own products, each with the reason `explain` shows.
 * @throws InvalidArgumentError for bad or unknown options; SchemeError for an invalid custom scheme.
 * @example
 * ```ts
 * import { matmul, rng, use, withBackends } from '@krylov/core-array';
 * import { createFastMatmulPlugin } from '@krylov/fast-matmul';
 * use(createFastMatmulPlugin({ scheme: 'winograd', cutoff: 64 }));
 * const a = rng(1).normal([256, 256]);
 * const c = withBackends(['fast-matmul', 'js'], () => matmul(a, a));
 * console.assert(c.shape[0] === 256, 'a 256 x 256 product through the plugin');
 * ```
 */
export function createFastMatmulPlugin(options: FastMatmulPluginOptions = {}): Plugin {
  const fn = 'createFastMatmulPlugin';
  const run = resolveRun(fn, options, KEYS);
  const o = options as Record<string, unknown>;
  const name = o.name ?? 'fast-matmul';
  if (typeof name !== 'string' || name === '')
    throw new InvalidArgumentError(fn, 'options.name', name, 'a non-empty string');
  const reduced = checkBoolean(fn, 'options.allowReducedAccuracy', o.allowReducedAccuracy ?? false);
  const crossover = checkInteger(fn, 'options.crossover', o.crossover ?? DEFAULT_CROSSOVER, { min: 1 });
  const withSyrk = checkBoolean(fn, 'options.syrk', o.syrk ?? true);
  checkNumber(fn, 'options.cutoff', run.cutoff);
  const plan = compilePlan(run.scheme, run.cse);
  const { m, k, n } = run.scheme;

  const common = (c: Mat, dims: number[], blocks: number[]): true | string => {
    if (baseCaseGuard.depth > 0) return 'base case of a fast-matmul product: delegated to the next backend';
    if (c.dtype !== 'float64' && c.dtype !== 'float32') return `only float64 and float32 (got ${c.dtype})`;
    if (Math.min(...blocks) < run.cutoff)
      return `blocks would be smaller than the cutoff ${run.cutoff} (shape ${dims.join(' x ')})`;
    if (reduced && c.dtype !== 'float64') return 'float32: measured no faster than the base gemm';
    if (reduced && Math.min(...dims) < crossover) return `below the measured crossover ${crossover}`;
    return true;
  };
  const gemmSupports = ({ a, b, c }: KernelArgs<'gemm'>) =>
    common(c, [a.shape[0], a.shape[1], b.shape[1]], [a.shape[0] / m, a.shape[1] / k, b.shape[1] / n]);
  const gemm = ({ alpha, a, b, beta, c }: KernelArgs<'gemm'>) => {
    const ctx = newContext(plan, run.cutoff, run.maxDepth);
    if (beta === 0) return recursiveGemm(ctx, alpha, a, b, c, 0);
    const t = ctx.pool.acquire(c.dtype, c.shape[0], c.shape[1]);
    recursiveGemm(ctx, alpha, a, b, t, 0);
    linearCombination(c, [
      [1, t],
      [beta, c],
    ]);
  };
  const syrk = ({ alpha, a, beta, c, lower }: KernelArgs<'syrk'>) => {
    const ctx = newContext(plan, run.cutoff, run.maxDepth);
    const target = lower ? c : (c.T as Mat);
    if (beta === 0) return recursiveSyrk(ctx, SYMMETRIC_2X2, alpha, a, target, 0);
    const t = ctx.pool.acquire(c.dtype, c.shape[0], c.shape[1]);
    recursiveSyrk(ctx, SYMMETRIC_2X2, alpha, a, t, 0);
    linearCombination(
      target,
      [
        [1, t],
        [beta, target],
      ],
      true,
    );
  };
  const backend: Backend = {
    name,
    priority: reduced ? 75 : -10,
    description: `fast bilinear matmul (${run.scheme.name} <${m},${k},${n}>:${run.scheme.rank}) over the next backend's gemm${reduced ? ', reduced accuracy allowed' : ', only when named'}`,
    probe: () => ({
      available: true,
      details: {
        scheme: run.scheme.name,
        cutoff: run.cutoff,
        maxDepth: run.maxDepth,
        additions: plan.additions.cse,
        mode: reduced ? `allowReducedAccuracy (n >= ${crossover})` : 'explicit only',
      },
    }),
    kernels: {
      gemm: { run: gemm, supports: gemmSupports },
      ...(withSyrk
        ? {
            syrk: {
              run: syrk,
              supports: ({ a, c }: KernelArgs<'syrk'>) =>
                common(c, [a.shape[0], a.shape[1]], [a.shape[0] / 2, a.shape[1] / 2]),
            },
          }
        : {}),
    },
  };
  return { name: '@krylov/fast-matmul', backends: [backend] };
}
