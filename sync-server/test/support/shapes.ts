/**
 * Helpers for the shape-service acceptance tests (test/shapes/*): signing in, raw protocol
 * requests, recording every request and response a client makes (and checking the protocol's
 * ordering rules over them), reading the server's rows independently of the shape service, local
 * PGlite tables shaped like the server's, and waiting for convergence.
 *
 * Nothing here uses the shape service's own code: expectations are built from the catalog and from
 * plain SQL, so a bug in the service cannot hide in its own yardstick.
 */
import { setMaxListeners } from 'node:events';
import { SHAPE_RULES, SYNCED_TABLES, type SyncedTable } from '@cimco/contract';
import { PGlite } from '@electric-sql/pglite';
import { electricSync, type SyncNamespaceObj } from '@electric-sql/pglite-sync';
import pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import type { RunningServer } from '../../src/server.ts';
import { login, readJson } from './server.ts';

export { SYNCED_TABLES, type SyncedTable };

// Every shape stream of a client listens on its one abort signal (13 tables > Node's default 10).
setMaxListeners(100);

// ---------------------------------------------------------------------------------------------
// Sessions
// ---------------------------------------------------------------------------------------------

export interface Session {
  token: string;
  headers: { authorization: string };
  userId: string;
  siteId: string;
  role: string;
  deviceId: string | undefined;
}

/** Signs in a demo user; `device: true` registers a new tablet (needed for mutation_results). */
export async function signIn(url: string, username: string, { device = false } = {}): Promise<Session> {
  const deviceId = device ? uuidv7() : undefined;
  const res = await login(url, username, 'demo', deviceId ? { id: deviceId, name: `test ${username}` } : undefined);
  if (res.status !== 200) throw new Error(`sign-in of ${username} failed: ${res.status} ${await res.text()}`);
  const body = await readJson(res);
  return {
    token: body.accessToken,
    headers: { authorization: `Bearer ${body.accessToken}` },
    userId: body.user.id,
    siteId: body.user.siteId,
    role: body.user.role,
    deviceId,
  };
}

// ---------------------------------------------------------------------------------------------
// Raw protocol requests
// ---------------------------------------------------------------------------------------------

/** A protocol message, loosely typed: tests check its fields themselves. */
export interface Message {
  key?: string;
  value?: Record<string, unknown>;
  old_value?: Record<string, unknown>;
  headers: Record<string, unknown> & { operation?: string; control?: string; lsn?: string; global_last_seen_lsn?: string };
}

export interface ShapeResponse {
  status: number;
  headers: Headers;
  text: string;
  /** The body as JSON (array of messages, or an error object), when it parses. */
  json: unknown;
  messages: Message[];
}

/** One `GET /v1/shape`, as any HTTP client would send it. `params` values go to the query string. */
export async function getShape(
  url: string,
  params: Record<string, string | undefined>,
  { headers = {}, signal }: { headers?: Record<string, string>; signal?: AbortSignal } = {},
): Promise<ShapeResponse> {
  const target = new URL(`${url}/v1/shape`);
  for (const [name, value] of Object.entries(params)) if (value !== undefined) target.searchParams.set(name, value);
  const res = await fetch(target, { headers, signal });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json, messages: Array.isArray(json) ? (json as Message[]) : [] };
}

export const isChange = (m: Message) => typeof m.headers.operation === 'string';
export const isControl = (m: Message, control: string) => m.headers.control === control;

/**
 * Fetches a whole shape the way a client does: snapshot (under `handle`, if given), then catch-up
 * until up-to-date. A 409 is an error here (callers that expect one make the requests themselves).
 */
export async function fetchWholeShape(
  url: string,
  params: Record<string, string | undefined>,
  headers: Record<string, string>,
  { handle }: { handle?: string } = {},
): Promise<{ handle: string; offset: string; messages: Message[]; responses: ShapeResponse[] }> {
  const responses: ShapeResponse[] = [];
  let res = await getShape(url, { ...params, offset: '-1', handle }, { headers });
  responses.push(res);
  const messages: Message[] = [];
  for (let i = 0; ; i++) {
    if (res.status !== 200) throw new Error(`shape request answered ${res.status}: ${res.text}`);
    messages.push(...res.messages);
    if (res.headers.has('electric-up-to-date')) break;
    if (i > 1_000) throw new Error('shape never became up to date');
    res = await getShape(
      url,
      { ...params, offset: res.headers.get('electric-offset')!, handle: res.headers.get('electric-handle')! },
      { headers },
    );
    responses.push(res);
  }
  return { handle: res.headers.get('electric-handle')!, offset: res.headers.get('electric-offset')!, messages, responses };
}

// ---------------------------------------------------------------------------------------------
// Recording what clients do, and the protocol's ordering rules over it
// ---------------------------------------------------------------------------------------------

