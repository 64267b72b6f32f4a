import {
  InvalidArgumentError,
  NDArray,
  ShapeError,
  checkInteger,
  isNDArray,
  zeros,
} from '@krylov/core-array';
import { svd } from '@krylov/decompositions';
import { hash32, seed32 } from './hash.js';
import { hashSeed, positiveInt, requiredOptions } from './validate.js';

/** The largest row index the 32-bit stateless hash keeps distinct. */
const MAX_INDEX = 2 ** 32 - 1;

/** The JSON form of a Frequent Directions sketch (for sending a worker's state elsewhere). */
export interface FrequentDirectionsState {
  kind: 'frequent-directions';
  ell: number;
  d: number;
  rows: number;
  count: number;
  data: number[];
}

/**
 * Frequent Directions (Liberty 2013; Ghashami, Liberty, Phillips & Woodruff 2016, SIAM J. Comput.
 * 45): a streaming ell x d sketch B of an n x d matrix A, fed one row at a time, with
 * ||A^T A - B^T B||_2 <= ||A - A_k||_F^2 / (ell - k) for every k < ell. Uses the 2 ell-row buffer
 * (one SVD per ell rows: O(d ell) amortized per row). Sketches merge (`merge`: the bound holds for
 * the concatenated data; Agarwal et al. 2013, mergeable summaries) and serialize (`toJSON`,
 * `fromJSON`), so parts sketched on different workers combine.
 * `sketch()` returns B (float64, ell x d).
 * @throws InvalidArgumentError (constructor) for ell < 1 or d < 1; ShapeError for a row of the wrong length.
 * @example
 * ```ts
 * import { rng } from '@krylov/core-array';
 * import { FrequentDirections } from '@krylov/sketching';
 * const fd = new FrequentDirections(4, 10);
 * fd.updateRows(rng(1).normal([100, 10]));
 * console.assert(fd.sketch().shape[1] === 10, 'B is ell x d');
 * ```
 */
export class FrequentDirections {
  readonly ell: number;
  readonly d: number;
  private buffer: Float64Array;
  private rows = 0;
  /** Rows seen, merged sketches included. */
  count = 0;

  /** @throws InvalidArgumentError for non-positive sizes. */
  constructor(ell: number, d: number) {
    this.ell = positiveInt('FrequentDirections', 'ell', ell);
    this.d = positiveInt('FrequentDirections', 'd', d);
    this.buffer = new Float64Array(2 * ell * d);
  }

  /** Adds one row. @throws ShapeError on a wrong length; InvalidArgumentError on non-finite entries. */
  update(row: ArrayLike<number>): void {
    if (row === null || typeof row !== 'object' || typeof row.length !== 'number')
      throw new InvalidArgumentError('FrequentDirections.update', 'row', row, 'an array of numbers');
    if (row.length !== this.d)
      throw new ShapeError('FrequentDirections.update', 'row', `expected length ${this.d}`, [row.length]);
    for (let j = 0; j < this.d; j++)
      if (!Number.isFinite(row[j]))
        throw new InvalidArgumentError(
          'FrequentDirections.update',
          'row',
          row[j],
          `finite entries (entry ${j} is not)`,
        );
    if (this.rows === 2 * this.ell) this.shrink();
    this.buffer.set(row, this.rows * this.d);
    this.rows++;
    this.count++;
  }

  /** Adds every row of a matrix. */
  updateRows(a: NDArray): void {
    if (!isNDArray(a)) throw new InvalidArgumentError('FrequentDirections.updateRows', 'a', a, 'an NDArray');
    if (a.ndim !== 2 || a.shape[1] !== this.d)
      throw new ShapeError('FrequentDirections.updateRows', 'a', `expected ${this.d} columns`, a.shape);
    for (let i = 0; i < a.shape[0]; i++)
      this.update(Float64Array.from({ length: this.d }, (_, j) => a.get(i, j)));
  }

  /** Merges another sketch of the same width into this one. @throws ShapeError on a different d. */
  merge(other: FrequentDirections): this {
    if (!(other instanceof FrequentDirections))
      throw new InvalidArgumentError('FrequentDirections.merge', 'other', other, 'a FrequentDirections');
    if (other.d !== this.d)
      throw new ShapeError('FrequentDirections.merge', 'other', `expected d = ${this.d}`, [other.d]);
    const b = other.sketch();
    const count = this.count + other.count;
    for (let i = 0; i < b.shape[0]; i++) this.update(b.data.subarray(i * this.d, (i + 1) * this.d));
    this.count = count;
    return this;
  }

