import { defineConfig } from 'vitest/config';
import { workspaceAlias } from '../../vitest.shared.js';

export default defineConfig({
  resolve: { alias: workspaceAlias },
  // the native kernels are tested at every size: the size rules (src/thresholds.ts) would send
  // small operands to js; test/thresholds.test.ts turns them back on
  test: { include: ['test/**/*.test.ts'], testTimeout: 120_000, env: { KRYLOV_NATIVE_SIZE_RULES: '0' } },
});
