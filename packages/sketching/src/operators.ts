import {
  InvalidArgumentError,
  NDArray,
  type SeedLike,
  ShapeError,
  checkChoice,
  checkInteger,
  matmul,
  zeros,
} from '@krylov/core-array';
import { CSRMatrix, LinearOperator } from '@krylov/solvers';
import { dct, idct } from './dct.js';
import { hash32, seed32 } from './hash.js';
import { type MatrixLike, hashSeed, matrixArg, positiveInt, requiredOptions, seedArg } from './validate.js';

/** The pieces of a subsampled randomized trigonometric transform S = sqrt(N/d) R F D. */
interface SrhtParts {
  signs: Float64Array;
  rows: Int32Array;
  padded: number;
  transform: 'hadamard' | 'dct';
}

/**
 * A d x n random sketching matrix S, applied without forming it when structured. It is a
 * LinearOperator (matvec S x, rmatvec S^T y) and applies to dense and sparse matrices from either
 * side: `left(A)` = S A (A has n rows), `right(A)` = A S^T (A has n columns). Seeded: the same
 * seed gives the same sketch.
 * Build one with a factory (`gaussianSketch`, `countSketch`, `srhtSketch`, ...).
 * @example
 * ```ts
 * import { rng } from '@krylov/core-array';
 * import { countSketch } from '@krylov/sketching';
 * const s = countSketch(8, 100, { seed: 1 });
 * const a = rng(1).normal([100, 3]);
 * console.assert(s.left(a).shape[0] === 8 && s.right(a.T).shape[1] === 8, 'S A and A^T S^T');
 * ```
 */
export class Sketch extends LinearOperator {
  readonly kind: string;
  /** Column i of S as (row, value) pairs in CSC arrays; null for the SRHT, applied by its transform. */
  private readonly csc: { ptr: Int32Array; row: Int32Array; val: Float64Array } | null;
  private readonly srht: SrhtParts | null;
  private dense: NDArray<'float64'> | null = null;

  /** @internal Use the factory functions (gaussianSketch, countSketch, ...). */
  constructor(
    kind: string,
    d: number,
    n: number,
    structure: { csc: { ptr: Int32Array; row: Int32Array; val: Float64Array } } | { srht: SrhtParts },
  ) {
    const csc = 'csc' in structure ? structure.csc : null;
    const srht = 'srht' in structure ? structure.srht : null;
    super(
      [d, n],
      (x, out) => {
        if (csc) {
          out.fill(0);
          for (let i = 0; i < n; i++) {
            const xi = x[i];
            for (let p = csc.ptr[i]; p < csc.ptr[i + 1]; p++) out[csc.row[p]] += csc.val[p] * xi;
          }
        } else out.set(srhtLeft(srht!, new NDArray(x, [n, 1])).data);
      },
      (y, out) => {
        if (csc) {
          for (let i = 0; i < n; i++) {
            let s = 0;
            for (let p = csc.ptr[i]; p < csc.ptr[i + 1]; p++) s += csc.val[p] * y[csc.row[p]];
            out[i] = s;
          }
        } else out.set(srhtAdjoint(srht!, y, n));
      },
    );
    this.kind = kind;
    this.csc = csc;
    this.srht = srht;
  }

  /**
   * S A for A with n rows (dense or sparse). Dense Gaussian/Rademacher sketches use gemm;
   * sparse sketches cost O(nnz(S) cols(A)) on dense A and O(nnz(A) nnz per column of S) on sparse A.
   * @throws ShapeError when A does not have n rows.
   */
  left(a: MatrixLike): NDArray<'float64'> {
    const [d, n] = this.shape;
    const A = matrixArg('Sketch.left', 'A', a);
    if (A.shape[0] !== n) throw new ShapeError('Sketch.left', 'A', `expected ${n} rows`, A.shape);
    const k = A.shape[1];
    if (this.srht) return srhtLeft(this.srht, A instanceof CSRMatrix ? A.toDense() : A);
    const { ptr, row, val } = this.csc!;
    if (!(A instanceof CSRMatrix) && ptr[n] === d * n)
      return matmul(this.toMatrix(), A) as NDArray<'float64'>;
    const out = zeros([d, k]);
    const o = out.data;
    if (A instanceof CSRMatrix) {
      for (let i = 0; i < n; i++)
        for (let q = A.indptr[i]; q < A.indptr[i + 1]; q++) {
          const c = A.indices[q];
          const aic = A.data[q];
          for (let p = ptr[i]; p < ptr[i + 1]; p++) o[row[p] * k + c] += val[p] * aic;
        }
    } else {
      const ad = A.data;
      for (let i = 0; i < n; i++)
        for (let p = ptr[i]; p < ptr[i + 1]; p++) {
          const base = row[p] * k;
          const v = val[p];
          for (let c = 0; c < k; c++) o[base + c] += v * ad[i * k + c];
        }
    }
    return out;
  }

