import {
  InvalidArgumentError,
  type NDArray,
  NDArray as NDArrayClass,
  NotPositiveDefiniteError,
  type SeedLike,
  ShapeError,
  SingularMatrixError,
  checkInteger,
  checkNumber,
  checkOptions,
  isNDArray,
  optionKeys,
} from '@krylov/core-array';
import { eigh, luFactor } from '@krylov/decompositions';
import { getrs } from '@krylov/decompositions/kernels';
import type { Preconditioner } from './iterative/common.js';
import { type OperatorLike, aslinearoperator } from './operator.js';
import { COOMatrix, CSRMatrix, type SparseMatrix, isSparse } from './sparse/formats.js';
import { checkSymmetricMatrix } from './sparse/symmetry.js';
import { dot, norm2, seededRng } from './vector.js';

function squareCSR(fn: string, a: SparseMatrix | NDArray): CSRMatrix {
  if (!isNDArray(a) && !isSparse(a))
    throw new InvalidArgumentError(fn, 'A', a, 'a sparse matrix or a dense NDArray');
  const csr = isNDArray(a) ? CSRMatrix.fromDense(a as NDArray) : a instanceof CSRMatrix ? a : a.toCSR();
  if (csr.shape[0] !== csr.shape[1]) throw new ShapeError(fn, 'A', 'expected a square matrix', csr.shape);
  return csr;
}

function invertedDiagonal(fn: string, a: CSRMatrix): Float64Array {
  const d = a.diagonal();
  return d.map((v, i) => {
    if (v === 0) throw new SingularMatrixError(fn, i, 'zero on the diagonal');
    return 1 / v;
  });
}

/**
 * Jacobi (diagonal) preconditioner M = diag(A)^-1 (Saad, "Iterative Methods for Sparse Linear
 * Systems", 2nd ed., 2003, sec. 10.2). O(n) to build and per application.
 * @example
 * ```ts
 * import { cg, jacobi, poisson } from '@krylov/solvers';
 * const a = poisson([30]).scale(1e3);
 * const r = cg(a, new Float64Array(30).fill(1), { M: jacobi(a) }); // M^-1 = diag(A)^-1
 * console.assert(r.converged, 'converged');
 * ```
 * @throws SingularMatrixError on a zero diagonal entry.
 */
export function jacobi(a: SparseMatrix | NDArray): Preconditioner {
  const inv = invertedDiagonal('jacobi', squareCSR('jacobi', a));
  return {
    name: 'jacobi',
    size: inv.length,
    apply: (r, out) => {
      for (let i = 0; i < inv.length; i++) out[i] = inv[i] * r[i];
    },
  };
}

const SSOR_OPTIONS_KEYS = optionKeys<SsorOptions>()('omega');

/** Options of {@link ssor}. */
export type SsorOptions = { omega?: number };

/**
 * Symmetric successive over-relaxation, M^-1 = omega (2 - omega) (D + omega U)^-1 D (D + omega L)^-1
 * for A = L + D + U (Saad 2003, 10.2): SPD for SPD A and 0 < omega < 2. One forward and one backward
 * sweep, O(nnz) per application.
 * @example
 * ```ts
 * import { cg, poisson, ssor } from '@krylov/solvers';
 * const a = poisson([20, 20]);
 * const plain = cg(a, new Float64Array(400).fill(1));
 * const pre = cg(a, new Float64Array(400).fill(1), { M: ssor(a, { omega: 1.5 }) });
 * console.assert(pre.converged && pre.iterations < plain.iterations, 'fewer iterations with SSOR');
 * ```
 * @throws InvalidArgumentError for omega outside (0, 2); SingularMatrixError on a zero diagonal.
 */
export function ssor(a: SparseMatrix | NDArray, options?: SsorOptions): Preconditioner {
  const fn = 'ssor';
  checkOptions(fn, options, SSOR_OPTIONS_KEYS);
  const omega =
    options?.omega === undefined
      ? 1
      : checkNumber(fn, 'options.omega', options.omega, {
          min: 0,
          max: 2,
          minExclusive: true,
          maxExclusive: true,
        });
  const A = squareCSR(fn, a);
  const d = A.diagonal();
  invertedDiagonal(fn, A);
  const { indptr, indices, data } = A;
  const n = d.length;
  const y = new Float64Array(n);
  return {
    name: `ssor(omega=${omega})`,
    size: n,
    apply: (r, out) => {
      for (let i = 0; i < n; i++) {
        let s = r[i];
        for (let p = indptr[i]; p < indptr[i + 1]; p++)
          if (indices[p] < i) s -= omega * data[p] * y[indices[p]];
        y[i] = s / d[i];
      }
      for (let i = 0; i < n; i++) y[i] *= d[i];
      for (let i = n - 1; i >= 0; i--) {
        let s = y[i];
        for (let p = indptr[i]; p < indptr[i + 1]; p++)
          if (indices[p] > i) s -= omega * data[p] * out[indices[p]];
        out[i] = s / d[i];
      }
      const c = omega * (2 - omega);
      for (let i = 0; i < n; i++) out[i] *= c;
    },
  };
}

