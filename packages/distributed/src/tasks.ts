import { type NDArray, concatenate, matmul, toNpy, zeros } from '@krylov/core-array';
import { qr } from '@krylov/decompositions';
import { FrequentDirections, type FrequentDirectionsState } from '@krylov/sketching';
import { type Encoded, decode, encode } from './codec.js';
import { type PartitionRef, readPartition, writeAtomic } from './partitioned.js';

/**
 * The jobs workers run. A *partition task* reads one row block A_i (by reference) and returns a
 * small result; a *reduce task* is the parent of other jobs in a BullMQ flow and combines their
 * results. Every result names the partitions it covers, and a reduce checks that its children
 * cover exactly the partitions it expects, once each: a retried or re-run child has one job key
 * and one stored value, so no partition is ever counted twice.
 */

/** Common fields of every job's data: the public function it serves (for error messages). */
interface Base {
  fn: string;
}

export interface QrTask extends Base {
  /** The block to factor (A_i, or A_i X when `right` is given). */
  part: PartitionRef;
  right?: Encoded;
  /** Where to write the block's local Q factor (partition-local, never sent). */
  qOut?: string;
}

export interface RmulTask extends Base {
  /** The block M_i (e.g. a local Q factor written by an earlier job). */
  part: PartitionRef;
  /** The small right factor W: the task computes M_i W. */
  right: Encoded;
  /** Where to write M_i W (partition-local). */
  out?: string;
  /** Also return A_i^T (M_i W) for this block of A (a k x n block of Q^T A, transposed). */
  project?: PartitionRef;
}

export interface MomentsTask extends Base {
  part: PartitionRef;
  /** false: the Gram block A_i^T A_i; true: mean and centred scatter (A_i - mu_i)^T (A_i - mu_i). */
  centered: boolean;
}

export interface FdTask extends Base {
  part: PartitionRef;
  ell: number;
}

export interface MatvecTask extends Base {
  part: PartitionRef;
  x: Encoded;
}

export type ReduceMode = 'qr' | 'sum' | 'moments' | 'fd' | 'concat' | 'count';

export interface ReduceTask extends Base {
  mode: ReduceMode;
  /** The partitions this node's children must cover, each exactly once. */
  expect: number[];
  /** For 'fd': the sketch size. */
  ell?: number;
  /** For 'qr': also return each partition's block of the stacked R's Q factor (to form Q). */
  blocks?: boolean;
}

/** What every task returns: the partitions covered and their row count, plus its payload. */
export interface Covered {
  partitions: number[];
  rows: number;
  /** Bytes of child results a reduce read (base64 text), for the bytes-moved accounting. */
  childBytes?: number;
}
export interface QrResult extends Covered {
  r: Encoded;
  /** For a reduce: Qhat_i, the block of the stacked R's Q factor that belongs to partition i. */
  blocks?: Encoded[];
}
export interface SumResult extends Covered {
  sum?: Encoded;
}
export interface MomentsResult extends Covered {
  mean?: Encoded;
  m2: Encoded;
}
export interface FdResult extends Covered {
  state: FrequentDirectionsState;
}
export interface ConcatResult extends Covered {
  y: Encoded;
}

/** Thrown by a reduce whose children do not cover its partitions exactly once. */
export class CoverageError extends Error {}

/** Flips rows of R (and columns of Q) so that diag(R) >= 0: QR is then unique for full-rank input. */
function positiveDiagonal(q: NDArray<'float64'> | null, r: NDArray<'float64'>): void {
  const [k, n] = r.shape;
  for (let i = 0; i < Math.min(k, n); i++) {
    if (r.data[i * n + i] >= 0) continue;
    for (let j = 0; j < n; j++) r.data[i * n + j] = -r.data[i * n + j];
    if (q) {
      const qc = q.shape[1];
      for (let t = 0; t < q.shape[0]; t++) q.data[t * qc + i] = -q.data[t * qc + i];
    }
  }
}

function contiguous(a: NDArray): NDArray<'float64'> {
  return a.contiguous() as NDArray<'float64'>;
}

export function runQr(t: QrTask): QrResult {
  const a = readPartition(t.fn, t.part);
  const y = t.right ? contiguous(matmul(a, decode(t.right))) : a;
  const f = qr(y);
  const q = contiguous(f.q as NDArray);
  const r = contiguous(f.r);
  if (t.qOut) writeAtomic(t.qOut, toNpy(q));
  return { partitions: [t.part.index], rows: t.part.rows, r: encode(r) };
}

export function runRmul(t: RmulTask): SumResult {
  const m = readPartition(t.fn, t.part);
  const w = decode(t.right);
  const out = contiguous(m.shape[0] === 0 ? zeros([0, w.shape[1]]) : matmul(m, w));
  if (t.out) writeAtomic(t.out, toNpy(out));
  const result: SumResult = { partitions: [t.part.index], rows: t.part.rows };
  if (t.project) {
    const a = readPartition(t.fn, t.project);
    result.sum = encode(matmul(a.T, out));
  }
  return result;
}

export function runMoments(t: MomentsTask): MomentsResult {
  const a = readPartition(t.fn, t.part);
  const [m, n] = a.shape;
  const base = { partitions: [t.part.index], rows: m };
  if (!t.centered) return { ...base, m2: encode(matmul(a.T, a)) };
  const mean = zeros([n]);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) mean.data[j] += a.data[i * n + j];
  if (m > 0) for (let j = 0; j < n; j++) mean.data[j] /= m;
  const c = a.copy() as NDArray<'float64'>;
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) c.data[i * n + j] -= mean.data[j];
  return { ...base, mean: encode(mean), m2: encode(matmul(c.T, c)) };
}

