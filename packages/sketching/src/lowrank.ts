import {
  InvalidArgumentError,
  NDArray,
  type SeedLike,
  ShapeError,
  checkNumber,
  checkOptions,
  matmul,
  optionKeys,
  toRng,
  zeros,
} from '@krylov/core-array';
import { eigh, qr, svd } from '@krylov/decompositions';
import type { CSRMatrix } from '@krylov/solvers';
import { frob2, mul, mulT } from './products.js';
import {
  type MatrixLike,
  matrixArg,
  nonNegativeInt,
  positiveInt,
  rankArg,
  requiredOptions,
  seedArg,
  seedLike,
  symmetricArg,
} from './validate.js';

function orth(y: NDArray): NDArray<'float64'> {
  return qr(y).q as NDArray<'float64'>;
}

/** scikit-learn's default: 7 power iterations for small ranks (k < 0.1 min(m, n)), else 4. */
function autoPowerIters(k: number, m: number, n: number): number {
  return k < 0.1 * Math.min(m, n) ? 7 : 4;
}

export interface RangeFinderOptions {
  /** Extra columns beyond the rank (default 10, as scikit-learn). */
  oversample?: number;
  /** Subspace iterations, or 'auto' (default) for scikit-learn's rule. */
  powerIters?: number | 'auto';
  seed?: SeedLike;
}

function options(
  fn: string,
  o: RangeFinderOptions | undefined,
  k: number,
  m: number,
  n: number,
  extra: readonly string[] = [],
) {
  checkOptions(fn, o, ['oversample', 'powerIters', 'seed', ...extra]);
  const p = o?.oversample === undefined ? 10 : nonNegativeInt(fn, 'options.oversample', o.oversample);
  const q = o?.powerIters ?? 'auto';
  if (q !== 'auto' && !(typeof q === 'number' && Number.isInteger(q) && q >= 0))
    throw new InvalidArgumentError(fn, 'options.powerIters', q, "a non-negative integer or 'auto'");
  const iters = q === 'auto' ? autoPowerIters(k, m, n) : q;
  return { l: Math.min(k + p, Math.min(m, n)), iters, seed: seedLike(fn, 'options.seed', o?.seed) };
}

/** Options of `randomizedEigh`: the range finder's, plus the symmetry check. */
export interface RandomizedEighOptions extends RangeFinderOptions {
  /**
   * Check that A is symmetric (core-array's rule: relative asymmetry <= sqrt(eps); O(n^2) dense,
   * O(nnz) sparse) and throw if not. Default true; false uses A as given (Q^T A Q is symmetrized).
   */
  checkSymmetry?: boolean;
}

/**
 * An orthonormal basis Q (m x (k + oversample)) whose range captures A's dominant k-dimensional
 * range: randomized subspace iteration with re-orthonormalization after every product (Halko,
 * Martinsson & Tropp 2011, Alg. 4.4). A may be dense or sparse. O((2q + 1) (k + p) cost(A x)).
 * @throws InvalidArgumentError when the rank exceeds min(m, n) or options are bad.
 * @returns Q, float64, m x min(rank + oversample, min(m, n)), orthonormal columns.
 * @example
 * ```ts
 * import { matmul, rng } from '@krylov/core-array';
 * import { rangeFinder } from '@krylov/sketching';
 * const r = rng(1);
 * const a = matmul(r.normal([60, 3]), r.normal([3, 40])); // rank 3
 * const q = rangeFinder(a, 3, { oversample: 2, seed: rng(1) }); // 60 x 5
 * console.assert(q.shape[0] === 60 && q.shape[1] === 5, 'Q is m x (k + p)');
 * ```
 */
export function rangeFinder(a: MatrixLike, rank: number, options_?: RangeFinderOptions): NDArray<'float64'> {
  const fn = 'rangeFinder';
  const A = matrixArg(fn, 'A', a);
  const [m, n] = A.shape;
  rankArg(fn, rank, Math.min(m, n), 'rank');
  const { l, iters, seed } = options(fn, options_, rank, m, n);
  return subspaceIteration(A, l, iters, seed);
}

