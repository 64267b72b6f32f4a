export { COOMatrix, CSCMatrix, CSRMatrix, type SparseMatrix, isSparse } from './formats.js';
export { poisson, randomSparse } from './generators.js';
export { MatrixMarketError, readMatrixMarket, writeMatrixMarket } from './mtx.js';
export { checkSymmetricMatrix, sparseRelativeAsymmetry } from './symmetry.js';
