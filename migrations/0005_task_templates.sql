-- Task templates (issue 14): per yard, the tasks a crew makes again and again — a title, category,
-- priority, a checklist and the parts it usually takes. A supervisor keeps them; anyone on the crew
-- makes a task from one in two taps. Synced to every role like the tasks themselves.
--
-- Deleting keeps the row (deleted_at): a tablet offline may still make a task from it, and that
-- task is an ordinary task.

create table task_templates (
  id             uuid primary key,
  site_id        uuid not null references sites(id),
  title          text not null check (char_length(title) between 1 and 200),
  category       text not null default 'general' check (category in ('general', 'hydraulics',
                   'electrical', 'safety', 'shredder', 'mobile_equipment', 'conveyor',
                   'lubrication', 'structural')),
  priority       smallint not null default 2 check (priority between 1 and 4),
  checklist      text check (char_length(checklist) <= 4000),
  typical_parts  text check (char_length(typical_parts) <= 1000),
  deleted_at     timestamptz,
  created_by     uuid references users(id),
  created_at     timestamptz not null default now(),
  updated_at     timestamptz not null default now(),
  updated_by     uuid references users(id),
  version        integer not null default 1
);
create index task_templates_site_idx on task_templates (site_id);

create trigger task_templates_touch before update on task_templates
  for each row execute function touch_row();
create trigger task_templates_capture after insert or update or delete on task_templates
  for each row execute function capture_shape_change();
create trigger task_templates_truncate after truncate on task_templates
  for each statement execute function retire_shape_handles_on_truncate();
