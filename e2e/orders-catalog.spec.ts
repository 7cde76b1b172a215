import { randomUUID } from 'node:crypto';
import type { Browser, BrowserContext, Page } from '@playwright/test';
import { expect, test } from './support/fixtures.ts';
import { v7 as uuidv7 } from 'uuid';
import { inEnglish, SHOWN } from './support/screens.ts';
import {
  APP_READY,
  closeServerDb,
  goOffline,
  goOnline,
  local,
  runAs,
  serverRows,
  signIn,
  waitForEmptyOutbox,
  waitForLocal,
} from './support/tablet.ts';

// The parts catalog and incoming orders, as the storeroom uses them (Rosa works in Spanish) and a
// supervisor on a second tablet (in English): a part created and edited with every field; a part
// number that exists opens the existing part instead; an order received in two deliveries on two
// tablets offline adds exactly what was delivered, and a receive of a fully received order is
// refused in plain words; the orders list opens filtered from its URL, cold and offline.
//
// One server, one signed-in context per tablet for the whole file (the tests run in order).

test.describe.configure({ mode: 'serial', timeout: 600_000 });

let storeroomContext: BrowserContext;
let supervisorContext: BrowserContext;
/** Rosa, storeroom, in Spanish. */
let rosa: Page;
/** Sam, supervisor, in English. */
let sam: Page;

const suffix = randomUUID().slice(0, 6).toUpperCase();
const partNumber = `E2E-RDM-${suffix}`;
const orderNumber = `PO-E2E-${suffix}`;

async function openContexts(browser: Browser): Promise<void> {
  storeroomContext = await browser.newContext();
  supervisorContext = await browser.newContext();
  await inEnglish(supervisorContext);
  rosa = await storeroomContext.newPage();
  sam = await supervisorContext.newPage();
  await signIn(rosa, 'storeroom');
  await signIn(sam, 'supervisor');
}

test.beforeAll(async ({ browser }) => {
  // Two first sign-ins (PGlite's first start on each) on a busy machine.
  test.setTimeout(300_000);
  await openContexts(browser);
});
test.afterAll(async () => {
  await storeroomContext?.close();
  await supervisorContext?.close();
  await closeServerDb();
});

/** UI text that must not show in the Spanish screens: English words and raw i18n keys. */
const ENGLISH = /\b(Received|received|Ordered|Shipped|Partly|Cancelled|Order|Orders|Supplier|Status|Expected|Overdue|already|refused|Part|Receive|Edit|Save|Create|New)\b/;
const RAW_KEY = /\b(orders|catalog|common|parts|attention|validation|nav)\.[a-zA-Z_]+/;

async function expectSpanishOnly(text: string, where: string): Promise<void> {
  expect(text, `${where}: an English word`).not.toMatch(ENGLISH);
  expect(text, `${where}: a raw key`).not.toMatch(RAW_KEY);
}

function orderRow(page: Page, number = orderNumber) {
  return page.locator(`[data-testid="order-row"][data-order-number="${number}"]`);
}

async function openOrdersScreen(page: Page, label: string): Promise<void> {
  await page.getByRole('navigation').getByRole('link', { name: label, exact: true }).click();
  await expect(orderRow(page)).toBeVisible(SHOWN);
}

