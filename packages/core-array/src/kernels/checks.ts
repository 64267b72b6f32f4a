import type { NDArray } from '../ndarray.js';

/**
 * Helpers for backend plugins' `supports` predicates: each check returns the reason to decline, or
 * false when it passes; `firstFailure` turns a list of checks into a verdict. Arguments a plugin
 * declines go to the next backend (ultimately the pure-JS kernel, whose callers raise typed errors).
 */
export type Check = string | false;

/** The first failed check's reason, or true when every check passes (checks run lazily, in order). */
export function firstFailure(...checks: (() => Check)[]): true | string {
  for (const check of checks) {
    const reason = check();
    if (reason) return reason;
  }
  return true;
}

/** Every operand float64 or float32 with the given number of dimensions, all of one dtype. */
export function floatOperands(ops: Record<string, [NDArray, number]>): Check {
  let dtype: string | undefined;
  for (const [name, [x, ndim]] of Object.entries(ops)) {
    if (x.dtype !== 'float64' && x.dtype !== 'float32')
      return `'${name}' has dtype ${x.dtype} (float32 and float64 only)`;
    if (x.ndim !== ndim) return `'${name}' has ${x.ndim} dimensions, not ${ndim}`;
    dtype ??= x.dtype;
    if (x.dtype !== dtype) return `mixed dtypes (${dtype} and ${x.dtype})`;
  }
  return false;
}

/** A shape check's reason: `shape mismatch: <what>` unless `ok`. */
export const shapeMismatch = (ok: boolean, what: string): Check => !ok && `shape mismatch: ${what}`;

/** `[2, 3]`: a shape as the reasons print it. */
export const shapeText = (a: NDArray): string => `[${a.shape.join(', ')}]`;
