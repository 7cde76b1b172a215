import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from './support/fixtures.ts';
import { launchKillable, type KillableBrowser } from './support/killable-browser.ts';
import { openParts, partRow, SHOWN } from './support/screens.ts';
import { APP_READY, closeServerDb, local, serverRows, signIn, waitForEmptyOutbox, waitForLocal } from './support/tablet.ts';

// What a person did survives the browser being killed (battery, the OS ending the app) a moment
// later: the tablet stores a tap before it shows it, and a renewed session before it uses it.
// The browser process is killed with SIGKILL — no clean close — and started again on its profile.

test.describe.configure({ timeout: 600_000 });
test.afterAll(closeServerDb);

let profile: string;
let browser: KillableBrowser | undefined;
test.beforeEach(() => {
  profile = fs.mkdtempSync(path.join(os.tmpdir(), 'cimco-e2e-profile-'));
});
test.afterEach(async () => {
  await browser?.context.close().catch(() => {});
  browser = undefined;
  fs.rmSync(profile, { recursive: true, force: true });
});

/** Opens the app on the profile, offline when asked (the service worker serves it). */
async function reopen(baseURL: string, { offline }: { offline: boolean }): Promise<KillableBrowser> {
  browser = await launchKillable(profile, baseURL);
  if (offline) await browser.context.setOffline(true);
  await browser.page.goto('/');
  await expect(browser.page.getByTestId('sync-bar')).toBeVisible(APP_READY);
  return browser;
}

/**
 * Offline, records a stock change on the reopened tablet; then online, waits until it is uploaded
 * and checks the server has it once.
 */
async function recordOfflineThenUpload(again: KillableBrowser, label: string): Promise<void> {
  const [part] = await local<{ id: string }>(again.page, 'select id from parts where deleted_at is null order by part_number limit 1');
  const note = `${label} ${crypto.randomUUID()}`;
  await again.page.evaluate(
    ([partId, note]) =>
      (globalThis as unknown as { cimcoRecord(name: string, args: unknown): Promise<string> }).cimcoRecord('stock.adjust', {
        reason: 'received',
        movementId: crypto.randomUUID(),
        partId,
        delta: 1,
        note,
      }),
    [part!.id, note] as const,
  );
  await again.context.setOffline(false);
  await waitForEmptyOutbox(again.page);
  expect(await serverRows(`select count(*)::int as n from stock_movements where note = $1`, [note])).toEqual([{ n: 1 }]);
}

test('a stock change made offline survives the browser being killed 50 ms after it shows, and reaches the server once', async ({ baseURL }) => {
  browser = await launchKillable(profile, baseURL!);
  await signIn(browser.page, 'tech2');
  const [part] = await serverRows<{ id: string; part_number: string; quantity: number }>(
    `select id::text, part_number, quantity from parts where quantity >= 3 and deleted_at is null order by part_number desc limit 1`,
  );
  const note = `killed ${crypto.randomUUID()}`;

  await browser.context.setOffline(true);
  const { page } = browser;
  await openParts(page, part!.part_number);
  await partRow(page, part!.part_number).click();
  await page.getByRole('button', { name: 'Use', exact: true }).click();
  await page.getByLabel('Quantity used').fill('1');
  await page.getByLabel('Note (optional)').fill(note);
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  // The tap shows — then the browser dies.
  await expect(partRow(page, part!.part_number).getByTestId('part-quantity')).toContainText(String(part!.quantity - 1), SHOWN);
  await page.waitForTimeout(50);
  await browser.kill();

  // Started again with no network: the change is there, queued.
  const again = await reopen(baseURL!, { offline: true });
  const queued = await local<{ name: string; note: string }>(again.page, `select name, args->>'note' as note from outbox`);
  expect(queued).toEqual([{ name: 'stock.adjust', note }]);
  await openParts(again.page, part!.part_number);
  await expect(partRow(again.page, part!.part_number).getByTestId('part-quantity')).toContainText(String(part!.quantity - 1), SHOWN);

  // Back online: uploaded, exactly once.
  await again.context.setOffline(false);
  await waitForEmptyOutbox(again.page);
  expect(await serverRows(`select count(*)::int as n from stock_movements where note = $1`, [note])).toEqual([{ n: 1 }]);
  expect(await serverRows('select quantity from parts where id = $1', [part!.id])).toEqual([{ quantity: part!.quantity - 1 }]);
});

test('a renewed session survives the browser being killed 50 ms after it is stored: still signed in offline, and the queue uploads', async ({ baseURL }) => {
  browser = await launchKillable(profile, baseURL!);
  await signIn(browser.page, 'tech2');
  const { page } = browser;
  const [before] = await local<{ refresh_token: string }>(page, 'select refresh_token from session');

  // The access token is about to expire: the leader renews it before its next request.
  await local(page, `update session set access_token_expires_at = now()`);
  await page.evaluate(() => (globalThis as unknown as { cimcoDb: { run(op: string): Promise<void> } }).cimcoDb.run('syncNow'));
  await waitForLocal(page, 'the renewed session', 'select refresh_token <> $1 and not expired as ok from session', [before!.refresh_token]);
  const [renewed] = await local<{ refresh_token: string }>(page, 'select refresh_token from session');
  await page.waitForTimeout(50);
  await browser.kill();

  // Started again offline: still signed in, with the renewed session; work can be queued.
  const again = await reopen(baseURL!, { offline: true });
  expect(await local(again.page, 'select refresh_token, expired from session')).toEqual([{ refresh_token: renewed!.refresh_token, expired: false }]);
  // Online again: the queue uploads with the renewed session; nothing was revoked.
  await recordOfflineThenUpload(again, 'after renewal');
  expect(await local(again.page, 'select expired from session')).toEqual([{ expired: false }]);
  expect(await serverRows(`select count(*)::int as n from refresh_tokens where revoked_at is not null and user_id = (select id from users where username = 'tech2') and revoked_reason = 'reuse'`)).toEqual([{ n: 0 }]);
});

test('a renewal whose answer the browser never got (killed first): the old refresh token works again within a minute, nothing is revoked', async ({ baseURL }) => {
  browser = await launchKillable(profile, baseURL!);
  await signIn(browser.page, 'supervisor');
  const { page, context } = browser;
  const [before] = await local<{ refresh_token: string }>(page, 'select refresh_token from session');

  // The server renews the session, and its answer never arrives: the browser dies first.
  let rotated!: () => void;
  const renewedOnServer = new Promise<void>((resolve) => (rotated = resolve));
  await context.route('**/api/auth/refresh', async (route) => {
    await route.fetch();
    rotated();
    // Never answered.
  });
  await local(page, `update session set access_token_expires_at = now()`);
  await page.evaluate(() => (globalThis as unknown as { cimcoDb: { run(op: string): Promise<void> } }).cimcoDb.run('syncNow'));
  await renewedOnServer;
  await browser.kill();

  // Started again offline: signed in with the session it had; work can be queued.
  const again = await reopen(baseURL!, { offline: true });
  expect(await local(again.page, 'select refresh_token, expired from session')).toEqual([{ refresh_token: before!.refresh_token, expired: false }]);
  // Online again: the old refresh token is answered with the session the browser never got.
  await recordOfflineThenUpload(again, 'lost renewal');
  expect(await local(again.page, 'select expired, refresh_token <> $1 as renewed from session', [before!.refresh_token])).toEqual([{ expired: false, renewed: true }]);
  expect(await serverRows(`select count(*)::int as n from refresh_tokens where revoked_at is not null and user_id = (select id from users where username = 'supervisor')`)).toEqual([{ n: 0 }]);
});
