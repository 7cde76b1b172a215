import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from './support/fixtures.ts';
import {
  APP_READY,
  closeServerDb,
  goOffline,
  goOnline,
  local,
  outboxNames,
  record,
  serverRows,
  signIn,
  waitForEmptyOutbox,
  waitForInitialSync,
  waitForLocal,
} from './support/tablet.ts';
import { completeTask, createTask, inEnglish, openParts, partRow, SHOWN, useStock } from './support/screens.ts';

// A shift without signal: the app starts from its cache with its data, work done offline shows at
// once and survives reloads, and when the Wi-Fi comes back each change reaches the server exactly
// once and the screen shows the server's values.

test.describe.configure({ timeout: 600_000 });
test.afterAll(closeServerDb);
test.beforeEach(async ({ context }) => {
  await inEnglish(context);
});

test('offline: the app starts from its cache with its data; stock, a new task and a completed task show at once, survive a reload and reach the server once', async ({
  page,
  context,
}) => {
  await signIn(page, 'tech');
  // The demo yard is on screen.
  await expect(page.getByTestId('part-row').first()).toBeVisible();
  const [part] = await serverRows<{ id: string; part_number: string; quantity: number }>(
    `select id::text, part_number, quantity from parts where quantity >= 5 and deleted_at is null order by part_number limit 1`,
  );
  const [task] = await serverRows<{ id: string }>(`select id::text from tasks where status = 'open' order by priority desc, id limit 1`);
  const title = `Offline task ${randomUUID().slice(0, 8)}`;
  const fix = `Replaced the hose ${randomUUID().slice(0, 8)}`;

  await goOffline(context);
  // With no network at all the app starts again from the service worker's cache and its database.
  await page.reload();
  await expect(page.getByTestId('part-row').first()).toBeVisible(APP_READY);

  await useStock(page, part!.part_number, 2);
  await expect(partRow(page, part!.part_number).getByTestId('part-quantity')).toContainText(String(part!.quantity - 2), SHOWN);
  await createTask(page, title);
  await expect(page.getByTestId('task-row').filter({ hasText: title })).toBeVisible(SHOWN);
  await completeTask(page, task!.id, fix);
  // Done tasks leave the list of open work.
  await expect(page.locator(`[data-testid="task-row"][data-task-id="${task!.id}"]`)).toHaveCount(0, SHOWN);
  expect((await local<{ status: string }>(page, 'select status from tasks where id = $1', [task!.id]))[0]?.status).toBe('done');

  expect(await outboxNames(page)).toEqual(['stock.adjust', 'task.create', 'task.complete']);
  await expect(page.getByTestId('sync-bar')).toHaveAttribute('data-pending', '3', SHOWN);

  // Reloaded offline, everything is still there.
  await page.reload();
  await openParts(page, part!.part_number);
  await expect(partRow(page, part!.part_number).getByTestId('part-quantity')).toContainText(String(part!.quantity - 2), APP_READY);
  expect(await outboxNames(page)).toEqual(['stock.adjust', 'task.create', 'task.complete']);
  expect(await serverRows('select count(*)::int as n from tasks where title = $1', [title])).toEqual([{ n: 0 }]);

  await goOnline(context);
  await waitForEmptyOutbox(page);
  await expect(page.getByTestId('sync-bar')).toHaveAttribute('data-pending', '0', SHOWN);

  // Each change exactly once on the server.
  expect(await serverRows('select quantity from parts where id = $1', [part!.id])).toEqual([{ quantity: part!.quantity - 2 }]);
  expect(await serverRows(`select count(*)::int as n from stock_movements where part_id = $1 and delta = -2 and reason = 'used'`, [part!.id])).toEqual([
    { n: 1 },
  ]);
  expect(await serverRows('select count(*)::int as n from tasks where title = $1', [title])).toEqual([{ n: 1 }]);
  expect(await serverRows('select status, resolution from tasks where id = $1', [task!.id])).toEqual([{ status: 'done', resolution: fix }]);

  // The screen shows the server's values: the quantity counted once, nothing pending.
  await waitForLocal(page, 'the server quantity', 'select quantity = $2 and not pending as ok from parts where id = $1', [part!.id, part!.quantity - 2]);
  await expect(partRow(page, part!.part_number).getByTestId('part-quantity')).toContainText(String(part!.quantity - 2), SHOWN);
});

