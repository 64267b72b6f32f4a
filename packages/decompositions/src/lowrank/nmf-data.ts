/**
 * NMF's data operand, dense or CSR, validated once: the products the solvers need (X B, X^T A),
 * the model W H^T evaluated on X's pattern (every entry for dense X, the stored entries for CSR),
 * and the beta-divergence of scikit-learn's `_beta_divergence`. Dense products go through the
 * registry's gemm kernel; CSR products run a JS loop here, because the `spmm` kernel's pure-JS
 * reference lives in @krylov/solvers, which this package cannot import (solvers depends on it).
 */
import {
  type CsrOperand,
  DTypeError,
  InvalidArgumentError,
  type NDArray,
  ShapeError,
} from '@krylov/core-array';
import { checkMatrix } from '../util/validate.js';
import { mm } from './common.js';

/** scikit-learn's EPSILON in _nmf.py: float32 machine epsilon, the floor of divisions. */
export const EPS32 = 2 ** -23;

export interface NmfData {
  m: number;
  n: number;
  /** Row-major m x n, or null for CSR input. */
  dense: Float64Array | null;
  /** Canonical CSR (sorted column indices, duplicates summed), or null for dense input. */
  csr: { indptr: Int32Array; indices: Int32Array; data: Float64Array } | null;
  /** ||X||_F^2 */
  norm2: number;
  /** sum of all entries */
  sum: number;
  /** smallest entry (0 when a CSR matrix has an implicit zero) */
  min: number;
  float32: boolean;
}

function negative(fn: string, i: number, j: number, v: number): never {
  throw new InvalidArgumentError(
    fn,
    'x',
    `a matrix with x[${i}, ${j}] = ${v}`,
    'a non-negative matrix (NMF factors a matrix with entries >= 0)',
  );
}

/**
 * Validates X (an NDArray matrix or a CSR operand), copying it into float64.
 * @throws ShapeError, DTypeError, InvalidArgumentError naming the first non-finite or negative entry.
 */
export function nmfData(fn: string, x: NDArray | CsrOperand, csr: boolean): NmfData {
  if (!csr) {
    checkMatrix(fn, 'x', x);
    const a = x as NDArray;
    const [m, n] = a.shape;
    const d = new Float64Array(a.copy('float64').data);
    let norm2 = 0;
    let sum = 0;
    let min = Number.POSITIVE_INFINITY;
    for (let p = 0; p < d.length; p++) {
      const v = d[p];
      if (!Number.isFinite(v))
        throw new InvalidArgumentError(
          fn,
          'x',
          `a matrix with x[${Math.floor(p / n)}, ${p % n}] = ${v}`,
          'finite entries',
        );
      if (v < 0) negative(fn, Math.floor(p / n), p % n, v);
      norm2 += v * v;
      sum += v;
      min = Math.min(min, v);
    }
    return { m, n, dense: d, csr: null, norm2, sum, min, float32: a.dtype === 'float32' };
  }
  const c = x as CsrOperand;
  const shape = c.shape as unknown;
  if (!Array.isArray(shape) || shape.length !== 2 || !shape.every((s) => Number.isInteger(s) && s >= 0))
    throw new InvalidArgumentError(fn, 'x.shape', shape, '[rows, columns], non-negative integers');
  const [m, n] = shape as [number, number];
  if (!(c.data instanceof Float64Array || c.data instanceof Float32Array))
    throw new DTypeError(
      fn,
      'x.data',
      (c.data as object)?.constructor?.name ?? typeof c.data,
      'Float64Array or Float32Array',
    );
  if (c.indptr.length !== m + 1)
    throw new ShapeError(fn, 'x.indptr', `expected ${m + 1} entries (rows + 1)`, [c.indptr.length]);
  const nnz = c.indptr[m];
  if (c.indptr[0] !== 0 || !(nnz <= c.indices.length && nnz <= c.data.length))
    throw new InvalidArgumentError(
      fn,
      'x.indptr',
      `indptr[0] = ${c.indptr[0]}, indptr[m] = ${nnz}`,
      'indptr[0] = 0 and indptr[m] <= indices.length, data.length',
    );
  const indptr = new Int32Array(m + 1);
  const cols: number[] = [];
  const vals: number[] = [];
  let norm2 = 0;
  let sum = 0;
  for (let i = 0; i < m; i++) {
    const lo = c.indptr[i];
    const hi = c.indptr[i + 1];
    if (hi < lo)
      throw new InvalidArgumentError(
        fn,
        'x.indptr',
        `indptr[${i + 1}] = ${hi} < indptr[${i}] = ${lo}`,
        'a non-decreasing indptr',
      );
    const row = new Map<number, number>();
    for (let p = lo; p < hi; p++) {
      const j = c.indices[p];
      const v = c.data[p];
      if (!(Number.isInteger(j) && j >= 0 && j < n))
        throw new InvalidArgumentError(
          fn,
          'x.indices',
          `indices[${p}] = ${j}`,
          `column indices in [0, ${n})`,
        );
      if (!Number.isFinite(v))
        throw new InvalidArgumentError(fn, 'x', `a matrix with x[${i}, ${j}] = ${v}`, 'finite entries');
      if (v < 0) negative(fn, i, j, v);
      row.set(j, (row.get(j) ?? 0) + v);
    }
    for (const j of [...row.keys()].sort((a, b) => a - b)) {
      const v = row.get(j)!;
      cols.push(j);
      vals.push(v);
      norm2 += v * v;
      sum += v;
    }
    indptr[i + 1] = cols.length;
  }
  const data = Float64Array.from(vals);
  let min = cols.length < m * n ? 0 : Number.POSITIVE_INFINITY;
  for (const v of data) min = Math.min(min, v);
  return {
    m,
    n,
    dense: null,
    csr: { indptr, indices: Int32Array.from(cols), data },
    norm2,
    sum,
    min: m * n === 0 ? 0 : min,
    float32: c.data instanceof Float32Array,
  };
}

