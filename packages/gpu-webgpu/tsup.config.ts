import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  // The declarations use WebGPU's global types (GPUDevice...): reference them, so a consumer with
  // skipLibCheck: false gets them from the @webgpu/types dependency.
  dts: { banner: '/// <reference types="@webgpu/types" />' },
  sourcemap: true,
  clean: true,
  target: 'es2022',
});
