import type { PGliteInterface, Transaction } from '@electric-sql/pglite';

/**
 * Makes a stored subscription safe to resume (pglite-sync 0.6.1). Two states it can leave behind
 * would otherwise lose or double rows:
 *
 * 1. A shape's offset past the committed position. `syncShapesToTables` commits the changes of
 *    all shapes up to the lowest lsn that every shape has completed, and keeps later changes of
 *    faster shapes in memory until the others catch up. But each commit stores every shape's
 *    *latest* offset, past those held changes. When the sync stops before they are committed —
 *    the leader steps a caught-up sync aside for an upload, a tab closes — a resume from the
 *    stored offsets skips them: the tablet would never see that change. Such a shape is moved
 *    back to `<lsn>_inf` (what the server hands out: "everything up to that transaction"). It
 *    receives those changes again; none of them was applied, since nothing past the lsn was
 *    committed.
 * 2. A shape stored at offset `-1` over rows still in its table. After a 409 the stream starts
 *    the shape anew (offset `-1`, a new handle), and a commit that runs then stores that, while
 *    the table is only emptied by the commit that brings the new copy. When the sync stops in
 *    between, the resumed sync fetches the whole shape again knowing nothing of the 409, and its
 *    inserts meet the old rows: `duplicate key`, at every restart. Such a table is emptied here;
 *    the new copy fills it.
 *
 * `tableOf` names the local table of each shape. Returns the shapes moved back or emptied.
 */
export async function resumeFromCommitted(pg: PGliteInterface, key: string, tableOf: (shape: string) => string): Promise<string[]> {
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
  const anew: string[] = [];
  const shapes = Object.fromEntries(
    Object.entries(subscription.shape_metadata).map(([name, shape]) => {
      if (shape.offset === '-1') anew.push(name);
      const tx = transactionOf(shape.offset);
      if (tx === undefined || tx <= committed) return [name, shape];
      moved.push(name);
      return [name, { ...shape, offset: `${committed}_inf` }];
    }),
  );
  if (moved.length === 0 && anew.length === 0) return [];
  await pg.transaction(async (tx: Transaction) => {
    for (const name of anew) await tx.exec(`delete from ${tableOf(name)}`);
    // pglite-sync commits only past the stored position: a yard with no new write would leave
    // the emptied table empty. One below lets the new copy commit as soon as every shape answers
    // (nothing at or below it is applied twice: offsets, not this position, say what comes).
    const position = anew.length > 0 ? committed - 1n : committed;
    await tx.query('update electric.subscriptions_metadata set shape_metadata = $2, last_lsn = $3 where key = $1', [key, shapes, position.toString()]);
  });
  return [...moved, ...anew];
}

/** The transaction part of a log offset (`<tx>_<op>`); undefined for `-1`, `now` and the like. */
function transactionOf(offset: string): bigint | undefined {
  const match = /^(\d+)_(\d+|inf)$/.exec(offset);
  return match ? BigInt(match[1]!) : undefined;
}
