/**
 * @krylov/solvers/kernels: the validated sparse kernel dispatchers `spmv` and `spmm`, for plugin
 * authors and code that manages its own CSR arrays and output vectors. An internal entry point, not
 * the package's public API (semver does not cover it): users multiply with `CSRMatrix.matvec`,
 * `rmatvec` and `matmul`. Each call checks its operands (the CSR structure in O(m + nnz)), then
 * dispatches through the registry; the signatures are core-array's catalogue entries.
 */
export { spmm, spmv } from './sparse/kernels.js';
