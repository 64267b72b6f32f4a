/**
 * @krylov/wasm-simd: a Krylov backend of WebAssembly kernels with 128-bit SIMD (f32x4, f64x2), for
 * installs without native code and for browsers. Register it with `use(plugin)` or
 * `init({ plugins: ['@krylov/wasm-simd'] })`; nothing is registered on import. The module (compiled
 * from src/wasm/kernels.c by clang) ships inline in the JavaScript, so there is no file to locate.
 * Where WebAssembly SIMD is missing the backend reports itself unavailable with the reason, and
 * every call falls back to the pure-JS kernels.
 */
import { type Availability, type Backend, BackendUnavailableError, type Plugin } from '@krylov/core-array';
import { wasmKernels } from './kernels.js';
import { Arena, type LoadResult, type WasmExports, loadAsync, loadSync } from './module.js';

export { THRESHOLDS } from './kernels.js';
export type { WasmExports } from './module.js';

let state: { exports: WasmExports; arena: Arena } | undefined;
let availability: Availability | undefined;

function settle(r: LoadResult): Availability {
  if (!r.exports) return { available: false, reason: `${r.error ?? 'unknown error'}` };
  state ??= { exports: r.exports, arena: new Arena(r.exports) };
  availability = {
    available: true,
    details: { simd: 'f32x4, f64x2', threads: 1, memoryMiB: Math.round(state.arena.memoryBytes / 2 ** 20) },
  };
  return availability;
}

/**
 * Availability of the wasm-simd backend: instantiates the module on the first call (synchronously;
 * about a millisecond in Node) and caches the answer. Unavailable, with the reason, where the
 * engine has no WebAssembly or no SIMD128, or (on a browser main thread) until `loadWasm()` resolves.
 */
export function probe(): Availability {
  if (availability) return availability;
  return settle(loadSync());
}

/**
 * Compiles and instantiates the module asynchronously: required once on a browser main thread
 * (which refuses synchronous compilation of modules over 4 KB) before the backend is available;
 * optional elsewhere. Resolves to the backend's availability.
 */
export async function loadWasm(): Promise<Availability> {
  if (availability) return availability;
  return settle(await loadAsync());
}

/** The instantiated module's exports, or null when it cannot load (see `probe().reason`). */
export function wasmExports(): WasmExports | null {
  probe();
  return state?.exports ?? null;
}

function requireWasm(): { exports: WasmExports; arena: Arena } {
  probe();
  if (!state) throw new BackendUnavailableError('wasm-simd', 'wasm-simd', probe().reason ?? 'not loaded');
  return state;
}

/**
 * The `wasm-simd` backend: priority 50 (below native at 100, above js at 0). Kernels: gemm,
 * gemmBatched, syrk, trsm and gemv in float64 and float32 on any strided view; each declines
 * (and the pure-JS kernel runs) below a measured size threshold, for other dtypes, and for
 * mismatched shapes, whose typed errors come from the pure-JS path.
 */
export const backend: Backend = {
  name: 'wasm-simd',
  priority: 50,
  description: 'WebAssembly SIMD128 kernels (packed, register-blocked gemm; clang-compiled)',
  probe,
  kernels: wasmKernels(requireWasm),
};

/** The plugin for `use(plugin)` or `init({ plugins: ['@krylov/wasm-simd'] })`. */
export const plugin: Plugin = { name: '@krylov/wasm-simd', backends: [backend] };
