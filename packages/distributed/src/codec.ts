import { NDArray } from '@krylov/core-array';

/**
 * A float64 matrix as job data or a job result: its shape and its bytes in base64 (exact, and
 * 4/3 the binary size, against about 2.5x for decimal JSON). Jobs carry only small matrices this
 * way: sketches, R factors, k x n blocks and vectors, never a partition.
 */
export interface Encoded {
  shape: number[];
  b64: string;
}

export function encode(a: NDArray): Encoded {
  const c = a.dtype === 'float64' ? a.contiguous() : a.astype('float64');
  const d = c.data as Float64Array;
  const bytes = Buffer.from(d.buffer, d.byteOffset + c.offset * 8, c.size * 8);
  return { shape: [...c.shape], b64: bytes.toString('base64') };
}

export function decode(e: Encoded): NDArray<'float64'> {
  const bytes = Buffer.from(e.b64, 'base64');
  const data = new Float64Array(bytes.length / 8);
  new Uint8Array(data.buffer).set(bytes);
  return new NDArray(data, e.shape) as NDArray<'float64'>;
}

/** Bytes of an encoded matrix as it travels through Redis (the base64 text). */
export function encodedBytes(e: Encoded): number {
  return e.b64.length;
}
