/**
 * The first copy of the yard (client/src/leader/first-copy.ts), in Node against the real server:
 * - every shape's snapshot is read once and stored by COPY; pglite-sync continues from the stored
 *   handles and offsets without asking for a snapshot again, and later changes arrive;
 * - a transaction written while the copy is read, over two tables read at different moments, is
 *   on the tablet whole when the sync says the yard is here, and nothing arrives twice;
 * - a copy cut by the network stores nothing, and the sync loads the yard once the network is back.
 */
import fs from 'node:fs/promises';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { openNodeTablet, type NodeTablet } from '../support/node-tablet.ts';
import { makeTempDir, startTestServer } from '../support/server.ts';
import { canonicalRows, feedHead, waitFor } from '../support/shapes.ts';

let db: TestDatabase;
let server: RunningServer;
const tablets: NodeTablet[] = [];
const dirs: string[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  server = await startTestServer(db.url, { demo: true, shapeLiveTimeoutMs: 1_000 });
});

afterAll(async () => {
  for (const tablet of tablets) await tablet.close().catch(() => {});
  await server?.close();
  await db?.drop();
  for (const dir of dirs) await fs.rm(dir, { recursive: true, force: true });
});

async function newTablet(): Promise<NodeTablet> {
  const dir = await makeTempDir('cimco-first-copy-');
  dirs.push(dir);
  const tablet = await openNodeTablet(server.url, { dataDir: dir });
  tablets.push(tablet);
  return tablet;
}

async function one<T>(tablet: NodeTablet, sql: string, params: unknown[] = []): Promise<T> {
  return (await tablet.pg.query<T>(sql, params)).rows[0]!;
}

async function syncDone(tablet: NodeTablet): Promise<boolean> {
  return (await one<{ done: boolean }>(tablet, 'select initial_sync_done as done from sync_state')).done;
}

/** The tablet's synced rows of a table beside the server's rows of the same yard. */
async function sameAsServer(tablet: NodeTablet, table: 'parts' | 'tasks'): Promise<void> {
  const { site_id } = await one<{ site_id: string }>(tablet, 'select site_id::text from session');
  await tablet.pg.exec(`set timezone to 'UTC'`);
  expect(await canonicalRows(tablet.pg, `${table}_synced`)).toEqual(await canonicalRows(db.pool, table, 't.site_id = $1', [site_id]));
}

function snapshotRequests(tablet: NodeTablet): string[] {
  return tablet.network.requests
    .filter((request) => request.path === '/v1/shape' && new URLSearchParams(request.search).get('offset') === '-1')
    .map((request) => new URLSearchParams(request.search).get('table')!)
    .sort();
}

