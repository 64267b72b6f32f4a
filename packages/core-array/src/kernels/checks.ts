import type { NDArray } from '../ndarray.js';
import type { CsrOperand } from './signatures.js';

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

const square = (a: NDArray) => a.shape[0] === a.shape[1];

/** The `syrk` kernel's operands: float matrices A (n x k) and C (n x n) of one dtype. */
export function syrkOperands({ a, c }: { a: NDArray; c: NDArray }): Check {
  return (
    floatOperands({ a: [a, 2], c: [c, 2] }) ||
    shapeMismatch(square(c) && a.shape[0] === c.shape[0], `a ${shapeText(a)}, c ${shapeText(c)}`)
  );
}

/**
 * The operands of the triangular matrix kernels `trsm` and `trmm` (and `trtrs`, side left): a
 * known side, float matrices of one dtype, A square with the order of B's rows (left) or columns (right).
 */
export function trsmOperands({ side, a, b }: { side: 'left' | 'right'; a: NDArray; b: NDArray }): Check {
  return (
    floatOperands({ a: [a, 2], b: [b, 2] }) ||
    (side !== 'left' && side !== 'right' && `unknown side ${JSON.stringify(side)}`) ||
    shapeMismatch(
      square(a) && a.shape[0] === b.shape[side === 'left' ? 0 : 1],
      `a ${shapeText(a)}, b ${shapeText(b)} (${side})`,
    )
  );
}

/** The operands of `trmv` and `trsv`: a square float matrix A and a vector x of its order, one dtype. */
export function trsvOperands({ a, x }: { a: NDArray; x: NDArray }): Check {
  return (
    floatOperands({ a: [a, 2], x: [x, 1] }) ||
    shapeMismatch(square(a) && a.shape[0] === x.size, `a ${shapeText(a)}, x ${shapeText(x)}`)
  );
}

/**
 * The `spmv` kernel's operands: vectors x and y of the CSR matrix's dtype, with the lengths op(A)
 * needs (x: columns and y: rows, swapped with `transpose`).
 */
export function spmvOperands({
  a,
  x,
  y,
  transpose,
}: { a: CsrOperand; x: NDArray; y: NDArray; transpose: boolean }): Check {
  const dtype = a.data instanceof Float32Array ? 'float32' : 'float64';
  const [m, n] = transpose ? [a.shape[1], a.shape[0]] : a.shape;
  return (
    floatOperands({ x: [x, 1], y: [y, 1] }) ||
    (x.dtype !== dtype && `CSR data is ${dtype}, vectors are ${x.dtype}`) ||
    shapeMismatch(
      x.size === n && y.size === m,
      `a [${a.shape.join(', ')}]${transpose ? '^T' : ''}, x ${shapeText(x)}, y ${shapeText(y)}`,
    )
  );
}
