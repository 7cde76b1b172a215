import { PGlite } from '@electric-sql/pglite';
import { electricSync, type InitialInsertMethod } from '@electric-sql/pglite-sync';
import type pg from 'pg';

/**
 * Benchmark 1: a first sync of the whole `parts` shape into PGlite, measured three ways:
 * - pglite-sync's `syncShapesToTables` (what a tablet does), start → `onInitialSync`;
 * - the practical limit: PGlite's own `COPY … FROM '/dev/blob'` of the same rows as CSV;
 * - the server's part: one HTTP snapshot response on its own.
 */

export interface RequestTiming {
  /** The request's `offset` (and `live`) parameters. */
  label: string;
  status: number;
  /** Milliseconds since the sync started. */
  started: number;
  headers: number;
  done: number;
  bytes: number;
}

export interface SyncRun {
  method: InitialInsertMethod;
  seconds: number;
  /** Of those, seconds this process's event loop was busy (parsing, pglite-sync, PGlite's SQL). */
  busySeconds: number;
  rows: number;
  requests: RequestTiming[];
}

/** Column definitions of the server's `parts` table, for an identical local table. */
export async function localPartsDdl(pool: pg.Pool, table = 'parts'): Promise<string> {
  const { rows } = await pool.query<{ name: string; type: string; pk: boolean }>(
    `select a.attname as name, format_type(a.atttypid, a.atttypmod) as type,
            coalesce(a.attnum = any(i.indkey::int2[]), false) as pk
       from pg_attribute a
       left join pg_index i on i.indrelid = a.attrelid and i.indisprimary
      where a.attrelid = 'public.parts'::regclass and a.attnum > 0 and not a.attisdropped
      order by a.attnum`,
  );
  const columns = rows.map((r) => `"${r.name}" ${r.type}`);
  const key = rows.filter((r) => r.pk).map((r) => `"${r.name}"`);
  return `create table "${table}" (${columns.join(', ')}, primary key (${key.join(', ')}))`;
}

/** The site's parts as CSV (COPY's quoting: NULL unquoted and empty, every value quoted), and its columns. */
export async function partsCsv(pool: pg.Pool, siteId: string): Promise<{ csv: string; rows: number; columns: string[] }> {
  const { rows: columns } = await pool.query<{ name: string }>(
    `select attname as name from pg_attribute
      where attrelid = 'public.parts'::regclass and attnum > 0 and not attisdropped order by attnum`,
  );
  const list = columns.map((c) => `"${c.name}"::text`).join(', ');
  const result = await pool.query<string[]>({
    text: `select ${list} from parts where site_id = $1`,
    values: [siteId],
    rowMode: 'array',
  });
  const quote = (value: string | null) => (value === null ? '' : `"${value.replaceAll('"', '""')}"`);
  const csv = result.rows.map((row) => row.map(quote).join(',')).join('\n') + '\n';
  return { csv, rows: result.rows.length, columns: columns.map((c) => c.name) };
}

/** PGlite's COPY of the CSV into an identical empty table; only the COPY is timed. */
export async function timeCopy(ddl: string, csv: string): Promise<{ seconds: number; rows: number }> {
  const db = await PGlite.create();
  try {
    await db.exec(ddl);
    const blob = new Blob([csv]);
    const started = performance.now();
    await db.query(`copy parts from '/dev/blob' with (format csv)`, [], { blob });
    const seconds = (performance.now() - started) / 1000;
    const { rows } = await db.query<{ n: number }>('select count(*)::int as n from parts');
    return { seconds, rows: rows[0]!.n };
  } finally {
    await db.close();
  }
}

/** A fetch that records when headers and the whole body arrived (it buffers the body first). */
function timedFetch(origin: number, into: RequestTiming[]): typeof fetch {
  return async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const label = ['offset', 'live']
      .map((p) => url.searchParams.get(p) && `${p}=${url.searchParams.get(p)}`)
      .filter(Boolean)
      .join('&');
    const started = performance.now() - origin;
    const res = await fetch(input, init);
    const headers = performance.now() - origin;
    const body = await res.arrayBuffer();
    into.push({ label, status: res.status, started, headers, done: performance.now() - origin, bytes: body.byteLength });
    const nullBody = [101, 204, 205, 304].includes(res.status);
    return new Response(nullBody ? null : body, { status: res.status, statusText: res.statusText, headers: res.headers });
  };
}

