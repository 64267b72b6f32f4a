// Registers the native plugin for the test files that import this, and says whether the addon is
// built. The operand builders and comparisons are the conformance suite's (@krylov/conformance),
// which also registers the pure-JS LAPACK kernels that are the oracle.
import { use } from '@krylov/core-array';
import { nativeAddon, plugin } from '../src/index.js';

use(plugin);

/** Whether the addon is built; native tests are skipped (only) when it is not. */
export const built = nativeAddon() !== null;

export {
  COND,
  DTYPES,
  epsOf,
  f64,
  fixSigns,
  fro,
  layouts,
  logspace,
  mm,
  on,
  relErr,
  scaled,
  symmetricWith,
  untouchedOutside,
} from '@krylov/conformance';
