export { cond, matrixNorm, matrixRank, nullSpace, orth, pinv } from './derived.js';
export { eigh, syevd, syevr } from './eigh.js';
export { gesdd, svd, type SvdMode } from './svd.js';
export {
  type DiagonalBlock,
  type Eig,
  eig,
  eigvals,
  geev,
  hessenberg,
  schur,
  schurBlocks,
  solveSylvesterBlock,
} from './schur.js';
export { gelsd } from './gelsd.js';
