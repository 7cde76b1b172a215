import type { CommandArgs } from '@cimco/contract';
import type { CommandContext, CommandEffect } from '../context.ts';
import { applyFieldEdit, lockRow, type EditableTable } from '../field-edit.ts';
import { lockName } from '../references.ts';
import { CommandRefusal } from '../refusal.ts';

export const PARTS: EditableTable = {
  table: 'parts',
  noun: 'part',
  columns: {
    partNumber: ['part_number', 'text'],
    name: ['name', 'text'],
    description: ['description', 'text'],
    category: ['category', 'text'],
    partType: ['part_type', 'text'],
    manufacturer: ['manufacturer', 'text'],
    supplier: ['supplier', 'text'],
    unitCost: ['unit_cost', 'number'],
    minQuantity: ['min_quantity', 'int'],
    unit: ['unit', 'text'],
    leadTimeDays: ['lead_time_days', 'int'],
    location: ['location', 'text'],
    wearRating: ['wear_rating', 'int'],
  },
  refuse: (row) =>
    row.deleted_at
      ? new CommandRefusal('deleted', 'This part was deleted; the edit was kept for review.', undefined, { entity: 'parts', entityId: String(row.id) })
      : undefined,
};

/** A part number is unique per yard whatever its case: a duplicate made offline is refused with the existing part. */
async function refuseDuplicateNumber(ctx: CommandContext, partNumber: string, except?: string): Promise<void> {
  await lockName(ctx, 'part_number', partNumber);
  const { rows } = await ctx.tx.query<{ id: string; name: string; part_number: string }>(
    `select id, name, part_number from parts where site_id = $1 and upper(part_number) = upper($2) and id is distinct from $3`,
    [ctx.siteId, partNumber, except ?? null],
  );
  if (rows[0]) {
    throw new CommandRefusal(
      'duplicate_part_number',
      `Part number ${partNumber} already exists (${rows[0].name}). Merge into it instead.`,
      { existingPartId: rows[0].id, existingPartNumber: rows[0].part_number, existingName: rows[0].name },
    );
  }
}

export async function createPart(ctx: CommandContext, args: CommandArgs<'part.create'>): Promise<CommandEffect> {
  const a = args as Required<CommandArgs<'part.create'>>;
  await refuseDuplicateNumber(ctx, a.partNumber);
  const exists = await ctx.tx.query('select 1 from parts where id = $1', [a.id]);
  if (exists.rowCount) throw new CommandRefusal('already_exists', 'A part with this id already exists.', { id: a.id });
  const values = {
    part_number: a.partNumber, name: a.name, description: a.description ?? null, category: a.category ?? null,
    part_type: a.partType ?? null, manufacturer: a.manufacturer ?? null, supplier: a.supplier ?? null,
    unit_cost: a.unitCost ?? null, min_quantity: a.minQuantity, unit: a.unit, lead_time_days: a.leadTimeDays ?? null,
    location: a.location ?? null, wear_rating: a.wearRating ?? null,
  };
  const columns = Object.keys(values);
  await ctx.tx.query(
    `insert into parts (id, site_id, updated_by, ${columns.join(', ')})
     values ($1, $2, $3, ${columns.map((_, i) => `$${i + 4}`).join(', ')})`,
    [a.id, ctx.siteId, ctx.userId, ...Object.values(values)],
  );
  return { entity: 'parts', entityId: a.id, after: values };
}

export async function updatePart(ctx: CommandContext, args: CommandArgs<'part.update'>): Promise<CommandEffect> {
  if (typeof args.changes.partNumber === 'string') await refuseDuplicateNumber(ctx, args.changes.partNumber, args.id);
  return applyFieldEdit(ctx, PARTS, args as { id: string; changes: Record<string, unknown>; base: Record<string, unknown> });
}

/** Moving bins is a transfer in the part's history (delta 0) and the new location. */
export async function movePart(ctx: CommandContext, args: CommandArgs<'part.move'>): Promise<CommandEffect> {
  const row = await lockRow(ctx, PARTS, args.id);
  const refusal = PARTS.refuse!(row);
  if (refusal) throw refusal;
  await ctx.tx.query('update parts set location = $2, updated_by = $3 where id = $1', [args.id, args.location, ctx.userId]);
  await ctx.tx.query(
    `insert into stock_movements (id, site_id, part_id, delta, reason, from_location, to_location, author_id, device_id, client_created_at)
     values ($1, $2, $3, 0, 'transfer', $4, $5, $6, $7, $8)`,
    [args.movementId, ctx.siteId, args.id, row.location ?? null, args.location, ctx.userId, ctx.deviceId, ctx.clientTime],
  );
  return { entity: 'parts', entityId: args.id, before: { location: row.location ?? null }, after: { location: args.location } };
}
