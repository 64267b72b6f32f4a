import { InvalidArgumentError, type NDArray, ShapeError, isNDArray } from '@krylov/core-array';
import { CSCMatrix, CSRMatrix, type SparseMatrix, isSparse } from '../sparse/formats.js';
import { rcmPattern } from './rcm.js';

/** A fill-reducing ordering by name, or an explicit permutation (`perm[k]` = the original index eliminated k-th). */
export type Ordering = 'amd' | 'rcm' | 'natural' | ArrayLike<number>;
export const ORDERINGS = ['amd', 'rcm', 'natural'] as const;

/**
 * The square CSC form of a public argument (dense NDArray or any sparse format). With `symmetric`
 * (the caller has checked A = A^T, or reads one triangle only) a CSR matrix is read as the CSC of
 * its transpose, without a copy.
 */
export function squareCSC(fn: string, a: unknown, arg = 'A', symmetric = false): CSCMatrix {
  if (!isSparse(a) && !isNDArray(a))
    throw new InvalidArgumentError(fn, arg, a, 'a sparse matrix or a dense NDArray');
  const c = isNDArray(a)
    ? CSCMatrix.fromDense(a as NDArray)
    : a instanceof CSCMatrix
      ? a
      : symmetric && a instanceof CSRMatrix
        ? a.transpose()
        : (a as Exclude<SparseMatrix, CSCMatrix>).toCSC();
  if (c.shape[0] !== c.shape[1]) throw new ShapeError(fn, arg, 'expected a square matrix', c.shape);
  return c;
}

/**
 * The pattern of A + A^T without the diagonal, as column pointers and row indices (sorted within
 * each column, duplicates merged). O(nnz + n).
 */
export function symmetricPattern(n: number, ap: Int32Array, ai: Int32Array): [Int32Array, Int32Array] {
  const count = new Int32Array(n + 1);
  for (let j = 0; j < n; j++)
    for (let p = ap[j]; p < ap[j + 1]; p++) {
      const i = ai[p];
      if (i === j) continue;
      count[i + 1]++;
      count[j + 1]++;
    }
  for (let j = 0; j < n; j++) count[j + 1] += count[j];
  const next = count.slice(0, n);
  const idx = new Int32Array(count[n]);
  for (let j = 0; j < n; j++)
    for (let p = ap[j]; p < ap[j + 1]; p++) {
      const i = ai[p];
      if (i === j) continue;
      idx[next[j]++] = i;
      idx[next[i]++] = j;
    }
  // Rows arrive in increasing order per source column; dedupe with a marker (order then sorted by a rebuild).
  const mark = new Int32Array(n).fill(-1);
  const cp = new Int32Array(n + 1);
  let nz = 0;
  for (let j = 0; j < n; j++) {
    const start = nz;
    for (let p = count[j]; p < count[j + 1]; p++) {
      const i = idx[p];
      if (mark[i] === j) continue;
      mark[i] = j;
      idx[nz++] = i;
    }
    idx.subarray(start, nz).sort();
    cp[j + 1] = nz;
  }
  return [cp, idx.slice(0, nz)];
}

const flip = (i: number) => -i - 2;

/**
 * Approximate minimum degree ordering of A + A^T (Amestoy, Davis & Duff, "An approximate minimum
 * degree ordering algorithm", SIAM J. Matrix Anal. Appl. 17(4), 1996). The elimination runs on a
 * quotient graph with element absorption, approximate external degrees, mass elimination,
 * aggressive absorption and hash-based supervariable detection; dense rows (degree above
 * max(16, 10 sqrt n)) are ordered last. Written after the structure of `cs_amd` in T. A. Davis,
 * "Direct Methods for Sparse Linear Systems" (SIAM 2006, ch. 7) / CSparse. Returns `perm` with
 * `perm[k]` the original index eliminated k-th; the result is postordered by the assembly tree.
 * O(nnz(A) * a small factor) in practice; memory O(nnz + n).
 * @example
 * ```ts
 * import { amd, poisson, sparseCholesky } from '@krylov/solvers';
 * const a = poisson([15, 15]);
 * const perm = amd(a); // a fill-reducing permutation
 * const natural = sparseCholesky(a, { ordering: 'natural' }).nnzL;
 * console.assert(perm.length === 225 && sparseCholesky(a, { ordering: perm }).nnzL < natural, 'less fill than natural order');
 * ```
 * @throws ShapeError for a non-square matrix; InvalidArgumentError for a non-matrix argument.
 */
