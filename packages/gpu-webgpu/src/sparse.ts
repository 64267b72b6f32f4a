import {
  DTypeError,
  InvalidArgumentError,
  ShapeError,
  checkInteger,
  checkOptions,
  optionKeys,
} from '@krylov/core-array';
import { type GPUArray, Storage, allocate, checkFloat32, checkGPUArray } from './array.js';
import { requireDevice } from './device.js';
import { requireAddend } from './linalg.js';
import { acquireBuffer, clearFault, count, dispatch, grid, runtime, uniforms } from './runtime.js';

/**
 * The arrays of a compressed-row matrix (the same fields as @krylov/solvers' `CsrArrays`). The
 * values must be a Float32Array: the device computes in float32 and nothing converts silently, so a
 * float64 matrix is passed as `{ ...a, data: Float32Array.from(a.data) }`.
 */
export interface CsrLike {
  readonly shape: readonly [number, number];
  readonly indptr: Int32Array;
  readonly indices: Int32Array;
  readonly data: Float32Array;
}

/** A CSR matrix resident on the device (indptr and indices as u32, values as f32). */
export class GPUCsr {
  private disposed = false;
  /** @internal */
  constructor(
    readonly shape: readonly [number, number],
    readonly nnz: number,
    /** @internal */ readonly parts: { indptr: Storage; indices: Storage; data: Storage },
  ) {}

  /** Frees the three device buffers (idempotent). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.parts.indptr.release();
    this.parts.indices.release();
    this.parts.data.release();
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  /**
   * @internal Throws unless the matrix is live and on the current device.
   * @throws InvalidArgumentError naming `fn` and `arg`.
   */
  check(fn: string, arg: string): void {
    if (this.disposed)
      throw new InvalidArgumentError(
        fn,
        arg,
        'a disposed GPUCsr',
        'a live GPUCsr (not used after dispose())',
      );
    if (this.parts.data.device !== requireDevice(fn))
      throw new InvalidArgumentError(
        fn,
        arg,
        'a GPUCsr of a released or lost device',
        'a matrix of the current device (upload it again with toGPUCsr)',
      );
  }
}

function upload(fn: string, data: Int32Array | Float32Array): Storage {
  const device = requireDevice(fn);
  const s = new Storage(device, acquireBuffer(fn, Math.max(data.length, 4) * 4));
  if (data.length > 0) {
    runtime(fn).device.queue.writeBuffer(s.buffer, 0, data.buffer, data.byteOffset, data.byteLength);
    clearFault(s.buffer);
    count('uploads');
  }
  return s;
}

/**
 * Uploads a CSR matrix once (validated: shape two non-negative integers, indptr non-decreasing from
 * 0 to nnz, column indices in range, values a Float32Array). O(m + nnz).
 * @throws ShapeError for inconsistent array lengths. @throws DTypeError for values that are not a
 * Float32Array (a Float64Array is refused, not rounded silently). @throws InvalidArgumentError for
 * a malformed matrix object, shape or bad indices.
 */
export function toGPUCsr(a: CsrLike): GPUCsr {
  const fn = 'toGPUCsr';
  if (a === null || typeof a !== 'object')
    throw new InvalidArgumentError(fn, 'a', a, 'a CSR matrix { shape, indptr, indices, data }');
  if (!Array.isArray(a.shape) || a.shape.length !== 2)
    throw new InvalidArgumentError(fn, 'a.shape', a.shape, '[rows, columns]');
  const m = checkInteger(fn, 'a.shape[0]', a.shape[0], { min: 0 });
  const n = checkInteger(fn, 'a.shape[1]', a.shape[1], { min: 0 });
  if (!(a.indptr instanceof Int32Array))
    throw new InvalidArgumentError(fn, 'a.indptr', a.indptr, 'an Int32Array');
  if (!(a.indices instanceof Int32Array))
    throw new InvalidArgumentError(fn, 'a.indices', a.indices, 'an Int32Array');
  const data: unknown = a.data;
  if (!(data instanceof Float32Array))
    throw new DTypeError(
      fn,
      'a.data',
      ArrayBuffer.isView(data) ? data.constructor.name : typeof data,
      'a Float32Array (nothing converts silently; pass { ...a, data: Float32Array.from(a.data) })',
    );
  if (a.indptr.length !== m + 1)
    throw new ShapeError(fn, 'a.indptr', `length must be rows + 1 = ${m + 1}`, [a.indptr.length]);
  const nnz = a.indptr[m];
  if (a.indptr[0] !== 0 || a.indices.length < nnz || a.data.length < nnz)
    throw new ShapeError(fn, 'a.indices', `indptr must run from 0 to nnz with ${nnz} indices and values`, [
      a.indices.length,
    ]);
  for (let i = 0; i < m; i++)
    if (a.indptr[i + 1] < a.indptr[i])
      throw new InvalidArgumentError(fn, `a.indptr[${i + 1}]`, a.indptr[i + 1], 'a non-decreasing indptr');
  for (let p = 0; p < nnz; p++)
    if (a.indices[p] < 0 || a.indices[p] >= n)
      throw new InvalidArgumentError(fn, `a.indices[${p}]`, a.indices[p], `a column index in [0, ${n})`);
  return new GPUCsr([m, n], nnz, {
    indptr: upload(fn, a.indptr),
    indices: upload(fn, a.indices.subarray(0, nnz)),
    data: upload(fn, a.data.subarray(0, nnz)),
  });
}

