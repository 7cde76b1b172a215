/**
 * Acceptance (shape service, item 2): `@electric-sql/pglite-sync` 0.6.1 with PGlite 0.5.1 in Node
 * syncs every synced table into local tables equal to the server's; after a reload (PGlite closed
 * and reopened on the same folder on disk) it resumes from its stored offsets without asking for a
 * snapshot again; a TRUNCATE on the server (409) makes it clear and refill that table only.
 */
import fs from 'node:fs/promises';
import { v7 as uuidv7 } from 'uuid';
import { SHAPE_RULES } from '@cimco/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { makeTempDir, startTestServer } from '../support/server.ts';
import {
  canonicalRows,
  createSyncedPGlite,
  feedHead,
  localTableSql,
  primaryKeyOf,
  QUICK_BACKOFF,
  ResponseLog,
  scopeSql,
  signIn,
  SYNCED_TABLES,
  waitFor,
  type Session,
  type SyncedPGlite,
  type SyncedTable,
} from '../support/shapes.ts';

const SUBSCRIPTION = 'tablet';

let db: TestDatabase;
let server: RunningServer;
let session: Session;
let dataDir: string;
const log = new ResponseLog();

beforeAll(async () => {
  db = await createTestDatabase();
  server = await startTestServer(db.url, { demo: true, shapeLiveTimeoutMs: 1_000 });
  session = await signIn(server.url, 'admin', { device: true });
  dataDir = await makeTempDir('cimco-pglite-');
  // Rows in the tables the demo leaves empty.
  const part = (await db.pool.query<{ id: string }>('select id from parts limit 1')).rows[0]!;
  await db.pool.query(
    `insert into mutation_results (id, site_id, device_id, user_id, command, status, details, entity_id)
     values ($1, $2, $3, $4, 'stock.adjust', 'applied', '{"delta": -1, "tags": ["a"]}', $5)`,
    [uuidv7(), session.siteId, session.deviceId, session.userId, part.id],
  );
  await db.pool.query(
    `insert into audit_log (id, site_id, user_id, command, entity, entity_id, before) values ($1, $2, $3, 'part.update', 'parts', $4, '{"x": 1}')`,
    [uuidv7(), session.siteId, session.userId, part.id],
  );
  await db.pool.query(
    `insert into conflicts (id, site_id, kind, entity, entity_id, overwritten_value) values ($1, $2, 'refused', 'parts', $3, '[1, 2]')`,
    [uuidv7(), session.siteId, part.id],
  );
});

afterAll(async () => {
  await server?.close();
  await db?.drop();
  if (dataDir) await fs.rm(dataDir, { recursive: true, force: true });
});

interface Tablet {
  pg: SyncedPGlite;
  subscription: { unsubscribe(): void };
  /** Resolves at the first moment every shape is up to date. */
  initialSync: Promise<void>;
  errors: Error[];
}

/** Opens the PGlite on `dataDir` (creating local tables if new) and syncs every table into it. */
async function openTablet(generation: string): Promise<Tablet> {
  const pg = await createSyncedPGlite(dataDir);
  for (const table of SYNCED_TABLES) await pg.exec(await localTableSql(db.pool, table));
  const aborter = new AbortController();
  const errors: Error[] = [];
  let synced!: () => void;
  const initialSync = new Promise<void>((resolve) => (synced = resolve));
  const shapes = Object.fromEntries(
    await Promise.all(
      SYNCED_TABLES.map(async (table) => [
        table,
        {
          shape: {
            url: `${server.url}/v1/shape`,
            params: { table },
            headers: session.headers,
            fetchClient: log.fetchFor(`${generation}/${table}`),
            backoffOptions: QUICK_BACKOFF,
            signal: aborter.signal,
          },
          table,
          primaryKey: await primaryKeyOf(db.pool, table),
        },
      ]),
    ),
  );
  const subscription = await pg.electric.syncShapesToTables({
    key: SUBSCRIPTION,
    shapes,
    onInitialSync: () => synced(),
    onError: (error) => errors.push(error),
  });
  return {
    pg,
    errors,
    initialSync,
    subscription: {
      unsubscribe() {
        subscription.unsubscribe();
        aborter.abort();
      },
    },
  };
}

async function closeTablet(tablet: Tablet): Promise<void> {
  tablet.subscription.unsubscribe();
  await tablet.pg.close();
}

/** The local commit position pglite-sync stored with the data. */
async function storedLsn(tablet: Tablet): Promise<bigint> {
  const { rows } = await tablet.pg.query<{ last_lsn: string }>('select last_lsn from electric.subscriptions_metadata where key = $1', [SUBSCRIPTION]);
  return rows[0] ? BigInt(rows[0].last_lsn) : -1n;
}

async function localRows(tablet: Tablet, table: SyncedTable): Promise<string[]> {
  return canonicalRows(tablet.pg, table);
}

async function serverRows(table: SyncedTable): Promise<string[]> {
  const scope = scopeSql(table, session);
  return canonicalRows(db.pool, table, scope.where, scope.params, SHAPE_RULES[table].hiddenColumns ?? []);
}

/** Waits until the tablet committed the feed head, then compares every table exactly. */
async function expectConverged(tablet: Tablet): Promise<void> {
  const head = await feedHead(server, db.pool);
  await waitFor(`the tablet to commit lsn ${head}`, async () => (await storedLsn(tablet)) >= head);
  for (const table of SYNCED_TABLES) {
    const expected = await serverRows(table);
    await expect.poll(() => localRows(tablet, table), { timeout: 10_000, interval: 50 }).toEqual(expected);
  }
}

