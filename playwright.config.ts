import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, chromiumPath } from './e2e/support/chromium.ts';

/**
 * End-to-end tests: the real sync-server (embedded PostgreSQL, migrations, demo seed) serving the
 * built client (`npm run build` first; `npm test` does), driven through Debian's Chromium.
 *
 * Each worker starts a server of its own (e2e/support/fixtures.ts), so two spec files run at once
 * without seeing each other's writes. Two workers, because a test mostly waits on one core (the
 * tablet's PGlite is single-threaded): two at a time use the machine's two cores. E2E_WORKERS
 * sets another number.
 */
export default defineConfig({
  testDir: 'e2e',
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  workers: Number(process.env.E2E_WORKERS || 2),
  reporter: 'list',
  timeout: 30_000,
  use: {
    browserName: 'chromium',
    headless: true,
    launchOptions: {
      executablePath: chromiumPath(),
      args: CHROMIUM_ARGS,
    },
    trace: 'retain-on-failure',
  },
});
