import { type TaskCategory, type TaskStatus } from '@cimco/contract';

/** A task as the screens show it: the `tasks` view joined with its machine, people and knowledge. */
export interface TaskRow {
  id: string;
  title: string;
  description: string | null;
  priority: number;
  category: TaskCategory;
  status: TaskStatus;
  equipment_id: string | null;
  equipment_tag: string | null;
  equipment_name: string | null;
  assignee_id: string | null;
  assignee_name: string | null;
  due_date: string | null;
  loto_confirmed: boolean | null;
  resolution: string | null;
  completed_at: string | null;
  completed_by_name: string | null;
  cancelled_reason: string | null;
  created_at: string | null;
  /** The problem and cause recorded when it was completed (its knowledge entry). */
  knowledge_problem: string | null;
  knowledge_cause: string | null;
  pending: boolean;
}

/**
 * How many done or cancelled tasks the tablet lists (the most recent); work still to do is always
 * listed in full.
 */
export const CLOSED_TASKS_SHOWN = 300;

/**
 * Every task still to do and the most recent closed ones, with what the screens show of them.
 *
 * One query with no parameters, kept live for as long as the screen is open: the filters, the
 * sort and the task dialogs work on its rows in memory. A live query is costly to set up (PGlite
 * creates views and triggers for it), so changing a filter must not make a new one.
 */
export const TASKS_SQL = `
  select t.id, t.title, t.description, t.priority::int as priority, t.category, t.status, t.equipment_id,
         e.tag as equipment_tag, e.name as equipment_name, t.assignee_id, u.display_name as assignee_name,
         t.due_date::text as due_date, t.loto_confirmed, t.resolution, t.completed_at::text as completed_at,
         c.display_name as completed_by_name, t.cancelled_reason, t.created_at::text as created_at,
         k.problem as knowledge_problem, k.cause as knowledge_cause, t.pending
    from (select * from tasks where status in ('open', 'in_progress', 'on_hold')
          union all
          (select * from tasks where status in ('done', 'cancelled')
            order by coalesce(completed_at, updated_at) desc nulls last limit ${CLOSED_TASKS_SHOWN})) t
    left join equipment e on e.id = t.equipment_id
    left join users u on u.id = t.assignee_id
    left join users c on c.id = t.completed_by
    left join (select distinct on (task_id) task_id, problem, cause from knowledge
                where task_id is not null and deleted_at is null order by task_id, created_at desc) k on k.task_id = t.id`;

/** Most urgent first: priority 4 (critical) down to 1, then the nearest due date (undated last), then the oldest. */
export function compareTasks(a: TaskRow, b: TaskRow): number {
  if (a.priority !== b.priority) return b.priority - a.priority;
  if (a.due_date !== b.due_date) {
    if (!a.due_date) return 1;
    if (!b.due_date) return -1;
    return a.due_date < b.due_date ? -1 : 1;
  }
  const created = (a.created_at ?? '').localeCompare(b.created_at ?? '');
  return created !== 0 ? created : a.id.localeCompare(b.id);
}

/** Statuses of work still to do (the list's default filter, and a machine's "open tasks"). */
export const ACTIVE_STATUSES = ['open', 'in_progress', 'on_hold'] as const satisfies readonly TaskStatus[];

/** Priority 1–4 → the key of its label (also used for equipment criticality). */
export const PRIORITY_KEYS = { 1: 'low', 2: 'medium', 3: 'high', 4: 'critical' } as const;
export type PriorityKey = (typeof PRIORITY_KEYS)[keyof typeof PRIORITY_KEYS];

export function priorityKey(priority: number): PriorityKey {
  return PRIORITY_KEYS[Math.min(4, Math.max(1, Math.round(priority))) as 1 | 2 | 3 | 4];
}

/** Today on this tablet's clock, as YYYY-MM-DD (due dates are calendar dates, not instants). */
export function localToday(now = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

export function isOverdue(task: Pick<TaskRow, 'due_date' | 'status'>, today = localToday()): boolean {
  return !!task.due_date && task.due_date < today && task.status !== 'done' && task.status !== 'cancelled';
}
