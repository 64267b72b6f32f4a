export { cholesky, pivotedCholesky } from './cholesky.js';
export { lu, type LUFactor, luFactor, luSolve } from './lu.js';
export { qr, type QR, type QRMode } from './qr.js';
export { type Assume, det, inv, lstsq, slogdet, solve } from './solve.js';
export { solveBanded } from './banded.js';
export { ldl } from './ldl.js';
