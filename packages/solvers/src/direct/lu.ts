import {
  type NDArray,
  SingularMatrixError,
  checkChoice,
  checkNumber,
  checkOptions,
} from '@krylov/core-array';
import type { Preconditioner } from '../iterative/common.js';
import { CSCMatrix, type SparseMatrix } from '../sparse/formats.js';
import type { VectorLike } from '../vector.js';
import { solveColumns } from './common.js';
import { type Ordering, resolveOrdering, squareCSC } from './ordering.js';

export interface SpluOptions {
  /**
   * Column ordering (default 'amd': approximate minimum degree on the pattern of A + A^T, what
   * SciPy's `permc_spec='MMD_AT_PLUS_A'` does with multiple minimum degree; right for matrices
   * with a nearly symmetric pattern. COLAMD is not implemented). Also 'rcm', 'natural' or a
   * permutation (perm[k] = the original column factored k-th).
   */
  ordering?: Ordering;
  /**
   * Threshold partial pivoting (SciPy's `diag_pivot_thresh`, default 1): the diagonal entry of the
   * permuted column is the pivot when |a_jj| >= thresh * max_i |a_ij| over the candidate rows;
   * otherwise the largest candidate. 1 is classical partial pivoting; smaller values keep the
   * symmetric ordering's fill with a growth factor bounded by 1 / thresh per step.
   */
  diagPivotThresh?: number;
}

export interface SpiluOptions extends SpluOptions {
  /** Drop |l_ij|, |u_ij| < dropTol * max_i |a_ij| of the column (default 1e-4, as SciPy's spilu). */
  dropTol?: number;
  /**
   * Fill limit (default 10, as SciPy's spilu): column j of L and of U each keeps at most its
   * ceil(fillFactor / 2 * nnz(A[:, j])) largest entries, so nnz(L + U) <= fillFactor nnz(A) + n.
   */
  fillFactor?: number;
}

class Growable {
  idx: Int32Array;
  val: Float64Array;
  constructor(size: number) {
    this.idx = new Int32Array(size);
    this.val = new Float64Array(size);
  }
  reserve(need: number): void {
    if (need <= this.idx.length) return;
    const size = Math.max(need, 2 * this.idx.length);
    const idx = new Int32Array(size);
    idx.set(this.idx);
    const val = new Float64Array(size);
    val.set(this.val);
    this.idx = idx;
    this.val = val;
  }
}

/**
 * A sparse LU factorization Pr A Pc = L U (scipy.sparse.linalg's `SuperLU` object): L unit lower
 * triangular, U upper triangular, both CSC in pivot order. Also a `Preconditioner` (apply = solve),
 * so an incomplete factor from `spilu` goes straight into `gmres(A, b, { M: ilu })`. A solve costs
 * O(nnz(L) + nnz(U)). Build it with `splu` or `spilu`; errors: see `solve`.
 * @example
 * ```ts
 * import { poisson, splu } from '@krylov/solvers';
 * const lu = splu(poisson([10, 10]));
 * const x = lu.solve(new Float64Array(100).fill(1), 'T'); // A^T x = b
 * console.assert(lu.L.shape[0] === 100 && x.shape[0] === 100, 'factors and a transposed solve');
 * ```
 */
export class SparseLU implements Preconditioner {
  readonly name: string;
  readonly size: number;
  /** SciPy's perm_r: row i of A is row perm_r[i] of L U. */
  readonly perm_r: Int32Array;
  /** SciPy's perm_c: column j of A is column perm_c[j] of L U. */
  readonly perm_c: Int32Array;
  private readonly q: Int32Array;
  private readonly lp: Int32Array;
  private readonly li: Int32Array;
  private readonly lx: Float64Array;
  private readonly up: Int32Array;
  private readonly ui: Int32Array;
  private readonly ux: Float64Array;

