import fs from 'node:fs/promises';
import http from 'node:http';
import type net from 'node:net';
import path from 'node:path';
import type { BrowserContext, Page } from '@playwright/test';
import { build } from 'esbuild';
import type { SearchTerm } from './client-phases.ts';
import { REPO_ROOT, type Environment } from './environment.ts';
import type { RawPgliteApi } from './raw-pglite-page.ts';
import type { DurableResult, OpenResult, QueryResult, RawRequest, SearchResultRaw } from './raw-pglite-protocol.ts';

/**
 * The limits the tablet app's figures are set beside: a raw PGlite (the version the app uses) in a
 * dedicated worker, in the same Chromium as the app run, on each storage kind (OPFS access handles
 * and IndexedDB), with the same parts as the app's generated yard:
 *
 * - `select 1`: the bare postMessage round trip, the query inside the worker, and page → worker →
 *   page;
 * - a durable single-row insert (its own transaction, committed and flushed to the storage);
 * - the search: a parts table with a pg_trgm GIN index on a lower-cased part number + name +
 *   manufacturer column, `ilike '%term%' order by part_number limit 60` and its count, for the
 *   app search phase's terms;
 * - COPY of every part (CSV) into the empty table, then the index build;
 * - the same database opened again: in the same worker after `close`, and in a new worker (worker
 *   start, PGlite's code and WebAssembly, the open, the first query).
 *
 * The page and its worker are bundled with esbuild at the start (raw-pglite-page.ts,
 * raw-pglite-worker.ts) and served with PGlite's WebAssembly, data and pg_trgm files from a small
 * HTTP server on 127.0.0.1 (its own port, so its own origin: its OPFS and IndexedDB are not the
 * app's), opened in a second page of the app's browser.
 */

export type RawStorage = 'opfs-ahp' | 'idb';
export const RAW_STORAGES: readonly RawStorage[] = ['opfs-ahp', 'idb'];

/** The cluster as the app makes it (client/src/db/cluster-settings.ts: 1 MB WAL segments). */
const INITDB_ARGS = ['--wal-segsize=1'];
const ECHOES = 30;
const SELECT_LOOP = 200;
const SELECT_ROUND_TRIPS = 30;
const ROUND_TRIP_GAP_MS = 50;
export const RAW_INSERTS = 100;
export const SEARCH_LIMIT = 60;

const PGLITE_DIST = path.join(REPO_ROOT, 'node_modules', '@electric-sql', 'pglite', 'dist');
/** PGlite's files the bundle loads next to itself (`new URL('./pglite.wasm', import.meta.url)`, …). */
const PGLITE_FILES: Record<string, string> = {
  '/pglite.wasm': 'pglite.wasm',
  '/pglite.data': 'pglite.data',
  '/initdb.wasm': 'initdb.wasm',
  '/pg_trgm.tar.gz': 'pg_trgm.tar.gz',
};

export interface RawStorageResult {
  storage: RawStorage;
  dataDir: string;
  /** Set when this storage kind failed; the figures before the failure are kept. */
  error?: string;
  /** A new worker and a new database (initdb in the worker), page clock. */
  create?: { ms: number; worker: OpenResult };
  /** postMessage to the worker and back, nothing else, ms. */
  echo: number[];
  /** `select 1` inside the worker, one after another, ms. */
  selectInWorker: number[];
  /** `select 1` page → worker → page, one message each, 50 ms apart, ms. */
  selectRoundTrip: number[];
  copy?: { ms: number; worker: DurableResult };
  index?: { ms: number; worker: DurableResult };
  /** Each term once, as the app's search phase types it. */
  searches: { term: string; ms: number; worker: SearchResultRaw }[];
  /** The same terms a second time (PGlite's code and caches warm), page ms. */
  searchesAgain: number[];
  inserts: { ms: number; worker: DurableResult }[];
  /** `close`, then PGlite.create on the same dataDir in the same worker → `select 1`. */
  reopen?: { closeMs: number; ms: number; worker: OpenResult };
  /** A new worker on the same dataDir: `new Worker` → `select 1` answered, then the first 60 parts. */
  newWorker?: { ms: number; worker: OpenResult; firstPageMs: number; parts: number };
  /** What the origin's storage use grew by during this storage kind's run, bytes. */
  storageBytes?: number;
}

export interface RawResults {
  pgliteVersion: string;
  /** Parts in the CSV, and its size. */
  parts: number;
  csvBytes: number;
  initdbArgs: string[];
  storages: RawStorageResult[];
}

