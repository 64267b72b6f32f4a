import { type Backend, type Mat, type Plugin, runKernel } from '@krylov/core-array';

// A plugin may add kernels of its own: declare their signatures by module augmentation, and the
// registry type-checks them like the built-in ones.
declare module '@krylov/core-array' {
  interface KernelSignatures {
    /** trace(A) of a square matrix. */
    trace: { args: { a: Mat }; result: number };
  }
}

/** C = alpha A B + beta C by a plain i-k-j loop over any strides (float64 only). */
function gemm({ alpha, a, b, beta, c }: { alpha: number; a: Mat; b: Mat; beta: number; c: Mat }): void {
  const [m, k] = a.shape;
  const n = b.shape[1];
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) c.set(beta === 0 ? 0 : beta * c.get(i, j), i, j);
    for (let p = 0; p < k; p++) {
      const aip = alpha * a.get(i, p);
      for (let j = 0; j < n; j++) c.set(c.get(i, j) + aip * b.get(p, j), i, j);
    }
  }
}

/**
 * Builds the plugin. `available` stands in for a real probe (a device, a library): when false the
 * backend reports itself unavailable with a reason and the registry falls back.
 */
export function createExamplePlugin(options: { available?: boolean } = {}): Plugin {
  const available = options.available ?? true;
  const backend: Backend = {
    name: 'example',
    priority: 10,
    description: 'example third-party backend (float64 gemm, trace)',
    probe: () =>
      available
        ? { available: true, details: { kind: 'example' } }
        : { available: false, reason: 'example device not found' },
    kernels: {
      gemm: {
        run: gemm,
        supports: ({ c }) => (c.dtype === 'float64' ? true : `only float64 (got ${c.dtype})`),
      },
      trace: {
        run: ({ a }) => {
          let s = 0;
          for (let i = 0; i < a.shape[0]; i++) s += a.get(i, i);
          return s;
        },
      },
    },
  };
  return { name: 'krylov-plugin-example', backends: [backend] };
}

/** The plugin with its default settings, for `init({ plugins: ['krylov-plugin-example'] })`. */
export const plugin: Plugin = createExamplePlugin();

/** The new kernel through the registry. */
export function trace(a: Mat): number {
  return runKernel('trace', { a });
}
