/**
 * Exact rational numbers over BigInt, for the Brent-equation checks: a scheme is accepted only if
 * its equations hold exactly, never up to a floating-point tolerance.
 */

/** A reduced fraction `num / den` with `den > 0`. */
export interface Rational {
  readonly num: bigint;
  readonly den: bigint;
}

const gcd = (a: bigint, b: bigint): bigint => {
  let x = a < 0n ? -a : a;
  let y = b < 0n ? -b : b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
};

/** `num / den` in lowest terms. */
export function rational(num: bigint, den = 1n): Rational {
  if (den === 0n) throw new RangeError('rational: zero denominator');
  const s = den < 0n ? -1n : 1n;
  const g = gcd(num, den) || 1n;
  return { num: (s * num) / g, den: (s * den) / g };
}

export const ZERO: Rational = rational(0n);
export const ONE: Rational = rational(1n);

export const add = (x: Rational, y: Rational): Rational =>
  x.den === y.den ? rational(x.num + y.num, x.den) : rational(x.num * y.den + y.num * x.den, x.den * y.den);
export const mul = (x: Rational, y: Rational): Rational => rational(x.num * y.num, x.den * y.den);
export const neg = (x: Rational): Rational => ({ num: -x.num, den: x.den });
export const div = (x: Rational, y: Rational): Rational => rational(x.num * y.den, x.den * y.num);
export const isZero = (x: Rational): boolean => x.num === 0n;
export const equals = (x: Rational, y: Rational): boolean => x.num === y.num && x.den === y.den;
export const toNumber = (x: Rational): number => Number(x.num) / Number(x.den);
export const toText = (x: Rational): string => (x.den === 1n ? `${x.num}` : `${x.num}/${x.den}`);

/**
 * Parses an integer or a fraction (`"3"`, `"-1/2"`), or takes a number that is an integer or a
 * dyadic fraction exactly representable (0.5, -0.25). Returns null for anything else.
 */
export function parseRational(value: unknown): Rational | null {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return null;
    let den = 1n;
    let x = value;
    while (!Number.isInteger(x) && den < 1n << 60n) {
      x *= 2;
      den *= 2n;
    }
    return Number.isInteger(x) ? rational(BigInt(x), den) : null;
  }
  if (typeof value !== 'string') return null;
  const m = /^\s*([+-]?\d+)\s*(?:\/\s*(\d+))?\s*$/.exec(value);
  if (!m || m[2] === '0' || (m[2] !== undefined && /^0+$/.test(m[2]))) return null;
  return rational(BigInt(m[1]), m[2] === undefined ? 1n : BigInt(m[2]));
}
