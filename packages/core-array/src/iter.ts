/**
 * The strided loop every N-D operation is built on: it walks the outer indices of `shape` as an
 * odometer and hands the innermost row to `row`, so per-element work stays a tight 1-D loop.
 */

export interface StridedOperand {
  readonly strides: readonly number[];
  readonly offset: number;
}

/**
 * Calls `row(offsets, length, steps)` once per innermost row of `shape`: `offsets[j]` is where the
 * row starts in operand j's storage and `steps[j]` its stride along the row. Every operand must
 * have `shape.length` strides (broadcast operands use stride 0). Does nothing when any extent is 0.
 */
export function stridedLoop(
  shape: readonly number[],
  operands: readonly StridedOperand[],
  row: (offsets: Int32Array | number[], length: number, steps: readonly number[]) => void,
): void {
  const ndim = shape.length;
  const nops = operands.length;
  const offsets: number[] = operands.map((op) => op.offset);
  for (const extent of shape) if (extent === 0) return;
  if (ndim === 0) {
    row(
      offsets,
      1,
      operands.map(() => 0),
    );
    return;
  }
  const last = ndim - 1;
  const length = shape[last];
  const steps = operands.map((op) => op.strides[last]);
  const index = new Array<number>(last).fill(0);
  for (;;) {
    row(offsets, length, steps);
    let axis = last - 1;
    while (axis >= 0) {
      index[axis]++;
      for (let j = 0; j < nops; j++) offsets[j] += operands[j].strides[axis];
      if (index[axis] < shape[axis]) break;
      for (let j = 0; j < nops; j++) offsets[j] -= operands[j].strides[axis] * shape[axis];
      index[axis] = 0;
      axis--;
    }
    if (axis < 0) return;
  }
}

/** Row-major (C order) strides of `shape`, in elements. */
export function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let step = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = step;
    step *= Math.max(shape[i], 1);
  }
  return strides;
}

/** Product of the extents (1 for a scalar shape). */
export function shapeSize(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}
