import type { Page } from '@playwright/test';
import { expect, test } from './support/fixtures.ts';
import { goOffline, goOnline, signIn } from './support/tablet.ts';
import { inEnglish, SHOWN } from './support/screens.ts';

// The sync bar tells a technician within seconds that the tablet has lost the server, while the
// live shape requests the server holds open (up to 20 s) are still in flight and nothing has
// failed yet, and says so again as soon as the server is back.

/** The acceptance bound: the sync bar says "offline" at most this long after the network drops. */
const OFFLINE_SHOWN_WITHIN_MS = 3_000;
/** The E2E server holds a live shape request up to 20 s (SHAPE_LIVE_TIMEOUT_MS): outlast those. */
const LIVE_REQUEST_MS = 20_000;

test.describe.configure({ timeout: 300_000 });
test.beforeEach(async ({ context }) => {
  await inEnglish(context);
});

interface Shown {
  at: number;
  state: string;
}

/**
 * Records every state the sync bar shows, with the time it showed it (Date.now(): the page and
 * the test share the machine's clock), in the page itself — so how fast the test polls, on a busy
 * machine, does not change the times measured.
 */
async function recordSyncBar(page: Page): Promise<void> {
  type Element = { getAttribute(name: string): string | null };
  type Observer = { observe(target: Element, options: object): void };
  type Window = {
    document: { querySelector(selector: string): Element | null };
    MutationObserver: new (callback: () => void) => Observer;
    syncBarShown?: Shown[];
  };
  await page.evaluate(() => {
    const window = globalThis as unknown as Window;
    const bar = window.document.querySelector('[data-testid="sync-bar"]');
    if (!bar) throw new Error('no sync bar');
    const shown: Shown[] = [{ at: Date.now(), state: bar.getAttribute('data-online') ?? '' }];
    window.syncBarShown = shown;
    new window.MutationObserver(() => {
      const state = bar.getAttribute('data-online') ?? '';
      if (state !== shown[shown.length - 1]!.state) shown.push({ at: Date.now(), state });
    }).observe(bar, { attributes: true, attributeFilter: ['data-online'] });
  });
}

async function syncBarShown(page: Page): Promise<Shown[]> {
  return page.evaluate(() => (globalThis as unknown as { syncBarShown: Shown[] }).syncBarShown);
}

/** When the sync bar first showed `state` at or after `since` (waits for it, generously). */
async function firstShown(page: Page, state: string, since: number): Promise<number> {
  let at: number | undefined;
  await expect
    .poll(async () => (at = (await syncBarShown(page)).find((shown) => shown.state === state && shown.at >= since)?.at), {
      message: `the sync bar to show ${state}`,
      timeout: 60_000,
    })
    .toBeDefined();
  return at!;
}

test('the sync bar shows offline within 3 s of the network dropping, stays offline while it is down, and online again when it is back', async ({
  page,
  context,
}) => {
  await signIn(page, 'tech');
  const bar = page.getByTestId('sync-bar');
  await expect(bar).toHaveAttribute('data-online', 'online', SHOWN);
  await recordSyncBar(page);
  // Idle and online for a moment: the live requests are now waiting on the server.
  await page.waitForTimeout(2_000);

  const droppedAt = Date.now();
  await goOffline(context);
  const offlineAt = await firstShown(page, 'offline', droppedAt);
  test.info().annotations.push({ type: 'offline shown after', description: `${offlineAt - droppedAt} ms` });
  expect(offlineAt - droppedAt, 'ms from the drop to "offline" on the sync bar').toBeLessThanOrEqual(OFFLINE_SHOWN_WITHIN_MS);

  // Chromium's offline emulation still delivers the answers to requests made before the drop (the
  // live requests end when the server lets them go): they are old news and must not bring
  // "online" back while the network is down.
  await page.waitForTimeout(Math.max(droppedAt + LIVE_REQUEST_MS + 2_000 - Date.now(), 0));
  expect((await syncBarShown(page)).filter((shown) => shown.at >= offlineAt).map((shown) => shown.state)).toEqual(['offline']);

  const restoredAt = Date.now();
  await goOnline(context);
  await expect(bar).toHaveAttribute('data-online', 'online', SHOWN);
  const onlineAt = await firstShown(page, 'online', restoredAt);
  test.info().annotations.push({ type: 'online shown after', description: `${onlineAt - restoredAt} ms` });
});
