import { runConformance } from '@krylov/conformance';
// The kernel conformance suite (@krylov/conformance) on wasm-simd, with its size thresholds at 0
// so that its kernels take the small cases too (above them they run unchanged).
import { use } from '@krylov/core-array';
import { afterAll, describe, it } from 'vitest';
import { THRESHOLDS, plugin } from '../src/index.js';

use(plugin);
Object.assign(THRESHOLDS, { level3Float64: 0, level3Float32: 0, gemvSize: 0 });
runConformance({ backend: 'wasm-simd', describe, it, afterAll });