function subspaceIteration(
  A: NDArray<'float64'> | CSRMatrix,
  l: number,
  iters: number,
  seed: SeedLike,
): NDArray<'float64'> {
  const omega = toRng(seed).normal([A.shape[1], l]);
  let q = orth(mul(A, omega));
  for (let i = 0; i < iters; i++) q = orth(mul(A, orth(mulT(A, q))));
  return q;
}

export interface LowRankSvd {
  u: NDArray<'float64'>;
  s: NDArray<'float64'>;
  vt: NDArray<'float64'>;
}

function svdFromRange(A: NDArray<'float64'> | CSRMatrix, q: NDArray<'float64'>, k: number): LowRankSvd {
  const b = mulT(A, q).T.copy() as NDArray<'float64'>; // Q^T A, l x n
  const f = svd(b);
  const u = matmul(q, f.u.slice(null, `0:${k}`)) as NDArray<'float64'>;
  return {
    u,
    s: f.s.slice(`0:${k}`).copy() as NDArray<'float64'>,
    vt: f.vt.slice(`0:${k}`).copy() as NDArray<'float64'>,
  };
}

/**
 * The rank-k truncated SVD by randomized range finding (Halko, Martinsson & Tropp 2011, Alg. 5.1;
 * scikit-learn's `randomized_svd` defaults: oversampling 10, power iterations 'auto'). The error
 * ||A - U S V^T||_2 approaches sigma_{k+1} as power iterations grow (HMT Cor. 10.10).
 * O((2q + 2)(k + p) cost(A x) + (m + n)(k + p)^2).
 * @throws InvalidArgumentError when k > min(m, n) or options are bad.
 * @returns `{ u, s, vt }`, float64: u m x k, s length k (descending), vt k x n.
 * @example
 * ```ts
 * import { matmul, rng } from '@krylov/core-array';
 * import { randomizedSvd } from '@krylov/sketching';
 * const r = rng(1);
 * const a = matmul(r.normal([80, 4]), r.normal([4, 50])); // rank 4
 * const { u, s, vt } = randomizedSvd(a, 4, { seed: rng(1) });
 * console.assert(u.shape[1] === 4 && s.size === 4 && vt.shape[0] === 4, 'rank-4 factors');
 * console.assert(s.toFlatArray()[0] >= s.toFlatArray()[3], 'singular values descend');
 * ```
 */
export function randomizedSvd(a: MatrixLike, k: number, options_?: RangeFinderOptions): LowRankSvd {
  const fn = 'randomizedSvd';
  const A = matrixArg(fn, 'A', a);
  const [m, n] = A.shape;
  rankArg(fn, k, Math.min(m, n));
  const { l, iters, seed } = options(fn, options_, k, m, n);
  return svdFromRange(A, subspaceIteration(A, l, iters, seed), k);
}

/**
 * The k eigenpairs of largest magnitude of a symmetric matrix: range finder, then the
 * eigendecomposition of Q^T A Q (HMT 2011, Alg. 5.3). Eigenvalues in descending magnitude.
 * A must be symmetric: it is checked (O(n^2) dense, O(nnz) sparse) unless `checkSymmetry: false`.
 * @throws ShapeError when A is not square; InvalidArgumentError when k > n, an option is bad or A
 *   is not symmetric.
 * @returns `{ values, vectors }`, float64: k eigenvalues and the n x k eigenvectors. O((2q + 2)(k + p) cost(A x) + n (k + p)^2).
 * @example
 * ```ts
 * import { diag, array } from '@krylov/core-array';
 * import { randomizedEigh } from '@krylov/sketching';
 * const a = diag(array([10, 5, 1, 0.1, 0.01, 0, 0, 0]));
 * const { values } = randomizedEigh(a, 2, { seed: 1 });
 * console.assert(Math.abs(values.toFlatArray()[0] - 10) < 1e-10, 'largest eigenvalue 10');
 * ```
 */
