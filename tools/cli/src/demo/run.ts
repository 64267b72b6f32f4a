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
import type { DemoSection } from './types.js';

/** The demo sections, one per package. */
export const SECTIONS: DemoSection[] = [core, decompositions, solvers, sketching, optimizers, diffusion, gpu];

/**
 * `krylov demo`: detects backends, then runs every section on each available CPU backend (with js as
 * the fallback), and device sections (WebGPU) once on their own backend. Each CPU section runs once
 * untimed on each backend before its timed run, so no time includes compiling the code that backend
 * runs (the pure-JS panels and kernels are compiled at their first use, whichever backend is first).
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
    for (const b of s.backend ? [s.backend] : cpu.map((c) => c.name)) {
      if (!s.backend) await withBackends([b, 'js'], () => s.run());
      const results = await withBackends([b, 'js'], () => s.run());
      for (const r of results) rows.push([s.package, r.task, b, r.accuracy, formatMs(r.ms)]);
    }
  }
  log(textTable(rows));
  log('time: one timed run per backend, after an untimed warm-up run of each CPU section on that backend');
}
