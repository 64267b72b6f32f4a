import { describe, expect, it } from 'vitest';
import { type ProgressInfo, ddim, defineModel, initialNoise, sample, vpLinear } from '../src/index.js';

// A synchronous model that takes about 2 ms per evaluation: without time slicing, a timer could
// not fire before the whole run ends.
const slowModel = defineModel('epsilon', (y) => {
  const end = performance.now() + 2;
  while (performance.now() < end);
  const out = y.copy();
  out.data.fill(0);
  return out;
});

describe('sample with a synchronous model', () => {
  it('AbortSignal.timeout(50) rejects the run long before it would finish', async () => {
    const schedule = vpLinear();
    const x = initialNoise(schedule, [2, 4], 1);
    const t0 = performance.now();
    const run = sample(slowModel, ddim(), x, { schedule, steps: 1000, signal: AbortSignal.timeout(50) });
    await expect(run).rejects.toThrow(/timeout|abort/i);
    expect(performance.now() - t0).toBeLessThan(500);
  });

  it('reports iteration, fraction, step and time through onProgress', async () => {
    const schedule = vpLinear();
    const x = initialNoise(schedule, [2, 4], 1);
    const seen: ProgressInfo[] = [];
    await sample(slowModel, ddim(), x, { schedule, steps: 4, onProgress: (p) => seen.push(p) });
    expect(seen.map((p) => p.iteration)).toEqual([1, 2, 3, 4]);
    expect(seen.map((p) => p.fraction)).toEqual([0.25, 0.5, 0.75, 1]);
    expect(seen.every((p) => Number.isFinite(p.t))).toBe(true);
  });
});