export function randomizedEigh(
  a: MatrixLike,
  k: number,
  options_?: RandomizedEighOptions,
): { values: NDArray<'float64'>; vectors: NDArray<'float64'> } {
  const fn = 'randomizedEigh';
  const A = matrixArg(fn, 'A', a);
  const [m, n] = A.shape;
  if (m !== n) throw new ShapeError(fn, 'A', 'expected a square (symmetric) matrix', A.shape);
  rankArg(fn, k, n);
  const { l, iters, seed } = options(fn, options_, k, m, n, ['checkSymmetry']);
  symmetricArg(fn, 'A', A, options_?.checkSymmetry);
  const q = subspaceIteration(A, l, iters, seed);
  const t = matmul(q.T, mul(A, q)) as NDArray<'float64'>;
  const ts = t.copy() as NDArray<'float64'>;
  for (let i = 0; i < l; i++)
    for (let j = 0; j < l; j++) ts.data[i * l + j] = (t.data[i * l + j] + t.data[j * l + i]) / 2;
  const f = eigh(ts);
  const w = f.values.data;
  const vecs = (f.vectors as NDArray<'float64'>).data;
  const order = Array.from(w, (_, i) => i)
    .sort((x, y) => Math.abs(w[y]) - Math.abs(w[x]))
    .slice(0, k);
  const v = zeros([l, k]);
  order.forEach((src, c) => {
    for (let i = 0; i < l; i++) v.data[i * k + c] = vecs[i * l + src];
  });
  return {
    values: new NDArray(
      Float64Array.from(order, (i) => w[i]),
      [k],
    ),
    vectors: matmul(q, v) as NDArray<'float64'>,
  };
}

const BLOCK_KRYLOV_SVD_OPTIONS_KEYS = optionKeys<BlockKrylovSvdOptions>()('depth', 'oversample', 'seed');

/** Options of {@link blockKrylovSvd}. */
export type BlockKrylovSvdOptions = { depth?: number; oversample?: number; seed?: SeedLike };

/**
 * Block Krylov iteration for the top-k singular triplets (Musco & Musco 2015, "Randomized block
 * Krylov methods for stronger and faster approximate SVD"): an orthonormal basis of
 * [A W, (A A^T) A W, ..., (A A^T)^q A W] for a Gaussian W with k + oversample columns, then the SVD
 * of Q^T A. Gap-independent (1 + eps) guarantees in O(log n / sqrt(eps)) iterations.
 * @throws InvalidArgumentError when k > min(m, n), depth < 1 or the Krylov space would exceed min(m, n).
 * @returns `{ u, s, vt }` as `randomizedSvd`. O(depth (k + oversample) cost(A x) + m (depth k)^2).
 * @example
 * ```ts
 * import { rng } from '@krylov/core-array';
 * import { blockKrylovSvd } from '@krylov/sketching';
 * const a = rng(1).normal([60, 40]);
 * const { s } = blockKrylovSvd(a, 3, { depth: 4, seed: rng(1) });
 * console.assert(s.size === 3, 'top three singular values');
 * ```
 */
export function blockKrylovSvd(a: MatrixLike, k: number, options_?: BlockKrylovSvdOptions): LowRankSvd {
  const fn = 'blockKrylovSvd';
  checkOptions(fn, options_, BLOCK_KRYLOV_SVD_OPTIONS_KEYS);
  const A = matrixArg(fn, 'A', a);
  const [m, n] = A.shape;
  rankArg(fn, k, Math.min(m, n));
  const depth = positiveInt(fn, 'options.depth', options_?.depth ?? 4);
  const over =
    options_?.oversample === undefined ? 2 : nonNegativeInt(fn, 'options.oversample', options_.oversample);
  const b = Math.min(k + over, Math.min(m, n));
  const width = Math.min(b * (depth + 1), Math.min(m, n));
  let block = orth(mul(A, seedArg(fn, 'options.seed', options_?.seed).normal([n, b])));
  const blocks = [block];
  for (let i = 0; i < depth && blocks.length * b < width; i++) {
    block = orth(mul(A, orth(mulT(A, block))));
    blocks.push(block);
  }
  const cols = blocks.length * b;
  const k0 = zeros([m, cols]);
  blocks.forEach((blk, j) => {
    for (let r = 0; r < m; r++)
      for (let c = 0; c < b; c++) k0.data[r * cols + j * b + c] = blk.data[r * b + c];
  });
  const q = orth(k0)
    .slice(null, `0:${Math.min(cols, width)}`)
    .copy() as NDArray<'float64'>;
  return svdFromRange(A, q, k);
}

