import type { ShapeLike } from '../creation.js';
import { type DType, type DTypeMap, dtypeInfo } from '../dtype.js';
import { InvalidArgumentError, checkOptions } from '../errors.js';
import { shapeSize } from '../iter.js';
import { NDArray } from '../ndarray.js';
import { checkInteger, checkNumber, checkShape } from '../validate.js';

/**
 * Seeded random numbers that are identical on every platform: xoshiro128** (Blackman & Vigna
 * 2018, "Scrambled linear pseudorandom number generators") uses only 32-bit integer operations
 * (Math.imul, shifts), so JavaScript engines, WebAssembly and GPUs reproduce the same stream.
 * The 128-bit state is filled from the seed by SplitMix32. Doubles take 53 bits from two outputs;
 * normals use the Box-Muller transform on such doubles.
 */

/** A seed: a number (its 32-bit pattern and high bits are mixed in), a string (hashed), or a generator to draw from. */
export type SeedLike = number | string | Rng;

function splitmix32(state: { s: number }): number {
  state.s = (state.s + 0x9e3779b9) | 0;
  let z = state.s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

function seedWord(seed: number | string): number {
  if (typeof seed === 'string') {
    // FNV-1a over UTF-16 code units
    let h = 0x811c9dc5;
    for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 0x01000193);
    return h >>> 0;
  }
  if (!Number.isFinite(seed))
    throw new InvalidArgumentError('rng', 'seed', seed, 'a finite number, a string or an Rng');
  const hi = Math.floor(seed / 2 ** 32);
  return ((seed >>> 0) ^ Math.imul(hi | 0, 0x9e3779b1)) >>> 0;
}

const rotl = (x: number, k: number) => (x << k) | (x >>> (32 - k));

