import { InvalidArgumentError, checkOptions, optionKeys } from '@krylov/core-array';
import { FrequentDirections } from '@krylov/sketching';
import type { Cluster, FlowSpec } from './cluster.js';
import { clusterArg, matrixArg } from './common.js';
import type { PartitionRef, PartitionedMatrix } from './partitioned.js';
import type { FdResult } from './tasks.js';

/**
 * The merge tree over partitions: leaves sketch one partition each, inner nodes merge `fanIn`
 * children; a single level when P <= fanIn. Inner nodes list the partitions they must cover.
 */
export function mergeTree(parts: readonly PartitionRef[], ell: number, fanIn: number): FlowSpec {
  let level: { spec: FlowSpec; covers: number[] }[] = parts.map((part) => ({
    spec: { name: 'fd', data: { part, ell } },
    covers: [part.index],
  }));
  do {
    const next: typeof level = [];
    for (let i = 0; i < level.length; i += fanIn) {
      const group = level.slice(i, i + fanIn);
      const covers = group.flatMap((g) => g.covers);
      next.push({
        spec: {
          name: 'reduce',
          data: { mode: 'fd', ell, expect: covers },
          children: group.map((g) => g.spec),
        },
        covers,
      });
    }
    level = next;
  } while (level.length > 1);
  return level[0].spec;
}

const FREQUENT_DIRECTIONS_OPTIONS_KEYS = optionKeys<FrequentDirectionsOptions>()('fanIn');

/** Options of {@link frequentDirections}. */
export type FrequentDirectionsOptions = { fanIn?: number };

/**
 * A Frequent Directions sketch (ell x n) of a row-partitioned matrix: each partition is sketched
 * by a worker (@krylov/sketching's FrequentDirections, rows in order), and the sketches are merged
 * up a tree of reduce jobs with `fanIn` children each (Agarwal et al. 2013, mergeable summaries).
 * The guarantee of the single-machine sketch holds for the merged one:
 * ||A^T A - B^T B||_2 <= ||A - A_k||_F^2 / (ell - k). Each edge of the tree carries ell n numbers.
 * The result is deterministic for a given partitioning and fanIn (children merge in partition order).
 * @throws InvalidArgumentError for a bad ell or fanIn; PartitionError; ComputationError.
 */
export async function frequentDirections(
  cluster: Cluster,
  a: PartitionedMatrix,
  ell: number,
  options: FrequentDirectionsOptions = {},
): Promise<FrequentDirections> {
  const fn = 'frequentDirections';
  checkOptions(fn, options, FREQUENT_DIRECTIONS_OPTIONS_KEYS);
  clusterArg(fn, cluster);
  const A = matrixArg(fn, a);
  if (!Number.isInteger(ell) || ell < 1) throw new InvalidArgumentError(fn, 'ell', ell, 'a positive integer');
  const fanIn = options.fanIn ?? 2;
  if (!Number.isInteger(fanIn) || fanIn < 2)
    throw new InvalidArgumentError(fn, 'options.fanIn', fanIn, 'an integer >= 2');
  const res = await cluster.run<FdResult>(fn, mergeTree(A.partitions, ell, fanIn));
  if (res.rows !== A.rows)
    throw new InvalidArgumentError(fn, 'A', res.rows, `a sketch of all ${A.rows} rows`);
  return FrequentDirections.fromJSON(res.state);
}
