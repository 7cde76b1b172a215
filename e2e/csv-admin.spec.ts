import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from '@playwright/test';
import { expect, test } from './support/fixtures.ts';
import Papa from 'papaparse';
import { en } from '../client/src/i18n/en.ts';
import { inEnglish, partRow, SHOWN } from './support/screens.ts';
import { APP_READY, closeServerDb, deleteYard, goOffline, goOnline, local, record, serverRows, waitForEmptyOutbox, waitForInitialSync } from './support/tablet.ts';

// CSV in the app and the admin screens (issue 13, items 6 and 8), in a yard of their own on the
// shared server (so the 198 imported parts and the disabled account touch no other test): the
// yard's real catalog imported through the import screen (in Spanish), a filtered parts list
// exported spreadsheet-safe, and an admin who creates and then disables a technician, who can
// never open the admin screens or API.

const YARD_PARTS_CSV = path.resolve(import.meta.dirname, '../../shared/data/yard-parts.csv');
const run = randomUUID().slice(0, 8);
const SITE_CODE = `csv-${run}`;
const ADMIN = `csvadmin-${run}`;
const STOREROOM = `csvstore-${run}`;
const TECH = `csvtech-${run}`;
const TECH_PASSWORD = 'long-enough-pw-1';
let siteId: string;

test.describe.configure({ mode: 'serial', timeout: 300_000 });

let admin: { context: BrowserContext; page: Page };
let tech: { context: BrowserContext; page: Page } | undefined;

async function signInAs(page: Page, username: string, password = 'demo'): Promise<void> {
  await page.goto('/');
  await page.locator('#username').fill(username, APP_READY);
  await page.locator('#password').fill(password);
  await page.locator('form button[type=submit]').click();
  await expect(page.getByTestId('sync-bar')).toBeVisible(APP_READY);
  await waitForInitialSync(page);
}

async function newTablet(browser: Browser, language: 'en' | 'es'): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ acceptDownloads: true });
  if (language === 'en') await inEnglish(context);
  else await context.addInitScript(() => (globalThis as unknown as { localStorage: Storage }).localStorage.setItem('cimco.language', 'es'));
  return { context, page: await context.newPage() };
}

/** No piece of the import screen's English texts (csv.*, common.*) appears in `text`. */
function expectNoEnglish(text: string): void {
  const strings = (value: unknown): string[] => (typeof value === 'string' ? [value] : Object.values(value as object).flatMap(strings));
  const pieces = [...strings(en.csv), ...strings(en.common)]
    .flatMap((s) => s.split(/\{\{[^}]+\}\}/))
    .map((piece) => piece.trim())
    .filter((piece) => piece.length >= 6);
  expect(pieces.length).toBeGreaterThan(50);
  // As whole words: "Import" is English, "Importar" is not.
  const escape = (piece: string) => piece.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  for (const piece of pieces) expect(text, `English on the Spanish screen: "${piece}"`).not.toMatch(new RegExp(`(?<!\\p{L})${escape(piece)}(?!\\p{L})`, 'u'));
}

test.beforeAll(async ({ browser }) => {
  // A hook runs under the config's 30 s, not the describe's timeout, and the first sign-in (PGlite's
  // first start) can take longer than that on a busy machine.
  test.setTimeout(300_000);
  // A yard with an admin and a storeroom keeper (the demo password's hash, so they sign in with it).
  siteId = randomUUID();
  await serverRows('insert into sites (id, code, name) values ($1, $2, $3)', [siteId, SITE_CODE, `CSV yard ${run}`]);
  for (const [username, role, locale] of [[ADMIN, 'admin', 'en'], [STOREROOM, 'storeroom', 'es']] as const) {
    await serverRows(
      `insert into users (id, site_id, username, display_name, role, locale, password_hash)
       select $1, $2, $3, $4, $5, $6, password_hash from users where username = 'admin'`,
      [randomUUID(), siteId, username, `${role} ${run}`, role, locale],
    );
  }
  admin = await newTablet(browser, 'en');
  await signInAs(admin.page, ADMIN);
});

test.afterAll(async () => {
  await admin?.context.close();
  await tech?.context.close();
  if (siteId) await deleteYard(siteId);
  await closeServerDb();
});

