import { defineConfig } from 'vitest/config';
import { workspaceAlias } from '../../vitest.shared.js';

// Runs @krylov/decompositions' own test suite with the native backend registered (priority 100,
// so it runs every kernel it has), to show the public functions behave the same on it.
export default defineConfig({
  resolve: { alias: workspaceAlias },
  test: {
    dir: '../decompositions/test',
    include: ['**/*.test.ts'],
    setupFiles: ['./test/setup-native.ts'],
    testTimeout: 120_000,
    env: { KRYLOV_NATIVE_SIZE_RULES: '0' },
  },
});
