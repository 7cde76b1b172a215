import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['contract/**/*.test.ts', 'sync-server/test/**/*.test.ts'],
    globalSetup: ['sync-server/test/support/global-setup.ts'],
    // Real databases and real server processes: generous limits, no timing assertions.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
