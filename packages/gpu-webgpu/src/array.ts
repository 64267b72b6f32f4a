/// <reference types="@webgpu/types" />
import {
  DTypeError,
  InvalidArgumentError,
  NDArray,
  ShapeError,
  checkNumber,
  checkShape,
  isNDArray,
  shapeSize,
} from '@krylov/core-array';
import { requireDevice } from './device.js';
import {
  type Fault,
  WebGPUError,
  acquireBuffer,
  clearFault,
  count,
  dispatch,
  errorScope,
  faultOf,
  grid,
  releaseBuffer,
  runtime,
  uniforms,
} from './runtime.js';

/**
 * Device-resident float32 arrays. A `GPUArray` is row-major and contiguous on the device; it is
 * either materialized (it owns a pooled buffer) or a lazy elementwise expression over
 * materialized arrays, which the first consumer that needs memory (a matmul, a reduction, a read)
 * compiles into one fused WGSL kernel. No operation consumes its inputs.
 */

/** A reference-counted device buffer: arrays and pending expressions that read it hold a reference. */
export class Storage {
  refs = 1;
  constructor(
    readonly device: GPUDevice,
    readonly buffer: GPUBuffer,
  ) {}
  retain(): this {
    this.refs++;
    return this;
  }
  release(): void {
    if (--this.refs === 0) releaseBuffer(this.device, this.buffer);
  }
}

export type UnaryOp = 'neg' | 'abs' | 'sqrt' | 'exp' | 'log' | 'tanh' | 'relu' | 'sign' | 'recip';
export type BinaryOp = 'add' | 'sub' | 'mul' | 'div' | 'max' | 'min' | 'pow';

/** A fused elementwise expression; leaves are buffers (size-1 leaves broadcast) or constants. */
export type Expr =
  | { k: 'leaf'; s: Storage; bcast: boolean }
  | { k: 'const'; v: number }
  | { k: 'un'; op: UnaryOp; a: Expr }
  | { k: 'bin'; op: BinaryOp; a: Expr; b: Expr };

interface Cell {
  storage: Storage | null;
  expr: Expr | null;
}

function leaves(e: Expr, out: Set<Storage> = new Set()): Set<Storage> {
  if (e.k === 'leaf') out.add(e.s);
  else if (e.k === 'un') leaves(e.a, out);
  else if (e.k === 'bin') {
    leaves(e.a, out);
    leaves(e.b, out);
  }
  return out;
}

export function nodeCount(e: Expr): number {
  return e.k === 'un' ? 1 + nodeCount(e.a) : e.k === 'bin' ? 1 + nodeCount(e.a) + nodeCount(e.b) : 1;
}

/** Drops the buffer references an expression holds (for an expression that will never run). */
export function releaseExpr(e: Expr): void {
  for (const s of leaves(e)) s.release();
}

function freeCell(cell: Cell): void {
  cell.storage?.release();
  if (cell.expr) for (const s of leaves(cell.expr)) s.release();
  cell.storage = null;
  cell.expr = null;
}

// The safety net: an array dropped without dispose() gives its buffer back when collected.
const finalizer = new FinalizationRegistry<Cell>(freeCell);

/** Device-resident float32 array (see the module comment). */
export class GPUArray {
  readonly shape: readonly number[];
  readonly size: number;
  readonly dtype = 'float32' as const;
  private readonly cell: Cell;
  private disposed = false;

  /** @internal Use `toGPU`, the operations or `GPUArray.zeros`. */
  constructor(shape: readonly number[], storage: Storage | null, expr: Expr | null) {
    this.shape = Object.freeze([...shape]);
    this.size = shapeSize(shape);
    this.cell = { storage, expr };
    finalizer.register(this, this.cell, this);
  }

  get ndim(): number {
    return this.shape.length;
  }

