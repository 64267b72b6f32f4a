/// <reference types="@webgpu/types" />
import { InvalidArgumentError, KrylovError } from '@krylov/core-array';
import { deviceState, noteDeviceError, requireDevice } from './device.js';

/**
 * Per-device runtime: a buffer pool, a pipeline cache keyed by WGSL source, and the dispatch
 * helper every kernel goes through. Each operation is one command buffer submitted at once;
 * WebGPU's queue runs them in order, so a pooled buffer released after a submit can be reused by
 * the next operation (or written by `queue.writeBuffer`) without a fence or a host wait.
 */

/** Counters for tests and diagnostics: every host<->device transfer and dispatch is counted. */
export interface WebGPUStats {
  uploads: number;
  readbacks: number;
  dispatches: number;
  poolHits: number;
  poolMisses: number;
  /** Bytes in buffers held by live arrays (not counting the pool's idle buffers). */
  liveBytes: number;
  /** Bytes in idle pooled buffers. */
  pooledBytes: number;
}

const stats: WebGPUStats = {
  uploads: 0,
  readbacks: 0,
  dispatches: 0,
  poolHits: 0,
  poolMisses: 0,
  liveBytes: 0,
  pooledBytes: 0,
};

/** A snapshot of the transfer and dispatch counters. */
export function webgpuStats(): WebGPUStats {
  return { ...stats };
}

/** Counts a transfer (used by the array module). */
export function count(kind: 'uploads' | 'readbacks'): void {
  stats[kind]++;
}

const STORAGE_USAGE = 0x80 | 0x04 | 0x08; // STORAGE | COPY_SRC | COPY_DST
const UNIFORM_USAGE = 0x40 | 0x08; // UNIFORM | COPY_DST
/** Idle buffers beyond this many bytes are destroyed instead of pooled. */
const POOL_LIMIT = 256 * 2 ** 20;

interface Runtime {
  device: GPUDevice;
  free: Map<string, GPUBuffer[]>;
  pipelines: Map<string, GPUComputePipeline>;
}

const runtimes = new WeakMap<GPUDevice, Runtime>();

export function runtime(fn: string): Runtime {
  const device = requireDevice(fn);
  let r = runtimes.get(device);
  if (!r) {
    r = { device, free: new Map(), pipelines: new Map() };
    runtimes.set(device, r);
  }
  return r;
}

/**
 * Buffer sizes are rounded up to a power of two (at least 256 bytes) so pooled buffers are reused;
 * above 64 MiB to a multiple of 1 MiB, so a large array does not ask for twice its size.
 */
function bucket(bytes: number, limit: number): number {
  const size =
    bytes > 2 ** 26
      ? Math.ceil(bytes / 2 ** 20) * 2 ** 20
      : Math.max(256, 2 ** Math.ceil(Math.log2(Math.max(bytes, 1))));
  // an array that fits the limit is never refused because its bucket does not
  return size > limit && bytes <= limit ? Math.ceil(bytes / 4) * 4 : size;
}

/**
 * A WebGPU error (validation, out-of-memory or internal) raised by a dispatch that produced, directly
 * or through its inputs, the array being read. The device refuses an invalid command silently (the
 * output keeps whatever the buffer held, usually zeros), so every dispatch runs inside error scopes
 * and `GPUArray.read` throws this instead of returning those values.
 */
export class WebGPUError extends KrylovError {
  /** The operation whose dispatch failed (it may be an input's, earlier in the chain). */
  readonly source: string;
  /** WebGPU's error class: 'validation', 'out-of-memory' or 'internal'. */
  readonly kind: string;
  constructor(fn: string, source: string, kind: string, detail: string) {
    super(
      fn,
      `the device refused a command of '${source}' (${kind} error: ${detail}); the values would be garbage`,
    );
    this.source = source;
    this.kind = kind;
  }
}

/** A failed dispatch: its operation, WebGPU's error class and message. */
export interface Fault {
  source: string;
  kind: string;
  message: string;
}

