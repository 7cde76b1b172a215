-- Preventive maintenance (issue 14): per machine, a task that comes back every N days (calendar)
-- or every N hours/km/cycles of its meter. The server makes the next task when one is due —
-- exactly once, with any number of server processes and after downtime:
--
-- * by meter: in the transaction of the log entry whose reading moves the machine's meter past
--   `next_due_meter`, which locks the schedule row (a second entry, on another process, waits and
--   then finds it no longer due);
-- * by calendar: a job on every server process takes due rows `for update skip locked` and moves
--   `next_due_on` past today in the same transaction (a yard whose server was down for three
--   intervals gets one task, not three).
--
-- Synced to every role: due and overdue PM shows on the tablet offline.

create table pm_schedules (
  id               uuid primary key,
  site_id          uuid not null references sites(id),
  equipment_id     uuid not null references equipment(id),
  title            text not null check (char_length(title) between 1 and 200),
  category         text not null default 'general' check (category in ('general', 'hydraulics',
                     'electrical', 'safety', 'shredder', 'mobile_equipment', 'conveyor',
                     'lubrication', 'structural')),
  priority         smallint not null default 2 check (priority between 1 and 4),
  checklist        text check (char_length(checklist) <= 4000),
  every_days       integer check (every_days between 1 and 3650),
  every_meter      numeric(12,1) check (every_meter > 0),
  next_due_on      date,
  next_due_meter   numeric(12,1),
  -- The task made last, and when.
  last_task_id     uuid references tasks(id),
  last_made_at     timestamptz,
  deleted_at       timestamptz,
  created_by       uuid references users(id),
  created_at       timestamptz not null default now(),
  updated_at       timestamptz not null default now(),
  updated_by       uuid references users(id),
  version          integer not null default 1,
  check ((every_days is null) <> (every_meter is null)),
  check ((every_days is null) = (next_due_on is null)),
  check ((every_meter is null) = (next_due_meter is null))
);
create index pm_schedules_site_idx on pm_schedules (site_id);
create index pm_schedules_meter_due_idx on pm_schedules (equipment_id, next_due_meter) where every_meter is not null and deleted_at is null;
create index pm_schedules_calendar_due_idx on pm_schedules (next_due_on) where every_days is not null and deleted_at is null;

create trigger pm_schedules_touch before update on pm_schedules
  for each row execute function touch_row();
create trigger pm_schedules_capture after insert or update or delete on pm_schedules
  for each row execute function capture_shape_change();
create trigger pm_schedules_truncate after truncate on pm_schedules
  for each statement execute function retire_shape_handles_on_truncate();
