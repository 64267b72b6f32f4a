import { afterEach, describe, expect, it } from 'vitest';
import {
  type Backend,
  BackendUnavailableError,
  InvalidArgumentError,
  type Mat,
  MissingKernelError,
  NDArray,
  configure,
  explain,
  fromTypedArray,
  gemm,
  init,
  listBackends,
  matmul,
  referencePackage,
  registerBackend,
  registerKernels,
  runKernel,
  runKernelAsync,
  unregisterBackend,
  use,
  withBackends,
} from '../src/index.js';

const calls: string[] = [];
function fakeBackend(
  name: string,
  priority: number,
  available = true,
  extra: Partial<Backend['kernels']> = {},
): Backend {
  return {
    name,
    priority,
    probe: () =>
      available ? { available: true } : { available: false, reason: `${name} library not found` },
    kernels: {
      dot: {
        run: ({ x }) => {
          calls.push(name);
          return x.size;
        },
        supports: ({ x }) => (x.size >= 2 ? true : 'size below threshold 2'),
      },
      ...extra,
    },
  };
}
const v = (n: number) => fromTypedArray(new Float64Array(n).fill(1));

afterEach(() => {
  for (const b of ['fast', 'slow', 'broken', 'async']) unregisterBackend(b);
  configure({ backends: null });
  calls.length = 0;
});

