import type { CommandArgs } from '@cimco/contract';
import type { CommandContext, CommandEffect } from '../context.ts';
import { lockRow } from '../field-edit.ts';
import { requireInYard } from '../references.ts';

export async function addKnowledge(ctx: CommandContext, a: CommandArgs<'knowledge.add'>): Promise<CommandEffect> {
  await requireInYard(ctx, [['equipment', 'machine', a.equipmentId], ['tasks', 'task', a.taskId]]);
  await ctx.tx.query(
    `insert into knowledge (id, site_id, equipment_id, task_id, category, problem, cause, fix_steps, author_id, updated_by)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)`,
    [a.id, ctx.siteId, a.equipmentId ?? null, a.taskId ?? null, a.category ?? null, a.problem, a.cause ?? null, a.fixSteps ?? null, ctx.userId],
  );
  return { entity: 'knowledge', entityId: a.id, after: { problem: a.problem } };
}

/** "This helped" counts once per person; voting again changes nothing. */
export async function voteKnowledge(ctx: CommandContext, a: CommandArgs<'knowledge.vote'>): Promise<CommandEffect> {
  await lockRow(ctx, { table: 'knowledge', noun: 'knowledge entry' }, a.knowledgeId);
  const { rowCount } = await ctx.tx.query(
    `insert into knowledge_votes (id, site_id, knowledge_id, user_id, updated_by) values ($1, $2, $3, $4, $4)
     on conflict (knowledge_id, user_id) do nothing`,
    [a.id, ctx.siteId, a.knowledgeId, ctx.userId],
  );
  if (rowCount) await ctx.tx.query('update knowledge set helpful_votes = helpful_votes + 1 where id = $1', [a.knowledgeId]);
  return { entity: 'knowledge', entityId: a.knowledgeId, after: { voted: true }, ...(!rowCount && { code: 'already_voted' }) };
}