const SPMV = `@group(0) @binding(0) var<storage, read> indptr: array<u32>;
@group(0) @binding(1) var<storage, read> indices: array<u32>;
@group(0) @binding(2) var<storage, read> vals: array<f32>;
@group(0) @binding(3) var<storage, read> x: array<f32>;
@group(0) @binding(4) var<storage, read> yin: array<f32>;
@group(0) @binding(5) var<storage, read_write> y: array<f32>;
struct P { m: u32, stride: u32, alpha: f32, beta: f32 }
@group(0) @binding(6) var<uniform> p: P;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) g: vec3<u32>) {
  let i = g.x + g.y * p.stride;
  if (i >= p.m) { return; }
  var acc = 0.0;
  for (var q = indptr[i]; q < indptr[i + 1u]; q++) { acc = fma(vals[q], x[indices[q]], acc); }
  var v = p.alpha * acc;
  if (p.beta != 0.0) { v = v + p.beta * yin[i]; }
  y[i] = v;
}`;

const SPMV_OPTIONS_KEYS = optionKeys<SpmvOptions>()('alpha', 'beta', 'y');

/** Options of {@link spmv}. */
export type SpmvOptions = { alpha?: number; beta?: number; y?: GPUArray };

/**
 * y = alpha A x + beta y0 for a device CSR matrix (one thread per row, scalar CSR). Returns a new
 * vector. O(m + nnz); error about (row nnz) eps |A||x| per entry. A^T x is not offered (it needs
 * float atomics, which WGSL lacks): upload the transpose's CSR instead. `y0` is only read (it
 * may be `x`).
 * @throws ShapeError for mismatched lengths. @throws InvalidArgumentError for a disposed matrix or
 * vector, alpha/beta that are not finite float32 numbers, or unknown options.
 */
export function spmv(a: GPUCsr, x: GPUArray, options: SpmvOptions = {}): GPUArray {
  const fn = 'spmv';
  checkOptions(fn, options, SPMV_OPTIONS_KEYS);
  const { alpha = 1, beta = 0, y } = options;
  checkFloat32(fn, 'options.alpha', alpha);
  checkFloat32(fn, 'options.beta', beta);
  if (!(a instanceof GPUCsr)) throw new InvalidArgumentError(fn, 'a', a, 'a GPUCsr (toGPUCsr)');
  a.check(fn, 'a');
  checkGPUArray(fn, 'x', x);
  if (x.ndim !== 1 || x.size !== a.shape[1])
    throw new ShapeError(fn, 'x', `must be a vector of length ${a.shape[1]}`, x.shape);
  const m = a.shape[0];
  requireAddend(fn, y, beta, m);
  const xb = x.buffer(fn, 'x');
  const yb = beta !== 0 ? y!.buffer(fn, 'options.y') : xb;
  const out = allocate(fn, [m]);
  if (m === 0) return out;
  const [gx, gy] = grid(Math.ceil(m / 256));
  dispatch(
    fn,
    SPMV,
    [a.parts.indptr.buffer, a.parts.indices.buffer, a.parts.data.buffer, xb, yb, out.buffer(fn, 'out')],
    uniforms([
      ['u', m],
      ['u', gx * 256],
      ['f', alpha],
      ['f', beta],
    ]),
    [gx, gy],
    5,
  );
  return out;
}
