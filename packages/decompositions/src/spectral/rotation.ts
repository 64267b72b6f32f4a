/**
 * Applies the plane rotation [c -s; s c] to two strided vectors of `data` in place:
 * x <- c x - s y, y <- s x + c y, with x starting at `px`, y at `py`, `len` entries `step` apart.
 * The QL eigensolver (on rows of Q^T) and the one-sided Jacobi SVD are built from this one step.
 */
export function rotate(
  data: Float64Array,
  px: number,
  py: number,
  step: number,
  len: number,
  c: number,
  s: number,
): void {
  for (let k = 0, i = px, j = py; k < len; k++, i += step, j += step) {
    const x = data[i];
    const y = data[j];
    data[i] = c * x - s * y;
    data[j] = s * x + c * y;
  }
}
