import { init } from '@krylov/core-array';

/** Backend plugin packages the CLI looks for; each is optional. */
export const BACKEND_PACKAGES = ['@krylov/native-blas', '@krylov/wasm-simd', '@krylov/gpu-webgpu'];

export interface PluginLoad {
  name: string;
  loaded: boolean;
  reason?: string;
}

/** Registers every installed backend plugin, reporting the ones that could not be loaded and why. */
export async function loadBackendPlugins(): Promise<PluginLoad[]> {
  const out: PluginLoad[] = [];
  for (const name of BACKEND_PACKAGES) {
    try {
      // Imported here, not by name inside core-array, so the CLI's own dependencies resolve.
      await init({ plugins: [await import(name)] });
      out.push({ name, loaded: true });
    } catch (e) {
      const message = (e as Error).message;
      const missing = /Cannot find (package|module)/.test(message);
      out.push({ name, loaded: false, reason: missing ? 'not installed' : message });
    }
  }
  return out;
}
