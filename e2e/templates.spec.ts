import { randomBytes } from 'node:crypto';
import { expect, test } from './support/fixtures.ts';
import { inEnglish, SHOWN } from './support/screens.ts';
import { closeServerDb, goOffline, goOnline, local, serverRows, signIn, waitForEmptyOutbox, waitForLocal } from './support/tablet.ts';

// Task templates (issue 14, item 4): a supervisor keeps the yard's templates; on the floor a task
// is made from one in two taps — "From template", then the template — offline.

test.describe.configure({ timeout: 600_000 });
test.afterAll(closeServerDb);

test('a supervisor saves a template; a technician offline makes a task from it on a machine in two taps, and it reaches the server once', async ({ browser }) => {
  const title = `Greasing round ${randomBytes(3).toString('hex')}`;
  const office = await browser.newContext();
  await inEnglish(office);
  const supervisor = await office.newPage();
  await signIn(supervisor, 'supervisor');
  await supervisor.getByRole('link', { name: 'Templates' }).click();
  await supervisor.getByRole('button', { name: 'New template' }).click();
  const form = supervisor.getByRole('dialog', { name: 'New template' });
  await form.getByLabel('Task title').fill(title);
  await form.getByLabel('Priority').selectOption('3');
  await form.getByLabel('Category').selectOption('lubrication');
  await form.getByLabel('Checklist').fill('Grease the rotor bearings\nCheck the temperatures');
  await form.getByLabel('Typical parts').fill('EP2 grease');
  await form.getByRole('button', { name: 'Save template' }).click();
  await expect(form).toHaveCount(0, SHOWN);
  await expect(supervisor.getByTestId('template-row').filter({ hasText: title })).toBeVisible(SHOWN);
  await waitForEmptyOutbox(supervisor);
  const [template] = await serverRows<{ id: string }>('select id::text from task_templates where title = $1 and deleted_at is null', [title]);
  expect(template).toBeTruthy();

  const floor = await browser.newContext();
  await inEnglish(floor);
  const tech = await floor.newPage();
  await signIn(tech, 'tech2');
  await waitForLocal(tech, 'the template', 'select count(*) = 1 as ok from task_templates where id = $1', [template!.id]);
  const [machine] = await serverRows<{ id: string; tag: string }>(`select id::text, tag from equipment where status = 'running' order by tag limit 1 offset 3`);
  await goOffline(floor);
  await tech.goto(`/equipment/${encodeURIComponent(machine!.tag)}`);
  await expect(tech.getByTestId('machine-timeline')).toBeVisible(SHOWN);

  // Two taps.
  await tech.getByRole('button', { name: 'From template' }).click();
  await tech.getByRole('dialog', { name: 'New task from a template' }).getByRole('button', { name: new RegExp(title) }).click();

  await expect(tech).toHaveURL(/\/tasks\/[0-9a-f-]{36}$/, SHOWN);
  const taskId = new URL(tech.url()).pathname.split('/').pop()!;
  await expect(tech.getByRole('dialog')).toContainText(title, SHOWN);
  expect(await local(tech, 'select title, equipment_id, priority, category, description, pending from tasks where id = $1', [taskId])).toEqual([
    { title, equipment_id: machine!.id, priority: 3, category: 'lubrication', description: 'Grease the rotor bearings\nCheck the temperatures\n\nTypical parts: EP2 grease', pending: true },
  ]);

  await goOnline(floor);
  await waitForEmptyOutbox(tech);
  expect(await serverRows('select title, equipment_id::text, priority, category, status from tasks where id = $1', [taskId])).toEqual([
    { title, equipment_id: machine!.id, priority: 3, category: 'lubrication', status: 'open' },
  ]);
  expect(await serverRows('select count(*)::int as n from tasks where title = $1', [title])).toEqual([{ n: 1 }]);

  // Deleted in the office: the crew's picker no longer offers it.
  supervisor.once('dialog', (confirm) => void confirm.accept());
  await supervisor.getByTestId('template-row').filter({ hasText: title }).getByRole('button', { name: 'Delete' }).click();
  await waitForEmptyOutbox(supervisor);
  await waitForLocal(tech, 'the deletion', 'select deleted_at is not null as ok from task_templates where id = $1', [template!.id]);
  await tech.goto('/tasks');
  await tech.getByRole('button', { name: 'From template' }).click();
  await expect(tech.getByRole('dialog', { name: 'New task from a template' }).getByRole('button', { name: new RegExp(title) })).toHaveCount(0);
  await office.close();
  await floor.close();
});