test('the yard’s catalog imports through the import screen, in Spanish: line 73 explained, 198 parts created', async ({ browser }) => {
  const { context, page } = await newTablet(browser, 'es');
  await signInAs(page, STOREROOM);

  // Offline, the screen says the import needs the server (instead of failing on the file).
  await page.getByRole('link', { name: 'Importar', exact: true }).click();
  await goOffline(context);
  await expect(page.getByTestId('import-offline')).toContainText('sin conexión', SHOWN);
  await goOnline(context);
  await expect(page.getByTestId('import-offline')).toHaveCount(0, SHOWN);

  await page.getByLabel('Archivo CSV').setInputFiles(YARD_PARTS_CSV);
  const preview = page.getByTestId('import-preview');
  await expect(preview).toBeVisible(SHOWN);
  const counts = page.getByTestId('import-counts');
  await expect(counts.locator('[data-count="rows"]')).toHaveText('199 filas en el archivo');
  await expect(counts.locator('[data-count="new"]')).toHaveText('198 repuestos nuevos');
  await expect(counts.locator('[data-count="errors"]')).toHaveText('1 fila con errores (no se importa)');
  const errors = page.getByTestId('import-errors').locator(':scope > li');
  await expect(errors).toHaveCount(1);
  await expect(errors.first()).toHaveAttribute('data-line', '73');
  await expect(errors.first()).toHaveText('Línea 73Falta el dato «número de parte». Rellénelo, o borre la fila si no es un repuesto.');

  // Spanish only: no English sentence and no raw key anywhere on the screen.
  const text = await page.locator('.import-screen').innerText();
  expect(text).not.toMatch(/\b(?:csv|admin|common|validation)\.[a-z][A-Za-z_.]+/);
  expectNoEnglish(text);

  await page.getByRole('button', { name: 'Importar 198 repuestos' }).click();
  const summary = page.getByTestId('import-summary');
  await expect(summary).toBeVisible({ timeout: 120_000 });
  await expect(summary.locator('[data-count="created"]')).toHaveText('198 repuestos creados');
  await expect(summary.locator('[data-count="errors"]')).toHaveText('1 fila con errores (no se importa)');
  const done = await page.locator('.import-screen').innerText();
  expect(done).not.toMatch(/\b(?:csv|admin|common|validation)\.[a-z][A-Za-z_.]+/);
  expectNoEnglish(done);

  // On the server: every part number of the file (all but line 73's) is in this yard, once.
  const file = Papa.parse<Record<string, string>>(fs.readFileSync(YARD_PARTS_CSV, 'utf8'), { header: true, skipEmptyLines: true }).data;
  const numbers = file.map((row) => row.part_number).filter((n): n is string => !!n);
  expect(numbers).toHaveLength(198);
  const [{ n }] = (await serverRows<{ n: number }>('select count(*)::int as n from parts where site_id = $1 and part_number = any($2)', [siteId, numbers])) as [{ n: number }];
  expect(n).toBe(198);
  expect(await serverRows('select count(*)::int as n from parts where site_id = $1', [siteId])).toEqual([{ n: 198 }]);
  await context.close();
});

test('a filtered parts list exports exactly its rows, with formulas neutralised', async () => {
  const { page } = admin;
  // Parts whose text a spreadsheet would run as formulas; two in "Bin Z", one elsewhere.
  const parts = [
    { partNumber: `INJ-${run}-1`, name: '=cmd|" /C calc"!A0', location: 'Bin Z', manufacturer: '@SUM(A1)' },
    { partNumber: `INJ-${run}-2`, name: '+1+1 bolt', location: 'Bin Z', manufacturer: 'Plain maker' },
    { partNumber: `INJ-${run}-3`, name: '-elsewhere', location: 'Bin Y', manufacturer: null },
  ];
  for (const part of parts) await record(page, 'part.create', { id: randomUUID(), ...part });
  await waitForEmptyOutbox(page);

  await page.getByRole('link', { name: 'Parts', exact: true }).click();
  await page.getByLabel('Search parts').fill(`INJ-${run}`);
  await page.getByLabel('Location', { exact: true }).selectOption('Bin Z');
  await expect(page.locator('[data-testid="part-row"]')).toHaveCount(2, SHOWN);
  await expect(partRow(page, `INJ-${run}-3`)).toHaveCount(0);

  // Made on the tablet from the list's own query: it works offline.
  await goOffline(admin.context);
  await expect(page.getByTestId('sync-bar')).toHaveClass(/sync-bar-offline/, SHOWN);
  const downloading = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export CSV' }).click();
  const download = await downloading;
  await goOnline(admin.context);
  expect(download.suggestedFilename()).toMatch(/^parts-\d{4}-\d{2}-\d{2}\.csv$/);
  const bytes = fs.readFileSync((await download.path())!);
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const parsed = Papa.parse<string[]>(bytes.toString('utf8').slice(1), { skipEmptyLines: true });
  expect(parsed.errors).toEqual([]);
  const [header, ...rows] = parsed.data;
  expect(header).toEqual(['Part number', 'Name', 'Manufacturer', 'Category', 'Location', 'Quantity', 'Min quantity', 'Unit', 'Wear rating']);

  // Exactly the rows the filters select on the server, and every formula starts with a quote.
  const expected = await serverRows<{ part_number: string }>(
    `select part_number from parts where site_id = $1 and location = 'Bin Z' and part_number like $2 order by upper(part_number)`,
    [siteId, `INJ-${run}-%`],
  );
  expect(rows.map((r) => r[0])).toEqual(expected.map((p) => p.part_number));
  expect(rows.map((r) => [r[1], r[2], r[4], r[5]])).toEqual([
    [`'=cmd|" /C calc"!A0`, "'@SUM(A1)", 'Bin Z', '0'],
    ["'+1+1 bolt", 'Plain maker', 'Bin Z', '0'],
  ]);
  for (const cell of rows.flat()) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
});