async function writeSomething(label: string): Promise<void> {
  const { rows: parts } = await db.pool.query<{ id: string }>('select id from parts where site_id = $1 order by id limit 3', [session.siteId]);
  const equipment = (await db.pool.query<{ id: string }>('select id from equipment where site_id = $1 limit 1', [session.siteId])).rows[0]!;
  const client = await db.pool.connect();
  try {
    await client.query('begin');
    for (const part of parts) {
      await client.query(`insert into stock_movements (id, site_id, part_id, delta, reason, note) values ($1, $2, $3, 2, 'received', $4)`, [
        uuidv7(),
        session.siteId,
        part.id,
        label,
      ]);
    }
    await client.query(`insert into logs (id, site_id, equipment_id, kind, body) values ($1, $2, $3, 'note', $4)`, [uuidv7(), session.siteId, equipment.id, label]);
    await client.query(
      `insert into mutation_results (id, site_id, device_id, command, status, details) values ($1, $2, $3, 'log.add', 'applied', $4)`,
      [uuidv7(), session.siteId, session.deviceId, JSON.stringify({ label })],
    );
    await client.query('commit');
  } finally {
    client.release();
  }
  await db.pool.query(`update tasks set priority = 1 + (priority % 4) where site_id = $1 and id = (select id from tasks order by id limit 1)`, [session.siteId]);
  await db.pool.query(`delete from knowledge_votes where id = (select id from knowledge_votes order by id limit 1)`);
}

describe('pglite-sync 0.6.1 (PGlite 0.5.1, Node) against the shape service', () => {
  let tablet: Tablet;

  it('syncs every synced table into local tables equal to the server rows', async () => {
    tablet = await openTablet('first');
    await tablet.initialSync;
    await expectConverged(tablet);
    await writeSomething('while online');
    await expectConverged(tablet);
    expect(tablet.errors).toEqual([]);
  }, 120_000);

  it('after a reload from disk, resumes from its stored offsets: no request at offset=-1', async () => {
    await closeTablet(tablet);
    await writeSomething('while closed');
    log.mark('reloaded');
    tablet = await openTablet('reloaded');
    await expectConverged(tablet);
    await writeSomething('after reload');
    await expectConverged(tablet);

    const requests = log.requests({ phase: 'reloaded' });
    expect(new Set(requests.map((r) => r.stream.split('/')[1])).size).toBe(SYNCED_TABLES.length);
    expect(requests.filter((r) => r.url.searchParams.get('offset') === '-1').map((r) => r.url.search)).toEqual([]);
    expect(requests.filter((r) => r.status !== undefined && r.status !== 200).map((r) => `${r.status} ${r.url.search}`)).toEqual([]);
    // The first request of each shape continues the stored handle.
    for (const table of SYNCED_TABLES) {
      const first = requests.find((r) => r.stream === `reloaded/${table}`)!;
      expect(first.url.searchParams.get('handle'), table).toBeTruthy();
    }
    expect(tablet.errors).toEqual([]);
  }, 120_000);

  it('a TRUNCATE on the server (409) makes it clear and refill that table, and only that one', async () => {
    log.mark('truncated');
    const { rows: kept } = await db.pool.query<{ n: number }>('select count(*)::int as n from logs');
    expect(kept[0]!.n).toBeGreaterThan(0);
    await db.pool.query('truncate logs');
    const equipment = (await db.pool.query<{ id: string }>('select id from equipment where site_id = $1 limit 2', [session.siteId])).rows;
    for (const [i, e] of equipment.entries()) {
      await db.pool.query(`insert into logs (id, site_id, equipment_id, kind, body) values ($1, $2, $3, 'inspection', $4)`, [uuidv7(), session.siteId, e.id, `fresh ${i}`]);
    }
    await expect.poll(() => localRows(tablet, 'logs'), { timeout: 20_000, interval: 50 }).toEqual(await serverRows('logs'));
    expect(await localRows(tablet, 'logs')).toHaveLength(2);
    await writeSomething('after truncate');
    await expectConverged(tablet);

    const requests = log.requests({ phase: 'truncated' });
    await log.settled();
    // The rows inserted after the TRUNCATE never travelled under the retired handle (on top of
    // the old rows: a state the server never had).
    const fresh = new Set(await db.pool.query<{ id: string }>('select id from logs').then((r) => r.rows.map((row) => row.id)));
    const logsRequests = log.requests({ stream: 'reloaded/logs' });
    const retired = logsRequests[0]!.url.searchParams.get('handle');
    const leaked = logsRequests
      .filter((r) => r.url.searchParams.get('handle') === retired && r.status === 200)
      .flatMap((r) => r.messages ?? [])
      .filter((m) => fresh.has(m.value?.id as string));
    expect(leaked).toEqual([]);
    expect(logsRequests.some((r) => r.status === 409)).toBe(true);
    const refetched = requests.filter((r) => r.url.searchParams.get('offset') === '-1').map((r) => r.stream);
    expect(new Set(refetched)).toEqual(new Set(['reloaded/logs']));
    expect(log.exchanges.filter((r) => r.status === 409 && r.stream !== 'reloaded/logs').map((r) => r.stream)).toEqual([]);
    expect(tablet.errors).toEqual([]);
  });

  it('kept the protocol ordering rules in every response', async () => {
    await closeTablet(tablet);
    await log.settled();
    expect(log.orderingViolations()).toEqual([]);
  });
});