/** The bundles and the HTTP server that serves them (with PGlite's files and the parts as CSV). */
export class RawPgliteSite {
  private constructor(
    private readonly served: { csv: string },
    readonly url: string,
    readonly pgliteVersion: string,
  ) {}

  /** What `/parts.csv` answers from now on. */
  set csv(csv: string) {
    this.served.csv = csv;
  }

  /** Bundles the page and the worker, and starts the server (stopped by the environment's clean-up). */
  static async start(env: Environment): Promise<RawPgliteSite> {
    const here = import.meta.dirname;
    const bundle = await build({
      entryPoints: { 'raw-pglite-page': path.join(here, 'raw-pglite-page.ts'), 'raw-pglite-worker': path.join(here, 'raw-pglite-worker.ts') },
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'chrome120',
      outdir: 'raw',
      write: false,
      logLevel: 'silent',
    });
    const files = new Map<string, { body: Buffer | string; type: string }>();
    for (const file of bundle.outputFiles) files.set(`/${path.basename(file.path)}`, { body: Buffer.from(file.contents), type: 'text/javascript' });
    files.set('/', {
      body: '<!doctype html><meta charset="utf-8"><title>raw PGlite</title><script type="module" src="/raw-pglite-page.js"></script>',
      type: 'text/html; charset=utf-8',
    });
    for (const [route, name] of Object.entries(PGLITE_FILES)) {
      files.set(route, { body: await fs.readFile(path.join(PGLITE_DIST, name)), type: name.endsWith('.wasm') ? 'application/wasm' : 'application/octet-stream' });
    }
    const { version } = JSON.parse(await fs.readFile(path.join(PGLITE_DIST, '..', 'package.json'), 'utf8')) as { version: string };

    const served = { csv: '' };
    const server = http.createServer((req, res) => {
      const route = (req.url ?? '/').split('?')[0]!;
      const file = route === '/parts.csv' ? { body: served.csv, type: 'text/csv; charset=utf-8' } : files.get(route);
      if (!file || req.method !== 'GET') {
        res.writeHead(404).end();
        return;
      }
      // PGlite's files may be cached (and their compiled code with them), as the app's are by its
      // service worker; the CSV changes with the part count.
      res.writeHead(200, { 'content-type': file.type, 'cache-control': route === '/parts.csv' ? 'no-store' : 'max-age=3600' });
      res.end(file.body);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    env.onCleanUp('stop the raw-PGlite HTTP server', async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });
    const { port } = server.address() as net.AddressInfo;
    return new RawPgliteSite(served, `http://127.0.0.1:${port}`, version);
  }
}

export interface RawInput {
  /** `create table "parts" (…)` with the server's columns (initial-sync.ts `localPartsDdl`). */
  ddl: string;
  csv: string;
  columns: string[];
  parts: number;
  terms: SearchTerm[];
  storages: readonly RawStorage[];
}

/** LIKE's wildcards and escape character in a typed term, escaped (as the app's parts-query.ts does). */
const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

export const RAW_SEARCH_SQL = `select id, part_number, name, manufacturer, location, quantity from parts where search ilike $1 order by part_number limit ${SEARCH_LIMIT}`;
export const RAW_COUNT_SQL = 'select count(*)::int as n from parts where search ilike $1';
const SETUP_SQL = `create extension if not exists pg_trgm;
alter table parts add column search text generated always as (lower(part_number || ' ' || name || ' ' || coalesce(manufacturer, ''))) stored;
create table commands (id bigint generated always as identity primary key, name text not null, args jsonb not null,
                       recorded_at timestamptz not null default now());`;
const INDEX_SQL = `create index parts_search_trgm_idx on parts using gin (search gin_trgm_ops);
create index parts_part_number_idx on parts (part_number);
analyze parts;`;
const INSERT_SQL = 'insert into commands (name, args) values ($1, $2::jsonb)';

/** Calls a method of the raw page (raw-pglite-page.ts) and returns what it resolves to. */
function caller(page: Page) {
  return <K extends keyof RawPgliteApi>(method: K, ...args: Parameters<RawPgliteApi[K]>): Promise<Awaited<ReturnType<RawPgliteApi[K]>>> =>
    page.evaluate(
      ([name, list]) => {
        const raw = (globalThis as unknown as { __rawPglite?: Record<string, (...a: unknown[]) => unknown> }).__rawPglite;
        if (!raw) throw new Error('the raw-PGlite page is not loaded');
        return raw[name as string]!(...(list as unknown[]));
      },
      [method, args] as const,
    ) as Promise<Awaited<ReturnType<RawPgliteApi[K]>>>;
}

/**
 * Measures the raw limits in a new page of `context` (closed afterwards), storage kind after storage
 * kind; a kind that fails keeps its figures so far and its error.
 */
export async function measureRaw(context: BrowserContext, site: RawPgliteSite, input: RawInput, progress: (m: string) => void): Promise<RawResults> {
  site.csv = input.csv;
  const page = await context.newPage();
  try {
    await page.goto(`${site.url}/`);
    await page.waitForFunction(() => '__rawPglite' in globalThis, undefined, { timeout: 60_000 });
    const call = caller(page);
    const storages: RawStorageResult[] = [];
    for (const storage of input.storages) {
      const result: RawStorageResult = { storage, dataDir: `${storage}://raw-bench`, echo: [], selectInWorker: [], selectRoundTrip: [], searches: [], searchesAgain: [], inserts: [] };
      storages.push(result);
      const before = await call('storageUsage').catch(() => undefined);
      try {
        await measureStorage(call, result, input, (m) => progress(`raw PGlite, ${storage}://: ${m}`));
      } catch (error) {
        // The browser going away (Ctrl+C's clean-up, a crash) ends the run; a storage kind failing does not.
        if (page.isClosed()) throw error;
        result.error = (error as Error).message.split('\n')[0];
        progress(`raw PGlite, ${storage}:// failed: ${result.error}`);
      } finally {
        await call('stop').catch(() => undefined);
      }
      const after = await call('storageUsage').catch(() => undefined);
      if (before !== undefined && after !== undefined) result.storageBytes = after - before;
    }
    return { pgliteVersion: site.pgliteVersion, parts: input.parts, csvBytes: Buffer.byteLength(input.csv), initdbArgs: INITDB_ARGS, storages };
  } finally {
    await page.close();
  }
}

async function measureStorage(call: ReturnType<typeof caller>, r: RawStorageResult, input: RawInput, progress: (m: string) => void): Promise<void> {
  progress('a new database in a new worker');
  const created = await call('startAndOpen', r.dataDir, INITDB_ARGS);
  r.create = { ms: created.ms, worker: created.result };

  progress('select 1');
  r.echo = (await call('roundTrips', { op: 'echo' }, ECHOES, ROUND_TRIP_GAP_MS)).page;
  r.selectInWorker = await call('selectLoop', SELECT_LOOP);
  const select: RawRequest = { op: 'query', sql: 'select 1' };
  r.selectRoundTrip = (await call('roundTrips', select, SELECT_ROUND_TRIPS, ROUND_TRIP_GAP_MS)).page;

  progress(`COPY of ${input.parts} parts, then the indexes`);
  await call('exec', `${input.ddl};\n${SETUP_SQL}`);
  await call('loadCsv', '/parts.csv');
  const copy = await call('copy', 'parts', input.columns);
  r.copy = { ms: copy.ms, worker: copy.result };
  if (copy.result.rows !== input.parts) throw new Error(`COPY stored ${copy.result.rows} parts of ${input.parts}`);
  const index = await call('exec', INDEX_SQL);
  r.index = { ms: index.ms, worker: index.result };

  progress(`${input.terms.length} searches, twice`);
  const patterns = input.terms.map((t) => `%${escapeLike(t.term.toLowerCase())}%`);
  const searches = await call('searches', RAW_SEARCH_SQL, RAW_COUNT_SQL, patterns);
  r.searches = searches.map((s, i) => ({ term: input.terms[i]!.term, ms: s.ms, worker: s.result }));
  r.searchesAgain = (await call('searches', RAW_SEARCH_SQL, RAW_COUNT_SQL, patterns)).map((s) => s.ms);

  progress(`${RAW_INSERTS} durable inserts, one after another`);
  r.inserts = (await call('inserts', INSERT_SQL, RAW_INSERTS)).map((x) => ({ ms: x.ms, worker: x.result }));

  progress('the same database opened again (same worker, then a new one)');
  const closed = await call('close');
  const reopened = await call('reopen', r.dataDir, INITDB_ARGS);
  r.reopen = { closeMs: closed.ms, ms: reopened.ms, worker: reopened.result };
  await call('close');
  await call('stop');
  const fresh = await call('startAndOpen', r.dataDir, INITDB_ARGS);
  const first = await call('query', `select id, part_number, name from parts order by part_number limit ${SEARCH_LIMIT}`);
  const counted: QueryResult = (await call('query', 'select count(*)::int as n from parts')).result;
  r.newWorker = { ms: fresh.ms, worker: fresh.result, firstPageMs: first.ms, parts: Number(counted.rows[0]?.n ?? 0) };
  await call('close');
}