  /** The current sketch B (at most ell rows, ell x d). */
  sketch(): NDArray<'float64'> {
    if (this.rows > this.ell) this.shrink();
    const out = zeros([this.ell, this.d]);
    out.data.set(this.buffer.subarray(0, this.rows * this.d));
    return out;
  }

  /** Shrinks the buffer to ell - 1 nonzero rows: B = sqrt(max(S^2 - s_ell^2, 0)) V^T. */
  private shrink(): void {
    const { ell, d } = this;
    const b = new NDArray(this.buffer.slice(0, this.rows * d), [this.rows, d]);
    const f = svd(b);
    const k = f.s.size;
    const delta = ell - 1 < k ? f.s.data[ell - 1] ** 2 : 0;
    this.buffer.fill(0);
    let kept = 0;
    for (let i = 0; i < Math.min(k, ell); i++) {
      const s = Math.sqrt(Math.max(f.s.data[i] ** 2 - delta, 0));
      if (s === 0) break;
      for (let j = 0; j < d; j++) this.buffer[kept * d + j] = s * f.vt.data[i * d + j];
      kept++;
    }
    this.rows = kept;
  }

  toJSON(): FrequentDirectionsState {
    return {
      kind: 'frequent-directions',
      ell: this.ell,
      d: this.d,
      rows: this.rows,
      count: this.count,
      data: Array.from(this.buffer.subarray(0, this.rows * this.d)),
    };
  }

  /** @throws InvalidArgumentError when the state is not a Frequent Directions state. */
  static fromJSON(state: FrequentDirectionsState): FrequentDirections {
    if (
      state?.kind !== 'frequent-directions' ||
      !Array.isArray(state.data) ||
      !Number.isInteger(state.ell) ||
      !Number.isInteger(state.d) ||
      state.data.length !== state.rows * state.d ||
      state.rows > 2 * state.ell
    )
      throw new InvalidArgumentError(
        'FrequentDirections.fromJSON',
        'state',
        state,
        'the output of FrequentDirections.toJSON',
      );
    const fd = new FrequentDirections(state.ell, state.d);
    fd.buffer.set(state.data);
    fd.rows = state.rows;
    fd.count = state.count;
    return fd;
  }
}

export interface CountSketchState {
  kind: 'countsketch';
  d: number;
  n: number;
  seed: number;
  /** The declared row count (`options.m`), when there was one. */
  m?: number;
  data: number[];
}

/**
 * Streaming CountSketch of the rows of an (unbounded) m x n matrix: row i is added, with a random
 * sign, to bucket h(i) of a d x n state, where h and the sign are a stateless hash of (seed, i).
 * The state is S A for one fixed CountSketch S (Clarkson & Woodruff 2013: a subspace embedding for
 * d = O(n^2 / eps^2)), so it is linear: workers sketching disjoint rows with the same seed merge by
 * adding states, exactly. O(n) per row.
 * `sketch()` returns the d x n state (float64).
 * @throws InvalidArgumentError for bad sizes or seed; ShapeError for a row of the wrong length.
 * @example
 * ```ts
 * import { CountSketchStream } from '@krylov/sketching';
 * const a = new CountSketchStream(8, 3, { seed: 1 });
 * const b = new CountSketchStream(8, 3, { seed: 1 });
 * a.update(0, [1, 2, 3]);
 * b.update(1, [4, 5, 6]);
 * console.assert(a.merge(b).sketch().shape[0] === 8, 'same seed: states add');
 * ```
 */
export class CountSketchStream {
  readonly d: number;
  readonly n: number;
  readonly seed: number;
  /** The number of rows m of A when declared (`options.m`); indices must be below it. */
  readonly m: number | undefined;
  readonly state: Float64Array;

