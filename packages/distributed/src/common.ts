import { InvalidArgumentError } from '@krylov/core-array';
import { Cluster } from './cluster.js';
import { type PartitionRef, PartitionedMatrix } from './partitioned.js';

export function clusterArg(fn: string, c: unknown): Cluster {
  if (!(c instanceof Cluster)) throw new InvalidArgumentError(fn, 'cluster', c, 'a Cluster');
  return c;
}

export function matrixArg(fn: string, a: unknown): PartitionedMatrix {
  if (!(a instanceof PartitionedMatrix))
    throw new InvalidArgumentError(fn, 'A', a, 'a PartitionedMatrix (writePartitioned or openPartitioned)');
  return a;
}

/** A reference to a partition-local output of partition `p`, in `dir`, `cols` columns wide. */
export function localRef(dir: string, stem: string, p: PartitionRef, cols: number): PartitionRef {
  return {
    index: p.index,
    path: `${dir}/${stem}-${p.index}.npy`,
    rowStart: p.rowStart,
    rows: p.rows,
    columns: cols,
  };
}

export function all(a: PartitionedMatrix): number[] {
  return a.partitions.map((p) => p.index);
}
