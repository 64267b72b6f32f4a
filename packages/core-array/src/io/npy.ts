import type { DType } from '../dtype.js';
import { InvalidArgumentError } from '../errors.js';
import { contiguousStrides, shapeSize } from '../iter.js';
import { NDArray } from '../ndarray.js';
import { checkArray } from '../validate.js';

/**
 * NumPy's `.npy` format (format versions 1.0, 2.0 and 3.0; see numpy.lib.format): a magic string,
 * a version, a little-endian header length, a Python-dict header with 'descr', 'fortran_order'
 * and 'shape', then the raw data. Little-endian float64, float32, int32 and bool are supported.
 */

const DESCR: Record<string, DType> = {
  '<f8': 'float64',
  '<f4': 'float32',
  '<i4': 'int32',
  '|b1': 'bool',
  '|u1': 'bool',
};
const CODE: Record<string, string> = { float64: '<f8', float32: '<f4', int32: '<i4', bool: '|b1' };
const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/**
 * Serializes `a` (any strides) to `.npy` bytes in C order, format 1.0 (2.0 when the header needs it).
 * @example
 * ```ts
 * import { array, fromNpy, toNpy } from '@krylov/core-array';
 * const bytes = toNpy(array([[1, 2], [3, 4]])); // write with fs.writeFileSync('a.npy', bytes)
 * const back = fromNpy(bytes); // numpy.load reads the same bytes
 * console.assert(back.shape.join() === '2,2' && back.get(1, 0) === 3);
 * ```
 */
export function toNpy(a: NDArray): Uint8Array {
  checkArray('toNpy', 'a', a);
  const code = CODE[a.dtype];
  if (!code) throw new InvalidArgumentError('toNpy', 'a.dtype', a.dtype, 'float64, float32, int32 or bool');
  const shape = a.shape.length === 1 ? `(${a.shape[0]},)` : `(${a.shape.join(', ')})`;
  let header = `{'descr': '${code}', 'fortran_order': False, 'shape': ${shape}, }`;
  const version = header.length + 11 > 65535 ? 2 : 1;
  const prefix = version === 1 ? 10 : 12;
  // pad with spaces so the data starts on a multiple of 64 bytes, newline-terminated
  const total = Math.ceil((prefix + header.length + 1) / 64) * 64;
  header = `${header.padEnd(total - prefix - 1, ' ')}\n`;
  const c = a.contiguous();
  const bytes = new Uint8Array(
    c.data.buffer,
    c.data.byteOffset + c.offset * c.data.BYTES_PER_ELEMENT,
    c.size * c.data.BYTES_PER_ELEMENT,
  );
  const out = new Uint8Array(total + bytes.length);
  out.set(MAGIC, 0);
  out[6] = version;
  out[7] = 0;
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, header.length, true);
  else view.setUint32(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[prefix + i] = header.charCodeAt(i);
  out.set(bytes, total);
  return out;
}

/**
 * Reads `.npy` bytes into a new NDArray (Fortran-order files come back as the same logical array,
 * as a transposed view of their data).
 * @throws InvalidArgumentError for a bad magic string, an unsupported dtype or a malformed or truncated header.
 * @example
 * ```ts
 * import { fromNpy, rng, toNpy } from '@krylov/core-array';
 * const a = rng(0).normal([3, 2], { dtype: 'float32' });
 * const b = fromNpy(toNpy(a));
 * console.assert(b.dtype === 'float32' && b.get(2, 1) === a.get(2, 1));
 * ```
 */
export function fromNpy(bytes: Uint8Array): NDArray {
  const fn = 'fromNpy';
  if (!(bytes instanceof Uint8Array)) throw new InvalidArgumentError(fn, 'bytes', bytes, 'a Uint8Array');
  if (bytes.length < 10 || MAGIC.some((m, i) => bytes[i] !== m))
    throw new InvalidArgumentError(fn, 'bytes', bytes, 'a .npy file (magic string \\x93NUMPY)');
  const version = bytes[6];
  if (version < 1 || version > 3)
    throw new InvalidArgumentError(fn, 'version', version, 'format version 1, 2 or 3');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = version === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = version === 1 ? 10 : 12;
  if (start + length > bytes.length)
    throw new InvalidArgumentError(fn, 'header', length, `a header within the ${bytes.length}-byte file`);
  const header = new TextDecoder(version === 3 ? 'utf-8' : 'latin1').decode(
    bytes.subarray(start, start + length),
  );
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined)
    throw new InvalidArgumentError(
      fn,
      'header',
      header.trim(),
      "a dict with 'descr', 'fortran_order' and 'shape'",
    );
  const dtype = DESCR[descr];
  if (!dtype)
    throw new InvalidArgumentError(fn, 'descr', descr, "little-endian '<f8', '<f4', '<i4' or '|b1'");
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number);
  if (shape.some((d) => !Number.isInteger(d) || d < 0))
    throw new InvalidArgumentError(fn, 'shape', shapeText, 'non-negative integer extents');
  const size = shapeSize(shape);
  const dataStart = start + length;
  const Ctor = { float64: Float64Array, float32: Float32Array, int32: Int32Array, bool: Uint8Array }[
    dtype as 'float64'
  ];
  const need = size * Ctor.BYTES_PER_ELEMENT;
  if (dataStart + need > bytes.length)
    throw new InvalidArgumentError(
      fn,
      'bytes',
      bytes.length,
      `${dataStart + need} bytes for shape (${shape.join(', ')})`,
    );
  // copy so the result owns aligned storage; Uint8Array's slice, since a Node Buffer's `slice` is a
  // view whose `.buffer` is the whole (pooled) allocation
  const data = new Ctor(Uint8Array.prototype.slice.call(bytes, dataStart, dataStart + need).buffer);
  if (fortran === 'False') return new NDArray(data, shape);
  const reversed = [...shape].reverse();
  return new NDArray(data, reversed, contiguousStrides(reversed)).transpose();
}