  /** @internal Use `splu` or `spilu`. */
  constructor(
    name: string,
    pinv: Int32Array,
    q: Int32Array,
    L: [Int32Array, Int32Array, Float64Array],
    U: [Int32Array, Int32Array, Float64Array],
  ) {
    this.name = name;
    const n = q.length;
    this.size = n;
    this.perm_r = pinv;
    this.q = q;
    this.perm_c = new Int32Array(n);
    for (let k = 0; k < n; k++) this.perm_c[q[k]] = k;
    [this.lp, this.li, this.lx] = L;
    [this.up, this.ui, this.ux] = U;
  }

  /** Unit lower-triangular L (CSC, unit diagonal stored first in each column). */
  get L(): CSCMatrix {
    return new CSCMatrix([this.size, this.size], this.lp, this.li, this.lx);
  }

  /** Upper-triangular U (CSC, diagonal stored last in each column). */
  get U(): CSCMatrix {
    return new CSCMatrix([this.size, this.size], this.up, this.ui, this.ux);
  }

  /** nnz(L) + nnz(U), L's unit diagonal included (as SciPy's `L.nnz + U.nnz`). */
  get nnz(): number {
    return this.lp[this.size] + this.up[this.size];
  }

  /**
   * x with A x = b (trans 'N', default) or A^T x = b (trans 'T'). b is a vector or an n x k NDArray.
   * O(nnz(L) + nnz(U)) per column.
   * @throws ShapeError when b has the wrong length; InvalidArgumentError for another trans.
   */
  solve(b: VectorLike, trans: 'N' | 'T' = 'N'): NDArray<'float64'> {
    const fn = 'SparseLU.solve';
    checkChoice(fn, 'trans', trans, ['N', 'T']);
    return solveColumns(fn, b, this.size, trans === 'N' ? (x) => this.solveN(x) : (x) => this.solveT(x));
  }

  /** Preconditioner form: out = (L U)^-1 permuted, i.e. A^-1 r for a complete factor. */
  apply(r: Float64Array, out: Float64Array): void {
    out.set(r);
    this.solveN(out);
  }

  /** @internal A^-1 x into x, unvalidated. */
  solveN(x: Float64Array): void {
    const { size: n, perm_r, q, lp, li, lx, up, ui, ux } = this;
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) y[perm_r[i]] = x[i];
    for (let j = 0; j < n; j++) {
      const yj = y[j];
      if (yj === 0) continue;
      for (let p = lp[j] + 1; p < lp[j + 1]; p++) y[li[p]] -= lx[p] * yj;
    }
    for (let j = n - 1; j >= 0; j--) {
      const last = up[j + 1] - 1;
      const yj = (y[j] /= ux[last]);
      if (yj === 0) continue;
      for (let p = up[j]; p < last; p++) y[ui[p]] -= ux[p] * yj;
    }
    for (let k = 0; k < n; k++) x[q[k]] = y[k];
  }

  /** @internal A^-T x into x, unvalidated. */
  solveT(x: Float64Array): void {
    const { size: n, perm_r, q, lp, li, lx, up, ui, ux } = this;
    const y = new Float64Array(n);
    for (let k = 0; k < n; k++) y[k] = x[q[k]];
    for (let j = 0; j < n; j++) {
      const last = up[j + 1] - 1;
      let t = y[j];
      for (let p = up[j]; p < last; p++) t -= ux[p] * y[ui[p]];
      y[j] = t / ux[last];
    }
    for (let j = n - 1; j >= 0; j--) {
      let t = y[j];
      for (let p = lp[j] + 1; p < lp[j + 1]; p++) t -= lx[p] * y[li[p]];
      y[j] = t;
    }
    for (let i = 0; i < n; i++) x[i] = y[perm_r[i]];
  }
}

interface Drop {
  tol: number;
  fill: number;
}

/**
 * Left-looking LU with threshold partial pivoting (Gilbert & Peierls, SIAM J. Sci. Stat. Comput.
 * 9(5), 1988): column k of L and U is one sparse triangular solve L \ A(:, q[k]) whose pattern is a
 * depth-first reach in the graph of L, so the work is proportional to the flops. Written after the
 * structure of CSparse's `cs_lu` (Davis 2006, ch. 6). With `drop`, entries are dropped as they are
 * produced (an ILUT-like incomplete factor).
 */
