import type { Page } from '@playwright/test';
import { expect, test } from './support/fixtures.ts';
import { inEnglish, SHOWN, useStock } from './support/screens.ts';
import { APP_READY, closeServerDb, deleteYard, goOffline, goOnline, local, serverRows, signIn, waitForEmptyOutbox, waitForInitialSync } from './support/tablet.ts';

// Demo / live (issue 14, item 6): a training yard anyone can switch to and back from on the
// tablet, with its own data and people; the live yard is never touched by work done there; an
// admin's reset restores it.

test.describe.configure({ timeout: 600_000 });

test.afterAll(async () => {
  // The training yards have the demo yard's machines and parts: later specs look those up by tag.
  for (const { id } of await serverRows<{ id: string }>('select id::text from sites where training_for is not null')) await deleteYard(id);
  await closeServerDb();
});

async function enterTrainingAs(page: Page, person: string): Promise<void> {
  await expect(page.getByTestId('training-banner')).toBeVisible(APP_READY);
  await page.getByRole('button', { name: new RegExp(person) }).click();
  await expect(page.getByTestId('sync-bar')).toBeVisible(APP_READY);
  await waitForInitialSync(page);
}

async function partQuantity(siteId: string, partNumber: string): Promise<number> {
  const [row] = await serverRows<{ quantity: number }>('select quantity from parts where site_id = $1 and part_number = $2', [siteId, partNumber]);
  return row!.quantity;
}

test('a storeroom clerk practises in the training yard: stock used there leaves the live yard untouched, back to live offline, and an admin reset restores the training stock', async ({ browser }) => {
  const context = await browser.newContext();
  await inEnglish(context);
  const page = await context.newPage();
  await signIn(page, 'storeroom');
  const [live] = await serverRows<{ siteId: string; partNumber: string; quantity: number }>(
    `select p.site_id::text as "siteId", p.part_number as "partNumber", p.quantity
       from parts p join users u on u.site_id = p.site_id
      where u.username = 'storeroom' and p.quantity > 2 and p.deleted_at is null
      order by p.part_number limit 1`,
  );
  const liveMovements = await serverRows('select id from stock_movements where site_id = $1 order by id', [live!.siteId]);

  // Into the training yard: one button, a word of what it is, then pick a person.
  await page.getByRole('button', { name: 'Training', exact: true }).click();
  await page.getByRole('dialog', { name: 'Switch to the training yard?' }).getByRole('button', { name: 'Go to the training yard' }).click();
  await enterTrainingAs(page, 'Rosa Storeroom');
  const [yard] = await serverRows<{ id: string }>('select id::text from sites where training_for = $1 and retired_at is null', [live!.siteId]);
  expect(await local(page, 'select site_id from session')).toEqual([{ site_id: yard!.id }]);
  const seeded = await partQuantity(yard!.id, live!.partNumber);

  await useStock(page, live!.partNumber, 2);
  await waitForEmptyOutbox(page);
  expect(await partQuantity(yard!.id, live!.partNumber)).toBe(seeded - 2);
  // The live yard: the same part number, not one movement more.
  expect(await partQuantity(live!.siteId, live!.partNumber)).toBe(live!.quantity);
  expect(await serverRows('select id from stock_movements where site_id = $1 order by id', [live!.siteId])).toEqual(liveMovements);

  // Back to the live yard with no network: still signed in, its own stock on screen.
  await goOffline(context);
  await page.getByRole('button', { name: 'Back to the live yard' }).click();
  await expect(page.getByTestId('sync-bar')).toBeVisible(APP_READY);
  await expect(page.getByTestId('training-banner')).toHaveCount(0);
  expect(await local(page, 'select site_id from session')).toEqual([{ site_id: live!.siteId }]);
  expect(await local(page, 'select quantity from parts where part_number = $1', [live!.partNumber])).toEqual([{ quantity: live!.quantity }]);
  await goOnline(context);

  // An admin resets the training yard from the admin screen.
  const office = await browser.newContext();
  await inEnglish(office);
  const admin = await office.newPage();
  await signIn(admin, 'admin', { url: '/admin/users' });
  admin.once('dialog', (dialog) => void dialog.accept());
  await admin.getByRole('button', { name: 'Reset the training yard' }).click();
  await expect(admin.getByText(/The training yard was reset at/)).toBeVisible(SHOWN);
  const [fresh] = await serverRows<{ id: string }>('select id::text from sites where training_for = $1 and retired_at is null', [live!.siteId]);
  expect(fresh!.id).not.toBe(yard!.id);
  await office.close();

  // Back in training, the old session has ended: pick a person again, and the stock is as seeded.
  await page.getByRole('button', { name: 'Training', exact: true }).click();
  await page.getByRole('dialog', { name: 'Switch to the training yard?' }).getByRole('button', { name: 'Go to the training yard' }).click();
  await enterTrainingAs(page, 'Rosa Storeroom');
  expect(await local(page, 'select site_id from session')).toEqual([{ site_id: fresh!.id }]);
  await expect
    .poll(async () => local(page, 'select quantity from parts where part_number = $1', [live!.partNumber]), SHOWN)
    .toEqual([{ quantity: seeded }]);
  expect(await local(page, 'select count(*)::int as n from outbox')).toEqual([{ n: 0 }]);
  expect(await partQuantity(live!.siteId, live!.partNumber)).toBe(live!.quantity);
  await context.close();
});
