import { defineConfig } from 'vitest/config';
import { workspaceAlias } from '../../vitest.shared.js';

export default defineConfig({
  resolve: { alias: workspaceAlias },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Dawn's native module is loaded once per process; forks (not worker threads) let each test
    // file own its device and exit cleanly after releaseWebGPU().
    pool: 'forks',
    // --expose-gc lets a test check the finalizer that frees arrays nobody disposed
    poolOptions: { forks: { execArgv: ['--expose-gc'] } },
    // SwiftShader is a CPU rasterizer: one GPU test file at a time keeps the 2-core CI box usable.
    fileParallelism: false,
  },
});