describe('the first copy of the yard', () => {
  it('reads each shape once, stores it, and pglite-sync continues from it', async () => {
    const tablet = await newTablet();
    await tablet.signIn('tech');
    await waitFor('the first copy', () => syncDone(tablet), { timeoutMs: 60_000 });
    await sameAsServer(tablet, 'parts');
    await sameAsServer(tablet, 'tasks');
    const read = snapshotRequests(tablet);
    expect(new Set(read).size).toBe(read.length);
    expect(read).toContain('parts');
    expect((await one<{ first_copy: unknown; last_error: string | null }>(tablet, 'select first_copy, last_error from sync_state'))).toEqual({
      first_copy: null,
      last_error: null,
    });

    // A later change arrives through pglite-sync's long-polls, which never ask for a snapshot.
    const part = (await db.pool.query<{ id: string }>('select id from parts order by part_number limit 1')).rows[0]!;
    await db.pool.query('update parts set name = $2, version = version + 1 where id = $1', [part.id, 'Renamed after the copy']);
    await waitFor('the renamed part', async () => (await one<{ name: string }>(tablet, 'select name from parts where id = $1', [part.id])).name === 'Renamed after the copy', {
      timeoutMs: 15_000,
    });
    expect(snapshotRequests(tablet)).toEqual(read);
  });

  it('holds a transaction written between two shapes\' reads whole, and nothing arrives twice', async () => {
    const tablet = await newTablet();
    // The tasks shape's catch-up is held: its snapshot is taken, the other shapes read to their end.
    const release = tablet.network.holdRequests((url) => url.searchParams.get('table') === 'tasks' && url.searchParams.get('offset') !== '-1');
    await tablet.signIn('tech');
    await waitFor('every shape but tasks read', async () => {
      const progress = (await one<{ first_copy: { tablesRead: number; tables: number } | null }>(tablet, 'select first_copy from sync_state')).first_copy;
      return progress !== null && progress.tablesRead === progress.tables - 1;
    }, { timeoutMs: 30_000 });

    // One transaction over both tables: the parts shape has been read past it, tasks will see it.
    const part = (await db.pool.query<{ id: string; site_id: string }>('select id, site_id from parts order by part_number limit 1')).rows[0]!;
    const taskId = uuidv7();
    const client = await db.pool.connect();
    try {
      await client.query('begin');
      await client.query(`insert into tasks (id, site_id, title, priority, status) values ($1, $2, 'Written during the copy', 2, 'open')`, [taskId, part.site_id]);
      await client.query('update parts set name = $2, version = version + 1 where id = $1', [part.id, 'Renamed during the copy']);
      await client.query('commit');
    } finally {
      client.release();
    }
    // Numbered in the feed before the held request goes, so its answer includes the transaction.
    await feedHead(server, db.pool);
    release();

    await waitFor('the first copy', () => syncDone(tablet), { timeoutMs: 60_000 });
    // Both halves of the transaction are in the copy itself, not waiting for a later change.
    expect((await one<{ name: string }>(tablet, 'select name from parts_synced where id = $1', [part.id])).name).toBe('Renamed during the copy');
    expect((await one<{ n: number }>(tablet, 'select count(*)::int as n from tasks_synced where id = $1', [taskId])).n).toBe(1);

    // A later change arrives; the sync never stumbled on a change it already had.
    await db.pool.query('update tasks set title = $2, version = version + 1 where id = $1', [taskId, 'Changed after the copy']);
    await waitFor('the changed task', async () => (await one<{ title: string }>(tablet, 'select title from tasks where id = $1', [taskId])).title === 'Changed after the copy', {
      timeoutMs: 15_000,
    });
    expect((await one<{ last_error: string | null }>(tablet, 'select last_error from sync_state')).last_error).toBeNull();
    await sameAsServer(tablet, 'parts');
    await sameAsServer(tablet, 'tasks');
  });

  it('stores nothing of a copy the network cut, and loads the yard once it is back', async () => {
    const tablet = await newTablet();
    const release = tablet.network.holdRequests((url) => url.searchParams.get('table') === 'tasks' && url.searchParams.get('offset') !== '-1');
    await tablet.signIn('tech');
    await waitFor('every shape but tasks read', async () => {
      const progress = (await one<{ first_copy: { tablesRead: number; tables: number } | null }>(tablet, 'select first_copy from sync_state')).first_copy;
      return progress !== null && progress.tablesRead === progress.tables - 1;
    }, { timeoutMs: 30_000 });
    tablet.network.offline = true;
    release();
    await waitFor('the copy given up', async () => (await one<{ first_copy: unknown }>(tablet, 'select first_copy from sync_state')).first_copy === null);
    expect((await one<{ n: number }>(tablet, 'select count(*)::int as n from parts_synced')).n).toBe(0);
    expect(await syncDone(tablet)).toBe(false);

    tablet.network.offline = false;
    await waitFor('the yard loaded', () => syncDone(tablet), { timeoutMs: 60_000 });
    await sameAsServer(tablet, 'parts');
    await sameAsServer(tablet, 'tasks');
  });
});
