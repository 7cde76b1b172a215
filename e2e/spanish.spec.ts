import { randomUUID } from 'node:crypto';
import type { Locator, Page } from '@playwright/test';
import { expect, test } from './support/fixtures.ts';
import { SHOWN } from './support/screens.ts';
import { closeServerDb, goOffline, goOnline, local, record, runAs, serverRows, signIn, waitForEmptyOutbox } from './support/tablet.ts';

// A Spanish session shows no English and no raw i18n key on any screen: the technician whose
// account is in Spanish, and a supervisor who switches the app to Spanish in the header. The
// conflicts and Needs attention screens are visited with content (an overwritten title and
// priority, a refused completion, a stock discrepancy), the screens that say the most in the
// server's words.

test.describe.configure({ mode: 'serial', timeout: 600_000 });
test.afterAll(closeServerDb);

// ---- what must not appear ---------------------------------------------------------------------

type Tree = { [key: string]: string | Tree };

function leaves(tree: Tree, prefix = ''): [string, string][] {
  return Object.entries(tree).flatMap(([key, value]): [string, string][] =>
    typeof value === 'string' ? [[`${prefix}${key}`, value]] : leaves(value, `${prefix}${key}.`),
  );
}

// The app's own texts (loaded at run time: the compiler of the tests does not check the client's types).
const texts = (file: string) => import(new URL(`../client/src/i18n/${file}`, import.meta.url).href) as Promise<Record<string, Tree>>;
const en = (await texts('en.ts')).en!;
const es = (await texts('es.ts')).es!;
const spanish = new Map(leaves(es));

/**
 * The demo yard's own data is English (part names, categories, task titles): a label equal to one
 * of its values is data on the screen, not an untranslated label.
 */
const DATA_TEXTS = new Set<string>([
  'Mobile equipment', // a part category of the demo catalog (sync-server/src/seed/generate.ts)
]);

/**
 * English texts that would betray an untranslated screen: each en.ts text that Spanish says
 * differently, cut at its placeholders, every piece of two words or more.
 */
const ENGLISH = [
  ...new Set(
    leaves(en)
      .filter(([key, text]) => spanish.get(key) !== text)
      .flatMap(([, text]) => text.split(/\{\{[^}]*\}\}/))
      .map((piece) => piece.trim().replace(/^[\s:;,.()·→×-]+|[\s:;,.()·→×-]+$/g, ''))
      .filter((piece) => piece.split(/\s+/).length >= 2)
      .filter((piece) => !DATA_TEXTS.has(piece)),
  ),
];


/** Every key path of en.ts (plural suffixes dropped, as `t()` is called), and any `group.` prefix followed by a key. */
const KEYS = [...new Set(leaves(en).map(([key]) => key.replace(/_(one|other|many)$/, '')))];
const RAW_KEY = new RegExp(`\\b(${Object.keys(en).join('|')})\\.[A-Za-z_][\\w.]*`, 'g');

/** The visible text of the page and the texts a screen reader or a tooltip gives. */
async function screenTexts(page: Page): Promise<string> {
  return page.evaluate(() => {
    const { document } = globalThis as unknown as { document: { body: { innerText: string }; querySelectorAll(s: string): Iterable<{ getAttribute(n: string): string | null }> } };
    const attributes = [...document.querySelectorAll('[placeholder], [aria-label], [title]')]
      .map((element) => ['placeholder', 'aria-label', 'title'].map((name) => element.getAttribute(name) ?? '').join('\n'))
      .join('\n');
    return `${document.body.innerText}\n${attributes}`;
  });
}

async function leaks(page: Page): Promise<string[]> {
  const text = await screenTexts(page);
  const lower = text.toLowerCase();
  const english = ENGLISH.filter((phrase) => lower.includes(phrase.toLowerCase())).map((phrase) => `English: "${phrase}"`);
  const words = new Set(text.split(/[^\w.]+/).map((word) => word.replace(/\.+$/, '')));
  const keys = [...new Set([...KEYS.filter((key) => words.has(key)), ...[...text.matchAll(RAW_KEY)].map((match) => match[0].replace(/\.+$/, ''))])].map(
    (key) => `raw key: ${key}`,
  );
  return [...english, ...keys];
}

