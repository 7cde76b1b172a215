/**
 * Helpers for the end-to-end tests: a tablet is a browser page of the app. Its local database is
 * `window.cimcoDb` (the PGlite worker) and `window.cimcoRecord` records a command as the screens
 * do; the server's database is read directly (the embedded PostgreSQL of the web server that
 * this worker started, e2e/support/fixtures.ts, found through its data directory).
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect, type APIRequestContext, type BrowserContext, type Page } from '@playwright/test';
import pg from 'pg';

export const DEMO_PASSWORD = 'demo';

/** The first start of PGlite (wasm compile, initdb, IndexedDB) takes a while on a busy machine. */
export const APP_READY = { timeout: 90_000 };

interface LocalDatabase {
  query<T>(sql: string, params?: unknown[]): Promise<{ rows: T[] }>;
}
interface AppWindow {
  cimcoDb?: LocalDatabase;
  cimcoRecord(name: string, args: unknown): Promise<string>;
}

/** Rows of a query on the tablet's local database. */
export async function local<T>(page: Page, sql: string, params: unknown[] = []): Promise<T[]> {
  return page.evaluate(
    async ([sql, params]) => {
      const db = (globalThis as unknown as AppWindow).cimcoDb;
      if (!db) throw new Error('the local database is not open');
      return (await db.query<T>(sql, params)).rows;
    },
    [sql, params] as const,
  );
}

/** Records a command on the tablet like a screen does; returns its mutation id. */
export async function record(page: Page, name: string, args: unknown): Promise<string> {
  return page.evaluate(([name, args]) => (globalThis as unknown as AppWindow).cimcoRecord(name, args), [name, args] as const);
}

/**
 * The leader election among this origin's database workers (client/src/db/worker.ts), from the
 * browser's lock manager: how many hold the leader lock and how many wait for it.
 */
export async function electionLocks(page: Page): Promise<{ held: number; waiting: number }> {
  type Lock = { name?: string };
  type Locks = { query(): Promise<{ held?: Lock[]; pending?: Lock[] }> };
  return page.evaluate(async () => {
    const { held = [], pending = [] } = await (globalThis as unknown as { navigator: { locks: Locks } }).navigator.locks.query();
    const election = (lock: Lock) => lock.name === 'cimco-yard-db-leader';
    return { held: held.filter(election).length, waiting: pending.filter(election).length };
  });
}

/** Polls the local database until `sql`'s first row has `ok = true`. */
export async function waitForLocal(page: Page, what: string, sql: string, params: unknown[] = [], timeout = 60_000): Promise<void> {
  await expect
    .poll(async () => (await local<{ ok: boolean }>(page, sql, params))[0]?.ok ?? false, { message: what, timeout, intervals: [100, 250, 500] })
    .toBe(true);
}

/** Opens the app, signs in through the form and waits until the first sync is complete. */
export async function signIn(page: Page, username: string, { url = '/' } = {}): Promise<void> {
  await page.goto(url);
  await page.locator('#username').fill(username, APP_READY);
  await page.locator('#password').fill(DEMO_PASSWORD);
  await page.locator('form button[type=submit]').click();
  await expect(page.getByTestId('sync-bar')).toBeVisible(APP_READY);
  await waitForInitialSync(page);
}

export async function waitForInitialSync(page: Page): Promise<void> {
  await waitForLocal(page, 'the initial sync', 'select initial_sync_done as ok from sync_state', [], APP_READY.timeout);
}

export async function outboxNames(page: Page): Promise<string[]> {
  return (await local<{ name: string }>(page, 'select name from outbox order by seq')).map((r) => r.name);
}

export async function waitForEmptyOutbox(page: Page): Promise<void> {
  try {
    await waitForLocal(page, 'the outbox to empty', 'select count(*) = 0 as ok from outbox');
  } catch (error) {
    // Say what is stuck: the commands left, their state and the last error the uploader saw.
    const report = async (what: string, run: () => Promise<unknown>) => `${what}: ${JSON.stringify(await run().catch((e: unknown) => String(e)))}`;
    const left = await local<{ mutation_id: string }>(page, 'select mutation_id from outbox').catch(() => []);
    const ids = left.map((r) => r.mutation_id);
    const lines = await Promise.all([
      report('outbox', () => local(page, 'select seq, mutation_id, name, state, attempts, last_error from outbox order by seq')),
      report('sync_state', () => local(page, 'select * from sync_state')),
      report('device', () => local(page, 'select * from device')),
      report('their results on the tablet', () => local(page, 'select id, device_id, status from mutation_results_synced where id = any($1::uuid[])', [ids])),
      report('their results on the server', () => serverRows('select id, device_id, status, created_at from mutation_results where id = any($1::uuid[])', [ids])),
      // Where the tablet's sync stands, shape by shape, beside the server's feed: a shape whose
      // offset stays behind the feed's head holds back every commit of pglite-sync.
      report('the sync position on the tablet', () => local(page, 'select last_lsn::text, shape_metadata from electric.subscriptions_metadata')),
      report('the feed on the server', () =>
        serverRows(`select last_tx_offset::text as head, compacted_through::text as compacted, (select max(tx_offset)::text from shape_transactions) as newest from shape_feed_state`),
      ),
    ]);
    throw new Error([(error as Error).message, ...lines].join('\n'), { cause: error });
  }
}

