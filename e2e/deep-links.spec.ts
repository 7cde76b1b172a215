import { expect, test } from './support/fixtures.ts';
import { APP_READY, closeServerDb, goOffline, local, serverRows, signIn } from './support/tablet.ts';
import { inEnglish, partRow, SHOWN } from './support/screens.ts';

// The app's URLs (client/src/app/paths.ts) are real: each opens its screen and record directly,
// cold and with no signal (the service worker answers every navigation with the app shell), the
// filters live in the query string, and back/forward step through what was opened. QR plates will
// encode these URLs, so a wrong one is a plate that opens the wrong machine.

test.describe.configure({ timeout: 300_000 });
test.afterAll(closeServerDb);

test('every URL opens cold and offline on its screen and record; back and forward retrace the steps', async ({ page, context }) => {
  await inEnglish(context);
  await signIn(page, 'supervisor');
  // A bin with a few parts, so the whole list is on screen (it is windowed).
  const [part] = await serverRows<{ part_number: string; name: string; location: string }>(
    `select part_number, name, location from parts p where deleted_at is null and location is not null
        and (select count(*) from parts q where q.location = p.location and q.deleted_at is null) between 2 and 8
      order by part_number limit 1`,
  );
  const [task] = await serverRows<{ id: string; title: string }>(`select id::text, title from tasks where status = 'open' order by id limit 1`);
  const [machine] = await serverRows<{ tag: string; name: string }>(`select tag, name from equipment where status <> 'retired' order by tag limit 1`);
  const [inBin] = await serverRows<{ count: number }>(
    `select count(*)::int as count from parts where deleted_at is null and location = $1`,
    [part!.location],
  );

  await goOffline(context);

  // A part: its panel is open over the list.
  await page.goto(`/parts/${encodeURIComponent(part!.part_number)}`);
  await expect(page.getByTestId('part-detail')).toContainText(part!.name, APP_READY);

  // A bin: the list holds that bin's parts and nothing else.
  await page.goto(`/bins/${encodeURIComponent(part!.location)}`);
  await expect(partRow(page, part!.part_number)).toBeVisible(APP_READY);
  await expect(page.getByTestId('part-row')).toHaveCount(inBin!.count, SHOWN);

  // A task: its dialog is open.
  await page.goto(`/tasks/${task!.id}`);
  await expect(page.getByRole('dialog', { name: 'Task details' })).toContainText(task!.title, APP_READY);

  // A machine: its page.
  await page.goto(`/equipment/${encodeURIComponent(machine!.tag)}`);
  await expect(page.getByRole('region', { name: 'Machine details' })).toContainText(machine!.name, APP_READY);

  // Filters in the query string: a link with ?search= shows the filtered list, and the search box says so.
  await page.goto(`/tasks?search=${encodeURIComponent(task!.title)}`);
  await expect(page.getByTestId('task-row').filter({ hasText: task!.title }).first()).toBeVisible(APP_READY);

  // Back and forward step through what was opened, offline.
  await page.goBack();
  await expect(page.getByRole('region', { name: 'Machine details' })).toContainText(machine!.name, SHOWN);
  await page.goBack();
  await expect(page.getByRole('dialog', { name: 'Task details' })).toContainText(task!.title, SHOWN);
  await page.goForward();
  await expect(page.getByRole('region', { name: 'Machine details' })).toContainText(machine!.name, SHOWN);

  // Leaving a machine's page returns to the equipment list, and the URL says so.
  await page.getByRole('link', { name: 'All equipment' }).click();
  await expect(page).toHaveURL(/\/equipment$/, SHOWN);
  await expect(page.getByRole('region', { name: 'Machine details' })).toHaveCount(0);

  // Opening a row from a list puts the record in the URL.
  await page.goto('/parts');
  await page.getByLabel('Search parts').fill(part!.part_number);
  await partRow(page, part!.part_number).click();
  await expect(page).toHaveURL(new RegExp(`/parts/${encodeURIComponent(part!.part_number)}`), SHOWN);
  await expect(page.getByTestId('part-detail')).toContainText(part!.name, SHOWN);
  // The search went into the URL with the part, and closing the part keeps it: box, list and URL.
  const searchInUrl = () => new URL(page.url()).searchParams.get('search');
  expect(searchInUrl()).toBe(part!.part_number);
  await page.keyboard.press('Escape');
  await expect(page).toHaveURL(/\/parts\?/, SHOWN);
  expect(searchInUrl()).toBe(part!.part_number);
  await expect(page.getByLabel('Search parts')).toHaveValue(part!.part_number);
  await expect(partRow(page, part!.part_number)).toBeVisible(SHOWN);
  // Typing without opening anything: the URL catches up once typing pauses, so a reload keeps it.
  await page.getByLabel('Search parts').fill(part!.name);
  await expect.poll(searchInUrl, SHOWN).toBe(part!.name);
  await page.reload();
  await expect(page.getByLabel('Search parts')).toHaveValue(part!.name, APP_READY);
});

test('a form is checked by its command\'s schema from the contract: an empty title is refused under its field, in the person\'s language, and nothing is recorded', async ({ page }) => {
  await signIn(page, 'tech'); // Tomás works in Spanish
  await page.goto('/tasks');
  await page.getByRole('button', { name: 'Nueva tarea', exact: true }).click(APP_READY);
  const dialog = page.getByRole('dialog', { name: 'Nueva tarea' });
  await dialog.getByLabel('Título', { exact: true }).fill('   ');
  await dialog.getByRole('button', { name: 'Crear tarea', exact: true }).click();
  await expect(dialog.locator('.field-invalid')).toContainText('Obligatorio', SHOWN);
  expect(await local<{ count: number }>(page, 'select count(*)::int as count from outbox')).toEqual([{ count: 0 }]);
});

test('the daily-work and admin URLs open cold and offline on their screens', async ({ page, context }) => {
  await inEnglish(context);
  await signIn(page, 'admin');
  await goOffline(context);
  const heading = (name: string) => page.getByRole('heading', { level: 2, name, exact: true });

  await page.goto('/dashboard');
  await expect(heading('Today on the yard')).toBeVisible(APP_READY);
  await page.goto('/orders');
  await expect(heading('Incoming orders')).toBeVisible(APP_READY);
  await page.goto('/log');
  await expect(heading('Maintenance log')).toBeVisible(APP_READY);
  await page.goto('/import');
  await expect(heading('Import parts catalog')).toBeVisible(APP_READY);
  // The people come from the tablet's own database: the users list works with no signal.
  await page.goto('/admin/users');
  await expect(heading('Administration')).toBeVisible(APP_READY);
  await expect(page.getByRole('link', { name: 'Users', exact: true })).toHaveAttribute('aria-current', 'page');
  await expect(page.getByText('Sam Supervisor').first()).toBeVisible(SHOWN);
  for (const [url, tab] of [['/admin/tablets', 'Tablets'], ['/admin/audit', 'Audit log']] as const) {
    await page.goto(url);
    await expect(page.getByRole('link', { name: tab, exact: true })).toHaveAttribute('aria-current', 'page', APP_READY);
  }
});
