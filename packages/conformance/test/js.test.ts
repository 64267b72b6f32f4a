// The suite on the pure-JS kernels themselves: the oracle must pass its own cases.
import { afterAll, describe, it } from 'vitest';
import { runConformance } from '../src/index.js';

runConformance({ backend: 'js', describe, it, afterAll });
