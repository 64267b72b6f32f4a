import { BackendUnavailableError, InvalidArgumentError, checkOptions } from './errors.js';
import type { KernelSignatures } from './kernels/signatures.js';
import { checkFunction, checkNumber } from './validate.js';

/**
 * The backend registry: the one place where packages meet backends. A *kernel* is a named,
 * typed operation (`KernelSignatures`); a *backend* is a named set of kernel implementations with
 * a priority and an availability probe. For each call, the first backend in the configured order
 * that is available, implements the kernel and accepts the arguments (`supports`) runs it; the
 * pure-JS backend implements every kernel, so every call has an answer. `explain` says which
 * backend would run and why the others were passed over.
 */

export type KernelName = keyof KernelSignatures & string;
export type KernelArgs<K extends KernelName> = KernelSignatures[K]['args'];
export type KernelResult<K extends KernelName> = KernelSignatures[K]['result'];

export interface KernelImpl<K extends KernelName> {
  /** Synchronous implementation. */
  run?: (args: KernelArgs<K>) => KernelResult<K>;
  /** Off-main-thread or device implementation; used by the async entry points. */
  runAsync?: (args: KernelArgs<K>) => Promise<KernelResult<K>>;
  /** `true` to accept these arguments, or a short reason to decline (size threshold, layout, dtype). */
  supports?: (args: KernelArgs<K>) => true | string;
}

export type KernelTable = { [K in KernelName]?: KernelImpl<K> };

export interface Availability {
  available: boolean;
  /** Why the backend is unavailable, and the fix when there is one. */
  reason?: string;
  /** Facts worth printing in `krylov backends` (library, threads, device...). */
  details?: Record<string, string | number | boolean>;
}

export interface Backend {
  readonly name: string;
  /** Higher runs first when no order is configured (js 0, wasm-simd 50, native 100). */
  readonly priority: number;
  readonly description?: string;
  /** Cheap and cached by the backend: called at every selection, so device loss shows at once. */
  probe(): Availability;
  readonly kernels: KernelTable;
}

/** What a package exports to be `use`d: backends, and kernels added to existing backends. */
export interface Plugin {
  readonly name: string;
  readonly backends?: readonly Backend[];
  readonly kernels?: readonly { backend: string; table: KernelTable }[];
  /**
   * Optional asynchronous preparation that `init()` awaits after registering the plugin (acquiring
   * a GPU device, compiling WebAssembly on a browser main thread). `use()` does not run it. It should
   * not throw: a backend that cannot start reports why through its probe.
   */
  readonly setup?: () => Promise<unknown>;
}

export interface Config {
  /** Backends to consider, in order; backends left out are not used. `null` restores priority order. */
  backends?: readonly string[] | null;
}

export interface Consideration {
  backend: string;
  chosen: boolean;
  reason: string;
}

export interface Explanation {
  kernel: string;
  mode: 'sync' | 'async';
  /** The backend that runs the call, or null when none can. */
  backend: string | null;
  considered: Consideration[];
}

interface State {
  backends: Map<string, Backend>;
  order: readonly string[] | null;
  scoped: (readonly string[])[];
}

// One registry per process, even when both the ESM and the CJS build of this package are loaded.
const STATE_KEY = Symbol.for('@krylov/core-array/registry');
const globalSlot = globalThis as unknown as Record<symbol, State | undefined>;
const state: State =
  globalSlot[STATE_KEY] ?? (globalSlot[STATE_KEY] = { backends: new Map(), order: null, scoped: [] });

