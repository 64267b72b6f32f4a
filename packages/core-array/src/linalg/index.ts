export {
  axpy,
  dot,
  gemv,
  ger,
  nrm2,
  scal,
  syrk,
  type TriangularOptions,
  trmm,
  trmv,
  trsm,
  trsv,
} from './blas.js';
export { gemm, type GemmOptions, matmul, matmulAsync, outer } from './matmul.js';
