import type { CommandArgs } from '@cimco/contract';
import type { CommandContext, CommandEffect } from '../context.ts';
import { requireInYard } from '../references.ts';
import { CommandRefusal } from '../refusal.ts';

// No `keep` in these refusals: the tablet keeps what was entered in Needs attention, and
// `conflicts` holds the entities of the central schema's first tables only.
const NOT_FOUND = (id: string) => new CommandRefusal('not_found', 'This maintenance schedule does not exist in your yard.', { id });

/** Creates the schedule or replaces it whole; the server makes its tasks when due (pm/due-tasks.ts). */
export async function savePm(ctx: CommandContext, a: CommandArgs<'pm.save'>): Promise<CommandEffect> {
  await requireInYard(ctx, [['equipment', 'machine', a.equipmentId]]);
  const { rows } = await ctx.tx.query<{ site_id: string; deleted_at: Date | null; title: string }>(
    'select site_id, deleted_at, title from pm_schedules where id = $1 for update',
    [a.id],
  );
  const row = rows[0];
  if (row && row.site_id !== ctx.siteId) throw new CommandRefusal('already_exists', 'A maintenance schedule with this id already exists (id).', { id: a.id });
  if (row?.deleted_at) throw new CommandRefusal('pm_deleted', 'This maintenance schedule was deleted meanwhile.');
  const byDays = a.everyDays != null;
  const values = {
    equipment_id: a.equipmentId, title: a.title, category: a.category, priority: a.priority, checklist: a.checklist ?? null,
    every_days: byDays ? a.everyDays : null, every_meter: byDays ? null : a.everyMeter,
    next_due_on: byDays ? a.nextDueOn : null, next_due_meter: byDays ? null : a.nextDueMeter,
  };
  const columns = Object.keys(values);
  await ctx.tx.query(
    `insert into pm_schedules (id, site_id, created_by, updated_by, ${columns.join(', ')})
     values ($1, $2, $3, $3, ${columns.map((_, i) => `$${i + 4}`).join(', ')})
     on conflict (id) do update set ${columns.map((c) => `${c} = excluded.${c}`).join(', ')}, updated_by = excluded.updated_by`,
    [a.id, ctx.siteId, ctx.userId, ...Object.values(values)],
  );
  return { entity: 'pm_schedules', entityId: a.id, ...(row && { before: { title: row.title } }), after: values };
}

/** Deletes the schedule (kept, marked deleted): no more tasks from it; deleting again changes nothing. */
export async function deletePm(ctx: CommandContext, a: CommandArgs<'pm.delete'>): Promise<CommandEffect> {
  const { rowCount } = await ctx.tx.query(
    'update pm_schedules set deleted_at = coalesce(deleted_at, now()), updated_by = $3 where id = $1 and site_id = $2',
    [a.id, ctx.siteId, ctx.userId],
  );
  if (!rowCount) throw NOT_FOUND(a.id);
  return { entity: 'pm_schedules', entityId: a.id, after: { deleted: true } };
}