  /**
   * A S^T for A with n columns (dense or sparse): compresses the columns of A to d.
   * @throws ShapeError when A does not have n columns.
   */
  right(a: MatrixLike): NDArray<'float64'> {
    const [d, n] = this.shape;
    const A = matrixArg('Sketch.right', 'A', a);
    if (A.shape[1] !== n) throw new ShapeError('Sketch.right', 'A', `expected ${n} columns`, A.shape);
    const m = A.shape[0];
    if (this.srht) {
      const dense = A instanceof CSRMatrix ? A.toDense() : A;
      return srhtLeft(this.srht, dense.T.copy() as NDArray<'float64'>).T.copy() as NDArray<'float64'>;
    }
    const { ptr, row, val } = this.csc!;
    if (!(A instanceof CSRMatrix) && ptr[n] === d * n)
      return matmul(A, this.toMatrix().T) as NDArray<'float64'>;
    const out = zeros([m, d]);
    const o = out.data;
    const each = (j: number, i: number, aji: number) => {
      for (let p = ptr[i]; p < ptr[i + 1]; p++) o[j * d + row[p]] += val[p] * aji;
    };
    if (A instanceof CSRMatrix) {
      for (let j = 0; j < m; j++)
        for (let q = A.indptr[j]; q < A.indptr[j + 1]; q++) each(j, A.indices[q], A.data[q]);
    } else for (let j = 0; j < m; j++) for (let i = 0; i < n; i++) each(j, i, A.data[j * n + i]);
    return out;
  }

  /** S as a dense d x n matrix (cached for dense sketches). */
  toMatrix(): NDArray<'float64'> {
    if (this.dense) return this.dense;
    const m = this.toDense();
    if (this.csc && this.csc.ptr[this.shape[1]] === this.shape[0] * this.shape[1]) this.dense = m;
    return m;
  }
}

function dims(fn: string, d: number, n: number): void {
  positiveInt(fn, 'd', d);
  positiveInt(fn, 'n', n);
}

function denseSketch(kind: string, d: number, n: number, draw: () => number): Sketch {
  const ptr = Int32Array.from({ length: n + 1 }, (_, i) => i * d);
  const row = Int32Array.from({ length: n * d }, (_, p) => p % d);
  const val = new Float64Array(n * d);
  for (let p = 0; p < val.length; p++) val[p] = draw();
  return new Sketch(kind, d, n, { csc: { ptr, row, val } });
}

/**
 * Gaussian sketch: i.i.d. N(0, 1/d) entries, so E[S^T S] = I (a Johnson-Lindenstrauss embedding;
 * Halko, Martinsson & Tropp 2011). Dense: O(d n) to draw, gemm to apply.
 * @throws InvalidArgumentError for non-positive sizes.
 * @returns a `Sketch` (d x n, float64 products).
 * @example
 * ```ts
 * import { rng } from '@krylov/core-array';
 * import { gaussianSketch } from '@krylov/sketching';
 * const a = rng(1).normal([200, 5]);
 * const sa = gaussianSketch(40, 200, { seed: rng(1) }).left(a); // 40 x 5
 * console.assert(sa.shape[0] === 40 && sa.shape[1] === 5, 'S A is d x cols(A)');
 * ```
 */
