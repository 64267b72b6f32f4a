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

const sameExtents = (x: readonly number[], y: readonly number[]) =>
  x.length === y.length && x.every((d, i) => d === y[i]);

/** The `gemm` kernel's operands: float matrices of one dtype with C (m x n) = A (m x k) B (k x n). */
export function gemmOperands({ a, b, c }: { a: NDArray; b: NDArray; c: NDArray }): Check {
  return (
    floatOperands({ a: [a, 2], b: [b, 2], c: [c, 2] }) ||
    shapeMismatch(
      a.shape[1] === b.shape[0] && a.shape[0] === c.shape[0] && b.shape[1] === c.shape[1],
      `a ${shapeText(a)}, b ${shapeText(b)}, c ${shapeText(c)}`,
    )
  );
}

/** The `gemmBatched` kernel's operands: `gemmOperands` per matrix, over equal leading (batch) shapes. */
export function gemmBatchedOperands({ a, b, c }: { a: NDArray; b: NDArray; c: NDArray }): Check {
  if (c.ndim < 2) return `'c' has ${c.ndim} dimensions, fewer than 2`;
  const batch = c.shape.slice(0, -2);
  return (
    floatOperands({ a: [a, c.ndim], b: [b, c.ndim], c: [c, c.ndim] }) ||
    shapeMismatch(
      sameExtents(a.shape.slice(0, -2), batch) &&
        sameExtents(b.shape.slice(0, -2), batch) &&
        a.shape.at(-1) === b.shape.at(-2) &&
        a.shape.at(-2) === c.shape.at(-2) &&
        b.shape.at(-1) === c.shape.at(-1),
      `a ${shapeText(a)}, b ${shapeText(b)}, c ${shapeText(c)}`,
    )
  );
}

/** The `gemv` kernel's operands: a float matrix A (m x n) and vectors x (n) and y (m) of one dtype. */
export function gemvOperands({ a, x, y }: { a: NDArray; x: NDArray; y: NDArray }): Check {
  return (
    floatOperands({ a: [a, 2], x: [x, 1], y: [y, 1] }) ||
    shapeMismatch(
      a.shape[1] === x.size && a.shape[0] === y.size,
      `a ${shapeText(a)}, x ${shapeText(x)}, y ${shapeText(y)}`,
    )
  );
}
