/**
 * The incoming orders list's SQL and rules, apart from React. Everything reads the overlay tables
 * (synced rows plus this tablet's pending commands), so a receive shows the moment it is recorded.
 */

export const ORDER_STATUSES = ['ordered', 'shipped', 'partial', 'received', 'cancelled'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** Still to arrive: an order in these states can be received, shipped, edited, cancelled. */
export const OPEN_STATUSES: readonly OrderStatus[] = ['ordered', 'shipped', 'partial'];

export interface OrderFilters {
  /** '' = every status. */
  status: string;
  /** '' = every supplier. */
  supplier: string;
  /** Words in the order number, tracking number, part number or part name. */
  text: string;
  overdue: boolean;
}

export const NO_ORDER_FILTERS: OrderFilters = { status: '', supplier: '', text: '', overdue: false };

export interface OrderRow {
  id: string;
  part_id: string;
  part_number: string | null;
  part_name: string | null;
  unit: string | null;
  order_number: string;
  supplier: string | null;
  quantity_ordered: number;
  quantity_received: number;
  status: OrderStatus;
  ordered_at: string | null;
  expected_at: string | null;
  received_at: string | null;
  tracking_number: string | null;
  notes: string | null;
  pending: boolean;
  overdue: boolean;
  /** The latest change to this order the server refused (still in Needs attention). */
  refusal: { name: string; code: string | null; details: Record<string, unknown> | null } | null;
}

/** Today in the tablet's own time zone, as YYYY-MM-DD (what "overdue" is measured against). */
export function localDate(offsetDays = 0): string {
  const day = new Date();
  day.setDate(day.getDate() + offsetDays);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${day.getFullYear()}-${pad(day.getMonth() + 1)}-${pad(day.getDate())}`;
}

/** Expected before today and not fully arrived (nor cancelled). */
// Never null (an order without an expected date is not overdue), so it sorts and reads as true/false.
const OVERDUE_SQL = `(coalesce(o.expected_at < $1::date, false) and o.status in ('ordered', 'shipped', 'partial'))`;

const ORDER_COLUMNS = `o.id, o.part_id, p.part_number, p.name as part_name, p.unit, o.order_number, o.supplier,
  o.quantity_ordered, o.quantity_received, o.status, o.ordered_at::text as ordered_at, o.expected_at::text as expected_at,
  o.received_at::text as received_at, o.tracking_number, o.notes, o.pending, ${OVERDUE_SQL} as overdue,
  (select jsonb_build_object('name', n.name, 'code', n.code, 'details', n.details) from needs_attention n
    where n.name like 'order.%' and n.args->>'id' = o.id::text order by n.refused_at desc limit 1) as refusal`;

/** `%`, `_` and `\` typed by a person are letters, not patterns. */
export function likePattern(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, '\\$&')}%`;
}

/**
 * The list: overdue orders first, then the open ones by expected date, then the rest (received,
 * cancelled) newest first.
 */
export function ordersQuery(filters: OrderFilters, today: string): { sql: string; params: unknown[] } {
  const params: unknown[] = [today];
  const where: string[] = [];
  if (filters.status) {
    params.push(filters.status);
    where.push(`o.status = $${params.length}`);
  }
  if (filters.supplier) {
    params.push(filters.supplier);
    where.push(`o.supplier = $${params.length}`);
  }
  for (const word of filters.text.trim().split(/\s+/).filter(Boolean)) {
    params.push(likePattern(word));
    const n = params.length;
    where.push(`(lower(o.order_number) like $${n} or lower(coalesce(o.tracking_number, '')) like $${n}
      or lower(coalesce(p.part_number, '')) like $${n} or lower(coalesce(p.name, '')) like $${n})`);
  }
  if (filters.overdue) where.push(OVERDUE_SQL);
  const sql = `select ${ORDER_COLUMNS}
    from incoming_orders o left join parts p on p.id = o.part_id
    ${where.length ? `where ${where.join(' and ')}` : ''}
    order by ${OVERDUE_SQL} desc, (o.status in ('ordered', 'shipped', 'partial')) desc,
      case when o.status in ('ordered', 'shipped', 'partial') then o.expected_at end asc nulls last,
      o.created_at desc, o.id
    limit 500`;
  return { sql, params };
}

export const ORDER_SQL = `select ${ORDER_COLUMNS} from incoming_orders o left join parts p on p.id = o.part_id where o.id = $2`;

export const SUPPLIERS_SQL = `select distinct supplier as value from incoming_orders where supplier is not null order by 1`;

/** A part as the order form needs it. */
export interface PartOption {
  id: string;
  part_number: string;
  name: string;
  supplier: string | null;
  quantity: number;
  min_quantity: number | null;
  lead_time_days: number | null;
}

export const PART_OPTIONS_SQL = `select id, part_number, name, supplier, quantity, min_quantity, lead_time_days
  from parts where search like $1 order by upper(part_number), id limit 8`;

/** What brings a part's stock back above its minimum (at least 1). */
export function suggestedQuantity(part: Pick<PartOption, 'quantity' | 'min_quantity'>): number {
  return Math.max(1, (part.min_quantity ?? 0) - part.quantity + 1);
}
