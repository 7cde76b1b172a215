import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { v7 as uuidv7 } from 'uuid';
import { createLogger } from '../../src/logger.ts';
import { FeedWaker } from '../../src/shapes/feed-waker.ts';
import { FeedPublisher, publishRound } from '../../src/shapes/publisher.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

/** SPEC.md F1–F3 at the level of the publisher, with transactions driven step by step. */
let db: TestDatabase;
let siteId: string;
let publisherClient: pg.Client;
const clients: pg.Client[] = [];

async function connection(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  clients.push(client);
  return client;
}

beforeAll(async () => {
  db = await createTestDatabase();
  siteId = uuidv7();
  await db.pool.query(`insert into sites (id, code, name) values ($1, 'pub-yard', 'Publisher yard')`, [siteId]);
  publisherClient = await connection();
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.end()));
  await db?.drop();
});
beforeEach(async () => {
  await publishRound(publisherClient); // start every test from a fully published feed
});

async function newPart(client: pg.Client | pg.Pool = db.pool): Promise<string> {
  const id = uuidv7();
  await client.query(`insert into parts (id, site_id, part_number, name) values ($1, $2, $3, 'Part')`, [id, siteId, `P-${id}`]);
  return id;
}
async function xid(client: pg.Client): Promise<string> {
  return (await client.query<{ x: string }>('select pg_current_xact_id()::text as x')).rows[0]!.x;
}
async function offsetOf(x: string): Promise<bigint | undefined> {
  const { rows } = await db.pool.query<{ t: string }>('select tx_offset::text as t from shape_transactions where xid = $1::xid8', [x]);
  return rows[0] ? BigInt(rows[0].t) : undefined;
}

