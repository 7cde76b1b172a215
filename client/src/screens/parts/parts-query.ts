/**
 * The parts list's SQL, kept apart from React so the rules are in one place.
 *
 * Everything reads the `parts` view (synced rows plus this tablet's pending commands), never the
 * `_synced` tables, so a change shows the moment it is recorded.
 */

/**
 * Stock status of a part, from its quantity and its minimum (reorder point):
 *
 * | status  | rule                                      | meaning                         |
 * |---------|-------------------------------------------|---------------------------------|
 * | `empty` | quantity ≤ 0                              | nothing on the shelf            |
 * | `order` | quantity ≤ min_quantity                   | at or below the reorder point   |
 * | `low`   | quantity ≤ 1.5 × min_quantity             | getting close: order soon       |
 * | `good`  | otherwise (and always when min is 0, q>0) | enough                          |
 *
 * The rules are checked in that order, so an empty part is `empty`, never `order`. The "low stock
 * only" filter keeps `empty` and `order` parts (quantity ≤ min_quantity).
 */
export type StockStatus = 'empty' | 'order' | 'low' | 'good';

export const STOCK_STATUSES: readonly StockStatus[] = ['empty', 'order', 'low', 'good'];

export function stockStatus(quantity: number, minQuantity: number | null | undefined): StockStatus {
  const min = Math.max(0, minQuantity ?? 0);
  if (quantity <= 0) return 'empty';
  if (quantity <= min) return 'order';
  // 2q ≤ 3min is q ≤ 1.5 min without fractions.
  if (2 * quantity <= 3 * min) return 'low';
  return 'good';
}

/** The same rule in SQL, for sorting by urgency (0 = empty … 3 = good). */
const STATUS_RANK_SQL = `case when quantity <= 0 then 0
  when quantity <= coalesce(min_quantity, 0) then 1
  when 2 * quantity <= 3 * coalesce(min_quantity, 0) then 2
  else 3 end`;

/** Wear rating from which a part counts as "high wear" (ratings go 1 … 5). */
export const HIGH_WEAR_RATING = 4;

export const PART_SORTS = ['partNumber', 'name', 'quantity', 'status'] as const;
export type PartSort = (typeof PART_SORTS)[number];

export interface PartFilters {
  /** Free text: every word must appear in the part number, name or manufacturer. */
  search: string;
  /** '' = any category. */
  category: string;
  /** '' = any location. */
  location: string;
  lowStockOnly: boolean;
  highWearOnly: boolean;
  sort: PartSort;
}

export const NO_FILTERS: PartFilters = {
  search: '',
  category: '',
  location: '',
  lowStockOnly: false,
  highWearOnly: false,
  sort: 'partNumber',
};

/** One row of the list. */
export interface PartListRow {
  id: string;
  part_number: string;
  name: string;
  manufacturer: string | null;
  location: string | null;
  category: string | null;
  quantity: number;
  min_quantity: number | null;
  unit: string | null;
  wear_rating: number | null;
  pending: boolean;
}

/** Escapes LIKE's wildcards (and its escape character, the backslash) in text typed by a person. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** The words of a search, at most 8 (a pasted paragraph should not build a monster query). */
export function searchTerms(search: string): string[] {
  return search.trim().split(/\s+/).filter(Boolean).slice(0, 8);
}

const ORDER_BY: Record<PartSort, string> = {
  // upper(part_number) matches the index on parts_synced; id makes the order total, so pages of
  // a windowed query never repeat or skip a row.
  partNumber: 'upper(part_number), id',
  name: 'lower(name), upper(part_number), id',
  quantity: 'quantity, upper(part_number), id',
  status: `${STATUS_RANK_SQL}, upper(part_number), id`,
};

/** The list's query for these filters: `{ sql, params }` for a (windowed) live query. */
export function partsListQuery(filters: PartFilters): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const where = ['deleted_at is null'];
  for (const term of searchTerms(filters.search)) {
    // One placeholder per parameter, used once and in order: PGlite's live queries inline the
    // parameters with format('%1L …'), which takes its arguments in sequence. A term has no
    // spaces, so matching the fields joined by a space is the same as matching any of them.
    params.push(`%${escapeLike(term)}%`);
    where.push(`concat_ws(' ', part_number, name, manufacturer) ilike $${params.length}`);
  }
  if (filters.category) {
    params.push(filters.category);
    where.push(`category = $${params.length}`);
  }
  if (filters.location) {
    params.push(filters.location);
    where.push(`location = $${params.length}`);
  }
  if (filters.lowStockOnly) where.push('quantity <= coalesce(min_quantity, 0)');
  if (filters.highWearOnly) where.push(`wear_rating >= ${HIGH_WEAR_RATING}`);
  const sql = `select id, part_number, name, manufacturer, location, category, quantity, min_quantity, unit, wear_rating, pending
  from parts
 where ${where.join('\n   and ')}
 order by ${ORDER_BY[filters.sort]}`;
  return { sql, params };
}

/** Distinct non-empty values of a column, for the filter pickers and bin suggestions. */
export const CATEGORIES_SQL = `select distinct category as value from parts
  where deleted_at is null and category is not null and category <> '' order by 1`;
export const LOCATIONS_SQL = `select distinct location as value from parts
  where deleted_at is null and location is not null and location <> '' order by 1`;

/** Everything the detail panel shows about one part. */
export interface PartDetailRow {
  id: string;
  part_number: string;
  name: string;
  description: string | null;
  category: string | null;
  part_type: string | null;
  manufacturer: string | null;
  supplier: string | null;
  unit_cost: string | null;
  quantity: number;
  min_quantity: number | null;
  unit: string | null;
  lead_time_days: number | null;
  location: string | null;
  wear_rating: number | null;
  deleted_at: string | null;
  updated_at: string | null;
  pending: boolean;
}

export const PART_DETAIL_SQL = `select id, part_number, name, description, category, part_type, manufacturer, supplier,
  unit_cost::text as unit_cost, quantity, min_quantity, unit, lead_time_days, location, wear_rating,
  deleted_at::text as deleted_at, updated_at::text as updated_at, pending
  from parts where id = $1`;

export interface MovementRow {
  id: string;
  delta: number;
  reason: string;
  quantity_after: number | null;
  from_location: string | null;
  to_location: string | null;
  note: string | null;
  author: string | null;
  at: string;
  pending: boolean;
}

/**
 * A part's movements, newest first. A movement made on this tablet and not yet confirmed has the
 * tablet's time; the server's rows have the time the tablet made them (client_created_at) when
 * known, so the history reads in the order things happened on the floor.
 */
export const MOVEMENTS_SQL = `select m.id, m.delta, m.reason, m.quantity_after, m.from_location, m.to_location, m.note,
  u.display_name as author, coalesce(m.client_created_at, m.created_at)::text as at, m.pending
  from stock_movements m left join users u on u.id = m.author_id
 where m.part_id = $1
 order by coalesce(m.client_created_at, m.created_at) desc, m.id desc
 limit $2`;

export const MOVEMENTS_COUNT_SQL = `select count(*)::int as count from stock_movements where part_id = $1`;
