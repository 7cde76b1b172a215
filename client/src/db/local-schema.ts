import { SYNCED_TABLES, type SyncedTable } from '@cimco/contract';
import { SYNCED_COLUMNS } from './synced-columns.ts';

/**
 * The tablet's own database (DESIGN.md §5):
 *
 * - `<table>_synced`: the server's rows, written only by pglite-sync;
 * - `outbox`: commands recorded on this tablet and not yet settled, in the order they were made,
 *   with `outbox_effects`, what each is expected to do to which row;
 * - `<table>` (a view): the synced rows with the pending effects applied — what the screens read,
 *   so a change shows at once and disappears into the real row when the server's answer arrives;
 * - `needs_attention`: commands the server refused, with its reason and what the user entered;
 * - `device`, `session`, `sync_state`: this tablet's id, who is signed in, and how sync is going.
 *
 * A command is settled by its `mutation_results` row arriving through the shape: pglite-sync writes
 * it in the same local transaction as the data the command changed (they share a server
 * transaction), and the trigger below removes the outbox entry right there. The screen never sees
 * the new row and the old pending effect together, so nothing is counted twice.
 */

/**
 * The local schema has one version number. A tablet holding another version rebuilds its database
 * (see prepare-database.ts): the commands not yet settled, the refused ones, the device id and the
 * session are carried over; synced data is fetched again. Bump the version with any change here.
 */
export const LOCAL_SCHEMA_VERSION = 3;

export function syncedTableName(table: SyncedTable): string {
  return `${table}_synced`;
}

function syncedTablesSql(): string {
  return SYNCED_TABLES.map((table) => {
    const columns = SYNCED_COLUMNS[table].map(([name, type]) => `"${name}" ${type}`).join(',\n  ');
    return `create table ${syncedTableName(table)} (\n  ${columns},\n  primary key (id)\n);`;
  }).join('\n');
}

/**
 * The view a screen reads for a table: synced rows that no pending command touches, as they are,
 * and the others (plus rows created on this tablet and not yet synced) with the pending effects
 * applied, flagged `pending`.
 */
function overlayViewSql(table: SyncedTable): string {
  const synced = syncedTableName(table);
  return `create view ${table} as
  select s.*, false as pending from ${synced} s
   where not exists (select 1 from outbox_effects e where e.table_name = '${table}' and e.row_id = s.id)
  union all
  select r.*, true as pending
    from pending_effects p left join ${synced} s on s.id = p.row_id
   cross join lateral jsonb_populate_record(null::${synced}, apply_pending(coalesce(to_jsonb(s), jsonb_build_object('id', p.row_id)), p.sets, p.adds)) r
   where p.table_name = '${table}' and (s.id is not null or p.inserted);`;
}

const OUTBOX_SQL = `
create table device (
  id         uuid primary key,
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

-- The pending effects per row: the columns set (the latest value of each wins) and the amounts
-- added since each column was last set.
create view pending_effects as
with flat as (
  select e.table_name, e.row_id, e.seq, e.op, kv.key, kv.value
    from outbox_effects e cross join lateral jsonb_each(e.data) as kv
), last_set as (
  select table_name, row_id, key, max(seq) as seq from flat where op <> 'add' group by 1, 2, 3
), added as (
  select f.table_name, f.row_id, f.key, sum((f.value #>> '{}')::numeric) as total
    from flat f left join last_set l on l.table_name = f.table_name and l.row_id = f.row_id and l.key = f.key
   where f.op = 'add' and (l.seq is null or f.seq > l.seq)
   group by 1, 2, 3
), adds as (
  select table_name, row_id, jsonb_object_agg(key, total) as adds from added group by 1, 2
), sets as (
  select table_name, row_id, jsonb_object_agg(key, value order by seq) as sets from flat where op <> 'add' group by 1, 2
), touched as (
  select table_name, row_id, bool_or(op = 'insert') as inserted from outbox_effects group by 1, 2
)
select t.table_name, t.row_id, t.inserted, coalesce(s.sets, '{}') as sets, coalesce(a.adds, '{}') as adds
  from touched t
  left join sets s on s.table_name = t.table_name and s.row_id = t.row_id
  left join adds a on a.table_name = t.table_name and a.row_id = t.row_id;

create function apply_pending(base jsonb, sets jsonb, adds jsonb) returns jsonb
language sql immutable as $$
  with merged as (select coalesce(base, '{}'::jsonb) || sets as row)
  select merged.row || coalesce(
    (select jsonb_object_agg(a.key, coalesce((merged.row ->> a.key)::numeric, 0) + (a.value #>> '{}')::numeric)
       from jsonb_each(adds) as a),
    '{}'::jsonb)
  from merged
$$;

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

-- The server's answer to a command arrived with the data it changed: settle the command.
create function settle_outbox_entry() returns trigger
language plpgsql as $$
begin
  if new.status = 'rejected' then
    perform refuse_outbox_entry(new.id, new.code, new.message, new.details);
  else
    delete from outbox where mutation_id = new.id;
  end if;
  return null;
end;
$$;
`;

/** Live queries re-run when a table they read is named on this channel (db/live-engine.ts). */
export const TABLE_CHANGED_CHANNEL = 'cimco_table_changed';

/** Every table notifies its name once per transaction that changed it. */
const TABLE_CHANGED_SQL = `
create function notify_table_changed() returns trigger language plpgsql as $$
begin
  perform pg_notify('${TABLE_CHANGED_CHANNEL}', TG_TABLE_NAME);
  return null;
end;
$$;
do $$
declare t text;
begin
  for t in select tablename from pg_tables where schemaname = 'public' loop
    execute format('create trigger %I after insert or update or delete or truncate on %I
      for each statement execute function notify_table_changed()', t || '_changed', t);
  end loop;
end;
$$;`;

/** The whole local schema, for a new (or rebuilt) database. */
export function localSchemaSql(): string {
  return [
    syncedTablesSql(),
    OUTBOX_SQL,
    `create trigger mutation_results_settle after insert or update on mutation_results_synced
       for each row execute function settle_outbox_entry();`,
    // Indexes for the screens' searches and filters over thousands of parts.
    `create index parts_synced_number_idx on parts_synced (upper(part_number));
     create index parts_synced_name_idx on parts_synced (name);
     -- The category and bin pickers list their distinct values by a loose scan of these.
     create index parts_synced_category_idx on parts_synced (category) where deleted_at is null;
     create index parts_synced_location_idx on parts_synced (location) where deleted_at is null;
     create index tasks_synced_status_idx on tasks_synced (status, priority);
     create index stock_movements_synced_part_idx on stock_movements_synced (part_id, created_at);`,
    ...SYNCED_TABLES.map(overlayViewSql),
    TABLE_CHANGED_SQL,
  ].join('\n');
}