export function runFd(t: FdTask): FdResult {
  const a = readPartition(t.fn, t.part);
  const fd = new FrequentDirections(t.ell, t.part.columns);
  const n = t.part.columns;
  for (let i = 0; i < a.shape[0]; i++) fd.update(a.data.subarray(i * n, (i + 1) * n));
  return { partitions: [t.part.index], rows: a.shape[0], state: fd.toJSON() };
}

export function runMatvec(t: MatvecTask): ConcatResult {
  const a = readPartition(t.fn, t.part);
  const x = decode(t.x);
  return {
    partitions: [t.part.index],
    rows: a.shape[0],
    y: encode(matmul(a, x.reshape([x.size, 1])).reshape(a.shape[0])),
  };
}

function covered<T extends Covered>(t: ReduceTask, values: T[]): T[] {
  const seen = new Set<number>();
  for (const v of values)
    for (const p of v.partitions) {
      if (seen.has(p)) throw new CoverageError(`${t.fn}: partition ${p} reported twice`);
      seen.add(p);
    }
  const missing = t.expect.filter((p) => !seen.has(p));
  if (missing.length > 0 || seen.size !== t.expect.length)
    throw new CoverageError(
      `${t.fn}: children cover [${[...seen].sort((a, b) => a - b)}], expected [${t.expect}]`,
    );
  return [...values].sort((a, b) => a.partitions[0] - b.partitions[0]);
}

/** Combines the results of a reduce's children (any order in; partition order used inside). */
export function runReduce(t: ReduceTask, children: Covered[]): Covered {
  const childBytes = JSON.stringify(children).length;
  const values = covered(t, children);
  const base = {
    partitions: values.flatMap((v) => v.partitions),
    rows: values.reduce((s, v) => s + v.rows, 0),
    childBytes,
  };
  switch (t.mode) {
    case 'count':
      return base;
    case 'sum': {
      const parts = (values as SumResult[]).filter((v) => v.sum).map((v) => decode(v.sum as Encoded));
      if (parts.length === 0) return base;
      const total = parts[0].copy() as NDArray<'float64'>;
      for (const p of parts.slice(1)) for (let i = 0; i < total.size; i++) total.data[i] += p.data[i];
      return { ...base, sum: encode(total) } as SumResult;
    }
    case 'concat': {
      const ys = (values as ConcatResult[]).map((v) => decode(v.y));
      return { ...base, y: encode(concatenate(ys, 0)) } as ConcatResult;
    }
    case 'qr': {
      const rs = (values as QrResult[]).map((v) => decode(v.r));
      const stacked = concatenate(rs, 0) as NDArray<'float64'>;
      const f = qr(stacked);
      const q = contiguous(f.q as NDArray);
      const r = contiguous(f.r);
      positiveDiagonal(q, r);
      if (!t.blocks) return { ...base, r: encode(r) } as QrResult;
      let offset = 0;
      const blocks = rs.map((ri) => {
        const h = ri.shape[0];
        const b = encode(q.slice(`${offset}:${offset + h}`));
        offset += h;
        return b;
      });
      return { ...base, r: encode(r), blocks } as QrResult;
    }
    case 'moments': {
      // Chan, Golub & LeVeque's pairwise update: M2 = M2a + M2b + d d^T na nb / n, d = mean_b - mean_a.
      const ms = values as MomentsResult[];
      const m2 = decode(ms[0].m2).copy() as NDArray<'float64'>;
      if (!ms[0].mean) {
        for (const v of ms.slice(1)) {
          const b = decode(v.m2);
          for (let i = 0; i < m2.size; i++) m2.data[i] += b.data[i];
        }
        return { ...base, m2: encode(m2) } as MomentsResult;
      }
      const n = m2.shape[0];
      const mean = decode(ms[0].mean).copy() as NDArray<'float64'>;
      let na = ms[0].rows;
      for (const v of ms.slice(1)) {
        const nb = v.rows;
        if (nb === 0) continue;
        const mb = decode(v.mean as Encoded);
        const b = decode(v.m2);
        const tot = na + nb;
        const d = Float64Array.from({ length: n }, (_, j) => mb.data[j] - mean.data[j]);
        const w = (na * nb) / tot;
        for (let i = 0; i < n; i++)
          for (let j = 0; j < n; j++) m2.data[i * n + j] += b.data[i * n + j] + w * d[i] * d[j];
        for (let j = 0; j < n; j++) mean.data[j] += (d[j] * nb) / tot;
        na = tot;
      }
      return { ...base, mean: encode(mean), m2: encode(m2) } as MomentsResult;
    }
    case 'fd': {
      const states = (values as FdResult[]).map((v) => FrequentDirections.fromJSON(v.state));
      const merged = states[0];
      for (const s of states.slice(1)) merged.merge(s);
      return { ...base, state: merged.toJSON() } as FdResult;
    }
  }
}

/** Runs one partition task by its job name. */
export function runPartitionTask(name: string, data: unknown): Covered {
  switch (name) {
    case 'qr':
      return runQr(data as QrTask);
    case 'rmul':
      return runRmul(data as RmulTask);
    case 'moments':
      return runMoments(data as MomentsTask);
    case 'fd':
      return runFd(data as FdTask);
    case 'matvec':
      return runMatvec(data as MatvecTask);
    default:
      throw new Error(`unknown task '${name}'`);
  }
}