test('the storeroom creates a part with every field and edits it; a part number that exists opens the existing part', async ({ request }) => {
  await rosa.getByRole('link', { name: 'Repuestos', exact: true }).click();
  await rosa.getByRole('button', { name: 'Nuevo repuesto', exact: true }).click(APP_READY);
  const form = rosa.getByRole('dialog', { name: 'Nuevo repuesto' });
  const fill = async (label: string, value: string) => form.getByLabel(label, { exact: true }).fill(value);
  await fill('Número de parte', partNumber);
  await fill('Nombre', 'Rodamiento de rodillos');
  await fill('Descripción', 'Rodamiento del eje de la cinta');
  await fill('Categoría', 'Rodamientos');
  await fill('Tipo', 'Repuesto');
  await fill('Fabricante', 'SKF');
  await fill('Proveedor', 'Suministros Norte');
  // Checked by part.create's own schema, in Spanish, under each field; nothing recorded.
  await fill('Costo unitario ($)', '12,505');
  await fill('Cantidad mínima', 'cuatro');
  await form.getByRole('button', { name: 'Crear repuesto', exact: true }).click();
  await expect(form.locator('.field-invalid').filter({ hasText: 'Costo unitario ($)' })).toContainText('Como máximo dos decimales', SHOWN);
  await expect(form.locator('.field-invalid').filter({ hasText: 'Cantidad mínima' })).toContainText('Escriba un número');
  expect(await local(rosa, 'select count(*)::int as n from outbox')).toEqual([{ n: 0 }]);
  await fill('Costo unitario ($)', '12,50');
  await fill('Cantidad mínima', '4');
  await fill('Unidad', 'pza');
  await fill('Plazo de entrega (días)', '7');
  await fill('Ubicación (casillero)', `E2E-${suffix}`);
  await form.getByLabel('Nivel de desgaste', { exact: true }).selectOption('3');
  await expectSpanishOnly(await form.innerText(), 'the part form');
  await form.getByRole('button', { name: 'Crear repuesto', exact: true }).click();

  // The new part opens at once, on its own URL.
  await expect(form).toHaveCount(0, SHOWN);
  await expect(rosa).toHaveURL(new RegExp(`/parts/${partNumber}$`), SHOWN);
  const detail = rosa.getByTestId('part-detail');
  await expect(detail).toContainText('Rodamiento de rodillos', SHOWN);
  await waitForEmptyOutbox(rosa);
  const [created] = await serverRows<Record<string, unknown>>(
    `select id::text, part_number, name, description, category, part_type, manufacturer, supplier, unit_cost::text as unit_cost,
            min_quantity, unit, lead_time_days, location, wear_rating, quantity from parts where part_number = $1`,
    [partNumber],
  );
  expect(created).toEqual({
    id: expect.any(String), part_number: partNumber, name: 'Rodamiento de rodillos', description: 'Rodamiento del eje de la cinta',
    category: 'Rodamientos', part_type: 'Repuesto', manufacturer: 'SKF', supplier: 'Suministros Norte', unit_cost: '12.50',
    min_quantity: 4, unit: 'pza', lead_time_days: 7, location: `E2E-${suffix}`, wear_rating: 3, quantity: 0,
  });

  // Edit: only the fields changed go to the server, with the values they had.
  await detail.getByRole('button', { name: 'Editar', exact: true }).click();
  const edit = rosa.getByRole('dialog', { name: 'Editar repuesto' });
  await expect(edit.getByLabel('Costo unitario ($)', { exact: true })).toHaveValue('12.5');
  await edit.getByLabel('Nombre', { exact: true }).fill('Rodamiento de rodillos cónicos');
  await edit.getByLabel('Costo unitario ($)', { exact: true }).fill('13,75');
  await edit.getByLabel('Nivel de desgaste', { exact: true }).selectOption('5');
  await edit.getByRole('button', { name: 'Guardar cambios', exact: true }).click();
  await expect(edit).toHaveCount(0, SHOWN);
  await expect(detail).toContainText('Rodamiento de rodillos cónicos', SHOWN);
  await waitForEmptyOutbox(rosa);
  expect(await serverRows(`select name, unit_cost::text as unit_cost, wear_rating, supplier, location from parts where id = $1`, [created!.id])).toEqual([
    { name: 'Rodamiento de rodillos cónicos', unit_cost: '13.75', wear_rating: 5, supplier: 'Suministros Norte', location: `E2E-${suffix}` },
  ]);
  expect(await serverRows(`select after from audit_log where command = 'part.update' and entity_id = $1`, [created!.id])).toEqual([
    { after: { name: 'Rodamiento de rodillos cónicos', unitCost: 13.75, wearRating: 5 } },
  ]);

  // The same number again (another case): the form offers the existing part and records nothing.
  await rosa.keyboard.press('Escape');
  await expect(detail).toHaveCount(0, SHOWN);
  await rosa.getByRole('button', { name: 'Nuevo repuesto', exact: true }).click();
  await form.getByLabel('Número de parte', { exact: true }).fill(partNumber.toLowerCase());
  await form.getByLabel('Nombre', { exact: true }).fill('Otra pieza');
  const duplicate = form.getByTestId('part-duplicate');
  await expect(duplicate).toContainText(`El repuesto ${partNumber} ya existe (Rodamiento de rodillos cónicos).`, SHOWN);
  await expect(form.getByRole('button', { name: 'Crear repuesto', exact: true })).toBeDisabled();
  await duplicate.getByRole('button', { name: `Abrir el repuesto ${partNumber}` }).click();
  await expect(rosa).toHaveURL(new RegExp(`/parts/${partNumber}$`), SHOWN);
  await expect(detail).toContainText('Rodamiento de rodillos cónicos', SHOWN);
  expect(await local(rosa, 'select count(*)::int as n from outbox')).toEqual([{ n: 0 }]);
  expect(await serverRows('select count(*)::int as n from parts where upper(part_number) = $1', [partNumber])).toEqual([{ n: 1 }]);
  await rosa.keyboard.press('Escape');

  // A duplicate only the server knew (made on another tablet while this one was offline): refused,
  // and Needs attention says so in plain words and opens the existing part.
  const otherNumber = `E2E-DUP-${suffix}`;
  await goOffline(supervisorContext);
  await sam.getByRole('link', { name: 'Parts', exact: true }).click();
  await sam.getByRole('button', { name: 'New part', exact: true }).click();
  const samForm = sam.getByRole('dialog', { name: 'New part' });
  await samForm.getByLabel('Part number', { exact: true }).fill(otherNumber);
  await samForm.getByLabel('Name', { exact: true }).fill('Made offline');
  await samForm.getByRole('button', { name: 'Create part', exact: true }).click();
  await expect(sam.getByTestId('part-detail')).toContainText('Made offline', SHOWN);
  await sam.keyboard.press('Escape');
  expect((await runAs(request, 'storeroom', 'part.create', { id: uuidv7(), partNumber: otherNumber, name: 'Made on the other tablet' })).status).toBe('applied');
  await goOnline(supervisorContext);
  await waitForEmptyOutbox(sam);
  await sam.getByRole('navigation').getByRole('link', { name: 'Needs attention', exact: true }).click();
  const item = sam.getByTestId('attention-item').filter({ hasText: otherNumber });
  await expect(item.getByRole('note')).toHaveText(`Not created: part number ${otherNumber} already exists (Made on the other tablet).`, SHOWN);
  await item.getByRole('button', { name: `Open part ${otherNumber}`, exact: true }).click();
  await expect(sam).toHaveURL(new RegExp(`/parts/${otherNumber}$`), SHOWN);
  await expect(sam.getByTestId('part-detail')).toContainText('Made on the other tablet', SHOWN);
  await sam.keyboard.press('Escape');
});

