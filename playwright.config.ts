import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, chromiumPath } from './e2e/support/chromium.ts';

/**
 * End-to-end tests: the real sync-server (embedded PostgreSQL, migrations, demo seed) serving the
 * built client (`npm run build` first; `npm test` does), driven through Debian's Chromium.
 */
// E2E_PORT: another port, for running the tests beside another checkout's run on one machine.
const PORT = Number(process.env.E2E_PORT || 3199);
const baseURL = `http://127.0.0.1:${PORT}`;

// A fresh data directory per run. Playwright loads this file again in each worker process; the
// workers inherit the variable and so reuse the directory instead of making their own.
function makeDataDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cimco-e2e-'));
  // Only the process that made it removes it, after the web server has been stopped.
  process.on('exit', () => {
    try {
      fs.rmSync(dir, { recursive: true, force: true });
    } catch {
      // Left behind in the temp directory; harmless.
    }
  });
  return dir;
}
const dataDir = (process.env.CIMCO_E2E_DATA_DIR ??= makeDataDir());

export default defineConfig({
  testDir: 'e2e',
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  workers: 1,
  reporter: 'list',
  timeout: 30_000,
  use: {
    baseURL,
    browserName: 'chromium',
    headless: true,
    launchOptions: {
      executablePath: chromiumPath(),
      args: CHROMIUM_ARGS,
    },
    trace: 'retain-on-failure',
  },
  webServer: {
    command: 'npm run serve',
    url: `${baseURL}/api/health`,
    env: {
      PORT: String(PORT),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      DEMO: 'true',
      LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'warn',
      // Always the embedded database and this checkout's client, whatever the shell has set
      // (the server treats empty variables as unset).
      DATABASE_URL: '',
      ELECTRIC_URL: '',
      CLIENT_DIST: '',
    },
    // The first start runs initdb, the migrations and the demo seed.
    timeout: 120_000,
    reuseExistingServer: false,
    // Lets the server stop its embedded PostgreSQL before the data directory is removed.
    gracefulShutdown: { signal: 'SIGTERM', timeout: 15_000 },
    stdout: 'pipe',
    stderr: 'pipe',
  },
});
