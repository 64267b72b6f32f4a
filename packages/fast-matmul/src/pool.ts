import { type FloatDType, type Mat, NDArray } from '@krylov/core-array';

/**
 * Temporaries of a recursive product (operand sums, products, output partial sums), reused by
 * size: a buffer released by one block product serves the next one of the same shape. The pool
 * owns every buffer it ever allocated until it is dropped, so `allocatedBytes` is the memory the
 * scheme costs beyond A, B and C (reported by `multiply` and the benchmark).
 */
export class TempPool {
  private readonly free = new Map<string, Mat[]>();
  /** Bytes of every buffer this pool allocated (its memory overhead). */
  allocatedBytes = 0;
  /** Buffers allocated (misses); `reuses` counts the hits. */
  allocations = 0;
  reuses = 0;

  /** A contiguous rows x cols temporary of `dtype` (contents unspecified). */
  acquire(dtype: FloatDType, rows: number, cols: number): Mat {
    const key = `${dtype}:${rows}x${cols}`;
    const hit = this.free.get(key)?.pop();
    if (hit) {
      this.reuses++;
      return hit;
    }
    this.allocations++;
    const size = rows * cols;
    this.allocatedBytes += size * (dtype === 'float64' ? 8 : 4);
    const data = dtype === 'float64' ? new Float64Array(size) : new Float32Array(size);
    return new NDArray(data, [rows, cols]) as Mat;
  }

  /** Returns a temporary from `acquire` to the pool. */
  release(x: Mat): void {
    const key = `${x.dtype}:${x.shape[0]}x${x.shape[1]}`;
    const list = this.free.get(key);
    if (list) list.push(x);
    else this.free.set(key, [x]);
  }
}

/** The view x[r0:r1, c0:c1] (no copy). */
export function block(x: Mat, r0: number, r1: number, c0: number, c1: number): Mat {
  const [s0, s1] = x.strides;
  return new NDArray(x.data, [r1 - r0, c1 - c0], [s0, s1], x.offset + r0 * s0 + c0 * s1) as Mat;
}

/**
 * dst = sum_t coef_t src_t over rows x cols views of any strides (the block additions of a
 * scheme, fused: one pass over dst however many terms). With `lower`, only the lower triangle
 * (j <= i) is written. O(rows cols terms).
 */
export function linearCombination(dst: Mat, terms: readonly (readonly [number, Mat])[], lower = false): void {
  const [rows, cols] = dst.shape;
  const d = dst.data;
  const [dr, dc] = dst.strides;
  const nt = terms.length;
  const unit = !lower && dc === 1 && terms.every(([, s]) => s.strides[1] === 1);
  if (nt === 0) {
    for (let i = 0; i < rows; i++) {
      const end = lower ? Math.min(cols, i + 1) : cols;
      for (let j = 0; j < end; j++) d[dst.offset + i * dr + j * dc] = 0;
    }
    return;
  }
  if (unit && nt <= 3) {
    const [c0, x0] = terms[0];
    const [c1, x1] = nt > 1 ? terms[1] : terms[0];
    const [c2, x2] = nt > 2 ? terms[2] : terms[0];
    const [s0, s1, s2] = [x0.data, x1.data, x2.data];
    for (let i = 0; i < rows; i++) {
      const od = dst.offset + i * dr;
      const o0 = x0.offset + i * x0.strides[0];
      const o1 = x1.offset + i * x1.strides[0];
      const o2 = x2.offset + i * x2.strides[0];
      if (nt === 1) {
        if (c0 === 1) for (let j = 0; j < cols; j++) d[od + j] = s0[o0 + j];
        else for (let j = 0; j < cols; j++) d[od + j] = c0 * s0[o0 + j];
      } else if (nt === 2) {
        if (c0 === 1 && c1 === 1) for (let j = 0; j < cols; j++) d[od + j] = s0[o0 + j] + s1[o1 + j];
        else if (c0 === 1 && c1 === -1) for (let j = 0; j < cols; j++) d[od + j] = s0[o0 + j] - s1[o1 + j];
        else for (let j = 0; j < cols; j++) d[od + j] = c0 * s0[o0 + j] + c1 * s1[o1 + j];
      } else for (let j = 0; j < cols; j++) d[od + j] = c0 * s0[o0 + j] + c1 * s1[o1 + j] + c2 * s2[o2 + j];
    }
    return;
  }
  // general: first term assigns, the others accumulate, row by row
  for (let i = 0; i < rows; i++) {
    const od = dst.offset + i * dr;
    const end = lower ? Math.min(cols, i + 1) : cols;
    for (let t = 0; t < nt; t++) {
      const [c, x] = terms[t];
      const s = x.data;
      const o = x.offset + i * x.strides[0];
      const xc = x.strides[1];
      if (t === 0) for (let j = 0; j < end; j++) d[od + j * dc] = c * s[o + j * xc];
      else for (let j = 0; j < end; j++) d[od + j * dc] += c * s[o + j * xc];
    }
  }
}
