import type { CommandContext } from './context.ts';
import { CommandRefusal } from './refusal.ts';

/**
 * A command may only point at rows of the caller's yard: a foreign key alone would accept another
 * yard's task or machine. Each non-null reference must exist here.
 */
export async function requireInYard(
  ctx: CommandContext,
  references: [table: 'equipment' | 'tasks' | 'parts' | 'users' | 'incoming_orders' | 'knowledge', noun: string, id: string | null | undefined][],
): Promise<void> {
  for (const [table, noun, id] of references) {
    if (!id) continue;
    const { rowCount } = await ctx.tx.query(`select 1 from ${table} where id = $1 and site_id = $2`, [id, ctx.siteId]);
    if (!rowCount) throw new CommandRefusal('unknown_reference', `There is no such ${noun} in this yard.`, { [noun]: id });
  }
}

/**
 * Serialises the check-then-insert of a unique name (a part number, a machine tag, a username)
 * until the end of the transaction: a second command claiming the same name waits for the first to
 * commit, then its check sees the first's row and refuses with that row, instead of tripping over
 * the unique index with a bare "already exists".
 */
export async function lockName(ctx: CommandContext, kind: string, name: string, scope: 'yard' | 'server' = 'yard'): Promise<void> {
  const key = `${kind}:${scope === 'yard' ? ctx.siteId : '*'}:${name.toUpperCase()}`;
  await ctx.tx.query('select pg_advisory_xact_lock(hashtextextended($1, 7262021003))', [key]);
}
