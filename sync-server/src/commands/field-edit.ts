import { v7 as uuidv7 } from 'uuid';
import type { CommandContext, CommandEffect } from './context.ts';
import { CommandRefusal } from './refusal.ts';

/**
 * The conflict rule for field edits (DESIGN.md §4). An edit names the fields it changes and the
 * values they had when the user started (`base`). For each field:
 * - the row already holds the new value → nothing to do (the same edit arrived twice, or two
 *   people made the same change);
 * - the row still holds the base value → apply;
 * - someone else changed it meanwhile → the later arrival wins, and the value it overwrote is kept
 *   in `conflicts` (kind `overwritten`) for a supervisor to restore with one tap.
 * Edits of different fields therefore merge. The row is locked for the check.
 */
export type ColumnKind = 'text' | 'number' | 'int' | 'date' | 'uuid' | 'bool';

export interface EditableTable {
  table: 'equipment' | 'tasks' | 'parts' | 'incoming_orders';
  /** The entity's name in messages ("part", "task"…). */
  noun: string;
  /** Contract field → [column, kind]. */
  columns: Record<string, readonly [string, ColumnKind]>;
  /** Refuses edits of rows in a final state (deleted part, retired machine…); the edit is kept. */
  refuse?: (row: Record<string, unknown>) => CommandRefusal | undefined;
}

export async function applyFieldEdit(
  ctx: CommandContext,
  spec: EditableTable,
  edit: { id: string; changes: Record<string, unknown>; base: Record<string, unknown> },
): Promise<CommandEffect> {
  const row = await lockRow(ctx, spec, edit.id);
  const refusal = spec.refuse?.(row);
  if (refusal) throw refusal;

  const before: Record<string, unknown> = {};
  const after: Record<string, unknown> = {};
  const overwritten: { field: string; column: string; was: unknown; now: unknown }[] = [];
  for (const [field, wanted] of Object.entries(edit.changes)) {
    const [column, kind] = spec.columns[field]!;
    const current = row[column];
    if (same(current, wanted, kind)) continue;
    if (!same(current, edit.base[field], kind)) overwritten.push({ field, column, was: current, now: wanted });
    before[field] = current;
    after[field] = wanted ?? null;
  }

  const fields = Object.keys(after);
  if (fields.length > 0) {
    const assignments = fields.map((f, i) => `${spec.columns[f]![0]} = $${i + 3}`);
    await ctx.tx.query(
      `update ${spec.table} set ${assignments.join(', ')}, updated_by = $2 where id = $1`,
      [edit.id, ctx.userId, ...fields.map((f) => after[f])],
    );
  }
  for (const o of overwritten) {
    await ctx.tx.query(
      `insert into conflicts (id, site_id, kind, entity, entity_id, field, overwritten_value, winning_value, mutation_id, device_id, user_id)
       values ($1, $2, 'overwritten', $3, $4, $5, $6, $7, $8, $9, $10)`,
      [uuidv7(), ctx.siteId, spec.table, edit.id, o.column, JSON.stringify(o.was ?? null), JSON.stringify(o.now ?? null),
        ctx.mutationId, ctx.deviceId, ctx.userId],
    );
  }
  return {
    entity: spec.table,
    entityId: edit.id,
    before,
    after,
    ...(overwritten.length > 0 && {
      status: 'conflict' as const,
      code: 'overwrote_concurrent_edit',
      message: `Applied; it replaced a change someone else made meanwhile to ${overwritten.map((o) => o.field).join(', ')}.`,
      details: { overwritten: overwritten.map((o) => ({ field: o.field, was: o.was ?? null })) },
    }),
  };
}

/** The row, locked, or a refusal naming what is missing. Rows of another yard do not exist here. */
export async function lockRow(
  ctx: CommandContext,
  spec: { table: string; noun: string },
  id: string,
): Promise<Record<string, unknown>> {
  const { rows } = await ctx.tx.query(`select * from ${spec.table} where id = $1 and site_id = $2 for update`, [id, ctx.siteId]);
  if (!rows[0]) throw new CommandRefusal('not_found', `There is no such ${spec.noun} in this yard.`, { id });
  return rows[0] as Record<string, unknown>;
}

/** Equality as the column sees it: numeric '90.00' is 90; a date is its calendar day. */
export function same(a: unknown, b: unknown, kind: ColumnKind): boolean {
  const absent = (v: unknown) => v === null || v === undefined || (kind === 'text' && v === '');
  if (absent(a) || absent(b)) return absent(a) && absent(b);
  switch (kind) {
    case 'number':
    case 'int':
      return Number(a) === Number(b);
    case 'date':
      return dateOnly(a) === dateOnly(b);
    case 'bool':
      return Boolean(a) === Boolean(b);
    default:
      return String(a) === String(b);
  }
}

function dateOnly(v: unknown): string {
  return v instanceof Date ? v.toISOString().slice(0, 10) : String(v).slice(0, 10);
}
