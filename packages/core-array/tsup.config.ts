import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', internal: 'src/internal.ts', worker: 'src/async/worker.ts' },
  // import.meta.url in the CJS build too (the worker pool locates its worker file with it)
  shims: true,
  // one copy of every module across the entries, in the CJS build too (one NDArray class, one registry)
  splitting: true,
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
});
