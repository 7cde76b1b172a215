import type { CommandArgs } from '@cimco/contract';
import type { CommandContext, CommandEffect } from '../context.ts';
import { lockRow } from '../field-edit.ts';
import { requireInYard } from '../references.ts';
import { CommandRefusal } from '../refusal.ts';
import { makeMeterTasks } from '../../pm/due-tasks.ts';
import { EQUIPMENT } from './equipment.ts';

/** A log entry on a machine; a meter reading also moves the machine's meter forward (never back). */
export async function addLog(ctx: CommandContext, a: CommandArgs<'log.add'>): Promise<CommandEffect> {
  const machine = await lockRow(ctx, EQUIPMENT, a.equipmentId);
  if (machine.status === 'retired') {
    throw new CommandRefusal('retired', 'This machine was retired; the entry was kept for review.', undefined, { entity: 'equipment', entityId: a.equipmentId });
  }
  await requireInYard(ctx, [['tasks', 'task', a.taskId]]);
  await ctx.tx.query(
    `insert into logs (id, site_id, equipment_id, task_id, kind, body, author_id, hours_spent, meter_reading, loto_confirmed, client_created_at, updated_by)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $7)`,
    [a.id, ctx.siteId, a.equipmentId, a.taskId ?? null, a.kind, a.body ?? '', ctx.userId, a.hoursSpent ?? null,
      a.meterReading ?? null, a.lotoConfirmed ?? false, ctx.clientTime],
  );
  let pmTasks: string[] = [];
  if (a.meterReading != null) {
    await ctx.tx.query(
      'update equipment set meter = $2, updated_by = $3 where id = $1 and (meter is null or meter < $2)',
      [a.equipmentId, a.meterReading, ctx.userId],
    );
    const { rows } = await ctx.tx.query<{ meter: string }>('select meter from equipment where id = $1', [a.equipmentId]);
    // Preventive maintenance due at this reading: made here, under the machine's lock, exactly once.
    pmTasks = await makeMeterTasks(ctx.tx, a.equipmentId, Number(rows[0]!.meter));
  }
  return {
    entity: 'logs',
    entityId: a.id,
    after: { equipmentId: a.equipmentId, kind: a.kind, hoursSpent: a.hoursSpent ?? null, ...(pmTasks.length > 0 && { pmTasks }) },
  };
}
