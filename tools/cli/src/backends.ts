import { listBackends } from '@krylov/core-array';
import { loadBackendPlugins } from './plugins.js';
import { textTable } from './table.js';

/** `krylov backends`: every backend, available or not and why, plus plugin packages that did not load. */
export async function backendsCommand(json: boolean): Promise<string> {
  const plugins = await loadBackendPlugins();
  const backends = listBackends();
  if (json) return JSON.stringify({ backends, plugins }, null, 2);
  const rows = [['backend', 'priority', 'status', 'kernels', 'details']];
  for (const b of backends) {
    const details = Object.entries(b.details ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join(', ');
    rows.push([
      b.name,
      String(b.priority),
      b.available ? 'available' : `unavailable: ${b.reason}`,
      String(b.kernels.length),
      details,
    ]);
  }
  const notLoaded = plugins.filter((p) => !p.loaded).map((p) => `  ${p.name}: ${p.reason}`);
  return [
    textTable(rows),
    ...(notLoaded.length ? ['', 'plugin packages not loaded:', ...notLoaded] : []),
  ].join('\n');
}
