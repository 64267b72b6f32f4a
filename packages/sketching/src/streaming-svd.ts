import {
  InvalidArgumentError,
  type NDArray,
  type SeedLike,
  ShapeError,
  checkInteger,
  checkOptions,
  isNDArray,
  matmul,
  optionKeys,
  zeros,
} from '@krylov/core-array';
import { lstsq, qr, svd } from '@krylov/decompositions';
import type { LowRankSvd } from './lowrank.js';
import { matrixArg, positiveInt, rankArg, seedArg } from './validate.js';

const SINGLE_PASS_SVD_OPTIONS_KEYS = optionKeys<SinglePassSvdOptions>()('seed');

/** Options of {@link SinglePassSvd}. */
export type SinglePassSvdOptions = { seed?: SeedLike };

/**
 * Single-pass randomized SVD for a matrix seen once, as a stream of row blocks or of additive
 * updates (Tropp, Yurtsever, Udell & Cevher 2017, "Practical sketching algorithms for low-rank
 * matrix approximation", Alg. 7 with r = 2k + 1, s = 2r + 1): keeps the range sketch Y = A Omega
 * (m x r) and the co-range sketch W = Psi A (s x n), both linear in A, and reconstructs
 * Q = orth(Y), X = (Psi Q)^+ W, A ~ Q X at the end. Memory O((m + n)(k)), no second pass over A.
 * Reference: Tropp et al. 2017 (above). `result()` returns `{ u, s, vt }` (float64, rank k).
 * Cost O((m + n) r) memory and O(rows (n r + s n)) per `addRows` block.
 * @example
 * ```ts
 * import { matmul, rng } from '@krylov/core-array';
 * import { SinglePassSvd } from '@krylov/sketching';
 * const r = rng(1);
 * const a = matmul(r.normal([40, 2]), r.normal([2, 30])); // rank 2
 * const sp = new SinglePassSvd(40, 30, 2, { seed: rng(1) });
 * sp.addRows(0, a.slice('0:20').copy());
 * sp.addRows(20, a.slice('20:40').copy());
 * console.assert(sp.result().s.size === 2, 'rank-2 SVD from one pass');
 * ```
 */
export class SinglePassSvd {
  readonly shape: readonly [number, number];
  readonly k: number;
  private readonly omega: NDArray<'float64'>;
  private readonly psi: NDArray<'float64'>;
  private readonly y: NDArray<'float64'>;
  private readonly w: NDArray<'float64'>;

  /** @throws InvalidArgumentError when k > min(m, n) or sizes are not positive. */
  constructor(m: number, n: number, k: number, options?: SinglePassSvdOptions) {
    const fn = 'SinglePassSvd';
    checkOptions(fn, options, SINGLE_PASS_SVD_OPTIONS_KEYS);
    positiveInt(fn, 'm', m);
    positiveInt(fn, 'n', n);
    rankArg(fn, k, Math.min(m, n));
    this.shape = [m, n];
    this.k = k;
    const r = Math.min(2 * k + 1, n);
    const s = Math.min(2 * r + 1, m);
    const rng = seedArg(fn, 'options.seed', options?.seed);
    this.omega = rng.normal([n, r]);
    this.psi = rng.normal([s, m]);
    this.y = zeros([m, r]);
    this.w = zeros([s, n]);
  }

  /**
   * Adds rows `start .. start + rows.shape[0]` of A (or an additive update to them).
   * @throws ShapeError when the block does not fit; InvalidArgumentError for a bad start or a
   *   non-finite entry; DTypeError for a non-float block.
   */
  addRows(start: number, rows: NDArray): void {
    const fn = 'SinglePassSvd.addRows';
    const [m, n] = this.shape;
    checkInteger(fn, 'start', start, { min: 0, max: m });
    if (!isNDArray(rows)) throw new InvalidArgumentError(fn, 'rows', rows, 'an NDArray');
    if (
      rows.ndim !== 2 ||
      rows.shape[1] !== n ||
      !Number.isInteger(start) ||
      start < 0 ||
      start + rows.shape[0] > m
    )
      throw new ShapeError(
        'SinglePassSvd.addRows',
        'rows',
        `expected a block of rows with ${n} columns inside rows [0, ${m})`,
        rows.shape,
      );
    const b = rows.shape[0];
    const block = matrixArg(fn, 'rows', rows) as NDArray<'float64'>;
    const yb = matmul(block, this.omega);
    const r = this.y.shape[1];
    for (let i = 0; i < b; i++)
      for (let c = 0; c < r; c++) this.y.data[(start + i) * r + c] += yb.data[i * r + c];
    const psiCols = this.psi.slice(null, `${start}:${start + b}`);
    const wb = matmul(psiCols, block);
    for (let i = 0; i < this.w.size; i++) this.w.data[i] += wb.data[i];
  }

  /** The rank-k SVD of everything added so far. O((m + n) r^2 + s r n). */
  result(): LowRankSvd {
    const q = qr(this.y).q as NDArray<'float64'>;
    const x = lstsq(matmul(this.psi, q), this.w).x;
    const f = svd(x);
    const k = this.k;
    return {
      u: matmul(q, f.u.slice(null, `0:${k}`)) as NDArray<'float64'>,
      s: f.s.slice(`0:${k}`).copy() as NDArray<'float64'>,
      vt: f.vt.slice(`0:${k}`).copy() as NDArray<'float64'>,
    };
  }
}