export function luFactorCSC(
  fn: string,
  A: CSCMatrix,
  q: Int32Array,
  thresh: number,
  drop: Drop | null,
): SparseLU {
  const n = A.shape[0];
  const { indptr: ap, indices: ai, data: ax } = A;
  const L = new Growable(4 * ap[n] + n);
  const U = new Growable(4 * ap[n] + n);
  const lp = new Int32Array(n + 1);
  const up = new Int32Array(n + 1);
  const pinv = new Int32Array(n).fill(-1);
  const x = new Float64Array(n);
  const xi = new Int32Array(n);
  const stack = new Int32Array(n);
  const pstack = new Int32Array(n);
  const stamp = new Int32Array(n);
  const cand: number[] = [];
  let lnz = 0;
  let unz = 0;
  for (let k = 0; k < n; k++) {
    lp[k] = lnz;
    up[k] = unz;
    L.reserve(lnz + n);
    U.reserve(unz + n);
    const li = L.idx;
    const lx = L.val;
    const col = q[k];
    // Reach: the rows of x = L \ A(:, col), in topological order, into xi[top..n).
    let top = n;
    const mark = k + 1;
    for (let p = ap[col]; p < ap[col + 1]; p++) {
      if (stamp[ai[p]] === mark) continue;
      let head = 0;
      stack[0] = ai[p];
      while (head >= 0) {
        const j = stack[head];
        const J = pinv[j];
        if (stamp[j] !== mark) {
          stamp[j] = mark;
          pstack[head] = J < 0 ? 0 : lp[J] + 1;
        }
        let done = true;
        const end = J < 0 ? 0 : lp[J + 1];
        for (let t = pstack[head]; t < end; t++) {
          const i = li[t];
          if (stamp[i] === mark) continue;
          pstack[head] = t + 1;
          stack[++head] = i;
          done = false;
          break;
        }
        if (done) {
          head--;
          xi[--top] = j;
        }
      }
    }
    for (let p = ap[col]; p < ap[col + 1]; p++) x[ai[p]] += ax[p];
    let colmax = 0;
    if (drop) for (let p = ap[col]; p < ap[col + 1]; p++) colmax = Math.max(colmax, Math.abs(ax[p]));
    for (let t = top; t < n; t++) {
      const j = xi[t];
      const J = pinv[j];
      if (J < 0) continue;
      const xj = x[j];
      if (xj === 0) continue;
      for (let p = lp[J] + 1; p < lp[J + 1]; p++) x[li[p]] -= lx[p] * xj;
    }
    // Pivot: the largest candidate, or the diagonal when within the threshold.
    let ipiv = -1;
    let amax = -1;
    for (let t = top; t < n; t++) {
      const i = xi[t];
      if (pinv[i] < 0) {
        const v = Math.abs(x[i]);
        if (v > amax) {
          amax = v;
          ipiv = i;
        }
      }
    }
    if (ipiv === -1 || !(amax > 0)) {
      for (let t = top; t < n; t++) x[xi[t]] = 0;
      throw new SingularMatrixError(
        fn,
        col,
        ipiv === -1
          ? `structurally singular: column ${col} has no entry in a row not yet pivoted (step ${k})`
          : `numerically singular: column ${col} is zero below the pivots chosen so far (step ${k})`,
      );
    }
    if (pinv[col] < 0 && stamp[col] === mark && x[col] !== 0 && Math.abs(x[col]) >= amax * thresh) ipiv = col;
    const pivot = x[ipiv];
    // U(:, k): rows already pivoted; L(:, k): the others divided by the pivot.
    const ui = U.idx;
    const ux = U.val;
    const dropTol = drop ? drop.tol * colmax : 0;
    const cap = drop ? Math.max(1, Math.ceil((drop.fill / 2) * (ap[col + 1] - ap[col]))) : n;
    cand.length = 0;
    for (let t = top; t < n; t++) {
      const i = xi[t];
      if (pinv[i] >= 0 && !(drop && Math.abs(x[i]) < dropTol)) cand.push(i);
    }
    keepLargest(cand, x, cap);
    for (const i of cand) {
      ui[unz] = pinv[i];
      ux[unz++] = x[i];
    }
    ui[unz] = k;
    ux[unz++] = pivot;
    pinv[ipiv] = k;
    li[lnz] = ipiv;
    lx[lnz++] = 1;
    cand.length = 0;
    for (let t = top; t < n; t++) {
      const i = xi[t];
      if (pinv[i] < 0 && !(drop && Math.abs(x[i]) < dropTol)) cand.push(i);
    }
    keepLargest(cand, x, cap);
    for (const i of cand) {
      li[lnz] = i;
      lx[lnz++] = x[i] / pivot;
    }
    for (let t = top; t < n; t++) x[xi[t]] = 0;
  }
  lp[n] = lnz;
  up[n] = unz;
  const li = L.idx.slice(0, lnz);
  for (let p = 0; p < lnz; p++) li[p] = pinv[li[p]];
  return new SparseLU(
    drop ? 'spilu' : 'splu',
    pinv,
    q,
    [lp, li, L.val.slice(0, lnz)],
    [up, U.idx.slice(0, unz), U.val.slice(0, unz)],
  );
}

