/**
 * Tucker decompositions: (truncated) HOSVD and HOOI, in TensorLy's conventions (`tucker`,
 * `partial_tucker`): X ~ G x_0 U_0 x_1 U_1 ... with orthonormal factor columns.
 */
import {
  InvalidArgumentError,
  type NDArray,
  ShapeError,
  checkChoice,
  checkNumber,
  checkOptions,
  isNDArray,
  optionKeys,
  toRng,
} from '@krylov/core-array';
import { randomizedSvd } from '@krylov/sketching';
import {
  type Dense,
  type FitReport,
  Monitor,
  PROGRESS_OPTIONS,
  type ProgressOptions,
  count,
  leadingColumns,
  nonNegative,
  norm2,
  ranksArg,
  seedArg,
  size,
  tensorArg,
  thinSvd,
  toNDArray,
} from './common.js';
import { ttmRaw, unfoldRaw } from './unfold.js';

/** A Tucker tensor: core G (r_0 x ... x r_{N-1}) and factors U_n (I_n x r_n). */
export interface TuckerTensor {
  core: NDArray<'float64'>;
  factors: NDArray<'float64'>[];
}

/** The result of `hosvd`. */
export interface HosvdResult extends TuckerTensor {
  /** The ranks kept, one per mode. */
  rank: number[];
  /** All singular values of every mode's unfolding (descending), the basis of the rank choice. */
  singularValues: NDArray<'float64'>[];
  /** ||X - [[G; U]]||_F / ||X||_F, computed from the reconstruction (0 for a zero tensor). */
  relativeError: number;
}

/** Options of `hosvd`. Give `rank` or `energy`, not both; neither keeps the full ranks (exact HOSVD). */
export interface HosvdOptions {
  /** Ranks of the core: one per mode, or one number for all modes (capped at each extent). */
  rank?: number | readonly number[];
  /**
   * Keep in each mode the smallest r_n with sum_{i < r_n} sigma_i^2 >= energy ||X||_F^2, for the
   * singular values sigma of the mode-n unfolding; then ||X - X_hat||_F^2 <= N (1 - energy) ||X||_F^2
   * (De Lathauwer et al. 2000, Property 10). In (0, 1].
   */
  energy?: number;
}

interface ModeSvd {
  u: Float64Array;
  s: Float64Array;
  p: number;
}

function modeSvd(fn: string, x: Dense, n: number): ModeSvd {
  const rows = x.shape[n];
  const cols = size(x.shape) / rows;
  const { u, s, p } = thinSvd(fn, unfoldRaw(x, n), rows, cols);
  return { u, s, p };
}

/** Ranks by the energy rule (documented at `HosvdOptions.energy`). */
function energyRank(s: Float64Array, total: number, energy: number): number {
  if (total === 0) return 1;
  let acc = 0;
  for (let r = 0; r < s.length; r++) {
    acc += s[r] * s[r];
    if (acc >= energy * total * (1 - 1e-14)) return r + 1;
  }
  return Math.max(1, s.length);
}

/** The core X x_0 U_0^T x_1 U_1^T ... for factors stored I_n x r_n. */
function project(x: Dense, factors: Float64Array[], ranks: number[], skip = -1): Dense {
  let g = x;
  for (let n = 0; n < factors.length; n++) if (n !== skip) g = ttmRaw(g, factors[n], ranks[n], n, true);
  return g;
}

function expand(g: Dense, factors: Float64Array[], shape: readonly number[]): Dense {
  let y = g;
  for (let n = 0; n < factors.length; n++) y = ttmRaw(y, factors[n], shape[n], n, false);
  return y;
}

function relErr(x: Dense, y: Dense): number {
  const d = new Float64Array(x.data.length);
  for (let i = 0; i < d.length; i++) d[i] = x.data[i] - y.data[i];
  const nx = norm2(x.data);
  return nx === 0 ? norm2(d) : norm2(d) / nx;
}

function wrap(g: Dense, factors: Float64Array[], shape: readonly number[], ranks: number[]): TuckerTensor {
  return {
    core: toNDArray(g),
    factors: factors.map((f, n) => toNDArray({ data: f, shape: [shape[n], ranks[n]] })),
  };
}

const HOSVD_OPTIONS_KEYS = optionKeys<HosvdOptions>()('rank', 'energy');