/**
 * Adaptive range finder: grows an orthonormal basis Q block by block until ||A - Q Q^T A||_F <=
 * tol ||A||_F, tracking the error exactly from ||A||_F^2 - ||Q^T A||_F^2 (Martinsson & Voronin
 * 2016, randQB_EI; Yu, Gu & Li 2018). Returns Q, B = Q^T A and the relative error after each block.
 * @throws InvalidArgumentError for tol outside (0, 1) or a bad block size.
 * @returns `{ q, b, errors }`: Q (m x r, float64, orthonormal), B = Q^T A (r x n) and the relative
 * Frobenius error after each block. O(r cost(A x) + (m + n) r^2) for the final rank r.
 * @example
 * ```ts
 * import { matmul, rng } from '@krylov/core-array';
 * import { adaptiveRangeFinder } from '@krylov/sketching';
 * const r = rng(1);
 * const a = matmul(r.normal([50, 3]), r.normal([3, 30])); // rank 3
 * const { q, errors } = adaptiveRangeFinder(a, { tol: 1e-6, blockSize: 2, seed: rng(1) });
 * // the error is tracked by subtraction, so tolerances below ~1e-7 are not reachable
 * console.assert(errors[errors.length - 1] <= 1e-6 && q.shape[1] === 4, 'stops after two blocks');
 * ```
 */
export function adaptiveRangeFinder(
  a: MatrixLike,
  options: { tol: number; blockSize?: number; maxRank?: number; powerIters?: number; seed?: SeedLike },
): { q: NDArray<'float64'>; b: NDArray<'float64'>; errors: number[] } {
  const fn = 'adaptiveRangeFinder';
  requiredOptions(fn, options, ['tol', 'blockSize', 'maxRank', 'powerIters', 'seed'], ['tol']);
  const A = matrixArg(fn, 'A', a);
  const [m, n] = A.shape;
  const tol = checkNumber(fn, 'options.tol', options.tol, {
    min: 0,
    max: 1,
    minExclusive: true,
    maxExclusive: true,
  });
  const bs = positiveInt(fn, 'options.blockSize', options.blockSize ?? 10);
  const maxRank = rankArg(fn, options.maxRank ?? Math.min(m, n), Math.min(m, n), 'options.maxRank');
  const iters =
    options.powerIters === undefined ? 1 : nonNegativeInt(fn, 'options.powerIters', options.powerIters);
  const rng = seedArg(fn, 'options.seed', options.seed);
  const total = frob2(A);
  if (total === 0) return { q: zeros([m, 0]), b: zeros([0, n]), errors: [] };
  let energy = total;
  const qs: NDArray<'float64'>[] = [];
  const errors: number[] = [];
  let rank = 0;
  // Projects the components along the current basis out of Y (twice, for stability).
  const deflate = (y: NDArray<'float64'>) => {
    for (let pass = 0; pass < 2; pass++)
      for (const q of qs) {
        const c = matmul(q.T, y);
        const qc = matmul(q, c);
        for (let i = 0; i < y.size; i++) y.data[i] -= qc.data[i];
      }
    return y;
  };
  while (rank < maxRank && Math.sqrt(Math.max(energy, 0) / total) > tol) {
    const w = Math.min(bs, maxRank - rank);
    let y = deflate(mul(A, rng.normal([n, w])));
    for (let i = 0; i < iters; i++) y = deflate(mul(A, orth(mulT(A, orth(y)))));
    const q = orth(y);
    const bi = mulT(A, q);
    energy -= frob2(bi);
    qs.push(q);
    rank += w;
    errors.push(Math.sqrt(Math.max(energy, 0) / total));
  }
  const Q = zeros([m, rank]);
  let c0 = 0;
  for (const q of qs) {
    const w = q.shape[1];
    for (let r = 0; r < m; r++) for (let c = 0; c < w; c++) Q.data[r * rank + c0 + c] = q.data[r * w + c];
    c0 += w;
  }
  return { q: Q, b: mulT(A, Q).T.copy() as NDArray<'float64'>, errors };
}
