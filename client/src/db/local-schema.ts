import type { PGliteInterface } from '@electric-sql/pglite';
import { SYNCED_TABLES } from '@cimco/contract';
import { overlayTablesSql } from './overlay-tables.ts';
import { SYNCED_COLUMNS, syncedTableName } from './synced-columns.ts';

/**
 * The tablet's own database (DESIGN.md §5):
 *
 * - `<table>_synced`: the server's rows, written only by pglite-sync;
 * - `outbox`: commands recorded on this tablet and not yet settled, in the order they were made,
 *   with `outbox_effects`, what each is expected to do to which row;
 * - `<table>` (an overlay table, overlay-tables.ts): the synced rows with the pending effects
 *   applied, kept up to date by triggers — what the screens read, so a change shows at once and
 *   disappears into the real row when the server's answer arrives;
 * - `needs_attention`: commands the server refused, with its reason and what the user entered;
 * - `device`, `session`, `sync_state`: this tablet's id, who is signed in, and how sync is going.
 *
 * Every table tells a change on TABLE_CHANGED_CHANNEL, so live queries re-run only when a table
 * they read changed.
 *
 * A command is settled by its `mutation_results` row arriving through the shape: pglite-sync writes
 * it in the same local transaction as the data the command changed (they share a server
 * transaction), and the trigger below removes the outbox entry right there. The screen never sees
 * the new row and the old pending effect together, so nothing is counted twice.
 */

/**
 * The local schema has one version number. A tablet holding another version rebuilds its database
 * (see prepare-database.ts): the commands not yet settled, the refused ones, the device id and the
 * session are carried over; synced data is fetched again. Bump the version with any change here
 * (or in overlay-tables.ts).
 */
export const LOCAL_SCHEMA_VERSION = 8;

function syncedTablesSql(): string {
  return SYNCED_TABLES.map((table) => {
    const columns = SYNCED_COLUMNS[table].map(([name, type]) => `"${name}" ${type}`).join(',\n  ');
    return `create table ${syncedTableName(table)} (\n  ${columns},\n  primary key (id)\n);`;
  }).join('\n');
}

const OUTBOX_SQL = `
create table device (
  id         uuid primary key,
  -- Proves to the server that this is the tablet registered under \`id\` (made on first sign-in by
  -- session/local-session.ts; null in a database carried over from before secrets).
  secret     text,
  only_one   boolean not null default true unique check (only_one),
  created_at timestamptz not null default now()
);
insert into device (id) values (gen_random_uuid());

-- Who is signed in on this tablet. Kept across reloads and offline; \`expired\` means the server
-- refused to renew it, and queued commands wait until the person signs in again.
create table session (
  only_one                 boolean primary key default true check (only_one),
  user_id                  uuid not null,
  site_id                  uuid not null,
  username                 text not null,
  display_name             text not null,
  role                     text not null,
  locale                   text not null,
  access_token             text not null,
  access_token_expires_at  timestamptz not null,
  refresh_token            text not null,
  refresh_token_expires_at timestamptz not null,
  expired                  boolean not null default false,
  signed_in_at             timestamptz not null default now()
);

-- Written by the leader tab's sync and uploader, read by the sync bar.
create table sync_state (
  only_one        boolean primary key default true check (only_one),
  -- Whose data the synced tables hold (user id and role): another person's sign-in starts anew.
  synced_for      text,
  online          boolean,
  last_sync_at    timestamptz,
  last_upload_at  timestamptz,
  initial_sync_done boolean not null default false,
  -- While the first copy of the yard loads (leader/first-copy.ts): its progress, FirstCopyProgress.
  first_copy      jsonb,
  last_error      text
);
insert into sync_state default values;

create table outbox (
  seq         bigint generated always as identity primary key,
  mutation_id uuid not null unique,
  name        text not null,
  args        jsonb not null,
  user_id     uuid not null,
  client_time timestamptz not null,
  -- queued: not yet accepted by the server; sent: the server has it, its result is on the way.
  state       text not null default 'queued' check (state in ('queued', 'sent')),
  attempts    integer not null default 0,
  last_error  text,
  created_at  timestamptz not null default now()
);
create index outbox_user_state_idx on outbox (user_id, state, seq);

-- What a pending command is expected to do: insert a row, set columns, or add to a number
-- (stock quantities commute, so the pending amounts are added to whatever the server says).
create table outbox_effects (
  id          bigint generated always as identity primary key,
  mutation_id uuid not null references outbox (mutation_id) on delete cascade,
  seq         bigint not null,
  table_name  text not null,
  row_id      uuid not null,
  op          text not null check (op in ('insert', 'set', 'add')),
  data        jsonb not null
);
create index outbox_effects_row_idx on outbox_effects (table_name, row_id);
create index outbox_effects_mutation_idx on outbox_effects (mutation_id);

create table needs_attention (
  mutation_id uuid primary key,
  name        text not null,
  args        jsonb not null,
  user_id     uuid not null,
  client_time timestamptz not null,
  code        text,
  message     text,
  details     jsonb,
  refused_at  timestamptz not null default now()
);

-- A refused command leaves the queue for the Needs attention list, with what the user entered.
create function refuse_outbox_entry(id uuid, code text, message text, details jsonb) returns void
language plpgsql as $$
begin
  insert into needs_attention (mutation_id, name, args, user_id, client_time, code, message, details)
  select o.mutation_id, o.name, o.args, o.user_id, o.client_time, code, message, details
    from outbox o where o.mutation_id = id
  on conflict (mutation_id) do nothing;
  delete from outbox where mutation_id = id;
end;
$$;

-- The server's answers to commands arrived with the data they changed: settle the commands. Once
-- per statement, not per row: a queue of 1,000 commands comes back in a few statements, and its
-- applied commands leave the outbox in one delete (one recomputation of the rows they touched,
-- instead of one per command: 8 s of the flush of 1,000 commands at 50,000 parts).
create function settle_outbox_entries() returns trigger
language plpgsql as $$
begin
  perform refuse_outbox_entry(r.id, r.code, r.message, r.details) from results_new r where r.status = 'rejected';
  delete from outbox o using results_new r where o.mutation_id = r.id and r.status is distinct from 'rejected';
  return null;
end;
$$;
`;

