import { InvalidArgumentError, type NDArray, type SeedLike, checkOptions, toRng } from '@krylov/core-array';
import { qr, svd } from '@krylov/decompositions';
import type { Cluster } from './cluster.js';
import { encode } from './codec.js';
import { clusterArg, localRef, matrixArg } from './common.js';
import { type PartitionRef, type PartitionedMatrix, manifestFor } from './partitioned.js';
import { tsqrStep } from './tsqr.js';

export interface DistributedRangeOptions {
  /** Extra columns beyond the rank (default 10, as scikit-learn and @krylov/sketching). */
  oversample?: number;
  /** Subspace iterations, or 'auto' (default; scikit-learn's rule: 7 when k < 0.1 min(m, n), else 4). */
  powerIters?: number | 'auto';
  /** Seed of the Gaussian test matrix (drawn on the coordinator, n x (k + p), as @krylov/sketching draws it). */
  seed?: SeedLike;
}

export interface DistributedSvdOptions extends DistributedRangeOptions {
  /** Also form U (m x k) as partition-local blocks (default false: s and V^T only). */
  u?: boolean;
}

export interface DistributedSvd {
  s: NDArray<'float64'>;
  vt: NDArray<'float64'>;
  /** U as row blocks aligned with A's partitions, when requested. */
  u?: PartitionedMatrix;
}

function parse(
  fn: string,
  a: PartitionedMatrix,
  k: number,
  o: DistributedRangeOptions | undefined,
  extra: string[],
) {
  checkOptions(fn, o, ['oversample', 'powerIters', 'seed', ...extra]);
  const [m, n] = a.shape;
  if (!Number.isInteger(k) || k < 1 || k > Math.min(m, n))
    throw new InvalidArgumentError(fn, 'k', k, `an integer in [1, ${Math.min(m, n)}]`);
  const p = o?.oversample ?? 10;
  if (!Number.isInteger(p) || p < 0)
    throw new InvalidArgumentError(fn, 'options.oversample', p, 'a non-negative integer');
  const q = o?.powerIters ?? 'auto';
  if (q !== 'auto' && !(typeof q === 'number' && Number.isInteger(q) && q >= 0))
    throw new InvalidArgumentError(fn, 'options.powerIters', q, "a non-negative integer or 'auto'");
  const iters = q === 'auto' ? (k < 0.1 * Math.min(m, n) ? 7 : 4) : q;
  return { l: Math.min(k + p, m, n), iters, seed: o?.seed ?? 0 };
}

/**
 * Randomized subspace iteration (HMT 2011, Alg. 4.4) with Q kept partition-local: each pass
 * Y = A X is orthonormalized by TSQR (Q_i stays on the workers' storage), then Z = A^T Q is
 * reduced (n x l) and orthonormalized on the coordinator. Returns Q's blocks and the last Z = A^T Q,
 * which is B^T for the SVD.
 */
async function subspaceIteration(
  fn: string,
  cluster: Cluster,
  A: PartitionedMatrix,
  l: number,
  iters: number,
  seed: SeedLike,
) {
  let x = toRng(seed).normal([A.columns, l]) as NDArray<'float64'>;
  const dir = cluster.scratch(fn);
  let q: PartitionRef[] = [];
  let z: NDArray<'float64'> | undefined;
  for (let i = 0; i <= iters; i++) {
    const step = await tsqrStep(fn, cluster, A.partitions, {
      right: encode(x),
      qDir: dir,
      project: A.partitions,
    });
    q = step.q as PartitionRef[];
    z = step.z as NDArray<'float64'>;
    if (i < iters) x = qr(z).q as NDArray<'float64'>;
  }
  return { q, z: z as NDArray<'float64'>, dir };
}

function asMatrix(dir: string, stem: string, refs: readonly PartitionRef[]): PartitionedMatrix {
  return manifestFor(
    `${dir}/${stem}.json`,
    refs[0].columns,
    refs.map((r) => ({ path: r.path, rows: r.rows })),
  );
}

/**
 * An orthonormal basis Q (m x (k + oversample)) of A's dominant range, as partition-local blocks:
 * the distributed form of @krylov/sketching's `rangeFinder`, with the same Gaussian test matrix for
 * the same seed, so the same subspace. Passes over A: 2 (powerIters + 1); bytes through Redis per
 * pass O(P (l^2 + n l)).
 * @throws InvalidArgumentError for a bad rank or options; PartitionError; ComputationError.
 */
export async function rangeFinder(
  cluster: Cluster,
  a: PartitionedMatrix,
  rank: number,
  options?: DistributedRangeOptions,
): Promise<PartitionedMatrix> {
  const fn = 'rangeFinder';
  clusterArg(fn, cluster);
  const A = matrixArg(fn, a);
  const { l, iters, seed } = parse(fn, A, rank, options, []);
  const { q, dir } = await subspaceIteration(fn, cluster, A, l, iters, seed);
  return asMatrix(dir, 'q', q);
}

/**
 * The rank-k truncated SVD of a row-partitioned matrix by randomized subspace iteration (HMT 2011,
 * Alg. 5.1 with Alg. 4.4): Q stays partition-local, B = Q^T A (l x n) is reduced from the
 * partitions' Q_i^T A_i, and its SVD is taken on the coordinator; U = Q U_B stays partition-local
 * when requested. Equal to @krylov/sketching's `randomizedSvd` on the gathered matrix with the same
 * seed and options, within rounding (columns of U and V up to sign).
 * @throws InvalidArgumentError for a bad k or options; PartitionError; ComputationError.
 */
export async function randomizedSvd(
  cluster: Cluster,
  a: PartitionedMatrix,
  k: number,
  options?: DistributedSvdOptions,
): Promise<DistributedSvd> {
  const fn = 'randomizedSvd';
  clusterArg(fn, cluster);
  const A = matrixArg(fn, a);
  const { l, iters, seed } = parse(fn, A, k, options, ['u']);
  const { q, z, dir } = await subspaceIteration(fn, cluster, A, l, iters, seed);
  const f = svd(z.T.copy());
  const s = f.s.slice(`0:${k}`).copy() as NDArray<'float64'>;
  const vt = f.vt.slice(`0:${k}`).copy() as NDArray<'float64'>;
  if (!options?.u) return { s, vt };
  const ub = f.u.slice(null, `0:${k}`).copy();
  const us = q.map((p) => localRef(dir, 'u', p, k));
  await cluster.run(fn, {
    name: 'reduce',
    data: { mode: 'count', expect: q.map((p) => p.index) },
    children: q.map((part, i) => ({ name: 'rmul', data: { part, right: encode(ub), out: us[i].path } })),
  });
  return { s, vt, u: asMatrix(dir, 'u', us) };
}
