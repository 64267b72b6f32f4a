import { InvalidArgumentError, checkBoolean, checkChoice, checkInteger } from '@krylov/core-array';
import { SCHEME_NAMES, type SchemeName, getScheme } from './catalog.js';
import { type Scheme, checkBrent } from './scheme.js';

/** How a scheme runs. */
export interface RunOptions {
  /** A shipped scheme's name or a loaded `Scheme` (default 'winograd'). */
  scheme?: SchemeName | Scheme;
  /**
   * Recurse only while every block keeps at least this many rows and columns (default 512: below
   * it the saved multiplications no longer pay for the additions on this machine's wasm-simd and
   * js gemm; see docs/bench/fast-matmul.md).
   */
  cutoff?: number;
  /** At most this many recursion levels (default 8); 0 runs the base gemm alone. Each level multiplies the error bound by the scheme's growth factor (`stabilityFactor`). */
  maxDepth?: number;
  /** Share repeated sums (common-subexpression elimination, default true). */
  cse?: boolean;
}

export const RUN_KEYS = ['scheme', 'cutoff', 'maxDepth', 'cse'] as const;
export const DEFAULT_CUTOFF = 512;
export const DEFAULT_MAX_DEPTH = 8;

export interface ResolvedRun {
  scheme: Scheme;
  cutoff: number;
  maxDepth: number;
  cse: boolean;
}

const checked = new WeakSet<Scheme>();

/** Validates run options (unknown keys included) once, at a public boundary. */
export function resolveRun(
  fn: string,
  options: object | undefined,
  extra: readonly string[] = [],
): ResolvedRun {
  if (options !== undefined && (typeof options !== 'object' || options === null))
    throw new InvalidArgumentError(fn, 'options', options, 'an options object');
  const o = (options ?? {}) as Record<string, unknown>;
  const keys = [...RUN_KEYS, ...extra];
  for (const k of Object.keys(o))
    if (!keys.includes(k))
      throw new InvalidArgumentError(fn, `options.${k}`, o[k], `one of the keys ${keys.join(', ')}`);
  let scheme: Scheme;
  if (o.scheme === undefined || typeof o.scheme === 'string')
    scheme = getScheme(checkChoice(fn, 'options.scheme', o.scheme ?? 'winograd', SCHEME_NAMES));
  else if (typeof o.scheme === 'object' && o.scheme !== null && 'u' in o.scheme) {
    scheme = o.scheme as Scheme;
    if (!checked.has(scheme)) {
      checkBrent(scheme, fn);
      checked.add(scheme);
    }
  } else
    throw new InvalidArgumentError(
      fn,
      'options.scheme',
      o.scheme,
      `a Scheme or one of ${SCHEME_NAMES.join(', ')}`,
    );
  return {
    scheme,
    cutoff: checkInteger(fn, 'options.cutoff', o.cutoff ?? DEFAULT_CUTOFF, { min: 1 }),
    maxDepth: checkInteger(fn, 'options.maxDepth', o.maxDepth ?? DEFAULT_MAX_DEPTH, { min: 0, max: 64 }),
    cse: checkBoolean(fn, 'options.cse', o.cse ?? true),
  };
}
