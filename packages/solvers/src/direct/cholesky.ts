import {
  InvalidArgumentError,
  type NDArray,
  NotPositiveDefiniteError,
  checkOptions,
} from '@krylov/core-array';
import { CSCMatrix, type SparseMatrix } from '../sparse/formats.js';
import { checkSymmetricMatrix } from '../sparse/symmetry.js';
import type { VectorLike } from '../vector.js';
import { solveColumns } from './common.js';
import { type Ordering, resolveOrdering, squareCSC, treeDfs } from './ordering.js';

export interface SparseCholeskyOptions {
  /**
   * Fill-reducing ordering (default 'amd'): 'amd' (approximate minimum degree), 'rcm' (reverse
   * Cuthill-McKee: small profile, more fill), 'natural' (none), or a permutation (perm[k] is the
   * original index eliminated k-th).
   */
  ordering?: Ordering;
  /**
   * Check that A is symmetric, O(nnz) (default true). With false one triangle is read (the upper
   * of a CSC or dense A, the lower of a CSR A) and the other is assumed to mirror it.
   */
  checkSymmetry?: boolean;
}

const OPTION_KEYS = ['ordering', 'checkSymmetry'] as const;

/**
 * Elimination tree of the matrix whose upper triangle is (cp, ci) in CSC (Liu 1986; Davis 2006,
 * Alg. 4.1 with path compression through `ancestor`; CSparse's cs_etree). parent[j] = -1 for a
 * root. O(nnz alpha(n)). A low-level building block: the arrays are trusted, not validated.
 * @example
 * ```ts
 * import { eliminationTree, poisson } from '@krylov/solvers';
 * const a = poisson([4]).toCSC(); // tridiagonal: the tree is a path
 * const parent = eliminationTree(4, a.indptr, a.indices);
 * console.assert(Array.from(parent).join() === '1,2,3,-1', 'parent[j] = j + 1, root -1');
 * ```
 */
export function eliminationTree(n: number, cp: Int32Array, ci: Int32Array): Int32Array {
  const parent = new Int32Array(n).fill(-1);
  const ancestor = new Int32Array(n).fill(-1);
  for (let k = 0; k < n; k++)
    for (let p = cp[k]; p < cp[k + 1]; p++) {
      let i = ci[p];
      while (i !== -1 && i < k) {
        const next = ancestor[i];
        ancestor[i] = k;
        if (next === -1) parent[i] = k;
        i = next;
      }
    }
  return parent;
}

/**
 * A depth-first postorder of a forest given by `parent` (children visited in increasing order;
 * Davis 2006, CSparse's cs_post). O(n). `parent` is trusted, not validated.
 * @example
 * ```ts
 * import { postorder } from '@krylov/solvers';
 * // 0 and 1 are children of 2, the root
 * const post = postorder(Int32Array.of(2, 2, -1));
 * console.assert(post[2] === 2, 'the root comes last');
 * ```
 */
export function postorder(parent: Int32Array): Int32Array {
  const n = parent.length;
  const head = new Int32Array(n).fill(-1);
  const next = new Int32Array(n);
  for (let j = n - 1; j >= 0; j--) {
    if (parent[j] === -1) continue;
    next[j] = head[parent[j]];
    head[parent[j]] = j;
  }
  const post = new Int32Array(n);
  const stack = new Int32Array(n);
  let k = 0;
  for (let j = 0; j < n; j++) if (parent[j] === -1) k = treeDfs(j, k, head, next, post, stack);
  return post;
}

/**
 * The nonzero pattern of row k of L: the part of the elimination tree reached from the entries of
 * column k of the upper triangle (Davis 2006, Alg. 4.2), written to s[top..n) in topological order.
 * `stamp` marks visited nodes with k + 1. Returns top.
 */
function ereach(
  k: number,
  cp: Int32Array,
  ci: Int32Array,
  parent: Int32Array,
  s: Int32Array,
  stamp: Int32Array,
): number {
  const n = parent.length;
  let top = n;
  const mark = k + 1;
  stamp[k] = mark;
  for (let p = cp[k]; p < cp[k + 1]; p++) {
    let i = ci[p];
    if (i > k) continue;
    let len = 0;
    for (; stamp[i] !== mark; i = parent[i]) {
      s[len++] = i;
      stamp[i] = mark;
    }
    while (len > 0) s[--top] = s[--len];
  }
  return top;
}

