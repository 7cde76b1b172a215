-- A machine's status history (issue 13): every change of equipment.status, who made it and when,
-- written by the equipment.create / setStatus / retire handlers in the transaction that changes
-- the status. The machine page's timeline, downtime, MTBF and MTTR are computed from it on the
-- tablet, so it is synced like the other tables (every role of the yard reads it).
--
-- The id is the mutation id of the command that made the change (one command, at most one
-- change), so the tablet's expected row and the server's row are the same row.

create table equipment_status_changes (
  id               uuid primary key,
  site_id          uuid not null references sites(id),
  equipment_id     uuid not null references equipment(id),
  status           text not null check (status in ('running', 'maintenance', 'down', 'retired')),
  -- Null for a machine's first status (its creation).
  previous_status  text check (previous_status in ('running', 'maintenance', 'down', 'retired')),
  changed_at       timestamptz not null default now(),
  changed_by       uuid references users(id),
  note             text check (char_length(note) <= 1000),
  created_at       timestamptz not null default now(),
  updated_at       timestamptz not null default now(),
  updated_by       uuid references users(id),
  version          integer not null default 1
);
create index equipment_status_changes_equipment_idx on equipment_status_changes (equipment_id, changed_at desc);
create index equipment_status_changes_site_idx on equipment_status_changes (site_id, changed_at desc);

create trigger equipment_status_changes_touch before update on equipment_status_changes
  for each row execute function touch_row();
create trigger equipment_status_changes_capture after insert or update or delete on equipment_status_changes
  for each row execute function capture_shape_change();
create trigger equipment_status_changes_truncate after truncate on equipment_status_changes
  for each statement execute function retire_shape_handles_on_truncate();

-- Machines that exist already start their history with the status they have now, since when it
-- has been so (the ids are made here: no command made them).
insert into equipment_status_changes (id, site_id, equipment_id, status, previous_status, changed_at, changed_by)
select gen_random_uuid(), site_id, id, status, null, status_changed_at, updated_by from equipment;
