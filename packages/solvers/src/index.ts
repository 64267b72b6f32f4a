/**
 * @krylov/solvers: sparse matrices (COO, CSR, CSC, Matrix Market I/O), linear operators, Krylov
 * solvers with SciPy's stopping rules, Lanczos eigensolvers, preconditioners, mixed-precision
 * refinement and Krylov subspace recycling.
 */
export * from './sparse/index.js';
export * from './operator.js';
export * from './iterative/index.js';
export * from './preconditioners.js';
export type { VectorLike } from './vector.js';
export {
  type LeastSquaresRefinementResult,
  type RefinementResult,
  refine,
  refineLeastSquares,
} from './refinement.js';
export { type RecycledSolveResult, RecyclingCG } from './recycling.js';
export { type RidgeResult, ridge } from './dense/ridge.js';
export { discreteLyapunov, lyapunov, sylvester } from './dense/sylvester.js';
// The dense direct solvers live in @krylov/decompositions; re-exported so a scipy.linalg user finds them here too.
export { lstsq, solve, solveBanded } from '@krylov/decompositions';
export * from './direct/index.js';
export type { ShiftInvertMode, SvdsOptions } from './iterative/lanczos.js';
