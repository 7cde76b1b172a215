import type { EquipmentStatus, LogKind, TaskStatus } from '@cimco/contract';

/**
 * The machine page's live queries, each over one machine (`$1` = its id). The timeline merges
 * them newest first (timelineOf); each row keeps `pending` so work not yet uploaded is marked.
 */

export interface MachineLog {
  id: string;
  kind: LogKind;
  body: string;
  hours_spent: number | null;
  meter_reading: string | null;
  loto_confirmed: boolean;
  at: string;
  author_name: string | null;
  task_id: string | null;
  task_title: string | null;
  pending: boolean;
}

export const MACHINE_LOGS_SQL = `
  select l.id, l.kind, l.body, l.hours_spent::float8 as hours_spent, l.meter_reading::text as meter_reading, l.loto_confirmed,
         coalesce(l.client_created_at, l.created_at)::text as at, u.display_name as author_name,
         l.task_id, t.title as task_title, l.pending
    from logs l
    left join users u on u.id = l.author_id
    left join tasks t on t.id = l.task_id
   where l.equipment_id = $1 and l.deleted_at is null`;

export interface MachineTaskEntry {
  id: string;
  title: string;
  status: TaskStatus;
  priority: number;
  created_at: string;
  completed_at: string | null;
  resolution: string | null;
  problem: string | null;
  cause: string | null;
  fix: string | null;
  assignee_name: string | null;
  completed_by_name: string | null;
  pending: boolean;
}

/** Every task on the machine, open and done, with the problem, cause and fix its completion recorded. */
export const MACHINE_TASK_HISTORY_SQL = `
  select t.id, t.title, t.status, t.priority::int as priority, t.created_at::text as created_at,
         t.completed_at::text as completed_at, t.resolution,
         k.problem, k.cause, k.fix_steps as fix,
         a.display_name as assignee_name, c.display_name as completed_by_name, t.pending
    from tasks t
    left join users a on a.id = t.assignee_id
    left join users c on c.id = t.completed_by
    left join lateral (select problem, cause, fix_steps from knowledge k where k.task_id = t.id and k.deleted_at is null
                        order by k.created_at desc limit 1) k on true
   where t.equipment_id = $1`;

export interface MachinePartUse {
  id: string;
  part_id: string;
  part_number: string | null;
  part_name: string | null;
  delta: number;
  reason: string;
  note: string | null;
  at: string;
  author_name: string | null;
  task_id: string | null;
  task_title: string | null;
  pending: boolean;
}

export const MACHINE_PARTS_SQL = `
  select m.id, m.part_id, p.part_number, p.name as part_name, m.delta, m.reason, m.note,
         coalesce(m.client_created_at, m.created_at)::text as at, u.display_name as author_name,
         m.task_id, t.title as task_title, m.pending
    from stock_movements m
    left join parts p on p.id = m.part_id
    left join users u on u.id = m.author_id
    left join tasks t on t.id = m.task_id
   where m.equipment_id = $1`;

export interface MachineStatusChange {
  id: string;
  status: EquipmentStatus;
  previous_status: EquipmentStatus | null;
  changed_at: string;
  changed_by_name: string | null;
  note: string | null;
  pending: boolean;
}

export const MACHINE_STATUS_SQL = `
  select s.id, s.status, s.previous_status, s.changed_at::text as changed_at, u.display_name as changed_by_name, s.note, s.pending
    from equipment_status_changes s
    left join users u on u.id = s.changed_by
   where s.equipment_id = $1`;

export type TimelineEntry =
  | { kind: 'log'; id: string; at: string; log: MachineLog }
  | { kind: 'task'; id: string; at: string; task: MachineTaskEntry }
  | { kind: 'part'; id: string; at: string; movement: MachinePartUse }
  | { kind: 'status'; id: string; at: string; change: MachineStatusChange };

/**
 * One timeline, newest first. A task stands where it was done (or, while open, where it was
 * made); everything else where it happened on the tablet that recorded it.
 */
export function timelineOf(
  logs: readonly MachineLog[],
  tasks: readonly MachineTaskEntry[],
  parts: readonly MachinePartUse[],
  changes: readonly MachineStatusChange[],
): TimelineEntry[] {
  const entries: TimelineEntry[] = [
    ...logs.map((log): TimelineEntry => ({ kind: 'log', id: log.id, at: log.at, log })),
    ...tasks.map((task): TimelineEntry => ({ kind: 'task', id: task.id, at: task.completed_at ?? task.created_at, task })),
    ...parts.map((movement): TimelineEntry => ({ kind: 'part', id: movement.id, at: movement.at, movement })),
    ...changes.map((change): TimelineEntry => ({ kind: 'status', id: change.id, at: change.changed_at, change })),
  ];
  const time = (entry: TimelineEntry) => {
    const ms = Date.parse(entry.at);
    return Number.isFinite(ms) ? ms : 0;
  };
  return entries.sort((a, b) => time(b) - time(a) || a.id.localeCompare(b.id));
}