/**
 * The higher-order SVD (De Lathauwer, De Moor & Vandewalle, "A multilinear singular value
 * decomposition", SIAM J. Matrix Anal. Appl. 21(4), 2000): U_n = the leading left singular vectors
 * of the mode-n unfolding, G = X x_0 U_0^T ... x_{N-1} U_{N-1}^T. With full ranks it is exact
 * (relative error at rounding level); truncated (`rank` or `energy`), it is quasi-optimal:
 * ||X - X_hat|| <= sqrt(N) ||X - X_best|| (ibid.). One thin SVD per mode of an I_n x (size / I_n)
 * unfolding through the registry's `gesdd`, plus the N mode products.
 * @throws InvalidArgumentError (bad tensor, rank out of [1, I_n], energy outside (0, 1], both
 *   given, unknown option), DTypeError, ShapeError (fewer than 2 dimensions or an empty mode).
 * @example
 * ```ts
 * import { rng } from '@krylov/core-array';
 * import { hosvd } from '@krylov/tensors';
 * const x = rng(1).normal([4, 5, 6]);
 * const { core, factors, relativeError } = hosvd(x, { rank: [2, 2, 2] });
 * console.assert(core.shape.join() === '2,2,2' && factors[2].shape.join() === '6,2', 'core 2x2x2, U_n I_n x 2');
 * console.assert(relativeError > 0 && relativeError < 1, 'truncation error');
 * ```
 */
export function hosvd(tensor: NDArray, options?: HosvdOptions): HosvdResult {
  const fn = 'hosvd';
  checkOptions(fn, options, HOSVD_OPTIONS_KEYS);
  const x = tensorArg(fn, 'tensor', tensor, { min: 2 });
  if (x.shape.some((d) => d === 0)) throw new ShapeError(fn, 'tensor', 'expected no empty mode', x.shape);
  if (options?.rank !== undefined && options?.energy !== undefined)
    throw new InvalidArgumentError(
      fn,
      'options.energy',
      options.energy,
      'undefined when options.rank is given',
    );
  const energy =
    options?.energy === undefined
      ? undefined
      : checkNumber(fn, 'options.energy', options.energy, { min: 0, minExclusive: true, max: 1 });
  const requested =
    options?.rank === undefined
      ? undefined
      : typeof options.rank === 'number'
        ? ranksArg(
            fn,
            'options.rank',
            x.shape.map((d) => Math.min(d, options.rank as number)),
            x.shape,
          )
        : ranksArg(fn, 'options.rank', options.rank, x.shape);
  const total = norm2(x.data) ** 2;
  const svds = x.shape.map((_, n) => modeSvd(fn, x, n));
  const ranks = x.shape.map((d, n) =>
    requested ? requested[n] : energy !== undefined ? Math.min(d, energyRank(svds[n].s, total, energy)) : d,
  );
  // A mode's thin SVD has min(I_n, size / I_n) columns; a rank above it takes an orthonormal completion.
  const factors = svds.map((m, n) => completeBasis(m.u, x.shape[n], m.p, ranks[n]));
  const g = project(x, factors, ranks);
  return {
    ...wrap(g, factors, x.shape, ranks),
    rank: ranks,
    singularValues: svds.map((m) => toNDArray({ data: m.s, shape: [m.s.length] })),
    relativeError: relErr(x, expand(g, factors, x.shape)),
  };
}

/**
 * The first r columns of U (rows x p); when r > p, further orthonormal columns (Gram-Schmidt on
 * unit vectors, twice), so the factor stays orthonormal.
 */
function completeBasis(u: Float64Array, rows: number, p: number, r: number): Float64Array {
  if (r <= p) return leadingColumns(u, rows, p, r);
  const out = new Float64Array(rows * r);
  for (let i = 0; i < rows; i++) for (let j = 0; j < p; j++) out[i * r + j] = u[i * p + j];
  let j = p;
  for (let e = 0; e < rows && j < r; e++) {
    const v = new Float64Array(rows);
    v[e] = 1;
    for (let pass = 0; pass < 2; pass++)
      for (let k = 0; k < j; k++) {
        let d = 0;
        for (let i = 0; i < rows; i++) d += out[i * r + k] * v[i];
        for (let i = 0; i < rows; i++) v[i] -= d * out[i * r + k];
      }
    const nv = norm2(v);
    if (nv < 0.5) continue;
    for (let i = 0; i < rows; i++) out[i * r + j] = v[i] / nv;
    j++;
  }
  return out;
}

