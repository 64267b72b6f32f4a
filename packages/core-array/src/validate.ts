/**
 * Argument checks shared by every package, so that one fault raises one error type with one
 * wording everywhere: a public function checks each scalar parameter here, at its boundary.
 */
import { InvalidArgumentError } from './errors.js';
import { type NDArray, isNDArray } from './ndarray.js';

/** The allowed range of a numeric parameter. Bounds are inclusive unless marked exclusive. */
export interface NumberRange {
  min?: number;
  max?: number;
  /** `min` itself is refused (e.g. a step size > 0). */
  minExclusive?: boolean;
  /** `max` itself is refused (e.g. a momentum < 1). */
  maxExclusive?: boolean;
  /** Only whole numbers. */
  integer?: boolean;
  /** Accept +-Infinity. Default false. */
  infinite?: boolean;
  /** Accept NaN too (a fill value, a clip bound that propagates). Default false. */
  nan?: boolean;
}

function describeRange(r: NumberRange): string {
  const kind = r.integer
    ? 'an integer'
    : r.nan
      ? 'a number (NaN allowed)'
      : r.infinite
        ? 'a number'
        : 'a finite number';
  const lo = r.min === undefined ? '' : `${r.minExclusive ? '>' : '>='} ${r.min}`;
  const hi = r.max === undefined ? '' : `${r.maxExclusive ? '<' : '<='} ${r.max}`;
  const bounds = [lo, hi].filter((s) => s !== '').join(' and ');
  return bounds ? `${kind} ${bounds}` : kind;
}

/**
 * Returns `value` if it is a number in `range` (finite unless `range.infinite`); otherwise throws
 * an `InvalidArgumentError` naming `fn`, `arg`, the value and the range. Strings such as `"2"` are
 * refused, never coerced.
 */
export function checkNumber(fn: string, arg: string, value: unknown, range: NumberRange = {}): number {
  if (range.nan && typeof value === 'number' && Number.isNaN(value)) return value;
  const ok =
    typeof value === 'number' &&
    !Number.isNaN(value) &&
    (range.infinite || Number.isFinite(value)) &&
    (!range.integer || Number.isInteger(value)) &&
    (range.min === undefined || (range.minExclusive ? value > range.min : value >= range.min)) &&
    (range.max === undefined || (range.maxExclusive ? value < range.max : value <= range.max));
  if (!ok) throw new InvalidArgumentError(fn, arg, value, describeRange(range));
  return value as number;
}

/** `checkNumber` for whole numbers (counts, sizes, seeds, indices). */
export function checkInteger(
  fn: string,
  arg: string,
  value: unknown,
  range: Omit<NumberRange, 'integer'> = {},
): number {
  return checkNumber(fn, arg, value, { ...range, integer: true });
}

/**
 * Returns `value` if it is an NDArray (from any loaded copy of this package); `null`, `undefined`,
 * nested JavaScript arrays and typed arrays are refused with an error naming `fn` and `arg`
 * instead of failing later on a missing property.
 */
export function checkArray(fn: string, arg: string, value: unknown): NDArray {
  if (!isNDArray(value)) throw new InvalidArgumentError(fn, arg, value, 'an NDArray');
  return value;
}

/**
 * A shape as a fresh array of extents: an array of non-negative integers, or one non-negative
 * integer for a 1-D shape (NumPy's `size=3`).
 */
export function checkShape(fn: string, arg: string, value: unknown): number[] {
  if (typeof value === 'number') return [checkInteger(fn, arg, value, { min: 0 })];
  if (!Array.isArray(value) || value.some((d) => !Number.isInteger(d) || d < 0))
    throw new InvalidArgumentError(fn, arg, value, 'a non-negative integer or an array of them');
  return [...value];
}

/** Returns `value` if it is `true` or `false`; a string such as `"yes"` is refused. */
export function checkBoolean(fn: string, arg: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new InvalidArgumentError(fn, arg, value, 'true or false');
  return value;
}

/** Returns `value` if it is one of `choices`. */
export function checkChoice<T extends string | number>(
  fn: string,
  arg: string,
  value: unknown,
  choices: readonly T[],
): T {
  if (!choices.includes(value as T))
    throw new InvalidArgumentError(
      fn,
      arg,
      value,
      `one of ${choices.map((c) => JSON.stringify(c)).join(', ')}`,
    );
  return value as T;
}

/** Returns `value` if it is a function (a model, a schedule, a callback). */
export function checkFunction<F extends (...args: never[]) => unknown>(
  fn: string,
  arg: string,
  value: unknown,
): F {
  if (typeof value !== 'function') throw new InvalidArgumentError(fn, arg, value, 'a function');
  return value as F;
}

/**
 * max |a_ij - a_ji| / max |a_ij| of a square matrix (0 for the zero matrix; NaN entries give NaN),
 * read through its strides.
 */
export function relativeAsymmetry(a: NDArray): number {
  const n = a.shape[0];
  const [si, sj] = a.strides;
  const d = a.data;
  let asym = 0;
  let size = 0;
  for (let i = 0; i < n; i++)
    for (let j = 0; j <= i; j++) {
      const x = d[a.offset + i * si + j * sj];
      const y = d[a.offset + j * si + i * sj];
      if (Number.isNaN(x) || Number.isNaN(y)) return Number.NaN;
      asym = Math.max(asym, Math.abs(x - y));
      size = Math.max(size, Math.abs(x), Math.abs(y));
    }
  return size === 0 ? 0 : asym / size;
}

/**
 * The rule every function that assumes a symmetric (Hermitian) matrix follows: the square matrix
 * `a` must be symmetric up to a relative asymmetry of sqrt(eps) of its dtype (1.5e-8 for float64,
 * 3.5e-4 for float32), a bound far above the rounding of any computed symmetric product and far
 * below any deliberate asymmetry. O(n^2). Functions take `checkSymmetry: false` to skip the check
 * and read one triangle, as LAPACK does.
 * @throws InvalidArgumentError naming `fn`, `arg` and the asymmetry found.
 */
export function checkSymmetric(fn: string, arg: string, a: NDArray): void {
  const tol = Math.sqrt(a.dtype === 'float32' ? 2 ** -23 : 2 ** -52);
  const asym = relativeAsymmetry(a);
  if (!(asym <= tol))
    throw new InvalidArgumentError(
      fn,
      arg,
      `a matrix with relative asymmetry ${Number.isNaN(asym) ? 'NaN' : asym.toExponential(2)}`,
      `a symmetric matrix (max |a_ij - a_ji| / max |a_ij| <= ${tol.toExponential(1)}; pass checkSymmetry: false to read one triangle)`,
    );
}
