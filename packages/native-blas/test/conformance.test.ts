import { runConformance } from '@krylov/conformance';
// The kernel conformance suite (@krylov/conformance) on the native backend, and on its CUDA module
// (a declared skip with the probe's reason on machines without a device).
import { use } from '@krylov/core-array';
import { afterAll, describe, it } from 'vitest';
import { plugin } from '../src/index.js';

use(plugin);
runConformance({ backend: 'native', describe, it, afterAll });
runConformance({ backend: 'cuda', describe, it, afterAll });
