/**
 * The end-to-end tests' `test`: every Playwright worker runs its own yard server (the real
 * sync-server on an embedded PostgreSQL of its own, with the demo yard), and the tests of that
 * worker talk to it — `baseURL`, and the server database the helpers read (tablet.ts `serverDb`).
 *
 * Two workers run two spec files at a time, each against its own server, so no file ever sees
 * another's writes while it runs: as before, the files of one worker run one after another on one
 * server, and each leaves the demo yard as it found it for the next.
 */
import { test as base } from '@playwright/test';
import { OwnServer } from './own-server.ts';
import { closeServerDb } from './tablet.ts';

export { expect } from '@playwright/test';

/** E2E_PORT: the first worker's port (default 3199), to run beside another checkout's tests. */
const FIRST_PORT = Number(process.env.E2E_PORT || 3199);

export const test = base.extend<object, { yardServer: OwnServer }>({
  yardServer: [
    // eslint-disable-next-line no-empty-pattern -- Playwright reads what a fixture needs from this pattern
    async ({}, use, workerInfo) => {
      // Ports 3197 and 3198 belong to the specs' own extra servers (pm, restart).
      const server = new OwnServer(FIRST_PORT + 2 * workerInfo.parallelIndex, {
        LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'warn',
      });
      process.env.CIMCO_E2E_DATA_DIR = server.dataDir;
      try {
        await server.start();
        await use(server);
      } finally {
        await closeServerDb();
        await server.remove();
        if (process.env.E2E_LOG_LEVEL) process.stdout.write(server.output.join(''));
      }
    },
    // The first start runs initdb, the migrations and the demo seed.
    { scope: 'worker', auto: true, timeout: 180_000 },
  ],
  baseURL: async ({ yardServer }, use) => {
    await use(yardServer.url);
  },
});
