/**
 * The dashboard's figures, each one query over the tablet's own database (the overlay views, so a
 * change recorded offline counts at once). What depends on the day takes today's date as `$1`: the tablet's
 * calendar day, which is the yard's, rather than the database's time zone.
 *
 * Definitions (the same words the screen uses):
 * - open task: open, in progress or on hold; overdue: open with a due date before today.
 * - low stock: at or below its reorder point (quantity ≤ minimum), as the parts list's filter.
 * - inventory value: Σ quantity × unit cost over parts in stock (a negative count adds nothing).
 * - pending delivery: an order ordered, shipped or partly received; overdue: expected before today.
 */

export const OPEN_TASK_STATUSES = ['open', 'in_progress', 'on_hold'] as const;
export const PENDING_ORDER_STATUSES = ['ordered', 'shipped', 'partial'] as const;

const OPEN_TASK = `status in ('open', 'in_progress', 'on_hold')`;
const PENDING_ORDER = `status in ('ordered', 'shipped', 'partial')`;

export interface DashboardSummary {
  machines_down: number;
  machines_maintenance: number;
  machines_running: number;
  open_tasks: number;
  overdue_tasks: number;
  low_stock: number;
  inventory_value: string;
  pending_deliveries: number;
  overdue_deliveries: number;
}

export const SUMMARY_SQL = `select
  (select count(*)::int from equipment where status = 'down') as machines_down,
  (select count(*)::int from equipment where status = 'maintenance') as machines_maintenance,
  (select count(*)::int from equipment where status = 'running') as machines_running,
  (select count(*)::int from tasks where ${OPEN_TASK}) as open_tasks,
  (select count(*)::int from tasks where ${OPEN_TASK} and due_date < $1::date) as overdue_tasks,
  (select count(*)::int from parts where deleted_at is null and quantity <= coalesce(min_quantity, 0)) as low_stock,
  (select coalesce(sum(quantity * unit_cost), 0)::numeric(14,2)::text from parts
    where deleted_at is null and quantity > 0 and unit_cost is not null) as inventory_value,
  (select count(*)::int from incoming_orders where ${PENDING_ORDER}) as pending_deliveries,
  (select count(*)::int from incoming_orders where ${PENDING_ORDER} and expected_at < $1::date) as overdue_deliveries`;

export interface TasksByPriority {
  priority: number;
  on_time: number;
  overdue: number;
}

/** Open tasks per priority (1 low … 4 critical), split into overdue and not. */
export const TASKS_BY_PRIORITY_SQL = `select p.priority,
    count(t.id) filter (where t.due_date is null or t.due_date >= $1::date)::int as on_time,
    count(t.id) filter (where t.due_date < $1::date)::int as overdue
  from generate_series(4, 1, -1) as p(priority)
  left join tasks t on t.priority = p.priority and t.${OPEN_TASK}
  group by p.priority order by p.priority desc`;

export interface MachineDown {
  id: string;
  tag: string;
  name: string;
  area: string | null;
  status_changed_at: string;
}

export const MACHINES_DOWN_SQL = `select id, tag, name, area, status_changed_at from equipment
  where status = 'down' order by status_changed_at, tag`;

export interface LowStockPart {
  id: string;
  part_number: string;
  name: string;
  quantity: number;
  min_quantity: number | null;
  unit: string;
}

/** The emptiest first: the furthest below their reorder point. */
export const LOW_STOCK_SQL = `select id, part_number, name, quantity, min_quantity, unit from parts
  where deleted_at is null and quantity <= coalesce(min_quantity, 0)
  order by quantity - coalesce(min_quantity, 0), part_number limit 8`;

export interface Activity {
  kind: 'log' | 'movement' | 'task_done';
  at: string;
  /** A log entry's kind, a movement's reason, a completed task's title. */
  what: string;
  /** The machine logged on, or the part moved. */
  subject: string | null;
  /** A movement's change in stock. */
  delta: number | null;
  who: string | null;
  link: string | null;
}

/** The latest twelve things done on the yard: log entries, stock movements, tasks completed. */
export const RECENT_ACTIVITY_SQL = `select * from (
    select 'log' as kind, l.created_at as at, l.kind as what, e.name as subject, null::int as delta, u.display_name as who,
        e.tag as link
      from logs l left join equipment e on e.id = l.equipment_id left join users u on u.id = l.author_id
      where l.deleted_at is null
    union all
    select 'movement', m.created_at, m.reason, p.name, m.delta, u.display_name, p.part_number
      from stock_movements m join parts p on p.id = m.part_id left join users u on u.id = m.author_id
    union all
    select 'task_done', t.completed_at, t.title, e.name, null, u.display_name, t.id::text
      from tasks t left join equipment e on e.id = t.equipment_id left join users u on u.id = t.completed_by
      where t.status = 'done'
  ) a order by at desc limit 12`;

/** Today on the tablet's calendar, as YYYY-MM-DD. */
export function todayOnTablet(now = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}
