import { v7 as uuidv7 } from 'uuid';
import type { CommandArgs } from '@cimco/contract';
import type { CommandContext, CommandEffect } from '../context.ts';
import { applyFieldEdit, lockRow, type EditableTable } from '../field-edit.ts';
import { requireInYard } from '../references.ts';
import { CommandRefusal } from '../refusal.ts';

export const ORDERS: EditableTable = {
  table: 'incoming_orders',
  noun: 'order',
  columns: {
    orderNumber: ['order_number', 'text'],
    supplier: ['supplier', 'text'],
    quantityOrdered: ['quantity_ordered', 'int'],
    expectedAt: ['expected_at', 'date'],
    trackingNumber: ['tracking_number', 'text'],
    notes: ['notes', 'text'],
  },
  refuse: (row) =>
    row.status === 'cancelled'
      ? new CommandRefusal('cancelled', 'This order was cancelled; the change was kept for review.', undefined, { entity: 'incoming_orders', entityId: String(row.id) })
      : undefined,
};

export async function createOrder(ctx: CommandContext, a: CommandArgs<'order.create'>): Promise<CommandEffect> {
  await requireInYard(ctx, [['parts', 'part', a.partId]]);
  const values = {
    part_id: a.partId, order_number: a.orderNumber, supplier: a.supplier ?? null, quantity_ordered: a.quantityOrdered,
    expected_at: a.expectedAt ?? null, tracking_number: a.trackingNumber ?? null, notes: a.notes ?? null,
  };
  const columns = Object.keys(values);
  await ctx.tx.query(
    `insert into incoming_orders (id, site_id, updated_by, ${columns.join(', ')}) values ($1, $2, $3, ${columns.map((_, i) => `$${i + 4}`).join(', ')})`,
    [a.id, ctx.siteId, ctx.userId, ...Object.values(values)],
  );
  return { entity: 'incoming_orders', entityId: a.id, after: values };
}

export async function updateOrder(ctx: CommandContext, a: CommandArgs<'order.update'>): Promise<CommandEffect> {
  return applyFieldEdit(ctx, ORDERS, a as { id: string; changes: Record<string, unknown>; base: Record<string, unknown> });
}

/**
 * Receiving adds the quantity to stock once per command (the command's mutation id makes retries
 * safe). An order already fully received refuses more, so a delivery entered on two tablets is not
 * counted twice; receiving more than ordered is applied (it is on the shelf) and flagged.
 */
export async function receiveOrder(ctx: CommandContext, a: CommandArgs<'order.receive'>): Promise<CommandEffect> {
  const order = await lockRow(ctx, ORDERS, a.id);
  const refusal = ORDERS.refuse!(order);
  if (refusal) throw refusal;
  const ordered = Number(order.quantity_ordered);
  const received = Number(order.quantity_received);
  if (received >= ordered) {
    throw new CommandRefusal('already_received', `This order was already fully received (${received} of ${ordered}); stock was not changed.`, { received, ordered }, { entity: 'incoming_orders', entityId: a.id });
  }
  const total = received + a.quantity;
  await ctx.tx.query(
    `update incoming_orders set quantity_received = $2, updated_by = $3,
            status = case when $2 >= quantity_ordered then 'received' else 'partial' end,
            received_at = case when $2 >= quantity_ordered then now() else received_at end
      where id = $1`,
    [a.id, total, ctx.userId],
  );
  await ctx.tx.query(
    `insert into stock_movements (id, site_id, part_id, delta, reason, order_id, author_id, device_id, client_created_at)
     values ($1, $2, $3, $4, 'received', $5, $6, $7, $8)`,
    [a.movementId, ctx.siteId, order.part_id, a.quantity, a.id, ctx.userId, ctx.deviceId, ctx.clientTime],
  );
  const effect: CommandEffect = {
    entity: 'incoming_orders',
    entityId: a.id,
    before: { quantityReceived: received, status: order.status },
    after: { quantityReceived: total, status: total >= ordered ? 'received' : 'partial' },
  };
  if (total > ordered) {
    await ctx.tx.query(
      `insert into conflicts (id, site_id, kind, entity, entity_id, overwritten_value, winning_value, mutation_id, device_id, user_id)
       values ($1, $2, 'over_received', 'incoming_orders', $3, $4, $5, $6, $7, $8)`,
      [uuidv7(), ctx.siteId, a.id, JSON.stringify({ ordered }), JSON.stringify({ received: total }), ctx.mutationId, ctx.deviceId, ctx.userId],
    );
    return { ...effect, status: 'conflict', code: 'over_received', message: `Applied; ${total} received against ${ordered} ordered.` };
  }
  return effect;
}

export async function cancelOrder(ctx: CommandContext, a: CommandArgs<'order.cancel'>): Promise<CommandEffect> {
  const order = await lockRow(ctx, ORDERS, a.id);
  if (order.status === 'received') {
    throw new CommandRefusal('already_received', 'A received order cannot be cancelled.', undefined, { entity: 'incoming_orders', entityId: a.id });
  }
  if (order.status !== 'cancelled') {
    await ctx.tx.query(
      `update incoming_orders set status = 'cancelled', notes = coalesce($2, notes), updated_by = $3 where id = $1`,
      [a.id, a.reason ?? null, ctx.userId],
    );
  }
  return { entity: 'incoming_orders', entityId: a.id, before: { status: order.status }, after: { status: 'cancelled' } };
}

/**
 * The supplier has sent the order: `ordered` becomes `shipped`, with the carrier's tracking number
 * when given. Marking it again changes nothing more than the tracking number. An order of which a
 * delivery already arrived stays `partial` (the tracking number is kept); a received or cancelled
 * order is refused.
 */
export async function shipOrder(ctx: CommandContext, a: CommandArgs<'order.ship'>): Promise<CommandEffect> {
  const order = await lockRow(ctx, ORDERS, a.id);
  const refusal = ORDERS.refuse!(order);
  if (refusal) throw refusal;
  if (order.status === 'received') {
    throw new CommandRefusal('already_received', 'This order was already fully received; it cannot be marked shipped.', undefined, { entity: 'incoming_orders', entityId: a.id });
  }
  const status = order.status === 'partial' ? 'partial' : 'shipped';
  const trackingNumber = a.trackingNumber ?? order.tracking_number ?? null;
  await ctx.tx.query(`update incoming_orders set status = $2, tracking_number = $3, updated_by = $4 where id = $1`, [a.id, status, trackingNumber, ctx.userId]);
  return {
    entity: 'incoming_orders',
    entityId: a.id,
    before: { status: order.status, trackingNumber: order.tracking_number ?? null },
    after: { status, trackingNumber },
  };
}
