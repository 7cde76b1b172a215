import { randomUUID } from 'node:crypto';
import { expect, test } from './support/fixtures.ts';
import { inEnglish, SHOWN, useStock } from './support/screens.ts';
import { closeServerDb, goOffline, goOnline, local, record, serverRows, signIn, waitForEmptyOutbox, waitForLocal } from './support/tablet.ts';

// Two tablets, two people, both offline: both take the same part from stock and both edit the
// same field of the same task. After reconnecting they agree, the stock reflects both movements,
// and the value the later edit overwrote is in the supervisor's conflicts list.

test.describe.configure({ timeout: 600_000 });
test.afterAll(closeServerDb);

test('two tablets offline converge: both movements counted, the overwritten edit in the conflicts list', async ({ browser }) => {
  const contexts = await Promise.all([browser.newContext(), browser.newContext(), browser.newContext()]);
  for (const context of contexts) await inEnglish(context);
  const [first, second, supervisorContext] = contexts as [typeof contexts[0], typeof contexts[0], typeof contexts[0]];
  const a = await first.newPage();
  const b = await second.newPage();
  await signIn(a, 'tech');
  await signIn(b, 'tech2');

  const [part] = await serverRows<{ id: string; part_number: string; quantity: number }>(
    `select id::text, part_number, quantity from parts where quantity >= 5 and deleted_at is null order by part_number desc limit 1`,
  );
  const [task] = await serverRows<{ id: string; title: string }>(`select id::text, title from tasks where status = 'open' order by id desc limit 1`);
  const titleA = `Title from the first tablet ${randomUUID().slice(0, 6)}`;
  const titleB = `Title from the second tablet ${randomUUID().slice(0, 6)}`;

  await goOffline(first);
  await goOffline(second);
  await useStock(a, part!.part_number, 1);
  await useStock(b, part!.part_number, 2);
  // The same field, from the same starting value, on both tablets.
  await record(a, 'task.update', { id: task!.id, changes: { title: titleA }, base: { title: task!.title } });
  await record(b, 'task.update', { id: task!.id, changes: { title: titleB }, base: { title: task!.title } });
  expect(await local(a, 'select quantity from parts where id = $1', [part!.id])).toEqual([{ quantity: part!.quantity - 1 }]);
  expect(await local(b, 'select quantity from parts where id = $1', [part!.id])).toEqual([{ quantity: part!.quantity - 2 }]);

  // The first comes back, then the second: its edit arrives later and wins.
  await goOnline(first);
  await waitForEmptyOutbox(a);
  await goOnline(second);
  await waitForEmptyOutbox(b);

  const expected = { quantity: part!.quantity - 3, title: titleB };
  expect(await serverRows('select quantity from parts where id = $1', [part!.id])).toEqual([{ quantity: expected.quantity }]);
  expect(await serverRows('select title from tasks where id = $1', [task!.id])).toEqual([{ title: expected.title }]);
  for (const page of [a, b]) {
    await waitForLocal(page, 'the server values', `select (select quantity from parts where id = $1) = $2 and (select title from tasks where id = $3) = $4 as ok`, [
      part!.id, expected.quantity, task!.id, expected.title,
    ]);
  }
  // Identical data on both tablets: parts, their movements and tasks.
  const snapshot = `select (select json_agg(p order by id) from (select id, quantity, location, pending from parts) p)::text as parts,
                           (select json_agg(m order by id) from (select id, delta, reason from stock_movements) m)::text as movements,
                           (select json_agg(t order by id) from (select id, title, status, priority, pending from tasks) t)::text as tasks`;
  expect(await local(a, snapshot)).toEqual(await local(b, snapshot));

  const conflicts = await serverRows<{ overwritten: unknown; winning: unknown }>(
    `select overwritten_value as overwritten, winning_value as winning from conflicts where entity = 'tasks' and entity_id = $1 and field = 'title' and kind = 'overwritten'`,
    [task!.id],
  );
  expect(conflicts).toEqual([{ overwritten: titleA, winning: titleB }]);

  // The supervisor sees it in the conflicts list, with both values.
  const supervisor = await supervisorContext.newPage();
  await signIn(supervisor, 'supervisor');
  await supervisor.getByRole('link', { name: 'Conflicts' }).click();
  const row = supervisor.locator('[data-testid="conflict-row"][data-entity="tasks"][data-field="title"]').filter({ hasText: titleB });
  await expect(row.getByTestId('conflict-overwritten')).toHaveText(titleA, SHOWN);
  await expect(row.getByTestId('conflict-winning')).toHaveText(titleB);

  for (const context of contexts) await context.close();
});