export interface RecordedExchange {
  /** Which client stream made the request (e.g. `tablet-1/parts`). */
  stream: string;
  url: URL;
  /** Undefined while pending, or when the request failed without a response (see `failed`). */
  status: number | undefined;
  /** The request failed without a response: server down, connection cut, or aborted by the client. */
  failed: boolean;
  headers: Headers | undefined;
  /** Parsed body of 2xx/409 responses (filled in when the body has been read). */
  messages: Message[] | undefined;
  /** The request was made after `ResponseLog.mark()` was called with this label. */
  phase: string;
}

/**
 * Every request and response of the clients given a `fetchFor(stream)` fetchClient, in the order
 * the responses arrived. Each client stream makes one request at a time, so per stream this is
 * the order the client processed them in.
 */
export class ResponseLog {
  readonly exchanges: RecordedExchange[] = [];
  #phase = 'start';
  #pendingBodies = new Set<Promise<void>>();

  /** Labels the requests made from now on (e.g. 'after-restart'). */
  mark(phase: string): void {
    this.#phase = phase;
  }

  fetchFor(stream: string, base: typeof fetch = fetch): typeof fetch {
    return async (input, init) => {
      const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
      const exchange: RecordedExchange = { stream, url, status: undefined, failed: false, headers: undefined, messages: undefined, phase: this.#phase };
      this.exchanges.push(exchange);
      let res: Response;
      try {
        res = await base(input, init);
      } catch (error) {
        exchange.failed = true;
        throw error;
      }
      exchange.status = res.status;
      exchange.headers = res.headers;
      if (res.status === 200 || res.status === 409) {
        const reading = res
          .clone()
          .text()
          .then((text) => {
            const parsed = text ? (JSON.parse(text) as unknown) : [];
            exchange.messages = Array.isArray(parsed) ? (parsed as Message[]) : [];
          })
          .catch(() => {}) // aborted mid-body: the client never saw it either
          .finally(() => this.#pendingBodies.delete(reading));
        this.#pendingBodies.add(reading);
      }
      return res;
    };
  }

  async settled(): Promise<void> {
    await Promise.all([...this.#pendingBodies]);
  }

  requests(filter: { stream?: string | RegExp; phase?: string } = {}): RecordedExchange[] {
    return this.exchanges.filter(
      (e) =>
        (filter.stream === undefined ||
          (typeof filter.stream === 'string' ? e.stream === filter.stream : filter.stream.test(e.stream))) &&
        (filter.phase === undefined || e.phase === filter.phase),
    );
  }

  /**
   * The ordering rules (PROTOCOL.md), per client stream and handle; returns the violations found:
   * - change lsns never go backwards, and electric-offset never goes backwards;
   * - no change arrives with an lsn ≤ a global_last_seen_lsn already sent on that stream;
   * - global_last_seen_lsn never goes backwards and is a decimal string;
   * - within a response, a transaction's changes carry op_position 0, 1, … and `last` on the final one.
   * A request at offset -1 starts the stream over (after a 409, or a new client instance).
   */
  orderingViolations(): string[] {
    const problems: string[] = [];
    const state = new Map<string, { lsn: bigint; gls: bigint; offset: bigint }>();
    const offsetValue = (text: string | null) => (text && /^\d+_/.test(text) ? BigInt(text.split('_')[0]!) : -1n);
    for (const e of this.exchanges) {
      if (e.status !== 200 || !e.messages || !e.headers) continue;
      const handle = e.headers.get('electric-handle') ?? '?';
      const key = `${e.stream} ${handle}`;
      const where = `${e.stream} ${e.url.search}`;
      if (e.url.searchParams.get('offset') === '-1' || !state.has(key)) state.set(key, { lsn: -1n, gls: -1n, offset: -1n });
      const s = state.get(key)!;
      const offset = offsetValue(e.headers.get('electric-offset'));
      if (offset < s.offset) problems.push(`${where}: electric-offset went back from ${s.offset} to ${offset}`);
      s.offset = offset;
      let txLsn: string | undefined;
      let position = 0;
      e.messages.forEach((m, i) => {
        if (isChange(m) && m.headers.lsn !== undefined) {
          if (typeof m.headers.lsn !== 'string' || !/^\d+$/.test(m.headers.lsn)) {
            problems.push(`${where}: lsn ${JSON.stringify(m.headers.lsn)} is not a decimal string`);
            return;
          }
          const lsn = BigInt(m.headers.lsn);
          if (lsn < s.lsn) problems.push(`${where}: lsn went back from ${s.lsn} to ${lsn}`);
          if (lsn <= s.gls) problems.push(`${where}: change at lsn ${lsn} after global_last_seen_lsn ${s.gls} was sent`);
          s.lsn = lsn;
          position = txLsn === m.headers.lsn ? position + 1 : 0;
          txLsn = m.headers.lsn;
          if (m.headers.op_position !== position) {
            problems.push(`${where}: op_position ${String(m.headers.op_position)} where ${position} was due (lsn ${lsn})`);
          }
          const next = e.messages![i + 1];
          const lastOfTx = !next || !isChange(next) || next.headers.lsn !== m.headers.lsn;
          if (lastOfTx !== (m.headers.last === true)) problems.push(`${where}: 'last' is wrong at lsn ${lsn} op ${position}`);
          if (!Array.isArray(m.headers.txids) || m.headers.txids.length !== 1 || typeof m.headers.txids[0] !== 'number') {
            problems.push(`${where}: txids ${JSON.stringify(m.headers.txids)} is not [number]`);
          }
        } else if (isControl(m, 'up-to-date')) {
          const text = m.headers.global_last_seen_lsn;
          if (typeof text !== 'string' || !/^\d+$/.test(text)) {
            problems.push(`${where}: global_last_seen_lsn ${JSON.stringify(text)} is not a decimal string`);
            return;
          }
          const gls = BigInt(text);
          if (gls < s.gls) problems.push(`${where}: global_last_seen_lsn went back from ${s.gls} to ${gls}`);
          if (gls < s.lsn) problems.push(`${where}: global_last_seen_lsn ${gls} below a change lsn ${s.lsn} already sent`);
          s.gls = gls > s.gls ? gls : s.gls;
        }
      });
    }
    return problems;
  }
}

// ---------------------------------------------------------------------------------------------
// The server's rows, read independently of the shape service
// ---------------------------------------------------------------------------------------------

export interface ColumnType {
  name: string;
  /** typname (of the element type for arrays). */
  type: string;
  /** format_type(): the column's full SQL type, for local tables. */
  sqlType: string;
  isArray: boolean;
}

/** A synced table's columns as the tablet may see them (hidden columns left out), from the catalog. */
export async function columnsOf(pool: pg.Pool, table: SyncedTable): Promise<ColumnType[]> {
  const { rows } = await pool.query<{ name: string; type: string; sql_type: string; is_array: boolean }>(
    `select a.attname as name, coalesce(e.typname, t.typname) as type,
            format_type(a.atttypid, a.atttypmod) as sql_type, e.oid is not null as is_array
       from pg_attribute a join pg_type t on t.oid = a.atttypid left join pg_type e on e.oid = t.typelem and t.typcategory = 'A'
      where a.attrelid = format('public.%I', $1::text)::regclass and a.attnum > 0 and not a.attisdropped
      order by a.attnum`,
    [table],
  );
  const hidden = SHAPE_RULES[table].hiddenColumns ?? [];
  return rows
    .filter((r) => !hidden.includes(r.name))
    .map((r) => ({ name: r.name, type: r.type, sqlType: r.sql_type, isArray: r.is_array }));
}

export async function primaryKeyOf(pool: pg.Pool, table: string): Promise<string[]> {
  const { rows } = await pool.query<{ name: string }>(
    `select a.attname as name
       from pg_index i join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)
      where i.indrelid = format('public.%I', $1::text)::regclass and i.indisprimary
      order by array_position(i.indkey::int2[], a.attnum)`,
    [table],
  );
  return rows.map((r) => r.name);
}

/** What a caller may see of a table (SHAPE_RULES), written out as plain SQL over alias `t`. */
export function scopeSql(table: SyncedTable, session: Pick<Session, 'siteId' | 'userId' | 'role' | 'deviceId'>): { where: string; params: string[] } {
  const rule = SHAPE_RULES[table];
  const params: string[] = [];
  const clauses: string[] = [];
  if (rule.scope === 'the-site-row') clauses.push(`t.id = $${params.push(session.siteId)}`);
  else clauses.push(`t.site_id = $${params.push(session.siteId)}`);
  if (rule.scope === 'own-commands') {
    clauses.push(`t.device_id = $${params.push(session.deviceId ?? '00000000-0000-0000-0000-000000000000')}`);
    clauses.push(`t.user_id = $${params.push(session.userId)}`);
  }
  if (rule.selfOnly?.includes(session.role as never)) clauses.push(`t.user_id = $${params.push(session.userId)}`);
  return { where: clauses.join(' and '), params };
}

const RAW_TEXT = { getTypeParser: () => (value: string) => value };

/**
 * The rows of `table` matching `where` (over alias `t`), each column as PostgreSQL's own text
 * output under the pool's session settings (the test pool uses the protocol's: UTC, ISO).
 */
export async function serverRowsAsText(
  pool: pg.Pool,
  table: SyncedTable,
  where: string,
  params: unknown[],
  columns?: readonly string[],
): Promise<Record<string, string | null>[]> {
  const names = columns ?? (await columnsOf(pool, table)).map((c) => c.name);
  const { rows } = await pool.query<Record<string, string | null>>({
    text: `select ${names.map((n) => `t."${n}"`).join(', ')} from public."${table}" t where ${where}`,
    values: params,
    types: RAW_TEXT,
  });
  return rows;
}

/**
 * How `@electric-sql/client` turns a value's text into JS by its column type (its default parser):
 * written out here, independently, so the test checks the client's parse against PostgreSQL's own
 * text output rather than against the server's code.
 */
export function parseLikeClient(text: string | null, type: string): unknown {
  if (text === null) return null;
  switch (type) {
    case 'int2':
    case 'int4':
    case 'float4':
    case 'float8':
    case 'oid':
      return Number(text);
    case 'int8':
      return BigInt(text);
    case 'bool':
      return text === 't' || text === 'true';
    case 'json':
    case 'jsonb':
      return JSON.parse(text) as unknown;
    default:
      return text;
  }
}

/** The rows a 1.5 `Shape` should hold for this filter, parsed as the client parses them, by primary key. */
export async function expectedClientRows(
  pool: pg.Pool,
  table: SyncedTable,
  where: string,
  params: unknown[],
  columns?: readonly string[],
): Promise<Map<string, Record<string, unknown>>> {
  const types = await columnsOf(pool, table);
  const selected = columns ? types.filter((c) => columns.includes(c.name)) : types;
  const pk = await primaryKeyOf(pool, table);
  const rows = await serverRowsAsText(pool, table, where, params, selected.map((c) => c.name));
  return new Map(
    rows.map((row) => [
      pk.map((k) => row[k]).join('/'),
      Object.fromEntries(selected.map((c) => [c.name, c.isArray ? row[c.name] : parseLikeClient(row[c.name]!, c.type)])),
    ]),
  );
}

/** A client's rows keyed like expectedClientRows. */
export function keyedRows(rows: Iterable<Record<string, unknown>>, pk: readonly string[]): Map<string, Record<string, unknown>> {
  return new Map([...rows].map((row) => [pk.map((k) => String(row[k])).join('/'), row]));
}

/** Anything that runs SQL and returns rows: a pg pool or a PGlite. */
export interface Queryable {
  query<T>(sql: string, params?: unknown[]): Promise<{ rows: T[] }>;
}

/**
 * Canonical full-row texts (`to_jsonb(row)::text`, sorted), on the server or in a PGlite: both are
 * PostgreSQL 17, so equal rows give equal texts. Run with TimeZone UTC on both sides.
 */
export async function canonicalRows(db: Queryable, table: string, where = 'true', params: unknown[] = [], drop: readonly string[] = []): Promise<string[]> {
  const minus = drop.map((c) => ` - '${c}'`).join('');
  const { rows } = await db.query<{ j: string }>(`select (to_jsonb(t)${minus})::text as j from public."${table}" t where ${where}`, params);
  return rows.map((r) => r.j).sort();
}

/** A PGlite with the pglite-sync extension, like the tablet's (in memory, or on disk in `dataDir`). */
export type SyncedPGlite = PGlite & { electric: SyncNamespaceObj };

export async function createSyncedPGlite(dataDir?: string): Promise<SyncedPGlite> {
  const local = await PGlite.create({ ...(dataDir && { dataDir }), extensions: { electric: electricSync() } });
  // Canonical row texts render timestamps in the session zone: UTC, as on the server.
  await local.exec(`set timezone to 'UTC'`);
  return local;
}

/** `create table` for a local copy of a synced table: same columns and types, same primary key, no other constraints. */
export async function localTableSql(pool: pg.Pool, table: SyncedTable, localName: string = table): Promise<string> {
  const columns = await columnsOf(pool, table);
  const pk = await primaryKeyOf(pool, table);
  return `create table if not exists "${localName}" (${columns.map((c) => `"${c.name}" ${c.sqlType}`).join(', ')}, primary key (${pk.map((k) => `"${k}"`).join(', ')}));`;
}

// ---------------------------------------------------------------------------------------------
// The feed, and waiting
// ---------------------------------------------------------------------------------------------

/** Publishes what is committed and returns the feed head (the newest lsn). */
export async function feedHead(server: Pick<RunningServer, 'publisher'>, pool: pg.Pool): Promise<bigint> {
  await server.publisher.publishNow();
  const { rows } = await pool.query<{ last: string }>('select last_tx_offset::text as last from shape_feed_state');
  return BigInt(rows[0]!.last);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Polls until `probe` returns something other than undefined/false; throws `what` after
 * `timeoutMs` (a bound on a test that would otherwise hang, not a performance assertion).
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  { timeoutMs = 60_000, intervalMs = 50 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/** Fast retries for tests (the 1.5 client otherwise starts at 1 s and doubles). */
export const QUICK_BACKOFF = { initialDelay: 50, maxDelay: 500, multiplier: 1.5 };
