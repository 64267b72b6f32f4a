import {
  InvalidArgumentError,
  type NDArray,
  type Rng,
  type SeedLike,
  checkChoice,
  checkOptions,
  matmul,
  optionKeys,
  trsm,
  zeros,
} from '@krylov/core-array';
import { pinv, qr, svd } from '@krylov/decompositions';
import { CSRMatrix } from '@krylov/solvers';
import { takeColumns } from './products.js';
import { type MatrixLike, matrixArg, rankArg, seedArg } from './validate.js';

export interface InterpolativeDecomposition {
  /** The k selected columns of A. */
  columns: Int32Array;
  /** k x n interpolation matrix with A ~ A[:, columns] T (T is the identity on the selected columns). */
  t: NDArray<'float64'>;
}

const INTERPOLATIVE_DECOMPOSITION_OPTIONS_KEYS = optionKeys<InterpolativeDecompositionOptions>()(
  'method',
  'seed',
);

/** Options of {@link interpolativeDecomposition}. */
export type InterpolativeDecompositionOptions = { method?: 'randomized' | 'qr'; seed?: SeedLike };

/**
 * Column interpolative decomposition A ~ A[:, J] T with |J| = k (Cheng, Gimbutas, Martinsson &
 * Rokhlin 2005): column-pivoted QR A P = Q [R11 R12] chooses J, and T P = [I, R11^-1 R12].
 * `method: 'randomized'` (default) runs the pivoted QR on a Gaussian sketch S A with k + 10 rows
 * (HMT 2011, sec. 5.5), O(mn(k + 10) + n k^2); 'qr' runs it on A itself, O(m n^2).
 * @throws InvalidArgumentError when k > min(m, n).
 * @returns `{ columns, t }`: the k column indices J and T (float64, k x n).
 * @example
 * ```ts
 * import { matmul, rng } from '@krylov/core-array';
 * import { interpolativeDecomposition } from '@krylov/sketching';
 * const r = rng(1);
 * const a = matmul(r.normal([30, 3]), r.normal([3, 20]));
 * const { columns, t } = interpolativeDecomposition(a, 3, { method: 'qr' });
 * console.assert(columns.length === 3 && t.shape[1] === 20, 'A ~ A[:, J] T');
 * ```
 */
export function interpolativeDecomposition(
  a: MatrixLike,
  k: number,
  options?: InterpolativeDecompositionOptions,
): InterpolativeDecomposition {
  const fn = 'interpolativeDecomposition';
  checkOptions(fn, options, INTERPOLATIVE_DECOMPOSITION_OPTIONS_KEYS);
  const A = matrixArg(fn, 'A', a);
  const [m, n] = A.shape;
  rankArg(fn, k, Math.min(m, n));
  const method =
    options?.method === undefined
      ? 'randomized'
      : checkChoice(fn, 'options.method', options.method, ['randomized', 'qr'] as const);
  const rng = seedArg(fn, 'options.seed', options?.seed);
  const dense = A instanceof CSRMatrix ? A.toDense() : A;
  const l = Math.min(k + 10, m);
  const target = method === 'qr' ? dense : (matmul(rng.normal([l, m]), dense) as NDArray<'float64'>);
  const { r, p } = qr(target, { mode: 'r', pivoting: true });
  const perm = p as Int32Array;
  const rows = r.shape[0];
  const r11 = zeros([k, k]);
  const r12 = zeros([k, n - k]);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) r11.data[i * k + j] = j >= i ? r.data[i * n + j] : 0;
    for (let j = k; j < n; j++) r12.data[i * (n - k) + j - k] = r.data[i * n + j];
  }
  if (rows < k) throw new InvalidArgumentError(fn, 'k', k, `at most ${rows}`);
  // Numerically rank-deficient R11: pseudo-inverse instead of a blow-up.
  let small = false;
  for (let i = 0; i < k; i++)
    if (Math.abs(r11.data[i * k + i]) <= 1e-14 * Math.abs(r11.data[0])) small = true;
  const x = small
    ? (matmul(pinv(r11), r12) as NDArray<'float64'>)
    : (trsm(r11, r12.copy(), { lower: false }) as NDArray<'float64'>);
  const t = zeros([k, n]);
  for (let i = 0; i < k; i++) {
    t.data[i * n + perm[i]] = 1;
    for (let j = k; j < n; j++) t.data[i * n + perm[j]] = x.data[i * (n - k) + j - k];
  }
  return { columns: Int32Array.from(perm.subarray(0, k)), t };
}

