import { listBackends, withBackends } from '@krylov/core-array';
import { loadBackendPlugins } from '../plugins.js';
import { formatMs, textTable } from '../table.js';
import { section as core } from './core-array.js';
import { section as decompositions } from './decompositions.js';
import { section as diffusion } from './diffusion-samplers.js';
import { section as gpu } from './gpu-webgpu.js';
import { section as optimizers } from './optimizers.js';
import { section as sketching } from './sketching.js';
import { section as solvers } from './solvers.js';
import type { DemoResult, DemoSection } from './types.js';

/** Timed runs of each CPU section per backend; rows report their median. */
const TIMED_RUNS = 3;

/** The demo sections, one per package. */
export const SECTIONS: DemoSection[] = [core, decompositions, solvers, sketching, optimizers, diffusion, gpu];

/**
 * `krylov demo`: detects backends, then runs every section on each available CPU backend (with js as
 * the fallback), and device sections (WebGPU) once on their own backend. A CPU section first runs
 * once untimed on every backend, then TIMED_RUNS rounds that run it once on each backend in turn;
 * a row reports the median. So no time includes compiling the pure-JS code the backends share
 * (the blocked factorizations' panels run on every CPU backend), the order of the backends does not
 * decide which one pays for warming it further, and a single slow run of a sub-millisecond task on
 * a shared machine does not make the row.
 */
export async function demoCommand(log: (s: string) => void): Promise<void> {
  await loadBackendPlugins();
  const available = listBackends().filter((b) => b.available);
  log(
    `backends: ${listBackends()
      .map((b) => `${b.name} (${b.available ? 'available' : `unavailable: ${b.reason}`})`)
      .join(', ')}`,
  );
  const rows = [['package', 'task', 'backend', 'accuracy', 'time']];
  const cpu = available.filter((b) => !SECTIONS.some((s) => s.backend === b.name));
  for (const s of SECTIONS) {
    if (s.backend) {
      for (const r of await withBackends([s.backend, 'js'], () => s.run()))
        rows.push([s.package, r.task, s.backend, r.accuracy, formatMs(r.ms)]);
      continue;
    }
    const names = cpu.map((c) => c.name);
    for (const b of names) await withBackends([b, 'js'], () => s.run());
    const runs = new Map<string, DemoResult[][]>(names.map((b) => [b, []]));
    for (let round = 0; round < TIMED_RUNS; round++)
      for (const b of names) runs.get(b)!.push(await withBackends([b, 'js'], () => s.run()));
    for (const [b, all] of runs)
      for (const [k, r] of all[0].entries()) {
        const ms = all.map((results) => results[k].ms).sort((x, y) => x - y)[Math.floor(TIMED_RUNS / 2)];
        rows.push([s.package, r.task, b, r.accuracy, formatMs(ms)]);
      }
  }
  log(textTable(rows));
  log(
    `time: median of ${TIMED_RUNS} runs per CPU backend (the backends take turns, after an untimed run on each); one run for device sections`,
  );
}
