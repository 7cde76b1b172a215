import { randomBytes } from 'node:crypto';
import type { Page } from '@playwright/test';
import { expect, test } from './support/fixtures.ts';
import { OwnServer } from './support/own-server.ts';
import { inEnglish, SHOWN } from './support/screens.ts';
import { closeServerDb, goOffline, goOnline, serverDatabaseUrl, serverRows, signIn, waitForEmptyOutbox, waitForLocal } from './support/tablet.ts';

// Preventive maintenance by meter (issue 14, item 5): a supervisor schedules it on a machine's
// page; two technicians, each on a different server process of the same database, log readings
// past the due reading while offline and come back online together: one task is made, not two.

test.describe.configure({ timeout: 600_000 });

// A second server process on the database of this worker's yard server.
let second: OwnServer;
test.beforeAll(async () => {
  // A hook runs under the config's 30 s, not the describe's timeout; a server's first start
  // (initdb, migrations, seed) can take longer on a busy machine.
  test.setTimeout(180_000);
  second = new OwnServer(3197, { DATABASE_URL: serverDatabaseUrl(), DEMO: 'false' });
  await second.start();
});
test.afterAll(async () => {
  await second?.remove();
  await closeServerDb();
});

async function logReading(page: Page, reading: number): Promise<void> {
  await page.locator('.machine-actions').getByRole('button', { name: 'Add log entry', exact: true }).click();
  const dialog = page.getByTestId('log-entry-dialog');
  await dialog.getByLabel('Kind of work').selectOption('meter_reading');
  await dialog.getByLabel('Meter reading').fill(String(reading));
  await dialog.getByRole('button', { name: 'Add log entry' }).click();
  await expect(dialog).toHaveCount(0, SHOWN);
}

test('a meter schedule makes exactly one task when readings logged on two server processes cross it', async ({ browser, baseURL }) => {
  const title = `Grease the rotor ${randomBytes(3).toString('hex')}`;
  const [machine] = await serverRows<{ id: string; tag: string; meter: string | null }>(
    `select id::text, tag, meter::text from equipment where status = 'running' and meter is not null order by tag limit 1 offset 2`,
  );
  const meter = Number(machine!.meter);
  const machineUrl = `/equipment/${encodeURIComponent(machine!.tag)}`;

  // The supervisor adds the schedule on the machine's page: every 100, first due 50 from now.
  const office = await browser.newContext({ baseURL });
  await inEnglish(office);
  const supervisor = await office.newPage();
  await signIn(supervisor, 'supervisor', { url: machineUrl });
  const section = supervisor.getByTestId('pm-section');
  await section.getByRole('button', { name: 'Add schedule' }).click();
  const form = supervisor.getByTestId('pm-form');
  await form.getByLabel('Task title').fill(title);
  await form.getByLabel('By the meter').check();
  await form.getByLabel('Every (meter)').fill('100');
  await form.getByLabel('First due at meter').fill(String(meter + 50));
  await form.getByRole('button', { name: 'Save schedule' }).click();
  await expect(form).toHaveCount(0, SHOWN);
  await expect(section.getByTestId('pm-row').filter({ hasText: title })).toHaveAttribute('data-when', 'later', SHOWN);
  await waitForEmptyOutbox(supervisor);
  const [schedule] = await serverRows<{ id: string }>('select id::text from pm_schedules where title = $1', [title]);
  expect(schedule).toBeTruthy();

  // One technician on each server process, both offline on the machine's page.
  const tablets = [];
  for (const [username, url] of [['tech2', baseURL!], ['tech', second.url]] as const) {
    const context = await browser.newContext({ baseURL: url });
    await inEnglish(context);
    const page = await context.newPage();
    await signIn(page, username, { url: machineUrl });
    await waitForLocal(page, 'the schedule', 'select count(*) = 1 as ok from pm_schedules where id = $1', [schedule!.id]);
    await goOffline(context);
    tablets.push({ context, page });
  }
  await logReading(tablets[0]!.page, meter + 60);
  await logReading(tablets[1]!.page, meter + 70);
  // Offline, the tablet already says it is due (its meter passed the reading).
  await expect(tablets[1]!.page.getByTestId('pm-row').filter({ hasText: title })).toHaveAttribute('data-when', 'due', SHOWN);

  await Promise.all(tablets.map(({ context }) => goOnline(context)));
  await Promise.all(tablets.map(({ page }) => waitForEmptyOutbox(page)));
  const tasks = await serverRows<{ id: string; equipment_id: string; status: string }>('select id::text, equipment_id::text, status from tasks where title = $1', [title]);
  expect(tasks).toEqual([{ id: expect.any(String), equipment_id: machine!.id, status: 'open' }]);
  expect(await serverRows('select next_due_meter::float8 as next from pm_schedules where id = $1', [schedule!.id])).toEqual([{ next: meter + 150 }]);
  expect(await serverRows(`select count(*)::int as n from logs where equipment_id = $1 and meter_reading in ($2, $3)`, [machine!.id, meter + 60, meter + 70])).toEqual([{ n: 2 }]);

  // Each tablet gets the task; the schedule is planned again, its last task open.
  for (const { page } of tablets) {
    await waitForLocal(page, 'the PM task', 'select count(*) = 1 as ok from tasks where id = $1', [tasks[0]!.id]);
    const row = page.getByTestId('pm-row').filter({ hasText: title });
    await expect(row).toHaveAttribute('data-when', 'later', SHOWN);
    await expect(row.getByRole('link', { name: 'last task: Open' })).toBeVisible(SHOWN);
  }
  for (const { context } of tablets) await context.close();
  await office.close();
});