function envOrder(): readonly string[] | null {
  const env = typeof process !== 'undefined' ? process.env?.KRYLOV_BACKENDS : undefined;
  if (!env) return null;
  return env
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** The order in force: the innermost `withBackends` scope, then `configure`, then `KRYLOV_BACKENDS`, then priority. */
export function backendOrder(): string[] {
  const explicit = state.scoped.at(-1) ?? state.order ?? envOrder();
  if (explicit) return [...explicit];
  return [...state.backends.values()].sort((a, b) => b.priority - a.priority).map((b) => b.name);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/**
 * Registers a backend. Registering the same object again is a no-op; another backend under a
 * taken name throws, since silently replacing kernels hides bugs.
 * @throws InvalidArgumentError for a duplicate name, or a value that is not a backend (a non-empty
 * `name`, a finite `priority`, a `probe` function and a `kernels` table).
 */
export function registerBackend(backend: Backend): void {
  const fn = 'registerBackend';
  if (!isObject(backend)) throw new InvalidArgumentError(fn, 'backend', backend, 'a backend object');
  if (typeof backend.name !== 'string' || backend.name === '')
    throw new InvalidArgumentError(fn, 'backend.name', backend.name, 'a non-empty string');
  checkNumber(fn, 'backend.priority', backend.priority);
  checkFunction(fn, 'backend.probe', backend.probe);
  if (!isObject(backend.kernels))
    throw new InvalidArgumentError(fn, 'backend.kernels', backend.kernels, 'a table of kernels');
  const existing = state.backends.get(backend.name);
  if (existing === backend) return;
  if (existing)
    throw new InvalidArgumentError(
      'registerBackend',
      'backend.name',
      backend.name,
      'a name not already registered (call unregisterBackend first)',
    );
  state.backends.set(backend.name, backend);
}

/** Removes a backend (no-op when absent). */
export function unregisterBackend(name: string): void {
  state.backends.delete(name);
}

/**
 * Adds kernels to a registered backend (a package contributing its pure-JS kernels to `js`, or a
 * plugin adding a kernel to `native`).
 * @throws BackendUnavailableError when the backend is not registered; InvalidArgumentError when
 * `table` is not an object.
 */
export function registerKernels(backend: string, table: KernelTable): void {
  if (!isObject(table))
    throw new InvalidArgumentError('registerKernels', 'table', table, 'a table of kernels');
  const b = state.backends.get(backend);
  if (!b) throw new BackendUnavailableError('registerKernels', backend, 'not registered');
  Object.assign(b.kernels, table);
}

/**
 * Registers a plugin's backends and kernels.
 * @throws InvalidArgumentError when `plugin` is not a plugin object (a non-empty `name`, and
 * `backends` and `kernels` arrays when present), or as `registerBackend` and `registerKernels`.
 */
export function use(plugin: Plugin): void {
  if (
    !isObject(plugin) ||
    typeof plugin.name !== 'string' ||
    plugin.name === '' ||
    !(plugin.backends === undefined || Array.isArray(plugin.backends)) ||
    !(plugin.kernels === undefined || Array.isArray(plugin.kernels))
  )
    throw new InvalidArgumentError(
      'use',
      'plugin',
      plugin,
      'a plugin object { name, backends?, kernels? } (a module exports it as `plugin`)',
    );
  for (const b of plugin.backends ?? []) registerBackend(b);
  for (const k of plugin.kernels ?? []) registerKernels(k.backend, k.table);
}

/**
 * Sets the backend order for the process (see `Config`). Names are checked for form only: a
 * backend may be registered after the order is set (a plugin loaded later), so a name that is not
 * registered when a kernel runs is passed over, and `explain` and `BackendUnavailableError` report
 * it as "not registered (is its plugin loaded?)".
 * @throws InvalidArgumentError for unknown keys or a list that is not an array of non-empty strings.
 */
export function configure(config: Config): void {
  if (typeof config !== 'object' || config === null)
    throw new InvalidArgumentError('configure', 'config', config, 'an options object');
  checkOptions('configure', config, ['backends']);
  if (config.backends !== undefined) state.order = validateOrder('configure', config.backends);
}

/**
 * Loads plugin packages by name (each exports `plugin`, or a default export that is one), registers
 * them and awaits each one's `setup`, then applies the rest of the configuration. A name is imported from @krylov/core-array's own
 * location; where that cannot see the plugin (pnpm workspaces, bundlers), pass the imported module
 * instead: `init({ plugins: [await import('@krylov/native-blas')] })`.
 * @throws InvalidArgumentError when a module does not export a plugin.
 */
export async function init(
  config: Config & { plugins?: readonly (string | Plugin | PluginModule)[] } = {},
): Promise<void> {
  checkOptions('init', config, ['backends', 'plugins']);
  for (const p of config.plugins ?? []) {
    const plugin = pluginOf(p, typeof p === 'string' ? await import(p) : p);
    use(plugin);
    await plugin.setup?.();
  }
  const { plugins: _plugins, ...rest } = config;
  configure(rest);
}

/** A plugin package's module namespace: it exports `plugin`, or a default export that is (or has) one. */
export interface PluginModule {
  plugin?: Plugin;
  default?: Plugin | { plugin?: Plugin };
}

function pluginOf(source: string | Plugin | PluginModule, mod: Plugin | PluginModule): Plugin {
  const m = mod as PluginModule & Partial<Plugin>;
  const plugin =
    typeof m.name === 'string' && !('plugin' in m)
      ? (m as Plugin)
      : (m.plugin ?? (m.default as { plugin?: Plugin })?.plugin ?? (m.default as Plugin | undefined));
  if (!plugin || typeof plugin.name !== 'string')
    throw new InvalidArgumentError('init', 'plugins', source, 'a plugin or a module exporting `plugin`');
  return plugin;
}

/**
 * Runs `fn` with a backend order in force (for sync work, or for the whole of an async `fn`; async
 * scopes that overlap in time see the innermost order that is still open).
 */
export function withBackends<T>(backends: readonly string[], fn: () => T): T {
  checkFunction('withBackends', 'fn', fn);
  const order = validateOrder('withBackends', backends);
  if (!order)
    throw new InvalidArgumentError('withBackends', 'backends', backends, 'an array of backend names');
  state.scoped.push(order);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    state.scoped.pop();
    throw e;
  }
  if (result instanceof Promise) {
    return result.finally(() => state.scoped.pop()) as T;
  }
  state.scoped.pop();
  return result;
}

function validateOrder(fn: string, order: readonly string[] | null): readonly string[] | null {
  if (order === null) return null;
  if (!Array.isArray(order) || order.some((s) => typeof s !== 'string' || s === '')) {
    throw new InvalidArgumentError(fn, 'backends', order, 'an array of backend names');
  }
  return [...order];
}

export interface BackendStatus extends Availability {
  name: string;
  priority: number;
  description?: string;
  kernels: string[];
}

/** Every registered backend with its availability and kernels, in the order in force. */
export function listBackends(): BackendStatus[] {
  const ordered = new Set([...backendOrder().filter((n) => state.backends.has(n)), ...state.backends.keys()]);
  return [...ordered].map((name) => {
    const b = state.backends.get(name)!;
    return {
      name,
      priority: b.priority,
      description: b.description,
      kernels: Object.keys(b.kernels).sort(),
      ...safeProbe(b),
    };
  });
}

/** The registered backend called `name`, if any. */
export function getBackend(name: string): Backend | undefined {
  return state.backends.get(name);
}

function safeProbe(b: Backend): Availability {
  try {
    return b.probe();
  } catch (e) {
    return { available: false, reason: `probe threw: ${(e as Error).message}` };
  }
}

type Selection<K extends KernelName> = { impl: KernelImpl<K>; backend: string; explanation: Explanation };

function select<K extends KernelName>(
  kernel: K,
  args: KernelArgs<K>,
  mode: 'sync' | 'async',
): Selection<K> | Explanation {
  const considered: Consideration[] = [];
  for (const name of backendOrder()) {
    const b = state.backends.get(name);
    if (!b) {
      considered.push({ backend: name, chosen: false, reason: 'not registered (is its plugin loaded?)' });
      continue;
    }
    const impl = b.kernels[kernel] as KernelImpl<K> | undefined;
    if (!impl || (mode === 'sync' && !impl.run) || (!impl.run && !impl.runAsync)) {
      considered.push({
        backend: name,
        chosen: false,
        reason: impl ? 'has only an async implementation' : 'does not implement this kernel',
      });
      continue;
    }
    const availability = safeProbe(b);
    if (!availability.available) {
      considered.push({
        backend: name,
        chosen: false,
        reason: `unavailable: ${availability.reason ?? 'no reason given'}`,
      });
      continue;
    }
    const verdict = impl.supports ? impl.supports(args) : true;
    if (verdict !== true) {
      considered.push({ backend: name, chosen: false, reason: `declined: ${verdict}` });
      continue;
    }
    considered.push({
      backend: name,
      chosen: true,
      reason: 'first available backend that accepts these arguments',
    });
    return { impl, backend: name, explanation: { kernel, mode, backend: name, considered } };
  }
  return { kernel, mode, backend: null, considered };
}

/** Which backend would run `kernel` on `args`, and why each other backend was passed over. */
export function explain<K extends KernelName>(
  kernel: K,
  args: KernelArgs<K>,
  mode: 'sync' | 'async' = 'sync',
): Explanation {
  const s = select(kernel, args, mode);
  return 'impl' in s ? s.explanation : s;
}

function noBackend(kernel: string, e: Explanation): BackendUnavailableError {
  const why =
    e.considered.map((c) => `${c.backend}: ${c.reason}`).join('; ') || 'no backend in the configured order';
  return new BackendUnavailableError(kernel, e.considered.map((c) => c.backend).join(',') || '(none)', why);
}

/**
 * Runs `kernel` synchronously on the selected backend.
 * @throws BackendUnavailableError when no backend in the order can run it.
 */
export function runKernel<K extends KernelName>(kernel: K, args: KernelArgs<K>): KernelResult<K> {
  const s = select(kernel, args, 'sync');
  if (!('impl' in s)) throw noBackend(kernel, s);
  return s.impl.run!(args);
}

/** Runs `kernel` on the selected backend, preferring its async (off-thread or device) form. */
export async function runKernelAsync<K extends KernelName>(
  kernel: K,
  args: KernelArgs<K>,
): Promise<KernelResult<K>> {
  const s = select(kernel, args, 'async');
  if (!('impl' in s)) throw noBackend(kernel, s);
  return s.impl.runAsync ? s.impl.runAsync(args) : s.impl.run!(args);
}

// The built-in pure-JS backend; packages add their reference kernels to it with `defineKernel`.
if (!state.backends.has('js')) {
  registerBackend({
    name: 'js',
    priority: 0,
    description: 'pure JavaScript reference kernels',
    probe: () => ({ available: true }),
    kernels: {},
  });
}

export interface KernelCall<K extends KernelName> {
  (args: KernelArgs<K>): KernelResult<K>;
  /** The async entry point: the selected backend's `runAsync` when it has one. */
  async(args: KernelArgs<K>): Promise<KernelResult<K>>;
  explain(args: KernelArgs<K>, mode?: 'sync' | 'async'): Explanation;
  /** The pure-JS implementation, for tests that use it as the oracle. */
  readonly reference: (args: KernelArgs<K>) => KernelResult<K>;
}

/**
 * Declares `name`'s pure-JS implementation (the fallback and the test oracle for every other
 * backend) and returns the dispatching function that packages call.
 */
export function defineKernel<K extends KernelName>(
  name: K,
  reference: (args: KernelArgs<K>) => KernelResult<K>,
): KernelCall<K> {
  const js = state.backends.get('js')!;
  if (!js.kernels[name]) (js.kernels as Record<string, KernelImpl<K>>)[name] = { run: reference };
  const call = ((args: KernelArgs<K>) => runKernel(name, args)) as KernelCall<K>;
  call.async = (args) => runKernelAsync(name, args);
  call.explain = (args, mode = 'sync') => explain(name, args, mode);
  (call as { reference: typeof reference }).reference = reference;
  return call;
}