/** Goes to `url` inside the app (no reload: the signed-in page and its database stay). */
async function visit(page: Page, url: string): Promise<boolean> {
  await page.evaluate((to) => {
    const w = globalThis as unknown as { history: { pushState(s: null, u: string, url: string): void }; dispatchEvent(e: unknown): void; PopStateEvent: new (type: string) => unknown };
    w.history.pushState(null, '', to);
    w.dispatchEvent(new w.PopStateEvent('popstate'));
  }, url);
  // A URL the build has no screen for goes home.
  return new URL(page.url()).pathname === new URL(url, page.url()).pathname;
}

/** What `url` shows that is not Spanish, once its content is there. */
async function leaksOf(page: Page, where: string, ready: Locator): Promise<string[]> {
  await expect(ready.first(), `${where} shows its content`).toBeVisible(SHOWN);
  await expect(page.getByText('Cargando…')).toHaveCount(0, SHOWN);
  return (await leaks(page)).map((leak) => `${where}: ${leak}`);
}

interface Sweep {
  partNumber: string;
  location: string;
  taskId: string;
  tag: string;
}

async function sweep(page: Page, s: Sweep): Promise<string[]> {
  const main = page.locator('main');
  const screens: [string, Locator][] = [
    ['/dashboard', main.locator('h2')],
    ['/parts', page.getByTestId('part-row')],
    [`/parts/${encodeURIComponent(s.partNumber)}`, page.getByTestId('part-detail')],
    [`/bins/${encodeURIComponent(s.location)}`, page.getByTestId('part-row')],
    ['/tasks', page.getByTestId('task-row')],
    [`/tasks/${s.taskId}`, page.getByRole('dialog')],
    ['/equipment', page.getByTestId('equipment-row')],
    [`/equipment/${encodeURIComponent(s.tag)}`, page.getByTestId('machine-timeline')],
    ['/log', page.getByTestId('log-count')],
    ['/knowledge', page.getByTestId('fix-card')],
    ['/conflicts', main.locator('h2')],
    ['/attention', main.locator('h2')],
  ];
  const found: string[] = [];
  const visited: string[] = [];
  for (const [url, ready] of screens) {
    expect(await visit(page, url), `${url} is a screen`).toBe(true);
    found.push(...(await leaksOf(page, url, ready)));
    visited.push(url);
    await page.keyboard.press('Escape');
  }
  // The forms these screens open, for a role that may open them. Each screen's own content is
  // waited for first (its buttons show in the same render): a heading alone may still be the
  // previous screen's while the router switches.
  const forms: [string, Locator, string, Locator][] = [
    ['/tasks', page.getByTestId('task-row'), 'Nueva tarea', page.getByRole('dialog')],
    [`/parts/${encodeURIComponent(s.partNumber)}`, page.getByTestId('part-detail'), 'Usar', page.getByLabel('Cantidad usada')],
    [`/equipment/${encodeURIComponent(s.tag)}`, page.getByTestId('machine-timeline'), 'Añadir entrada', page.getByRole('dialog')],
    [`/equipment/${encodeURIComponent(s.tag)}`, page.getByTestId('machine-timeline'), 'Usar repuesto', page.getByRole('dialog')],
  ];
  for (const [url, screen, button, ready] of forms) {
    await visit(page, url);
    const opener = main.getByRole('button', { name: button, exact: true });
    await expect(screen.first()).toBeVisible(SHOWN);
    if ((await opener.count()) === 0) continue;
    await opener.first().click();
    found.push(...(await leaksOf(page, `${url} → ${button}`, ready)));
    visited.push(`${url} → ${button}`);
    await page.keyboard.press('Escape');
  }
  visited.push(...(await sweepRoleScreens(page, found)));
  expect(found, 'English or raw keys in a Spanish session').toEqual([]);
  return visited;
}

