/**
 * The incoming orders screen's SQL (client/src/screens/orders/orders-query.ts) and the tablet's
 * expected effects of the order commands (client/src/outbox/effects.ts), on the tablet's local
 * schema: the filters (status, supplier, words, overdue), overdue deliveries first, a refusal of a
 * change to the order shown on its row; a receive shows partial / received at once and adds to
 * stock, as the server will; marking shipped keeps a partial order partial.
 */
import { v7 as uuidv7 } from 'uuid';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { recordCommand } from '../../../client/src/outbox/record-command.ts';
import {
  localDate,
  NO_ORDER_FILTERS,
  ORDER_SQL,
  ordersQuery,
  PART_OPTIONS_SQL,
  likePattern,
  suggestedQuantity,
  type OrderFilters,
  type OrderRow,
} from '../../../client/src/screens/orders/orders-query.ts';
import { useLocalDatabase } from '../support/local-database.ts';

describe('the incoming orders screen on the tablet', () => {
  const local = useLocalDatabase();
  const today = '2026-12-06';
  let partId: string;
  let otherPartId: string;

  beforeAll(async () => {
    await local.pg.query(
      `insert into session (user_id, site_id, username, display_name, role, locale, access_token, access_token_expires_at, refresh_token, refresh_token_expires_at)
       values ($1, $2, 'storeroom', 'Rosa', 'storeroom', 'es', 'a', now() + interval '1 hour', 'r', now() + interval '1 day')`,
      [uuidv7(), uuidv7()],
    );
  });

  beforeEach(async () => {
    await local.pg.exec('delete from outbox; delete from needs_attention; delete from incoming_orders_synced; delete from stock_movements_synced; delete from parts_synced');
    partId = uuidv7();
    otherPartId = uuidv7();
    await local.pg.query(
      `insert into parts_synced (id, part_number, name, quantity, min_quantity, supplier, lead_time_days)
       values ($1, 'RB-100', 'Roller bearing', 1, 4, 'Bearing World', 7), ($2, 'HY_50%', 'Hydraulic hose', 9, 2, null, null)`,
      [partId, otherPartId],
    );
  });

  async function order(orderNumber: string, fields: { status?: string; expectedAt?: string | null; supplier?: string | null; ordered?: number; received?: number; tracking?: string; part?: string } = {}) {
    const id = uuidv7();
    await local.pg.query(
      `insert into incoming_orders_synced (id, part_id, order_number, supplier, quantity_ordered, quantity_received, status, expected_at, tracking_number, created_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, now())`,
      [id, fields.part ?? partId, orderNumber, fields.supplier === undefined ? 'Bearing World' : fields.supplier, fields.ordered ?? 10, fields.received ?? 0,
        fields.status ?? 'ordered', fields.expectedAt ?? null, fields.tracking ?? null],
    );
    return id;
  }

  async function list(filters: Partial<OrderFilters> = {}): Promise<string[]> {
    const { sql, params } = ordersQuery({ ...NO_ORDER_FILTERS, ...filters }, today);
    return (await local.pg.query<OrderRow>(sql, params)).rows.map((r) => r.order_number);
  }

  const one = async (id: string) => (await local.pg.query<OrderRow>(ORDER_SQL, [today, id])).rows[0]!;

  it('lists overdue deliveries first, then open orders by expected date, then received and cancelled ones', async () => {
    await order('PO-DONE', { status: 'received', received: 10, expectedAt: '2026-11-01' });
    await order('PO-LATER', { expectedAt: '2026-12-20' });
    await order('PO-LATE', { status: 'shipped', expectedAt: '2026-12-01' });
    await order('PO-SOON', { status: 'partial', received: 3, expectedAt: '2026-12-08' });
    await order('PO-UNDATED');
    await order('PO-OFF', { status: 'cancelled', expectedAt: '2026-11-15' });
    await order('PO-TODAY', { expectedAt: today });
    const listed = await list();
    expect(listed.slice(0, 5)).toEqual(['PO-LATE', 'PO-TODAY', 'PO-SOON', 'PO-LATER', 'PO-UNDATED']);
    // Overdue: expected before today and not fully arrived; received and cancelled orders never are.
    expect(await list({ overdue: true })).toEqual(['PO-LATE']);
    const rows = (await local.pg.query<OrderRow>(ordersQuery(NO_ORDER_FILTERS, today).sql, [today])).rows;
    expect(Object.fromEntries(rows.map((r) => [r.order_number, r.overdue]))).toEqual({
      'PO-DONE': false, 'PO-LATER': false, 'PO-LATE': true, 'PO-SOON': false, 'PO-UNDATED': false, 'PO-OFF': false, 'PO-TODAY': false,
    });
    expect((await list()).slice(-2).sort()).toEqual(['PO-DONE', 'PO-OFF']);
  });

  it('filters by status, supplier and words in the order number, tracking number, part number or name', async () => {
    await order('PO-1', { status: 'partial', received: 2, tracking: '1Z999AA1' });
    await order('PO-2', { supplier: 'Hose Depot', part: otherPartId });
    await order('PO-3', { status: 'partial', received: 1, supplier: null });
    expect((await list({ status: 'partial' })).sort()).toEqual(['PO-1', 'PO-3']);
    expect(await list({ supplier: 'Hose Depot' })).toEqual(['PO-2']);
    expect(await list({ status: 'partial', supplier: 'Bearing World' })).toEqual(['PO-1']);
    expect(await list({ text: '1z999' })).toEqual(['PO-1']);
    expect(await list({ text: 'hydraulic HOSE' })).toEqual(['PO-2']);
    // Wildcards typed are plain characters.
    expect(await list({ text: 'hy_50%' })).toEqual(['PO-2']);
    expect(await list({ text: '50%' })).toEqual(['PO-2']);
    expect(await list({ text: '%' })).toEqual(['PO-2']);
    expect(await list({ text: 'rb-100 po-3' })).toEqual(['PO-3']);
    expect(await list({ text: 'nothing like it' })).toEqual([]);
  });

  it('a refused change to an order shows on its row with its code and details', async () => {
    const id = await order('PO-FULL', { status: 'received', received: 10 });
    await order('PO-OTHER');
    await local.pg.query(
      `insert into needs_attention (mutation_id, name, args, user_id, client_time, code, message, details)
       values ($1, 'order.receive', $2, $3, now(), 'already_received', 'This order was already fully received (10 of 10); stock was not changed.', $4)`,
      [uuidv7(), { id, movementId: uuidv7(), quantity: 1 }, uuidv7(), { received: 10, ordered: 10 }],
    );
    expect((await one(id)).refusal).toEqual({ name: 'order.receive', code: 'already_received', details: { received: 10, ordered: 10 } });
    const rows = (await local.pg.query<OrderRow>(ordersQuery(NO_ORDER_FILTERS, today).sql, [today])).rows;
    expect(rows.find((r) => r.order_number === 'PO-OTHER')!.refusal).toBeNull();
  });

  it('a receive shows at once: partial, then received when what arrived reaches what was ordered; stock up by each delivery', async () => {
    const id = await order('PO-R', { status: 'shipped', ordered: 10 });
    await recordCommand(local.pg, 'order.receive', { id, movementId: uuidv7(), quantity: 4 });
    expect(await one(id)).toMatchObject({ quantity_received: 4, status: 'partial', pending: true });
    await recordCommand(local.pg, 'order.receive', { id, movementId: uuidv7(), quantity: 6 });
    expect(await one(id)).toMatchObject({ quantity_received: 10, status: 'received', pending: true });
    expect((await local.pg.query('select quantity from parts where id = $1', [partId])).rows).toEqual([{ quantity: 11 }]);
    expect((await local.pg.query(`select delta, reason from stock_movements where order_id = $1 order by delta`, [id])).rows).toEqual([
      { delta: 4, reason: 'received' },
      { delta: 6, reason: 'received' },
    ]);
  });

  it('marking shipped: ordered → shipped with its tracking number; a partial order stays partial', async () => {
    const ordered = await order('PO-S1');
    const partial = await order('PO-S2', { status: 'partial', received: 2, tracking: 'OLD-1' });
    await recordCommand(local.pg, 'order.ship', { id: ordered, trackingNumber: '1Z-NEW' });
    await recordCommand(local.pg, 'order.ship', { id: partial });
    expect(await one(ordered)).toMatchObject({ status: 'shipped', tracking_number: '1Z-NEW' });
    expect(await one(partial)).toMatchObject({ status: 'partial', tracking_number: 'OLD-1' });
  });

  it('the part picker finds parts by number or name, wildcards as typed; a low part suggests what brings it above its minimum', async () => {
    const found = async (text: string) => (await local.pg.query<{ part_number: string }>(PART_OPTIONS_SQL, [likePattern(text)])).rows.map((r) => r.part_number);
    expect(await found('roller')).toEqual(['RB-100']);
    expect(await found('_50%')).toEqual(['HY_50%']);
    expect(await found('')).toEqual(['HY_50%', 'RB-100']);
    expect(suggestedQuantity({ quantity: 1, min_quantity: 4 })).toBe(4);
    expect(suggestedQuantity({ quantity: 0, min_quantity: 0 })).toBe(1);
    expect(suggestedQuantity({ quantity: -3, min_quantity: 2 })).toBe(6);
    expect(localDate()).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });
});