export function gaussianSketch(d: number, n: number, options: { seed: SeedLike }): Sketch {
  dims('gaussianSketch', d, n);
  requiredOptions('gaussianSketch', options, ['seed'], ['seed']);
  const r = seedArg('gaussianSketch', 'options.seed', options.seed);
  const scale = 1 / Math.sqrt(d);
  return denseSketch('gaussian', d, n, () => scale * r.nextNormal());
}

/**
 * Rademacher sketch: i.i.d. +-1/sqrt(d) entries (Achlioptas 2003). @throws InvalidArgumentError.
 * @returns a `Sketch` (d x n). O(d n) to draw, gemm to apply.
 * @example
 * ```ts
 * import { rng } from '@krylov/core-array';
 * import { rademacherSketch } from '@krylov/sketching';
 * const s = rademacherSketch(4, 10, { seed: rng(1) }).toMatrix();
 * console.assert(s.toFlatArray().every((v) => Math.abs(Math.abs(v) - 0.5) < 1e-15), 'entries are +-1/sqrt(4)');
 * ```
 */
export function rademacherSketch(d: number, n: number, options: { seed: SeedLike }): Sketch {
  dims('rademacherSketch', d, n);
  requiredOptions('rademacherSketch', options, ['seed'], ['seed']);
  const r = seedArg('rademacherSketch', 'options.seed', options.seed);
  const scale = 1 / Math.sqrt(d);
  return denseSketch('rademacher', d, n, () => (r.nextUint32() & 1 ? scale : -scale));
}

/**
 * CountSketch (Charikar, Chen & Farach-Colton 2002; Clarkson & Woodruff 2013): column i of S has one
 * +-1 at a hashed row, so S A costs O(nnz(A)). Buckets and signs come from a stateless hash of
 * (seed, i), as in `CountSketchStream`. @throws InvalidArgumentError.
 * @returns a `Sketch` (d x n) with one nonzero per column.
 * @example
 * ```ts
 * import { rng } from '@krylov/core-array';
 * import { countSketch } from '@krylov/sketching';
 * const a = rng(1).normal([1000, 4]);
 * const sa = countSketch(64, 1000, { seed: 1 }).left(a);
 * console.assert(sa.shape[0] === 64 && sa.shape[1] === 4, 'S A is 64 x 4');
 * ```
 */
export function countSketch(d: number, n: number, options: { seed: number | string }): Sketch {
  dims('countSketch', d, n);
  requiredOptions('countSketch', options, ['seed'], ['seed']);
  const s = seed32(hashSeed('countSketch', 'options.seed', options.seed));
  const ptr = Int32Array.from({ length: n + 1 }, (_, i) => i);
  const row = new Int32Array(n);
  const val = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const h = hash32(s, i);
    row[i] = h % d;
    val[i] = hash32(s ^ 0x5bd1e995, i) & 1 ? 1 : -1;
  }
  return new Sketch('countsketch', d, n, { csc: { ptr, row, val } });
}

/**
 * Sparse sign embedding (Kane & Nelson 2014; RandBLAS's SASO): each column has `s` nonzeros
 * +-1/sqrt(s) at distinct random rows (default s = min(d, 8)). O(s nnz(A)) to apply.
 * @throws InvalidArgumentError when s is not in [1, d].
 * @returns a `Sketch` (d x n) with s nonzeros per column.
 * @example
 * ```ts
 * import { rng } from '@krylov/core-array';
 * import { sparseSignSketch } from '@krylov/sketching';
 * const s = sparseSignSketch(16, 100, { seed: rng(1), s: 4 });
 * const nnzPerColumn = s.toMatrix().T.toArray()[0].filter((v) => v !== 0).length;
 * console.assert(nnzPerColumn === 4, 'four nonzeros per column');
 * ```
 */