// What is known about the current contents of a buffer: a promise of the first fault among the
// dispatch that wrote it and the dispatches that wrote its inputs (null when none failed).
const faults = new WeakMap<GPUBuffer, Promise<Fault | null>>();

/** The fault (if any) behind the current contents of `buffer`; resolves once the device has checked. */
export function faultOf(buffer: GPUBuffer): Promise<Fault | null> {
  return faults.get(buffer) ?? Promise.resolve(null);
}

/** Marks the contents of `buffer` as fresh host data (an upload). */
export function clearFault(buffer: GPUBuffer): void {
  faults.delete(buffer);
}

const SCOPES = ['validation', 'out-of-memory', 'internal'] as const;

/** Opens error scopes around commands on `device`; the returned function closes them. */
export function errorScope(device: GPUDevice, source: string): () => Promise<Fault | null> {
  for (const kind of SCOPES) device.pushErrorScope(kind);
  return () => {
    // scopes pop in reverse order of the pushes
    const popped = [...SCOPES].reverse().map((kind) =>
      device.popErrorScope().then(
        (e): Fault | null => (e ? { source, kind, message: e.message } : null),
        (e: unknown): Fault => ({ source, kind: 'device', message: String((e as Error)?.message ?? e) }),
      ),
    );
    return firstFault(popped);
  };
}

function firstFault(list: readonly Promise<Fault | null>[]): Promise<Fault | null> {
  return Promise.all(list).then((fs) => {
    const f = fs.find((x) => x !== null) ?? null;
    if (f) noteDeviceError(`${f.source}: ${f.message}`);
    return f;
  });
}

/** A pooled device buffer; `release` returns it to its device's pool. */
export function acquireBuffer(fn: string, bytes: number, uniform = false): GPUBuffer {
  const r = runtime(fn);
  const limit = Math.min(r.device.limits.maxStorageBufferBindingSize, r.device.limits.maxBufferSize);
  const size = bucket(bytes, limit);
  if (size > limit)
    throw new InvalidArgumentError(
      fn,
      'size',
      `${bytes} bytes`,
      `an array within the adapter's storage binding limit of ${limit} bytes (${limit / 4} float32 elements)`,
    );
  const key = `${uniform ? 'u' : 's'}${size}`;
  const list = r.free.get(key);
  const hit = list?.pop();
  if (hit) {
    faults.delete(hit);
    stats.poolHits++;
    stats.pooledBytes -= size;
    if (!uniform) stats.liveBytes += size;
    return hit;
  }
  stats.poolMisses++;
  if (!uniform) stats.liveBytes += size;
  return r.device.createBuffer({ size, usage: uniform ? UNIFORM_USAGE : STORAGE_USAGE });
}

/** Returns a buffer to the pool of the device that made it (destroys it when that device is gone). */
export function releaseBuffer(device: GPUDevice, buffer: GPUBuffer, uniform = false): void {
  if (!uniform) stats.liveBytes -= buffer.size;
  const r = runtimes.get(device);
  const s = deviceState();
  if (!r || !s || s.device !== device || stats.pooledBytes + buffer.size > POOL_LIMIT) {
    buffer.destroy();
    return;
  }
  const key = `${uniform ? 'u' : 's'}${buffer.size}`;
  let list = r.free.get(key);
  if (!list) r.free.set(key, (list = []));
  list.push(buffer);
  stats.pooledBytes += buffer.size;
}

/** Destroys the idle pooled buffers of the current device (live arrays are untouched). */
export function trimPool(): void {
  const s = deviceState();
  const r = s && runtimes.get(s.device);
  if (!r) return;
  for (const list of r.free.values()) for (const b of list) b.destroy();
  r.free.clear();
  stats.pooledBytes = 0;
}

function pipeline(r: Runtime, code: string): GPUComputePipeline {
  let p = r.pipelines.get(code);
  if (!p) {
    const module = r.device.createShaderModule({ code });
    p = r.device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
    r.pipelines.set(code, p);
  }
  return p;
}