describe('feed publisher', () => {
  it('numbers a transaction that waited for a row lock after the one holding it (same round)', async () => {
    const part = await newPart();
    await publishRound(publisherClient);
    const holder = await connection();
    const waiter = await connection();
    // The waiter takes its xid first, so xid order is the opposite of the order that matters.
    await waiter.query('begin');
    const waiterXid = await xid(waiter);
    await holder.query('begin');
    await holder.query(`update parts set name = 'holder' where id = $1`, [part]);
    const holderXid = await xid(holder);
    expect(BigInt(waiterXid) < BigInt(holderXid)).toBe(true);
    const blocked = waiter.query(`update parts set name = 'waiter' where id = $1`, [part]);
    await new Promise((r) => setTimeout(r, 100));
    await holder.query('commit');
    await blocked;
    await waiter.query('commit');
    await publishRound(publisherClient);
    const [h, w] = [await offsetOf(holderXid), await offsetOf(waiterXid)];
    expect(h).toBeDefined();
    expect(w).toBeDefined();
    expect(w! > h!).toBe(true);
    // The row's last change in feed order is its committed state.
    const { rows } = await db.pool.query(
      `select c.new_row->>'name' as name from shape_changes c join shape_transactions t on t.xid = c.xid
        where c.relation = 'parts' and c.new_row->>'id' = $1 order by t.tx_offset desc, c.seq desc limit 1`,
      [part],
    );
    expect(rows[0].name).toBe('waiter');
  });

  it('publishes a long transaction when it commits, after everything published meanwhile', async () => {
    const long = await connection();
    await long.query('begin');
    await newPart(long);
    const longXid = await xid(long);
    const before = await publishRound(publisherClient);
    const quick = await connection();
    await quick.query('begin');
    await newPart(quick);
    const quickXid = await xid(quick);
    await quick.query('commit');
    const afterQuick = await publishRound(publisherClient);
    expect(await offsetOf(quickXid)).toBe(before + 1n);
    expect(await offsetOf(longXid)).toBeUndefined();
    await publishRound(publisherClient); // the horizon must not pass the open transaction
    await long.query('commit');
    const afterLong = await publishRound(publisherClient);
    expect(await offsetOf(longXid)).toBe(afterQuick + 1n);
    expect(afterLong).toBe(afterQuick + 1n);
  });

  it('never publishes a rolled-back transaction, and an idle round changes nothing', async () => {
    const client = await connection();
    await client.query('begin');
    await newPart(client);
    const rolledBack = await xid(client);
    await client.query('rollback');
    const position = await publishRound(publisherClient);
    expect(await offsetOf(rolledBack)).toBeUndefined();
    expect(await publishRound(publisherClient)).toBe(position);
  });

  it('captures insert, update and delete with their images, and hides users.password_hash', async () => {
    const client = await connection();
    await client.query('begin');
    const part = await newPart(client);
    await client.query(`update parts set name = 'Renamed' where id = $1`, [part]);
    await client.query(`delete from parts where id = $1`, [part]);
    const x = await xid(client);
    await client.query('commit');
    const { rows } = await db.pool.query(
      `select op, old_row->>'name' as old_name, new_row->>'name' as new_name from shape_changes where xid = $1::xid8 order by seq`,
      [x],
    );
    expect(rows).toEqual([
      { op: 'I', old_name: null, new_name: 'Part' },
      { op: 'U', old_name: 'Part', new_name: 'Renamed' },
      { op: 'D', old_name: 'Renamed', new_name: null },
    ]);
    await db.pool.query(
      `insert into users (id, site_id, username, display_name, role, password_hash) values ($1, $2, 'hidden', 'Hidden', 'technician', 'secret-hash')`,
      [uuidv7(), siteId],
    );
    const user = await db.pool.query(`select new_row from shape_changes where relation = 'users' order by seq desc limit 1`);
    expect(user.rows[0].new_row).not.toHaveProperty('password_hash');
    expect(user.rows[0].new_row.username).toBe('hidden');
  });

  it('one leader among several publishers; another takes over when it stops', async () => {
    const logger = createLogger('silent');
    const a = new FeedPublisher(db.url, logger, { leaderRetryMs: 50, pollMs: 50 });
    const b = new FeedPublisher(db.url, logger, { leaderRetryMs: 50, pollMs: 50 });
    await a.start();
    await b.start();
    expect([a.isLeader, b.isLeader].filter(Boolean)).toHaveLength(1);
    const [leader, follower] = a.isLeader ? [a, b] : [b, a];
    await leader.stop();
    for (let i = 0; i < 100 && !follower.isLeader; i++) await new Promise((r) => setTimeout(r, 50));
    expect(follower.isLeader).toBe(true);
    // The new leader publishes what is committed, woken by NOTIFY or its poll.
    const client = await connection();
    await client.query('begin');
    await newPart(client);
    const x = await xid(client);
    await client.query('commit');
    for (let i = 0; i < 100 && (await offsetOf(x)) === undefined; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await offsetOf(x)).toBeDefined();
    await follower.stop();
  });

  it('a commit is published when the writer wakes the publisher, here or in another process, without waiting for the poll or a NOTIFY from the trigger', async () => {
    const logger = createLogger('silent');
    // Polls an hour apart: only a wake-up can publish within the test.
    const a = new FeedPublisher(db.url, logger, { leaderRetryMs: 50, pollMs: 3_600_000 });
    const b = new FeedPublisher(db.url, logger, { leaderRetryMs: 3_600_000, pollMs: 3_600_000 });
    await a.start();
    await b.start();
    const [leader, follower] = a.isLeader ? [a, b] : [b, a];
    expect(leader.isLeader && !follower.isLeader).toBe(true);
    const published = async (x: string) => {
      for (let i = 0; i < 200 && (await offsetOf(x)) === undefined; i++) await new Promise((r) => setTimeout(r, 25));
      return offsetOf(x);
    };
    try {
      for (const [where, publisher] of [['the publishing process', leader], ['another process', follower]] as const) {
        const client = await connection();
        await client.query('begin');
        await newPart(client);
        const x = await xid(client);
        await client.query('commit');
        // The capture trigger no longer NOTIFYs (migrations/0008): nothing has woken the leader.
        await new Promise((r) => setTimeout(r, 300));
        expect(await offsetOf(x), `before the wake-up (${where})`).toBeUndefined();
        new FeedWaker(db.pool, publisher, logger).changed();
        expect(await published(x), `after the wake-up from ${where}`).toBeDefined();
      }
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });
});
