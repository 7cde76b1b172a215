-- Capture without a NOTIFY in every writing transaction (issue 15). PostgreSQL queues a
-- transaction's notifications at commit under one server-wide lock, so a NOTIFY in the capture
-- trigger made every writing transaction commit one after another. The publisher is now woken
-- after the commit instead (sync-server/src/shapes/feed-waker.ts): by the server process that
-- wrote — directly when it publishes, else by a NOTIFY of its own outside the writer's
-- transaction — and, for writes from anywhere else (psql, scripts), by its poll.
--
-- The TRUNCATE trigger keeps its NOTIFY: truncates are rare, and readers must meet them soon.

create or replace function capture_shape_change() returns trigger
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
  return null;
end;
$$;
