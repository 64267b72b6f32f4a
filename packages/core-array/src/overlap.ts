/**
 * The output rule every public function that writes into a caller's array follows, whatever backend
 * then runs the kernel: the output must be writable element by element (`checkWritable`), and an
 * input that may share memory with the output is read from a copy (`separate`), as NumPy does for
 * ufuncs with an overlapping `out`. Kernels may therefore assume that outputs do not alias inputs.
 */
import { InvalidArgumentError } from './errors.js';
import type { NDArray } from './ndarray.js';

/** The bytes [lo, hi) of its buffer that `a` can reach, or null for an empty array. */
function byteExtent(a: NDArray): [number, number] | null {
  if (a.size === 0) return null;
  let lo = a.offset;
  let hi = a.offset;
  for (let i = 0; i < a.ndim; i++) {
    const reach = a.strides[i] * (a.shape[i] - 1);
    if (reach < 0) lo += reach;
    else hi += reach;
  }
  const bytes = a.data.BYTES_PER_ELEMENT;
  return [a.data.byteOffset + lo * bytes, a.data.byteOffset + (hi + 1) * bytes];
}

/**
 * Whether `a` and `b` may share memory: the same buffer and intersecting byte extents. Conservative
 * (interleaved views such as the even and odd elements of one vector count as sharing), never wrong
 * the other way. O(ndim).
 * @example
 * ```ts
 * import { mayShareMemory, zeros } from '@krylov/core-array';
 * const a = zeros([4, 4]);
 * console.assert(mayShareMemory(a, a.T) && !mayShareMemory(a, a.copy()));
 * ```
 */
export function mayShareMemory(a: NDArray, b: NDArray): boolean {
  if (a.data.buffer !== b.data.buffer) return false;
  const x = byteExtent(a);
  const y = byteExtent(b);
  return x !== null && y !== null && x[0] < y[1] && y[0] < x[1];
}

/** Whether `a` and `b` are the very same elements in the same order (same bytes, shape and strides). */
function sameView(a: NDArray, b: NDArray): boolean {
  return (
    a.data.buffer === b.data.buffer &&
    a.data.BYTES_PER_ELEMENT === b.data.BYTES_PER_ELEMENT &&
    a.data.byteOffset + a.offset * a.data.BYTES_PER_ELEMENT ===
      b.data.byteOffset + b.offset * b.data.BYTES_PER_ELEMENT &&
    a.ndim === b.ndim &&
    a.shape.every((d, i) => d === b.shape[i] && (d === 1 || a.strides[i] === b.strides[i]))
  );
}

/** Whether two different indices of `a` reach one element (the axes have extent > 1 and nonzero strides). */
function selfOverlaps(a: NDArray): boolean {
  const axes = a.shape
    .map((n, i) => ({ n, s: Math.abs(a.strides[i]) }))
    .filter((d) => d.n > 1)
    .sort((p, q) => p.s - q.s);
  // Sorted by stride, each stride beyond the span of the smaller ones proves distinct offsets;
  // every slice, transpose and reshape view passes this. Only odd hand-made strides count offsets.
  let span = 0;
  let provable = true;
  for (const { n, s } of axes) {
    if (s <= span) provable = false;
    span += s * (n - 1);
  }
  if (provable) return false;
  const seen = new Set<number>();
  const walk = (k: number, off: number): boolean => {
    if (k === axes.length) {
      if (seen.has(off)) return true;
      seen.add(off);
      return false;
    }
    for (let i = 0; i < axes[k].n; i++) if (walk(k + 1, off + i * axes[k].s)) return true;
    return false;
  };
  return walk(0, 0);
}

/**
 * Refuses an output that cannot hold one value per element: a broadcast view (stride 0 on an axis
 * of extent > 1) or any other view whose distinct indices reach one element, since writing it
 * would let one element's result overwrite another's. O(ndim) for every view that slicing,
 * transposing and reshaping make; O(size) only for hand-made strides.
 * @throws InvalidArgumentError naming `fn`, `arg` and the view.
 */
export function checkWritable(fn: string, arg: string, out: NDArray): void {
  const broadcast = out.shape.findIndex((n, i) => n > 1 && out.strides[i] === 0);
  if (broadcast >= 0)
    throw new InvalidArgumentError(
      fn,
      arg,
      out,
      `a writable array, not a broadcast view (axis ${broadcast} has stride 0); pass a copy()`,
    );
  if (selfOverlaps(out))
    throw new InvalidArgumentError(
      fn,
      arg,
      out,
      `a writable array whose elements are distinct (strides ${JSON.stringify(out.strides)} reach one element twice); pass a copy()`,
    );
}

/**
 * `input`, or a copy of it when it may share memory with `output` (an exact alias read and written
 * element by element in place is allowed with `sameElements`, as elementwise operations do).
 */
export function separate<T extends NDArray>(output: NDArray, input: T, sameElements = false): T {
  if (!mayShareMemory(output, input) || (sameElements && sameView(output, input))) return input;
  return input.copy() as T;
}
