import { KrylovError } from '@krylov/core-array';

/**
 * A partition could not be read: its file is missing, is not a valid `.npy` file, or holds a shape
 * or dtype other than the manifest says. Names the partition (index and path) so the fix is clear.
 * Thrown by workers (the job fails at once, without retries: reading the same file again gives the
 * same answer) and re-thrown by the coordinator, which then cancels the whole computation.
 */
export class PartitionError extends KrylovError {
  readonly partition: number;
  readonly path: string;
  readonly reason: string;
  constructor(fn: string, partition: number, path: string, reason: string) {
    super(fn, `partition ${partition} (${path}): ${reason}`);
    this.partition = partition;
    this.path = path;
    this.reason = reason;
  }
}

/**
 * A distributed computation did not finish: a job failed after its retries (`job` names it and
 * `reason` is the worker's message), or no result came within `timeoutMs`. Every job of the
 * computation has been removed from the queue when this is thrown.
 */
export class ComputationError extends KrylovError {
  readonly computation: string;
  readonly job: string | undefined;
  readonly reason: string;
  /** How many times the failing job ran (its retries included), when a job failed. */
  readonly attempts: number | undefined;
  constructor(fn: string, computation: string, job: string | undefined, reason: string, attempts?: number) {
    super(
      fn,
      `computation ${computation}${job ? ` (job ${job}${attempts ? `, ${attempts} attempts` : ''})` : ''} failed: ${reason}`,
    );
    this.computation = computation;
    this.job = job;
    this.reason = reason;
    this.attempts = attempts;
  }
}