/** Lower triangle of a CSR matrix (diagonal last in each row, indices sorted). */
function lowerTriangle(a: CSRMatrix): CSRMatrix {
  const coo = a.toCOO();
  const keep = Array.from(coo.rows.keys()).filter((p) => coo.cols[p] <= coo.rows[p]);
  return new COOMatrix(
    a.shape,
    keep.map((p) => coo.rows[p]),
    keep.map((p) => coo.cols[p]),
    keep.map((p) => coo.values[p]),
  ).toCSR();
}

const IC0_OPTIONS_KEYS = optionKeys<Ic0Options>()('checkSymmetry');

/** Options of {@link ic0}. */
export type Ic0Options = { checkSymmetry?: boolean };

/**
 * Incomplete Cholesky with zero fill, IC(0): L with the sparsity of tril(A) and L L^T = A on that
 * pattern (Meijerink & van der Vorst 1977; Saad 2003, 10.3). For symmetric positive definite A
 * (only the lower triangle is read). Exists for M-matrices such as Poisson Laplacians; may break
 * down otherwise. O(sum of squared row lengths) to build, O(nnz) per application.
 * A is checked for symmetry (O(nnz); `checkSymmetry: false` skips it and reads the lower triangle).
 * @example
 * ```ts
 * import { cg, ic0, poisson } from '@krylov/solvers';
 * const a = poisson([20, 20]);
 * const plain = cg(a, new Float64Array(400).fill(1));
 * const pre = cg(a, new Float64Array(400).fill(1), { M: ic0(a) });
 * console.assert(pre.converged && pre.iterations < plain.iterations, 'fewer iterations with IC(0)');
 * ```
 * @throws NotPositiveDefiniteError with the column where a pivot was not positive; ShapeError;
 *   InvalidArgumentError when A is not symmetric.
 */
export function ic0(a: SparseMatrix | NDArray, options?: Ic0Options): Preconditioner {
  const fn = 'ic0';
  checkOptions(fn, options, IC0_OPTIONS_KEYS);
  const csr = squareCSR(fn, a);
  checkSymmetricMatrix(fn, 'A', csr, options?.checkSymmetry);
  const L = lowerTriangle(csr);
  const { indptr, indices } = L;
  const val = L.data.slice();
  const n = L.shape[0];
  const diagAt = new Int32Array(n);
  const pos = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    const start = indptr[i];
    const end = indptr[i + 1];
    if (end === start || indices[end - 1] !== i) throw new NotPositiveDefiniteError(fn, i);
    for (let p = start; p < end; p++) pos[indices[p]] = p;
    for (let p = start; p < end - 1; p++) {
      const k = indices[p];
      // L[i,k] = (A[i,k] - sum_{j<k} L[i,j] L[k,j]) / L[k,k], over the shared pattern.
      let s = val[p];
      for (let q = indptr[k]; q < diagAt[k]; q++) {
        const at = pos[indices[q]];
        if (at >= start && at < p) s -= val[at] * val[q];
      }
      val[p] = s / val[diagAt[k]];
    }
    let dsum = val[end - 1];
    for (let p = start; p < end - 1; p++) dsum -= val[p] * val[p];
    if (!(dsum > 0)) throw new NotPositiveDefiniteError(fn, i);
    val[end - 1] = Math.sqrt(dsum);
    diagAt[i] = end - 1;
    for (let p = start; p < end; p++) pos[indices[p]] = -1;
  }
  const y = new Float64Array(n);
  return {
    name: 'ic0',
    size: n,
    apply: (r, out) => {
      for (let i = 0; i < n; i++) {
        let s = r[i];
        for (let p = indptr[i]; p < diagAt[i]; p++) s -= val[p] * y[indices[p]];
        y[i] = s / val[diagAt[i]];
      }
      out.set(y);
      for (let i = n - 1; i >= 0; i--) {
        out[i] /= val[diagAt[i]];
        const xi = out[i];
        for (let p = indptr[i]; p < diagAt[i]; p++) out[indices[p]] -= val[p] * xi;
      }
    },
  };
}