  /** True once the array owns device memory (lazy elementwise results are not materialized yet). */
  get isMaterialized(): boolean {
    return this.cell.storage !== null;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  /** @internal The expression that reads this array: its own pending expression, or a leaf. */
  exprRef(fn: string, arg: string): Expr {
    this.check(fn, arg);
    if (this.cell.expr && nodeCount(this.cell.expr) < 48 && leaves(this.cell.expr).size <= 3) {
      for (const s of leaves(this.cell.expr)) s.retain();
      return this.cell.expr;
    }
    return { k: 'leaf', s: this.storage(fn, arg).retain(), bcast: this.size === 1 };
  }

  /**
   * @internal The materialized buffer (compiling and running a pending expression first).
   * @throws InvalidArgumentError when the array was disposed or belongs to a released device.
   */
  storage(fn: string, arg: string): Storage {
    this.check(fn, arg);
    if (!this.cell.storage) {
      const expr = this.cell.expr!;
      this.cell.storage = evaluate(fn, expr, this.size);
      for (const s of leaves(expr)) s.release();
      this.cell.expr = null;
    }
    return this.cell.storage;
  }

  /** @internal */
  buffer(fn: string, arg: string): GPUBuffer {
    return this.storage(fn, arg).buffer;
  }

  /**
   * @internal Throws unless this array can be used now: not disposed, and its buffers belong to the
   * current device (an array made before `releaseWebGPU()` or a device loss cannot be bound to the
   * new device; WebGPU would refuse the command and leave zeros).
   * @throws InvalidArgumentError naming `fn` and `arg`; BackendUnavailableError when there is no device.
   */
  check(fn: string, arg: string): void {
    if (this.disposed)
      throw new InvalidArgumentError(
        fn,
        arg,
        'a disposed GPUArray',
        'a live GPUArray (not used after dispose())',
      );
    const device = requireDevice(fn);
    const stores = this.cell.storage
      ? [this.cell.storage]
      : this.cell.expr
        ? [...leaves(this.cell.expr)]
        : [];
    if (stores.some((s) => s.device !== device))
      throw new InvalidArgumentError(
        fn,
        arg,
        'a GPUArray of a released or lost device',
        'an array of the current device (upload it again with toGPU)',
      );
  }

  /** Runs a pending fused expression now (normally done by the first consumer). Returns `this`. */
  materialize(): this {
    this.storage('GPUArray.materialize', 'this');
    return this;
  }

  /**
   * Copies the elements to the host (one device-to-host transfer; the only host wait).
   * O(size) transfer.
   * @throws InvalidArgumentError when the array was disposed or belongs to a released device.
   * @throws WebGPUError (rejects) when the device refused a command that produced these values,
   * here or earlier in the chain, instead of returning the stale contents of the buffer.
   */
  async read(): Promise<Float32Array> {
    const fn = 'GPUArray.read';
    const out = new Float32Array(this.size);
    if (this.size === 0) {
      if (this.disposed)
        throw new InvalidArgumentError(
          fn,
          'this',
          'a disposed GPUArray',
          'a live GPUArray (not used after dispose())',
        );
      return out;
    }
    const s = this.storage(fn, 'this');
    const device = requireDevice(fn);
    const fault = faultOf(s.buffer);
    const close = errorScope(device, fn);
    const staging = device.createBuffer({ size: out.byteLength, usage: 0x01 | 0x08 }); // MAP_READ | COPY_DST
    let copied: Promise<Fault | null> | undefined;
    try {
      const enc = device.createCommandEncoder();
      enc.copyBufferToBuffer(s.buffer, 0, staging, 0, out.byteLength);
      device.queue.submit([enc.finish()]);
    } finally {
      copied = close();
    }
    count('readbacks');
    try {
      await staging.mapAsync(1); // GPUMapMode.READ
      out.set(new Float32Array(staging.getMappedRange()));
      staging.unmap();
    } catch (e) {
      const f = (await fault) ?? (await copied);
      if (f) throw new WebGPUError(fn, f.source, f.kind, f.message);
      throw e;
    } finally {
      staging.destroy();
    }
    const f = (await fault) ?? (await copied);
    if (f) throw new WebGPUError(fn, f.source, f.kind, f.message);
    return out;
  }

  /** The elements as a float32 NDArray of the same shape (see `read`). */
  async toNDArray(): Promise<NDArray<'float32'>> {
    return new NDArray(await this.read(), this.shape) as NDArray<'float32'>;
  }

  /**
   * The same elements under another shape of equal size: shares the buffer (no copy) once
   * materialized. @throws ShapeError when the sizes differ; InvalidArgumentError for a shape that
   * is not non-negative integers, or a disposed array.
   */
  reshape(shape: readonly number[] | number): GPUArray {
    const fn = 'GPUArray.reshape';
    const dims = checkShape(fn, 'shape', shape);
    if (shapeSize(dims) !== this.size)
      throw new ShapeError(fn, 'shape', `cannot hold ${this.size} elements`, dims);
    return new GPUArray(dims, this.storage(fn, 'this').retain(), null);
  }

  /** Frees the device memory now (idempotent). Pending expressions that read this array keep their own reference. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    finalizer.unregister(this);
    freeCell(this.cell);
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}

/** A new uninitialized device array (contents undefined until written by a kernel). */
export function allocate(fn: string, shape: readonly number[]): GPUArray {
  const size = shapeSize(shape);
  const device = requireDevice(fn);
  return new GPUArray(shape, new Storage(device, acquireBuffer(fn, Math.max(size, 4) * 4)), null);
}

/**
 * Whether `x` is a live GPUArray of the current device; returns it.
 * @throws InvalidArgumentError naming `fn` and `arg` for anything else (null, an NDArray, a
 * disposed array, an array of a released device); BackendUnavailableError without a device.
 */
export function checkGPUArray(fn: string, arg: string, x: unknown, what = 'a GPUArray'): GPUArray {
  if (!(x instanceof GPUArray)) throw new InvalidArgumentError(fn, arg, x, what);
  x.check(fn, arg);
  return x;
}

/**
 * Returns `v` if it is a number that float32 holds without overflow: a finite number whose float32
 * rounding is finite (|v| <= 3.4028235e38), or, with `infinite`, +-Infinity. A finite number beyond
 * float32's range would silently become Infinity on the device, so it is refused.
 * @throws InvalidArgumentError naming `fn` and `arg`.
 */
export function checkFloat32(fn: string, arg: string, v: unknown, infinite = false): number {
  const x = checkNumber(fn, arg, v, { infinite });
  if (Number.isFinite(x) && !Number.isFinite(Math.fround(x)))
    throw new InvalidArgumentError(fn, arg, x, "a number within float32's range (|x| <= 3.4028235e38)");
  return x;
}

/**
 * Uploads host data to the device once. The device computes in float32 and the upload never
 * converts a dtype silently: it takes a float32 NDArray (any layout; strided views are copied to
 * row-major), a Float32Array, or an array of JavaScript numbers (each rounded to the nearest
 * float32; a finite number beyond float32's range, which would become Infinity, is refused).
 * Convert other arrays explicitly: `toGPU(x.astype('float32'))`. O(size) transfer.
 * @throws DTypeError for an NDArray that is not float32 or a typed array other than Float32Array.
 * @throws ShapeError when `shape` does not match the data.
 * @throws InvalidArgumentError for a shape that is not non-negative integers, non-number entries,
 * numbers beyond float32's range, or data that is not an array.
 * @throws BackendUnavailableError when there is no device (see `probe().reason`).
 */
export function toGPU(
  data: NDArray | Float32Array | readonly number[],
  shape?: readonly number[] | number,
): GPUArray {
  const fn = 'toGPU';
  let host: Float32Array;
  let dims: readonly number[];
  const given = shape === undefined ? undefined : checkShape(fn, 'shape', shape);
  if (isNDArray(data)) {
    if (data.dtype !== 'float32')
      throw new DTypeError(
        fn,
        'data',
        data.dtype,
        "float32 (WebGPU computes in float32 and nothing converts silently; pass x.astype('float32'))",
      );
    if (given && (given.length !== data.ndim || given.some((d, i) => d !== data.shape[i])))
      throw new ShapeError(
        fn,
        'shape',
        `does not match the array's shape ${JSON.stringify(data.shape)}`,
        given,
      );
    const c = data.isContiguous ? data : data.copy('float32');
    host = (c.data as Float32Array).subarray(c.offset, c.offset + c.size);
    dims = data.shape;
  } else {
    if (data instanceof Float32Array) host = data;
    else if (ArrayBuffer.isView(data))
      throw new DTypeError(
        fn,
        'data',
        data.constructor.name,
        'a Float32Array (nothing converts silently; pass Float32Array.from(data))',
      );
    else if (Array.isArray(data)) {
      host = new Float32Array(data.length);
      for (let i = 0; i < data.length; i++) {
        const v = data[i];
        if (typeof v !== 'number' || (Number.isFinite(v) && !Number.isFinite(Math.fround(v))))
          throw new InvalidArgumentError(
            fn,
            `data[${i}]`,
            v,
            "a number within float32's range (|x| <= 3.4028235e38, or +-Infinity, NaN)",
          );
        host[i] = v;
      }
    } else
      throw new InvalidArgumentError(
        fn,
        'data',
        data,
        'a float32 NDArray, a Float32Array or an array of numbers',
      );
    dims = given ?? [host.length];
    if (shapeSize(dims) !== host.length)
      throw new ShapeError(fn, 'shape', `does not hold the ${host.length} elements given`, dims);
  }
  const out = allocate(fn, dims);
  if (host.length > 0) {
    const buffer = out.buffer(fn, 'data');
    runtime(fn).device.queue.writeBuffer(buffer, 0, host.buffer, host.byteOffset, host.byteLength);
    clearFault(buffer);
    count('uploads');
  }
  return out;
}

const UNARY: Record<UnaryOp, (a: string) => string> = {
  neg: (a) => `(-${a})`,
  abs: (a) => `abs(${a})`,
  sqrt: (a) => `sqrt(${a})`,
  exp: (a) => `exp(${a})`,
  log: (a) => `log(${a})`,
  tanh: (a) => `tanh(${a})`,
  relu: (a) => `max(${a}, 0.0)`,
  sign: (a) => `sign(${a})`,
  recip: (a) => `(1.0 / ${a})`,
};
const BINARY: Record<BinaryOp, (a: string, b: string) => string> = {
  add: (a, b) => `(${a} + ${b})`,
  sub: (a, b) => `(${a} - ${b})`,
  mul: (a, b) => `(${a} * ${b})`,
  div: (a, b) => `(${a} / ${b})`,
  max: (a, b) => `max(${a}, ${b})`,
  min: (a, b) => `min(${a}, ${b})`,
  pow: (a, b) => `pow(${a}, ${b})`,
};

/** Compiles `expr` into one WGSL kernel (constants passed as data, so the source depends only on the structure). */
function evaluate(fn: string, expr: Expr, size: number): Storage {
  const inputs: Storage[] = [];
  const consts: number[] = [];
  const gen = (e: Expr): string => {
    if (e.k === 'const') {
      consts.push(e.v);
      return `c[${consts.length - 1}]`;
    }
    if (e.k === 'un') return UNARY[e.op](gen(e.a));
    if (e.k === 'bin') return BINARY[e.op](gen(e.a), gen(e.b));
    let i = inputs.indexOf(e.s);
    if (i < 0) i = inputs.push(e.s) - 1;
    return e.bcast ? `in${i}[0]` : `in${i}[i]`;
  };
  const body = gen(expr);
  const decls = inputs.map((_, i) => `@group(0) @binding(${i + 2}) var<storage, read> in${i}: array<f32>;`);
  const code = `@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<storage, read> c: array<f32>;
${decls.join('\n')}
struct P { n: u32, stride: u32 }
@group(0) @binding(${inputs.length + 2}) var<uniform> p: P;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) g: vec3<u32>) {
  let i = g.x + g.y * p.stride;
  if (i >= p.n) { return; }
  _ = c[0];
  out[i] = ${body};
}`;
  const device = requireDevice(fn);
  const out = new Storage(device, acquireBuffer(fn, Math.max(size, 4) * 4));
  if (size === 0) return out;
  consts.push(0);
  const cbuf = acquireBuffer(fn, consts.length * 4);
  device.queue.writeBuffer(cbuf, 0, new Float32Array(consts));
  const [x, y] = grid(Math.ceil(size / 256));
  dispatch(
    fn,
    code,
    [out.buffer, cbuf, ...inputs.map((s) => s.buffer)],
    uniforms([
      ['u', size],
      ['u', x * 256],
    ]),
    [x, y],
    0,
  );
  releaseBuffer(device, cbuf);
  return out;
}