export function amd(a: SparseMatrix | NDArray): Int32Array {
  const A = squareCSC('amd', a);
  return amdPattern(A.shape[0], A.indptr, A.indices);
}

/** AMD on the pattern (column pointers, row indices) of a square matrix; see `amd`. */
export function amdPattern(n: number, ap: Int32Array, ai: Int32Array): Int32Array {
  if (n === 0) return new Int32Array(0);
  const [cp0, ci0] = symmetricPattern(n, ap, ai);
  let cnz = ci0.length;
  const nzmax = cnz + Math.floor(cnz / 5) + 2 * n;
  const Ci = new Int32Array(nzmax);
  Ci.set(ci0);
  const Cp = new Int32Array(n + 1);
  Cp.set(cp0);
  const dense = Math.max(0, Math.min(n - 2, Math.max(16, Math.floor(10 * Math.sqrt(n)))));
  const len = new Int32Array(n + 1);
  const nv = new Int32Array(n + 1);
  const next = new Int32Array(n + 1);
  const head = new Int32Array(n + 1);
  const elen = new Int32Array(n + 1);
  const degree = new Int32Array(n + 1);
  const w = new Int32Array(n + 1);
  const hhead = new Int32Array(n + 1);
  const last = new Int32Array(n + 1);
  for (let k = 0; k < n; k++) len[k] = Cp[k + 1] - Cp[k];
  len[n] = 0;
  for (let i = 0; i <= n; i++) {
    head[i] = -1;
    last[i] = -1;
    next[i] = -1;
    hhead[i] = -1;
    nv[i] = 1;
    w[i] = 1;
    elen[i] = 0;
    degree[i] = len[i];
  }
  const clear = (mark: number, lemax: number): number => {
    if (mark < 2 || mark + lemax > 0x3fffffff) {
      for (let k = 0; k < n; k++) if (w[k] !== 0) w[k] = 1;
      return 2;
    }
    return mark;
  };
  let mark = clear(0, 0);
  elen[n] = -2;
  Cp[n] = -1;
  w[n] = 0;
  let nel = 0;
  // Degree lists; empty nodes become elements at once, dense ones are absorbed into the dead element n.
  for (let i = 0; i < n; i++) {
    const d = degree[i];
    if (d === 0) {
      elen[i] = -2;
      nel++;
      Cp[i] = -1;
      w[i] = 0;
    } else if (d > dense) {
      nv[i] = 0;
      elen[i] = -1;
      nel++;
      Cp[i] = flip(n);
      nv[n]++;
    } else {
      if (head[d] !== -1) last[head[d]] = i;
      next[i] = head[d];
      head[d] = i;
    }
  }
  let mindeg = 0;
  let lemax = 0;
  while (nel < n) {
    // The pivot: a variable of least approximate degree.
    let k = -1;
    for (; mindeg < n && (k = head[mindeg]) === -1; mindeg++);
    if (next[k] !== -1) last[next[k]] = -1;
    head[mindeg] = next[k];
    const elenk = elen[k];
    let nvk = nv[k];
    nel += nvk;
    // Compact the quotient graph when the new element might not fit.
    if (elenk > 0 && cnz + mindeg >= nzmax) {
      for (let j = 0; j < n; j++) {
        const p = Cp[j];
        if (p >= 0) {
          Cp[j] = Ci[p];
          Ci[p] = flip(j);
        }
      }
      let q = 0;
      for (let p = 0; p < cnz; ) {
        const j = flip(Ci[p++]);
        if (j >= 0) {
          Ci[q] = Cp[j];
          Cp[j] = q++;
          for (let t = 0; t < len[j] - 1; t++) Ci[q++] = Ci[p++];
        }
      }
      cnz = q;
    }
    // The new element Lk: the union of k's variables and of the elements adjacent to k.
    let dk = 0;
    nv[k] = -nvk;
    let p = Cp[k];
    const pk1 = elenk === 0 ? p : cnz;
    let pk2 = pk1;
    for (let k1 = 1; k1 <= elenk + 1; k1++) {
      let e: number;
      let pj: number;
      let ln: number;
      if (k1 > elenk) {
        e = k;
        pj = p;
        ln = len[k] - elenk;
      } else {
        e = Ci[p++];
        pj = Cp[e];
        ln = len[e];
      }
      for (let k2 = 1; k2 <= ln; k2++) {
        const i = Ci[pj++];
        const nvi = nv[i];
        if (nvi <= 0) continue;
        dk += nvi;
        nv[i] = -nvi;
        Ci[pk2++] = i;
        if (next[i] !== -1) last[next[i]] = last[i];
        if (last[i] !== -1) next[last[i]] = next[i];
        else head[degree[i]] = next[i];
      }
      if (e !== k) {
        Cp[e] = flip(k);
        w[e] = 0;
      }
    }
    if (elenk !== 0) cnz = pk2;
    degree[k] = dk;
    Cp[k] = pk1;
    len[k] = pk2 - pk1;
    elen[k] = -2;
    // |Le \ Lk| for every element e adjacent to a variable of Lk.
    mark = clear(mark, lemax);
    for (let pk = pk1; pk < pk2; pk++) {
      const i = Ci[pk];
      const eln = elen[i];
      if (eln <= 0) continue;
      const nvi = -nv[i];
      const wnvi = mark - nvi;
      for (let q = Cp[i]; q <= Cp[i] + eln - 1; q++) {
        const e = Ci[q];
        if (w[e] >= mark) w[e] -= nvi;
        else if (w[e] !== 0) w[e] = degree[e] + wnvi;
      }
    }
    // Approximate degrees of the variables of Lk; aggressive absorption; hash for supervariables.
    for (let pk = pk1; pk < pk2; pk++) {
      const i = Ci[pk];
      const p1 = Cp[i];
      const p2 = p1 + elen[i] - 1;
      let pn = p1;
      let h = 0;
      let d = 0;
      for (let q = p1; q <= p2; q++) {
        const e = Ci[q];
        if (w[e] !== 0) {
          const dext = w[e] - mark;
          if (dext > 0) {
            d += dext;
            Ci[pn++] = e;
            h += e;
          } else {
            Cp[e] = flip(k);
            w[e] = 0;
          }
        }
      }
      elen[i] = pn - p1 + 1;
      const p3 = pn;
      const p4 = p1 + len[i];
      for (let q = p2 + 1; q < p4; q++) {
        const j = Ci[q];
        const nvj = nv[j];
        if (nvj <= 0) continue;
        d += nvj;
        Ci[pn++] = j;
        h += j;
      }
      if (d === 0) {
        // Mass elimination: i is indistinguishable from k.
        Cp[i] = flip(k);
        const nvi = -nv[i];
        dk -= nvi;
        nvk += nvi;
        nel += nvi;
        nv[i] = 0;
        elen[i] = -1;
      } else {
        degree[i] = Math.min(degree[i], d);
        Ci[pn] = Ci[p3];
        Ci[p3] = Ci[p1];
        Ci[p1] = k;
        len[i] = pn - p1 + 1;
        h %= n;
        next[i] = hhead[h];
        hhead[h] = i;
        last[i] = h;
      }
    }
    degree[k] = dk;
    lemax = Math.max(lemax, dk);
    mark = clear(mark + lemax, lemax);
    // Supervariable detection: compare the variables that share a hash bucket.
    for (let pk = pk1; pk < pk2; pk++) {
      let i = Ci[pk];
      if (nv[i] >= 0) continue;
      const h = last[i];
      i = hhead[h];
      hhead[h] = -1;
      for (; i !== -1 && next[i] !== -1; i = next[i], mark++) {
        const ln = len[i];
        const eln = elen[i];
        for (let q = Cp[i] + 1; q <= Cp[i] + ln - 1; q++) w[Ci[q]] = mark;
        let jlast = i;
        for (let j = next[i]; j !== -1; ) {
          let ok = len[j] === ln && elen[j] === eln;
          for (let q = Cp[j] + 1; ok && q <= Cp[j] + ln - 1; q++) if (w[Ci[q]] !== mark) ok = false;
          if (ok) {
            Cp[j] = flip(i);
            nv[i] += nv[j];
            nv[j] = 0;
            elen[j] = -1;
            j = next[j];
            next[jlast] = j;
          } else {
            jlast = j;
            j = next[j];
          }
        }
      }
    }
    // Finalize Lk: put its variables back in the degree lists.
    p = pk1;
    for (let pk = pk1; pk < pk2; pk++) {
      const i = Ci[pk];
      const nvi = -nv[i];
      if (nvi <= 0) continue;
      nv[i] = nvi;
      const d = Math.min(degree[i] + dk - nvi, n - nel - nvi);
      if (head[d] !== -1) last[head[d]] = i;
      next[i] = head[d];
      last[i] = -1;
      head[d] = i;
      mindeg = Math.min(mindeg, d);
      degree[i] = d;
      Ci[p++] = i;
    }
    nv[k] = nvk;
    len[k] = p - pk1;
    if (len[k] === 0) {
      Cp[k] = -1;
      w[k] = 0;
    }
    if (elenk !== 0) cnz = p;
  }
  // Postorder the assembly tree (absorbed variables follow their element).
  for (let i = 0; i < n; i++) Cp[i] = flip(Cp[i]);
  head.fill(-1);
  for (let j = n; j >= 0; j--) {
    if (nv[j] > 0) continue;
    next[j] = head[Cp[j]];
    head[Cp[j]] = j;
  }
  for (let e = n; e >= 0; e--) {
    if (nv[e] <= 0) continue;
    if (Cp[e] !== -1) {
      next[e] = head[Cp[e]];
      head[Cp[e]] = e;
    }
  }
  const P = new Int32Array(n + 1);
  let k = 0;
  for (let i = 0; i <= n; i++) if (Cp[i] === -1) k = treeDfs(i, k, head, next, P, w);
  // The dead element n is the last root visited and is posted last.
  return P.slice(0, n);
}

