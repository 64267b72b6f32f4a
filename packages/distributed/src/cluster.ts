import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError, checkOptions } from '@krylov/core-array';
import { type ConnectionOptions, type FlowJob, FlowProducer, Job, Queue, QueueEvents } from 'bullmq';
import { ComputationError, PartitionError } from './errors.js';
import type { Covered } from './tasks.js';

export interface ClusterOptions {
  /** Redis connection (ioredis options such as `{ host, port }`). */
  connection: ConnectionOptions;
  /** Queue name (default 'krylov'), the one the workers listen on. */
  queue?: string;
  /** Longest wait for one step (one flow) of a computation, ms (default 600000). */
  timeoutMs?: number;
  /** Tries per job before the computation fails (default 3; a bad partition fails at once). */
  attempts?: number;
  /** Folder for partition-local outputs (Q, U factors); workers must be able to write it. Default: the OS temp folder. */
  workDir?: string;
}

/** One node of a flow: a job and the jobs whose results it combines. */
export interface FlowSpec {
  name: string;
  data: Record<string, unknown>;
  children?: FlowSpec[];
}

/** Bytes moved through Redis by the computations run so far (base64/JSON text, as stored). */
export interface Traffic {
  /** Flows (steps) run. */
  steps: number;
  /** Jobs enqueued. */
  jobs: number;
  /** Job data written by the coordinator (partition references plus small matrices). */
  sent: number;
  /** Partition and inner-node results read by reduce jobs. */
  reduced: number;
  /** Final results read by the coordinator. */
  received: number;
}

const CLUSTER_KEYS = ['connection', 'queue', 'timeoutMs', 'attempts', 'workDir'] as const;

/**
 * The coordinator's handle on a queue of Krylov workers. Each step of an algorithm is one BullMQ
 * flow: partition jobs as children, a reduce job as their parent (a tree of reduces for mergeable
 * sketches), so fan-out, fan-in, retries and stalled-job recovery are BullMQ's. The coordinator
 * only enqueues flows and waits for each root; it holds small matrices, never a partition.
 */
export class Cluster {
  readonly queueName: string;
  readonly timeoutMs: number;
  readonly attempts: number;
  readonly workDir: string;
  readonly traffic: Traffic = { steps: 0, jobs: 0, sent: 0, reduced: 0, received: 0 };
  private readonly queue: Queue;
  private readonly flows: FlowProducer;
  private readonly events: QueueEvents;
  private ready: Promise<unknown> | null = null;

  /** @throws InvalidArgumentError for unknown options or bad values. */
  constructor(options: ClusterOptions) {
    const fn = 'Cluster';
    checkOptions(fn, options, CLUSTER_KEYS);
    if (!options?.connection)
      throw new InvalidArgumentError(fn, 'options.connection', undefined, 'Redis connection options');
    this.queueName = options.queue ?? 'krylov';
    this.timeoutMs = options.timeoutMs ?? 600_000;
    this.attempts = options.attempts ?? 3;
    if (!(this.timeoutMs > 0))
      throw new InvalidArgumentError(fn, 'options.timeoutMs', this.timeoutMs, 'a positive number');
    if (!Number.isInteger(this.attempts) || this.attempts < 1)
      throw new InvalidArgumentError(fn, 'options.attempts', this.attempts, 'a positive integer');
    this.workDir = options.workDir ?? join(tmpdir(), 'krylov-distributed');
    const connection = options.connection;
    this.queue = new Queue(this.queueName, { connection });
    this.flows = new FlowProducer({ connection });
    this.events = new QueueEvents(this.queueName, { connection });
  }

  /** A fresh folder under workDir for one computation's partition-local outputs. */
  scratch(label: string): string {
    const dir = join(this.workDir, `${label}-${randomUUID().slice(0, 8)}`);
    mkdirSync(dir, { recursive: true });
    return dir;
  }

  /**
   * Runs one flow and returns its root's result. On a failed job (after its retries) or a
   * timeout, removes every job of the flow and throws: PartitionError when a partition could not be
   * read, ComputationError otherwise. The flow's jobs are removed on success too.
   */
  async run<T extends Covered>(fn: string, root: FlowSpec): Promise<T> {
    this.ready ??= this.events.waitUntilReady();
    await this.ready;
    const id = `${fn}-${randomUUID()}`;
    const ids: string[] = [];
    const build = (spec: FlowSpec, path: string, isRoot: boolean): FlowJob => {
      const jobId = `${id}-${path}`;
      ids.push(jobId);
      const data = { ...spec.data, fn };
      this.traffic.jobs++;
      this.traffic.sent += JSON.stringify(data).length;
      return {
        name: spec.name,
        queueName: this.queueName,
        data,
        opts: {
          jobId,
          attempts: this.attempts,
          backoff: { type: 'fixed', delay: 100 },
          ...(isRoot ? {} : { failParentOnFailure: true }),
        },
        children: spec.children?.map((c, i) => build(c, `${path}.${i}`, false)),
      };
    };
    this.traffic.steps++;
    const node = await this.flows.add(build(root, 'r', true));
    try {
      const result = (await node.job.waitUntilFinished(this.events, this.timeoutMs)) as T;
      this.traffic.received += JSON.stringify(result).length;
      this.traffic.reduced += result.childBytes ?? 0;
      await this.remove(ids);
      return result;
    } catch (e) {
      const error = await this.failure(fn, id, ids, e as Error);
      await this.remove(ids);
      throw error;
    }
  }

  /** The error to report: the first leaf failure (the cause) rather than the parents it failed. */
  private async failure(fn: string, id: string, ids: string[], e: Error): Promise<Error> {
    const timedOut = /timed out|ttl/i.test(e.message);
    for (const jobId of [...ids].reverse()) {
      const job = await Job.fromId(this.queue, jobId);
      if (!job || !job.failedReason || /child .* failed|failed children/i.test(job.failedReason)) continue;
      const reason = job.failedReason;
      if (reason.startsWith('PartitionError ')) {
        const p = JSON.parse(reason.slice('PartitionError '.length));
        return new PartitionError(fn, p.partition, p.path, p.reason);
      }
      return new ComputationError(fn, id, `${job.name} ${jobId}`, reason, job.attemptsMade);
    }
    return new ComputationError(
      fn,
      id,
      undefined,
      timedOut ? `no result within ${this.timeoutMs} ms` : e.message,
    );
  }

  /** Removes the flow's jobs; a job still running elsewhere is retried until it stops (bounded). */
  private async remove(ids: string[]): Promise<void> {
    let left = [...ids].reverse();
    const deadline = Date.now() + 15_000;
    while (left.length > 0 && Date.now() < deadline) {
      const next: string[] = [];
      for (const jobId of left) {
        const job = await Job.fromId(this.queue, jobId);
        if (!job) continue;
        try {
          await job.remove({ removeChildren: false });
        } catch {
          next.push(jobId);
        }
      }
      left = next;
      if (left.length > 0) await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Jobs of this queue in each state (to check that a computation left nothing behind). */
  counts(): Promise<Record<string, number>> {
    return this.queue.getJobCounts();
  }

  /** Disconnects from Redis (workers keep running). */
  async close(): Promise<void> {
    await Promise.all([this.events.close(), this.flows.close(), this.queue.close()]);
  }
}
