import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { expect, test } from './support/fixtures.ts';

// The tablet app as a PWA: the service worker (vite-plugin-pwa, generateSW) precaches the app
// shell and PGlite's WebAssembly and data files, the manifest makes it installable, and the app
// starts with no network at all.

/** The browser APIs used in page.evaluate (this project's TypeScript has no DOM library). */
interface BrowserGlobals {
  caches: {
    keys(): Promise<string[]>;
    open(name: string): Promise<{ keys(): Promise<readonly { url: string }[]> }>;
  };
  navigator: {
    serviceWorker: {
      ready: Promise<{ active: { scriptURL: string } | null }>;
      controller: { scriptURL: string } | null;
    };
  };
}

// The first visit downloads and starts PGlite (initdb included) before the app shows: on a busy
// two-core machine that has taken up to a minute (the timeouts are generous, the tests fast when idle).
test.describe.configure({ timeout: 600_000 });
const APP_READY = { timeout: 150_000 };

function loginForm(page: Page) {
  return page.getByRole('form', { name: 'Sign in' });
}

/** The URLs (paths) listed in the built service worker's precache manifest. */
async function precacheManifest(page: Page): Promise<string[]> {
  const response = await page.request.get('/sw.js');
  expect(response.status()).toBe(200);
  const source = await response.text();
  const urls = [...source.matchAll(/\{url:"([^"]+)",revision:/g)].map((match) => `/${match[1]}`);
  expect(urls.length).toBeGreaterThan(0);
  return urls;
}

/** Every path in Cache Storage, over all caches. */
function cachedPaths(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    const { caches } = globalThis as unknown as BrowserGlobals;
    const paths: string[] = [];
    for (const name of await caches.keys()) {
      const cache = await caches.open(name);
      for (const request of await cache.keys()) paths.push(new URL(request.url).pathname);
    }
    return paths;
  });
}

/**
 * First visit: wait until the service worker has installed (precached everything) and controls the
 * page; with `appReady`, also until the app shows (its local database is open).
 */
async function visitAndInstall(page: Page, { appReady = false } = {}): Promise<void> {
  await page.goto('/');
  const scriptURL = await page.evaluate(async () => {
    const { navigator } = globalThis as unknown as BrowserGlobals;
    return (await navigator.serviceWorker.ready).active?.scriptURL;
  });
  expect(scriptURL).toMatch(/\/sw\.js$/);
  // The first install claims the open page (clientsClaim): no reload needed.
  await page.waitForFunction(
    () => (globalThis as unknown as BrowserGlobals).navigator.serviceWorker.controller !== null,
  );
  if (appReady) await expect(loginForm(page)).toBeVisible(APP_READY);
}

test('on the first visit the service worker takes control and precaches the app shell and PGlite', async ({
  page,
}) => {
  const workers: string[] = [];
  page.on('worker', (worker) => workers.push(new URL(worker.url()).pathname));

  await visitAndInstall(page);

  const manifest = await precacheManifest(page);
  // PGlite's files, whatever their hashes: the engine, the initdb module and the data bundle.
  expect(manifest).toContainEqual(expect.stringMatching(/^\/assets\/pglite-[\w-]+\.wasm$/));
  expect(manifest).toContainEqual(expect.stringMatching(/^\/assets\/initdb-[\w-]+\.wasm$/));
  expect(manifest).toContainEqual(expect.stringMatching(/^\/assets\/pglite-[\w-]+\.data$/));
  expect(manifest).toEqual(expect.arrayContaining(['/index.html', '/manifest.webmanifest', '/pwa-192x192.png']));

  // Installed means everything in the manifest is in Cache Storage.
  const cached = await cachedPaths(page);
  expect(cached).toEqual(expect.arrayContaining(manifest));
  // So is every module worker the app has started (the PGlite worker and its chunks).
  for (const worker of workers) {
    if (worker.startsWith('/assets/')) expect(cached).toContain(worker);
  }
});

