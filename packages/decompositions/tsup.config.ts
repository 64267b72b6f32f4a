import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/kernels.ts'],
  // one copy of every module across the entries, in the CJS build too (each kernel registers once)
  splitting: true,
  // import.meta.url in the CJS build too (the async forms locate the ES module build for the worker)
  shims: true,
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
});
