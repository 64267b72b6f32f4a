/**
 * Applies a sequence of plane rotations to adjacent columns of a row-major matrix (LAPACK dlasr,
 * SIDE = 'R', PIVOT = 'V'): rotation j (c = cs[j], s = sn[j]) maps columns j, j+1 of every row to
 *   a[j] <- c a[j] + s a[j+1],   a[j+1] <- c a[j+1] - s a[j],
 * for j = lo..hi-1 in increasing order (`forward`) or decreasing order. The rows are d[o + r ld ..]
 * for r < rows. One sweep of implicit QR/QL on a tridiagonal or bidiagonal matrix is such a
 * sequence; applying it row by row keeps the value passed from rotation j to the next in a
 * register (one load and one store per entry instead of two of each), and four rows run at once so
 * their independent chains overlap. O(6 rows (hi - lo)).
 */
export function applyRotations(
  d: Float64Array,
  o: number,
  ld: number,
  rows: number,
  lo: number,
  hi: number,
  cs: Float64Array,
  sn: Float64Array,
  forward: boolean,
): void {
  if (hi <= lo) return;
  let r = 0;
  if (forward) {
    for (; r + 3 < rows; r += 4) {
      const p0 = o + r * ld;
      const p1 = p0 + ld;
      const p2 = p1 + ld;
      const p3 = p2 + ld;
      let x0 = d[p0 + lo];
      let x1 = d[p1 + lo];
      let x2 = d[p2 + lo];
      let x3 = d[p3 + lo];
      for (let j = lo; j < hi; j++) {
        const c = cs[j];
        const s = sn[j];
        const y0 = d[p0 + j + 1];
        const y1 = d[p1 + j + 1];
        const y2 = d[p2 + j + 1];
        const y3 = d[p3 + j + 1];
        d[p0 + j] = c * x0 + s * y0;
        d[p1 + j] = c * x1 + s * y1;
        d[p2 + j] = c * x2 + s * y2;
        d[p3 + j] = c * x3 + s * y3;
        x0 = c * y0 - s * x0;
        x1 = c * y1 - s * x1;
        x2 = c * y2 - s * x2;
        x3 = c * y3 - s * x3;
      }
      d[p0 + hi] = x0;
      d[p1 + hi] = x1;
      d[p2 + hi] = x2;
      d[p3 + hi] = x3;
    }
    for (; r < rows; r++) {
      const p = o + r * ld;
      let x = d[p + lo];
      for (let j = lo; j < hi; j++) {
        const y = d[p + j + 1];
        d[p + j] = cs[j] * x + sn[j] * y;
        x = cs[j] * y - sn[j] * x;
      }
      d[p + hi] = x;
    }
    return;
  }
  for (; r + 3 < rows; r += 4) {
    const p0 = o + r * ld;
    const p1 = p0 + ld;
    const p2 = p1 + ld;
    const p3 = p2 + ld;
    let x0 = d[p0 + hi];
    let x1 = d[p1 + hi];
    let x2 = d[p2 + hi];
    let x3 = d[p3 + hi];
    for (let j = hi - 1; j >= lo; j--) {
      const c = cs[j];
      const s = sn[j];
      const y0 = d[p0 + j];
      const y1 = d[p1 + j];
      const y2 = d[p2 + j];
      const y3 = d[p3 + j];
      d[p0 + j + 1] = c * x0 - s * y0;
      d[p1 + j + 1] = c * x1 - s * y1;
      d[p2 + j + 1] = c * x2 - s * y2;
      d[p3 + j + 1] = c * x3 - s * y3;
      x0 = c * y0 + s * x0;
      x1 = c * y1 + s * x1;
      x2 = c * y2 + s * x2;
      x3 = c * y3 + s * x3;
    }
    d[p0 + lo] = x0;
    d[p1 + lo] = x1;
    d[p2 + lo] = x2;
    d[p3 + lo] = x3;
  }
  for (; r < rows; r++) {
    const p = o + r * ld;
    let x = d[p + hi];
    for (let j = hi - 1; j >= lo; j--) {
      const y = d[p + j];
      d[p + j + 1] = cs[j] * x - sn[j] * y;
      x = cs[j] * y + sn[j] * x;
    }
    d[p + lo] = x;
  }
}
