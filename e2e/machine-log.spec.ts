import { randomUUID } from 'node:crypto';
import type { Page } from '@playwright/test';
import { expect, test } from './support/fixtures.ts';
import { inEnglish, SHOWN } from './support/screens.ts';
import {
  APP_READY,
  closeServerDb,
  goOffline,
  goOnline,
  local,
  outboxNames,
  serverRows,
  signIn,
  waitForEmptyOutbox,
} from './support/tablet.ts';

// The maintenance log and the machine page (issue 13): a technician's work on a machine recorded
// offline — a status tap, a task, a meter reading, a part used — shows on the machine's timeline at
// once and reaches the server exactly once, moving the machine's meter; supervisors add, edit and
// retire machines, technicians cannot; the yard-wide log opens filtered from its URL, cold.

test.describe.configure({ timeout: 300_000 });
test.afterAll(closeServerDb);

/** The English texts of a group whose Spanish differs: none of them may show on a Spanish screen. */
function englishOnly(enGroup: unknown, esGroup: unknown): string[] {
  if (typeof enGroup === 'string') {
    if (enGroup === esGroup) return [];
    // The fixed pieces around {{interpolations}}; short ones (" → ") say nothing.
    return enGroup.split(/\{\{[^}]+\}\}/).map((piece) => piece.trim()).filter((piece) => piece.length >= 5);
  }
  if (enGroup && typeof enGroup === 'object') {
    return Object.entries(enGroup).flatMap(([key, value]) => englishOnly(value, (esGroup as Record<string, unknown> | undefined)?.[key]));
  }
  return [];
}
// The app's own texts (client/src/i18n), loaded at run time: they are the client's modules, not
// the tests' (their types need the client's i18next).
type Texts = Record<string, Record<string, unknown>>;
const I18N = '../client/src/i18n/';
let ENGLISH: string[] = [];
let es: Texts;
test.beforeAll(async () => {
  const en = ((await import(`${I18N}en.ts`)) as { en: Texts }).en;
  es = ((await import(`${I18N}es.ts`)) as { es: Texts }).es;
  ENGLISH = [
    ...englishOnly(en.log, es.log),
    ...englishOnly(en.machine, es.machine),
    ...englishOnly(en.equipment!.status, es.equipment!.status),
    ...englishOnly(en.common, es.common),
    ...englishOnly(en.validation, es.validation),
  ];
  expect(ENGLISH.length).toBeGreaterThan(100);
});
const spanishValidation = (code: string) => ((es.validation!.custom as Record<string, string>)[code])!;

/** As whole words: "Model" is not in "Modelo". */
const asWords = (english: string) => new RegExp(`(?<!\\p{L})${english.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?!\\p{L})`, 'u');

async function expectNoEnglish(page: Page): Promise<void> {
  const text = await page.locator('main').innerText();
  expect(ENGLISH.filter((english) => asWords(english).test(text))).toEqual([]);
}

