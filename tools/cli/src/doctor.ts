import { type BackendStatus, listBackends } from '@krylov/core-array';
import { BACKEND_PACKAGES, type PluginLoad, loadBackendPlugins } from './plugins.js';

/** One backend's diagnosis: its status, why, and what to do about it. */
export interface Diagnosis {
  backend: string;
  status: 'available' | 'unavailable' | 'not installed';
  why: string;
  fix: string;
}

/** Fixes for reasons that do not carry their own "Fix: ..." part. */
const KNOWN: [RegExp, string, string][] = [
  [
    /cuda: (libcudart|libcublas|libcusolver)[\w.]* not found/,
    'CUDA runtime not found',
    'install the CUDA 12 runtime, cuBLAS and cuSOLVER (NVIDIA repository: apt install cuda-cudart-12-6 libcublas-12-6 libcusolver-12-6) and make them findable (LD_LIBRARY_PATH=/usr/local/cuda/lib64)',
  ],
  [
    /cuda: module not built/,
    'CUDA module not built',
    'install the CUDA toolkit (nvcc), then reinstall @krylov/native-blas with KRYLOV_CUDA=on and KRYLOV_NATIVE_BLAS_BUILD_FROM_SOURCE=1 (the prebuilt binaries have no CUDA module)',
  ],
  [/cuda: no CUDA device/, 'no CUDA device', 'run on a machine with an NVIDIA GPU and its driver'],
  [
    /no adapter|adapter/i,
    'no WebGPU adapter',
    'Node: install the optional `webgpu` (Dawn) package and a Vulkan/Metal/D3D12 driver; browsers: enable WebGPU',
  ],
];

/** Splits a probe reason ("what happened. Fix: what to do") into the two; known reasons get a fix. */
export function diagnose(b: Pick<BackendStatus, 'name' | 'available' | 'reason'>): Diagnosis {
  if (b.available) return { backend: b.name, status: 'available', why: '', fix: '' };
  const reason = b.reason ?? 'unavailable (no reason given)';
  const at = reason.indexOf(' Fix: ');
  if (at >= 0)
    return { backend: b.name, status: 'unavailable', why: reason.slice(0, at), fix: reason.slice(at + 6) };
  const known = KNOWN.find(([re]) => re.test(reason));
  return {
    backend: b.name,
    status: 'unavailable',
    why: known ? `${known[1]}: ${reason}` : reason,
    fix: known ? known[2] : '',
  };
}

/** The plugin packages that are not installed, as diagnoses. */
function missingPlugins(plugins: PluginLoad[]): Diagnosis[] {
  return plugins
    .filter((p) => !p.loaded)
    .map((p) =>
      p.reason === 'not installed'
        ? {
            backend: p.name,
            status: 'not installed' as const,
            why: 'package not installed',
            fix: `npm install ${p.name} (optional: only for its backend)`,
          }
        : { backend: p.name, status: 'unavailable' as const, why: `failed to load: ${p.reason}`, fix: '' },
    );
}

/** Formats diagnoses as the text `krylov doctor` prints: one block per backend. */
export function formatDoctor(items: Diagnosis[]): string {
  const out: string[] = [];
  for (const d of items) {
    out.push(`${d.status === 'available' ? 'ok  ' : 'no  '} ${d.backend}: ${d.status}`);
    if (d.why) out.push(`       why: ${d.why}`);
    if (d.fix) out.push(`       fix: ${d.fix}`);
  }
  return out.join('\n');
}

/**
 * `krylov doctor`: every backend (and backend plugin package), available or not, why, and the fix.
 * The causes come from each backend's probe (see @krylov/native-blas's README for the native ones).
 */
export async function doctorCommand(json: boolean): Promise<string> {
  const plugins = await loadBackendPlugins();
  const items = [...listBackends().map(diagnose), ...missingPlugins(plugins)];
  if (json)
    return JSON.stringify(
      { node: process.version, platform: `${process.platform}-${process.arch}`, backends: items },
      null,
      2,
    );
  return [
    `node ${process.version} on ${process.platform}-${process.arch}; plugin packages looked for: ${BACKEND_PACKAGES.join(', ')}`,
    formatDoctor(items),
  ].join('\n');
}