test('with no network, a reload and a client route still load the app from the cache', async ({ page, context }) => {
  await visitAndInstall(page, { appReady: true });

  // Note: navigator.onLine may stay true in Chromium under setOffline; the network is gone anyway.
  await context.setOffline(true);
  try {
    const reloaded = await page.reload();
    expect(reloaded?.fromServiceWorker()).toBe(true);
    await expect(loginForm(page)).toBeVisible(APP_READY);
    await expect(page).toHaveTitle('CIMCO Yard');
    // The app shows once its local database is open: PGlite started from the cached files.
    const answer = await page.evaluate(async () => {
      const { cimcoDb } = globalThis as unknown as {
        cimcoDb?: { query(sql: string): Promise<{ rows: { ok?: number }[] }> };
      };
      return cimcoDb ? (await cimcoDb.query('select 1 as ok')).rows[0]?.ok : 'no local database';
    });
    expect(answer).toBe(1);

    // A client-side route falls back to the cached index.html (the app shell).
    const route = await page.goto('/parts/123');
    expect(route?.fromServiceWorker()).toBe(true);
    expect(route?.status()).toBe(200);
    await expect(page).toHaveTitle('CIMCO Yard');
    await expect(page.locator('#root')).not.toBeEmpty();

    // PGlite's files are there for the worker to start offline.
    const cached = await cachedPaths(page);
    expect(cached).toContainEqual(expect.stringMatching(/\/assets\/pglite-[\w-]+\.wasm$/));
    expect(cached).toContainEqual(expect.stringMatching(/\/assets\/pglite-[\w-]+\.data$/));

    // The API is never answered with the app shell: offline, it simply fails.
    await expect(page.goto('/api/health')).rejects.toThrow();
  } finally {
    await context.setOffline(false);
  }
});

test('the web app manifest is valid and the app is installable', async ({ playwright, launchOptions, baseURL }) => {
  // Chromium never offers to install from an incognito profile, which is what Playwright's
  // contexts are ("in-incognito"): this test runs in a real, temporary profile.
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'cimco-pwa-profile-'));
  const context = await playwright.chromium.launchPersistentContext(profile, { ...launchOptions, baseURL });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await visitAndInstall(page);

    const cdp = await context.newCDPSession(page);
    const appManifest = await cdp.send('Page.getAppManifest');
    expect(appManifest.url).toMatch(/\/manifest\.webmanifest$/);
    expect(appManifest.errors).toEqual([]);
    const data = JSON.parse(appManifest.data ?? '{}') as {
      name?: string;
      display?: string;
      icons?: { sizes: string; purpose?: string }[];
    };
    expect(data.name).toBe('CIMCO Yard');
    expect(data.display).toBe('standalone');
    expect(data.icons).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ sizes: '192x192' }),
        expect.objectContaining({ sizes: '512x512', purpose: 'maskable' }),
      ]),
    );

    const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
    expect(installabilityErrors).toEqual([]);
  } finally {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
});

test('the server lets browsers find new versions and keeps hashed files for good', async ({ page }) => {
  for (const file of ['/sw.js', '/manifest.webmanifest', '/index.html']) {
    const response = await page.request.get(file);
    expect(response.status(), file).toBe(200);
    expect(response.headers()['cache-control'], file).toBe('no-cache');
  }
  const manifest = await page.request.get('/manifest.webmanifest');
  expect(manifest.headers()['content-type']).toContain('application/manifest+json');

  const workbox = (await page.request.get('/sw.js').then((r) => r.text())).match(/"\.\/(workbox-[\w-]+)"/)?.[1];
  expect(workbox).toBeDefined();
  const runtime = await page.request.get(`/${workbox}.js`);
  expect(runtime.status()).toBe(200);
  expect(runtime.headers()['cache-control']).toBe('no-cache');

  const [hashed] = (await precacheManifest(page)).filter((url) => url.startsWith('/assets/'));
  expect(hashed).toBeDefined();
  const asset = await page.request.get(hashed!);
  expect(asset.status()).toBe(200);
  expect(asset.headers()['cache-control']).toBe('public, max-age=31536000, immutable');

  const icon = await page.request.get('/pwa-512x512.png');
  expect(icon.status()).toBe(200);
  expect(icon.headers()['content-type']).toBe('image/png');
});