test('offline on a machine: a status tap, a task, a meter reading and a part used show on its timeline at once (in Spanish), reach the server once and move its meter', async ({
  page,
  context,
}) => {
  // A machine with no history yet (its page then holds only what this test does), and a part in stock.
  const [machine] = await serverRows<{ id: string; tag: string; name: string; meter: string | null }>(
    `select id::text, tag, name, meter::text from equipment e
      where status = 'running'
        and not exists (select 1 from logs l where l.equipment_id = e.id)
        and not exists (select 1 from tasks t where t.equipment_id = e.id)
        and not exists (select 1 from stock_movements m where m.equipment_id = e.id)
      order by tag desc limit 1`,
  );
  expect(machine, 'a running machine without history in the demo yard').toBeTruthy();
  const [part] = await serverRows<{ id: string; part_number: string; quantity: number }>(
    `select id::text, part_number, quantity from parts where quantity >= 5 and deleted_at is null order by part_number desc limit 1`,
  );
  const reading = Math.floor(Number(machine!.meter ?? 0)) + 123;
  const unique = randomUUID().slice(0, 8);
  const taskTitle = `Cambiar rodillo ${unique}`;
  const body = `Lectura tomada en el turno de mañana ${unique}`;

  await signIn(page, 'tech'); // Tomás works in Spanish
  const [tech] = await serverRows<{ id: string }>(`select id::text from users where username = 'tech'`);
  // A technician works on machines but does not add, edit or retire them.
  await page.goto('/equipment');
  await expect(page.getByTestId('equipment-row').first()).toBeVisible(APP_READY);
  await expect(page.getByRole('button', { name: 'Nueva máquina' })).toHaveCount(0);
  await page.goto(`/equipment/${encodeURIComponent(machine!.tag)}`);
  const machinePage = page.getByRole('region', { name: 'Detalles de la máquina' });
  await expect(machinePage).toContainText(machine!.name, APP_READY);
  await expect(machinePage.getByRole('button', { name: 'Añadir entrada' }).first()).toBeVisible();
  await expect(machinePage.getByRole('button', { name: 'Editar máquina' })).toHaveCount(0);
  await expect(machinePage.getByRole('button', { name: 'Retirar máquina' })).toHaveCount(0);

  await goOffline(context);

  // Status: down, with a note.
  await machinePage.getByLabel('Nota', { exact: true }).fill('Rodillo de cola roto');
  await machinePage.getByRole('button', { name: 'Parada', exact: true }).click();
  await expect(machinePage).toHaveAttribute('data-status', 'down', SHOWN);

  // A task on this machine.
  await machinePage.getByRole('button', { name: 'Nueva tarea', exact: true }).click();
  const taskDialog = page.getByRole('dialog', { name: 'Nueva tarea' });
  await taskDialog.getByLabel('Título', { exact: true }).fill(taskTitle);
  await taskDialog.getByRole('button', { name: 'Crear tarea', exact: true }).click();
  await expect(taskDialog).toHaveCount(0, SHOWN);

  // A log entry: repair work needs lock-out/tag-out, a meter reading needs the reading — both
  // said under their fields, in Spanish, and nothing recorded until the form is right.
  await page.locator('.machine-actions').getByRole('button', { name: 'Añadir entrada', exact: true }).click();
  const logDialog = page.getByRole('dialog', { name: 'Añadir entrada' });
  await logDialog.getByLabel('Tipo de trabajo').selectOption('repair');
  await logDialog.getByRole('button', { name: 'Añadir entrada', exact: true }).click();
  await expect(logDialog.locator('.field-invalid')).toContainText(spanishValidation('loto_required'), SHOWN);
  await logDialog.getByLabel('Tipo de trabajo').selectOption('meter_reading');
  await logDialog.getByRole('button', { name: 'Añadir entrada', exact: true }).click();
  await expect(logDialog.locator('.field-invalid')).toContainText(spanishValidation('reading_required'), SHOWN);
  expect(await outboxNames(page)).toEqual(['equipment.setStatus', 'task.create']);
  await logDialog.getByLabel('Qué se hizo').fill(body);
  await logDialog.getByLabel('Horas trabajadas').fill('0,5');
  await logDialog.getByLabel('Lectura del contador', { exact: true }).fill(String(reading));
  await expectNoEnglish(page);
  await logDialog.getByRole('button', { name: 'Añadir entrada', exact: true }).click();
  await expect(logDialog).toHaveCount(0, SHOWN);
  // The machine's meter moves at once, on the tablet.
  await expect(machinePage).toHaveAttribute('data-meter', new RegExp(`^${reading}(\\.0)?$`), SHOWN);

  // A part used on it, found by its number in the tablet's own database.
  await page.locator('.machine-actions').getByRole('button', { name: 'Usar repuesto', exact: true }).click();
  const partDialog = page.getByRole('dialog', { name: 'Usar repuesto' });
  await partDialog.getByLabel('Repuesto', { exact: true }).fill(part!.part_number);
  await partDialog.locator(`[data-testid="use-part-option"][data-part-number="${part!.part_number}"]`).click();
  await partDialog.getByLabel('Cantidad usada').fill('2');
  await expectNoEnglish(page);
  await partDialog.getByRole('button', { name: 'Registrar repuesto usado', exact: true }).click();
  await expect(partDialog).toHaveCount(0, SHOWN);

  // All of it on the timeline at once, marked pending, with who did it.
  const timeline = page.getByTestId('machine-timeline');
  // (The machine's history starts with the day it was added: that entry is the seed's.)
  const entry = (kind: string) => timeline.locator(`[data-testid="timeline-entry"][data-kind="${kind}"]${kind === 'status' ? '[data-status="down"]' : ''}`);
  await expect(entry('log')).toContainText(body, SHOWN);
  await expect(entry('log')).toContainText('Lectura del contador');
  await expect(entry('task')).toContainText(taskTitle);
  await expect(entry('part')).toContainText(`2 × ${part!.part_number}`);
  await expect(entry('status')).toContainText('En marcha → Parada');
  await expect(entry('status')).toContainText('por Tomás Tech');
  await expect(entry('status')).toContainText('Rodillo de cola roto');
  await expect(timeline.getByTestId('pending-marker')).toHaveCount(4);
  expect(await outboxNames(page)).toEqual(['equipment.setStatus', 'task.create', 'log.add', 'stock.adjust']);
  await expectNoEnglish(page);

  await goOnline(context);
  await waitForEmptyOutbox(page);

  // Each change exactly once on the server, and the machine's meter moved.
  const [log] = await local<{ id: string }>(page, 'select id::text from logs where body = $1', [body]);
  expect(await serverRows('select count(*)::int as n from logs where id = $1', [log!.id])).toEqual([{ n: 1 }]);
  expect(await serverRows(`select kind, meter_reading::float8 as reading, hours_spent::float8 as hours, author_id::text from logs where id = $1`, [log!.id]))
    .toEqual([{ kind: 'meter_reading', reading, hours: 0.5, author_id: tech!.id }]);
  expect(await serverRows('select meter::float8 as meter, status from equipment where id = $1', [machine!.id])).toEqual([{ meter: reading, status: 'down' }]);
  expect(await serverRows('select count(*)::int as n from tasks where title = $1 and equipment_id = $2', [taskTitle, machine!.id])).toEqual([{ n: 1 }]);
  expect(await serverRows(`select count(*)::int as n from stock_movements where part_id = $1 and equipment_id = $2 and delta = -2 and reason = 'used'`, [part!.id, machine!.id]))
    .toEqual([{ n: 1 }]);
  expect(await serverRows('select quantity from parts where id = $1', [part!.id])).toEqual([{ quantity: part!.quantity - 2 }]);
  expect(await serverRows(`select previous_status, status, changed_by::text, note from equipment_status_changes where equipment_id = $1 and changed_by = $2`, [machine!.id, tech!.id]))
    .toEqual([{ previous_status: 'running', status: 'down', changed_by: tech!.id, note: 'Rodillo de cola roto' }]);

  // The timeline now shows the server's rows: the same entries, nothing pending, nothing twice.
  await expect(timeline.getByTestId('pending-marker')).toHaveCount(0, SHOWN);
  for (const kind of ['log', 'task', 'part', 'status']) await expect(entry(kind)).toHaveCount(1);
  await expect(entry('status')).toContainText('por Tomás Tech');
  await expectNoEnglish(page);
});

