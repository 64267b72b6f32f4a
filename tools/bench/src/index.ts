/**
 * @krylov/bench (private): what a package's `bench/*.bench.ts` suite imports. Bench files run from
 * source under the CLI's `krylov bench` (through tsx), so this package ships TypeScript, not a build.
 * Python comparison scripts import the timing rule from `src/timing.py`.
 */
export type { BenchCase, BenchSuite, ExternalTiming } from './types.js';
export { lineChart } from './svg.js';
export { lineWorker } from './worker.js';
