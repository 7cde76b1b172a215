-- Security and sessions (issue 12).
--
-- 1. A tablet proves it is the tablet that registered its id: a secret it made at its first start,
--    stored here only as a SHA-256 digest (it is 256 random bits: a slow hash would add nothing).
--    Null for tablets registered before secrets existed, until their first renewal claims one.
alter table devices add column secret_hash bytea;

-- 2. Every request is authorised against the account and the tablet from an in-process cache
--    (sync-server/src/auth/access.ts). A change that matters to it is announced at commit, so
--    every server process forgets its copy at once and ends long-polls that lost their right.
create function notify_user_access_change() returns trigger
language plpgsql as $$
begin
  if tg_op = 'UPDATE' and (old.active, old.role, old.site_id) is not distinct from (new.active, new.role, new.site_id) then
    return null;
  end if;
  perform pg_notify('access_changes', 'users:' || coalesce(new.id, old.id)::text);
  return null;
end;
$$;

create function notify_device_access_change() returns trigger
language plpgsql as $$
begin
  -- A sign-in touches last_seen_at and user_id: not a change of who may do what.
  if tg_op = 'UPDATE' and (old.revoked_at, old.site_id, old.secret_hash) is not distinct from (new.revoked_at, new.site_id, new.secret_hash) then
    return null;
  end if;
  perform pg_notify('access_changes', 'devices:' || coalesce(new.id, old.id)::text);
  return null;
end;
$$;

create trigger users_access_change after update or delete on users
  for each row execute function notify_user_access_change();
create trigger devices_access_change after update or delete on devices
  for each row execute function notify_device_access_change();
