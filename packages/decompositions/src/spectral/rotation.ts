/**
 * Applies a sequence of plane rotations to adjacent columns of a row-major matrix (LAPACK dlasr,
 * SIDE = 'R', PIVOT = 'V'): rotation j (c = cs[j], s = sn[j]) maps columns j, j+1 of every row to
 *   a[j] <- c a[j] + s a[j+1],   a[j+1] <- c a[j+1] - s a[j],
 * for j = lo..hi-1 in increasing order (`forward`) or decreasing order. The rows are d[o + r ld ..]
 * for r < rows; the coefficients of rotation j are read at index co + j. One sweep of implicit
 * QR/QL on a tridiagonal or bidiagonal matrix is such a sequence; applying it row by row keeps the
 * value passed from rotation j to the next in a register (one load and one store per entry instead
 * of two of each), and eight rows run at once so their independent chains overlap (8 measured ~10%
 * faster than 4). O(6 rows (hi - lo)).
 */
function applyRotations(
  d: Float64Array,
  o: number,
  ld: number,
  rows: number,
  lo: number,
  hi: number,
  cs: Float64Array,
  sn: Float64Array,
  forward: boolean,
  co = 0,
): void {
  if (hi <= lo) return;
  let r = 0;
  if (forward) {
    for (; r + 7 < rows; r += 8) {
      const p0 = o + r * ld;
      const p1 = p0 + ld;
      const p2 = p1 + ld;
      const p3 = p2 + ld;
      const p4 = p3 + ld;
      const p5 = p4 + ld;
      const p6 = p5 + ld;
      const p7 = p6 + ld;
      let x0 = d[p0 + lo];
      let x1 = d[p1 + lo];
      let x2 = d[p2 + lo];
      let x3 = d[p3 + lo];
      let x4 = d[p4 + lo];
      let x5 = d[p5 + lo];
      let x6 = d[p6 + lo];
      let x7 = d[p7 + lo];
      for (let j = lo; j < hi; j++) {
        const c = cs[co + j];
        const s = sn[co + j];
        const k = j + 1;
        let y = d[p0 + k];
        d[p0 + j] = c * x0 + s * y;
        x0 = c * y - s * x0;
        y = d[p1 + k];
        d[p1 + j] = c * x1 + s * y;
        x1 = c * y - s * x1;
        y = d[p2 + k];
        d[p2 + j] = c * x2 + s * y;
        x2 = c * y - s * x2;
        y = d[p3 + k];
        d[p3 + j] = c * x3 + s * y;
        x3 = c * y - s * x3;
        y = d[p4 + k];
        d[p4 + j] = c * x4 + s * y;
        x4 = c * y - s * x4;
        y = d[p5 + k];
        d[p5 + j] = c * x5 + s * y;
        x5 = c * y - s * x5;
        y = d[p6 + k];
        d[p6 + j] = c * x6 + s * y;
        x6 = c * y - s * x6;
        y = d[p7 + k];
        d[p7 + j] = c * x7 + s * y;
        x7 = c * y - s * x7;
      }
      d[p0 + hi] = x0;
      d[p1 + hi] = x1;
      d[p2 + hi] = x2;
      d[p3 + hi] = x3;
      d[p4 + hi] = x4;
      d[p5 + hi] = x5;
      d[p6 + hi] = x6;
      d[p7 + hi] = x7;
    }
    for (; r < rows; r++) {
      const p = o + r * ld;
      let x = d[p + lo];
      for (let j = lo; j < hi; j++) {
        const c = cs[co + j];
        const s = sn[co + j];
        const y = d[p + j + 1];
        d[p + j] = c * x + s * y;
        x = c * y - s * x;
      }
      d[p + hi] = x;
    }
    return;
  }
  for (; r + 7 < rows; r += 8) {
    const p0 = o + r * ld;
    const p1 = p0 + ld;
    const p2 = p1 + ld;
    const p3 = p2 + ld;
    const p4 = p3 + ld;
    const p5 = p4 + ld;
    const p6 = p5 + ld;
    const p7 = p6 + ld;
    let x0 = d[p0 + hi];
    let x1 = d[p1 + hi];
    let x2 = d[p2 + hi];
    let x3 = d[p3 + hi];
    let x4 = d[p4 + hi];
    let x5 = d[p5 + hi];
    let x6 = d[p6 + hi];
    let x7 = d[p7 + hi];
    for (let j = hi - 1; j >= lo; j--) {
      const c = cs[co + j];
      const s = sn[co + j];
      const k = j + 1;
      let y = d[p0 + j];
      d[p0 + k] = c * x0 - s * y;
      x0 = c * y + s * x0;
      y = d[p1 + j];
      d[p1 + k] = c * x1 - s * y;
      x1 = c * y + s * x1;
      y = d[p2 + j];
      d[p2 + k] = c * x2 - s * y;
      x2 = c * y + s * x2;
      y = d[p3 + j];
      d[p3 + k] = c * x3 - s * y;
      x3 = c * y + s * x3;
      y = d[p4 + j];
      d[p4 + k] = c * x4 - s * y;
      x4 = c * y + s * x4;
      y = d[p5 + j];
      d[p5 + k] = c * x5 - s * y;
      x5 = c * y + s * x5;
      y = d[p6 + j];
      d[p6 + k] = c * x6 - s * y;
      x6 = c * y + s * x6;
      y = d[p7 + j];
      d[p7 + k] = c * x7 - s * y;
      x7 = c * y + s * x7;
    }
    d[p0 + lo] = x0;
    d[p1 + lo] = x1;
    d[p2 + lo] = x2;
    d[p3 + lo] = x3;
    d[p4 + lo] = x4;
    d[p5 + lo] = x5;
    d[p6 + lo] = x6;
    d[p7 + lo] = x7;
  }
  for (; r < rows; r++) {
    const p = o + r * ld;
    let x = d[p + hi];
    for (let j = hi - 1; j >= lo; j--) {
      const c = cs[co + j];
      const s = sn[co + j];
      const y = d[p + j];
      d[p + j + 1] = c * x - s * y;
      x = c * y + s * x;
    }
    d[p + lo] = x;
  }
}

