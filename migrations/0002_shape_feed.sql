-- The change feed behind GET /v1/shape (DESIGN.md §3, sync-server/src/shapes/SPEC.md).
--
-- 1. Capture: a row trigger on every synced table writes each insert/update/delete, with the old
--    and new row as jsonb, into shape_changes, tagged with the writing transaction's xid. The rows
--    of a transaction that rolls back vanish with it.
-- 2. Publish: one publisher (the server process holding an advisory lock) repeatedly takes the
--    committed, unpublished transactions and gives each the next tx_offset, in commit order. That
--    number is the protocol's lsn: it only grows, and is given when a transaction is already
--    committed, never from a sequence read inside the writing transaction.
-- 3. Shapes: each distinct shape definition has a handle; TRUNCATE of a synced table retires its
--    handles and writes a 'T' marker into the feed (clients get 409 and start over).

create table shape_changes (
  seq      bigint generated always as identity primary key,
  xid      xid8 not null default pg_current_xact_id(),
  relation text not null,
  -- 'T': a TRUNCATE of the relation (no rows): in the feed, in commit order, so every stream of the
  -- table meets it at the right place and answers 409 (SPEC.md F8).
  op       "char" not null check (op in ('I', 'U', 'D', 'T')),
  old_row  jsonb,
  new_row  jsonb,
  captured_at timestamptz not null default now()
);
create index shape_changes_xid_idx on shape_changes (xid);

-- The published feed: one row per committed transaction that changed a synced table.
create table shape_transactions (
  tx_offset    bigint primary key,
  xid          xid8 not null unique,
  published_at timestamptz not null default now()
);

create table shape_feed_state (
  singleton      boolean primary key default true check (singleton),
  -- The newest tx_offset given out.
  last_tx_offset bigint not null default 0,
  -- Every transaction with an xid below this had finished when the publisher last looked, so all
  -- of them that changed something are published: later rounds only look at xids from here on.
  xmin_horizon   xid8 not null default pg_snapshot_xmin(pg_current_snapshot()),
  -- Changes up to this tx_offset were removed by compaction; older offsets answer 409.
  compacted_through bigint not null default 0
);
insert into shape_feed_state default values;

create table shape_handles (
  handle          text primary key,
  -- Canonical JSON of the definition (table, where, params, columns, replica, log) and a digest
  -- of it: identical definitions share the newest live handle.
  definition_key  text not null,
  definition      jsonb not null,
  relation        text not null,
  -- The table's columns and types when the handle was made; a different schema retires it.
  schema_fingerprint text not null,
  created_at      timestamptz not null default now(),
  retired_at      timestamptz,
  retired_reason  text check (retired_reason in ('truncate', 'schema_change'))
);
create index shape_handles_live_definition_key on shape_handles (definition_key, created_at desc) where retired_at is null;
create index shape_handles_relation_idx on shape_handles (relation) where retired_at is null;

create function capture_shape_change() returns trigger
language plpgsql as $$
declare
  -- Columns never copied into the change log (trigger arguments), e.g. users.password_hash.
  hidden text[] := coalesce(tg_argv, '{}');
begin
  insert into shape_changes (relation, op, old_row, new_row)
  values (
    tg_table_name,
    left(tg_op, 1),
    case when tg_op <> 'INSERT' then to_jsonb(old) - hidden end,
    case when tg_op <> 'DELETE' then to_jsonb(new) - hidden end
  );
  -- Delivered once per transaction, at commit: wakes the publisher.
  perform pg_notify('shape_changes', '');
  return null;
end;
$$;

create function retire_shape_handles_on_truncate() returns trigger
language plpgsql as $$
begin
  update shape_handles set retired_at = now(), retired_reason = 'truncate'
   where relation = tg_table_name and retired_at is null;
  -- Retiring is not enough on its own: a server may still trust a handle it looked up a moment
  -- ago, and a long-poll already waiting on it would answer with the rows inserted after the
  -- TRUNCATE. The marker puts the TRUNCATE in the feed, where every reader of the table meets it.
  insert into shape_changes (relation, op) values (tg_table_name, 'T');
  perform pg_notify('shape_changes', '');
  return null;
end;
$$;

do $$
declare t text;
begin
  foreach t in array array['sites', 'users', 'equipment', 'tasks', 'logs', 'parts',
    'stock_movements', 'incoming_orders', 'knowledge', 'knowledge_votes', 'mutation_results',
    'conflicts', 'audit_log']
  loop
    execute format(
      'create trigger %I after insert or update or delete on %I for each row execute function capture_shape_change(%s)',
      t || '_capture', t, case when t = 'users' then quote_literal('password_hash') else '' end);
    execute format(
      'create trigger %I after truncate on %I for each statement execute function retire_shape_handles_on_truncate()',
      t || '_truncate', t);
  end loop;
end;
$$;