/**
 * The symbolic analysis of a sparse Cholesky factorization: fill-reducing ordering, the upper
 * triangle of P A P^T, its elimination tree and postorder, and the column counts of L (row-subtree
 * method: the pattern of each row of L is a subtree of the etree; Davis 2006, ch. 4). Depends only
 * on the pattern of A, so one analysis serves every matrix with the same pattern (`factor`).
 * O(nnz(L)) after the ordering. Build it with `analyzeCholesky`.
 * @throws see `factor` (a pattern different from the analyzed one, an asymmetric or not positive
 *   definite matrix).
 * @example
 * ```ts
 * import { analyzeCholesky, poisson } from '@krylov/solvers';
 * const a = poisson([10, 10]);
 * const sym = analyzeCholesky(a); // ordering, elimination tree and column counts: no values read
 * const f = sym.factor(a.scale(2)); // numeric factorization of any matrix with this pattern
 * console.assert(sym.nnzL === f.nnzL && sym.perm.length === 100, 'same structure');
 * ```
 */
export class CholeskySymbolic {
  readonly n: number;
  /** perm[k]: the original index of the k-th pivot. */
  readonly perm: Int32Array;
  /** The ordering's name ('amd', 'rcm', 'natural' or 'given'). */
  readonly ordering: string;
  /** Elimination tree of P A P^T (parent of each column, -1 for roots). */
  readonly parent: Int32Array;
  /** A postorder of the elimination tree. */
  readonly postorder: Int32Array;
  /** Nonzeros of each column of L, diagonal included. */
  readonly colCounts: Int32Array;
  /** nnz(L), diagonal included: the fill the ordering gives. */
  readonly nnzL: number;
  /** Column pointers of L. */
  readonly lp: Int32Array;
  private readonly ap: Int32Array;
  private readonly ai: Int32Array;
  /** Upper triangle of P A P^T (CSC) and, for each stored entry of A, its slot there (-1: lower part). */
  private readonly cp: Int32Array;
  private readonly ci: Int32Array;
  private readonly slot: Int32Array;

  /** @internal Use `analyzeCholesky`. */
  constructor(A: CSCMatrix, perm: Int32Array, ordering: string) {
    const n = A.shape[0];
    this.n = n;
    this.perm = perm;
    this.ordering = ordering;
    this.ap = A.indptr.slice();
    this.ai = A.indices.slice();
    const pinv = new Int32Array(n);
    for (let k = 0; k < n; k++) pinv[perm[k]] = k;
    const cnt = new Int32Array(n + 1);
    for (let j = 0; j < n; j++)
      for (let p = this.ap[j]; p < this.ap[j + 1]; p++) {
        const i = this.ai[p];
        if (i <= j) cnt[Math.max(pinv[i], pinv[j]) + 1]++;
      }
    for (let j = 0; j < n; j++) cnt[j + 1] += cnt[j];
    this.cp = cnt.slice();
    this.ci = new Int32Array(cnt[n]);
    this.slot = new Int32Array(this.ai.length).fill(-1);
    for (let j = 0; j < n; j++)
      for (let p = this.ap[j]; p < this.ap[j + 1]; p++) {
        const i = this.ai[p];
        if (i > j) continue;
        const [r, c] = pinv[i] < pinv[j] ? [pinv[i], pinv[j]] : [pinv[j], pinv[i]];
        const q = cnt[c]++;
        this.ci[q] = r;
        this.slot[p] = q;
      }
    this.parent = eliminationTree(n, this.cp, this.ci);
    this.postorder = postorder(this.parent);
    const counts = new Int32Array(n).fill(1);
    const s = new Int32Array(n);
    const stamp = new Int32Array(n);
    for (let k = 0; k < n; k++)
      for (let top = ereach(k, this.cp, this.ci, this.parent, s, stamp); top < n; top++) counts[s[top]]++;
    this.colCounts = counts;
    this.lp = new Int32Array(n + 1);
    for (let j = 0; j < n; j++) this.lp[j + 1] = this.lp[j] + counts[j];
    this.nnzL = this.lp[n];
  }

  /**
   * The numeric factorization P A P^T = L L^T of a matrix with the analyzed pattern (up-looking:
   * row k of L by a sparse triangular solve along the elimination tree; Davis 2006, Alg. 4.4).
   * O(sum of squared column counts of L).
   * @throws InvalidArgumentError when A's pattern differs from the analyzed one or A is not symmetric;
   *   NotPositiveDefiniteError with the original index of the column whose pivot was not positive.
   */
  factor(a: SparseMatrix | NDArray, options?: { checkSymmetry?: boolean }): SparseCholesky {
    const fn = 'CholeskySymbolic.factor';
    checkOptions(fn, options, ['checkSymmetry']);
    checkSymmetricMatrix(fn, 'A', a, options?.checkSymmetry ?? true);
    const A = squareCSC(fn, a, 'A', true);
    if (!this.samePattern(A))
      throw new InvalidArgumentError(
        fn,
        'A',
        `a ${A.shape[0]}x${A.shape[1]} matrix with ${A.indices.length} stored entries`,
        `the pattern analyzed (${this.n}x${this.n}, ${this.ai.length} stored entries); analyze the new pattern with analyzeCholesky`,
      );
    return this.numeric(fn, A.data);
  }

