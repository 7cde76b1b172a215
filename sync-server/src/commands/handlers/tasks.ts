import { TASK_TRANSITIONS, type CommandArgs, type TaskStatus } from '@cimco/contract';
import type { CommandContext, CommandEffect } from '../context.ts';
import { applyFieldEdit, lockRow, type EditableTable } from '../field-edit.ts';
import { requireInYard } from '../references.ts';
import { CommandRefusal } from '../refusal.ts';

export const TASKS: EditableTable = {
  table: 'tasks',
  noun: 'task',
  columns: {
    equipmentId: ['equipment_id', 'uuid'],
    title: ['title', 'text'],
    description: ['description', 'text'],
    priority: ['priority', 'int'],
    category: ['category', 'text'],
    dueDate: ['due_date', 'date'],
  },
};

export async function createTask(ctx: CommandContext, a: CommandArgs<'task.create'>): Promise<CommandEffect> {
  await requireInYard(ctx, [['equipment', 'machine', a.equipmentId], ['users', 'assignee', a.assigneeId]]);
  const values = {
    equipment_id: a.equipmentId ?? null, title: a.title, description: a.description ?? null, priority: a.priority ?? 2,
    category: a.category ?? 'general', due_date: a.dueDate ?? null, assignee_id: a.assigneeId ?? null,
  };
  const columns = Object.keys(values);
  await ctx.tx.query(
    `insert into tasks (id, site_id, created_by, updated_by, ${columns.join(', ')})
     values ($1, $2, $3, $3, ${columns.map((_, i) => `$${i + 4}`).join(', ')})`,
    [a.id, ctx.siteId, ctx.userId, ...Object.values(values)],
  );
  return { entity: 'tasks', entityId: a.id, after: values };
}

export async function updateTask(ctx: CommandContext, a: CommandArgs<'task.update'>): Promise<CommandEffect> {
  await requireInYard(ctx, [['equipment', 'machine', a.changes.equipmentId]]);
  return applyFieldEdit(ctx, TASKS, a as { id: string; changes: Record<string, unknown>; base: Record<string, unknown> });
}

export async function assignTask(ctx: CommandContext, a: CommandArgs<'task.assign'>): Promise<CommandEffect> {
  const row = await lockRow(ctx, TASKS, a.id);
  await requireInYard(ctx, [['users', 'assignee', a.assigneeId]]);
  await ctx.tx.query('update tasks set assignee_id = $2, updated_by = $3 where id = $1', [a.id, a.assigneeId, ctx.userId]);
  return { entity: 'tasks', entityId: a.id, before: { assigneeId: row.assignee_id }, after: { assigneeId: a.assigneeId } };
}

export async function setTaskStatus(ctx: CommandContext, a: CommandArgs<'task.setStatus'>): Promise<CommandEffect> {
  const row = await lockRow(ctx, TASKS, a.id);
  const from = row.status as TaskStatus;
  const effect = { entity: 'tasks', entityId: a.id, before: { status: from }, after: { status: a.status } };
  if (from === a.status) return effect;
  if (!TASK_TRANSITIONS[from].includes(a.status)) {
    throw new CommandRefusal('illegal_transition', `A ${from.replace('_', ' ')} task cannot be set to ${a.status.replace('_', ' ')}.`, { from, to: a.status }, { entity: 'tasks', entityId: a.id });
  }
  await ctx.tx.query(
    `update tasks set status = $2, updated_by = $3,
            completed_at = null, completed_by = null,
            cancelled_reason = case when $2 = 'cancelled' then $4 else null end
      where id = $1`,
    [a.id, a.status, ctx.userId, a.reason ?? null],
  );
  return effect;
}

/**
 * Completing a task: refused for a cancelled task (the supervisor called it off meanwhile — the
 * technician's notes are kept); a no-op for a task already done; otherwise done, with lock-out/
 * tag-out confirmed for work on a machine, and the problem, cause and fix kept as knowledge.
 */
export async function completeTask(ctx: CommandContext, a: CommandArgs<'task.complete'>): Promise<CommandEffect> {
  const row = await lockRow(ctx, TASKS, a.id);
  if (row.status === 'cancelled') {
    throw new CommandRefusal('task_cancelled', 'This task was cancelled before your completion arrived; your notes were kept.', undefined, { entity: 'tasks', entityId: a.id });
  }
  if (row.status === 'done') {
    return { entity: 'tasks', entityId: a.id, before: { status: 'done' }, after: { status: 'done' }, code: 'already_done', message: 'The task was already done.' };
  }
  if (row.equipment_id && !a.lotoConfirmed) {
    throw new CommandRefusal('loto_required', 'Confirm lock-out/tag-out before completing work on a machine.');
  }
  await ctx.tx.query(
    `update tasks set status = 'done', completed_at = now(), completed_by = $2, resolution = $3, updated_by = $2,
            loto_confirmed = loto_confirmed or $4,
            loto_confirmed_at = case when $4 then coalesce(loto_confirmed_at, now()) else loto_confirmed_at end,
            loto_confirmed_by = case when $4 then coalesce(loto_confirmed_by, $2) else loto_confirmed_by end
      where id = $1`,
    [a.id, ctx.userId, a.fix, a.lotoConfirmed],
  );
  await ctx.tx.query(
    `insert into knowledge (id, site_id, equipment_id, task_id, category, problem, cause, fix_steps, author_id, updated_by)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)`,
    [a.knowledgeId, ctx.siteId, row.equipment_id ?? null, a.id, row.category, a.problem, a.cause ?? null, a.fix, ctx.userId],
  );
  return { entity: 'tasks', entityId: a.id, before: { status: row.status }, after: { status: 'done', knowledgeId: a.knowledgeId } };
}
