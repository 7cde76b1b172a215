import type { CommandArgs } from '@cimco/contract';
import type { CommandContext, CommandEffect } from '../context.ts';
import { applyFieldEdit, lockRow, type EditableTable } from '../field-edit.ts';
import { lockName, requireInYard } from '../references.ts';
import { CommandRefusal } from '../refusal.ts';

const retired = (row: Record<string, unknown>) =>
  row.status === 'retired'
    ? new CommandRefusal('retired', 'This machine was retired; the change was kept for review.', undefined, { entity: 'equipment', entityId: String(row.id) })
    : undefined;

export const EQUIPMENT: EditableTable = {
  table: 'equipment',
  noun: 'machine',
  columns: {
    tag: ['tag', 'text'],
    name: ['name', 'text'],
    type: ['type', 'text'],
    area: ['area', 'text'],
    make: ['make', 'text'],
    model: ['model', 'text'],
    serial: ['serial', 'text'],
    parentId: ['parent_id', 'uuid'],
    criticality: ['criticality', 'int'],
    meter: ['meter', 'number'],
    meterUnit: ['meter_unit', 'text'],
    notes: ['notes', 'text'],
  },
  refuse: retired,
};

/**
 * When a status change happened: when the person tapped it (the tablet's clock), but never later
 * than now and never before the machine's previous change. A machine that went down at 10:00 on a
 * tablet that synced at 14:00 was down from 10:00, which is what downtime and MTTR must count; and
 * the history stays in order, ending with the status the machine has (the latest arrival wins).
 */
async function changeTime(ctx: CommandContext, previousChange: unknown): Promise<Date> {
  const { rows } = await ctx.tx.query<{ at: Date }>(
    'select greatest(least($1::timestamptz, now()), coalesce($2::timestamptz, $1::timestamptz, now())) as at',
    [ctx.clientTime, previousChange instanceof Date ? previousChange.toISOString() : (previousChange ?? null)],
  );
  return rows[0]!.at;
}

/**
 * A machine's status history (equipment_status_changes): one row per command that changed its
 * status, in that command's transaction. Its id is the command's mutation id, the id the tablet
 * gave its expected row (client/src/outbox/effects.ts).
 */
async function recordStatusChange(
  ctx: CommandContext,
  change: { equipmentId: string; status: string; previous: unknown; at: Date; note: string | null | undefined },
): Promise<void> {
  await ctx.tx.query(
    `insert into equipment_status_changes (id, site_id, equipment_id, status, previous_status, changed_at, changed_by, note, updated_by)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $7)`,
    [ctx.mutationId, ctx.siteId, change.equipmentId, change.status, typeof change.previous === 'string' ? change.previous : null, change.at, ctx.userId, change.note ?? null],
  );
}

async function refuseDuplicateTag(ctx: CommandContext, tag: string, except?: string): Promise<void> {
  await lockName(ctx, 'tag', tag);
  const { rows } = await ctx.tx.query<{ id: string; name: string }>(
    'select id, name from equipment where site_id = $1 and upper(tag) = upper($2) and id is distinct from $3',
    [ctx.siteId, tag, except ?? null],
  );
  if (rows[0]) throw new CommandRefusal('duplicate_tag', `Tag ${tag} is already on ${rows[0].name}.`, { existingEquipmentId: rows[0].id });
}

export async function createEquipment(ctx: CommandContext, a: CommandArgs<'equipment.create'>): Promise<CommandEffect> {
  await refuseDuplicateTag(ctx, a.tag);
  await requireInYard(ctx, [['equipment', 'parent machine', a.parentId]]);
  const values = {
    tag: a.tag, name: a.name, type: a.type, area: a.area ?? null, make: a.make ?? null, model: a.model ?? null,
    serial: a.serial ?? null, parent_id: a.parentId ?? null, criticality: a.criticality ?? 2, meter: a.meter ?? null,
    meter_unit: a.meterUnit ?? 'hours', notes: a.notes ?? null,
  };
  const columns = Object.keys(values);
  await ctx.tx.query(
    `insert into equipment (id, site_id, updated_by, ${columns.join(', ')}) values ($1, $2, $3, ${columns.map((_, i) => `$${i + 4}`).join(', ')})`,
    [a.id, ctx.siteId, ctx.userId, ...Object.values(values)],
  );
  const { rows } = await ctx.tx.query<{ at: Date }>('select status_changed_at as at from equipment where id = $1', [a.id]);
  await recordStatusChange(ctx, { equipmentId: a.id, status: 'running', previous: null, at: rows[0]!.at, note: null });
  return { entity: 'equipment', entityId: a.id, after: values };
}

export async function updateEquipment(ctx: CommandContext, a: CommandArgs<'equipment.update'>): Promise<CommandEffect> {
  if (typeof a.changes.tag === 'string') await refuseDuplicateTag(ctx, a.changes.tag, a.id);
  if (a.changes.parentId === a.id) throw new CommandRefusal('invalid', 'A machine cannot be its own parent.');
  await requireInYard(ctx, [['equipment', 'parent machine', a.changes.parentId]]);
  return applyFieldEdit(ctx, EQUIPMENT, a as { id: string; changes: Record<string, unknown>; base: Record<string, unknown> });
}

/** One tap: the latest status wins (it is what the machine is doing now); a retired machine stays retired. */
export async function setEquipmentStatus(ctx: CommandContext, a: CommandArgs<'equipment.setStatus'>): Promise<CommandEffect> {
  const row = await lockRow(ctx, EQUIPMENT, a.id);
  const refusal = retired(row);
  if (refusal) throw refusal;
  if (row.status !== a.status) {
    const at = await changeTime(ctx, row.status_changed_at);
    await ctx.tx.query(
      'update equipment set status = $2, status_changed_at = $4, updated_by = $3 where id = $1',
      [a.id, a.status, ctx.userId, at],
    );
    await recordStatusChange(ctx, { equipmentId: a.id, status: a.status, previous: row.status, at, note: a.note });
  }
  return { entity: 'equipment', entityId: a.id, before: { status: row.status }, after: { status: a.status, note: a.note ?? null } };
}

export async function retireEquipment(ctx: CommandContext, a: CommandArgs<'equipment.retire'>): Promise<CommandEffect> {
  const row = await lockRow(ctx, EQUIPMENT, a.id);
  if (row.status !== 'retired') {
    const at = await changeTime(ctx, row.status_changed_at);
    await ctx.tx.query(
      `update equipment set status = 'retired', status_changed_at = $3, updated_by = $2 where id = $1`,
      [a.id, ctx.userId, at],
    );
    await recordStatusChange(ctx, { equipmentId: a.id, status: 'retired', previous: row.status, at, note: a.reason });
  }
  return { entity: 'equipment', entityId: a.id, before: { status: row.status }, after: { status: 'retired', reason: a.reason ?? null } };
}
