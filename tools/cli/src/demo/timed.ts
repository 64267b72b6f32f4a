import type { DemoResult } from './types.js';

/**
 * One demo row: `work` run once and timed, then `check` on its result, untimed, so the time
 * column is the workload alone and not the residual computed to judge it.
 */
export function timed<T>(task: string, work: () => T, check: (result: T) => string): DemoResult {
  const t0 = performance.now();
  const result = work();
  const ms = performance.now() - t0;
  return { task, accuracy: check(result), ms };
}
