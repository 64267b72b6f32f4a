import { InvalidArgumentError, isNDArray } from '@krylov/core-array';

/**
 * Optimizer state to and from bytes: a JSON header in which every typed array is replaced by a
 * reference into a binary payload (8-byte aligned), so checkpoints are compact and exact.
 * Layout: magic "KRYS", u32 header length, header (UTF-8 JSON), padding, payload.
 */

const MAGIC = 0x5359524b; // "KRYS" little-endian
const KINDS = { Float64Array, Float32Array, Int32Array } as const;
type Kind = keyof typeof KINDS;

/**
 * Encodes a state of numbers, strings, booleans, null, Float64Array/Float32Array/Int32Array
 * buffers, arrays and plain objects as bytes. O(size).
 * @throws InvalidArgumentError for other buffer kinds, NDArrays, functions, bigints or cycles.
 * @example
 * ```ts
 * import { decodeState, encodeState } from '@krylov/optimizers';
 * const bytes = encodeState({ count: 3, m: new Float64Array([1, 2]) });
 * const back = decodeState(bytes);
 * console.assert(back.count === 3 && back.m[1] === 2, 'round trip');
 * ```
 */
export function encodeState(state: unknown): Uint8Array {
  const fn = 'encodeState';
  const chunks: { bytes: Uint8Array; offset: number }[] = [];
  let size = 0;
  const stringify = () =>
    JSON.stringify(state, (key, value) => {
      if (typeof value === 'function' || typeof value === 'bigint' || typeof value === 'symbol')
        throw new InvalidArgumentError(
          fn,
          key ? `state.${key}` : 'state',
          value,
          'numbers, strings, booleans, null, typed arrays, arrays and plain objects',
        );
      if (isNDArray(value))
        throw new InvalidArgumentError(
          fn,
          key ? `state.${key}` : 'state',
          value,
          'typed arrays, not NDArrays (store array.data)',
        );
      if (ArrayBuffer.isView(value)) {
        const kind = value.constructor.name as Kind;
        if (!(kind in KINDS))
          throw new InvalidArgumentError(
            'encodeState',
            'state',
            kind,
            'Float64Array, Float32Array or Int32Array buffers',
          );
        const bytes = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
        size = Math.ceil(size / 8) * 8;
        chunks.push({ bytes, offset: size });
        const ref = { $buffer: kind, offset: size, length: (value as Float64Array).length };
        size += bytes.length;
        return ref;
      }
      if (typeof value === 'number' && !Number.isFinite(value)) return { $number: String(value) };
      return value;
    });
  let header: string;
  try {
    header = stringify();
  } catch (e) {
    if (e instanceof InvalidArgumentError) throw e;
    throw new InvalidArgumentError(fn, 'state', state, `a state JSON can hold (${(e as Error).message})`);
  }
  if (header === undefined) throw new InvalidArgumentError(fn, 'state', state, 'a state object');
  const text = new TextEncoder().encode(header);
  const start = Math.ceil((8 + text.length) / 8) * 8;
  const out = new Uint8Array(start + size);
  const view = new DataView(out.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, text.length, true);
  out.set(text, 8);
  for (const c of chunks) out.set(c.bytes, start + c.offset);
  return out;
}

/**
 * Decodes bytes written by `encodeState`. O(size).
 * @throws InvalidArgumentError for anything that is not an intact encoded state.
 * @example
 * ```ts
 * import { decodeState, encodeState } from '@krylov/optimizers';
 * const back = decodeState(encodeState([null, { lr: 0.1 }, 'adam']));
 * console.assert(back[1].lr === 0.1 && back[2] === 'adam', 'round trip');
 * ```
 */
export function decodeState(bytes: Uint8Array): unknown {
  const fn = 'decodeState';
  if (!(bytes instanceof Uint8Array)) throw new InvalidArgumentError(fn, 'bytes', bytes, 'a Uint8Array');
  if (bytes.length < 8)
    throw new InvalidArgumentError(fn, 'bytes', bytes, 'an encoded optimizer state (too short)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== MAGIC)
    throw new InvalidArgumentError(fn, 'bytes', bytes, 'an encoded optimizer state (bad magic number)');
  const length = view.getUint32(4, true);
  if (8 + length > bytes.length)
    throw new InvalidArgumentError(fn, 'bytes', bytes, 'an encoded optimizer state (truncated header)');
  const start = Math.ceil((8 + length) / 8) * 8;
  const payload = bytes.slice(start);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + length));
    JSON.parse(text);
  } catch (e) {
    throw new InvalidArgumentError(
      fn,
      'bytes',
      bytes,
      `an encoded optimizer state (corrupt header: ${(e as Error).message})`,
    );
  }
  return JSON.parse(text, (_key, value) => {
    if (value && typeof value === 'object' && '$buffer' in value) {
      const Ctor = Object.hasOwn(KINDS, value.$buffer) ? KINDS[value.$buffer as Kind] : undefined;
      const end = value.offset + value.length * (Ctor?.BYTES_PER_ELEMENT ?? 0);
      if (
        !Ctor ||
        !Number.isInteger(value.offset) ||
        !Number.isInteger(value.length) ||
        value.offset < 0 ||
        value.length < 0 ||
        value.offset % Ctor.BYTES_PER_ELEMENT !== 0 ||
        end > payload.length
      )
        throw new InvalidArgumentError(fn, 'bytes', value, 'buffer references inside the payload');
      return new Ctor(payload.buffer.slice(value.offset, end));
    }
    if (value && typeof value === 'object' && '$number' in value) return Number(value.$number);
    return value;
  });
}
