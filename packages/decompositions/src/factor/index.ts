export { cholesky, pivotedCholesky, potrf, potrs } from './cholesky.js';
export { gesv, getrf, getrs, lu, type LUFactor, luFactor, luSolve } from './lu.js';
export { geqp3, geqrf, orgqr, qr, type QR, type QRMode } from './qr.js';
export { type Assume, det, inv, lstsq, slogdet, solve } from './solve.js';
export { solveBanded } from './banded.js';
export { ldl } from './ldl.js';
export { ormqr } from './ormqr.js';
export { trtrs } from './trtrs.js';