/**
 * Incomplete LU with zero fill, ILU(0): unit L and U with the sparsity of A and L U = A on that
 * pattern (Saad 2003, Alg. 10.4, IKJ order). Every diagonal entry must be stored.
 * O(sum of squared row lengths) to build, O(nnz) per application.
 * @example
 * ```ts
 * import { gmres, ilu0, poisson } from '@krylov/solvers';
 * const a = poisson([20, 20]);
 * const pre = gmres(a, new Float64Array(400).fill(1), { M: ilu0(a), restart: 50 });
 * console.assert(pre.converged && pre.iterations < 100, 'ILU(0)-preconditioned GMRES');
 * ```
 * @throws SingularMatrixError with the row of a zero (or missing) pivot; ShapeError.
 */
export function ilu0(a: SparseMatrix | NDArray): Preconditioner {
  const fn = 'ilu0';
  const A = squareCSR(fn, a);
  const { indptr, indices } = A;
  const val = A.data.slice();
  const n = A.shape[0];
  const diagAt = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++)
    for (let p = indptr[i]; p < indptr[i + 1]; p++) if (indices[p] === i) diagAt[i] = p;
  const pos = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    if (diagAt[i] < 0) throw new SingularMatrixError(fn, i, 'no stored diagonal entry');
    for (let p = indptr[i]; p < indptr[i + 1]; p++) pos[indices[p]] = p;
    for (let p = indptr[i]; p < diagAt[i]; p++) {
      const k = indices[p];
      const pivot = val[diagAt[k]];
      if (pivot === 0) throw new SingularMatrixError(fn, k);
      val[p] /= pivot;
      for (let q = diagAt[k] + 1; q < indptr[k + 1]; q++) {
        const at = pos[indices[q]];
        if (at >= 0) val[at] -= val[p] * val[q];
      }
    }
    if (val[diagAt[i]] === 0) throw new SingularMatrixError(fn, i);
    for (let p = indptr[i]; p < indptr[i + 1]; p++) pos[indices[p]] = -1;
  }
  return {
    name: 'ilu0',
    size: n,
    apply: (r, out) => {
      for (let i = 0; i < n; i++) {
        let s = r[i];
        for (let p = indptr[i]; p < diagAt[i]; p++) s -= val[p] * out[indices[p]];
        out[i] = s;
      }
      for (let i = n - 1; i >= 0; i--) {
        let s = out[i];
        for (let p = diagAt[i] + 1; p < indptr[i + 1]; p++) s -= val[p] * out[indices[p]];
        out[i] = s / val[diagAt[i]];
      }
    },
  };
}

const BLOCK_JACOBI_OPTIONS_KEYS = optionKeys<BlockJacobiOptions>()('blockSize');

/** Options of {@link blockJacobi}. */
export type BlockJacobiOptions = { blockSize: number };

/**
 * Block Jacobi: the inverse of the block diagonal of A (blocks of `blockSize`, the last one
 * smaller), each block factored by LU once (Saad, "Iterative Methods for Sparse Linear Systems",
 * 2nd ed., 2003, ch. 10 and 12). O(n b^2) to build, O(n b) per application.
 * @example
 * ```ts
 * import { cg, blockJacobi, poisson } from '@krylov/solvers';
 * const a = poisson([20, 20]);
 * const r = cg(a, new Float64Array(400).fill(1), { M: blockJacobi(a, { blockSize: 20 }) }); // one block per grid row
 * console.assert(r.converged, 'converged');
 * ```
 * @throws SingularMatrixError when a diagonal block is singular; InvalidArgumentError on a bad block size.
 */
export function blockJacobi(a: SparseMatrix | NDArray, options: BlockJacobiOptions): Preconditioner {
  const fn = 'blockJacobi';
  checkOptions(fn, options, BLOCK_JACOBI_OPTIONS_KEYS);
  const A = squareCSR(fn, a);
  const n = A.shape[0];
  const bs = checkInteger(fn, 'options.blockSize', options?.blockSize, { min: 1 });
  const blocks: { start: number; lu: NDArray<'float64'>; ipiv: Int32Array }[] = [];
  for (let start = 0; start < n; start += bs) {
    const size = Math.min(bs, n - start);
    const dense = new NDArrayClass(new Float64Array(size * size), [size, size]);
    for (let i = 0; i < size; i++)
      for (let p = A.indptr[start + i]; p < A.indptr[start + i + 1]; p++) {
        const j = A.indices[p] - start;
        if (j >= 0 && j < size) dense.data[i * size + j] += A.data[p];
      }
    const f = luFactor(dense);
    for (let k = 0; k < size; k++)
      if (f.lu.data[k * size + k] === 0)
        throw new SingularMatrixError(fn, start + k, `diagonal block at ${start} is singular`);
    blocks.push({ start, ...f });
  }
  return {
    name: `blockJacobi(${bs})`,
    size: n,
    apply: (r, out) => {
      out.set(r);
      for (const { start, lu, ipiv } of blocks) {
        const size = lu.shape[0];
        getrs({ lu, ipiv, b: new NDArrayClass(out, [size, 1], [1, 1], start), transpose: false });
      }
    },
  };
}