export interface CurDecomposition {
  columns: Int32Array;
  rows: Int32Array;
  c: NDArray<'float64'>;
  /** The optimal middle factor C^+ A R^+. */
  u: NDArray<'float64'>;
  r: NDArray<'float64'>;
}

const CUR_OPTIONS_KEYS = optionKeys<CurOptions>()('method', 'seed');

/** Options of {@link cur}. */
export type CurOptions = { method?: 'qr' | 'leverage'; seed?: SeedLike };

/**
 * CUR decomposition A ~ C U R from k actual columns and rows (Mahoney & Drineas 2009; Sorensen &
 * Embree 2016 for the pivoted-QR choice). `method: 'qr'` (default) picks columns and rows by
 * interpolative decompositions of A and A^T (deterministic, column-pivoted QR); 'leverage' samples
 * them without replacement with probabilities proportional to the rank-k leverage scores of the
 * top singular vectors. U = C^+ A R^+ minimizes ||A - C U R||_F. O(m n k) plus the selection.
 * @throws InvalidArgumentError when k > min(m, n).
 * @returns `{ columns, rows, c, u, r }`: C = A[:, columns] (m x k), U (k x k), R = A[rows, :] (k x n), float64.
 * @example
 * ```ts
 * import { matmul, rng } from '@krylov/core-array';
 * import { cur } from '@krylov/sketching';
 * const g = rng(1);
 * const a = matmul(g.normal([30, 3]), g.normal([3, 20]));
 * const { c, r } = cur(a, 3);
 * console.assert(c.shape[1] === 3 && r.shape[0] === 3, 'three columns, three rows');
 * ```
 */
export function cur(a: MatrixLike, k: number, options?: CurOptions): CurDecomposition {
  const fn = 'cur';
  checkOptions(fn, options, CUR_OPTIONS_KEYS);
  const A0 = matrixArg(fn, 'A', a);
  const A = A0 instanceof CSRMatrix ? A0.toDense() : A0;
  const [m, n] = A.shape;
  rankArg(fn, k, Math.min(m, n));
  const method =
    options?.method === undefined
      ? 'qr'
      : checkChoice(fn, 'options.method', options.method, ['qr', 'leverage'] as const);
  const seeded = seedArg(fn, 'options.seed', options?.seed);
  let cols: Int32Array;
  let rows: Int32Array;
  if (method === 'qr') {
    cols = interpolativeDecomposition(A, k, { method: 'qr' }).columns;
    rows = interpolativeDecomposition(A.T.copy(), k, { method: 'qr' }).columns;
  } else if (method === 'leverage') {
    const f = svd(A);
    const r = seeded;
    const score = (vecs: NDArray<'float64'>, count: number, byRow: boolean) =>
      Float64Array.from({ length: count }, (_, i) => {
        let s = 0;
        for (let j = 0; j < k; j++) s += (byRow ? vecs.get(i, j) : vecs.get(j, i)) ** 2;
        return s;
      });
    cols = sampleWithout(score(f.vt, n, false), k, r);
    rows = sampleWithout(score(f.u, m, true), k, r);
  } else throw new InvalidArgumentError(fn, 'options.method', method, "'qr' or 'leverage'");
  const c = takeColumns(A, cols);
  const rMat = takeColumns(A.T.copy() as NDArray<'float64'>, rows).T.copy() as NDArray<'float64'>;
  const u = matmul(matmul(pinv(c), A), pinv(rMat)) as NDArray<'float64'>;
  return { columns: cols, rows, c, u, r: rMat };
}

/** k distinct indices drawn sequentially with probabilities proportional to the weights. */
function sampleWithout(weights: Float64Array, k: number, r: Rng): Int32Array {
  const w = weights.slice();
  const out: number[] = [];
  for (let t = 0; t < k; t++) {
    let total = 0;
    for (let i = 0; i < w.length; i++) total += w[i];
    let i = 0;
    if (total > 0) {
      let u = r.nextFloat64() * total;
      while (i < w.length - 1 && (u >= w[i] || w[i] === 0)) {
        u -= w[i];
        i++;
      }
    } else while (out.includes(i)) i++;
    out.push(i);
    w[i] = 0;
  }
  return Int32Array.from(out.sort((x, y) => x - y));
}
