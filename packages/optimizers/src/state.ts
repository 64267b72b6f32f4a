import { InvalidArgumentError } from '@krylov/core-array';

/**
 * Optimizer state to and from bytes: a JSON header in which every typed array is replaced by a
 * reference into a binary payload (8-byte aligned), so checkpoints are compact and exact.
 * Layout: magic "KRYS", u32 header length, header (UTF-8 JSON), padding, payload.
 */

const MAGIC = 0x5359524b; // "KRYS" little-endian
const KINDS = { Float64Array, Float32Array, Int32Array } as const;
type Kind = keyof typeof KINDS;

export function encodeState(state: unknown): Uint8Array {
  const chunks: { bytes: Uint8Array; offset: number }[] = [];
  let size = 0;
  const header = JSON.stringify(state, (_key, value) => {
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

export function decodeState(bytes: Uint8Array): unknown {
  const fn = 'decodeState';
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
  return JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length)), (_key, value) => {
    if (value && typeof value === 'object' && '$buffer' in value) {
      const Ctor = KINDS[value.$buffer as Kind];
      const end = value.offset + value.length * (Ctor?.BYTES_PER_ELEMENT ?? 0);
      if (!Ctor || end > payload.length)
        throw new InvalidArgumentError(fn, 'bytes', value, 'buffer references inside the payload');
      return new Ctor(payload.buffer.slice(value.offset, end));
    }
    if (value && typeof value === 'object' && '$number' in value) return Number(value.$number);
    return value;
  });
}
