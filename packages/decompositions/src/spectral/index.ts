export { cond, type MatrixOrder, matrixNorm, matrixRank, nullSpace, orth, pinv } from './derived.js';
export { type EighOptions, eigh } from './eigh.js';
export { svd, type SvdMode } from './svd.js';
export {
  type DiagonalBlock,
  type Eig,
  eig,
  eigvals,
  hessenberg,
  schur,
  schurBlocks,
  solveSylvesterBlock,
} from './schur.js';