/** Screens not every role may open: each is swept where the role is let in (the router sends it home otherwise). */
const ROLE_SCREENS = ['/orders', '/import', '/labels', '/templates', '/admin/users', '/admin/tablets', '/admin/audit'];

async function sweepRoleScreens(page: Page, found: string[]): Promise<string[]> {
  const visited: string[] = [];
  for (const url of ROLE_SCREENS) {
    // Loaded cold: once a heading shows, the router has gone where it goes (home, for a URL it
    // has no screen for or the role may not open).
    await page.goto(url);
    await expect(page.locator('main h2').first()).toBeVisible(SHOWN);
    if (new URL(page.url()).pathname !== url) continue;
    found.push(...(await leaksOf(page, url, page.locator('main h2'))));
    visited.push(url);
  }
  return visited;
}

// ---- the content the sweep reads ----------------------------------------------------------------

async function anyOf<T>(sql: string, params: unknown[] = []): Promise<T> {
  const [row] = await serverRows<T>(sql, params);
  expect(row, sql).toBeTruthy();
  return row!;
}

async function sweepTargets(): Promise<Sweep> {
  const part = await anyOf<{ part_number: string; location: string }>(
    `select part_number, location from parts where location is not null and deleted_at is null order by part_number limit 1`,
  );
  const task = await anyOf<{ id: string }>(`select id::text from tasks where status = 'open' order by id limit 1 offset 5`);
  const machine = await anyOf<{ tag: string }>(`select tag from equipment where status <> 'retired' order by tag limit 1`);
  return { partNumber: part.part_number, location: part.location, taskId: task.id, tag: machine.tag };
}

test('the Spanish technician sees no English and no raw key, with a refused completion in Needs attention', async ({ page, context, request }) => {
  await signIn(page, 'tech');
  await expect(page.locator('html')).toHaveAttribute('lang', 'es');

  // Completed offline while the supervisor cancels the task: refused, kept in Needs attention.
  const task = await anyOf<{ id: string }>(`select id::text from tasks where status = 'open' order by id limit 1 offset 7`);
  await goOffline(context);
  await record(page, 'task.complete', { id: task.id, knowledgeId: randomUUID(), problem: 'Manguera con fuga', fix: 'Se cambió la manguera', lotoConfirmed: true });
  expect((await runAs(request, 'supervisor', 'task.setStatus', { id: task.id, status: 'cancelled', reason: 'Duplicada' })).status).toBe('applied');
  await goOnline(context);
  await waitForEmptyOutbox(page);
  await expect.poll(async () => (await local(page, 'select 1 from needs_attention')).length, SHOWN).toBe(1);

  const visited = await sweep(page, await sweepTargets());
  expect(visited).toEqual(expect.arrayContaining(['/attention', '/conflicts', '/tasks → Nueva tarea', `/equipment/${encodeURIComponent((await sweepTargets()).tag)} → Añadir entrada`]));

  // The refusal in its reason's words, with the fields' labels.
  await visit(page, '/attention');
  const item = page.getByTestId('attention-item');
  await expect(item.getByRole('note')).toHaveText('Esta tarea se canceló antes de que llegara su cierre. Sus notas se conservaron.');
  for (const label of ['Problema', 'Solución', 'Bloqueo y etiquetado confirmados']) await expect(item.locator('dt').getByText(label, { exact: true })).toHaveCount(1);
  await expect(item).toContainText('Sí');
  // Corrected in place: the fields by their labels, a wrong value explained in Spanish.
  await item.getByRole('button', { name: 'Editar y enviar de nuevo' }).click();
  await item.getByLabel('Solución', { exact: true }).fill('');
  await item.getByRole('button', { name: 'Enviar de nuevo' }).click();
  await expect(item.getByRole('alert')).toHaveText('Solución: Obligatorio');
  expect(await leaks(page), 'the Needs attention correction form').toEqual([]);
});

