import { defineConfig } from 'vitest/config';

// Resolves @krylov/core-array to its build, as a third-party package would.
export default defineConfig({ test: { include: ['test/**/*.test.ts'] } });
