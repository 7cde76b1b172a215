import type pg from 'pg';
import type { ShapeDefinition } from './request.ts';
import { quoteIdent, renderKeySql, renderValuesSql, type TableSchema } from './table-schema.ts';

/**
 * Reads a shape's data as protocol messages (JSON texts), straight from PostgreSQL:
 * - `readSnapshot`: the rows matching the shape in one REPEATABLE READ snapshot, joined to the feed
 *   so that the result is exactly the state after some feed position (SPEC.md, "Snapshots");
 * - `readChanges`: the shape's changes in a range of the feed, where the filter is evaluated by
 *   PostgreSQL on the old and the new image of each row, so a row that starts matching arrives as
 *   an insert and one that stops matching as a delete.
 * Values are rendered as text by PostgreSQL, on connections set to the protocol's fixed settings.
 */
export interface ShapeSource {
  def: ShapeDefinition;
  schema: TableSchema;
}

export interface SnapshotRead {
  /** Insert messages, one JSON text each. */
  rows: string[];
  /** The feed position the rows were read at (every transaction up to it is in them). */
  publishedAt: bigint;
  /** Committed transactions the snapshot saw that were not yet published. */
  unpublishedXids: string[];
  snapshot: { text: string; xmin: string; xmax: string; xip: string[] };
}