test('an order received in two deliveries on two tablets offline adds exactly what was delivered; a receive of a fully received order is refused in plain words', async () => {
  const [part] = await serverRows<{ id: string; quantity: number }>('select id::text, quantity from parts where part_number = $1', [partNumber]);

  // Low stock (0 of minimum 4) → "Order more", prefilled: the part, its supplier, what brings it above the minimum, its lead time.
  await rosa.goto(`/parts/${partNumber}`);
  const detail = rosa.getByTestId('part-detail');
  await detail.getByRole('button', { name: 'Pedir más', exact: true }).click(APP_READY);
  const form = rosa.getByRole('dialog', { name: 'Nuevo pedido' });
  await expect(form.getByTestId('order-part-chosen')).toHaveAttribute('data-part-id', part!.id);
  await expect(form.getByLabel('Proveedor', { exact: true })).toHaveValue('Suministros Norte');
  await expect(form.getByLabel('Cantidad pedida', { exact: true })).toHaveValue('5');
  await expect(form).toContainText('Lleva el stock de 0 a 5, por encima del mínimo de 4.');
  await expect(form.getByLabel('Fecha prevista', { exact: true })).not.toHaveValue('');
  await form.getByLabel('Número de pedido', { exact: true }).fill(orderNumber);
  await form.getByLabel('Cantidad pedida', { exact: true }).fill('10');
  await expectSpanishOnly(await form.innerText(), 'the order form');
  await form.getByRole('button', { name: 'Crear pedido', exact: true }).click();
  await expect(form).toHaveCount(0, SHOWN);
  await rosa.keyboard.press('Escape');

  // Marked shipped, online, with its tracking number.
  await openOrdersScreen(rosa, 'Pedidos');
  await orderRow(rosa).click();
  const order = rosa.getByRole('dialog', { name: 'Detalles del pedido' });
  await order.getByRole('button', { name: 'Marcar como enviado', exact: true }).click();
  await order.getByLabel('Número de seguimiento', { exact: true }).fill(`1Z${suffix}`);
  await order.getByRole('button', { name: 'Marcar como enviado', exact: true }).click();
  await expect(order.getByTestId('order-status')).toHaveText('Enviado', SHOWN);
  await rosa.keyboard.press('Escape');
  await waitForEmptyOutbox(rosa);
  const [created] = await serverRows<{ id: string }>(
    `select id::text from incoming_orders where order_number = $1 and part_id = $2 and quantity_ordered = 10 and supplier = 'Suministros Norte'
        and status = 'shipped' and tracking_number = $3 and expected_at is not null`,
    [orderNumber, part!.id, `1Z${suffix}`],
  );
  expect(created).toBeDefined();
  await waitForLocal(sam, 'the order on the second tablet', `select count(*) = 1 as ok from incoming_orders where id = $1 and status = 'shipped' and not pending`, [created!.id]);

  // Both tablets offline: 4 arrive at one, 6 at the other.
  await goOffline(storeroomContext);
  await goOffline(supervisorContext);
  const receive = async (page: Page, labels: { dialog: string; receive: string; quantity: string; submit: string }, quantity: number) => {
    await orderRow(page).click();
    const dialog = page.getByRole('dialog', { name: labels.dialog });
    await dialog.getByRole('button', { name: labels.receive, exact: true }).click();
    await dialog.getByLabel(labels.quantity, { exact: true }).fill(String(quantity));
    await dialog.getByRole('button', { name: labels.submit, exact: true }).click();
    await expect(dialog.getByTestId('order-received-notice')).toBeVisible(SHOWN);
    return dialog;
  };
  const SPANISH = { dialog: 'Detalles del pedido', receive: 'Recibir', quantity: 'Cantidad entregada', submit: 'Recibir en el almacén' };
  const ENGLISH_LABELS = { dialog: 'Order details', receive: 'Receive', quantity: 'Quantity delivered', submit: 'Receive into stock' };
  const atRosa = await receive(rosa, SPANISH, 4);
  await expect(atRosa.getByTestId('order-progress')).toContainText('4 de 10 recibidos');
  await expect(atRosa.getByTestId('order-status')).toHaveText('Recibido en parte');
  await rosa.keyboard.press('Escape');
  await openOrdersScreen(sam, 'Orders');
  const atSam = await receive(sam, ENGLISH_LABELS, 6);
  await expect(atSam.getByTestId('order-progress')).toContainText('6 of 10 received');
  await sam.keyboard.press('Escape');

  // Rosa's tablet reconnects (4 arrive at the server), then goes out into the yard again.
  await goOnline(storeroomContext);
  await waitForEmptyOutbox(rosa);
  expect(await serverRows('select quantity_received, status from incoming_orders where id = $1', [created!.id])).toEqual([{ quantity_received: 4, status: 'partial' }]);
  await goOffline(storeroomContext);
  // Sam's reconnects: 6 more, the order is complete.
  await goOnline(supervisorContext);
  await waitForEmptyOutbox(sam);
  expect(await serverRows('select quantity_received, status from incoming_orders where id = $1', [created!.id])).toEqual([{ quantity_received: 10, status: 'received' }]);
  expect(await serverRows('select quantity from parts where id = $1', [part!.id])).toEqual([{ quantity: part!.quantity + 10 }]);
  expect(await serverRows(`select delta from stock_movements where order_id = $1 order by delta`, [created!.id])).toEqual([{ delta: 4 }, { delta: 6 }]);

  // Rosa, still offline, sees 4 of 10 and receives 1 more: the server refuses it (the order was
  // fully received meanwhile) and the stock does not move.
  await receive(rosa, SPANISH, 1);
  await rosa.keyboard.press('Escape');
  await goOnline(storeroomContext);
  await waitForEmptyOutbox(rosa);
  await waitForLocal(rosa, 'the refusal on the tablet', `select count(*) = 1 as ok from needs_attention where name = 'order.receive' and args->>'id' = $1`, [created!.id]);
  expect(await serverRows('select quantity_received, status from incoming_orders where id = $1', [created!.id])).toEqual([{ quantity_received: 10, status: 'received' }]);
  expect(await serverRows('select quantity from parts where id = $1', [part!.id])).toEqual([{ quantity: part!.quantity + 10 }]);
  expect(await serverRows(`select count(*)::int as n from stock_movements where order_id = $1`, [created!.id])).toEqual([{ n: 2 }]);

  // In plain Spanish, on the order's row and in Needs attention.
  const refusal = 'No se recibió: este pedido ya estaba recibido por completo (10 de 10). El stock no cambió.';
  const row = orderRow(rosa);
  await expect(row).toHaveAttribute('data-status', 'received', SHOWN);
  await expect(row.getByTestId('order-refusal')).toContainText(refusal, SHOWN);
  await expect(row.getByTestId('order-quantities')).toHaveText('10 / 10');
  await expectSpanishOnly(await row.innerText(), 'the order row');
  await expectSpanishOnly(await rosa.locator('.orders-toolbar').innerText(), 'the orders filters');
  await expectSpanishOnly(await rosa.locator('.orders-table thead').innerText(), 'the orders table header');
  await row.click();
  const dialog = rosa.getByRole('dialog', { name: 'Detalles del pedido' });
  await expect(dialog.getByTestId('order-fully-received')).toBeVisible(SHOWN);
  await expect(dialog.getByRole('button', { name: 'Recibir', exact: true })).toHaveCount(0);
  await expectSpanishOnly(await dialog.innerText(), 'the order dialog');
  await rosa.keyboard.press('Escape');
  await rosa.getByRole('navigation').getByRole('link', { name: 'Requiere atención', exact: true }).click();
  const item = rosa.locator('[data-testid="attention-item"][data-command="order.receive"]');
  await expect(item.getByRole('note')).toHaveText(refusal, SHOWN);
  await expect(item.getByRole('heading')).toHaveText('Recibir pedido');
});