/**
 * Every table of the local database (synced, overlay, outbox, …) notifies this channel with its
 * name after each statement that changes it. Postgres delivers one notification per distinct
 * name per transaction, at commit, so a live query re-runs once per transaction that changed a
 * table it reads.
 */
export const TABLE_CHANGED_CHANNEL = 'cimco_table_changed';

const TABLE_CHANGED_SQL = `
create function notify_table_changed() returns trigger
language plpgsql as $$
begin
  perform pg_notify('${TABLE_CHANGED_CHANNEL}', TG_TABLE_NAME);
  return null;
end;
$$;

do $$
declare
  t text;
begin
  for t in select tablename from pg_tables where schemaname = 'public' loop
    execute format('create trigger table_changed after insert or update or delete or truncate on %I
                    for each statement execute function notify_table_changed()', t);
  end loop;
end;
$$;
`;

/**
 * The parts list's search text (part number, name and manufacturer, lower-cased; with a trigram
 * index, SCREEN_INDEXES_SQL, a search word is an index lookup: screens/parts/parts-query.ts).
 */
const PARTS_SEARCH_SQL = `
-- Null exactly for a deleted part, and the list tests \`search is not null\` rather than
-- \`deleted_at is null\`: without statistics (nothing here runs ANALYZE) the planner guesses a
-- column null for 0.5 % of rows, so it took nearly every part for deleted and read them all
-- through a partial index; "not null" it guesses right.
alter table parts add column search text generated always as
  (case when deleted_at is null then lower(coalesce(part_number, '') || ' ' || coalesce(name, '') || ' ' || coalesce(manufacturer, '')) end) stored;
-- No statistics either if ANALYZE runs one day: the planner then judges a LIKE pattern by its
-- length, which keeps it on the trigram index (a histogram of 100 search texts made it estimate
-- a quarter of the parts for "filter" and read them all, 20 times slower).
alter table parts alter column search set statistics 0;
`;

/**
 * The indexes of the screens' searches, sorts and filters. An initial sync drops them and builds
 * them again once every row is in (leader/shape-sync.ts): kept up row by row, they made loading
 * 50,000 parts 2.5 times slower than loading the rows and building them after. So this SQL can
 * run again at any time and changes nothing when they are there.
 */
