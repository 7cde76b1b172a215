-- CIMCO Yard central schema (DESIGN.md §2).
--
-- Conventions:
-- * Primary keys are UUIDs made on the device (v7), so rows created offline never collide. The
--   server makes its own rows' ids the same way; no column defaults to a generated id.
-- * Synced rows carry site_id, created_at, updated_at, updated_by and a version that the
--   touch_row() trigger bumps on every update, whoever makes it.
-- * Every enumerated or bounded column has a CHECK; the enumerations equal contract/src/domain.ts
--   (a test compares them).
-- * Texts are bounded so one bad client cannot store megabytes in a name.

create function touch_row() returns trigger
language plpgsql as $$
begin
  new.version := old.version + 1;
  new.updated_at := now();
  return new;
end;
$$;

create table sites (
  id          uuid primary key,
  code        text not null unique check (code ~ '^[a-z0-9][a-z0-9-]{0,31}$'),
  name        text not null check (char_length(name) between 1 and 120),
  timezone    text not null default 'UTC' check (char_length(timezone) between 1 and 64),
  is_demo     boolean not null default false,
  created_at  timestamptz not null default now(),
  updated_at  timestamptz not null default now(),
  updated_by  uuid,
  version     integer not null default 1
);

create table users (
  id            uuid primary key,
  site_id       uuid not null references sites(id),
  username      text not null check (username = lower(username) and char_length(username) between 1 and 64),
  display_name  text not null check (char_length(display_name) between 1 and 120),
  role          text not null check (role in ('technician', 'storeroom', 'supervisor', 'admin')),
  locale        text not null default 'en' check (locale in ('en', 'es')),
  password_hash text not null,
  active        boolean not null default true,
  created_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now(),
  updated_by    uuid references users(id),
  version       integer not null default 1
);
-- Usernames are unique across the whole server: login does not ask for a site.
create unique index users_username_key on users (username);
create index users_site_idx on users (site_id);
alter table sites add foreign key (updated_by) references users(id);

create table devices (
  id            uuid primary key,
  site_id       uuid not null references sites(id),
  user_id       uuid references users(id),
  name          text check (char_length(name) <= 100),
  user_agent    text check (char_length(user_agent) <= 500),
  registered_at timestamptz not null default now(),
  last_seen_at  timestamptz not null default now(),
  revoked_at    timestamptz,
  revoked_by    uuid references users(id)
);
create index devices_site_idx on devices (site_id);

-- Opaque refresh tokens, stored only as SHA-256 digests. Each login starts a family; each refresh
-- uses one token (used_at) and issues its successor in the same family. Presenting a used token
-- again means it was stolen or replayed: the whole family is revoked.
create table refresh_tokens (
  id             uuid primary key,
  family_id      uuid not null,
  user_id        uuid not null references users(id) on delete cascade,
  device_id      uuid references devices(id),
  token_hash     bytea not null unique,
  created_at     timestamptz not null default now(),
  expires_at     timestamptz not null,
  used_at        timestamptz,
  revoked_at     timestamptz,
  revoked_reason text check (revoked_reason in ('logout', 'reuse', 'admin', 'device_revoked'))
);
create index refresh_tokens_family_idx on refresh_tokens (family_id);
create index refresh_tokens_user_idx on refresh_tokens (user_id);

