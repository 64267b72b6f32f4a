/**
 * @krylov/conformance: the kernel test suite every Krylov backend runs. For every kernel of
 * core-array's catalogue it holds reference cases (sizes 0 and 1, odd, tall and wide shapes,
 * every layout a view can have, float64 and float32, ill-conditioned inputs, aliasing at the
 * public boundary) and tolerances (elementwise against the pure-JS kernels for BLAS, LAPACK's
 * scaled residuals for factorizations), and registers them as tests of the caller's framework.
 */
// registers the pure-JS LAPACK kernels (potrf, getrf, geqrf, gesdd, ...) that are the oracle
import { cholesky } from '@krylov/decompositions';

void cholesky;

export {
  type ConformanceCase,
  ConformanceFailure,
  DECLINED,
  type Declined,
  type Tester,
  casesFor,
} from './harness.js';
export {
  CATALOGUE,
  type CaseStatus,
  type ConformanceOptions,
  type ConformanceReport,
  type KernelReport,
  type KnownGap,
  conformanceCases,
  formatReport,
  runConformance,
} from './suite.js';
export {
  COND,
  DTYPES,
  type Layout,
  conditioned,
  epsOf,
  eye,
  f64,
  fixSigns,
  fro,
  layouts,
  logspace,
  mm,
  on,
  orthogonality,
  pairs,
  ref,
  relErr,
  scaled,
  solveResidual,
  stridedVec,
  symmetricWith,
  untouchedOutside,
  variants,
} from './util.js';