/** Uniform block builder: u32 and f32 fields in declaration order (4 bytes each). */
export function uniforms(fields: readonly (['u', number] | ['f', number])[]): ArrayBuffer {
  const buf = new ArrayBuffer(Math.max(16, Math.ceil(fields.length / 4) * 16));
  const view = new DataView(buf);
  fields.forEach(([t, v], i) => {
    if (t === 'u') view.setUint32(i * 4, v, true);
    else view.setFloat32(i * 4, v, true);
  });
  return buf;
}

/** @internal The widest x of a grid (tests lower it to run the 2-D split on small problems). */
export const GRID = { maxX: 65535 };

/**
 * Splits `groups` workgroups over x and y (65535 each at most, WebGPU's guaranteed
 * maxComputeWorkgroupsPerDimension); returns [x, y]. Kernels recover the linear index as x + y gx.
 */
export function grid(groups: number): [number, number] {
  const x = Math.min(Math.max(groups, 1), GRID.maxX);
  return [x, Math.ceil(Math.max(groups, 1) / x)];
}

/**
 * Encodes and submits one compute dispatch: `buffers` bind to bindings 0.. in order and the
 * uniform block (when given) to the next binding; `out` is the index of the one binding the
 * kernel writes. No host wait.
 *
 * Guards, so that a bad dispatch can never pass silently: the written buffer may not also be bound
 * for reading (WebGPU refuses a buffer bound as read-only and writable storage in one dispatch, and
 * the output would keep stale values), a workgroup count beyond the device's
 * maxComputeWorkgroupsPerDimension is refused before encoding, and the dispatch runs inside error
 * scopes whose result travels with the output buffer to `GPUArray.read` (see `WebGPUError`).
 * @throws InvalidArgumentError for an aliased output or too many workgroups (a bug in the caller).
 */
export function dispatch(
  fn: string,
  code: string,
  buffers: readonly GPUBuffer[],
  params: ArrayBuffer | null,
  groups: readonly [number, number?, number?],
  out: number,
): void {
  const r = runtime(fn);
  const written = buffers[out];
  if (!written || buffers.some((b, i) => i !== out && b === written))
    throw new InvalidArgumentError(
      fn,
      'out',
      `binding ${out}`,
      'an output buffer that no input of the same dispatch reads (WebGPU forbids the aliasing)',
    );
  const most = r.device.limits.maxComputeWorkgroupsPerDimension;
  const g = [groups[0], groups[1] ?? 1, groups[2] ?? 1];
  if (g.some((v) => !Number.isInteger(v) || v < 0 || v > most))
    throw new InvalidArgumentError(
      fn,
      'size',
      `${g.join(' x ')} workgroups`,
      `at most ${most} workgroups per dimension (the device's maxComputeWorkgroupsPerDimension)`,
    );
  const deps = buffers.filter((_, i) => i !== out).map(faultOf);
  const close = errorScope(r.device, fn);
  let ubuf: GPUBuffer | null = null;
  try {
    const p = pipeline(r, code);
    const entries: GPUBindGroupEntry[] = buffers.map((buffer, binding) => ({
      binding,
      resource: { buffer },
    }));
    if (params) {
      ubuf = acquireBuffer(fn, params.byteLength, true);
      r.device.queue.writeBuffer(ubuf, 0, params);
      entries.push({ binding: buffers.length, resource: { buffer: ubuf } });
    }
    const bind = r.device.createBindGroup({ layout: p.getBindGroupLayout(0), entries });
    const enc = r.device.createCommandEncoder();
    const pass = enc.beginComputePass();
    pass.setPipeline(p);
    pass.setBindGroup(0, bind);
    pass.dispatchWorkgroups(g[0], g[1], g[2]);
    pass.end();
    r.device.queue.submit([enc.finish()]);
  } finally {
    faults.set(written, firstFault([...deps, close()]));
  }
  stats.dispatches++;
  if (ubuf) releaseBuffer(r.device, ubuf, true);
}
