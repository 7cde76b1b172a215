import { SYNCED_TABLES, type SyncedTable } from '@cimco/contract';
import { SYNCED_COLUMNS, syncedTableName } from './synced-columns.ts';

/**
 * The overlay tables (`parts`, `tasks`, … one per synced table): what the screens read, the
 * synced rows with the pending outbox effects applied, plus `pending` (some pending command
 * touches the row). They are real tables kept up to date by triggers in the transaction that
 * changes their inputs, so a screen's query reads rows as they are instead of recomputing the
 * overlay (a view did that on every query: 0.2 s at 50,000 parts).
 *
 * A row of `<table>` is exactly:
 * - the synced row, `pending = false`, when no outbox effect names it;
 * - otherwise the synced row (or, for a row a pending command inserts, just its id) with the
 *   effects applied, `pending = true`; an effect on a row the tablet neither has nor inserts
 *   shows nothing.
 *
 * Two inputs change it:
 * - `<table>_synced` (pglite-sync): statement triggers with transition tables, so an initial
 *   sync of 50,000 rows (COPY or multi-row INSERT) costs one `insert … select`, not 50,000
 *   trigger calls; rows that pending effects touch are recomputed;
 * - `outbox_effects` (a command recorded, or its outbox entry deleted when it is settled or
 *   refused, the effects going by cascade): the (table, row) pairs it names are recomputed.
 */

/** The SQL that creates the overlay tables and the triggers that maintain them (after the synced tables and the outbox). */
export function overlayTablesSql(): string {
  return [PENDING_EFFECTS_SQL, ...SYNCED_TABLES.map(overlayTableSql), dispatchSql(), FOLLOW_EFFECTS_SQL].join('\n');
}

/**
 * The pending effects on some rows of a table: the columns set (the latest value of each wins), the
 * amounts added since each column was last set (stock quantities commute, so they are added to
 * whatever the server says), and whether a pending command inserts the row.
 */
const PENDING_EFFECTS_SQL = `
create function pending_effects_of(tbl text, ids uuid[])
returns table (row_id uuid, inserted boolean, sets jsonb, adds jsonb)
language sql stable as $$
  with effects as materialized (
    select e.row_id, e.seq, e.op, e.data from outbox_effects e where e.table_name = tbl and e.row_id = any(ids)
  ), flat as (
    select e.row_id, e.seq, e.op, kv.key, kv.value from effects e cross join lateral jsonb_each(e.data) as kv
  ), last_set as (
    select f.row_id, f.key, max(f.seq) as seq from flat f where f.op <> 'add' group by 1, 2
  ), added as (
    select f.row_id, f.key, sum((f.value #>> '{}')::numeric) as total
      from flat f left join last_set l on l.row_id = f.row_id and l.key = f.key
     where f.op = 'add' and (l.seq is null or f.seq > l.seq)
     group by 1, 2
  )
  select t.row_id, t.inserted,
         coalesce((select jsonb_object_agg(f.key, f.value order by f.seq) from flat f where f.row_id = t.row_id and f.op <> 'add'), '{}'),
         coalesce((select jsonb_object_agg(a.key, a.total) from added a where a.row_id = t.row_id), '{}')
    from (select e.row_id, bool_or(e.op = 'insert') as inserted from effects e group by 1) t
$$;

create function apply_pending(base jsonb, sets jsonb, adds jsonb) returns jsonb
language sql immutable as $$
  with merged as (select coalesce(base, '{}'::jsonb) || sets as row)
  select merged.row || coalesce(
    (select jsonb_object_agg(a.key, coalesce((merged.row ->> a.key)::numeric, 0) + (a.value #>> '{}')::numeric)
       from jsonb_each(adds) as a),
    '{}'::jsonb)
  from merged
$$;
`;