test('the orders list opens filtered from its URL, cold and offline; overdue deliveries stand out', async ({ request }) => {
  const [part] = await serverRows<{ id: string }>('select id::text from parts where part_number = $1', [partNumber]);
  const lateNumber = `PO-LATE-${suffix}`;
  const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
  const wasExpected = day(-30);
  const nowExpected = day(60);
  const late = await runAs(request, 'storeroom', 'order.create', {
    id: uuidv7(), partId: part!.id, orderNumber: lateNumber, supplier: 'Suministros Norte', quantityOrdered: 3, expectedAt: wasExpected,
  });
  expect(late.status).toBe('applied');
  await waitForLocal(sam, 'the late order on the tablet', `select count(*) = 1 as ok from incoming_orders where order_number = $1`, [lateNumber]);

  await goOffline(supervisorContext);
  await sam.goto('/orders?status=received');
  await expect(orderRow(sam)).toBeVisible(APP_READY);
  await expect(sam.getByLabel('Status', { exact: true })).toHaveValue('received');
  await expect(orderRow(sam, lateNumber)).toHaveCount(0);
  const statuses = await sam.getByTestId('order-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-status')));
  expect(new Set(statuses)).toEqual(new Set(['received']));

  await sam.goto(`/orders?overdue=1&supplier=${encodeURIComponent('Suministros Norte')}`);
  await expect(orderRow(sam, lateNumber)).toBeVisible(APP_READY);
  await expect(orderRow(sam, lateNumber)).toHaveAttribute('data-overdue', 'true');
  await expect(orderRow(sam, lateNumber)).toContainText('Overdue');
  await expect(orderRow(sam)).toHaveCount(0);
  await expect(sam.getByLabel('Overdue only')).toBeChecked();
  await expect(sam.getByLabel('Supplier', { exact: true })).toHaveValue('Suministros Norte');

  // Filters changed on the screen go into the URL.
  // Not `uncheck()`: the box is controlled by the URL, and the router applies a navigation in a
  // React transition, so the box shows its new state a moment after the click, not during it.
  await sam.getByLabel('Overdue only').click();
  await expect(sam.getByLabel('Overdue only')).not.toBeChecked(SHOWN);
  await expect(sam).toHaveURL(/\/orders\?supplier=Suministros\+Norte$|\/orders\?supplier=Suministros%20Norte$/, SHOWN);
  await expect(orderRow(sam)).toBeVisible(SHOWN);
  await goOnline(supervisorContext);

  // The late order: its date moved (a field edit with what it was), then cancelled with a reason.
  await orderRow(sam, lateNumber).click();
  const dialog = sam.getByRole('dialog', { name: 'Order details' });
  await dialog.getByRole('button', { name: 'Edit', exact: true }).click();
  await dialog.getByLabel('Expected date', { exact: true }).fill(nowExpected);
  await dialog.getByLabel('Tracking number', { exact: true }).fill(`LATE${suffix}`);
  await dialog.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(dialog.getByTestId('order-view')).toContainText(`LATE${suffix}`, SHOWN);
  await expect(orderRow(sam, lateNumber)).toHaveAttribute('data-overdue', 'false', SHOWN);
  await dialog.getByRole('button', { name: 'Cancel order', exact: true }).click();
  await dialog.getByLabel('Reason for cancelling', { exact: true }).fill('Supplier cannot deliver');
  await dialog.getByRole('button', { name: 'Confirm cancellation', exact: true }).click();
  await expect(dialog.getByTestId('order-status')).toHaveText('Cancelled', SHOWN);
  await expect(dialog.getByRole('button', { name: 'Receive', exact: true })).toHaveCount(0);
  await waitForEmptyOutbox(sam);
  expect(await serverRows('select expected_at::text as expected_at, tracking_number, status, notes from incoming_orders where order_number = $1', [lateNumber])).toEqual([
    { expected_at: nowExpected, tracking_number: `LATE${suffix}`, status: 'cancelled', notes: 'Supplier cannot deliver' },
  ]);
  expect(await serverRows(`select before, after from audit_log where command = 'order.update' and entity_id = (select id from incoming_orders where order_number = $1)`, [lateNumber])).toEqual([
    { before: { expectedAt: wasExpected, trackingNumber: null }, after: { expectedAt: nowExpected, trackingNumber: `LATE${suffix}` } },
  ]);
});
