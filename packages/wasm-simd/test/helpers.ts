// The shared operand builders and comparisons come from @krylov/conformance; this file registers
// the plugin for the test files that import it.
import { use } from '@krylov/core-array';
import { plugin } from '../src/index.js';

use(plugin);

export {
  DTYPES,
  epsOf,
  f64,
  layouts,
  on,
  relErr,
  stridedVec,
  untouchedOutside,
  variants,
} from '@krylov/conformance';
