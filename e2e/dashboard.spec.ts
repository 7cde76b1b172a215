import type { Page } from '@playwright/test';
import { expect, test } from './support/fixtures.ts';
import { APP_READY, closeServerDb, goOffline, goOnline, record, serverRows, signIn, waitForEmptyOutbox } from './support/tablet.ts';
import { inEnglish, SHOWN } from './support/screens.ts';

// The dashboard is the supervisor's and the admin's home, computed from the tablet's own database:
// its figures must be the server's, with no signal, and count at once what was recorded offline.

test.describe.configure({ timeout: 300_000 });
test.afterAll(closeServerDb);

interface Figures {
  machinesDown: number;
  openTasks: number;
  overdueTasks: number;
  lowStock: number;
  inventoryValue: number;
  pendingDeliveries: number;
  overdueDeliveries: number;
}

/** The same figures from the central database, by the definitions the screen states. */
async function serverFigures(today: string): Promise<Figures> {
  // The supervisor's yard only: other specs make yards of their own in the same database.
  const [row] = await serverRows<Record<keyof Figures, string>>(
    `with yard as (select site_id from users where username = 'supervisor')
    select
      (select count(*) from equipment where site_id = (table yard) and status = 'down') as "machinesDown",
      (select count(*) from tasks where site_id = (table yard) and status in ('open', 'in_progress', 'on_hold')) as "openTasks",
      (select count(*) from tasks where site_id = (table yard) and status in ('open', 'in_progress', 'on_hold') and due_date < $1::date) as "overdueTasks",
      (select count(*) from parts where site_id = (table yard) and deleted_at is null and quantity <= min_quantity) as "lowStock",
      (select coalesce(sum(quantity * unit_cost), 0) from parts where site_id = (table yard) and deleted_at is null and quantity > 0) as "inventoryValue",
      (select count(*) from incoming_orders where site_id = (table yard) and status in ('ordered', 'shipped', 'partial')) as "pendingDeliveries",
      (select count(*) from incoming_orders where site_id = (table yard) and status in ('ordered', 'shipped', 'partial') and expected_at < $1::date) as "overdueDeliveries"`,
    [today],
  );
  return Object.fromEntries(Object.entries(row!).map(([key, value]) => [key, Number(value)])) as unknown as Figures;
}

async function expectFigures(page: Page, figures: Figures): Promise<void> {
  const number = (n: number) => new Intl.NumberFormat('en').format(n);
  const value = (testId: string) => page.getByTestId(`${testId}-value`);
  await expect(value('machines-down')).toHaveText(number(figures.machinesDown), SHOWN);
  await expect(value('open-tasks')).toHaveText(number(figures.openTasks));
  await expect(page.getByTestId('open-tasks')).toContainText(`${number(figures.overdueTasks)} overdue`);
  await expect(value('low-stock')).toHaveText(number(figures.lowStock));
  await expect(value('inventory-value')).toHaveText(new Intl.NumberFormat('en', { style: 'currency', currency: 'USD', minimumFractionDigits: 0, maximumFractionDigits: 0 }).format(figures.inventoryValue));
  await expect(value('pending-deliveries')).toHaveText(number(figures.pendingDeliveries));
  await expect(page.getByTestId('pending-deliveries')).toContainText(`${number(figures.overdueDeliveries)} late`);
}

test('the dashboard is the supervisor\'s home and shows the server\'s figures offline, counting what is recorded offline at once', async ({ page, context }) => {
  await inEnglish(context);
  await signIn(page, 'supervisor');
  await expect(page).toHaveURL(/\/dashboard$/, SHOWN);
  const today = await page.evaluate(() => {
    const now = new Date();
    return `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}-${String(now.getDate()).padStart(2, '0')}`;
  });
  const figures = await serverFigures(today);
  // The demo yard has something in each figure, so a figure stuck at 0 would show.
  expect(figures.openTasks).toBeGreaterThan(0);
  expect(figures.lowStock).toBeGreaterThan(0);
  expect(figures.inventoryValue).toBeGreaterThan(0);

  // Cold and with no signal.
  await goOffline(context);
  await page.reload();
  await expectFigures(page, figures);

  // A machine set down offline is down on the dashboard at once, named in "Down now".
  const [machine] = await serverRows<{ id: string; tag: string; name: string }>(
    `select id::text, tag, name from equipment where status = 'running'
        and site_id = (select site_id from users where username = 'supervisor') order by tag limit 1`,
  );
  await record(page, 'equipment.setStatus', { id: machine!.id, status: 'down', note: null });
  await expectFigures(page, { ...figures, machinesDown: figures.machinesDown + 1 });
  await expect(page.getByTestId('down-list')).toContainText(machine!.name);

  // Online again: the server agrees with what the tablet showed.
  await goOnline(context);
  await waitForEmptyOutbox(page);
  const after = await serverFigures(today);
  expect(after.machinesDown).toBe(figures.machinesDown + 1);
  await expectFigures(page, after);

  // A figure leads to its list.
  await page.getByTestId('low-stock').click();
  await expect(page).toHaveURL(/\/parts\?lowStockOnly=1/, SHOWN);
  await expect(page.getByTestId('part-row').first()).toBeVisible(APP_READY);
});

test('a landscape tablet (1024×768) in Spanish shows at least eight whole rows of parts under the header and filters', async ({ page }) => {
  await page.setViewportSize({ width: 1024, height: 768 });
  // The admin: the most screens in the nav bar and every button on the parts screen.
  await signIn(page, 'admin');
  await page.getByLabel('Language').selectOption('es');
  await page.goto('/parts');
  await expect(page.getByLabel('Buscar repuestos')).toBeVisible(APP_READY);
  await expect(page.getByTestId('part-row').nth(7)).toBeVisible(SHOWN);
  const whole = await page.getByTestId('part-row').evaluateAll((rows) =>
    rows.filter((row) => {
      const box = row.getBoundingClientRect();
      return box.top >= 0 && box.bottom <= (globalThis as unknown as { innerHeight: number }).innerHeight + 0.5;
    }).length,
  );
  expect(whole).toBeGreaterThanOrEqual(8);
});
