import type { PGliteInterface, Transaction } from '@electric-sql/pglite';
import { LOCAL_SCHEMA_VERSION, localSchemaSql } from './local-schema.ts';

export interface LocalSchema {
  version: number;
  sql: string;
}

export const CURRENT_LOCAL_SCHEMA: LocalSchema = { version: LOCAL_SCHEMA_VERSION, sql: localSchemaSql() };

/** What survives a rebuild: everything made on this tablet that the server has not settled. */
const CARRIED_TABLES = ['device', 'session', 'outbox', 'outbox_effects', 'needs_attention'] as const;

export type PrepareOutcome = 'created' | 'current' | 'rebuilt';

/**
 * Brings the local database to `schema`: creates it when new, leaves it when current, and
 * otherwise rebuilds it in one transaction, carrying over the tablet's own rows (a failure leaves
 * the old database as it was). Synced rows are not carried: the sync starts again from scratch.
 */
export async function prepareLocalDatabase(pg: PGliteInterface, schema: LocalSchema = CURRENT_LOCAL_SCHEMA): Promise<PrepareOutcome> {
  await pg.exec(`create schema if not exists local_meta;
    create table if not exists local_meta.schema_version (only_one boolean primary key default true check (only_one), version integer not null)`);
  const { rows } = await pg.query<{ version: number }>('select version from local_meta.schema_version');
  const installed = rows[0]?.version;
  if (installed === schema.version) return 'current';

  return pg.transaction(async (tx) => {
    const carried = installed === undefined ? undefined : await readCarried(tx);
    if (carried) {
      // pglite-sync keeps its subscription offsets in the `electric` schema: they described the
      // old tables, so they go too.
      await tx.exec('drop schema public cascade; create schema public; drop schema if exists electric cascade;');
    }
    await tx.exec(schema.sql);
    if (carried) await restoreCarried(tx, carried);
    await tx.query(
      `insert into local_meta.schema_version (version) values ($1) on conflict (only_one) do update set version = excluded.version`,
      [schema.version],
    );
    return carried ? 'rebuilt' : 'created';
  });
}

/**
 * Moves the tablet's own rows from another local database (an older version's, in another
 * storage) into `target`, which has the current schema and nothing of its own yet, in one
 * transaction of the target. Columns the current schema no longer has are dropped.
 */
export async function carryOver(source: PGliteInterface, target: PGliteInterface): Promise<void> {
  const carried = await source.transaction((tx) => readCarried(tx));
  await target.transaction((tx) => restoreCarried(tx, carried));
}

type Carried = Partial<Record<(typeof CARRIED_TABLES)[number], unknown[]>>;

async function readCarried(tx: Transaction | PGliteInterface): Promise<Carried> {
  const carried: Carried = {};
  for (const table of CARRIED_TABLES) {
    const exists = await tx.query(`select 1 from pg_tables where schemaname = 'public' and tablename = $1`, [table]);
    if (exists.rows.length === 0) continue;
    const { rows } = await tx.query<{ rows: unknown[] | null }>(`select json_agg(t) as rows from ${table} t`);
    carried[table] = rows[0]?.rows ?? [];
  }
  return carried;
}

async function restoreCarried(tx: Transaction, carried: Carried): Promise<void> {
  // The new schema made a fresh device id: keep the old one, the server knows this tablet by it.
  if (carried.device?.length) await tx.exec('delete from device');
  for (const table of CARRIED_TABLES) {
    const rows = carried[table];
    if (!rows?.length) continue;
    // Columns the new schema still has are carried; identity columns keep their values (the
    // outbox order is the order commands are sent in).
    await tx.query(
      `insert into ${table} overriding system value select * from json_populate_recordset(null::${table}, $1::json)`,
      [rows],
    );
  }
  // Identity sequences continue after the carried rows.
  for (const [table, column] of [['outbox', 'seq'], ['outbox_effects', 'id']] as const) {
    await tx.query(`select setval(pg_get_serial_sequence('${table}', '${column}'), greatest((select max(${column}) from ${table}), 1))`);
  }
}