test('the log, the orders and a part\'s movements export what they show', async () => {
  const { page } = admin;
  const machineId = randomUUID();
  const tag = `CSV-${run}`;
  await record(page, 'equipment.create', { id: machineId, tag, name: 'Export test shredder', type: 'shredder' });
  await record(page, 'log.add', { id: randomUUID(), equipmentId: machineId, kind: 'note', body: 'a note, not exported below' });
  await record(page, 'log.add', { id: randomUUID(), equipmentId: machineId, kind: 'repair', body: '=HYPERLINK("x") rotor bearing', lotoConfirmed: true });
  const [part] = await serverRows<{ id: string; part_number: string }>(
    `select id::text, part_number from parts where site_id = $1 and part_number = $2`,
    [siteId, `INJ-${run}-1`],
  );
  for (const [orderNumber, supplier] of [[`PO-${run}-A`, 'Acme'], [`PO-${run}-B`, 'Other supply']]) {
    await record(page, 'order.create', { id: randomUUID(), partId: part!.id, orderNumber, supplier, quantityOrdered: 5 });
  }
  await record(page, 'stock.adjust', { reason: 'received', movementId: randomUUID(), partId: part!.id, delta: 3 });
  await waitForEmptyOutbox(page);

  const exported = async (name = 'Export CSV'): Promise<string[][]> => {
    const downloading = page.waitForEvent('download');
    await page.getByRole('button', { name, exact: true }).click();
    const bytes = fs.readFileSync((await (await downloading).path())!);
    const parsed = Papa.parse<string[]>(bytes.toString('utf8').slice(1), { skipEmptyLines: true });
    expect(parsed.errors).toEqual([]);
    return parsed.data.slice(1);
  };

  // The log filtered to repairs on that machine: one entry, its text formula-safe.
  await page.goto(`/log?machine=${encodeURIComponent(tag)}&kind=repair`);
  await expect(page.getByRole('heading', { level: 2, name: 'Maintenance log' })).toBeVisible(APP_READY);
  await expect(page.getByText('rotor bearing')).toBeVisible(SHOWN);
  const logRows = await exported();
  expect(logRows).toHaveLength(1);
  expect(logRows[0]).toContain(`'=HYPERLINK("x") rotor bearing`);

  // The orders filtered by supplier: one order.
  await page.goto('/orders?supplier=Acme');
  await expect(page.getByText(`PO-${run}-A`)).toBeVisible(APP_READY);
  const orderRows = await exported();
  expect(orderRows.map((r) => r[0])).toEqual([`PO-${run}-A`]);

  // A part's whole movement history, as the server has it.
  await page.goto(`/parts/${encodeURIComponent(part!.part_number)}`);
  await expect(page.getByTestId('part-detail')).toBeVisible(APP_READY);
  const movementRows = await exported('Export history as CSV');
  const movements = await serverRows<{ delta: number }>('select delta from stock_movements where part_id = $1 order by created_at desc', [part!.id]);
  expect(movementRows.map((r) => Number(r[2]))).toEqual(movements.map((m) => m.delta));
  expect(movements.length).toBeGreaterThan(0);
  // The part's panel is modal: close it for the tests that go on with this tablet.
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('part-detail')).toHaveCount(0, SHOWN);
});

