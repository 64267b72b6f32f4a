import {
  BackendUnavailableError,
  InvalidArgumentError,
  MissingKernelError,
  checkOptions,
  optionKeys,
} from './errors.js';
import { type KernelSignatures, referencePackage } from './kernels/signatures.js';
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
  /**
   * Optional: a fact about how this backend would run these arguments, which `explain` appends to
   * the chosen backend's reason (the native backend's BLAS thread count). Asked only by `explain`.
   */
  note?: (args: KernelArgs<K>) => string | undefined;
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
  /**
   * Present when no registered backend implements the kernel at all: `provider` is the package
   * whose pure-JS reference provides it (the catalogue's `referencePackage`), undefined for a
   * kernel outside the catalogue (a plugin's).
   */
  missing?: { provider: string | undefined };
}

interface State {
  backends: Map<string, Backend>;
  order: readonly string[] | null;
  scoped: (readonly string[])[];
  /** The priority order of `backends`, cached between registrations (undefined: recompute). */
  byPriority?: readonly string[];
  /**
   * Bumped by every change that can alter a selection (registrations, `configure`); the selection
   * caches of every loaded copy of this module compare against it. Optional: a state object made
   * by an older copy of the module lacks it until the first change.
   */
  generation?: number;
}

// One registry per process, even when both the ESM and the CJS build of this package are loaded.
const STATE_KEY = Symbol.for('@krylov/core-array/registry');
const globalSlot = globalThis as unknown as Record<symbol, State | undefined>;
const state: State =
  globalSlot[STATE_KEY] ?? (globalSlot[STATE_KEY] = { backends: new Map(), order: null, scoped: [] });

/** Marks a change of registrations or configuration: every cached selection is recomputed. */
function changed(): void {
  state.generation = (state.generation ?? 0) + 1;
  state.byPriority = undefined;
}

// KRYLOV_BACKENDS parsed once per distinct value (selection runs on every kernel call).
let envCache: { text: string | undefined; order: readonly string[] | null } = {
  text: undefined,
  order: null,
};

function envOrder(): readonly string[] | null {
  const env = typeof process !== 'undefined' ? process.env?.KRYLOV_BACKENDS : undefined;
  if (env !== envCache.text) {
    const order = env
      ? env
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : [];
    envCache = { text: env, order: order.length > 0 ? order : null };
  }
  return envCache.order;
}

// The process-wide order (configure, else KRYLOV_BACKENDS, else priority), cached per generation:
// reading process.env costs about 0.2 us, as much as a whole small kernel call, so the variable is
// read at the first selection after each registry change (registration, configure), not per call.
let processOrder: { generation: number; order: readonly string[] } | undefined;

/** The order in force, shared (callers must not modify it). */
function currentOrder(): readonly string[] {
  const scoped = state.scoped;
  if (scoped.length > 0) return scoped[scoped.length - 1];
  const generation = state.generation ?? 0;
  if (processOrder?.generation === generation) return processOrder.order;
  state.byPriority ??= [...state.backends.values()]
    .sort((a, b) => b.priority - a.priority)
    .map((b) => b.name);
  const order = state.order ?? envOrder() ?? state.byPriority;
  processOrder = { generation, order };
  return order;
}

/** The order in force: the innermost `withBackends` scope, then `configure`, then `KRYLOV_BACKENDS`, then priority. */
export function backendOrder(): string[] {
  return [...currentOrder()];
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
  changed();
}

