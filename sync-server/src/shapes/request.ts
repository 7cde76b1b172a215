import { invalidText, SHAPE_RULES, SYNCED_TABLES, visibleRows, type SyncedTable } from '@cimco/contract';
import type { AccessTokenSubject } from '../auth/access-tokens.ts';
import { parseOffset, type RequestedOffset } from './offset.ts';
import { quoteIdent, type TableSchema } from './table-schema.ts';
import { compileWhere, paramsFromQuery, WhereError } from './where.ts';

/**
 * A `GET /v1/shape` request, checked: what the client asked for (table, offset, live…) and the
 * shape it gets, whose filter the server decides (SHAPE_RULES) and a client `where` can only narrow.
 */
export interface ShapeRequest {
  table: SyncedTable;
  offset: RequestedOffset;
  handle: string | undefined;
  live: boolean;
  /** Live mode as server-sent events (`live_sse`, or `experimental_live_sse` from older clients). */
  sse: boolean;
  cursor: string | undefined;
  shape: ShapeDefinition;
}

/** Everything that makes two shapes the same shape (and so share a handle and its log). */
export interface ShapeDefinition {
  table: SyncedTable;
  /** Selected columns, in table order. */
  columns: string[];
  /** The full row filter: the server's scope AND the client's where, as SQL over alias `table`. */
  where: string;
  params: string[];
  replica: 'default' | 'full';
  log: 'full' | 'changes_only';
}

/** 400, in Electric's format: `{"message":"Invalid request","errors":{"<param>":["…"]}}`. */
export class ShapeRequestError extends Error {
  constructor(
    readonly status: 400 | 403,
    readonly errors: Record<string, string[]>,
    message = status === 403 ? 'Forbidden' : 'Invalid request',
  ) {
    super(message);
  }
}

type Query = Record<string, unknown>;

/**
 * The clients send `params[1]=…&params[2]=…`. Express 5's query parser keeps those as literal keys;
 * an extended parser would have made `params` an object or array: accept both.
 */
function whereParams(query: Query): unknown {
  const bracketed = Object.entries(query).filter(([key]) => /^params\[.*\]$/.test(key));
  if (bracketed.length === 0) return query.params;
  return Object.fromEntries(bracketed.map(([key, value]) => [key.slice('params['.length, -1), value]));
}

function single(query: Query, name: string): string | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new ShapeRequestError(400, { [name]: [`${name} must be given once, as text`] });
  return value;
}

/** `parts`, `public.parts`, `"parts"`, `"public"."parts"` → `parts`. */
export function parseTableName(text: string | undefined): SyncedTable {
  if (!text) throw new ShapeRequestError(400, { table: ['table is required, e.g. table=parts'] });
  const match = /^(?:(?:"public"|public)\.)?(?:"([^"]+)"|([a-z_][a-z0-9_]*))$/.exec(text.trim());
  const name = match?.[1] ?? match?.[2];
  if (!name || !(SYNCED_TABLES as readonly string[]).includes(name)) {
    throw new ShapeRequestError(400, {
      table: [`table ${JSON.stringify(text)} cannot be synced. Tables: ${SYNCED_TABLES.join(', ')}`],
    });
  }
  return name as SyncedTable;
}

/** `id,name` or `"id","name"` (the 1.5 client quotes every name). */
function parseColumns(text: string, schema: TableSchema, hidden: readonly string[]): string[] {
  const names: string[] = [];
  const pattern = /\s*(?:"((?:[^"]|"")+)"|([^,"\s]+))\s*(,|$)/y;
  let match: RegExpExecArray | null;
  while (pattern.lastIndex < text.length && (match = pattern.exec(text))) {
    names.push(match[1]?.replaceAll('""', '"') ?? match[2]!);
    if (match[3] === '') break;
  }
  if (names.length === 0 || pattern.lastIndex < text.length) {
    throw new ShapeRequestError(400, { columns: ['columns must be a comma-separated list of column names'] });
  }
  const available = schema.columns.map((c) => c.name).filter((c) => !hidden.includes(c));
  const unknown = names.filter((n) => !available.includes(n));
  if (unknown.length) {
    throw new ShapeRequestError(400, {
      columns: [`unknown column${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; ${schema.table} has ${available.join(', ')}`],
    });
  }
  const missingKey = schema.primaryKey.filter((k) => !names.includes(k));
  if (missingKey.length) {
    throw new ShapeRequestError(400, { columns: [`columns must include the primary key (${schema.primaryKey.join(', ')})`] });
  }
  return available.filter((c) => names.includes(c));
}

