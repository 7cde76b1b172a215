/**
 * Acceptance (shape service, item 6): the server is stopped and started again on the same database
 * while clients of both kinds sync live and a writer keeps writing. The clients resume where they
 * were — same handles, no 409, no request at offset=-1 — and converge to the server's rows.
 */
import { Shape, ShapeStream, type Row } from '@electric-sql/client';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { startTestServer } from '../support/server.ts';
import {
  canonicalRows,
  createSyncedPGlite,
  expectedClientRows,
  feedHead,
  keyedRows,
  localTableSql,
  QUICK_BACKOFF,
  ResponseLog,
  signIn,
  sleep,
  waitFor,
  type Session,
  type SyncedPGlite,
} from '../support/shapes.ts';

const TABLES = ['parts', 'stock_movements', 'tasks'] as const;
type Table = (typeof TABLES)[number];
const LIVE_TIMEOUT_MS = 1_000;

let db: TestDatabase;
let server: RunningServer;
let session: Session;
let local: SyncedPGlite;
const log = new ResponseLog();

beforeAll(async () => {
  db = await createTestDatabase();
  server = await startTestServer(db.url, { demo: true, shapeLiveTimeoutMs: LIVE_TIMEOUT_MS });
  session = await signIn(server.url, 'storeroom');
  local = await createSyncedPGlite();
  for (const table of TABLES) await local.exec(await localTableSql(db.pool, table));
});

afterAll(async () => {
  await local?.close();
  await server?.close();
  await db?.drop();
});

/** Writes a transaction every few milliseconds until stopped: stock moves and task edits. */
function startWriter(): { stop(): Promise<number> } {
  let running = true;
  let count = 0;
  const done = (async () => {
    const { rows: parts } = await db.pool.query<{ id: string }>('select id from parts where site_id = $1 order by id limit 5', [session.siteId]);
    const { rows: tasks } = await db.pool.query<{ id: string }>('select id from tasks where site_id = $1 order by id limit 5', [session.siteId]);
    while (running) {
      const part = parts[count % parts.length]!.id;
      await db.pool.query(`insert into stock_movements (id, site_id, part_id, delta, reason, note) values ($1, $2, $3, $4, 'adjust', 'restart test')`, [
        uuidv7(),
        session.siteId,
        part,
        count % 3 === 0 ? -1 : 2,
      ]);
      if (count % 4 === 0) {
        await db.pool.query(`update tasks set priority = 1 + (priority % 4), title = $2 where id = $1`, [tasks[count % tasks.length]!.id, `Edit ${count}`]);
      }
      count++;
      await sleep(15);
    }
  })();
  return {
    async stop() {
      running = false;
      await done;
      return count;
    },
  };
}

describe('a server restart in the middle of syncing', () => {
  it('clients of both kinds resume without 409 or re-download, and converge', async () => {
    const aborter = new AbortController();
    // @electric-sql/client 1.5
    const shapes = {} as Record<Table, Shape<Row>>;
    const positions = {} as Record<Table, bigint>;
    for (const table of TABLES) {
      positions[table] = -1n;
      const stream = new ShapeStream({
        url: `${server.url}/v1/shape`,
        params: { table },
        headers: session.headers,
        fetchClient: log.fetchFor(`electric/${table}`),
        backoffOptions: QUICK_BACKOFF,
        signal: aborter.signal,
      });
      stream.subscribe((messages) => {
        for (const m of messages) {
          const gls = (m.headers as { global_last_seen_lsn?: unknown }).global_last_seen_lsn;
          if (typeof gls === 'string' && BigInt(gls) > positions[table]) positions[table] = BigInt(gls);
        }
      });
      shapes[table] = new Shape(stream);
    }
    // pglite-sync
    const errors: unknown[] = [];
    const subscription = await local.electric.syncShapesToTables({
      key: 'restart',
      shapes: Object.fromEntries(
        TABLES.map((table) => [
          table,
          {
            shape: {
              url: `${server.url}/v1/shape`,
              params: { table },
              headers: session.headers,
              fetchClient: log.fetchFor(`pglite/${table}`),
              backoffOptions: QUICK_BACKOFF,
              signal: aborter.signal,
            },
            table,
            primaryKey: ['id'],
          },
        ]),
      ),
      onError: (error) => errors.push(error),
    });
    const localPosition = async () => {
      const { rows } = await local.query<{ last_lsn: string }>(`select last_lsn from electric.subscriptions_metadata where key = 'restart'`);
      return rows[0] ? BigInt(rows[0].last_lsn) : -1n;
    };
    const allReached = async (lsn: bigint) =>
      (await localPosition()) >= lsn && TABLES.every((table) => positions[table] >= lsn);

    const writer = startWriter();
    try {
      // Live and moving before the restart.
      await sleep(300);
      const before = await feedHead(server, db.pool);
      await waitFor(`clients to reach lsn ${before}`, () => allReached(before));
      const handlesBefore = new Map(
        log.exchanges.filter((e) => e.status === 200).map((e) => [e.stream, e.headers!.get('electric-handle')]),
      );
      expect(handlesBefore.size).toBe(TABLES.length * 2);

      log.mark('down');
      const { port } = server;
      await server.close();
      await sleep(500); // the writer keeps writing; the clients keep retrying
      log.mark('after-restart');
      server = await startTestServer(db.url, { demo: true, port, shapeLiveTimeoutMs: LIVE_TIMEOUT_MS });
      await sleep(300);
      const count = await writer.stop();
      expect(count).toBeGreaterThan(20);

      const head = await feedHead(server, db.pool);
      await waitFor(`clients to reach lsn ${head} after the restart`, () => allReached(head));
      for (const table of TABLES) {
        const expected = await expectedClientRows(db.pool, table, 't.site_id = $1', [session.siteId]);
        await expect.poll(() => Object.fromEntries(keyedRows(shapes[table].currentRows, ['id'])), { timeout: 10_000 }).toEqual(Object.fromEntries(expected));
        await expect.poll(() => canonicalRows(local, table), { timeout: 10_000 }).toEqual(await canonicalRows(db.pool, table, 't.site_id = $1', [session.siteId]));
      }

      // The restart happened mid-sync: requests failed while it was down, then succeeded...
      const down = log.requests({ phase: 'down' });
      const after = log.requests({ phase: 'after-restart' });
      expect([...down, ...after].filter((e) => e.failed).length).toBeGreaterThan(0);
      for (const stream of handlesBefore.keys()) {
        const first = after.find((e) => e.stream === stream && e.status === 200);
        expect(first, `${stream} resumed`).toBeDefined();
        // ...on the handle it had,
        expect(first!.headers!.get('electric-handle'), stream).toBe(handlesBefore.get(stream));
      }
      // ...with no 409 and no new snapshot.
      const since = [...down, ...after];
      expect(since.filter((e) => e.status === 409).map((e) => e.stream)).toEqual([]);
      expect(since.filter((e) => e.url.searchParams.get('offset') === '-1').map((e) => e.stream)).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await writer.stop();
      subscription.unsubscribe();
      aborter.abort();
    }
    await log.settled();
    expect(log.orderingViolations()).toEqual([]);
  }, 120_000);
});