/**
 * out = X B (B n x k, out m x k) or, with `t`, out = X^T B (B m x k, out n x k); row-major. With
 * `values`, the matrix multiplied is the one on X's pattern holding those values instead of X's
 * (dense: m x n row-major; CSR: one per stored entry).
 */
export function xTimes(
  x: NmfData,
  t: boolean,
  b: Float64Array,
  k: number,
  out: Float64Array,
  values?: Float64Array,
): Float64Array {
  const { m, n } = x;
  if (x.dense) return mm(values ?? x.dense, t, b, false, out, t ? n : m, t ? m : n, k);
  const { indptr, indices } = x.csr!;
  const data = values ?? x.csr!.data;
  out.fill(0);
  for (let i = 0; i < m; i++)
    for (let p = indptr[i]; p < indptr[i + 1]; p++) {
      const v = data[p];
      const j = indices[p];
      if (t) {
        const bi = i * k;
        const oj = j * k;
        for (let r = 0; r < k; r++) out[oj + r] += v * b[bi + r];
      } else {
        const bj = j * k;
        const oi = i * k;
        for (let r = 0; r < k; r++) out[oi + r] += v * b[bj + r];
      }
    }
  return out;
}

/** (W Ht^T) on X's pattern: m x n row-major for dense X, one value per stored entry for CSR. */
export function modelOnPattern(x: NmfData, w: Float64Array, ht: Float64Array, k: number): Float64Array {
  const { m, n } = x;
  if (x.dense) return mm(w, false, ht, true, new Float64Array(m * n), m, k, n);
  const { indptr, indices } = x.csr!;
  const out = new Float64Array(indices.length);
  for (let i = 0; i < m; i++)
    for (let p = indptr[i]; p < indptr[i + 1]; p++) {
      const wi = i * k;
      const hj = indices[p] * k;
      let s = 0;
      for (let r = 0; r < k; r++) s += w[wi + r] * ht[hj + r];
      out[p] = s;
    }
  return out;
}

/** X's values on its pattern (all entries for dense X). */
export function patternValues(x: NmfData): Float64Array {
  return x.dense ?? x.csr!.data;
}

