import type { PGliteInterface } from '@electric-sql/pglite';
import type { CommandInput, CommandName } from '@cimco/contract';
import { v5 as uuidv5 } from 'uuid';
import { persisted } from '../db/persisted.ts';
import { recordCommand } from './record-command.ts';

/** A command the server refused, as the Needs attention list shows it. */
export interface AttentionItem {
  mutation_id: string;
  name: CommandName;
  args: Record<string, unknown>;
  code: string | null;
  message: string | null;
  details: Record<string, unknown> | null;
  client_time: string;
  refused_at: string;
}

export const ATTENTION_SQL = `select mutation_id, name, args, code, message, details, client_time::text as client_time,
  refused_at::text as refused_at from needs_attention order by refused_at, client_time`;

/** Drops a refused command for good (the person decided it no longer matters). */
export async function discardRefused(pg: PGliteInterface, mutationId: string): Promise<void> {
  await pg.query('delete from needs_attention where mutation_id = $1', [mutationId]);
  await persisted(pg);
}

/**
 * Sends a refused command again as a new command, with what the person corrected. The refused
 * entry goes only once the new one is safely queued (an invalid edit throws and keeps it). A
 * refused entry already gone (this retry was sent twice) is not sent again.
 */
export async function retryRefused<N extends CommandName>(pg: PGliteInterface, mutationId: string, name: N, args: CommandInput<N>): Promise<void> {
  if (!(await isRefused(pg, mutationId))) return;
  await recordCommand(pg, name, args, retryIdOf(mutationId));
  await discardRefused(pg, mutationId);
}

/**
 * The mutation id of the retry of a refused command: derived from the refused one, so a retry
 * sent twice (the leader tab closed before answering) is recorded once.
 */
export function retryIdOf(refusedMutationId: string): string {
  return uuidv5(refusedMutationId, RETRY_NAMESPACE);
}

const RETRY_NAMESPACE = '5d0c6a52-8f0e-4d55-9a57-2f4b3c8e7a10';

async function isRefused(pg: PGliteInterface, mutationId: string): Promise<boolean> {
  const { rows } = await pg.query('select 1 from needs_attention where mutation_id = $1', [mutationId]);
  return rows.length > 0;
}

/**
 * A part created offline whose number already existed: the commands that were about the new part
 * (refused with it, since it was never made) are sent again about the existing one, and the
 * duplicate is dropped.
 */
export async function mergeIntoExistingPart(pg: PGliteInterface, item: AttentionItem): Promise<number> {
  const existing = item.details?.existingPartId;
  const duplicate = item.args.id;
  if (item.name !== 'part.create' || typeof existing !== 'string' || typeof duplicate !== 'string') {
    throw new Error('Only a part refused as a duplicate number can be merged.');
  }
  if (!(await isRefused(pg, item.mutation_id))) return 0;
  const { rows } = await pg.query<{ mutation_id: string; name: CommandName; args: Record<string, unknown> }>(
    `select mutation_id, name, args from needs_attention where args->>'partId' = $1 or (name like 'part.%' and args->>'id' = $1 and mutation_id <> $2)
      order by client_time`,
    [duplicate, item.mutation_id],
  );
  for (const row of rows) {
    const args = { ...row.args, ...(row.args.partId === duplicate && { partId: existing }), ...(row.args.id === duplicate && { id: existing }) };
    await retryRefused(pg, row.mutation_id, row.name, args as CommandInput<typeof row.name>);
  }
  await discardRefused(pg, item.mutation_id);
  return rows.length;
}