/** Keeps the `cap` entries of largest |x[i]| in `cand` (in place; order not kept). */
function keepLargest(cand: number[], x: Float64Array, cap: number): void {
  if (cand.length <= cap) return;
  cand.sort((a, b) => Math.abs(x[b]) - Math.abs(x[a]));
  cand.length = cap;
}

function luSetup(fn: string, a: unknown, options: SpluOptions | undefined, keys: readonly string[]) {
  checkOptions(fn, options, keys);
  const A = squareCSC(fn, a);
  const thresh =
    options?.diagPivotThresh === undefined
      ? 1
      : checkNumber(fn, 'options.diagPivotThresh', options.diagPivotThresh, { min: 0, max: 1 });
  return { A, q: resolveOrdering(fn, A, options?.ordering), thresh };
}

const SPLU_KEYS = ['ordering', 'diagPivotThresh'] as const;

/**
 * Sparse LU factorization Pr A Pc = L U with threshold partial pivoting (scipy.sparse.linalg.splu):
 * left-looking Gilbert-Peierls, column ordering AMD on A + A^T by default. Returns a `SparseLU` with
 * `solve(b, trans)`, L, U, perm_r, perm_c. Time proportional to the flops; backward stable in
 * practice with diagPivotThresh = 1 (growth as in dense partial pivoting).
 * @example
 * ```ts
 * import { array, matmul } from '@krylov/core-array';
 * import { splu } from '@krylov/solvers';
 * const A = array([[4, 1, 0], [2, 5, 1], [0, 3, 6]]); // or a CSR, CSC or COO matrix
 * const b = array([1, 2, 3]);
 * const lu = splu(A); const x = lu.solve(b); const y = lu.solve(b, 'T'); // A x = b, A^T y = b
 * const [ax, aty] = [matmul(A, x), matmul(A.T, y)];
 * const ok = (i: number) => Math.abs(ax.get(i) - b.get(i)) + Math.abs(aty.get(i) - b.get(i)) < 1e-12;
 * console.assert([0, 1, 2].every(ok), 'both solves');
 * ```
 * @throws ShapeError for a non-square A; SingularMatrixError naming the column (original index)
 *   that is structurally or numerically singular; InvalidArgumentError for a bad option.
 */
export function splu(a: SparseMatrix | NDArray, options?: SpluOptions): SparseLU {
  const fn = 'splu';
  const { A, q, thresh } = luSetup(fn, a, options, SPLU_KEYS);
  return luFactorCSC(fn, A, q, thresh, null);
}