export function sparseSignSketch(d: number, n: number, options: { seed: SeedLike; s?: number }): Sketch {
  dims('sparseSignSketch', d, n);
  requiredOptions('sparseSignSketch', options, ['seed', 's'], ['seed']);
  const s =
    options.s === undefined
      ? Math.min(d, 8)
      : checkInteger('sparseSignSketch', 'options.s', options.s, { min: 1, max: d });
  const r = seedArg('sparseSignSketch', 'options.seed', options.seed);
  const ptr = Int32Array.from({ length: n + 1 }, (_, i) => i * s);
  const row = new Int32Array(n * s);
  const val = new Float64Array(n * s);
  const scale = 1 / Math.sqrt(s);
  const chosen = new Set<number>();
  for (let i = 0; i < n; i++) {
    chosen.clear();
    while (chosen.size < s) chosen.add(r.below(d));
    [...chosen]
      .sort((a, b) => a - b)
      .forEach((t, k) => {
        row[i * s + k] = t;
        val[i * s + k] = r.nextUint32() & 1 ? scale : -scale;
      });
  }
  return new Sketch('sparse-sign', d, n, { csc: { ptr, row, val } });
}

/**
 * Row sampling: S picks d rows of A i.i.d. with probabilities p (uniform by default; leverage
 * scores for importance sampling) and rescales row i by 1/sqrt(d p_i), so E[S^T S] = I
 * (Drineas, Mahoney & Muthukrishnan 2006). @throws InvalidArgumentError for bad probabilities.
 * @returns a `Sketch` (d x n).
 * @throws ShapeError when `probabilities` does not have length n.
 * @example
 * ```ts
 * import { rng } from '@krylov/core-array';
 * import { samplingSketch } from '@krylov/sketching';
 * const a = rng(1).normal([500, 3]);
 * const sa = samplingSketch(50, 500, { seed: rng(1) }).left(a); // 50 rescaled rows of A
 * console.assert(sa.shape[0] === 50 && sa.shape[1] === 3, 'S A is 50 x 3');
 * ```
 */
export function samplingSketch(
  d: number,
  n: number,
  options: { seed: SeedLike; probabilities?: ArrayLike<number> },
): Sketch {
  const fn = 'samplingSketch';
  dims(fn, d, n);
  requiredOptions(fn, options, ['seed', 'probabilities'], ['seed']);
  const p = options.probabilities
    ? Float64Array.from(options.probabilities)
    : new Float64Array(n).fill(1 / n);
  if (p.length !== n) throw new ShapeError(fn, 'options.probabilities', `expected length ${n}`, [p.length]);
  let total = 0;
  for (let i = 0; i < n; i++) {
    if (!(p[i] >= 0 && Number.isFinite(p[i])))
      throw new InvalidArgumentError(
        fn,
        'options.probabilities',
        p[i],
        `non-negative finite entries (entry ${i} is not)`,
      );
    total += p[i];
  }
  if (!(total > 0)) throw new InvalidArgumentError(fn, 'options.probabilities', total, 'a positive sum');
  const cdf = new Float64Array(n);
  let acc = 0;
  for (let i = 0; i < n; i++) cdf[i] = acc += p[i] / total;
  const r = seedArg(fn, 'options.seed', options.seed);
  const picks: number[][] = Array.from({ length: n }, () => []);
  for (let t = 0; t < d; t++) {
    const u = r.nextFloat64();
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid] > u) hi = mid;
      else lo = mid + 1;
    }
    while (p[lo] === 0 && lo < n - 1) lo++;
    picks[lo].push(t);
  }
  const ptr = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) ptr[i + 1] = ptr[i] + picks[i].length;
  const row = Int32Array.from(picks.flat());
  const val = new Float64Array(row.length);
  picks.forEach((rows, i) => rows.forEach((_, k) => (val[ptr[i] + k] = 1 / Math.sqrt((d * p[i]) / total))));
  return new Sketch('sampling', d, n, { csc: { ptr, row, val } });
}

/**
 * Subsampled randomized Hadamard (or DCT) transform (Ailon & Chazelle 2009; Tropp 2011;
 * Blendenpik's mixing, Avron, Maymounkov & Toledo 2010): S = sqrt(N/d) R F D with random signs D,
 * an orthonormal transform F of size N = 2^ceil(log2 n) (zero padding) — the Walsh-Hadamard
 * transform (default) or the DCT-II — and R sampling d of the N rows without replacement. Applied by
 * the fast transform in O(N log N) per column. @throws InvalidArgumentError (d > N, unknown transform).
 * @returns a `Sketch` (d x n), applied without forming S.
 * @example
 * ```ts
 * import { norm, rng } from '@krylov/core-array';
 * import { srhtSketch } from '@krylov/sketching';
 * const x = rng(1).normal([256, 1]);
 * const sx = srhtSketch(64, 256, { seed: rng(1) }).left(x);
 * const ratio = norm(sx).item() / norm(x).item(); // a subspace embedding keeps norms roughly
 * console.assert(ratio > 0.5 && ratio < 1.5, 'norm roughly preserved');
 * ```
 */