test('closed and opened again with the same storage, offline, the app starts with its data', async ({ playwright, launchOptions, baseURL }) => {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'cimco-e2e-profile-'));
  try {
    let context = await playwright.chromium.launchPersistentContext(profile, { ...launchOptions, baseURL });
    await inEnglish(context);
    let page = context.pages()[0] ?? (await context.newPage());
    await signIn(page, 'storeroom');
    await page.waitForFunction(() => (globalThis as unknown as { navigator: { serviceWorker: { controller: unknown } } }).navigator.serviceWorker.controller !== null);
    const parts = await local<{ n: number }>(page, 'select count(*)::int as n from parts');
    await context.close();

    context = await playwright.chromium.launchPersistentContext(profile, { ...launchOptions, baseURL, offline: true });
    page = context.pages()[0] ?? (await context.newPage());
    await page.goto('/');
    await expect(page.getByTestId('part-row').first()).toBeVisible(APP_READY);
    await waitForInitialSync(page);
    expect(await local(page, 'select count(*)::int as n from parts')).toEqual(parts);
    await expect(page.getByTestId('sync-bar')).toHaveAttribute('data-online', 'offline', { timeout: 30_000 });
    await context.close();
  } finally {
    fs.rmSync(profile, { recursive: true, force: true });
  }
});

test('offline with work queued, the tablet stays offline and retries slowly: no answer from the browser cache counts as the server', async ({ page, context }) => {
  await signIn(page, 'storeroom');
  const [part] = await serverRows<{ id: string }>(`select id::text from parts where deleted_at is null order by part_number limit 1`);
  const bar = page.getByTestId('sync-bar');

  await goOffline(context);
  const mutationId = await record(page, 'stock.adjust', { partId: part!.id, movementId: randomUUID(), delta: -1, reason: 'used' });
  await expect(bar).toHaveAttribute('data-online', 'offline', SHOWN);

  // Watch for eight seconds: what the sync bar says, and how often the uploader tried to post.
  const attempts = async () => (await local<{ attempts: number }>(page, 'select attempts from outbox where mutation_id = $1', [mutationId]))[0]!.attempts;
  const before = await attempts();
  type Element = { getAttribute(name: string): string | null };
  type Observer = { observe(target: Element, options: object): void; disconnect(): void };
  type Page = {
    document: { querySelector(selector: string): Element };
    MutationObserver: new (callback: () => void) => Observer;
  };
  const shown = await page.evaluate(async () => {
    const { document, MutationObserver } = globalThis as unknown as Page;
    const seen: string[] = [];
    const element = document.querySelector('[data-testid="sync-bar"]');
    const observer = new MutationObserver(() => seen.push(element.getAttribute('data-online') ?? ''));
    observer.observe(element, { attributes: true, attributeFilter: ['data-online'] });
    await new Promise((resolve) => setTimeout(resolve, 8_000));
    observer.disconnect();
    return seen;
  });
  const tried = (await attempts()) - before;

  expect(shown.filter((state) => state !== 'offline')).toEqual([]);
  // The uploader backs off (0.5 s, doubling to 5 s): a handful of tries in eight seconds, not dozens.
  expect(tried).toBeLessThanOrEqual(8);
  await expect(bar).toHaveAttribute('data-online', 'offline');
  expect(await outboxNames(page)).toEqual(['stock.adjust']);

  await goOnline(context);
  await waitForEmptyOutbox(page);
  await expect(bar).toHaveAttribute('data-online', 'online', SHOWN);
});
