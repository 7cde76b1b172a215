/**
 * The parts list's SQL, kept apart from React so the rules are in one place.
 *
 * Everything reads the `parts` overlay table (synced rows plus this tablet's pending commands),
 * never the `_synced` tables, so a change shows the moment it is recorded.
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
  /** Free text: every word must appear in the part number, name or manufacturer (see partsListQuery). */
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

/** At most this many words of a search are used (a pasted paragraph should not build a monster query). */
export const MAX_SEARCH_TERMS = 8;

/** The words of a search (at most MAX_SEARCH_TERMS). */
export function searchTerms(search: string): string[] {
  return search.trim().split(/\s+/).filter(Boolean).slice(0, MAX_SEARCH_TERMS);
}

/**
 * A word the trigram index can look up has three letters or digits in a row (pg_trgm reads only
 * those). Others ("h", "6", "-12") are checked on the rows the other words and filters leave.
 */
const LOOKABLE = /[\p{L}\p{N}]{3}/u;

/**
 * Words this long are also found with one character wrong, missing, extra, or two swapped
 * ("metso" finds "Metzo", "HYD-4531" finds "HYD-4521"); a shorter word with a typo would match
 * almost anything.
 */
const FUZZY_MIN_LENGTH = 5;

/**
 * The LIKE patterns that together find a lookable word (lower-cased) as typed and, from
 * FUZZY_MIN_LENGTH characters, within one edit — as few as do it, each an index lookup:
 *
 * - a variant is text with one-character gaps (`_`); one without three letters or digits in a
 *   row is left out, as the index would read every part for it (in a five-letter word that loses
 *   only a wrong middle letter);
 * - a variant containing another's text is left out, as that one finds it already ("hammer" is
 *   found by "ammer", the word without its first letter); a wrong first or last letter is found
 *   the same way.
 */
function lookupPatterns(word: string): string[] {
  const chars = [...word];
  const n = chars.length;
  const text = (from: number, to: number) => chars.slice(from, to).join('');
  const variants: string[][] = [[word]];
  if (n >= FUZZY_MIN_LENGTH) {
    for (let i = 0; i < n; i++) {
      variants.push([text(0, i) + text(i + 1, n)]);
      if (i < n - 1) variants.push([text(0, i) + chars[i + 1]! + chars[i]! + text(i + 2, n)]);
      if (i > 0 && i < n - 1) variants.push([text(0, i), text(i + 1, n)]);
      if (i > 0) variants.push([text(0, i), text(i, n)]);
    }
  }
  const lookable = variants.filter((pieces) => pieces.some((piece) => LOOKABLE.test(piece)));
  const texts = [...new Set(lookable.filter((pieces) => pieces.length === 1).map((pieces) => pieces[0]!))];
  const isText = (pieces: string[], t: string) => pieces.length === 1 && pieces[0] === t;
  const needed = lookable.filter((pieces) => !texts.some((t) => !isText(pieces, t) && pieces.some((piece) => piece.includes(t))));
  return [...new Set(needed.map((pieces) => `%${pieces.map(escapeLike).join('_')}%`))];
}

/** The list's query, its count, and their parameters. */
export interface PartsListQuery {
  /** The matching parts, in order, ending with its ORDER BY: append ` limit N offset M`. */
  sql: string;
  /** `select count(*)::int as count` of the same parts, unsorted. */
  countSql: string;
  /** For both. */
  params: unknown[];
}

/** The chosen sort's keys; part number and id last, so the order is total. */
const SORT_KEYS: Record<PartSort, string> = {
  partNumber: 'upper(p.part_number), p.id',
  name: 'lower(p.name), upper(p.part_number), p.id',
  quantity: 'p.quantity, upper(p.part_number), p.id',
  status: `${STATUS_RANK_SQL}, upper(p.part_number), p.id`,
};

/**
 * The parts list for some filters, read from the `parts` overlay table (synced rows plus this
 * tablet's pending commands, so a change is found the moment it is recorded) and its `search`
 * column (part number, name and manufacturer, lower-cased, with a trigram index: local-schema.ts).
 *
 * Every word of the search must be found, case-insensitively, in the part number, name or
 * manufacturer (the fields are joined by a space and a word has none, so a word cannot match across
 * two fields), as typed — wildcards typed are plain characters — or, from FUZZY_MIN_LENGTH
 * characters, within one edit (lookupPatterns; for a word with a digit, only when nothing matches
 * it as typed). A word with three letters or digits in a row is looked up in the trigram index;
 * others are checked on the rows the rest leaves.
 *
 * When searching, the best matches come first: a part whose number is a word typed, then parts
 * where every word is found as typed, then the others, closest (pg_trgm's word similarity) first;
 * the chosen sort orders within each. Otherwise, or when no word was looked up, the chosen sort.
 */
