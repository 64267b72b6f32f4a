import { runConformance } from '@krylov/conformance';
// The kernel conformance suite (@krylov/conformance) on the webgpu backend: its async-only float32
// gemm, gemmBatched and gemv, with the size threshold at 0 and software adapters (SwiftShader in
// CI) allowed; float64 calls are declined by design and reported as declined.
import { use } from '@krylov/core-array';
import { afterAll, describe, it } from 'vitest';
import { THRESHOLDS, plugin } from '../src/index.js';
import { requireGpu } from './helpers.js';

// without an adapter (outside CI) the suite registers one declared skip naming the probe's reason
await requireGpu();
use(plugin);
Object.assign(THRESHOLDS, { minFlops: 0, allowSoftware: true });
runConformance({ backend: 'webgpu', describe, it, afterAll });