describe('registry', () => {
  it('picks the available backend of highest priority that accepts the arguments', () => {
    registerBackend(fakeBackend('fast', 100));
    registerBackend(fakeBackend('slow', 10));
    expect(runKernel('dot', { x: v(3), y: v(3) })).toBe(3);
    expect(calls).toEqual(['fast']);
    // declined by `supports`: falls through to the pure-JS kernel
    expect(runKernel('dot', { x: v(1), y: v(1) })).toBe(1);
    const e = explain('dot', { x: v(1), y: v(1) });
    expect(e.backend).toBe('js');
    expect(e.considered.map((c) => `${c.backend}: ${c.reason}`)).toEqual([
      'fast: declined: size below threshold 2',
      'slow: declined: size below threshold 2',
      'js: first available backend that accepts these arguments',
    ]);
  });
  it('skips unavailable backends and says why', () => {
    registerBackend(fakeBackend('broken', 200, false));
    registerBackend(fakeBackend('slow', 10));
    runKernel('dot', { x: v(4), y: v(4) });
    expect(calls).toEqual(['slow']);
    expect(explain('dot', { x: v(4), y: v(4) }).considered[0]).toEqual({
      backend: 'broken',
      chosen: false,
      reason: 'unavailable: broken library not found',
    });
    expect(listBackends().find((b) => b.name === 'broken')).toMatchObject({
      available: false,
      reason: 'broken library not found',
    });
  });
  it('configure, KRYLOV_BACKENDS and withBackends set the order, innermost first', async () => {
    registerBackend(fakeBackend('fast', 100));
    registerBackend(fakeBackend('slow', 10));
    configure({ backends: ['slow', 'js'] });
    runKernel('dot', { x: v(2), y: v(2) });
    expect(calls).toEqual(['slow']);
    withBackends(['fast'], () => runKernel('dot', { x: v(2), y: v(2) }));
    expect(calls).toEqual(['slow', 'fast']);
    await withBackends(['js'], async () => {
      await Promise.resolve();
      runKernel('dot', { x: v(2), y: v(2) });
    });
    expect(calls).toEqual(['slow', 'fast']);
    configure({ backends: null });
    process.env.KRYLOV_BACKENDS = 'slow,js';
    try {
      runKernel('dot', { x: v(2), y: v(2) });
      expect(calls.at(-1)).toBe('slow');
    } finally {
      Reflect.deleteProperty(process.env, 'KRYLOV_BACKENDS');
    }
    expect(() => configure({ backend: ['js'] } as never)).toThrow("configure: argument 'options.backend'");
  });
  it('throws BackendUnavailableError listing every reason when nothing can run', () => {
    registerBackend(fakeBackend('broken', 200, false));
    expect(() => withBackends(['broken', 'nowhere'], () => runKernel('dot', { x: v(2), y: v(2) }))).toThrow(
      BackendUnavailableError,
    );
    expect(() => withBackends(['broken', 'nowhere'], () => runKernel('dot', { x: v(2), y: v(2) }))).toThrow(
      "dot: backend 'broken,nowhere' is unavailable: broken: unavailable: broken library not found; nowhere: not registered (is its plugin loaded?)",
    );
  });
  it('a kernel no backend registered names the package of its pure-JS reference', () => {
    // core-array alone: the LAPACK kernels' references come with @krylov/decompositions
    const a = new NDArray(Float64Array.of(4), [1, 1]) as Mat;
    expect(referencePackage('potrf')).toBe('@krylov/decompositions');
    expect(referencePackage('spmv')).toBe('@krylov/solvers');
    expect(referencePackage('gemm')).toBe('@krylov/core-array');
    expect(referencePackage('nonesuch')).toBeUndefined();
    expect(explain('potrf', { a }).missing).toEqual({ provider: '@krylov/decompositions' });
    expect(explain('gemm', { alpha: 1, a, b: a, beta: 0, c: a.copy() as typeof a }).missing).toBeUndefined();
    const e = (() => {
      try {
        runKernel('potrf', { a });
      } catch (err) {
        return err;
      }
    })();
    expect(e).toBeInstanceOf(MissingKernelError);
    expect(e).toBeInstanceOf(BackendUnavailableError);
    expect((e as Error).message).toBe(
      'potrf: no backend registered a `potrf` kernel; install @krylov/decompositions and import it (its pure-JS reference registers the kernel), or load a plugin that provides one',
    );
    expect(() => runKernel('nonesuch' as 'potrf', { a })).toThrow(/is the plugin that declares it loaded\?/);
  });

  it('async kernels: runKernelAsync prefers runAsync; sync calls skip async-only backends', async () => {
    registerBackend({
      name: 'async',
      priority: 300,
      probe: () => ({ available: true }),
      kernels: {
        dot: {
          runAsync: async ({ x }) => {
            calls.push('async');
            return x.size * 10;
          },
        },
      },
    });
    expect(await runKernelAsync('dot', { x: v(2), y: v(2) })).toBe(20);
    expect(runKernel('dot', { x: v(2), y: v(2) })).toBe(2);
    expect(explain('dot', { x: v(2), y: v(2) }).considered[0].reason).toBe(
      'has only an async implementation',
    );
  });
  it('plugins: use(), init() with an object, duplicate names, kernels added to a backend', async () => {
    const plugin = { name: 'p', backends: [fakeBackend('fast', 100)] };
    use(plugin);
    use(plugin); // same object again: no-op
    expect(() => registerBackend(fakeBackend('fast', 1))).toThrow(InvalidArgumentError);
    expect(() => registerBackend(fakeBackend('fast', 1))).toThrow(
      'registerBackend: argument \'backend.name\' is "fast"; expected a name not already registered',
    );
    await init({ plugins: [{ name: 'q', backends: [fakeBackend('slow', 10)] }], backends: ['slow', 'js'] });
    runKernel('dot', { x: v(2), y: v(2) });
    expect(calls).toEqual(['slow']);
    registerKernels('slow', { nrm2: { run: () => 42 } });
    expect(runKernel('nrm2', { x: v(2) })).toBe(42);
    expect(() => registerKernels('missing', {})).toThrow(
      "registerKernels: backend 'missing' is unavailable: not registered",
    );
    await expect(init({ plugins: ['node:path'] })).rejects.toThrow(
      'init: argument \'plugins\' is "node:path"; expected a plugin or a module exporting `plugin`',
    );
    // An imported module namespace works like a name (for workspaces and bundlers).
    await init({ plugins: [{ plugin: { name: 'from-module', backends: [] } }] });
    await expect(init({ plugins: [{ default: { plugin: undefined } }] })).rejects.toThrow(
      /exporting `plugin`/,
    );
    // init() awaits a plugin's asynchronous setup (a device, a compiled module); use() does not run it.
    let ready = false;
    const deferred = {
      name: 'deferred',
      backends: [
        {
          ...fakeBackend('late', 5),
          probe: () => (ready ? { available: true } : { available: false, reason: 'not set up' }),
        },
      ],
      setup: async () => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        ready = true;
      },
    };
    use(deferred);
    expect(ready).toBe(false);
    await init({ plugins: [deferred] });
    expect(ready).toBe(true);
  });
  it('the public functions dispatch through the registry', () => {
    const gemmCalls: string[] = [];
    registerBackend({
      name: 'fast',
      priority: 100,
      probe: () => ({ available: true }),
      kernels: {
        gemm: {
          run: (args) => {
            gemmCalls.push('fast');
            return runKernel('gemm', args);
          },
          supports: () => (gemmCalls.length ? 'reentrant' : true),
        },
      },
    });
    const a = new NDArray(Float64Array.from([1, 2, 3, 4]), [2, 2]);
    expect(matmul(a, a).toArray()).toEqual([
      [7, 10],
      [15, 22],
    ]);
    expect(gemmCalls).toEqual(['fast']);
    expect(gemm(a, a, { transA: true }).toArray()).toEqual([
      [10, 14],
      [14, 20],
    ]);
  });
});
