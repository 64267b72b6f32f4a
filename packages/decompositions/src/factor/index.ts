export { cholesky, potrf, potrs } from './cholesky.js';
export { getrf, getrs, lu, type LUFactor, luFactor, luSolve } from './lu.js';
export { geqrf, orgqr, qr, type QRMode } from './qr.js';
export { type Assume, det, inv, lstsq, slogdet, solve } from './solve.js';
