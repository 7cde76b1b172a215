import { LOG_KINDS, type LogKind } from '@cimco/contract';

/** The yard-wide log's filters, as they stand in the query string (`/log?kind=repair&machine=CIMCO001`). */
export interface LogFilters {
  /** A machine's tag ('' = every machine). */
  machine: string;
  /** A log kind ('' = every kind). */
  kind: string;
  /** First and last calendar day (YYYY-MM-DD, '' = open). */
  from: string;
  to: string;
  /** Words in the entry's text. */
  search: string;
}

export const DEFAULT_LOG_FILTERS: LogFilters = { machine: '', kind: '', from: '', to: '', search: '' };

export interface LogRow {
  id: string;
  kind: LogKind;
  body: string;
  hours_spent: number | null;
  meter_reading: string | null;
  loto_confirmed: boolean;
  at: string;
  tag: string;
  machine_name: string;
  author_name: string | null;
  task_title: string | null;
  pending: boolean;
}

/** The newest entries shown at once (the list says when there are more). */
export const LOG_LIMIT = 500;

/**
 * The log entries passing the filters, newest first (when they were written on the tablet). A
 * filter left empty is '' and passes everything; a malformed date or kind in a hand-typed URL
 * passes nothing rather than failing the query.
 */
export const LOG_LIST_SQL = `
  select l.id, l.kind, l.body, l.hours_spent::float8 as hours_spent, l.meter_reading::text as meter_reading, l.loto_confirmed,
         coalesce(l.client_created_at, l.created_at)::text as at, e.tag, e.name as machine_name,
         u.display_name as author_name, t.title as task_title, l.pending
    from logs l
    join equipment e on e.id = l.equipment_id
    left join users u on u.id = l.author_id
    left join tasks t on t.id = l.task_id
   where l.deleted_at is null
     and ($1 = '' or upper(e.tag) = upper($1))
     and ($2 = '' or l.kind = $2)
     and ($3::timestamptz is null or coalesce(l.client_created_at, l.created_at) >= $3::timestamptz)
     and ($4::timestamptz is null or coalesce(l.client_created_at, l.created_at) < $4::timestamptz)
     and ($5 = '' or strpos(lower(l.body), lower($5)) > 0)
   order by coalesce(l.client_created_at, l.created_at) desc, l.id desc
   limit ${LOG_LIMIT + 1}`;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Midnight starting the calendar day `days` after `value` on the tablet's clock, or undefined if it is no date. */
function midnight(value: string, days = 0): string | undefined {
  const match = DATE.exec(value);
  if (!match) return undefined;
  const day = new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]) + days);
  return Number.isNaN(day.getTime()) ? undefined : day.toISOString();
}

/**
 * The query's parameters. Days are the tablet's days (from its midnight to the next). A hand-typed
 * URL with a date that is not one, or an unknown kind, matches nothing rather than everything.
 */
export function logListParams(filters: LogFilters): unknown[] {
  const kind = filters.kind === '' || (LOG_KINDS as readonly string[]).includes(filters.kind) ? filters.kind : 'none';
  const from = filters.from === '' ? null : (midnight(filters.from) ?? '9999-12-31T00:00:00Z');
  const to = filters.to === '' ? null : (midnight(filters.to, 1) ?? '0001-01-01T00:00:00Z');
  return [filters.machine.trim(), kind, from, to, filters.search.trim()];
}