export function partsListQuery(filters: PartFilters): PartsListQuery {
  const params: unknown[] = [];
  const param = (value: unknown): string => `$${params.push(value)}`;
  // Not deleted (local-schema.ts says why this way).
  const where = ['p.search is not null'];
  const isNumber: string[] = [];
  // Of the words looked up (the others match as typed).
  const asTyped: string[] = [];
  const closeness: string[] = [];
  for (const word of searchTerms(filters.search).map((w) => w.toLowerCase())) {
    if (!LOOKABLE.test(word)) {
      const w = param(word);
      where.push(`strpos(p.search, ${w}) > 0`);
      isNumber.push(`starts_with(p.search, ${w} || ' ')`);
      continue;
    }
    // One parameter per word, so that the count (which does not rank) takes the same ones:
    // [1] the word as typed, [2] the word as the whole part number (search starts with it), then
    // the lookups (which find [1] too).
    const escaped = escapeLike(word);
    const patterns = param([`%${escaped}%`, `${escaped} %`, ...lookupPatterns(word)]);
    // A word with a digit is a part number or a size: found as typed, it means that part, and the
    // ones a character away are other parts, so they are looked for only when nothing matches as
    // typed (a mistyped number). That also spares a number being typed the longest lookups.
    const lookups = /\p{N}/u.test(word)
      ? `case when exists (select 1 from parts q where q.search like (${patterns}::text[])[1]) then (${patterns}::text[])[1:1] else (${patterns}::text[])[3:] end`
      : `(${patterns}::text[])[3:]`;
    where.push(`p.search like any(${lookups})`);
    asTyped.push(`p.search like (${patterns}::text[])[1]`);
    isNumber.push(`p.search like (${patterns}::text[])[2]`);
    // pg_trgm reads only letters and digits, so the pattern's wildcards and escapes change nothing.
    closeness.push(`word_similarity((${patterns}::text[])[1], p.search)`);
  }
  if (filters.category) where.push(`p.category = ${param(filters.category)}`);
  if (filters.location) where.push(`p.location = ${param(filters.location)}`);
  if (filters.lowStockOnly) where.push('p.quantity <= coalesce(p.min_quantity, 0)');
  if (filters.highWearOnly) where.push(`p.wear_rating >= ${HIGH_WEAR_RATING}`);

  // Words that were not looked up match as typed everywhere: they leave the chosen sort, so the
  // list can follow its index and stop at the page.
  const order: string[] = [];
  if (asTyped.length > 0) {
    const allAsTyped = asTyped.join(' and ');
    order.push(`(${isNumber.join(' or ')}) desc`, `(${allAsTyped}) desc`);
    // Similarity only orders the parts some word matched nearly: not computed for the others.
    order.push(`(case when not (${allAsTyped}) then ${closeness.join(' + ')} end) desc nulls last`);
  }
  order.push(SORT_KEYS[filters.sort]);
  const conditions = where.join('\n   and ');
  return {
    sql: `select p.id, p.part_number, p.name, p.manufacturer, p.location, p.category, p.quantity, p.min_quantity, p.unit,
       p.wear_rating, p.pending
  from parts p
 where ${conditions}
 order by ${order.join(',\n          ')}`,
    countSql: `select count(*)::int as count from parts p where ${conditions}`,
    params,
  };
}

/**
 * Distinct non-empty values of a parts column, for the filter pickers and bin suggestions, from a
 * loose index scan of the overlay table (one probe of the column's index per distinct value, not a
 * pass over every part).
 */
function distinctPartValuesSql(column: 'category' | 'location'): string {
  return `with recursive found (value) as (
  (select ${column} from parts where deleted_at is null and ${column} > '' order by ${column} limit 1)
  union all
  select (select p.${column} from parts p where p.deleted_at is null and p.${column} > f.value order by p.${column} limit 1)
    from found f where f.value is not null
)
select value from found where value is not null`;
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