export function srhtSketch(
  d: number,
  n: number,
  options: { seed: SeedLike; transform?: 'hadamard' | 'dct' },
): Sketch {
  dims('srhtSketch', d, n);
  requiredOptions('srhtSketch', options, ['seed', 'transform'], ['seed']);
  const transform =
    options.transform === undefined
      ? 'hadamard'
      : checkChoice('srhtSketch', 'options.transform', options.transform, ['hadamard', 'dct'] as const);
  let padded = 1;
  while (padded < n) padded *= 2;
  if (d > padded)
    throw new InvalidArgumentError('srhtSketch', 'd', d, `at most ${padded} (n padded to a power of two)`);
  const r = seedArg('srhtSketch', 'options.seed', options.seed);
  const signs = Float64Array.from({ length: n }, () => (r.nextUint32() & 1 ? 1 : -1));
  const rows = Int32Array.from(r.permutation(padded).subarray(0, d)).sort();
  return new Sketch(transform === 'dct' ? 'srdct' : 'srht', d, n, {
    srht: { signs, rows, padded, transform },
  });
}

/** In-place fast Walsh-Hadamard transform over the rows of an N x k row-major block (unnormalized). */
function fwhtRows(x: Float64Array, N: number, k: number): void {
  for (let h = 1; h < N; h *= 2)
    for (let i = 0; i < N; i += 2 * h)
      for (let j = i; j < i + h; j++) {
        const a = j * k;
        const b = (j + h) * k;
        for (let c = 0; c < k; c++) {
          const u = x[a + c];
          const v = x[b + c];
          x[a + c] = u + v;
          x[b + c] = u - v;
        }
      }
}

/** F applied to every column of an N x k row-major block, in place; F orthonormal (Hadamard scaled by 1/sqrt(N)). */
function transformColumns(t: SrhtParts, x: Float64Array, k: number): void {
  const N = t.padded;
  if (t.transform === 'hadamard') {
    fwhtRows(x, N, k);
    const scale = 1 / Math.sqrt(N);
    for (let i = 0; i < x.length; i++) x[i] *= scale;
    return;
  }
  const col = new Float64Array(N);
  for (let c = 0; c < k; c++) {
    for (let i = 0; i < N; i++) col[i] = x[i * k + c];
    const y = dct(col);
    for (let i = 0; i < N; i++) x[i * k + c] = y[i];
  }
}

function srhtLeft(t: SrhtParts, a: NDArray<'float64'>): NDArray<'float64'> {
  const [n, k] = a.shape;
  const N = t.padded;
  const x = new Float64Array(N * k);
  for (let i = 0; i < n; i++) for (let c = 0; c < k; c++) x[i * k + c] = t.signs[i] * a.get(i, c);
  transformColumns(t, x, k);
  const d = t.rows.length;
  const scale = Math.sqrt(N / d);
  const out = zeros([d, k]);
  t.rows.forEach((r, i) => {
    for (let c = 0; c < k; c++) out.data[i * k + c] = scale * x[r * k + c];
  });
  return out;
}

function srhtAdjoint(t: SrhtParts, y: Float64Array, n: number): Float64Array {
  const N = t.padded;
  let x = new Float64Array(N);
  const scale = Math.sqrt(N / t.rows.length);
  t.rows.forEach((r, i) => (x[r] = scale * y[i]));
  if (t.transform === 'hadamard') {
    // The orthonormal Hadamard transform is symmetric.
    fwhtRows(x, N, 1);
    for (let i = 0; i < N; i++) x[i] /= Math.sqrt(N);
  } else x = idct(x);
  return Float64Array.from({ length: n }, (_, i) => t.signs[i] * x[i]);
}
