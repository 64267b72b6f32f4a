import { InvalidArgumentError, type NDArray, checkOptions, optionKeys, zeros } from '@krylov/core-array';
import { eigh } from '@krylov/decompositions';
import type { Cluster } from './cluster.js';
import { decode } from './codec.js';
import { all, clusterArg, matrixArg } from './common.js';
import type { PartitionedMatrix } from './partitioned.js';
import type { MomentsResult } from './tasks.js';

async function moments(fn: string, cluster: Cluster, A: PartitionedMatrix, centered: boolean) {
  return cluster.run<MomentsResult>(fn, {
    name: 'reduce',
    data: { mode: 'moments', expect: all(A) },
    children: A.partitions.map((part) => ({ name: 'moments', data: { part, centered } })),
  });
}

/**
 * The Gram matrix A^T A (n x n) of a row-partitioned matrix: the sum of the partitions' A_i^T A_i
 * (one pass; P n^2 numbers through Redis). O(m n^2) flops in all.
 * @throws PartitionError; ComputationError.
 */
export async function gram(cluster: Cluster, a: PartitionedMatrix): Promise<NDArray<'float64'>> {
  const fn = 'gram';
  clusterArg(fn, cluster);
  const A = matrixArg(fn, a);
  return decode((await moments(fn, cluster, A, false)).m2);
}

export interface CovarianceResult {
  /** Column means (n). */
  mean: NDArray<'float64'>;
  /** Covariance (n x n), divided by m - ddof. */
  cov: NDArray<'float64'>;
}

const COVARIANCE_OPTIONS_KEYS = optionKeys<CovarianceOptions>()('ddof');

/** Options of {@link covariance}. */
export type CovarianceOptions = { ddof?: number };

/**
 * Column means and covariance of a row-partitioned matrix (rows are observations, as
 * `numpy.cov(A, rowvar=False)`): each partition returns its mean and centred scatter, merged with
 * Chan, Golub & LeVeque's pairwise update (no cancellation from forming A^T A - m mu mu^T).
 * One pass; P (n^2 + n) numbers through Redis.
 * @throws InvalidArgumentError for a bad ddof or too few rows; PartitionError; ComputationError.
 */
export async function covariance(
  cluster: Cluster,
  a: PartitionedMatrix,
  options: CovarianceOptions = {},
): Promise<CovarianceResult> {
  const fn = 'covariance';
  checkOptions(fn, options, COVARIANCE_OPTIONS_KEYS);
  clusterArg(fn, cluster);
  const A = matrixArg(fn, a);
  const ddof = options.ddof ?? 1;
  if (!Number.isInteger(ddof) || ddof < 0)
    throw new InvalidArgumentError(fn, 'options.ddof', ddof, 'a non-negative integer');
  if (A.rows - ddof <= 0) throw new InvalidArgumentError(fn, 'A', A.shape, `more than ${ddof} rows`);
  const res = await moments(fn, cluster, A, true);
  const cov = decode(res.m2);
  for (let i = 0; i < cov.size; i++) cov.data[i] /= A.rows - ddof;
  return { mean: decode(res.mean as never), cov };
}

export interface PcaResult {
  /** Principal axes (k x n, rows of unit length, sign fixed so each row's largest entry is positive). */
  components: NDArray<'float64'>;
  /** Variance along each axis (k), descending. */
  explainedVariance: NDArray<'float64'>;
  mean: NDArray<'float64'>;
}

/**
 * Principal component analysis of a row-partitioned matrix: the top-k eigenpairs of its covariance
 * (`covariance`, then `eigh` on the coordinator; n x n, so for n up to a few thousand).
 * @throws InvalidArgumentError for a bad k; PartitionError; ComputationError.
 */
export async function pca(cluster: Cluster, a: PartitionedMatrix, k: number): Promise<PcaResult> {
  const fn = 'pca';
  clusterArg(fn, cluster);
  const A = matrixArg(fn, a);
  const n = A.columns;
  if (!Number.isInteger(k) || k < 1 || k > n)
    throw new InvalidArgumentError(fn, 'k', k, `an integer in [1, ${n}]`);
  const { mean, cov } = await covariance(cluster, A);
  const f = eigh(cov, { checkSymmetry: false });
  const w = f.values.data as Float64Array;
  const v = (f.vectors as NDArray<'float64'>).contiguous() as NDArray<'float64'>;
  const components = zeros([k, n]);
  const explainedVariance = zeros([k]);
  for (let c = 0; c < k; c++) {
    const src = n - 1 - c;
    explainedVariance.data[c] = w[src];
    let big = 0;
    for (let j = 0; j < n; j++) if (Math.abs(v.data[j * n + src]) > Math.abs(big)) big = v.data[j * n + src];
    const sign = big < 0 ? -1 : 1;
    for (let j = 0; j < n; j++) components.data[c * n + j] = sign * v.data[j * n + src];
  }
  return { components, explainedVariance, mean };
}
