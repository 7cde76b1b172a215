import type { CommandArgs } from '@cimco/contract';
import type { CommandContext, CommandEffect } from '../context.ts';
import { CommandRefusal } from '../refusal.ts';

// No `keep` in these refusals: the tablet keeps what was entered in Needs attention, and
// `conflicts` holds the entities of the central schema's first tables only.
const NOT_FOUND = (id: string) => new CommandRefusal('not_found', 'This task template does not exist in your yard.', { id });

/** Creates the template, or replaces every field of it (the last save wins whole). */
export async function saveTemplate(ctx: CommandContext, a: CommandArgs<'template.save'>): Promise<CommandEffect> {
  const { rows } = await ctx.tx.query<{ site_id: string; deleted_at: Date | null; title: string }>(
    'select site_id, deleted_at, title from task_templates where id = $1 for update',
    [a.id],
  );
  const row = rows[0];
  if (row && row.site_id !== ctx.siteId) throw new CommandRefusal('already_exists', 'A task template with this id already exists (id).', { id: a.id });
  if (row?.deleted_at) {
    throw new CommandRefusal('template_deleted', 'This task template was deleted meanwhile.');
  }
  const values = { title: a.title, category: a.category, priority: a.priority, checklist: a.checklist ?? null, typical_parts: a.typicalParts ?? null };
  await ctx.tx.query(
    `insert into task_templates (id, site_id, title, category, priority, checklist, typical_parts, created_by, updated_by)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $8)
     on conflict (id) do update set title = excluded.title, category = excluded.category, priority = excluded.priority,
       checklist = excluded.checklist, typical_parts = excluded.typical_parts, updated_by = excluded.updated_by`,
    [a.id, ctx.siteId, values.title, values.category, values.priority, values.checklist, values.typical_parts, ctx.userId],
  );
  return { entity: 'task_templates', entityId: a.id, ...(row && { before: { title: row.title } }), after: values };
}

/** Deletes the template (kept, marked deleted); deleting it again changes nothing. */
export async function deleteTemplate(ctx: CommandContext, a: CommandArgs<'template.delete'>): Promise<CommandEffect> {
  const { rowCount } = await ctx.tx.query(
    'update task_templates set deleted_at = coalesce(deleted_at, now()), updated_by = $3 where id = $1 and site_id = $2',
    [a.id, ctx.siteId, ctx.userId],
  );
  if (!rowCount) throw NOT_FOUND(a.id);
  return { entity: 'task_templates', entityId: a.id, after: { deleted: true } };
}