test('a technician the admin creates cannot open the admin screens or API', async ({ browser, request }) => {
  const { page } = admin;
  await page.getByRole('link', { name: 'Admin', exact: true }).click();
  await expect(page).toHaveURL(/\/admin\/users$/);
  await page.getByRole('button', { name: 'New user' }).click();
  const dialog = page.getByRole('dialog', { name: 'New user' });
  await dialog.getByLabel('Name', { exact: true }).fill(`Tech ${run}`);
  await dialog.getByLabel('Username', { exact: true }).fill(TECH);
  await dialog.getByLabel('Role', { exact: true }).selectOption('technician');
  await dialog.getByLabel('Language', { exact: true }).selectOption('en');
  await dialog.getByLabel('Password', { exact: true }).fill(TECH_PASSWORD);
  await dialog.getByRole('button', { name: 'Create user' }).click();
  await expect(dialog).toHaveCount(0, SHOWN);
  await waitForEmptyOutbox(page);
  expect(await serverRows('select role, active from users where username = $1', [TECH])).toEqual([{ role: 'technician', active: true }]);

  tech = await newTablet(browser, 'en');
  await signInAs(tech.page, TECH, TECH_PASSWORD);
  // No admin link; the URL typed in shows "not allowed", not the users.
  await expect(tech.page.getByRole('link', { name: 'Admin', exact: true })).toHaveCount(0);
  await expect(tech.page.getByRole('link', { name: 'Import', exact: true })).toHaveCount(0);
  await tech.page.goto('/admin/users');
  await expect(tech.page.getByTestId('not-allowed')).toContainText('Not allowed', APP_READY);
  await expect(tech.page.getByTestId('users-table')).toHaveCount(0);
  await tech.page.goto('/admin/tablets');
  await expect(tech.page.getByTestId('not-allowed')).toBeVisible(APP_READY);
  // And the server refuses the admin API to the technician's own session.
  const [{ access_token: token }] = (await local<{ access_token: string }>(tech.page, 'select access_token from session')) as [{ access_token: string }];
  const devices = await request.get('/api/admin/devices', { headers: { authorization: `Bearer ${token}` } });
  expect(devices.status()).toBe(403);
  expect((await devices.json()).error).toBe('forbidden');

  // The admin sees the technician's tablet, and the new account in the audit log.
  await page.getByRole('link', { name: 'Tablets', exact: true }).click();
  await expect(page.getByTestId('tablet-row').filter({ hasText: `Tech ${run}` })).toHaveCount(1, SHOWN);
  await page.getByRole('link', { name: 'Audit log', exact: true }).click();
  await page.getByLabel('Record').selectOption('users');
  await expect(page.locator('[data-testid="audit-row"][data-command="user.create"]').filter({ hasText: TECH })).toHaveCount(1, SHOWN);
});

test('the admin disables the technician: their next request is refused and their tablet asks them to sign in', async ({ request }) => {
  const { page } = admin;
  const techPage = tech!.page;
  const [{ access_token: token }] = (await local<{ access_token: string }>(techPage, 'select access_token from session')) as [{ access_token: string }];
  expect((await request.get('/api/me', { headers: { authorization: `Bearer ${token}` } })).status()).toBe(200);

  await page.getByRole('link', { name: 'Users', exact: true }).click();
  const row = page.locator(`[data-testid="user-row"][data-username="${TECH}"]`);
  await row.getByRole('button', { name: 'Disable' }).click();
  await expect(row).toHaveAttribute('data-active', 'false', SHOWN);
  await waitForEmptyOutbox(page);
  expect(await serverRows('select active from users where username = $1', [TECH])).toEqual([{ active: false }]);

  // The very token the tablet holds is refused now, reads included…
  const me = await request.get('/api/me', { headers: { authorization: `Bearer ${token}` } });
  expect(me.status()).toBe(401);
  expect((await me.json()).error).toBe('account_disabled');
  // …and the tablet, whose sync is refused and cannot renew the session, shows sign-in again.
  await expect(techPage.locator('#password')).toBeVisible({ timeout: 60_000 });
  await expect(techPage.locator('#username')).toHaveValue(TECH);
});
