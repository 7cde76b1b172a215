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

/** The same rule in SQL, for sorting by urgency (0 = empty … 3 = good); `p` is the parts row. */
const STATUS_RANK_SQL = `case when p.quantity <= 0 then 0
  when p.quantity <= coalesce(p.min_quantity, 0) then 1
  when 2 * p.quantity <= 3 * coalesce(p.min_quantity, 0) then 2
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
  /** The version of the filters the row was read with. */
  rev: number;
}

/** Escapes LIKE's wildcards (and its escape character, the backslash) in text typed by a person. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** At most this many words of a search are used (a pasted paragraph should not build a monster query). */
export const MAX_SEARCH_TERMS = 8;

/** The words of a search (at most MAX_SEARCH_TERMS). */
export function searchTerms(search: string): string[] {
  return search.trim().split(/\s+/).filter(Boolean).slice(0, MAX_SEARCH_TERMS);
}

/**
 * The filters as the list's live query reads them: a JSON object kept in a session setting (see
 * `partsListSql`). `rev` numbers the versions, and every row of the results carries the `rev` it
 * was read with, so results read with older filters can be told apart and dropped.
 */
export function partsFilterSetting(filters: PartFilters, rev: number): string {
  const setting: Record<string, unknown> = { rev, sort: filters.sort };
  searchTerms(filters.search).forEach((term, i) => {
    setting[`t${i + 1}`] = `%${escapeLike(term)}%`;
  });
  if (filters.category) setting.category = filters.category;
  if (filters.location) setting.location = filters.location;
  if (filters.lowStockOnly) setting.low = true;
  if (filters.highWearOnly) setting.wear = true;
  return JSON.stringify(setting);
}

/** A session setting name for one list (letters, digits and underscores after the prefix). */
export function partsFilterSettingName(listId: string): string {
  if (!/^[a-z0-9_]+$/.test(listId)) throw new Error(`not a list id: ${listId}`);
  return `cimco.parts_list_${listId}`;
}

/**
 * The list's query. Its text never changes: it reads the filters from the session setting
 * `settingName` (written with `partsFilterSetting`), so a new search is one `set_config` and a
 * refresh of the live query that is already there — not a new live query per key typed (setting
 * one up takes a dozen statements, and dropping one while PGlite refreshes it fails).
 *
 * The words of the search must each appear in the part number, name or manufacturer
 * (case-insensitive; the fields are joined by a space and a word has none, so a word cannot match
 * across two fields). The filter values are read once (a materialised CTE), not per row.
 */
export function partsListSql(settingName: string): string {
  const f = `(coalesce(nullif(current_setting('${settingName}', true), ''), '{}'))::jsonb`;
  const terms = Array.from({ length: MAX_SEARCH_TERMS }, (_, i) => `j ->> 't${i + 1}' as t${i + 1}`).join(', ');
  const termChecks = Array.from(
    { length: MAX_SEARCH_TERMS },
    (_, i) => `(f.t${i + 1} is null or concat_ws(' ', p.part_number, p.name, p.manufacturer) ilike f.t${i + 1})`,
  ).join('\n   and ');
  return `with f as materialized (
  select coalesce((j ->> 'rev')::int, 0) as rev, coalesce(j ->> 'sort', 'partNumber') as sort, ${terms},
         j ->> 'category' as category, j ->> 'location' as location,
         coalesce((j ->> 'low')::boolean, false) as low, coalesce((j ->> 'wear')::boolean, false) as wear
    from (select ${f} as j) s
)
select p.id, p.part_number, p.name, p.manufacturer, p.location, p.category, p.quantity, p.min_quantity, p.unit,
       p.wear_rating, p.pending, f.rev
  from parts p cross join f
 where p.deleted_at is null
   and ${termChecks}
   and (f.category is null or p.category = f.category)
   and (f.location is null or p.location = f.location)
   and (not f.low or p.quantity <= coalesce(p.min_quantity, 0))
   and (not f.wear or p.wear_rating >= ${HIGH_WEAR_RATING})
 order by case when f.sort = 'name' then lower(p.name) end,
          case when f.sort = 'quantity' then p.quantity end,
          case when f.sort = 'status' then ${STATUS_RANK_SQL} end,
          upper(p.part_number), p.id`;
}

/**
 * Distinct non-empty values of a parts column, for the filter pickers and bin suggestions: those of
 * the synced parts and those set by pending commands. These are live queries, re-run on every
 * recorded command, so they do not read the overlay view (a pass over every part each time): the
 * synced values come from a loose index scan (one probe of the column's index per distinct value),
 * the pending ones from the outbox. A value a pending command is replacing stays offered until the
 * server's row arrives; choosing it then finds one part fewer, nothing worse.
 */
function distinctPartValuesSql(column: 'category' | 'location'): string {
  return `with recursive synced (value) as (
  (select ${column} from parts_synced where deleted_at is null and ${column} > '' order by ${column} limit 1)
  union all
  select (select p.${column} from parts_synced p where p.deleted_at is null and p.${column} > s.value order by p.${column} limit 1)
    from synced s where s.value is not null
)
select value from synced where value is not null
union
select data ->> '${column}' from outbox_effects where table_name = 'parts' and data ->> '${column}' > ''
order by 1`;
}

export const CATEGORIES_SQL = distinctPartValuesSql('category');
export const LOCATIONS_SQL = distinctPartValuesSql('location');

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

/** TEMPORARY until the search rework lands: the list query with its filters as parameters. */
export function partsListQuery(filters: PartFilters): { sql: string; countSql: string; params: unknown[] } {
  const params = [partsFilterSetting(filters, 1)];
  const sql = partsListSql('cimco.x').replace(/current_setting\('cimco\.x', true\)/, '$1::text');
  const countSql = `select count(*)::int as count from (${sql}) c`;
  return { sql, countSql, params };
}
