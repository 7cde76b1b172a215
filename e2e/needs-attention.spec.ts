import { randomUUID } from 'node:crypto';
import { expect, test } from './support/fixtures.ts';
import { completeTask, inEnglish, SHOWN } from './support/screens.ts';
import { closeServerDb, goOffline, goOnline, local, runAs, serverRows, signIn, waitForEmptyOutbox } from './support/tablet.ts';

// A command the server refuses is never dropped: it moves to Needs attention with the server's
// reason and what the person entered.

test.describe.configure({ timeout: 600_000 });
test.afterAll(closeServerDb);

test('completing a task the supervisor cancelled meanwhile lands in Needs attention with the reason and the entered text', async ({ page, context, request }) => {
  await inEnglish(context);
  await signIn(page, 'tech');
  const [task] = await serverRows<{ id: string }>(`select id::text from tasks where status = 'open' order by id limit 1 offset 2`);
  const fix = `Tightened the fitting ${randomUUID().slice(0, 8)}`;

  await goOffline(context);
  await completeTask(page, task!.id, fix);
  expect((await local<{ status: string }>(page, 'select status from tasks where id = $1', [task!.id]))[0]?.status).toBe('done');

  // Meanwhile, in the office, the supervisor cancels the task.
  expect((await runAs(request, 'supervisor', 'task.setStatus', { id: task!.id, status: 'cancelled', reason: 'Duplicate of another task' })).status).toBe('applied');

  await goOnline(context);
  await waitForEmptyOutbox(page);
  const bar = page.getByTestId('sync-bar');
  await expect(bar).toHaveAttribute('data-attention', '1', SHOWN);
  await bar.getByRole('button', { name: /need attention|needs attention/ }).click();
  const item = page.getByTestId('attention-item');
  await expect(item).toHaveCount(1, SHOWN);
  await expect(item).toHaveAttribute('data-command', 'task.complete');
  await expect(item.getByRole('note')).toContainText(/cancel/i);
  await expect(item).toContainText(fix);
  // The tablet shows the server's state of the task again.
  await expect.poll(async () => (await local<{ status: string }>(page, 'select status from tasks where id = $1', [task!.id]))[0]?.status, SHOWN).toBe('cancelled');
  expect(await serverRows('select status from tasks where id = $1', [task!.id])).toEqual([{ status: 'cancelled' }]);
});