/** Options of `tucker` (TensorLy's `tucker` names and defaults, in Krylov's spelling). */
export interface TuckerOptions extends ProgressOptions {
  /** Iteration limit (TensorLy `n_iter_max`). Default 100. */
  maxiter?: number;
  /**
   * Stop when the relative error changes by less than `tol` between sweeps (TensorLy's rule,
   * checked from the third sweep on). Default 1e-4 (TensorLy).
   */
  tol?: number;
  /** 'svd' (default): start from the truncated HOSVD; or a Tucker tensor's factors to start from. */
  init?: 'svd' | { factors: readonly NDArray[] };
  /**
   * How each sweep finds a mode's leading singular vectors: 'exact' (default, thin SVD of the
   * projected unfolding; TensorLy 'truncated_svd') or 'randomized' (@krylov/sketching's randomized
   * SVD, Halko-Martinsson-Tropp; TensorLy 'randomized_svd'), cheaper when a mode's extent is large.
   */
  svd?: 'exact' | 'randomized';
  /** Randomized range finder: extra columns (default 10) and power iterations (default 'auto'). */
  oversample?: number;
  powerIters?: number | 'auto';
  /** Seed of the randomized range finder (default 0: reproducible). */
  seed?: number | string;
}

/** The result of `tucker`: the Tucker tensor, its error and the convergence report. */
export interface TuckerResult extends TuckerTensor {
  rank: number[];
  /** ||X - [[G; U]]||_F / ||X||_F, recomputed from the reconstruction at exit. */
  relativeError: number;
  report: FitReport;
}

/**
 * Tucker decomposition by higher-order orthogonal iteration (HOOI; De Lathauwer, De Moor &
 * Vandewalle, "On the best rank-1 and rank-(R1,...,RN) approximation of higher-order tensors",
 * SIAM J. Matrix Anal. Appl. 21(4), 2000), as TensorLy's `tucker`: start from the truncated HOSVD,
 * then sweep the modes, setting U_n to the leading left singular vectors of the unfolding of
 * X x_{k != n} U_k^T. Each sweep does not increase the error, so HOOI's error is at most the
 * truncated HOSVD's. The objective recorded per sweep is TensorLy's
 * sqrt(| ||X||^2 - ||G||^2 |) / ||X|| (accurate to about sqrt(eps) relative); `relativeError` is
 * recomputed from the reconstruction. `svd: 'randomized'` finds the leading vectors with a seeded
 * randomized SVD (Halko, Martinsson & Tropp, SIAM Review 53, 2011). Per sweep:
 * O(sum_n r_n size(X)) for the projections plus N SVDs of I_n x prod_{k != n} r_k matrices.
 * Synchronous: only an abort triggered from `onProgress` can take effect (the signal is checked
 * between sweeps).
 * @throws InvalidArgumentError (bad tensor, rank, option), DTypeError, ShapeError (fewer than 2
 *   dimensions, init factors of the wrong shape), ConvergenceError (an SVD failed).
 * @example
 * ```ts
 * import { rng } from '@krylov/core-array';
 * import { tucker, tuckerToTensor } from '@krylov/tensors';
 * const r = rng(1);
 * const x = tuckerToTensor({ core: r.normal([2, 2, 2]), factors: [r.normal([5, 2]), r.normal([6, 2]), r.normal([4, 2])] });
 * const { relativeError } = tucker(x, [2, 2, 2]);
 * console.assert(relativeError < 1e-10, 'exact multilinear rank (2, 2, 2)');
 * ```
 */
