import { type NDArray, checkOptions, optionKeys } from '@krylov/core-array';
import type { Cluster } from './cluster.js';
import { type Encoded, decode } from './codec.js';
import { clusterArg, localRef, matrixArg } from './common.js';
import { type PartitionRef, type PartitionedMatrix, manifestFor } from './partitioned.js';
import type { QrResult } from './tasks.js';

export interface TsqrOptions {
  /** Also form Q as partition-local factors (a PartitionedMatrix in the cluster's workDir). Default false. */
  q?: boolean;
}

export interface TsqrResult {
  /** R (min(m, n) x n, upper triangular, diag(R) >= 0). */
  r: NDArray<'float64'>;
  /** Q (m x min(m, n)) as row blocks aligned with A's partitions, when requested. */
  q?: PartitionedMatrix;
}

/**
 * One TSQR step over partitioned blocks: each partition factors its block Y_i = Q_i R_i (Y_i = A_i
 * or A_i X), one reduce job factors the stacked R_i (one level: P min(m_i, n) x n, small), and with
 * `qDir` each partition then forms its block Q_i Qhat_i of the global Q (Demmel, Grigori, Hoemmen &
 * Langou 2012, "Communication-optimal parallel and sequential QR", flat tree).
 */
export async function tsqrStep(
  fn: string,
  cluster: Cluster,
  parts: readonly PartitionRef[],
  options: { right?: Encoded; qDir?: string; project?: readonly PartitionRef[] },
): Promise<{ r: NDArray<'float64'>; q?: PartitionRef[]; z?: NDArray<'float64'> }> {
  const scratch = options.qDir ? cluster.scratch('tsqr') : undefined;
  const expect = parts.map((p) => p.index);
  const res = await cluster.run<QrResult>(fn, {
    name: 'reduce',
    data: { mode: 'qr', expect, blocks: !!scratch },
    children: parts.map((part) => ({
      name: 'qr',
      data: {
        part,
        ...(options.right ? { right: options.right } : {}),
        ...(scratch ? { qOut: localRef(scratch, 'q0', part, 0).path } : {}),
      },
    })),
  });
  const r = decode(res.r);
  if (!options.qDir || !scratch) return { r };
  const width = r.shape[0];
  const blocks = res.blocks as Encoded[];
  const local = parts.map((p) => localRef(scratch, 'q0', p, Math.min(p.rows, r.shape[1])));
  const qs = parts.map((p) => localRef(options.qDir as string, 'q', p, width));
  const step2 = await cluster.run<{ sum?: Encoded } & QrResult>(fn, {
    name: 'reduce',
    data: { mode: 'sum', expect },
    children: parts.map((p, i) => ({
      name: 'rmul',
      data: {
        part: local[i],
        right: blocks[i],
        out: qs[i].path,
        ...(options.project ? { project: options.project[i] } : {}),
      },
    })),
  });
  return { r, q: qs, ...(step2.sum ? { z: decode(step2.sum) } : {}) };
}

const TSQR_OPTIONS_KEYS = optionKeys<TsqrOptions>()('q');

/**
 * Tall-skinny QR of a row-partitioned matrix: R from the stacked local R factors, equal to
 * `qr(A).r` up to the signs of its rows (here diag(R) >= 0), and on request Q as partition-local
 * factors. Moves O(P n^2) numbers through Redis (2 P n^2 more with Q), never a partition.
 * Backward stable like Householder QR: ||A - QR|| = O(eps ||A||).
 * @throws PartitionError when a partition cannot be read; ComputationError when a job fails or times out.
 */
export async function tsqr(
  cluster: Cluster,
  a: PartitionedMatrix,
  options: TsqrOptions = {},
): Promise<TsqrResult> {
  const fn = 'tsqr';
  checkOptions(fn, options, TSQR_OPTIONS_KEYS);
  clusterArg(fn, cluster);
  const A = matrixArg(fn, a);
  if (!options.q) return { r: (await tsqrStep(fn, cluster, A.partitions, {})).r };
  const dir = cluster.scratch('tsqr-q');
  const { r, q } = await tsqrStep(fn, cluster, A.partitions, { qDir: dir });
  const refs = (q as PartitionRef[]).map((p) => ({ path: p.path, rows: p.rows }));
  return { r, q: manifestFor(`${dir}/manifest.json`, r.shape[0], refs) };
}
