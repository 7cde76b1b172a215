import os from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['contract/**/*.test.ts', 'sync-server/test/**/*.test.ts', 'chaos/**/*.test.ts'],
    globalSetup: ['sync-server/test/support/global-setup.ts'],
    // Real databases and real server processes: generous limits, no timing assertions.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // One file per core: Vitest's default leaves one core idle, and on a two-core machine that ran
    // the files one at a time (333 s against 250 s with two).
    maxWorkers: os.availableParallelism(),
    // @electric-sql/client 1.0.14 (inside pglite-sync) rejects an internal promise with no value
    // when a shape stream is stopped while it waits for its next tick; nobody awaits it. The
    // tablet tests stop their sync often (the uploader pauses it while it posts), so these
    // value-less rejections are expected there. Anything with a value still fails the run.
    onUnhandledError(error) {
      return !(error.message === undefined && (error as { type?: string }).type === 'Unhandled Rejection');
    },
  },
});
