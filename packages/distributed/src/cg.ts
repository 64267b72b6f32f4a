import {
  InvalidArgumentError,
  NDArray,
  ShapeError,
  checkOptions,
  isNDArray,
  optionKeys,
} from '@krylov/core-array';
import type { Cluster } from './cluster.js';
import { decode, encode } from './codec.js';
import { all, clusterArg, matrixArg } from './common.js';
import type { PartitionedMatrix } from './partitioned.js';
import type { ConcatResult } from './tasks.js';

/**
 * y = A x for a row-partitioned A: x (n) goes to every partition, each returns its rows of A x,
 * one reduce concatenates them in order. P n + m numbers through Redis.
 * @throws ShapeError for a wrong-length x; PartitionError; ComputationError.
 */
export async function matvec(
  cluster: Cluster,
  a: PartitionedMatrix,
  x: NDArray,
): Promise<NDArray<'float64'>> {
  const fn = 'matvec';
  clusterArg(fn, cluster);
  const A = matrixArg(fn, a);
  if (!isNDArray(x) || x.ndim !== 1 || x.shape[0] !== A.columns)
    throw new ShapeError(
      fn,
      'x',
      `expected a vector of length ${A.columns}`,
      isNDArray(x) ? x.shape : undefined,
    );
  return rawMatvec(fn, cluster, A, x);
}

async function rawMatvec(
  fn: string,
  cluster: Cluster,
  A: PartitionedMatrix,
  x: NDArray,
): Promise<NDArray<'float64'>> {
  const ex = encode(x);
  const res = await cluster.run<ConcatResult>(fn, {
    name: 'reduce',
    data: { mode: 'concat', expect: all(A) },
    children: A.partitions.map((part) => ({ name: 'matvec', data: { part, x: ex } })),
  });
  return decode(res.y);
}

export interface DistributedCgOptions {
  /** Relative tolerance (default 1e-5, as SciPy). */
  rtol?: number;
  /** Absolute tolerance (default 0). Stops when ||r|| <= max(atol, rtol ||b||). */
  atol?: number;
  /** Iteration limit (default 10 n). */
  maxiter?: number;
}

export interface DistributedCgResult {
  x: NDArray<'float64'>;
  converged: boolean;
  iterations: number;
  residualNorm: number;
  /** ||r_k|| after each iteration (index 0: the initial residual). */
  history: number[];
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

const DISTRIBUTED_CG_OPTIONS_KEYS = optionKeys<DistributedCgOptions>()('rtol', 'atol', 'maxiter');

/**
 * Conjugate gradients (Hestenes & Stiefel 1952) for a symmetric positive definite, row-partitioned
 * A: the vectors live on the coordinator, and each iteration's product A p fans out to the
 * partitions as one flow (one matvec job per partition). SciPy's stopping rule
 * ||r|| <= max(atol, rtol ||b||); same iterates as a single-machine CG within rounding.
 * @throws ShapeError for a wrong-length b; InvalidArgumentError for bad options; PartitionError;
 *   ComputationError.
 */
export async function cg(
  cluster: Cluster,
  a: PartitionedMatrix,
  b: NDArray,
  options: DistributedCgOptions = {},
): Promise<DistributedCgResult> {
  const fn = 'cg';
  checkOptions(fn, options, DISTRIBUTED_CG_OPTIONS_KEYS);
  clusterArg(fn, cluster);
  const A = matrixArg(fn, a);
  const n = A.rows;
  if (A.columns !== n) throw new ShapeError(fn, 'A', 'expected a square matrix', A.shape);
  if (!isNDArray(b) || b.ndim !== 1 || b.shape[0] !== n)
    throw new ShapeError(fn, 'b', `expected a vector of length ${n}`, isNDArray(b) ? b.shape : undefined);
  const rtol = options.rtol ?? 1e-5;
  const atol = options.atol ?? 0;
  const maxiter = options.maxiter ?? 10 * n;
  if (!(rtol >= 0) || !(atol >= 0))
    throw new InvalidArgumentError(fn, 'options.rtol', rtol, 'non-negative tolerances');
  if (!Number.isInteger(maxiter) || maxiter < 0)
    throw new InvalidArgumentError(fn, 'options.maxiter', maxiter, 'a non-negative integer');
  const x = new Float64Array(n);
  const r = Float64Array.from(b.astype('float64').contiguous().data as Float64Array);
  const p = Float64Array.from(r);
  let rr = dot(r, r);
  const target = Math.max(atol, rtol * Math.sqrt(rr));
  const history = [Math.sqrt(rr)];
  let k = 0;
  while (Math.sqrt(rr) > target && k < maxiter) {
    const ap = (await rawMatvec(fn, cluster, A, new NDArray(p, [n]))).data;
    const alpha = rr / dot(p, ap);
    for (let i = 0; i < n; i++) {
      x[i] += alpha * p[i];
      r[i] -= alpha * ap[i];
    }
    const rrNew = dot(r, r);
    for (let i = 0; i < n; i++) p[i] = r[i] + (rrNew / rr) * p[i];
    rr = rrNew;
    k++;
    history.push(Math.sqrt(rr));
  }
  return {
    x: new NDArray(x, [n]) as NDArray<'float64'>,
    converged: Math.sqrt(rr) <= target,
    iterations: k,
    residualNorm: Math.sqrt(rr),
    history,
  };
}
