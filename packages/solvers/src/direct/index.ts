export {
  CholeskySymbolic,
  type SparseCholeskyOptions,
  SparseCholesky,
  analyzeCholesky,
  eliminationTree,
  postorder,
  sparseCholesky,
} from './cholesky.js';
export { type SpiluOptions, type SpluOptions, SparseLU, factorized, spilu, splu, spsolve } from './lu.js';
export { type Ordering, amd } from './ordering.js';
export { rcm } from './rcm.js';