  /**
   * @param d sketch rows (buckets); @param n columns of A (the length of every row).
   * @param options.seed the hash seed (a number or a string); workers that merge share it.
   * @param options.m the number of rows of A, when known: `update` then refuses indices >= m.
   *   Without it the stream is unbounded, up to the hash's range of 2^32 distinct row indices.
   * @throws InvalidArgumentError for non-positive sizes or a bad seed.
   */
  constructor(d: number, n: number, options: { seed: number | string; m?: number }) {
    const fn = 'CountSketchStream';
    this.d = positiveInt(fn, 'd', d);
    this.n = positiveInt(fn, 'n', n);
    requiredOptions(fn, options, ['seed', 'm'], ['seed']);
    this.seed = seed32(hashSeed(fn, 'options.seed', options.seed));
    this.m =
      options.m === undefined
        ? undefined
        : checkInteger(fn, 'options.m', options.m, { min: 1, max: MAX_INDEX + 1 });
    this.state = new Float64Array(d * n);
  }

  /**
   * Adds row `index` of A.
   * @throws InvalidArgumentError when index is not an integer in [0, m) (m = options.m, or 2^32: the
   *   hash distinguishes no more rows, so a larger index would silently collide with a smaller one)
   *   or the row has a non-finite entry; ShapeError when the row does not have n entries.
   */
  update(index: number, row: ArrayLike<number>): void {
    const bound = this.m === undefined ? MAX_INDEX : this.m - 1;
    checkInteger('CountSketchStream.update', 'index', index, { min: 0, max: bound });
    if (row === null || typeof row !== 'object' || typeof row.length !== 'number')
      throw new InvalidArgumentError('CountSketchStream.update', 'row', row, 'an array of numbers');
    if (row.length !== this.n)
      throw new ShapeError('CountSketchStream.update', 'row', `expected length ${this.n}`, [row.length]);
    const bucket = hash32(this.seed, index) % this.d;
    const sign = hash32(this.seed ^ 0x5bd1e995, index) & 1 ? 1 : -1;
    const base = bucket * this.n;
    for (let j = 0; j < this.n; j++) {
      if (!Number.isFinite(row[j]))
        throw new InvalidArgumentError(
          'CountSketchStream.update',
          'row',
          row[j],
          `finite entries (entry ${j} is not)`,
        );
      this.state[base + j] += sign * row[j];
    }
  }

  /** Adds another stream's state (same d, n and seed). @throws InvalidArgumentError otherwise. */
  merge(other: CountSketchStream): this {
    if (!(other instanceof CountSketchStream))
      throw new InvalidArgumentError('CountSketchStream.merge', 'other', other, 'a CountSketchStream');
    if (other.d !== this.d || other.n !== this.n || other.seed !== this.seed)
      throw new InvalidArgumentError(
        'CountSketchStream.merge',
        'other',
        `d=${other.d}, n=${other.n}, seed=${other.seed}`,
        `the same d=${this.d}, n=${this.n} and seed`,
      );
    for (let i = 0; i < this.state.length; i++) this.state[i] += other.state[i];
    return this;
  }

  /** The sketch S A (d x n). */
  sketch(): NDArray<'float64'> {
    return new NDArray(this.state.slice(), [this.d, this.n]);
  }

  toJSON(): CountSketchState {
    const out: CountSketchState = {
      kind: 'countsketch',
      d: this.d,
      n: this.n,
      seed: this.seed,
      data: Array.from(this.state),
    };
    if (this.m !== undefined) out.m = this.m;
    return out;
  }

  /** @throws InvalidArgumentError when the state is not a CountSketch state. */
  static fromJSON(state: CountSketchState): CountSketchStream {
    if (
      state?.kind !== 'countsketch' ||
      !Number.isInteger(state.d) ||
      !Number.isInteger(state.n) ||
      !Number.isInteger(state.seed) ||
      !Array.isArray(state.data) ||
      state.data.length !== state.d * state.n ||
      !state.data.every((v) => typeof v === 'number' && Number.isFinite(v))
    )
      throw new InvalidArgumentError(
        'CountSketchStream.fromJSON',
        'state',
        state,
        'the output of CountSketchStream.toJSON',
      );
    const s = new CountSketchStream(
      state.d,
      state.n,
      state.m === undefined ? { seed: 0 } : { seed: 0, m: state.m },
    );
    (s as { seed: number }).seed = state.seed;
    s.state.set(state.data);
    return s;
  }
}
