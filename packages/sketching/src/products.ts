import { NDArray, gemv, matmul, zeros } from '@krylov/core-array';
import { CSRMatrix } from '@krylov/solvers';

/** A X for a dense or CSR A (a single column goes through gemv: gemm would repack A per call). */
export function mul(a: NDArray<'float64'> | CSRMatrix, x: NDArray): NDArray<'float64'> {
  if (a instanceof CSRMatrix) return a.matmul(x);
  if (x.shape[1] === 1)
    return gemv(a, x.reshape([x.shape[0]]).astype('float64')).reshape([a.shape[0], 1]) as NDArray<'float64'>;
  return matmul(a, x) as NDArray<'float64'>;
}

/** A^T X for a dense or CSR A, without forming A^T. O(nnz(A) cols(X)) for CSR. */
export function mulT(a: NDArray<'float64'> | CSRMatrix, x: NDArray): NDArray<'float64'> {
  if (!(a instanceof CSRMatrix)) {
    if (x.shape[1] === 1)
      return gemv(a, x.reshape([x.shape[0]]).astype('float64'), { trans: true }).reshape([
        a.shape[1],
        1,
      ]) as NDArray<'float64'>;
    return matmul(a.T, x) as NDArray<'float64'>;
  }
  const k = x.shape[1];
  const X = x.astype('float64').contiguous();
  const out = zeros([a.shape[1], k]);
  for (let i = 0; i < a.shape[0]; i++)
    for (let p = a.indptr[i]; p < a.indptr[i + 1]; p++) {
      const v = a.data[p];
      const base = a.indices[p] * k;
      for (let c = 0; c < k; c++) out.data[base + c] += v * X.data[i * k + c];
    }
  return out;
}

/** Squared Frobenius norm. */
export function frob2(a: NDArray<'float64'> | CSRMatrix): number {
  const d = a.data;
  let s = 0;
  for (let i = 0; i < d.length; i++) s += d[i] * d[i];
  return s;
}

/** Columns `cols` of a row-major matrix. */
export function takeColumns(a: NDArray<'float64'>, cols: ArrayLike<number>): NDArray<'float64'> {
  const [m, n] = a.shape;
  const k = cols.length;
  const out = new NDArray(new Float64Array(m * k), [m, k]);
  for (let i = 0; i < m; i++) for (let c = 0; c < k; c++) out.data[i * k + c] = a.data[i * n + cols[c]];
  return out;
}