/**
 * sqrt(a^2 + b^2) without overflow or harmful underflow: the plain formula when both magnitudes
 * are in [1e-150, 1e150], where it cannot overflow or lose accuracy to underflow (it is within an
 * ulp of the true value), and Math.hypot, several times slower in V8, otherwise.
 */
export function hypot(a: number, b: number): number {
  const m = Math.max(Math.abs(a), Math.abs(b));
  return m < 1e150 && m > 1e-150 ? Math.sqrt(a * a + b * b) : Math.hypot(a, b);
}

/** Rows per block when a recorded sequence is replayed (their slice of the matrix stays in cache). */
const REPLAY_ROWS = 32;
/** Recorded rotations kept before a replay is forced (bounds the memory at 16 bytes each). */
const REPLAY_LIMIT = 1 << 20;

/**
 * The rotations of many QR/QL sweeps, recorded and applied later to the columns of a row-major
 * matrix (`rows` rows, row stride `ld`). The accumulated matrix never feeds back into the
 * iteration, so the sweeps can wait: `flush` replays all of them on REPLAY_ROWS rows at a time,
 * one pass over the matrix instead of one pass per sweep, with those rows held in cache while the
 * (much smaller) coefficient stream goes by. The result is the same as applying each sweep at
 * once, operation for operation.
 */
export class RotationSequence {
  private los: number[] = [];
  private his: number[] = [];
  private offs: number[] = [];
  private dirs: boolean[] = [];
  private c: Float64Array;
  private s: Float64Array;
  private used = 0;

  /** `capacity`: the number of rotations expected (about n^2 for a QR/QL solve of order n). */
  constructor(
    private readonly d: Float64Array,
    private readonly ld: number,
    private readonly rows: number,
    capacity = 4096,
  ) {
    const size = Math.max(16, Math.min(capacity, REPLAY_LIMIT));
    this.c = new Float64Array(size);
    this.s = new Float64Array(size);
  }

  /** Records rotations lo..hi-1 with coefficients cs[j], sn[j], in applyRotations' order and convention. */
  push(lo: number, hi: number, cs: Float64Array, sn: Float64Array, forward: boolean): void {
    const len = hi - lo;
    if (len <= 0) return;
    if (this.used + len > this.c.length) {
      const size = Math.max(2 * this.c.length, this.used + len);
      const c = new Float64Array(size);
      const s = new Float64Array(size);
      c.set(this.c.subarray(0, this.used));
      s.set(this.s.subarray(0, this.used));
      this.c = c;
      this.s = s;
    }
    this.c.set(cs.subarray(lo, hi), this.used);
    this.s.set(sn.subarray(lo, hi), this.used);
    this.los.push(lo);
    this.his.push(hi);
    this.offs.push(this.used - lo);
    this.dirs.push(forward);
    this.used += len;
    if (this.used >= REPLAY_LIMIT) this.flush();
  }

  /** Applies every recorded rotation, in order, and forgets them. */
  flush(): void {
    const count = this.los.length;
    for (let r0 = 0; r0 < this.rows; r0 += REPLAY_ROWS) {
      const rows = Math.min(REPLAY_ROWS, this.rows - r0);
      for (let k = 0; k < count; k++)
        applyRotations(
          this.d,
          r0 * this.ld,
          this.ld,
          rows,
          this.los[k],
          this.his[k],
          this.c,
          this.s,
          this.dirs[k],
          this.offs[k],
        );
    }
    this.los.length = 0;
    this.his.length = 0;
    this.offs.length = 0;
    this.dirs.length = 0;
    this.used = 0;
  }
}

/** The entry of the ascending `sorted` nearest to x. */
export function nearest(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < x) lo = mid;
    else hi = mid;
  }
  return Math.abs(sorted[lo] - x) <= Math.abs(sorted[hi] - x) ? sorted[lo] : sorted[hi];
}
