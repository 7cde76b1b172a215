import { v7 as uuidv7 } from 'uuid';
import type { CommandArgs } from '@cimco/contract';
import type { CommandContext, CommandEffect } from '../context.ts';
import { lockRow } from '../field-edit.ts';
import { requireInYard } from '../references.ts';
import { PARTS } from './parts.ts';

/**
 * Stock movements commute: whatever order they arrive in, the quantity ends as the sum of them, so
 * they are always applied (the ledger trigger keeps parts.quantity = Σ movements). A quantity that
 * goes below zero is what physically happened somewhere — a count was off, a take was not logged —
 * so it is kept and raised for the storeroom as a stock discrepancy.
 * A count records the difference between what was counted and the quantity at that moment.
 */
export async function adjustStock(ctx: CommandContext, args: CommandArgs<'stock.adjust'>): Promise<CommandEffect> {
  const part = await lockRow(ctx, PARTS, args.partId);
  const refusal = PARTS.refuse!(part);
  if (refusal) throw refusal;
  const before = Number(part.quantity);
  const delta = args.reason === 'count' ? args.counted - before : args.delta;
  const links = args.reason === 'count' ? { taskId: null, equipmentId: null } : { taskId: args.taskId ?? null, equipmentId: args.equipmentId ?? null };
  await requireInYard(ctx, [['tasks', 'task', links.taskId], ['equipment', 'machine', links.equipmentId]]);
  const { rows } = await ctx.tx.query<{ quantity_after: number }>(
    `insert into stock_movements (id, site_id, part_id, delta, reason, task_id, equipment_id, note, author_id, device_id, client_created_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
     returning quantity_after`,
    [args.movementId, ctx.siteId, args.partId, delta, args.reason, links.taskId, links.equipmentId, args.note ?? null,
      ctx.userId, ctx.deviceId, ctx.clientTime],
  );
  const after = rows[0]!.quantity_after;
  const effect: CommandEffect = {
    entity: 'stock_movements',
    entityId: args.movementId,
    before: { partId: args.partId, quantity: before },
    after: { partId: args.partId, quantity: after, delta, reason: args.reason },
  };
  if (after < 0 && before >= 0) {
    await ctx.tx.query(
      `insert into conflicts (id, site_id, kind, entity, entity_id, overwritten_value, winning_value, mutation_id, device_id, user_id)
       values ($1, $2, 'stock_discrepancy', 'parts', $3, $4, $5, $6, $7, $8)`,
      [uuidv7(), ctx.siteId, args.partId, JSON.stringify({ quantity: before }), JSON.stringify({ quantity: after, delta }),
        ctx.mutationId, ctx.deviceId, ctx.userId],
    );
    return { ...effect, status: 'conflict', code: 'negative_stock', message: `Applied; stock of this part is now ${after}, below zero. The storeroom will check it.` };
  }
  return effect;
}