export async function readSnapshot(pool: pg.Pool, { def, schema }: ShapeSource): Promise<SnapshotRead> {
  const client = await pool.connect();
  try {
    await client.query('begin isolation level repeatable read read only');
    const state = await client.query<{ last: string; horizon: string; snap: string; xmin: string; xmax: string; xip: string[] }>(
      `select last_tx_offset::text as last, xmin_horizon::text as horizon, s::text as snap,
              pg_snapshot_xmin(s)::text as xmin, pg_snapshot_xmax(s)::text as xmax,
              array(select x::text from pg_snapshot_xip(s) as x) as xip
         from shape_feed_state, pg_current_snapshot() as s`,
    );
    const { last, horizon, snap, xmin, xmax, xip } = state.rows[0]!;
    let rows: string[] = [];
    if (def.log === 'full') {
      const alias = quoteIdent(def.table);
      const result = await client.query<{ message: string }>({
        text: `select json_build_object(
                 'key', ${renderKeySql(schema, alias)},
                 'value', ${renderValuesSql(schema, def.columns, alias)},
                 'headers', json_build_object('operation', 'insert', 'relation', json_build_array('public', $${def.params.length + 1}::text))
               )::text as message
               from public.${alias} as ${alias}
              where ${def.where}`,
        values: [...def.params, def.table],
      });
      rows = result.rows.map((r) => r.message);
    }
    const pending = await client.query<{ xid: string }>(
      `select distinct c.xid::text as xid from shape_changes c
        where c.xid >= $1::xid8 and not exists (select 1 from shape_transactions t where t.xid = c.xid)`,
      [horizon],
    );
    await client.query('commit');
    return {
      rows,
      publishedAt: BigInt(last),
      unpublishedXids: pending.rows.map((r) => r.xid),
      snapshot: { text: snap, xmin, xmax, xip },
    };
  } catch (error) {
    await client.query('rollback').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

/** The highest tx_offset of these transactions, or undefined while any is unpublished. */
export async function publishedPosition(pool: pg.Pool, xids: string[]): Promise<bigint | undefined> {
  const { rows } = await pool.query<{ n: number; max: string | null }>(
    'select count(*)::int as n, max(tx_offset)::text as max from shape_transactions where xid = any($1::xid8[])',
    [xids],
  );
  return rows[0]!.n === xids.length ? BigInt(rows[0]!.max ?? 0) : undefined;
}

export interface ChangesRead {
  messages: string[];
  /** The read is complete through this position (≤ the requested end when cut short). */
  through: bigint;
  /**
   * Why the range cannot be answered, if it cannot: `truncated`, the table was truncated in it (the
   * shape's log ends there); `compacted`, compaction removed part of it while it was being read.
   * Either way its clients must refetch.
   */
  ended?: 'truncated' | 'compacted';
}

interface ChangeRow {
  tx: string;
  txid: string;
  op: 'I' | 'U' | 'D' | 'T';
  old_match: boolean | null;
  new_match: boolean | null;
  old_key: string | null;
  new_key: string | null;
  old_values: string | null;
  new_values: string | null;
}

/**
 * The shape's changes in transactions (after, upTo], whole transactions only, at most about
 * `maxRows` captured changes (a single larger transaction is still read whole).
 * `skipVisibleIn`: leave out transactions visible in this pg_snapshot (already in a snapshot).
 */
export async function readChanges(
  pool: pg.Pool,
  { def, schema }: ShapeSource,
  after: bigint,
  upTo: bigint,
  { maxRows = 20_000, skipVisibleIn }: { maxRows?: number; skipVisibleIn?: string } = {},
): Promise<ChangesRead> {
  if (upTo <= after) return { messages: [], through: upTo };
  const alias = quoteIdent(def.table);
  const image = (column: 'old_row' | 'new_row', expression: string) =>
    `case when c.${column} is null then null else (select ${expression} from jsonb_populate_record(null::public.${alias}, c.${column}) as ${alias}) end`;
  const n = def.params.length;
  const sql = (limit: boolean) => `
    select t.tx_offset::text as tx, (t.xid::text::bigint % 4294967296)::text as txid, c.op,
           ${image('old_row', `coalesce((${def.where}), false)`)} as old_match,
           ${image('new_row', `coalesce((${def.where}), false)`)} as new_match,
           ${image('old_row', renderKeySql(schema, alias))} as old_key,
           ${image('new_row', renderKeySql(schema, alias))} as new_key,
           ${image('old_row', `(${renderValuesSql(schema, def.columns, alias)})::text`)} as old_values,
           ${image('new_row', `(${renderValuesSql(schema, def.columns, alias)})::text`)} as new_values
      from shape_transactions t
      join shape_changes c on c.xid = t.xid
     where t.tx_offset > $${n + 1} and t.tx_offset <= $${n + 2} and c.relation = $${n + 3}
       ${skipVisibleIn ? `and not pg_visible_in_snapshot(t.xid, $${n + 4}::pg_snapshot)` : ''}
     order by t.tx_offset, c.seq
     ${limit ? `limit ${maxRows + 1}` : ''}`;
  const values = (from: bigint, to: bigint) => [
    ...def.params,
    from.toString(),
    to.toString(),
    def.table,
    ...(skipVisibleIn ? [skipVisibleIn] : []),
  ];

  let rows = (await pool.query<ChangeRow>(sql(true), values(after, upTo))).rows;
  let through = upTo;
  if (rows.length > maxRows) {
    const cut = BigInt(rows[maxRows]!.tx);
    if (BigInt(rows[0]!.tx) === cut) {
      // One transaction larger than a page: send it whole.
      rows = (await pool.query<ChangeRow>(sql(false), values(after, cut))).rows;
      through = cut;
    } else {
      rows = rows.filter((r) => BigInt(r.tx) < cut);
      through = cut - 1n;
    }
  }
  if (rows.some((r) => r.op === 'T')) return { messages: [], through, ended: 'truncated' };
  // The caller checked the range against compaction before reading, but compaction may have
  // committed in between, and the read above would then miss the removed transactions and
  // still look complete: a client told "up to date" past them would never get them. Read after
  // the range, in a later snapshot, `compacted_through` tells whether any of it was removed.
  const { rows: bounds } = await pool.query<{ compacted: string }>('select compacted_through::text as compacted from shape_feed_state');
  if (BigInt(bounds[0]!.compacted) > after) return { messages: [], through, ended: 'compacted' };
  return { messages: toMessages(def, schema, rows), through };
}

function toMessages(def: ShapeDefinition, schema: TableSchema, rows: ChangeRow[]): string[] {
  const relation = ['public', def.table];
  const out: { tx: string; txid: string; message: Record<string, unknown> }[] = [];
  const emit = (row: ChangeRow, operation: string, key: string, value: unknown, oldValue?: unknown) =>
    out.push({
      tx: row.tx,
      txid: row.txid,
      message: { key, value, ...(oldValue !== undefined && { old_value: oldValue }), headers: { operation, relation } },
    });
  const pk = (values: Record<string, string | null>) =>
    Object.fromEntries(schema.primaryKey.map((k) => [k, values[k] ?? null]));

  for (const row of rows) {
    const oldValues = row.old_values ? (JSON.parse(row.old_values) as Record<string, string | null>) : undefined;
    const newValues = row.new_values ? (JSON.parse(row.new_values) as Record<string, string | null>) : undefined;
    const inserted = () => emit(row, 'insert', row.new_key!, newValues);
    const deleted = () => emit(row, 'delete', row.old_key!, def.replica === 'full' ? oldValues : pk(oldValues!));
    if (row.old_match && row.new_match) {
      if (row.old_key !== row.new_key) {
        deleted();
        inserted();
        continue;
      }
      const changed = def.columns.filter((c) => oldValues![c] !== newValues![c]);
      if (changed.length === 0) continue; // only columns outside the shape changed
      if (def.replica === 'full') {
        emit(row, 'update', row.new_key!, newValues, Object.fromEntries(changed.map((c) => [c, oldValues![c] ?? null])));
      } else {
        emit(row, 'update', row.new_key!, { ...pk(newValues!), ...Object.fromEntries(changed.map((c) => [c, newValues![c] ?? null])) });
      }
    } else if (row.new_match) {
      inserted(); // inserted, or moved into the shape
    } else if (row.old_match) {
      deleted(); // deleted, or moved out of the shape
    }
  }

  // Per transaction: its lsn, txids, each operation's position, and `last` on its final operation.
  let position = 0;
  return out.map((entry, i) => {
    position = i > 0 && out[i - 1]!.tx === entry.tx ? position + 1 : 0;
    const last = out[i + 1]?.tx !== entry.tx;
    Object.assign(entry.message.headers as Record<string, unknown>, {
      txids: [Number(entry.txid)],
      lsn: entry.tx,
      op_position: position,
      ...(last && { last: true }),
    });
    return JSON.stringify(entry.message);
  });
}
