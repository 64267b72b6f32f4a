import { InvalidArgumentError, NotPositiveDefiniteError, isNDArray } from '@krylov/core-array';
import { CSRMatrix, isSparse } from '../sparse/formats.js';
import { analyzeCSC } from './cholesky.js';
import { luFactorCSC } from './lu.js';
import { resolveOrdering } from './ordering.js';

type Apply = (x: Float64Array, out: Float64Array) => void;

/** A sparse or dense NDArray operand as CSR, or null for anything else (a LinearOperator). */
export function matrixCSR(a: unknown): CSRMatrix | null {
  if (isNDArray(a)) return CSRMatrix.fromDense(a);
  if (isSparse(a)) return a instanceof CSRMatrix ? a : a.toCSR();
  return null;
}

function identity(n: number): CSRMatrix {
  const ids = Int32Array.from({ length: n + 1 }, (_, j) => j);
  return new CSRMatrix([n, n], ids, ids.subarray(0, n), new Float64Array(n).fill(1));
}

/**
 * x -> (A - sigma M)^-1 x for symmetric A and M (M = I when null), the operator of shift-invert
 * Lanczos. A - sigma M is factored once: sparse Cholesky (AMD) when its diagonal is positive (the
 * shift lies below the spectrum: sigma = 0 for an SPD A), falling back to sparse LU with partial
 * pivoting when Cholesky meets a non-positive pivot (a shift inside the spectrum).
 * @throws SingularMatrixError when sigma is an eigenvalue (A - sigma M singular), naming the column.
 */
export function shiftInvert(fn: string, A: CSRMatrix, M: CSRMatrix | null, sigma: number): Apply {
  const n = A.shape[0];
  // Symmetric (checked by the callers), so the CSR arrays are those of the CSC of the same matrix.
  const C = (sigma === 0 ? A : A.add((M ?? identity(n)).scale(-sigma))).transpose();
  const perm = resolveOrdering(fn, C, 'amd');
  if (C.diagonal().every((d) => d > 0)) {
    try {
      const F = analyzeCSC(fn, C, perm).numeric(fn, C.data);
      return (x, out) => {
        out.set(x);
        F.solveInPlace(out);
      };
    } catch (e) {
      if (!(e instanceof NotPositiveDefiniteError)) throw e;
    }
  }
  const lu = luFactorCSC(fn, C, perm, 1, null);
  return (x, out) => {
    out.set(x);
    lu.solveN(out);
  };
}

/** C = P Q for CSR P (m x k) and Q (k x n) by Gustavson's row-by-row algorithm. O(flops + m + n). */
export function spgemm(P: CSRMatrix, Q: CSRMatrix): CSRMatrix {
  const [m] = P.shape;
  const n = Q.shape[1];
  const acc = new Float64Array(n);
  const where = new Int32Array(n).fill(-1);
  const indptr = new Int32Array(m + 1);
  const idx: number[] = [];
  const val: number[] = [];
  const row: number[] = [];
  for (let i = 0; i < m; i++) {
    row.length = 0;
    for (let p = P.indptr[i]; p < P.indptr[i + 1]; p++) {
      const k = P.indices[p];
      const v = P.data[p];
      for (let q = Q.indptr[k]; q < Q.indptr[k + 1]; q++) {
        const j = Q.indices[q];
        if (where[j] !== i) {
          where[j] = i;
          acc[j] = 0;
          row.push(j);
        }
        acc[j] += v * Q.data[q];
      }
    }
    row.sort((a, b) => a - b);
    for (const j of row) {
      idx.push(j);
      val.push(acc[j]);
    }
    indptr[i + 1] = idx.length;
  }
  return new CSRMatrix([m, n], indptr, Int32Array.from(idx), Float64Array.from(val));
}

/** The CSR of A^T for a CSR A. O(nnz). */
export function transposeCSR(A: CSRMatrix): CSRMatrix {
  return A.transpose().toCSR();
}

export function requireMatrix(fn: string, arg: string, a: unknown, why: string): CSRMatrix {
  const c = matrixCSR(a);
  if (c === null)
    throw new InvalidArgumentError(fn, arg, 'a LinearOperator', `a sparse or dense matrix (${why})`);
  return c;
}
