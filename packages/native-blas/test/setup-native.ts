// Registers the native backend ahead of js, so suites written for the pure-JS kernels run on it.
import { use } from '@krylov/core-array';
import { plugin } from '../src/index.js';

use(plugin);