/** A xoshiro128** generator. Create one with `rng(seed)`. */
export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  /** Seeds the state through SplitMix32 (a state of all zeros cannot occur). */
  constructor(seed: number | string) {
    const st = { s: seedWord(seed) | 0 };
    this.s0 = splitmix32(st) | 0;
    this.s1 = splitmix32(st) | 0;
    this.s2 = splitmix32(st) | 0;
    this.s3 = splitmix32(st) | 0;
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /**
   * A generator with exactly this state (from `state()`), e.g. to test against the reference algorithm.
   * @throws InvalidArgumentError unless `state` is four integers in [0, 2^32), not all zero (the
   * all-zero state is a fixed point: it would draw zeros forever).
   */
  static fromState(state: readonly [number, number, number, number]): Rng {
    const fn = 'Rng.fromState';
    const words: unknown = state;
    if (!Array.isArray(words) || words.length !== 4)
      throw new InvalidArgumentError(fn, 'state', words, 'four 32-bit unsigned integers');
    state.forEach((v, i) => checkInteger(fn, `state[${i}]`, v, { min: 0, max: 2 ** 32 - 1 }));
    if (state.every((v) => v === 0))
      throw new InvalidArgumentError(fn, 'state', state, 'a state that is not all zeros');
    const r = new Rng(0);
    [r.s0, r.s1, r.s2, r.s3] = state.map((v) => v | 0) as [number, number, number, number];
    return r;
  }

  /** The four 32-bit state words (unsigned). */
  state(): [number, number, number, number] {
    return [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0];
  }

  /** The next 32-bit output, uniform on [0, 2^32). */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9);
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result >>> 0;
  }

  /** A double uniform on [0, 1) with 53 random bits. */
  nextFloat64(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** A standard normal deviate (Box-Muller; both deviates of a pair are used). */
  nextNormal(): number {
    if (this.spare !== null) {
      const v = this.spare;
      this.spare = null;
      return v;
    }
    const u = 1 - this.nextFloat64(); // (0, 1]: log is finite
    const v = this.nextFloat64();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  private spare: number | null = null;

  /**
   * Advances the state by 2^64 outputs (the xoshiro128** jump polynomial): calling `jump()` k
   * times on copies gives non-overlapping streams for parallel workers.
   */
  jump(): this {
    const poly = [0x8764000b, 0xf542d2d3, 0x6fa035c3, 0x77f2db5b];
    let a = 0;
    let b = 0;
    let c = 0;
    let d = 0;
    for (const word of poly) {
      for (let bit = 0; bit < 32; bit++) {
        if (word & (1 << bit)) {
          a ^= this.s0;
          b ^= this.s1;
          c ^= this.s2;
          d ^= this.s3;
        }
        this.nextUint32();
      }
    }
    [this.s0, this.s1, this.s2, this.s3] = [a, b, c, d];
    this.spare = null;
    return this;
  }

  /**
   * A new generator on an independent stream: the child takes the current state and this generator
   * jumps 2^64 outputs ahead, so successive splits (and the parent) never overlap.
   */
  split(): Rng {
    const child = Rng.fromState(this.state());
    this.jump();
    return child;
  }

  /**
   * Uniform values on [low, high) (default [0, 1)); `shape` may be one integer for a vector.
   * @throws InvalidArgumentError for a bad shape, non-finite bounds or low >= high.
   */
  uniform<D extends DType = 'float64'>(
    shape: ShapeLike,
    options?: { low?: number; high?: number; dtype?: D },
  ): NDArray<D> {
    checkOptions('Rng.uniform', options, ['low', 'high', 'dtype']);
    const low = checkNumber('Rng.uniform', 'options.low', options?.low ?? 0);
    const high = checkNumber('Rng.uniform', 'options.high', options?.high ?? 1);
    if (!(low < high))
      throw new InvalidArgumentError(
        'Rng.uniform',
        'options.high',
        high,
        `a finite number above low = ${low}`,
      );
    return this.fill('Rng.uniform', shape, options?.dtype, () => low + (high - low) * this.nextFloat64());
  }

  /**
   * Normal values with `mean` and `std` (default standard normal); `shape` may be one integer for
   * a vector, as NumPy's `size`.
   * @throws InvalidArgumentError for a bad shape, a non-finite mean, or a negative or non-finite std.
   */
  normal<D extends DType = 'float64'>(
    shape: ShapeLike,
    options?: { mean?: number; std?: number; dtype?: D },
  ): NDArray<D> {
    checkOptions('Rng.normal', options, ['mean', 'std', 'dtype']);
    const mean = checkNumber('Rng.normal', 'options.mean', options?.mean ?? 0);
    const std = checkNumber('Rng.normal', 'options.std', options?.std ?? 1, { min: 0 });
    return this.fill('Rng.normal', shape, options?.dtype, () => mean + std * this.nextNormal());
  }

  /**
   * Integers uniform on [low, high) without modulo bias (bitmask rejection, as NumPy's bounded
   * integers for ranges up to 2^32; rejection on 53-bit doubles above), as int32 unless `dtype` says otherwise.
   * @throws InvalidArgumentError for a bad shape, non-integer bounds, low >= high, or a range that
   * the dtype cannot hold (int32 [-2^31, 2^31), bool [0, 2), float32 within +-2^24), as NumPy does.
   */
  integers<D extends DType = 'int32'>(
    low: number,
    high: number,
    shape: ShapeLike,
    options?: { dtype?: D },
  ): NDArray<D> {
    const fn = 'Rng.integers';
    checkOptions(fn, options, ['dtype']);
    const dtype = options?.dtype ?? ('int32' as D);
    // the largest range each dtype stores exactly (float64: every safe integer)
    const [lo, hi] = (
      { int32: [-(2 ** 31), 2 ** 31], bool: [0, 2], float32: [-(2 ** 24), 2 ** 24 + 1] } as Record<
        string,
        [number, number]
      >
    )[dtype] ?? [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER];
    checkInteger(fn, 'low', low, { min: lo, max: hi - 1 });
    checkInteger(fn, 'high', high, { min: low + 1, max: hi });
    return this.fill(fn, shape, dtype, () => low + this.below(high - low));
  }

  /**
   * A uniform integer in [0, n).
   * @throws InvalidArgumentError unless n is an integer in [1, 2^53] (0 or NaN would never return).
   */
  below(n: number): number {
    checkInteger('Rng.below', 'n', n, { min: 1, max: 2 ** 53 });
    if (n <= 2 ** 32) {
      // smallest all-ones mask covering n - 1; each draw is accepted with probability > 1/2
      let mask = n - 1;
      mask |= mask >>> 1;
      mask |= mask >>> 2;
      mask |= mask >>> 4;
      mask |= mask >>> 8;
      mask |= mask >>> 16;
      for (;;) {
        const x = (this.nextUint32() & mask) >>> 0;
        if (x < n) return x;
      }
    }
    const limit = Math.floor(2 ** 53 / n) * n;
    for (;;) {
      const x = Math.floor(this.nextFloat64() * 2 ** 53);
      if (x < limit) return x % n;
    }
  }

  /** A random permutation of 0..n-1 (Fisher-Yates). */
  permutation(n: number): Int32Array {
    if (!Number.isInteger(n) || n < 0 || n > 2 ** 31 - 1)
      throw new InvalidArgumentError('Rng.permutation', 'n', n, 'a non-negative integer below 2^31');
    const p = Int32Array.from({ length: n }, (_, i) => i);
    return this.shuffle(p);
  }

  /**
   * Shuffles a typed or plain array in place (Fisher-Yates) and returns it. O(n).
   * @throws InvalidArgumentError when `a` is not an array or a typed array.
   */
  shuffle<T extends { length: number; [i: number]: number }>(a: T): T {
    if (!Array.isArray(a) && !ArrayBuffer.isView(a))
      throw new InvalidArgumentError('Rng.shuffle', 'a', a, 'an array or a typed array');
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.below(i + 1);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }

  private fill<D extends DType>(
    fn: string,
    shape: ShapeLike,
    dtype: D | undefined,
    draw: () => number,
  ): NDArray<D> {
    const s = checkShape(fn, 'shape', shape);
    const info = dtypeInfo((dtype ?? 'float64') as D, fn);
    const data = new info.ctor(shapeSize(s)) as DTypeMap[D];
    for (let i = 0; i < data.length; i++) data[i] = draw();
    return new NDArray(data, s);
  }
}

/**
 * A new generator from a seed (number or string).
 * @example
 * ```ts
 * import { rng } from '@krylov/core-array';
 * const x = rng(42).normal([2, 3]);
 * const y = rng(42).normal([2, 3]);
 * console.assert(x.get(1, 2) === y.get(1, 2), 'the same seed gives the same numbers');
 * ```
 */
export function rng(seed: number | string): Rng {
  return new Rng(seed);
}

/** The generator a `SeedLike` stands for: an Rng is used as is (and advanced), a seed makes a new one. */
export function toRng(seed: SeedLike): Rng {
  return seed instanceof Rng ? seed : new Rng(seed);
}
