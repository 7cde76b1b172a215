import { randomBytes, randomUUID } from 'node:crypto';
import type { Page } from '@playwright/test';
import { expect, test } from './support/fixtures.ts';
import { inEnglish, SHOWN } from './support/screens.ts';
import { closeServerDb, goOffline, goOnline, runAs, serverRows, signIn, waitForEmptyOutbox, waitForLocal } from './support/tablet.ts';

// The knowledge loop (issue 14, item 2): while a task is typed, past fixes like it show from the
// tablet's own database — the same machine's first — and "This helped" reorders them, offline.

test.describe.configure({ timeout: 600_000 });
test.afterAll(closeServerDb);

const fixCards = (page: Page) => page.getByTestId('similar-fixes').getByTestId('fix-card');

test('typing "hydraulic leak" on a machine\'s new task shows its past hydraulic fix first, offline; a vote reorders the fixes and reaches the server once', async ({ page, context, request }) => {
  await inEnglish(context);
  // A word no other fix has, so the vote's effect is seen among these fixes only.
  const nonce = `kx${randomBytes(3).toString('hex')}`;
  const [machine] = await serverRows<{ id: string; tag: string }>(
    `select id::text, tag from equipment where status <> 'retired'
        and id not in (select equipment_id from knowledge where equipment_id is not null) order by tag limit 1`,
  );
  const onMachine = randomUUID();
  const older = randomUUID();
  const newer = randomUUID();
  for (const [id, fields] of [
    [onMachine, { equipmentId: machine!.id, category: 'hydraulics', problem: `Hydraulic leak at the feed ram ${nonce}`, cause: 'Worn rod seal', fixSteps: 'Replaced the rod seal kit and bled the cylinder' }],
    [older, { problem: `Hydraulic leak under the cab ${nonce}`, fixSteps: 'Tightened the return line fitting' }],
    [newer, { problem: `Hydraulic leak at the tank ${nonce}`, fixSteps: 'New tank gasket' }],
  ] as const) {
    expect((await runAs(request, 'supervisor', 'knowledge.add', { id, ...fields })).status).toBe('applied');
  }

  await signIn(page, 'tech');
  await waitForLocal(page, 'the new fixes', 'select count(*) = 3 as ok from knowledge where problem like $1', [`%${nonce}`]);
  await goOffline(context);

  await page.goto(`/equipment/${encodeURIComponent(machine!.tag)}`);
  await page.getByRole('button', { name: 'New task', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'New task' });
  const title = dialog.getByLabel('Title', { exact: true });
  await title.fill('hydraulic leak');
  // The machine's own fix first, whatever else the yard has fixed.
  await expect(fixCards(page).first()).toHaveAttribute('data-knowledge-id', onMachine, SHOWN);
  await expect(fixCards(page).first()).toHaveAttribute('data-relation', 'machine');
  // One tap opens it.
  await fixCards(page).first().getByRole('button', { name: /Hydraulic leak at the feed ram/ }).click();
  await expect(fixCards(page).first()).toContainText('Replaced the rod seal kit');

  // The other two match as well; the newer comes first until someone says the older helped.
  await title.fill(`hydraulic leak ${nonce}`);
  const ids = () => fixCards(page).evaluateAll((cards) => cards.map((card) => card.getAttribute('data-knowledge-id')));
  await expect.poll(ids, SHOWN).toEqual([onMachine, newer, older]);
  const olderCard = fixCards(page).and(page.locator(`[data-knowledge-id="${older}"]`));
  await olderCard.getByRole('button', { name: 'This helped' }).click();
  await expect.poll(ids, SHOWN).toEqual([onMachine, older, newer]);
  await expect(olderCard.getByTestId('fix-votes')).toHaveText('Helped 1 person');
  await expect(olderCard.getByRole('button', { name: 'You said it helped' })).toBeDisabled();

  // Back online: the vote reaches the server once, and the order holds with the server's count.
  await goOnline(context);
  await waitForEmptyOutbox(page);
  expect(await serverRows('select helpful_votes from knowledge where id = $1', [older])).toEqual([{ helpful_votes: 1 }]);
  expect(await serverRows('select count(*)::int as n from knowledge_votes where knowledge_id = $1', [older])).toEqual([{ n: 1 }]);
  await expect.poll(ids, SHOWN).toEqual([onMachine, older, newer]);
  await dialog.getByRole('button', { name: 'Close' }).click();

  // The knowledge page lists them by its search, the most helpful first, opened cold and offline.
  await goOffline(context);
  await page.goto(`/knowledge?search=${nonce}`);
  const listed = page.getByTestId('knowledge-list').getByTestId('fix-card');
  await expect.poll(() => listed.evaluateAll((cards) => cards.map((card) => card.getAttribute('data-knowledge-id'))), SHOWN).toEqual([older, newer, onMachine]);
  await page.getByLabel('Machine').selectOption(machine!.tag);
  await expect(listed).toHaveCount(1, SHOWN);
  await listed.getByRole('button', { name: /Hydraulic leak at the feed ram/ }).click();
  await expect(listed).toContainText('Worn rod seal');
  await goOnline(context);
});
