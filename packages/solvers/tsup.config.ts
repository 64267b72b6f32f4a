import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/kernels.ts'],
  // one copy of every module across the entries, in the CJS build too (each kernel registers once)
  splitting: true,
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
});
