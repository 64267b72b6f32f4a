import { type Mat, NDArray, type Vec, copyInto } from '@krylov/core-array';
import type { BatchDesc, FloatData, MatDesc, VecDesc } from './addon.js';

/**
 * The BLAS description of a matrix view, or null when BLAS cannot take its strides: a view is
 * row-major when its columns are adjacent (column stride 1) and its rows at least a row apart,
 * column-major in the mirrored case. A transposed view (`a.T`) is column-major, so transposes
 * never copy; only views strided in both dimensions (or with overlapping rows) do.
 */
export function matDesc(a: Mat): MatDesc | null {
  const [rows, cols] = a.shape;
  const [rs, cs] = a.strides;
  const data = a.data as FloatData;
  if (rows === 0 || cols === 0)
    return { data, offset: 0, rows, cols, ld: Math.max(1, cols), colMajor: false };
  if (cols === 1 || cs === 1) {
    const ld = rows === 1 ? Math.max(1, cols) : rs;
    if (ld >= Math.max(1, cols)) return { data, offset: a.offset, rows, cols, ld, colMajor: false };
  }
  if (rows === 1 || rs === 1) {
    const ld = cols === 1 ? Math.max(1, rows) : cs;
    if (ld >= Math.max(1, rows)) return { data, offset: a.offset, rows, cols, ld, colMajor: true };
  }
  return null;
}

/**
 * The description of a [..., rows, cols] array as a batch of matrices (one offset per entry, in
 * row-major order of the leading indices), or null when its last two strides are not BLAS's. With
 * `disjoint`, also null when two entries share memory (an output must not).
 */
export function batchDesc(x: NDArray, disjoint = false): BatchDesc | null {
  const lead = x.shape.slice(0, -2);
  const [rows, cols] = x.shape.slice(-2);
  const count = lead.reduce((p, q) => p * q, 1);
  const data = x.data as FloatData;
  // no entries: nothing is read or written (the storage may be empty)
  if (count === 0)
    return { data, rows, cols, ld: Math.max(1, cols), colMajor: false, offsets: new Float64Array(0) };
  const m = matDesc(new NDArray(x.data as FloatData, [rows, cols], x.strides.slice(-2), x.offset) as Mat);
  if (!m) return null;
  const offsets = new Float64Array(count);
  const index = new Array<number>(lead.length).fill(0);
  for (let t = 0; t < count; t++) {
    let off = x.offset;
    for (let d = 0; d < lead.length; d++) off += index[d] * x.strides[d];
    offsets[t] = off;
    for (let d = lead.length - 1; d >= 0 && ++index[d] === lead[d]; d--) index[d] = 0;
  }
  const empty = rows === 0 || cols === 0;
  if (empty) offsets.fill(0);
  if (disjoint && !empty && count > 1) {
    const span = ((m.colMajor ? cols : rows) - 1) * m.ld + (m.colMajor ? rows : cols);
    const sorted = Float64Array.from(offsets).sort();
    for (let i = 1; i < count; i++) if (sorted[i] < sorted[i - 1] + span) return null;
  }
  const { offset: _, ...shape } = m;
  return { ...shape, offsets };
}

/** The BLAS description of a vector view, or null for a broadcast (stride 0) view of length > 1. */
export function vecDesc(x: Vec): VecDesc | null {
  const n = x.shape[0];
  const data = x.data as FloatData;
  if (n <= 1) return { data, offset: n === 0 ? 0 : x.offset, n, inc: 1 };
  const inc = x.strides[0];
  return inc === 0 ? null : { data, offset: x.offset, n, inc };
}

/** A contiguous vector descriptor over fresh or given storage. */
export function denseVec(data: FloatData): VecDesc {
  return { data, offset: 0, n: data.length, inc: 1 };
}

/** A row-major contiguous descriptor over `data`. */
export function denseMat(data: FloatData, rows: number, cols: number): MatDesc {
  return { data, offset: 0, rows, cols, ld: Math.max(1, cols), colMajor: false };
}

function sharesBuffer(x: { data: ArrayBufferView }, outputs: readonly { data: ArrayBufferView }[]): boolean {
  return outputs.some((o) => o.data.buffer === x.data.buffer);
}

/**
 * Prepares operands for one call: each input or output gets a descriptor, through a contiguous
 * copy when BLAS cannot take its strides, and inputs that share storage with an output are copied
 * (BLAS forbids aliasing). `finish()` writes copied outputs back into the caller's views.
 */
export class Operands {
  private readonly writeBacks: (() => void)[] = [];

  constructor(private readonly outputs: readonly NDArray[] = []) {}

  /** An input matrix (read only). */
  in(a: Mat): MatDesc {
    const d = sharesBuffer(a, this.outputs) ? null : matDesc(a);
    return d ?? (matDesc(a.copy() as Mat) as MatDesc);
  }

  /** An output (or in-out) matrix. */
  out(a: Mat): MatDesc {
    const d = matDesc(a);
    if (d) return d;
    const w = a.copy() as Mat;
    this.writeBacks.push(() => copyInto(a, w));
    return matDesc(w) as MatDesc;
  }

  /** An input vector. */
  inVec(x: Vec): VecDesc {
    const d = sharesBuffer(x, this.outputs) ? null : vecDesc(x);
    return d ?? (vecDesc(x.copy() as Vec) as VecDesc);
  }

  /** An input vector that must be contiguous (LAPACK's tau). */
  inDenseVec(x: Vec): VecDesc {
    const d = vecDesc(x);
    return d && (d.inc === 1 || d.n <= 1) && !sharesBuffer(x, this.outputs)
      ? d
      : denseVec(x.copy().data as FloatData);
  }

  /** An output (or in-out) vector. */
  outVec(x: Vec): VecDesc {
    const d = vecDesc(x);
    if (d) return d;
    const w = x.copy() as Vec;
    this.writeBacks.push(() => copyInto(x, w));
    return vecDesc(w) as VecDesc;
  }

  /** An input batch ([..., rows, cols]). */
  inBatch(x: NDArray): BatchDesc {
    const d = sharesBuffer(x, this.outputs) ? null : batchDesc(x);
    return d ?? (batchDesc(x.copy()) as BatchDesc);
  }

  /** An output batch: its entries must not share memory. */
  outBatch(x: NDArray): BatchDesc {
    const d = batchDesc(x, true);
    if (d) return d;
    const w = x.copy();
    this.writeBacks.push(() => copyInto(x, w));
    return batchDesc(w, true) as BatchDesc;
  }

  finish(): void {
    for (const w of this.writeBacks) w();
  }
}

/** A new NDArray over `data` with the given shape (row-major). */
export function wrap(data: FloatData, shape: readonly number[]): NDArray {
  return new NDArray(data, shape);
}

/** Fresh storage of the operand's dtype. */
export function alloc(like: { data: FloatData }, length: number): FloatData {
  return like.data instanceof Float32Array ? new Float32Array(length) : new Float64Array(length);
}
