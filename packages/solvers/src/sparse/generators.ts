import {
  InvalidArgumentError,
  type SeedLike,
  checkChoice,
  checkNumber,
  checkOptions,
  optionKeys,
} from '@krylov/core-array';
import { seededRng } from '../vector.js';
import { COOMatrix, type CSRMatrix } from './formats.js';

/**
 * The negative Laplacian on a grid of `dims` interior points with Dirichlet boundaries and unit
 * spacing: 2d on the diagonal and -1 for each grid neighbour (the 3-, 5- and 7-point stencils in 1,
 * 2 and 3 dimensions; the matrix of scipy's `poisson` examples and PyAMG's `poisson`). Symmetric
 * positive definite with eigenvalues sum_k 4 sin^2(pi i_k / (2 (n_k + 1))). Points are numbered
 * with the last dimension fastest. O(prod(dims)).
 * @example
 * ```ts
 * import { poisson } from '@krylov/solvers';
 * const a = poisson([10, 10]); // the 5-point Laplacian on a 10 x 10 grid
 * console.assert(a.shape[0] === 100 && a.get(0, 0) === 4 && a.get(0, 1) === -1, '100 x 100, stencil [-1, 4, -1]');
 * ```
 * @throws InvalidArgumentError when a dimension is not a positive integer.
 */
export function poisson(dims: readonly number[]): CSRMatrix {
  if (dims.length === 0 || !dims.every((d) => Number.isInteger(d) && d >= 1))
    throw new InvalidArgumentError('poisson', 'dims', dims, 'one or more positive integers');
  const n = dims.reduce((a, b) => a * b, 1);
  const strides = dims.map((_, k) => dims.slice(k + 1).reduce((a, b) => a * b, 1));
  const rows: number[] = [];
  const cols: number[] = [];
  const vals: number[] = [];
  for (let i = 0; i < n; i++) {
    rows.push(i);
    cols.push(i);
    vals.push(2 * dims.length);
    for (let k = 0; k < dims.length; k++) {
      const c = Math.floor(i / strides[k]) % dims[k];
      for (const step of [-1, 1]) {
        if (c + step < 0 || c + step >= dims[k]) continue;
        rows.push(i);
        cols.push(i + step * strides[k]);
        vals.push(-1);
      }
    }
  }
  return new COOMatrix([n, n], rows, cols, vals).toCSR();
}

const RANDOM_SPARSE_OPTIONS_KEYS = optionKeys<RandomSparseOptions>()('density', 'seed', 'values');

/** Options of {@link randomSparse}. */
export type RandomSparseOptions = { density: number; seed: SeedLike; values?: 'uniform' | 'normal' };

/**
 * A random m x n sparse matrix with round(density m n) distinct nonzeros at uniformly random
 * positions, values uniform in [0, 1) (scipy.sparse.random) or standard normal. Seeded. O(nnz log nnz).
 * @example
 * ```ts
 * import { randomSparse } from '@krylov/solvers';
 * const a = randomSparse(100, 50, { density: 0.1, seed: 1 });
 * console.assert(a.nnz === 500 && a.shape[1] === 50, 'round(0.1 * 100 * 50) nonzeros');
 * ```
 * @throws InvalidArgumentError on a bad size, a density outside [0, 1].
 */
export function randomSparse(m: number, n: number, options: RandomSparseOptions): CSRMatrix {
  const fn = 'randomSparse';
  for (const [arg, v] of [
    ['m', m],
    ['n', n],
  ] as const)
    if (!Number.isInteger(v) || v < 0) throw new InvalidArgumentError(fn, arg, v, 'a non-negative integer');
  if (options === null || typeof options !== 'object')
    throw new InvalidArgumentError(fn, 'options', options, 'an object with density and seed');
  checkOptions(fn, options, RANDOM_SPARSE_OPTIONS_KEYS);
  const density = checkNumber(fn, 'options.density', options.density, { min: 0, max: 1 });
  if (options.seed === undefined)
    throw new InvalidArgumentError(fn, 'options.seed', undefined, 'a seed (a number, a string or an Rng)');
  const r = seededRng(fn, 'options.seed', options.seed);
  if (options.values !== undefined) checkChoice(fn, 'options.values', options.values, ['uniform', 'normal']);
  const total = m * n;
  const k = Math.round(density * total);
  // Floyd's algorithm: k distinct positions in [0, total) without materializing all of them.
  const chosen = new Set<number>();
  for (let j = total - k; j < total; j++) {
    const t = Math.floor(r.nextFloat64() * (j + 1));
    chosen.add(chosen.has(t) ? j : t);
  }
  const positions = [...chosen].sort((a, b) => a - b);
  const draw = options.values === 'normal' ? () => r.nextNormal() : () => r.nextFloat64();
  return new COOMatrix(
    [m, n],
    positions.map((p) => Math.floor(p / n)),
    positions.map((p) => p % n),
    positions.map(draw),
  ).toCSR();
}