/**
 * Cuts the tablet off. Chromium's offline emulation also covers the PGlite worker's requests;
 * `navigator.onLine` may stay true, which the app does not rely on.
 */
export async function goOffline(context: BrowserContext): Promise<void> {
  await context.setOffline(true);
}

export async function goOnline(context: BrowserContext): Promise<void> {
  await context.setOffline(false);
}

// ---- the server's database ------------------------------------------------------------------

let pool: pg.Pool | undefined;

/** The web server's embedded PostgreSQL (its data directory holds the port and password). */
export function serverDb(dataDir = process.env.CIMCO_E2E_DATA_DIR): pg.Pool {
  if (pool) return pool;
  if (!dataDir) throw new Error('CIMCO_E2E_DATA_DIR is not set (e2e/support/fixtures.ts sets it)');
  const settings = JSON.parse(fs.readFileSync(path.join(dataDir, 'postgres.json'), 'utf8')) as { port: number; password: string };
  pool = new pg.Pool({ host: '127.0.0.1', port: settings.port, user: 'postgres', password: settings.password, database: 'cimco', max: 2 });
  return pool;
}

/** The web server's database as a URL, for a second server process on it. */
export function serverDatabaseUrl(dataDir = process.env.CIMCO_E2E_DATA_DIR): string {
  if (!dataDir) throw new Error('CIMCO_E2E_DATA_DIR is not set (e2e/support/fixtures.ts sets it)');
  const settings = JSON.parse(fs.readFileSync(path.join(dataDir, 'postgres.json'), 'utf8')) as { port: number; password: string };
  return `postgres://postgres:${encodeURIComponent(settings.password)}@127.0.0.1:${settings.port}/cimco`;
}

export async function serverRows<T>(sql: string, params: unknown[] = []): Promise<T[]> {
  return (await serverDb().query(sql, params)).rows as T[];
}

/**
 * Removes a yard a spec made for itself, with everything in it, so the specs after it find the
 * database as the demo yard left it (they look records up by part number, bin, status…). Foreign
 * keys and the change feed's capture are switched off for this one transaction: nobody syncs
 * that yard any more, and its rows go in any order.
 */
export async function deleteYard(siteId: string): Promise<void> {
  const client = await serverDb().connect();
  try {
    await client.query('begin');
    await client.query('set local session_replication_role = replica');
    const { rows } = await client.query<{ table_name: string; column_name: string }>(
      `select table_name, column_name from information_schema.columns
        where table_schema = 'public' and column_name in ('site_id', 'user_id')
          and table_name in (select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE')
        order by table_name, column_name`,
    );
    for (const { table_name: table, column_name: column } of rows) {
      const where = column === 'site_id' ? 'site_id = $1' : 'user_id in (select id from users where site_id = $1)';
      // The users go last: other tables' user_id rows are found through them.
      if (table !== 'users') await client.query(`delete from "${table}" where ${where}`, [siteId]);
    }
    await client.query('delete from users where site_id = $1', [siteId]);
    await client.query('delete from sites where id = $1', [siteId]);
    await client.query('commit');
  } catch (error) {
    await client.query('rollback');
    throw error;
  } finally {
    client.release();
  }
}

export async function closeServerDb(): Promise<void> {
  await pool?.end();
  pool = undefined;
}

// ---- another person, straight through the API ------------------------------------------------

/** Signs `username` in on a tablet of its own and runs one command through POST /api/mutations. */
export async function runAs(request: APIRequestContext, username: string, name: string, args: unknown): Promise<{ status: string; message?: string }> {
  const deviceId = crypto.randomUUID();
  const login = await request.post('/api/auth/login', { data: { username, password: DEMO_PASSWORD, device: { id: deviceId, name: `e2e ${username}` } } });
  expect(login.status(), await login.text()).toBe(200);
  const { accessToken } = (await login.json()) as { accessToken: string };
  const response = await request.post('/api/mutations', {
    headers: { authorization: `Bearer ${accessToken}` },
    data: { deviceId, commands: [{ mutationId: crypto.randomUUID(), name, args, clientTime: new Date().toISOString() }] },
  });
  expect(response.status(), await response.text()).toBe(200);
  return ((await response.json()) as { results: { status: string; message?: string }[] }).results[0]!;
}