/** sum_ij (W Ht^T)_ij^beta over all m x n entries, row by row (no m x n buffer for CSR). */
function sumModelPower(x: NmfData, w: Float64Array, ht: Float64Array, k: number, beta: number): number {
  const row = new Float64Array(x.n);
  let s = 0;
  for (let i = 0; i < x.m; i++) {
    mm(w.subarray(i * k, i * k + k), false, ht, true, row, 1, k, x.n);
    for (let j = 0; j < x.n; j++) s += row[j] ** beta;
  }
  return s;
}

/** column sums of a rows x k row-major matrix */
export function colSums(a: Float64Array, rows: number, k: number): Float64Array {
  const s = new Float64Array(k);
  for (let i = 0; i < rows; i++) for (let r = 0; r < k; r++) s[r] += a[i * k + r];
  return s;
}

/**
 * The beta-divergence D_beta(X | W H) of scikit-learn's `_beta_divergence` (H = Ht^T): half the
 * squared Frobenius norm for beta = 2, generalized Kullback-Leibler for beta = 1, Itakura-Saito for
 * beta = 0; entries where X <= EPS32 are left out of the X-dependent terms and model values of 0 on
 * the rest floored at EPS32, exactly as scikit-learn does.
 */
export function betaDivergence(
  x: NmfData,
  w: Float64Array,
  ht: Float64Array,
  k: number,
  beta: number,
): number {
  const { m, n } = x;
  if (beta === 2) {
    if (x.dense) {
      const wh = mm(w, false, ht, true, new Float64Array(m * n), m, k, n);
      let s = 0;
      for (let p = 0; p < wh.length; p++) s += (x.dense[p] - wh[p]) ** 2;
      return s / 2;
    }
    // ||X||^2 + ||W H||^2 - 2 <X, W H> without the dense product, as scikit-learn for sparse X
    const xht = xTimes(x, false, ht, k, new Float64Array(m * k));
    let cross = 0;
    for (let p = 0; p < m * k; p++) cross += xht[p] * w[p];
    return (x.norm2 + gramInner(w, m, ht, n, k) - 2 * cross) / 2;
  }
  const xv = patternValues(x);
  const wh = modelOnPattern(x, w, ht, k);
  let res = 0;
  if (beta === 1) {
    const sw = colSums(w, m, k);
    const sh = colSums(ht, n, k);
    let sumWH = 0;
    for (let r = 0; r < k; r++) sumWH += sw[r] * sh[r];
    let sumX = 0;
    for (let p = 0; p < xv.length; p++) {
      if (!(xv[p] > EPS32)) continue;
      const y = wh[p] === 0 ? EPS32 : wh[p];
      res += xv[p] * Math.log(xv[p] / y);
      sumX += xv[p];
    }
    return res + sumWH - sumX;
  }
  if (beta === 0) {
    for (let p = 0; p < xv.length; p++) {
      if (!(xv[p] > EPS32)) continue;
      const div = xv[p] / (wh[p] === 0 ? EPS32 : wh[p]);
      res += div - Math.log(div);
    }
    return res - m * n;
  }
  let sumXb = 0;
  let sumXWH = 0;
  for (let p = 0; p < xv.length; p++) {
    if (!(xv[p] > EPS32)) continue;
    const y = wh[p] === 0 ? EPS32 : wh[p];
    sumXb += xv[p] ** beta;
    sumXWH += xv[p] * y ** (beta - 1);
  }
  const sumWHb = x.dense ? wh.reduce((s, v) => s + v ** beta, 0) : sumModelPower(x, w, ht, k, beta);
  return (sumXb - beta * sumXWH + sumWHb * (beta - 1)) / (beta * (beta - 1));
}

/** ||W Ht^T||_F^2 = sum (W^T W) o (Ht^T Ht), O((m + n) k^2). */
export function gramInner(w: Float64Array, m: number, ht: Float64Array, n: number, k: number): number {
  const g1 = mm(w, true, w, false, new Float64Array(k * k), k, m, k);
  const g2 = mm(ht, true, ht, false, new Float64Array(k * k), k, n, k);
  let s = 0;
  for (let p = 0; p < k * k; p++) s += g1[p] * g2[p];
  return s;
}