/** Depth-first postorder of the tree rooted at j (children in head/next lists), into post[k...]. */
export function treeDfs(
  j: number,
  k: number,
  head: Int32Array,
  next: Int32Array,
  post: Int32Array,
  stack: Int32Array,
): number {
  let top = 0;
  stack[0] = j;
  while (top >= 0) {
    const p = stack[top];
    const i = head[p];
    if (i === -1) {
      top--;
      post[k++] = p;
    } else {
      head[p] = next[i];
      stack[++top] = i;
    }
  }
  return k;
}

/** perm validated as a permutation of 0..n-1 (an Int32Array copy). */
export function checkPermutation(fn: string, arg: string, perm: ArrayLike<number>, n: number): Int32Array {
  if (perm === null || typeof perm !== 'object' || typeof (perm as ArrayLike<number>).length !== 'number')
    throw new InvalidArgumentError(fn, arg, perm, `'amd', 'rcm', 'natural' or a permutation of 0..${n - 1}`);
  if (perm.length !== n)
    throw new ShapeError(fn, arg, `a permutation of length ${n}, got ${perm.length}`, [perm.length]);
  const seen = new Uint8Array(n);
  const out = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const v = perm[k];
    if (!Number.isInteger(v) || v < 0 || v >= n || seen[v])
      throw new InvalidArgumentError(fn, `${arg}[${k}]`, v, `a permutation of 0..${n - 1} (each index once)`);
    seen[v] = 1;
    out[k] = v;
  }
  return out;
}

/** The permutation an `Ordering` option names, for the pattern of a square CSC matrix. */
export function resolveOrdering(fn: string, A: CSCMatrix, ordering: unknown): Int32Array {
  const n = A.shape[0];
  if (ordering === undefined || ordering === 'amd') return amdPattern(n, A.indptr, A.indices);
  if (ordering === 'rcm') return rcmPattern(n, A.indptr, A.indices);
  if (ordering === 'natural') return Int32Array.from({ length: n }, (_, i) => i);
  if (typeof ordering === 'string')
    throw new InvalidArgumentError(
      fn,
      'options.ordering',
      ordering,
      `one of ${ORDERINGS.join(', ')} or a permutation`,
    );
  return checkPermutation(fn, 'options.ordering', ordering as ArrayLike<number>, n);
}
