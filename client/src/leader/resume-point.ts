import type { PGliteInterface, Transaction } from '@electric-sql/pglite';

/**
 * Makes a stored subscription safe to resume (pglite-sync 0.6.1).
 *
 * `syncShapesToTables` commits the changes of all shapes up to the lowest lsn that every shape
 * has completed, and keeps later changes of faster shapes in memory until the others catch up.
 * But each commit stores every shape's *latest* offset, past those held changes. When the sync
 * stops before they are committed — the leader steps a caught-up sync aside for an upload, a tab
 * closes — a resume from the stored offsets skips them: the tablet would never see that change.
 *
 * So before each start, a shape whose stored offset is past the committed lsn is moved back to
 * `<lsn>_inf` (what the server hands out: "everything up to that transaction"). It receives
 * those changes again; none of them was applied, since nothing past the lsn was committed.
 * Returns the shapes moved back.
 */
export async function resumeFromCommitted(pg: PGliteInterface | Transaction, key: string): Promise<string[]> {
  const { rows } = await pg.query<{ exists: boolean }>(`select to_regclass('electric.subscriptions_metadata') is not null as exists`);
  if (!rows[0]?.exists) return [];
  const stored = await pg.query<{ shape_metadata: Record<string, { handle: string; offset: string }>; last_lsn: string }>(
    'select shape_metadata, last_lsn from electric.subscriptions_metadata where key = $1',
    [key],
  );
  const subscription = stored.rows[0];
  if (!subscription) return [];
  const committed = BigInt(subscription.last_lsn);
  const moved: string[] = [];
  const shapes = Object.fromEntries(
    Object.entries(subscription.shape_metadata).map(([name, shape]) => {
      const tx = transactionOf(shape.offset);
      if (tx === undefined || tx <= committed) return [name, shape];
      moved.push(name);
      return [name, { ...shape, offset: `${committed}_inf` }];
    }),
  );
  if (moved.length > 0) {
    await pg.query('update electric.subscriptions_metadata set shape_metadata = $2 where key = $1', [key, shapes]);
  }
  return moved;
}

/** The transaction part of a log offset (`<tx>_<op>`); undefined for `-1`, `now` and the like. */
function transactionOf(offset: string): bigint | undefined {
  const match = /^(\d+)_(\d+|inf)$/.exec(offset);
  return match ? BigInt(match[1]!) : undefined;
}