test('a supervisor adds, edits and retires a machine; the yard-wide log opens filtered from its URL, cold and offline', async ({ page, context }) => {
  await inEnglish(context);
  await signIn(page, 'supervisor');
  const tag = `E2E-${randomUUID().slice(0, 6).toUpperCase()}`;
  const [parent] = await serverRows<{ id: string; tag: string }>(`select id::text, tag from equipment where tag = 'CIMCO001'`);

  await page.getByRole('link', { name: 'Equipment', exact: true }).click();
  await page.getByRole('button', { name: 'New machine', exact: true }).click();
  const form = page.getByRole('dialog', { name: 'New machine' });
  // A tag already on a plate is refused under its field, before anything is recorded.
  await form.getByLabel('Tag (QR plate code)').fill('cimco001');
  await form.getByLabel('Name', { exact: true }).fill('Picking belt 3');
  await form.getByLabel('Type', { exact: true }).selectOption('conveyor');
  await form.getByRole('button', { name: 'Add machine', exact: true }).click();
  await expect(form.locator('.field-invalid')).toContainText('Another machine already has this tag.', SHOWN);
  expect(await outboxNames(page)).toEqual([]);
  await form.getByLabel('Tag (QR plate code)').fill(tag);
  await form.getByLabel('Area', { exact: true }).fill('Picking station');
  await form.getByLabel('Part of (parent machine)').fill(parent!.tag);
  await form.getByRole('option').filter({ hasText: parent!.tag }).first().click();
  await form.getByRole('button', { name: 'Add machine', exact: true }).click();

  // Its page opens, and the server has it with its parent.
  const machinePage = page.getByRole('region', { name: 'Machine details' });
  await expect(machinePage).toHaveAttribute('data-tag', tag, SHOWN);
  await waitForEmptyOutbox(page);
  const [created] = await serverRows<{ id: string; name: string; type: string; area: string; parent_id: string; status: string }>(
    'select id::text, name, type, area, parent_id::text, status from equipment where tag = $1',
    [tag],
  );
  expect(created).toMatchObject({ name: 'Picking belt 3', type: 'conveyor', area: 'Picking station', parent_id: parent!.id, status: 'running' });
  await expect(machinePage.locator('[data-testid="timeline-entry"][data-kind="status"]')).toContainText('Added to the yard (Running)', SHOWN);

  // Edit: only the changed field is sent.
  await machinePage.getByRole('button', { name: 'Edit machine', exact: true }).click();
  const edit = page.getByRole('dialog', { name: 'Edit machine' });
  await edit.getByLabel('Name', { exact: true }).fill('Picking belt 3 (north)');
  await edit.getByRole('button', { name: 'Save changes', exact: true }).click();
  await expect(edit).toHaveCount(0, SHOWN);
  await expect(machinePage.getByRole('heading', { level: 2 })).toContainText('Picking belt 3 (north)', SHOWN);
  await waitForEmptyOutbox(page);
  expect(await serverRows('select name, area from equipment where id = $1', [created!.id])).toEqual([{ name: 'Picking belt 3 (north)', area: 'Picking station' }]);

  // Retire, after a confirmation.
  await machinePage.getByRole('button', { name: 'Retire machine', exact: true }).click();
  const retire = page.getByRole('dialog', { name: 'Retire machine' });
  await retire.getByLabel('Reason (optional)').fill('Line rebuilt');
  await retire.getByRole('button', { name: 'Retire this machine', exact: true }).click();
  await expect(machinePage).toHaveAttribute('data-status', 'retired', SHOWN);
  await expect(machinePage.getByRole('button', { name: 'Edit machine' })).toHaveCount(0);
  await waitForEmptyOutbox(page);
  expect(await serverRows('select status from equipment where id = $1', [created!.id])).toEqual([{ status: 'retired' }]);
  const [supervisor] = await serverRows<{ id: string }>(`select id::text from users where username = 'supervisor'`);
  expect(await serverRows(`select status, previous_status, changed_by::text, note from equipment_status_changes where equipment_id = $1 order by changed_at`, [created!.id]))
    .toEqual([
      { status: 'running', previous_status: null, changed_by: supervisor!.id, note: null },
      { status: 'retired', previous_status: 'running', changed_by: supervisor!.id, note: 'Line rebuilt' },
    ]);
  await expect(machinePage.getByTestId('timeline-entry').filter({ hasText: 'Status: Running → Retired' })).toContainText('by Sam Supervisor', SHOWN);

  // The log, filtered from its URL, opened cold with no signal: the repair entries and only them.
  const count = async (sql: string, params: unknown[] = []) => Math.min((await serverRows<{ n: number }>(sql, params))[0]!.n, 500);
  const entries = (n: number) => `${n} ${n === 1 ? 'entry' : 'entries'}`;
  const repairs = await count(`select count(*)::int as n from logs where kind = 'repair' and deleted_at is null`);
  const parentRepairs = await count(`select count(*)::int as n from logs where kind = 'repair' and deleted_at is null and equipment_id = $1`, [parent!.id]);
  expect(repairs).toBeGreaterThan(parentRepairs);
  const shownKinds = () => page.getByTestId('log-row').evaluateAll((rows) => [...new Set(rows.map((row) => row.getAttribute('data-kind')))]);
  const shownTags = () => page.getByTestId('log-row').evaluateAll((rows) => [...new Set(rows.map((row) => row.getAttribute('data-tag')))]);

  await goOffline(context);
  await page.goto('/log?kind=repair');
  await expect(page.getByTestId('log-count')).toHaveText(entries(repairs), APP_READY);
  await expect(page.getByLabel('Kind', { exact: true })).toHaveValue('repair');
  expect(await shownKinds()).toEqual(['repair']);
  // Another filter joins it in the URL.
  await page.getByLabel('Machine', { exact: true }).selectOption(parent!.tag);
  await expect(page).toHaveURL(new RegExp(`[?&]machine=${parent!.tag}`), SHOWN);
  await expect(page.getByTestId('log-count')).toHaveText(entries(parentRepairs), SHOWN);
  expect(await shownTags()).toEqual(parentRepairs > 0 ? [parent!.tag] : []);
  expect(await shownKinds()).toEqual(parentRepairs > 0 ? ['repair'] : []);
  await goOnline(context);
});