test('a supervisor who switches to Spanish sees no English and no raw key, conflicts in plain words included', async ({ page, request }) => {
  // Two people change the same task's title and priority from the same starting point: the later wins.
  const task = await anyOf<{ id: string; title: string; priority: number }>(`select id::text, title, priority from tasks where status = 'open' order by id limit 1 offset 9`);
  const base = { title: task.title, priority: task.priority };
  expect((await runAs(request, 'tech', 'task.update', { id: task.id, changes: { title: `${task.title} (A)`, priority: 1 }, base })).status).toBe('applied');
  expect((await runAs(request, 'tech2', 'task.update', { id: task.id, changes: { title: `${task.title} (B)`, priority: 4 }, base })).status).toBe('conflict');
  // A take of more than the shelf holds: a stock discrepancy.
  const part = await anyOf<{ id: string; part_number: string; name: string; quantity: number }>(
    `select id::text, part_number, name, quantity from parts where quantity between 1 and 5 and deleted_at is null order by part_number limit 1`,
  );
  const taken = part.quantity + 2;
  expect((await runAs(request, 'tech2', 'stock.adjust', { reason: 'used', movementId: randomUUID(), partId: part.id, delta: -taken })).status).toBe('conflict');

  await signIn(page, 'supervisor');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await page.getByLabel('Language').selectOption('es');
  await expect(page.locator('html')).toHaveAttribute('lang', 'es');

  expect(await sweep(page, await sweepTargets())).toContain('/conflicts');

  await visit(page, '/conflicts');
  // The overwritten fields by their labels and values as words, not `title` and 1.
  const priority = page.locator(`[data-testid="conflict-row"][data-entity="tasks"][data-field="priority"]`).first();
  await expect(priority.locator('h3')).toContainText('Prioridad');
  await expect(priority.getByTestId('conflict-overwritten')).toHaveText('Baja');
  await expect(priority.getByTestId('conflict-winning')).toHaveText('Crítica');
  await expect(page.locator(`[data-testid="conflict-row"][data-field="title"] h3`).first()).toContainText('Título');
  // The technician's refused completion (first test), with its reason in words.
  await expect(page.locator('[data-testid="conflict-row"][data-kind="refused"]').first()).toContainText('Esta tarea se canceló antes de que llegara su cierre.');
  // The discrepancy in words, with its part and a count that clears it.
  const discrepancy = page.locator('[data-testid="conflict-row"][data-kind="stock_discrepancy"]').filter({ hasText: part.part_number });
  await expect(discrepancy.getByTestId('discrepancy-part')).toHaveText(`${part.part_number} ${part.name}`);
  await expect(discrepancy.getByTestId('discrepancy-words')).toHaveText(
    `Se sacaron ${taken} cuando el sistema mostraba ${part.quantity} en inventario: ahora el inventario es -2.`,
  );
  await expect(discrepancy).not.toContainText('{');
  await discrepancy.getByRole('button', { name: 'Contar ahora' }).click();
  const dialog = page.getByRole('dialog', { name: 'Contar ahora' });
  await dialog.getByLabel('Cantidad en el estante').fill('3');
  expect(await leaks(page), 'the count dialog').toEqual([]);
  await dialog.getByRole('button', { name: 'Guardar conteo' }).click();
  await expect(dialog.getByTestId('count-saved')).toHaveText('Conteo guardado: 3 en inventario.');
  await waitForEmptyOutbox(page);
  expect(await serverRows('select quantity from parts where id = $1', [part.id])).toEqual([{ quantity: 3 }]);
  await dialog.getByRole('button', { name: 'Cerrar', exact: true }).last().click();
  // The part link opens the part.
  await discrepancy.getByTestId('discrepancy-part').click();
  await expect(page).toHaveURL(new RegExp(`/parts/${encodeURIComponent(part.part_number)}$`));
});

test('an admin who switches to Spanish sees no English and no raw key on the admin and import screens', async ({ page }) => {
  await signIn(page, 'admin');
  await page.getByLabel('Language').selectOption('es');
  await expect(page.locator('html')).toHaveAttribute('lang', 'es');
  const found: string[] = [];
  const visited = await sweepRoleScreens(page, found);
  // The admin may open every one of them: none is skipped.
  expect(visited).toEqual(ROLE_SCREENS);
  expect(found, 'English or raw keys in a Spanish session').toEqual([]);
});