export function tucker(
  tensor: NDArray,
  rank: number | readonly number[],
  options?: TuckerOptions,
): TuckerResult {
  const fn = 'tucker';
  checkOptions(fn, options, [
    'maxiter',
    'tol',
    'init',
    'svd',
    'oversample',
    'powerIters',
    'seed',
    ...PROGRESS_OPTIONS,
  ]);
  const x = tensorArg(fn, 'tensor', tensor, { min: 2 });
  if (x.shape.some((d) => d === 0)) throw new ShapeError(fn, 'tensor', 'expected no empty mode', x.shape);
  const ranks = ranksArg(fn, 'rank', rank, x.shape);
  const o = options ?? {};
  const maxiter = count(fn, 'maxiter', o.maxiter, 100);
  const tol = nonNegative(fn, 'tol', o.tol, 1e-4);
  const method =
    o.svd === undefined ? 'exact' : checkChoice(fn, 'options.svd', o.svd, ['exact', 'randomized'] as const);
  const oversample = count(fn, 'oversample', o.oversample, 10);
  const powerIters =
    o.powerIters === undefined || o.powerIters === 'auto' ? 'auto' : count(fn, 'powerIters', o.powerIters, 0);
  const rng = toRng(seedArg(fn, o.seed));
  const monitor = new Monitor(fn, o);
  let factors: Float64Array[];
  if (o.init === undefined || o.init === 'svd') {
    factors = x.shape.map((_, n) => {
      const m = modeSvd(fn, x, n);
      return completeBasis(m.u, x.shape[n], m.p, ranks[n]);
    });
  } else if (typeof o.init === 'object' && o.init !== null && Array.isArray(o.init.factors)) {
    const given = o.init.factors;
    if (given.length !== x.shape.length)
      throw new InvalidArgumentError(fn, 'options.init.factors', given, `${x.shape.length} factor matrices`);
    factors = given.map((f, n) => {
      if (!isNDArray(f)) throw new InvalidArgumentError(fn, `options.init.factors[${n}]`, f, 'an NDArray');
      const a = tensorArg(fn, `options.init.factors[${n}]`, f, { exact: 2 });
      if (a.shape[0] !== x.shape[n] || a.shape[1] !== ranks[n])
        throw new ShapeError(
          fn,
          `options.init.factors[${n}]`,
          `expected ${x.shape[n]} x ${ranks[n]}`,
          a.shape,
        );
      return a.data;
    });
  } else throw new InvalidArgumentError(fn, 'options.init', o.init, "'svd' or { factors }");

  const leading = (y: Dense, n: number): Float64Array => {
    const rows = y.shape[n];
    const cols = size(y.shape) / rows;
    const r = ranks[n];
    if (method === 'randomized' && r < Math.min(rows, cols)) {
      const f = randomizedSvd(toNDArray({ data: unfoldRaw(y, n), shape: [rows, cols] }), r, {
        seed: rng,
        oversample,
        powerIters,
      });
      return f.u.copy('float64').data as Float64Array;
    }
    const m = thinSvd(fn, unfoldRaw(y, n), rows, cols);
    return completeBasis(m.u, rows, m.p, r);
  };

  const normX = norm2(x.data);
  let reason: 'converged' | 'maxiter' | 'aborted' | 'callback' = 'maxiter';
  let iterations = 0;
  if (monitor.abortedBefore) reason = 'aborted';
  else
    for (let it = 0; it < maxiter; it++) {
      for (let n = 0; n < x.shape.length; n++) factors[n] = leading(project(x, factors, ranks, n), n);
      const g = project(x, factors, ranks);
      const err = normX === 0 ? 0 : Math.sqrt(Math.abs(normX ** 2 - norm2(g.data) ** 2)) / normX;
      iterations = it + 1;
      const h = monitor.history;
      const stop = monitor.step(it, err);
      if (it > 1 && Math.abs(h[h.length - 2] - err) < tol) {
        reason = 'converged';
        break;
      }
      if (stop) {
        reason = stop;
        break;
      }
    }
  const g = project(x, factors, ranks);
  return {
    ...wrap(g, factors, x.shape, ranks),
    rank: ranks,
    relativeError: relErr(x, expand(g, factors, x.shape)),
    report: monitor.report(reason, iterations),
  };
}

/**
 * The full tensor [[G; U_0, ..., U_{N-1}]] = G x_0 U_0 x_1 U_1 ... (TensorLy's `tucker_to_tensor`).
 * O(sum_n I_n prod_{k <= n} I_k prod_{k > n} r_k) through registry `gemm` calls.
 * @throws InvalidArgumentError, ShapeError when the factors do not match the core.
 * @returns a float64 tensor of shape [rows(U_0), ..., rows(U_{N-1})].
 * @example
 * ```ts
 * import { array, eye } from '@krylov/core-array';
 * import { tuckerToTensor } from '@krylov/tensors';
 * const core = array([[[2]]]);
 * const x = tuckerToTensor({ core, factors: [array([[1], [2]]), array([[1]]), array([[3], [1]])] });
 * console.assert(x.shape.join() === '2,1,2' && x.get(1, 0, 0) === 12, '2 * 2 * 1 * 3');
 * ```
 */
export function tuckerToTensor(t: TuckerTensor): NDArray<'float64'> {
  const fn = 'tuckerToTensor';
  if (t === null || typeof t !== 'object' || !Array.isArray(t.factors))
    throw new InvalidArgumentError(fn, 't', t, '{ core, factors }');
  const g = tensorArg(fn, 't.core', t.core, { min: 1 });
  if (t.factors.length !== g.shape.length)
    throw new ShapeError(fn, 't.factors', `expected ${g.shape.length} factors, one per core mode`, [
      t.factors.length,
    ]);
  const fs = t.factors.map((f, n) => {
    const a = tensorArg(fn, `t.factors[${n}]`, f, { exact: 2 });
    if (a.shape[1] !== g.shape[n])
      throw new ShapeError(fn, `t.factors[${n}]`, `needs ${g.shape[n]} columns`, a.shape);
    return a;
  });
  return toNDArray(
    expand(
      g,
      fs.map((f) => f.data),
      fs.map((f) => f.shape[0]),
    ),
  );
}