/**
 * Incomplete LU with threshold dropping and a fill limit (an ILUT in the spirit of Saad 1994 and
 * scipy.sparse.linalg.spilu): the `splu` algorithm dropping entries below dropTol times the
 * column's largest entry of A and keeping at most fillFactor / 2 times the column's nnz in each of
 * L and U. Cost: at most that of `splu`, bounded by the fill limit. The result is a `SparseLU` and a
 * `Preconditioner` for the Krylov methods
 * (`gmres(A, b, { M: spilu(A) })`). dropTol = 0 with a large fillFactor gives the complete LU.
 * @example
 * ```ts
 * import { gmres, poisson, spilu } from '@krylov/solvers';
 * const a = poisson([20, 20]);
 * const M = spilu(a, { dropTol: 1e-3, fillFactor: 5 }); // incomplete LU, usable as a preconditioner
 * const r = gmres(a, new Float64Array(400).fill(1), { M });
 * console.assert(r.converged && r.iterations < 30, 'ILUT-preconditioned GMRES');
 * ```
 * @throws as `splu`; SingularMatrixError when dropping left a zero pivot (lower dropTol).
 */
export function spilu(a: SparseMatrix | NDArray, options?: SpiluOptions): SparseLU {
  const fn = 'spilu';
  const { A, q, thresh } = luSetup(fn, a, options, [...SPLU_KEYS, 'dropTol', 'fillFactor']);
  const tol =
    options?.dropTol === undefined ? 1e-4 : checkNumber(fn, 'options.dropTol', options.dropTol, { min: 0 });
  const fill =
    options?.fillFactor === undefined
      ? 10
      : checkNumber(fn, 'options.fillFactor', options.fillFactor, { min: 0, minExclusive: true });
  return luFactorCSC(fn, A, q, thresh, { tol, fill });
}

/**
 * The solution of A x = b for a sparse square A (scipy.sparse.linalg.spsolve): `splu(A).solve(b)`.
 * b is a vector (returns [n]) or an n x k NDArray (returns n x k), float64. Cost: that of `splu`
 * plus O(nnz(L) + nnz(U)) per right-hand side.
 * @example
 * ```ts
 * import { poisson, spsolve } from '@krylov/solvers';
 * const a = poisson([5]);
 * const x = spsolve(a, [1, 0, 0, 0, 1]);
 * console.assert([0, 1, 2, 3, 4].every((i) => Math.abs(x.get(i) - 1) < 1e-12), 'x = ones');
 * ```
 * @throws as `splu`; ShapeError when b does not match A.
 */
export function spsolve(a: SparseMatrix | NDArray, b: VectorLike, options?: SpluOptions): NDArray<'float64'> {
  const fn = 'spsolve';
  const { A, q, thresh } = luSetup(fn, a, options, SPLU_KEYS);
  const lu = luFactorCSC(fn, A, q, thresh, null);
  return solveColumns(fn, b, A.shape[0], (x) => lu.solveN(x));
}

/**
 * A function solving A x = b with one LU of A (scipy.sparse.linalg.factorized); `trans` as `solve`.
 * Factoring costs as `splu`; each call O(nnz(L) + nnz(U)) and returns a float64 NDArray.
 * @example
 * ```ts
 * import { factorized, poisson } from '@krylov/solvers';
 * const solveA = factorized(poisson([5])); // factor once, solve many times
 * const x = solveA([1, 0, 0, 0, 1]);
 * console.assert(Math.abs(x.get(2) - 1) < 1e-12, 'x = ones');
 * ```
 * @throws as `splu` (when called: as `SparseLU.solve`).
 */
export function factorized(
  a: SparseMatrix | NDArray,
  options?: SpluOptions,
): (b: VectorLike, trans?: 'N' | 'T') => NDArray<'float64'> {
  const lu = splu(a, options);
  return (b, trans = 'N') => lu.solve(b, trans);
}