/** Removes a backend (no-op when absent). */
export function unregisterBackend(name: string): void {
  state.backends.delete(name);
  changed();
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
  changed();
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

const CONFIG_KEYS = optionKeys<Config>()('backends');

/**
 * Sets the backend order for the process (see `Config`). Names are checked for form only: a
 * backend may be registered after the order is set (a plugin loaded later), so a name that is not
 * registered when a kernel runs is passed over, and `explain` and `BackendUnavailableError` report
 * it as "not registered (is its plugin loaded?)".
 * @throws InvalidArgumentError for unknown keys or a list that is not an array of non-empty strings.
 * @example
 * ```ts
 * import { backendOrder, configure } from '@krylov/core-array';
 * configure({ backends: ['js'] }); // as KRYLOV_BACKENDS=js
 * console.assert(backendOrder().join() === 'js');
 * ```
 */
export function configure(config: Config): void {
  if (typeof config !== 'object' || config === null)
    throw new InvalidArgumentError('configure', 'config', config, 'an options object');
  checkOptions('configure', config, CONFIG_KEYS);
  if (config.backends !== undefined) state.order = validateOrder('configure', config.backends);
  // also re-reads KRYLOV_BACKENDS at the next selection (configure({}) after changing it)
  changed();
}

const INIT_OPTIONS_KEYS = optionKeys<InitOptions>()('backends', 'plugins');

/** Options of {@link init}. */
export type InitOptions = Config & { plugins?: readonly (string | Plugin | PluginModule)[] };

/**
 * Loads plugin packages by name (each exports `plugin`, or a default export that is one), registers
 * them and awaits each one's `setup`, then applies the rest of the configuration. A name is imported from @krylov/core-array's own
 * location; where that cannot see the plugin (pnpm workspaces, bundlers), pass the imported module
 * instead: `init({ plugins: [await import('@krylov/native-blas')] })`.
 * @throws InvalidArgumentError when a module does not export a plugin.
 */
export async function init(config: InitOptions = {}): Promise<void> {
  checkOptions('init', config, INIT_OPTIONS_KEYS);
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
 * @example
 * ```ts
 * import { matmul, rng, withBackends } from '@krylov/core-array';
 * const a = rng(0).normal([3, 3]);
 * const c = withBackends(['js'], () => matmul(a, a)); // pure JS inside, whatever is configured
 * console.assert(c.shape.join() === '3,3');
 * ```
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

// Validated orders, one shared array per distinct list, so that the selection cache (keyed by the
// order's identity) also hits inside `withBackends` scopes entered again and again.
const interned = new Map<string, readonly string[]>();

function validateOrder(fn: string, order: readonly string[] | null): readonly string[] | null {
  if (order === null) return null;
  if (!Array.isArray(order) || order.some((s) => typeof s !== 'string' || s === '')) {
    throw new InvalidArgumentError(fn, 'backends', order, 'an array of backend names');
  }
  // names are non-empty strings; the key joins them with a character no sane name holds, and a
  // collision would only cost a cache miss since the interned list is compared element by element
  const key = order.join('\u0000');
  const hit = interned.get(key);
  if (hit && hit.length === order.length && hit.every((s, i) => s === order[i])) return hit;
  if (interned.size > 256) interned.clear();
  const copy = Object.freeze([...order]);
  interned.set(key, copy);
  return copy;
}

export interface BackendStatus extends Availability {
  name: string;
  priority: number;
  description?: string;
  kernels: string[];
}

/**
 * Every registered backend with its availability and kernels, in the order in force.
 * @example
 * ```ts
 * import { listBackends } from '@krylov/core-array';
 * const js = listBackends().find((b) => b.name === 'js');
 * console.assert(js !== undefined && js.available);
 * ```
 */
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

/**
 * The first backend in the order in force that can run `kernel` on `args`. With `considered`, also
 * records why each backend before it was passed over (explain and the errors); without, allocates
 * nothing on the way, since every kernel call selects.
 */
function select<K extends KernelName>(
  kernel: K,
  args: KernelArgs<K>,
  mode: 'sync' | 'async',
  considered?: Consideration[],
): { impl: KernelImpl<K>; backend: string } | undefined {
  if (!considered) return selectCached(kernel, args, mode);
  for (const name of currentOrder()) {
    const b = state.backends.get(name);
    if (!b) {
      considered?.push({ backend: name, chosen: false, reason: 'not registered (is its plugin loaded?)' });
      continue;
    }
    const impl = b.kernels[kernel] as KernelImpl<K> | undefined;
    if (!impl || (mode === 'sync' && !impl.run) || (!impl.run && !impl.runAsync)) {
      considered?.push({
        backend: name,
        chosen: false,
        reason: impl ? 'has only an async implementation' : 'does not implement this kernel',
      });
      continue;
    }
    const availability = safeProbe(b);
    if (!availability.available) {
      considered?.push({
        backend: name,
        chosen: false,
        reason: `unavailable: ${availability.reason ?? 'no reason given'}`,
      });
      continue;
    }
    const verdict = impl.supports ? impl.supports(args) : true;
    if (verdict !== true) {
      considered?.push({ backend: name, chosen: false, reason: `declined: ${verdict}` });
      continue;
    }
    const note = impl.note?.(args);
    considered?.push({
      backend: name,
      chosen: true,
      reason: `first available backend that accepts these arguments${note ? `; ${note}` : ''}`,
    });
    return { impl, backend: name };
  }
  return undefined;
}

/** A backend that implements a kernel (in the mode asked for), in the order in force. */
interface Candidate {
  readonly name: string;
  readonly backend: Backend;
  readonly impl: KernelImpl<KernelName>;
  /** The selection result handed out when this candidate wins (allocated once). */
  readonly choice: { impl: KernelImpl<KernelName>; backend: string };
}

interface CacheEntry {
  generation: number;
  order: readonly string[];
  candidates: readonly Candidate[];
}

// The candidates of each kernel (registered, implementing it in the mode), per order in force and
// registry generation: a call then only probes and asks `supports` of the backends that have the
// kernel, with no lookups by name and no allocation. Availability (probe) and `supports` are
// still asked at every call, so a backend that goes away or declines these arguments is passed over.
const syncCache = new Map<string, CacheEntry>();
const asyncCache = new Map<string, CacheEntry>();

function candidatesOf(kernel: string, mode: 'sync' | 'async', order: readonly string[]): CacheEntry {
  const candidates: Candidate[] = [];
  for (const name of order) {
    const backend = state.backends.get(name);
    const impl = backend?.kernels[kernel as KernelName] as KernelImpl<KernelName> | undefined;
    if (!backend || !impl || (mode === 'sync' ? !impl.run : !impl.run && !impl.runAsync)) continue;
    candidates.push({ name, backend, impl, choice: { impl, backend: name } });
  }
  return { generation: state.generation ?? 0, order, candidates };
}

function selectCached<K extends KernelName>(
  kernel: K,
  args: KernelArgs<K>,
  mode: 'sync' | 'async',
): { impl: KernelImpl<K>; backend: string } | undefined {
  const order = currentOrder();
  const cache = mode === 'sync' ? syncCache : asyncCache;
  let entry = cache.get(kernel);
  if (entry === undefined || entry.generation !== (state.generation ?? 0) || entry.order !== order) {
    entry = candidatesOf(kernel, mode, order);
    cache.set(kernel, entry);
  }
  const candidates = entry.candidates;
  for (let i = 0; i < candidates.length; i++) {
    const c = candidates[i];
    // a kernel table changed by hand rather than through registerKernels: recompute
    if (c.backend.kernels[kernel] !== c.impl) {
      cache.delete(kernel);
      return selectCached(kernel, args, mode);
    }
    if (!safeProbe(c.backend).available) continue;
    const supports = c.impl.supports as ((a: KernelArgs<K>) => true | string) | undefined;
    if (supports !== undefined && supports(args) !== true) continue;
    return c.choice as unknown as { impl: KernelImpl<K>; backend: string };
  }
  return undefined;
}

/**
 * Which backend would run `kernel` on `args`, and why each other backend was passed over.
 * @example
 * ```ts
 * import { explain, rng } from '@krylov/core-array';
 * const a = rng(0).normal([4, 4]);
 * const e = explain('gemm', { alpha: 1, a, b: a, beta: 0, c: a.copy() });
 * console.assert(e.backend === 'js'); // no backend plugin registered here
 * console.log(e);
 * ```
 */
export function explain<K extends KernelName>(
  kernel: K,
  args: KernelArgs<K>,
  mode: 'sync' | 'async' = 'sync',
): Explanation {
  const considered: Consideration[] = [];
  const s = select(kernel, args, mode, considered);
  if (s) return { kernel, mode, backend: s.backend, considered };
  const registered = [...state.backends.values()].some((b) => b.kernels[kernel] !== undefined);
  return registered
    ? { kernel, mode, backend: null, considered }
    : { kernel, mode, backend: null, considered, missing: { provider: referencePackage(kernel) } };
}

function noBackend(kernel: string, e: Explanation): BackendUnavailableError {
  const backends = e.considered.map((c) => c.backend).join(',') || '(none)';
  if (e.missing) return new MissingKernelError(kernel, kernel, e.missing.provider, backends);
  const why =
    e.considered.map((c) => `${c.backend}: ${c.reason}`).join('; ') || 'no backend in the configured order';
  return new BackendUnavailableError(kernel, backends, why);
}

/**
 * Runs `kernel` synchronously on the selected backend.
 * @throws BackendUnavailableError when no backend in the order can run it, listing each one's
 * reason; MissingKernelError (a BackendUnavailableError) when no registered backend implements the
 * kernel at all, naming the package that provides its pure-JS reference.
 */
export function runKernel<K extends KernelName>(kernel: K, args: KernelArgs<K>): KernelResult<K> {
  const s = select(kernel, args, 'sync');
  if (!s) throw noBackend(kernel, explain(kernel, args, 'sync'));
  return s.impl.run!(args);
}

/** Runs `kernel` on the selected backend, preferring its async (off-thread or device) form. */
export async function runKernelAsync<K extends KernelName>(
  kernel: K,
  args: KernelArgs<K>,
): Promise<KernelResult<K>> {
  const s = select(kernel, args, 'async');
  if (!s) throw noBackend(kernel, explain(kernel, args, 'async'));
  return s.impl.runAsync ? s.impl.runAsync(args) : s.impl.run!(args);
}

const ALWAYS: Availability = Object.freeze({ available: true });

// The built-in pure-JS backend; packages add their reference kernels to it with `defineKernel`.
if (!state.backends.has('js')) {
  registerBackend({
    name: 'js',
    priority: 0,
    description: 'pure JavaScript reference kernels',
    probe: () => ALWAYS,
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
  if (!js.kernels[name]) {
    (js.kernels as Record<string, KernelImpl<K>>)[name] = { run: reference };
    changed();
  }
  const call = ((args: KernelArgs<K>) => runKernel(name, args)) as KernelCall<K>;
  call.async = (args) => runKernelAsync(name, args);
  call.explain = (args, mode = 'sync') => explain(name, args, mode);
  (call as { reference: typeof reference }).reference = reference;
  return call;
}
