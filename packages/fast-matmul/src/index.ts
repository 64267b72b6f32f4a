/**
 * @krylov/fast-matmul: fast bilinear matrix-multiplication schemes (Strassen, Winograd, Laderman,
 * flip-graph and AlphaTensor schemes, tensor products and direct sums of them) with exact
 * Brent-equation checks, recursive execution over whatever gemm the Krylov registry picks, and
 * measured accuracy. A plugin written as a third party would: nothing registers on import; call
 * `use(createFastMatmulPlugin())` and name the backend in `configure`/`withBackends`.
 */
export { classicalScheme, directSum, kron, rotateScheme, transposeScheme } from './algebra.js';
export {
  errorBound,
  errorFigures,
  type ErrorFigures,
  INPUT_KINDS,
  type InputKind,
  stabilityFactor,
  testMatrices,
} from './accuracy.js';
export { getScheme, SCHEME_NAMES, type SchemeName } from './catalog.js';
export { compileForms, type Form, type LinearProgram, programAdditions } from './cse.js';
export { compilePlan, type ExecStats, type Plan } from './execute.js';
export { type ParseOptions, parseScheme, toListing } from './format.js';
export { fastMatmul, fastSyrk, type MultiplyOptions } from './multiply.js';
export { DEFAULT_CUTOFF, DEFAULT_MAX_DEPTH, type RunOptions } from './options.js';
export { createFastMatmulPlugin, DEFAULT_CROSSOVER, type FastMatmulPluginOptions } from './plugin.js';
export { type Rational, parseRational, rational } from './rational.js';
export {
  type BrentEquation,
  BrentEquationError,
  checkBrent,
  naiveAdditions,
  type Scheme,
  SchemeError,
} from './scheme.js';
export { checkSymmetricScheme, SYMMETRIC_2X2, type SymmetricScheme } from './symmetric.js';