create table equipment (
  id               uuid primary key,
  site_id          uuid not null references sites(id),
  tag              text not null check (tag ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$'),
  name             text not null check (char_length(name) between 1 and 200),
  type             text not null check (type in ('shredder', 'motor', 'rotor', 'conveyor', 'baler',
                     'shear', 'crane', 'loader', 'excavator', 'truck', 'pump', 'hydraulic_unit',
                     'scale', 'magnet', 'separator', 'compressor', 'generator', 'other')),
  area             text check (char_length(area) <= 100),
  make             text check (char_length(make) <= 100),
  model            text check (char_length(model) <= 100),
  serial           text check (char_length(serial) <= 100),
  parent_id        uuid references equipment(id),
  status           text not null default 'running'
                     check (status in ('running', 'maintenance', 'down', 'retired')),
  status_changed_at timestamptz not null default now(),
  criticality      smallint not null default 2 check (criticality between 1 and 4),
  meter            numeric(12, 1) check (meter >= 0),
  meter_unit       text not null default 'hours' check (meter_unit in ('hours', 'miles', 'km')),
  notes            text check (char_length(notes) <= 4000),
  created_at       timestamptz not null default now(),
  updated_at       timestamptz not null default now(),
  updated_by       uuid references users(id),
  version          integer not null default 1,
  check (parent_id is null or parent_id <> id)
);
create unique index equipment_site_tag_key on equipment (site_id, upper(tag));
create index equipment_site_status_idx on equipment (site_id, status);
create index equipment_site_area_idx on equipment (site_id, area);
create index equipment_parent_idx on equipment (parent_id);

create table tasks (
  id                 uuid primary key,
  site_id            uuid not null references sites(id),
  equipment_id       uuid references equipment(id),
  title              text not null check (char_length(title) between 1 and 200),
  description        text check (char_length(description) <= 4000),
  priority           smallint not null default 2 check (priority between 1 and 4),
  category           text not null default 'general' check (category in ('general', 'hydraulics',
                       'electrical', 'safety', 'shredder', 'mobile_equipment', 'conveyor',
                       'lubrication', 'structural')),
  status             text not null default 'open'
                       check (status in ('open', 'in_progress', 'on_hold', 'done', 'cancelled')),
  assignee_id        uuid references users(id),
  due_date           date,
  loto_confirmed     boolean not null default false,
  loto_confirmed_at  timestamptz,
  loto_confirmed_by  uuid references users(id),
  resolution         text check (char_length(resolution) <= 4000),
  completed_at       timestamptz,
  completed_by       uuid references users(id),
  cancelled_reason   text check (char_length(cancelled_reason) <= 1000),
  created_by         uuid references users(id),
  created_at         timestamptz not null default now(),
  updated_at         timestamptz not null default now(),
  updated_by         uuid references users(id),
  version            integer not null default 1,
  check ((status = 'done') = (completed_at is not null)),
  check (not loto_confirmed or loto_confirmed_at is not null)
);
create index tasks_site_status_priority_idx on tasks (site_id, status, priority desc);
create index tasks_site_due_idx on tasks (site_id, due_date) where status in ('open', 'in_progress', 'on_hold');
create index tasks_equipment_idx on tasks (equipment_id);
create index tasks_assignee_idx on tasks (assignee_id);

create table logs (
  id                uuid primary key,
  site_id           uuid not null references sites(id),
  equipment_id      uuid not null references equipment(id),
  task_id           uuid references tasks(id),
  kind              text not null check (kind in ('repair', 'inspection', 'preventive', 'note', 'meter_reading')),
  body              text not null default '' check (char_length(body) <= 8000),
  author_id         uuid references users(id),
  hours_spent       numeric(5, 2) check (hours_spent >= 0 and hours_spent <= 168),
  meter_reading     numeric(12, 1) check (meter_reading >= 0),
  loto_confirmed    boolean not null default false,
  client_created_at timestamptz,
  deleted_at        timestamptz,
  created_at        timestamptz not null default now(),
  updated_at        timestamptz not null default now(),
  updated_by        uuid references users(id),
  version           integer not null default 1,
  -- Repair work on a machine is only logged with lock-out/tag-out confirmed.
  check (kind <> 'repair' or loto_confirmed),
  check (kind <> 'meter_reading' or meter_reading is not null)
);
create index logs_equipment_created_idx on logs (equipment_id, created_at desc);
create index logs_site_created_idx on logs (site_id, created_at desc);
create index logs_task_idx on logs (task_id);

create table parts (
  id             uuid primary key,
  site_id        uuid not null references sites(id),
  part_number    text not null check (char_length(part_number) between 1 and 64),
  name           text not null check (char_length(name) between 1 and 200),
  description    text check (char_length(description) <= 4000),
  category       text check (char_length(category) <= 64),
  part_type      text check (char_length(part_type) <= 64),
  manufacturer   text check (char_length(manufacturer) <= 100),
  supplier       text check (char_length(supplier) <= 100),
  unit_cost      numeric(12, 2) check (unit_cost >= 0),
  -- Maintained only by the stock_movements trigger below: the sum of the part's movements.
  -- It may go negative: that is what physically happened, and it is raised as a discrepancy.
  quantity       integer not null default 0,
  min_quantity   integer not null default 0 check (min_quantity >= 0),
  unit           text not null default 'ea' check (char_length(unit) between 1 and 16),
  lead_time_days integer check (lead_time_days between 0 and 3650),
  location       text check (char_length(location) <= 64),
  wear_rating    smallint check (wear_rating between 1 and 5),
  deleted_at     timestamptz,
  created_at     timestamptz not null default now(),
  updated_at     timestamptz not null default now(),
  updated_by     uuid references users(id),
  version        integer not null default 1
);
-- One part number per site, whatever its case ("7700-a303" is "7700-A303").
create unique index parts_site_part_number_key on parts (site_id, upper(part_number));
create index parts_site_category_idx on parts (site_id, category);
create index parts_site_location_idx on parts (site_id, location);
create index parts_site_name_idx on parts (site_id, name);
create index parts_site_low_stock_idx on parts (site_id) where quantity <= min_quantity and deleted_at is null;

create table incoming_orders (
  id                uuid primary key,
  site_id           uuid not null references sites(id),
  part_id           uuid not null references parts(id),
  order_number      text not null check (char_length(order_number) between 1 and 64),
  supplier          text check (char_length(supplier) <= 100),
  quantity_ordered  integer not null check (quantity_ordered > 0),
  quantity_received integer not null default 0 check (quantity_received >= 0),
  status            text not null default 'ordered'
                      check (status in ('ordered', 'shipped', 'partial', 'received', 'cancelled')),
  ordered_at        date not null default current_date,
  expected_at       date,
  received_at       timestamptz,
  tracking_number   text check (char_length(tracking_number) <= 100),
  notes             text check (char_length(notes) <= 2000),
  created_at        timestamptz not null default now(),
  updated_at        timestamptz not null default now(),
  updated_by        uuid references users(id),
  version           integer not null default 1
);
create index incoming_orders_site_status_idx on incoming_orders (site_id, status);
create index incoming_orders_part_idx on incoming_orders (part_id);

-- The append-only inventory ledger.
create table stock_movements (
  id                uuid primary key,
  site_id           uuid not null references sites(id),
  part_id           uuid not null references parts(id),
  delta             integer not null,
  reason            text not null check (reason in ('used', 'received', 'count', 'adjust', 'transfer')),
  -- The part's quantity right after this movement (kept for the history screen).
  quantity_after    integer not null default 0,
  task_id           uuid references tasks(id),
  equipment_id      uuid references equipment(id),
  order_id          uuid references incoming_orders(id),
  from_location     text check (char_length(from_location) <= 64),
  to_location       text check (char_length(to_location) <= 64),
  note              text check (char_length(note) <= 1000),
  author_id         uuid references users(id),
  device_id         uuid references devices(id),
  client_created_at timestamptz,
  created_at        timestamptz not null default now(),
  updated_at        timestamptz not null default now(),
  updated_by        uuid references users(id),
  version           integer not null default 1,
  -- A count that confirms the expected quantity, and a bin transfer, move nothing.
  check (delta <> 0 or reason in ('count', 'transfer'))
);
create index stock_movements_part_created_idx on stock_movements (part_id, created_at desc);
create index stock_movements_site_created_idx on stock_movements (site_id, created_at desc);
create index stock_movements_task_idx on stock_movements (task_id);
create index stock_movements_order_idx on stock_movements (order_id);

-- parts.quantity is the sum of the part's movements, in the same transaction as the movement.
create function apply_stock_movement() returns trigger
language plpgsql as $$
begin
  update parts set quantity = quantity + new.delta
   where id = new.part_id
   returning quantity into new.quantity_after;
  return new;
end;
$$;
create trigger stock_movements_apply before insert on stock_movements
  for each row execute function apply_stock_movement();

create function refuse_ledger_change() returns trigger
language plpgsql as $$
begin
  raise exception 'stock_movements is append-only: record a correcting movement instead'
    using errcode = 'restrict_violation';
end;
$$;
create trigger stock_movements_append_only before update or delete on stock_movements
  for each row execute function refuse_ledger_change();

create table knowledge (
  id            uuid primary key,
  site_id       uuid not null references sites(id),
  equipment_id  uuid references equipment(id),
  task_id       uuid references tasks(id),
  category      text check (category in ('general', 'hydraulics', 'electrical', 'safety',
                  'shredder', 'mobile_equipment', 'conveyor', 'lubrication', 'structural')),
  problem       text not null check (char_length(problem) between 1 and 2000),
  cause         text check (char_length(cause) <= 2000),
  fix_steps     text check (char_length(fix_steps) <= 8000),
  author_id     uuid references users(id),
  helpful_votes integer not null default 0 check (helpful_votes >= 0),
  deleted_at    timestamptz,
  created_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now(),
  updated_by    uuid references users(id),
  version       integer not null default 1
);
create index knowledge_site_equipment_idx on knowledge (site_id, equipment_id);
create index knowledge_site_category_idx on knowledge (site_id, category);
-- Full-text search over problem, cause and fix. 'simple' because the crew writes English and
-- Spanish, often in one entry.
create function knowledge_document(problem text, cause text, fix_steps text) returns tsvector
language sql immutable parallel safe as $$
  select setweight(to_tsvector('simple', coalesce(problem, '')), 'A')
      || setweight(to_tsvector('simple', coalesce(cause, '')), 'B')
      || setweight(to_tsvector('simple', coalesce(fix_steps, '')), 'C')
$$;
create index knowledge_search_idx on knowledge using gin (knowledge_document(problem, cause, fix_steps));

-- One "this helped" per person per entry; knowledge.helpful_votes counts them.
create table knowledge_votes (
  id           uuid primary key,
  site_id      uuid not null references sites(id),
  knowledge_id uuid not null references knowledge(id),
  user_id      uuid not null references users(id),
  created_at   timestamptz not null default now(),
  updated_at   timestamptz not null default now(),
  updated_by   uuid references users(id),
  version      integer not null default 1,
  unique (knowledge_id, user_id)
);

-- One row per command a device sent; id is the client's mutation id.
create table mutation_results (
  id          uuid primary key,
  site_id     uuid not null references sites(id),
  device_id   uuid references devices(id),
  user_id     uuid references users(id),
  command     text not null check (char_length(command) between 1 and 64),
  status      text not null check (status in ('applied', 'rejected', 'conflict')),
  code        text check (char_length(code) <= 64),
  message     text check (char_length(message) <= 1000),
  details     jsonb,
  entity_id   uuid,
  txid        bigint not null default (pg_current_xact_id()::text::bigint),
  created_at  timestamptz not null default now(),
  updated_at  timestamptz not null default now(),
  updated_by  uuid references users(id),
  version     integer not null default 1
);
create index mutation_results_device_created_idx on mutation_results (device_id, created_at);

-- What a concurrent edit overwrote, or what was refused, kept for review and one-tap restore.
create table conflicts (
  id                 uuid primary key,
  site_id            uuid not null references sites(id),
  kind               text not null check (kind in ('overwritten', 'refused', 'stock_discrepancy',
                       'over_received', 'duplicate')),
  entity             text not null check (entity in ('equipment', 'tasks', 'logs', 'parts',
                       'stock_movements', 'incoming_orders', 'knowledge')),
  entity_id          uuid not null,
  field              text check (char_length(field) <= 64),
  overwritten_value  jsonb,
  winning_value      jsonb,
  mutation_id        uuid,
  device_id          uuid references devices(id),
  user_id            uuid references users(id),
  status             text not null default 'open' check (status in ('open', 'restored', 'dismissed', 'resolved')),
  resolved_by        uuid references users(id),
  resolved_at        timestamptz,
  created_at         timestamptz not null default now(),
  updated_at         timestamptz not null default now(),
  updated_by         uuid references users(id),
  version            integer not null default 1,
  check ((status = 'open') = (resolved_at is null))
);
create index conflicts_site_status_idx on conflicts (site_id, status, created_at desc);
create index conflicts_entity_idx on conflicts (entity, entity_id);

-- Who did what, from which device, when (client and server time). Never synced to technicians.
create table audit_log (
  id           uuid primary key,
  site_id      uuid not null references sites(id),
  user_id      uuid references users(id),
  device_id    uuid references devices(id),
  command      text not null check (char_length(command) between 1 and 64),
  entity       text check (char_length(entity) <= 64),
  entity_id    uuid,
  mutation_id  uuid,
  before       jsonb,
  after        jsonb,
  client_time  timestamptz,
  server_time  timestamptz not null default now(),
  created_at   timestamptz not null default now(),
  updated_at   timestamptz not null default now(),
  updated_by   uuid references users(id),
  version      integer not null default 1
);
create index audit_log_site_time_idx on audit_log (site_id, server_time desc);
create index audit_log_entity_idx on audit_log (entity, entity_id);
create index audit_log_user_idx on audit_log (user_id, server_time desc);

-- Every versioned table gets the touch trigger.
do $$
declare t text;
begin
  foreach t in array array['sites', 'users', 'equipment', 'tasks', 'logs', 'parts',
    'stock_movements', 'incoming_orders', 'knowledge', 'knowledge_votes', 'mutation_results',
    'conflicts', 'audit_log']
  loop
    execute format('create trigger %I before update on %I for each row execute function touch_row()',
                   t || '_touch', t);
  end loop;
end;
$$;
