import { KrylovError } from '../errors.js';
import * as errors from '../errors.js';
import { NDArray, isNDArray } from '../ndarray.js';

/**
 * Packing of call arguments and results for a worker: every NDArray becomes a contiguous copy of
 * its elements plus its shape, whose buffer is transferred (moved, not cloned); plain objects,
 * arrays and primitives pass through structured clone.
 */
const TAG = '__krylovNDArray';

interface PackedArray {
  [TAG]: true;
  data: ArrayBufferView;
  shape: number[];
}

/**
 * Replaces every NDArray in `value` (nested in plain objects and arrays) by a packed copy and
 * collects the buffers to transfer. With `copy` false (results built in the worker, owned by no
 * one else) a contiguous array's own buffer is moved when the array spans all of it.
 */
export function pack(value: unknown, transfer: ArrayBuffer[], copy = true): unknown {
  if (isNDArray(value)) {
    const c = value.contiguous();
    let data = c.data.subarray(c.offset, c.offset + c.size) as ArrayBufferView;
    const whole = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength;
    if ((copy && c === value) || !whole || transfer.includes(data.buffer as ArrayBuffer))
      data = (data as Float64Array).slice();
    if (data.buffer instanceof ArrayBuffer) transfer.push(data.buffer);
    return { [TAG]: true, data, shape: [...value.shape] } satisfies PackedArray;
  }
  if (Array.isArray(value)) return value.map((v) => pack(v, transfer, copy));
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = pack(v, transfer, copy);
    return out;
  }
  return value;
}

/** The inverse of `pack`: rebuilds the NDArrays (views of the transferred buffers, no copy). */
export function unpack(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(unpack);
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    if ((value as PackedArray)[TAG] === true) {
      const p = value as PackedArray;
      return new NDArray(p.data as Float64Array, p.shape);
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = unpack(v);
    return out;
  }
  return value;
}

interface PackedError {
  __krylovError: true;
  name: string;
  message: string;
  stack?: string;
  fields: Record<string, unknown>;
}

/** An error thrown in a worker, as plain data (its class name and own fields). */
export function packError(e: unknown): PackedError {
  const err = e instanceof Error ? e : new Error(String(e));
  const fields: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(err)) if (k !== 'stack' && k !== 'message') fields[k] = v;
  return { __krylovError: true, name: err.name, message: err.message, stack: err.stack, fields };
}

export function isPackedError(v: unknown): v is PackedError {
  return v !== null && typeof v === 'object' && (v as PackedError).__krylovError === true;
}

/**
 * Rebuilds a worker's error on this thread as an instance of the Krylov error class of the same
 * name (so `instanceof ShapeError` holds), or a plain Error with that name.
 */
export function unpackError(p: PackedError): Error {
  const Cls = (errors as Record<string, unknown>)[p.name];
  const proto =
    typeof Cls === 'function' && (Cls.prototype instanceof KrylovError || Cls === KrylovError)
      ? (Cls.prototype as object)
      : Error.prototype;
  const err = Object.create(proto) as Error;
  Object.defineProperty(err, 'message', { value: p.message, writable: true, configurable: true });
  Object.defineProperty(err, 'name', { value: p.name, writable: true, configurable: true });
  Object.assign(err, p.fields);
  if (p.stack) Object.defineProperty(err, 'stack', { value: p.stack, writable: true, configurable: true });
  return err;
}
