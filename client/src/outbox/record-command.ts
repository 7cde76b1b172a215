import type { PGliteInterface, Transaction } from '@electric-sql/pglite';
import { COMMANDS, mayRun, type CommandArgs, type CommandInput, type CommandName, type SyncedTable } from '@cimco/contract';
import { v7 as uuidv7 } from 'uuid';
import { persisted } from '../db/persisted.ts';
import { readSession } from '../session/local-session.ts';
import { effectsOf } from './effects.ts';

/** Wakes the leader's uploader (it LISTENs on it) when a command is recorded. */
export const OUTBOX_CHANGED = 'cimco_outbox_changed';

/** Recording refused on the tablet itself: nobody signed in, or the role may not do this. */
export class CommandNotAllowedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CommandNotAllowedError';
  }
}

/**
 * Records a command in the outbox with its expected effects, in one local transaction, wakes the
 * uploader, and resolves once the command is stored on the tablet. The screens show the effect at
 * once (they read the overlay views). Arguments are validated with the contract's schema here, so
 * the person hears about a mistake while still looking at the form — a ZodError names the fields.
 * Returns the mutation id.
 *
 * `mutationId` (made by the caller) makes recording idempotent: a command whose id this tablet
 * already has — queued, refused, or answered by the server — is not recorded again (a tab sends an
 * unanswered operation again when the leader tab closes mid-way).
 */
export async function recordCommand<N extends CommandName>(pg: PGliteInterface, name: N, input: CommandInput<N>, mutationId: string = uuidv7()): Promise<string> {
  const session = await readSession(pg);
  if (!session) throw new CommandNotAllowedError('Sign in to make changes.');
  const command = COMMANDS[name];
  if (!mayRun(session.role, name)) {
    throw new CommandNotAllowedError(`A ${session.role} cannot do this (${name}).`);
  }
  const args = command.args.parse(input) as CommandArgs<N>;
  const clientTime = new Date().toISOString();

  const recorded = await pg.transaction(async (tx) => {
    const known = await tx.query(
      `select 1 from outbox where mutation_id = $1 union all select 1 from needs_attention where mutation_id = $1
       union all select 1 from mutation_results_synced where id = $1`,
      [mutationId],
    );
    if (known.rows.length > 0) return false;
    const { rows } = await tx.query<{ seq: string; device_id: string }>(
      `insert into outbox (mutation_id, name, args, user_id, client_time) values ($1, $2, $3, $4, $5)
       returning seq::text as seq, (select id from device) as device_id`,
      [mutationId, name, args, session.userId, clientTime],
    );
    const { seq, device_id: deviceId } = rows[0]!;
    const effects = await effectsOf(name, args, {
      userId: session.userId,
      siteId: session.siteId,
      deviceId,
      clientTime,
      mutationId,
      current: (table, id, column) => currentValue(tx, table, id, column),
    });
    for (const effect of effects) {
      await tx.query(
        `insert into outbox_effects (mutation_id, seq, table_name, row_id, op, data) values ($1, $2, $3, $4, $5, $6)`,
        [mutationId, seq, effect.table, effect.rowId, effect.op, effect.data],
      );
    }
    // Wakes the uploader when the command is committed.
    await tx.exec(`notify ${OUTBOX_CHANGED}`);
    return true;
  });
  if (!recorded) return mutationId;
  // The command is the person's work: stored on the tablet before the form says it is done.
  await persisted(pg);
  return mutationId;
}

async function currentValue(tx: Transaction, table: SyncedTable, id: string, column: string): Promise<unknown> {
  if (!/^[a-z_]+$/.test(column)) throw new Error(`not a column name: ${column}`);
  const { rows } = await tx.query<{ value: unknown }>(`select ${column} as value from ${table} where id = $1`, [id]);
  return rows[0]?.value;
}