const LANCZOS_BOUNDS_OPTIONS_KEYS = optionKeys<LanczosBoundsOptions>()('steps', 'seed', 'checkSymmetry');

/** Options of {@link lanczosBounds}. */
export type LanczosBoundsOptions = { steps?: number; seed?: SeedLike; checkSymmetry?: boolean };

/**
 * Extreme eigenvalue bounds of a symmetric operator from `steps` Lanczos steps (full
 * reorthogonalization): [smallest Ritz value, largest Ritz value + last beta]. The upper end is a
 * safe overestimate in practice (Zhou & Li 2011); the lower one overestimates lambda_min.
 * Cost: min(steps, n) operator applications (`steps` default 20) plus O(n steps^2) for the
 * reorthogonalization.
 * A dense or sparse A is checked for symmetry (`checkSymmetry: false` skips it); a LinearOperator is
 * trusted.
 * @example
 * ```ts
 * import { lanczosBounds, poisson } from '@krylov/solvers';
 * const [lo, hi] = lanczosBounds(poisson([50]), { seed: 1 }); // the spectrum lies in (0, 4)
 * console.assert(lo > 0 && lo < hi && hi >= 3.99, 'bounds enclosing the spectrum');
 * ```
 * @throws ShapeError for a non-square A; InvalidArgumentError for bad options or a non-symmetric A.
 */
export function lanczosBounds(a: OperatorLike, options?: LanczosBoundsOptions): [number, number] {
  const fn = 'lanczosBounds';
  checkOptions(fn, options, LANCZOS_BOUNDS_OPTIONS_KEYS);
  const A = aslinearoperator(a);
  const n = A.shape[0];
  if (A.shape[1] !== n) throw new ShapeError(fn, 'A', 'expected a square operator', A.shape);
  checkSymmetricMatrix(fn, 'A', a, options?.checkSymmetry);
  const steps =
    options?.steps === undefined ? 20 : checkInteger(fn, 'options.steps', options.steps, { min: 1 });
  const m = Math.min(steps, n);
  if (n === 0) return [0, 0];
  const r = seededRng(fn, 'options.seed', options?.seed);
  const V: Float64Array[] = [Float64Array.from({ length: n }, () => r.nextNormal())];
  const v0 = norm2(V[0]);
  for (let i = 0; i < n; i++) V[0][i] /= v0;
  const alpha: number[] = [];
  const beta: number[] = [];
  for (let j = 0; j < m; j++) {
    const w = A.matvec(V[j]);
    alpha.push(dot(w, V[j]));
    for (const v of V) {
      const h = dot(w, v);
      for (let i = 0; i < n; i++) w[i] -= h * v[i];
    }
    const b = norm2(w);
    beta.push(b);
    if (b === 0 || j === m - 1) break;
    V.push(w.map((x) => x / b));
  }
  const k = alpha.length;
  const t = new NDArrayClass(new Float64Array(k * k), [k, k]);
  for (let i = 0; i < k; i++) {
    t.data[i * k + i] = alpha[i];
    if (i + 1 < k) t.data[i * k + i + 1] = t.data[(i + 1) * k + i] = beta[i];
  }
  const theta = eigh(t, { vectors: false }).values.data;
  return [theta[0], theta[k - 1] + beta[k - 1]];
}

const CHEBYSHEV_OPTIONS_KEYS = optionKeys<ChebyshevOptions>()('degree', 'bounds', 'seed', 'checkSymmetry');

/** Options of {@link chebyshev}. */
export type ChebyshevOptions = {
  degree?: number;
  bounds?: [number, number];
  seed?: SeedLike;
  checkSymmetry?: boolean;
};

