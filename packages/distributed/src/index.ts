/**
 * @krylov/distributed: row-partitioned matrices in `.npy` files and the algorithms that need only
 * small messages between machines (TSQR, randomized SVD and range finder, Gram / covariance / PCA,
 * Frequent Directions merged in a tree, CG with fanned-out matvecs), run as BullMQ flows on Redis
 * by `krylov-worker` processes.
 */
export { Cluster, type ClusterOptions, type FlowSpec, type Traffic } from './cluster.js';
export { ComputationError, PartitionError } from './errors.js';
export {
  MANIFEST_FORMAT,
  type Manifest,
  type PartitionRef,
  PartitionedMatrix,
  type WritePartitionedOptions,
  openPartitioned,
  splitRows,
  writePartitioned,
} from './partitioned.js';
export { type TsqrOptions, type TsqrResult, tsqr } from './tsqr.js';
export {
  type DistributedRangeOptions,
  type DistributedSvd,
  type DistributedSvdOptions,
  randomizedSvd,
  rangeFinder,
} from './lowrank.js';
export { type CovarianceResult, type PcaResult, covariance, gram, pca } from './moments.js';
export { frequentDirections } from './fd.js';
export { type DistributedCgOptions, type DistributedCgResult, cg, matvec } from './cg.js';
export {
  DEFAULT_PLUGINS,
  type PluginLoad,
  type StartedWorker,
  type WorkerOptions,
  startWorker,
} from './worker.js';
