import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NDArray, arange, fromNpy, toNpy } from '../src/index.js';

const fixture = (name: string) =>
  new Uint8Array(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)));

describe('.npy files written by NumPy (fixtures/make_npy.py)', () => {
  it('reads a Node Buffer and a view into a larger buffer (not the whole underlying allocation)', () => {
    const file = readFileSync(new URL('./fixtures/f64_c.npy', import.meta.url));
    const want = fromNpy(fixture('f64_c.npy')).toArray();
    expect(fromNpy(file).toArray()).toEqual(want);
    const padded = new Uint8Array(file.length + 24);
    padded.set(file, 16);
    expect(fromNpy(padded.subarray(16, 16 + file.length)).toArray()).toEqual(want);
    // a small Buffer comes from Node's shared pool: its .buffer holds other data
    expect(fromNpy(Buffer.from(file)).toArray()).toEqual(want);
  });

  it('reads C and Fortran order, float64, float32, int32, bool and 0-d', () => {
    const expected = Array.from({ length: 3 }, (_, i) =>
      Array.from({ length: 4 }, (_, j) => (i * 4 + j) / 7),
    );
    const c = fromNpy(fixture('f64_c.npy'));
    expect(c.dtype).toBe('float64');
    expect(c.toArray()).toEqual(expected);
    expect(fromNpy(fixture('f64_fortran.npy')).toArray()).toEqual(expected);
    const f = fromNpy(fixture('f32.npy'));
    expect(f.dtype).toBe('float32');
    expect(f.toArray()).toEqual([
      [-2.5, -1.5, -0.5],
      [0.5, 1.5, 2.5],
    ]);
    expect(fromNpy(fixture('i32.npy')).toFlatArray()).toEqual([-3, -2, -1, 0, 1, 2]);
    expect(fromNpy(fixture('bool.npy')).toFlatArray()).toEqual([1, 0, 1]);
    expect(fromNpy(fixture('scalar.npy')).item()).toBe(3.25);
  });
  it('round-trips: our bytes for a C-order array equal the bytes NumPy wrote', () => {
    const bytes = fixture('f64_c.npy');
    expect(Buffer.from(toNpy(fromNpy(bytes))).equals(Buffer.from(bytes))).toBe(true);
    const t = arange(6, undefined, 1, { dtype: 'float32' }).reshape([2, 3]).T;
    expect(fromNpy(toNpy(t)).toArray()).toEqual(t.toArray());
  });
  it('rejects malformed files with typed errors', () => {
    expect(() => fromNpy(new Uint8Array([1, 2, 3]))).toThrow(
      "fromNpy: argument 'bytes' is Uint8Array(3); expected a .npy file",
    );
    const bad = fixture('f64_c.npy');
    expect(() => fromNpy(bad.slice(0, 140))).toThrow(
      "fromNpy: argument 'bytes' is 140; expected 224 bytes for shape (3, 4)",
    );
    expect(() => fromNpy(bad.slice(0, 60))).toThrow(
      "fromNpy: argument 'header' is 118; expected a header within the 60-byte file",
    );
    const bigEndian = bad.slice();
    bigEndian[bad.indexOf(0x3c)] = 0x3e; // '<f8' -> '>f8'
    expect(() => fromNpy(bigEndian)).toThrow('fromNpy: argument \'descr\' is ">f8"');
    expect(fromNpy(toNpy(new NDArray(Uint8Array.from([1, 0]), [2]))).toFlatArray()).toEqual([1, 0]);
  });
});