  /** Whether a CSC matrix has exactly the analyzed pattern. O(nnz). */
  samePattern(A: CSCMatrix): boolean {
    if (A.shape[0] !== this.n || A.indices.length !== this.ai.length) return false;
    for (let j = 0; j <= this.n; j++) if (A.indptr[j] !== this.ap[j]) return false;
    for (let p = 0; p < this.ai.length; p++) if (A.indices[p] !== this.ai[p]) return false;
    return true;
  }

  /** @internal The numeric phase on the values of a matrix already checked to have this pattern. */
  numeric(fn: string, values: Float64Array): SparseCholesky {
    const { n, cp, ci, parent, lp, perm } = this;
    const cx = new Float64Array(ci.length);
    for (let p = 0; p < values.length; p++) if (this.slot[p] >= 0) cx[this.slot[p]] += values[p];
    const li = new Int32Array(this.nnzL);
    const lx = new Float64Array(this.nnzL);
    const fillPos = lp.slice(0, n);
    const x = new Float64Array(n);
    const s = new Int32Array(n);
    const stamp = new Int32Array(n);
    for (let k = 0; k < n; k++) {
      let top = ereach(k, cp, ci, parent, s, stamp);
      for (let p = cp[k]; p < cp[k + 1]; p++) x[ci[p]] += cx[p];
      let d = x[k];
      x[k] = 0;
      for (; top < n; top++) {
        const i = s[top];
        const lki = x[i] / lx[lp[i]];
        x[i] = 0;
        const end = fillPos[i];
        for (let p = lp[i] + 1; p < end; p++) x[li[p]] -= lx[p] * lki;
        d -= lki * lki;
        const q = fillPos[i]++;
        li[q] = k;
        lx[q] = lki;
      }
      if (!(d > 0)) throw new NotPositiveDefiniteError(fn, perm[k]);
      const q = fillPos[k]++;
      li[q] = k;
      lx[q] = Math.sqrt(d);
    }
    return new SparseCholesky(this, lp, li, lx);
  }
}

/**
 * A sparse Cholesky factorization P A P^T = L L^T (scikit-sparse's `Factor`): solve, log-determinant,
 * and refactorization of a matrix with the same pattern without a new analysis (Davis 2006,
 * up-looking Cholesky). Solves cost O(nnz(L)) per right-hand side; `refactor` the numeric
 * factorization only. Errors: see `solve` and `refactor`.
 * @example
 * ```ts
 * import { poisson, sparseCholesky } from '@krylov/solvers';
 * const a = poisson([10, 10]);
 * const f = sparseCholesky(a);
 * const f2 = f.refactor(a.scale(2)); // new values, same pattern: symbolic analysis reused
 * console.assert(Math.abs(f2.logdet() - (f.logdet() + 100 * Math.log(2))) < 1e-9, 'log det(2A) = log det A + n log 2');
 * ```
 */
export class SparseCholesky {
  readonly symbolic: CholeskySymbolic;
  private readonly lp: Int32Array;
  private readonly li: Int32Array;
  private readonly lx: Float64Array;
  private lCache: CSCMatrix | null = null;

  /** @internal */
  constructor(symbolic: CholeskySymbolic, lp: Int32Array, li: Int32Array, lx: Float64Array) {
    this.symbolic = symbolic;
    this.lp = lp;
    this.li = li;
    this.lx = lx;
  }

  /** The permutation: perm[k] is the original index of row/column k of L. */
  get perm(): Int32Array {
    return this.symbolic.perm;
  }

  /** nnz(L), diagonal included. */
  get nnzL(): number {
    return this.symbolic.nnzL;
  }

  /** The lower-triangular factor L of P A P^T (CSC, diagonal first in each column). */
  get L(): CSCMatrix {
    const n = this.symbolic.n;
    this.lCache ??= new CSCMatrix([n, n], this.lp, this.li, this.lx);
    return this.lCache;
  }

  /**
   * x = A^-1 b by x = P^T L^-T L^-1 P b. b is a vector (returns shape [n]) or an n x k NDArray.
   * O(nnz(L)) per column. @throws ShapeError when b has the wrong length.
   */
  solve(b: VectorLike): NDArray<'float64'> {
    return solveColumns('SparseCholesky.solve', b, this.symbolic.n, (x) => this.solveInPlace(x));
  }