/**
 * Who is asking: a signed-in user, whose rows the server scopes; or a trusted proxy holding the
 * shared secret, which has applied the scope itself (Electric's own trust model).
 */
export type ShapeCaller = AccessTokenSubject | 'trusted-proxy';

/**
 * The server's row filter for this caller: the contract's one visibility rule (`visibleRows`).
 * Column references are unqualified, so the same text works in our queries and upstream in a
 * real Electric.
 */
export function scopeFilter(table: SyncedTable, caller: ShapeCaller): { where: string; params: string[] } {
  if (caller === 'trusted-proxy') return { where: 'true', params: [] };
  const filter = visibleRows(table, caller, { column: quoteIdent });
  if (!filter.ok) throw new ShapeRequestError(403, { table: [filter.reason] });
  return { where: filter.where, params: filter.params };
}

export async function parseShapeRequest(
  query: Query,
  caller: ShapeCaller,
  schemaOf: (table: SyncedTable) => Promise<TableSchema>,
): Promise<ShapeRequest> {
  // The contract's one rule for text at the boundary: NUL and other control characters in any
  // parameter are refused here, by name, before any of it reaches the where compiler or PostgreSQL.
  const invalid = invalidText(query);
  if (invalid.length > 0) {
    throw new ShapeRequestError(
      400,
      Object.fromEntries(invalid.map(({ path, message }) => [String(path[0]), [`${path.map(String).join('.')} ${message}`]])),
    );
  }
  const table = parseTableName(single(query, 'table'));
  const offsetText = single(query, 'offset');
  if (offsetText === undefined) {
    throw new ShapeRequestError(400, { offset: ['offset is required: -1 for a snapshot, or the last electric-offset'] });
  }
  const offset = parseOffset(offsetText);
  if (!offset) {
    throw new ShapeRequestError(400, { offset: [`offset ${JSON.stringify(offsetText)} is not -1, now, or <tx>_<op>`] });
  }
  const handle = single(query, 'handle');
  if (offset.kind === 'position' && !handle) {
    throw new ShapeRequestError(400, { handle: ['handle is required with an offset other than -1 or now'] });
  }
  const liveText = single(query, 'live') ?? 'false';
  if (!['true', 'false'].includes(liveText)) throw new ShapeRequestError(400, { live: ['live must be true or false'] });
  const live = liveText === 'true';
  if (live && offset.kind === 'snapshot') {
    throw new ShapeRequestError(400, { live: ['live is not allowed with offset=-1: fetch the snapshot first'] });
  }
  const sseText = single(query, 'live_sse') ?? single(query, 'experimental_live_sse') ?? 'false';
  if (!['true', 'false'].includes(sseText)) throw new ShapeRequestError(400, { live_sse: ['live_sse must be true or false'] });
  const replica = single(query, 'replica') ?? 'default';
  if (replica !== 'default' && replica !== 'full') {
    throw new ShapeRequestError(400, { replica: ['replica must be default or full'] });
  }
  const log = single(query, 'log') ?? 'full';
  if (log !== 'full' && log !== 'changes_only') {
    throw new ShapeRequestError(400, { log: ['log must be full or changes_only'] });
  }

  const scope = scopeFilter(table, caller);
  const schema = await schemaOf(table);
  const hidden = SHAPE_RULES[table].hiddenColumns ?? [];
  const columnsText = single(query, 'columns');
  const columns = columnsText !== undefined
    ? parseColumns(columnsText, schema, hidden)
    : schema.columns.map((c) => c.name).filter((c) => !hidden.includes(c));

  let where = scope.where;
  let params = scope.params;
  const clientWhere = single(query, 'where');
  if (clientWhere !== undefined) {
    try {
      const visible = new Set(schema.columns.map((c) => c.name).filter((c) => !hidden.includes(c)));
      const compiled = await compileWhere(clientWhere, paramsFromQuery(whereParams(query)), {
        table,
        columns: visible,
        paramOffset: scope.params.length,
      });
      where = scope.where === 'true' ? compiled.sql : `(${scope.where}) and (${compiled.sql})`;
      params = [...scope.params, ...compiled.params];
    } catch (error) {
      if (error instanceof WhereError) throw new ShapeRequestError(400, { where: [error.message] });
      throw error;
    }
  } else if (whereParams(query) !== undefined) {
    throw new ShapeRequestError(400, { params: ['params are only used with a where clause'] });
  }

  return {
    table,
    offset,
    handle,
    live,
    sse: live && sseText === 'true',
    cursor: single(query, 'cursor'),
    shape: { table, columns, where, params, replica, log },
  };
}
