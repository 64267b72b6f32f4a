import type { FloatDType } from '../dtype.js';
import { NDArray } from '../ndarray.js';
import type { Mat } from './signatures.js';

/**
 * Calls `fn` with the 2-D views of every batch entry of [..., r, c] arrays sharing leading
 * dimensions (the batch shape of the first array; broadcast views, zero strides, allowed): the loop
 * every backend's `gemmBatched` runs when it has no batched routine of its own.
 */
export function forEachBatch(arrays: readonly NDArray<FloatDType>[], fn: (views: Mat[]) => void): void {
  const lead = arrays[0].shape.slice(0, -2);
  const count = lead.reduce((x, y) => x * y, 1);
  const index = new Array<number>(lead.length).fill(0);
  for (let t = 0; t < count; t++) {
    fn(
      arrays.map((x) => {
        let off = x.offset;
        for (let d = 0; d < lead.length; d++) off += index[d] * x.strides[d];
        return new NDArray(x.data, x.shape.slice(-2), x.strides.slice(-2), off) as Mat;
      }),
    );
    for (let d = lead.length - 1; d >= 0 && ++index[d] === lead[d]; d--) index[d] = 0;
  }
}