export const SCREEN_INDEXES_SQL = `
create index if not exists parts_search_idx on parts using gin (search gin_trgm_ops);
-- A GIN index gathers new entries in a pending list that every search reads through, merged when
-- it reaches 4 MB (3,000 parts: 50 ms a search) or by a vacuum, which nothing here runs. Merged
-- after each statement instead: about a millisecond after a single row.
create or replace function parts_search_merge() returns trigger
language plpgsql as $$
begin
  perform gin_clean_pending_list('parts_search_idx');
  return null;
end;
$$;
create or replace trigger parts_search_merge after insert or update on parts for each statement execute function parts_search_merge();
create index if not exists parts_number_idx on parts (upper(part_number), id) where search is not null;
create index if not exists parts_name_idx on parts (lower(name), upper(part_number), id) where search is not null;
-- The category and bin pickers list their distinct values by a loose scan of these.
create index if not exists parts_category_idx on parts (category) where deleted_at is null;
create index if not exists parts_location_idx on parts (location) where deleted_at is null;
create index if not exists tasks_status_idx on tasks (status, priority);
create index if not exists stock_movements_part_idx on stock_movements (part_id, created_at);
-- Past fixes like what is being typed (screens/knowledge/knowledge-query.ts): the fixes with a typed
-- word in their text (by regex) or misspelt in their problem (by \`<%\`). fastupdate off: fixes
-- arriving one by one went to the pending list, which every search reads through (2,000 fixes:
-- 4.7 MB), and the planner rightly scanned the table instead; a fix is a few milliseconds more to
-- write, and rarely written.
-- (Named knowledge_doc_idx before it had the second column and fastupdate off: a tablet with the
-- old one drops it when it makes this one.)
drop index if exists knowledge_doc_idx;
create index if not exists knowledge_text_idx on knowledge
  using gin (lower(problem || ' ' || coalesce(cause, '') || ' ' || coalesce(fix_steps, '')) gin_trgm_ops, lower(problem) gin_trgm_ops)
  with (fastupdate = off);
`;

/** The indexes SCREEN_INDEXES_SQL makes, by name. */
export const SCREEN_INDEX_NAMES = [
  'knowledge_text_idx', 'parts_category_idx', 'parts_location_idx', 'parts_name_idx', 'parts_number_idx', 'parts_search_idx',
  'stock_movements_part_idx', 'tasks_status_idx',
] as const;

/**
 * Builds the screens' indexes unless they are all there: a look at the catalog, where running
 * SCREEN_INDEXES_SQL again would rewrite its function and trigger (the sync starts again after
 * every upload).
 */
export async function ensureScreenIndexes(pg: Pick<PGliteInterface, 'query' | 'exec'>): Promise<void> {
  const { rows } = await pg.query<{ n: number }>(
    `select count(*)::int as n from pg_indexes where schemaname = 'public' and indexname = any($1)`,
    [SCREEN_INDEX_NAMES],
  );
  if ((rows[0]?.n ?? 0) < SCREEN_INDEX_NAMES.length) await pg.exec(SCREEN_INDEXES_SQL);
}

/** Drops what SCREEN_INDEXES_SQL makes (before an initial sync). */
export const DROP_SCREEN_INDEXES_SQL = `
drop trigger if exists parts_search_merge on parts;
drop index if exists parts_search_idx, parts_number_idx, parts_name_idx, parts_category_idx, parts_location_idx,
  tasks_status_idx, stock_movements_part_idx, knowledge_text_idx;
`;

/** The whole local schema, for a new (or rebuilt) database. */
export function localSchemaSql(): string {
  return [
    // Trigram indexes for search (the extension comes with PGlite: db/extensions.ts).
    'create extension if not exists pg_trgm;',
    syncedTablesSql(),
    OUTBOX_SQL,
    `create trigger mutation_results_settle after insert on mutation_results_synced
       referencing new table as results_new for each statement execute function settle_outbox_entries();
     create trigger mutation_results_settle_update after update on mutation_results_synced
       referencing new table as results_new for each statement execute function settle_outbox_entries();`,
    overlayTablesSql(),
    PARTS_SEARCH_SQL,
    SCREEN_INDEXES_SQL,
    // Last, so that it covers every table.
    TABLE_CHANGED_SQL,
  ].join('\n');
}
