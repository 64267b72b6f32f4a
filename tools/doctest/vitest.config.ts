import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// No workspace alias here: the doctest runs each block in its own Node process against the built
// packages (dist), as a user would import them.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 90_000,
    maxConcurrency: Math.max(2, availableParallelism()),
  },
});