  /** @internal A^-1 x into x (unvalidated). */
  solveInPlace(x: Float64Array): void {
    const { n, perm } = this.symbolic;
    const { lp, li, lx } = this;
    const y = new Float64Array(n);
    for (let k = 0; k < n; k++) y[k] = x[perm[k]];
    for (let j = 0; j < n; j++) {
      const yj = (y[j] /= lx[lp[j]]);
      for (let p = lp[j] + 1; p < lp[j + 1]; p++) y[li[p]] -= lx[p] * yj;
    }
    for (let j = n - 1; j >= 0; j--) {
      let t = y[j];
      for (let p = lp[j] + 1; p < lp[j + 1]; p++) t -= lx[p] * y[li[p]];
      y[j] = t / lx[lp[j]];
    }
    for (let k = 0; k < n; k++) x[perm[k]] = y[k];
  }

  /** log det A = 2 sum log L_jj (finite for any SPD A, where det itself may overflow). O(n). */
  logdet(): number {
    const { n } = this.symbolic;
    const lp = this.lp;
    let s = 0;
    for (let j = 0; j < n; j++) s += Math.log(this.lx[lp[j]]);
    return 2 * s;
  }

  /**
   * The factorization of another matrix with the same pattern, reusing this symbolic analysis
   * (scikit-sparse's `cholesky_inplace`, without mutating this factor).
   * @throws as `CholeskySymbolic.factor`.
   */
  refactor(a: SparseMatrix | NDArray, options?: { checkSymmetry?: boolean }): SparseCholesky {
    return this.symbolic.factor(a, options);
  }
}

/**
 * Symbolic analysis for a sparse Cholesky factorization of a symmetric matrix (scikit-sparse's
 * `analyze`; Davis 2006, ch. 4): ordering, elimination tree, postorder, column counts and nnz(L),
 * from the pattern. O(nnz(L)) plus the ordering's cost (AMD: about O(nnz) in practice).
 * @example
 * ```ts
 * import { analyzeCholesky, poisson } from '@krylov/solvers';
 * const sym = analyzeCholesky(poisson([10, 10]), { ordering: 'amd' });
 * console.assert(sym.ordering === 'amd' && sym.nnzL >= 100, 'fill predicted before any arithmetic');
 * ```
 * @throws ShapeError for a non-square A; InvalidArgumentError for a bad option or ordering.
 */
export function analyzeCholesky(
  a: SparseMatrix | NDArray,
  options?: SparseCholeskyOptions,
): CholeskySymbolic {
  const fn = 'analyzeCholesky';
  checkOptions(fn, options, OPTION_KEYS);
  const A = squareCSC(fn, a, 'A', true);
  return analyzeCSC(fn, A, options?.ordering);
}

/** @internal */
export function analyzeCSC(fn: string, A: CSCMatrix, ordering: unknown): CholeskySymbolic {
  const perm = resolveOrdering(fn, A, ordering);
  return new CholeskySymbolic(
    A,
    perm,
    typeof ordering === 'string' ? ordering : ordering === undefined ? 'amd' : 'given',
  );
}

/**
 * Sparse Cholesky factorization P A P^T = L L^T of a symmetric positive definite matrix (what
 * scikit-sparse's `cholesky` gives SciPy users): `analyzeCholesky` followed by the up-looking numeric
 * phase. Accurate to a scaled residual ||P A P^T - L L^T|| / (n eps ||A||) of order 1.
 * Time O(sum_j |L_j|^2), memory O(nnz(L)); with AMD on a 2-D grid nnz(L) = O(n log n).
 * @example
 * ```ts
 * import { poisson, sparseCholesky } from '@krylov/solvers';
 * const A = poisson([30, 30]); // SPD, n = 900
 * const b = new Float64Array(900).fill(1);
 * const F = sparseCholesky(A);
 * const x = F.solve(b); // NDArray [900]
 * const r = A.matvec(Float64Array.from(x.toFlatArray())).map((v, i) => v - b[i]);
 * console.assert(Math.max(...r.map(Math.abs)) < 1e-10, 'A x = b');
 * const F2 = F.refactor(A.scale(2)); // same pattern: the symbolic analysis is reused
 * console.assert(Math.abs(F2.logdet() - (F.logdet() + 900 * Math.LN2)) < 1e-8, 'det(2A) = 2^n det(A)');
 * ```
 * @throws ShapeError for a non-square A; InvalidArgumentError when A is not symmetric (with its
 *   relative asymmetry) or an option is bad; NotPositiveDefiniteError with the original index of
 *   the column whose pivot was not positive.
 */
export function sparseCholesky(a: SparseMatrix | NDArray, options?: SparseCholeskyOptions): SparseCholesky {
  const fn = 'sparseCholesky';
  checkOptions(fn, options, OPTION_KEYS);
  checkSymmetricMatrix(fn, 'A', a, options?.checkSymmetry ?? true);
  const A = squareCSC(fn, a, 'A', true);
  return analyzeCSC(fn, A, options?.ordering).numeric(fn, A.data);
}