function overlayTableSql(table: SyncedTable): string {
  const synced = syncedTableName(table);
  const names = SYNCED_COLUMNS[table].map(([name]) => `"${name}"`);
  const columns = SYNCED_COLUMNS[table].map(([name, type]) => `"${name}" ${type}`).join(',\n  ');
  const list = (alias: string) => names.map((n) => `${alias}.${n}`).join(', ');
  const touched = (alias: string) => `exists (select 1 from outbox_effects e where e.table_name = '${table}' and e.row_id = ${alias}.id)`;
  return `
create table ${table} (
  ${columns},
  pending boolean not null,
  primary key (id)
);

-- Recomputes the overlay rows of these ids from the synced rows and the pending effects.
create function overlay_refresh_${table}(ids uuid[]) returns void
language sql as $$
  delete from ${table} where id = any(ids);
  insert into ${table} (${names.join(', ')}, pending)
  select ${list('s')}, false from ${synced} s
   where s.id = any(ids) and not ${touched('s')}
  union all
  select ${list('r')}, true
    from pending_effects_of('${table}', ids) p left join ${synced} s on s.id = p.row_id
   cross join lateral jsonb_populate_record(null::${synced}, apply_pending(coalesce(to_jsonb(s), jsonb_build_object('id', p.row_id)), p.sets, p.adds)) r
   where s.id is not null or p.inserted;
$$;

create function overlay_follow_${synced}() returns trigger
language plpgsql as $$
declare
  ids uuid[];
begin
  if TG_OP = 'INSERT' then
    -- A new synced row has no overlay row unless a pending command inserted it, which the
    -- recomputation below replaces.
    insert into ${table} (${names.join(', ')}, pending)
    select ${list('n')}, false from synced_new n where not ${touched('n')};
    ids := array(select n.id from synced_new n where ${touched('n')});
  elsif TG_OP = 'UPDATE' then
    ids := array(select o.id from synced_old o union select n.id from synced_new n);
  elsif TG_OP = 'DELETE' then
    ids := array(select o.id from synced_old o);
  else
    delete from ${table};
    ids := array(select distinct e.row_id from outbox_effects e where e.table_name = '${table}');
  end if;
  if cardinality(ids) > 0 then
    perform overlay_refresh_${table}(ids);
  end if;
  return null;
end;
$$;

create trigger overlay_follow after insert on ${synced}
  referencing new table as synced_new for each statement execute function overlay_follow_${synced}();
create trigger overlay_follow_update after update on ${synced}
  referencing old table as synced_old new table as synced_new for each statement execute function overlay_follow_${synced}();
create trigger overlay_follow_delete after delete on ${synced}
  referencing old table as synced_old for each statement execute function overlay_follow_${synced}();
create trigger overlay_follow_truncate after truncate on ${synced}
  for each statement execute function overlay_follow_${synced}();
`;
}

/**
 * Recomputes rows of any overlay table by name (an unknown name is an error, not a silent no-op),
 * and every pending row of every table (when the effects are truncated).
 */
function dispatchSql(): string {
  const cases = SYNCED_TABLES.map((table) => `    when '${table}' then perform overlay_refresh_${table}(ids);`).join('\n');
  const everyPending = SYNCED_TABLES.map((table) => `  perform overlay_refresh_${table}(array(select id from ${table} where pending));`).join('\n');
  return `
create function overlay_refresh(tbl text, ids uuid[]) returns void
language plpgsql as $$
begin
  case tbl
${cases}
  end case;
end;
$$;

create function overlay_refresh_pending() returns void
language plpgsql as $$
begin
${everyPending}
end;
$$;
`;
}

/**
 * Effects are inserted when a command is recorded and deleted (by cascade) when it is settled or
 * refused; only the rows they name are recomputed, and only their tables change (so only those
 * tables' readers are told).
 */
const FOLLOW_EFFECTS_SQL = `
create function overlay_follow_effects() returns trigger
language plpgsql as $$
begin
  if TG_OP = 'TRUNCATE' then
    perform overlay_refresh_pending();
  end if;
  if TG_OP in ('INSERT', 'UPDATE') then
    perform overlay_refresh(e.table_name, array_agg(distinct e.row_id)) from effects_new e group by e.table_name;
  end if;
  if TG_OP in ('DELETE', 'UPDATE') then
    perform overlay_refresh(e.table_name, array_agg(distinct e.row_id)) from effects_old e group by e.table_name;
  end if;
  return null;
end;
$$;

create trigger overlay_follow after insert on outbox_effects
  referencing new table as effects_new for each statement execute function overlay_follow_effects();
create trigger overlay_follow_update after update on outbox_effects
  referencing old table as effects_old new table as effects_new for each statement execute function overlay_follow_effects();
create trigger overlay_follow_delete after delete on outbox_effects
  referencing old table as effects_old for each statement execute function overlay_follow_effects();
create trigger overlay_follow_truncate after truncate on outbox_effects
  for each statement execute function overlay_follow_effects();
`;