/** pglite-sync into a fresh in-memory PGlite: start → onInitialSync. */
export async function timePgliteSync(
  serverUrl: string,
  token: string,
  ddl: string,
  method: InitialInsertMethod,
  /** Called right before the sync starts and right after onInitialSync (set-up is not measured). */
  hooks: { onStart?: () => void; onInitialSync?: () => void } = {},
): Promise<SyncRun> {
  const local = await PGlite.create({ extensions: { electric: electricSync() } });
  try {
    await local.exec(ddl);
    const requests: RequestTiming[] = [];
    hooks.onStart?.();
    const started = performance.now();
    const loop = performance.eventLoopUtilization();
    let busySeconds = 0;
    let subscription: { unsubscribe(): void } | undefined;
    const seconds = await new Promise<number>((resolve, reject) => {
      local.electric
        .syncShapesToTables({
          key: `bench-${method}`,
          initialInsertMethod: method,
          shapes: {
            parts: {
              shape: {
                url: `${serverUrl}/v1/shape`,
                params: { table: 'parts' },
                headers: { authorization: `Bearer ${token}` },
                fetchClient: timedFetch(started, requests),
              },
              table: 'parts',
              primaryKey: ['id'],
            },
          },
          onInitialSync: () => {
            busySeconds = performance.eventLoopUtilization(loop).active / 1000;
            resolve((performance.now() - started) / 1000);
            hooks.onInitialSync?.();
          },
          onError: (error) => reject(error),
        })
        .then((sub) => (subscription = sub), reject);
    });
    // Requests after up-to-date (the first live long-poll) are not part of the initial sync.
    const initial = requests.filter((r) => r.done <= seconds * 1000);
    subscription?.unsubscribe();
    const { rows } = await local.query<{ n: number }>('select count(*)::int as n from parts');
    return { method, seconds, busySeconds, rows: rows[0]!.n, requests: initial };
  } finally {
    await local.close();
  }
}

export interface SnapshotFetch {
  ttfb: number;
  total: number;
  /** The body as read (decompressed). */
  bytes: number;
  /** The body as sent (gzipped when the server compressed it: its Content-Length). */
  wireBytes: number;
  messages: number;
  encoding: string | null;
  /** A first attempt that failed before any response (e.g. a keep-alive socket the server had just closed). */
  retriedAfter: string | undefined;
}

/** One GET of a shape snapshot (offset=-1): time to headers, to the whole body, and its size. */
export async function timeSnapshotFetch(serverUrl: string, token: string, query: string): Promise<SnapshotFetch> {
  const get = () => fetch(`${serverUrl}/v1/shape?${query}`, { headers: { authorization: `Bearer ${token}` } });
  let started = performance.now();
  let retriedAfter: string | undefined;
  let res: Response;
  try {
    res = await get();
  } catch (error) {
    retriedAfter = `${(error as Error).message}: ${String((error as Error).cause ?? '')}`;
    started = performance.now();
    res = await get();
  }
  const ttfb = performance.now() - started;
  const body = await res.arrayBuffer();
  const total = performance.now() - started;
  if (!res.ok) throw new Error(`GET /v1/shape?${query}: HTTP ${res.status} ${Buffer.from(body).toString('utf8').slice(0, 300)}`);
  const messages = (JSON.parse(Buffer.from(body).toString('utf8')) as unknown[]).length;
  return {
    ttfb: ttfb / 1000,
    total: total / 1000,
    bytes: body.byteLength,
    wireBytes: Number(res.headers.get('content-length')) || body.byteLength,
    messages,
    encoding: res.headers.get('content-encoding'),
    retriedAfter,
  };
}