/**
 * Chebyshev polynomial preconditioner: `degree` steps of the Chebyshev iteration for A z = r from
 * z = 0 (Saad 2003, Alg. 12.1), a fixed polynomial p(A) ~ A^-1 on [lmin, lmax]. SPD when lmax bounds
 * the spectrum, so usable in CG. Bounds default to `lanczosBounds` (20 Lanczos steps).
 * O(degree) matvecs per application; no inner products (attractive in parallel).
 * @example
 * ```ts
 * import { cg, chebyshev, poisson } from '@krylov/solvers';
 * const a = poisson([20, 20]);
 * const plain = cg(a, new Float64Array(400).fill(1));
 * const pre = cg(a, new Float64Array(400).fill(1), { M: chebyshev(a, { degree: 4, seed: 1 }) });
 * console.assert(pre.converged && pre.iterations < plain.iterations, 'polynomial preconditioner');
 * ```
 * @throws InvalidArgumentError when the bounds are not 0 < lmin < lmax or degree < 1.
 */
export function chebyshev(a: OperatorLike, options?: ChebyshevOptions): Preconditioner {
  const fn = 'chebyshev';
  checkOptions(fn, options, CHEBYSHEV_OPTIONS_KEYS);
  const A = aslinearoperator(a);
  const n = A.shape[0];
  if (A.shape[1] !== n) throw new ShapeError(fn, 'A', 'expected a square operator', A.shape);
  checkSymmetricMatrix(fn, 'A', a, options?.checkSymmetry);
  const degree =
    options?.degree === undefined ? 5 : checkInteger(fn, 'options.degree', options.degree, { min: 1 });
  const bounds = options?.bounds;
  if (
    bounds !== undefined &&
    !(
      Array.isArray(bounds) &&
      bounds.length === 2 &&
      bounds.every((v) => typeof v === 'number' && Number.isFinite(v))
    )
  )
    throw new InvalidArgumentError(fn, 'options.bounds', bounds, 'two finite numbers [lmin, lmax]');
  const [lmin, lmax] = bounds ?? lanczosBounds(A, { seed: options?.seed, checkSymmetry: false });
  if (!(lmin > 0 && lmax > lmin))
    throw new InvalidArgumentError(
      fn,
      'options.bounds',
      [lmin, lmax],
      '0 < lmin < lmax (A must be positive definite)',
    );
  const theta = (lmax + lmin) / 2;
  const delta = (lmax - lmin) / 2;
  const sigma = theta / delta;
  const res = new Float64Array(n);
  const d = new Float64Array(n);
  const ad = new Float64Array(n);
  return {
    name: `chebyshev(${degree})`,
    size: n,
    apply: (r, out) => {
      res.set(r);
      for (let i = 0; i < n; i++) out[i] = d[i] = r[i] / theta;
      let rho = 1 / sigma;
      for (let k = 1; k < degree; k++) {
        A.matvec(d, ad);
        const rhoNew = 1 / (2 * sigma - rho);
        for (let i = 0; i < n; i++) {
          res[i] -= ad[i];
          d[i] = rhoNew * rho * d[i] + ((2 * rhoNew) / delta) * res[i];
          out[i] += d[i];
        }
        rho = rhoNew;
      }
    },
  };
}

const NEUMANN_OPTIONS_KEYS = optionKeys<NeumannOptions>()('degree');

/** Options of {@link neumann}. */
export type NeumannOptions = { degree?: number };

/**
 * Truncated Neumann series M = sum_{i=0}^{degree} (I - D^-1 A)^i D^-1 (Jacobi-scaled; Dubois,
 * Greenbaum & Rodrigue 1979): converges to A^-1 when the spectral radius of I - D^-1 A is below 1.
 * O(degree) matvecs per application.
 * @example
 * ```ts
 * import { cg, neumann, poisson } from '@krylov/solvers';
 * const a = poisson([30]);
 * const r = cg(a, new Float64Array(30).fill(1), { M: neumann(a, { degree: 2 }) });
 * console.assert(r.converged, 'converged');
 * ```
 * @throws InvalidArgumentError for degree < 0; SingularMatrixError on a zero diagonal.
 */
export function neumann(a: SparseMatrix | NDArray, options?: NeumannOptions): Preconditioner {
  const fn = 'neumann';
  checkOptions(fn, options, NEUMANN_OPTIONS_KEYS);
  const degree =
    options?.degree === undefined ? 2 : checkInteger(fn, 'options.degree', options.degree, { min: 0 });
  const A = squareCSR(fn, a);
  const inv = invertedDiagonal(fn, A);
  const n = inv.length;
  const z = new Float64Array(n);
  const ay = new Float64Array(n);
  return {
    name: `neumann(${degree})`,
    size: n,
    apply: (r, out) => {
      for (let i = 0; i < n; i++) out[i] = z[i] = inv[i] * r[i];
      for (let k = 0; k < degree; k++) {
        A.matvec(out, ay);
        for (let i = 0; i < n; i++) out[i] += z[i] - inv[i] * ay[i];
      }
    },
  };
}
