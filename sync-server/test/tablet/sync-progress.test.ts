/**
 * The tablet's sync keeps up with the yard while people work on it:
 * - another person's write is committed on the tablet once, not once per shape that answers
 *   (pglite-sync 0.6.1 committed again on every answer; patches/README.md);
 * - a tablet that records every few hundred milliseconds on a slow link still takes in the
 *   others' changes, and fetches its tables anew after a 409: an upload stops only a sync that
 *   is live, and leaves one still catching up running beside it until it has caught up
 *   (client/src/leader/leader.ts) — stopped, it would throw away what it fetched but had not
 *   committed, and a refetch would start from nothing at every upload;
 * - a 409 (must-refetch) that arrives while an earlier commit waits for the database empties the
 *   table in the refetch's own commit, not in the earlier one (pglite-sync 0.6.1 did it in whichever
 *   ran first, and the refetched rows then met the earlier commit's: duplicate key).
 */
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { openSyncedTablet, type NodeTablet } from '../support/node-tablet.ts';
import { compactFeed } from '../../src/shapes/publisher.ts';
import { startTestServer } from '../support/server.ts';
import { sleep, waitFor } from '../support/shapes.ts';
import { connectTablet, type Tablet } from '../support/tablets.ts';

let db: TestDatabase;
let server: RunningServer;
let tablet: NodeTablet;
/** Another person, writing through the API. */
let writer: Tablet;
let partIds: string[];

beforeAll(async () => {
  db = await createTestDatabase();
  server = await startTestServer(db.url, { demo: true, shapeLiveTimeoutMs: 2_000 });
  tablet = await openSyncedTablet(server.url, 'storeroom');
  writer = await connectTablet(server.url, 'tech');
  partIds = (await db.pool.query<{ id: string }>('select id from parts order by id limit 20')).rows.map((row) => row.id);
}, 120_000);

afterAll(async () => {
  await tablet?.close();
  await server?.close();
  await db?.drop();
});

/** The feed position the tablet has committed (pglite-sync stores it with the data). */
async function committedLsn(): Promise<bigint> {
  const { rows } = await tablet.pg.query<{ lsn: string | null }>('select max(last_lsn)::text as lsn from electric.subscriptions_metadata');
  return rows[0]?.lsn ? BigInt(rows[0].lsn) : -1n;
}

/** The server's newest feed position: one per committed transaction. */
async function feedHead(): Promise<bigint> {
  const { rows } = await db.pool.query<{ head: string }>('select last_tx_offset::text as head from shape_feed_state');
  return BigInt(rows[0]!.head);
}

/** Waits until the tablet has sent its commands and committed the feed's head, then finds every movement there. */
async function expectAllMovementsAtTheHead(): Promise<void> {
  // A command still in the outbox would reach the server after `head`, counted there but not yet here.
  await waitFor('the outbox to empty', async () => (await tablet.pg.query<{ n: number }>('select count(*)::int as n from outbox')).rows[0]!.n === 0, { timeoutMs: 30_000 });
  const head = await feedHead();
  await waitFor('the tablet at the head', async () => (await committedLsn()) >= head, { timeoutMs: 30_000 });
  const { rows } = await tablet.pg.query<{ n: number }>('select count(*)::int as n from stock_movements_synced');
  const { rows: central } = await db.pool.query<{ n: number }>('select count(*)::int as n from stock_movements');
  expect(rows[0]!.n).toBe(central[0]!.n);
}

function useOnePart(note: string) {
  return { reason: 'used' as const, movementId: uuidv7(), partId: partIds[Math.floor(Math.random() * partIds.length)]!, delta: -1, note };
}

describe("the tablet's sync while the yard works", () => {
  it("commits another person's write once, however many of its shapes answer", async () => {
    await waitFor('the tablet at the head', async () => (await committedLsn()) >= (await feedHead()));
    await tablet.pg.exec(`
      create table commits_seen (n int not null);
      insert into commits_seen values (0);
      create function count_commit() returns trigger language plpgsql as $$ begin update commits_seen set n = n + 1; return null; end $$;
      create trigger count_commit after insert or update on electric.subscriptions_metadata for each row execute function count_commit();
    `);
    const start = await feedHead();
    for (let i = 0; i < 20; i++) {
      await writer.run('stock.adjust', useOnePart(`write ${i}`));
      await sleep(150);
    }
    const end = await feedHead();
    await waitFor('the tablet at the head', async () => (await committedLsn()) >= end);
    const { rows } = await tablet.pg.query<{ n: number }>('select n from commits_seen');
    // Each of the 17 shapes answers every write (with its rows, or an up-to-date message); the
    // write is one transaction, committed on the tablet when the last shape has answered.
    expect(Number(end - start)).toBeGreaterThanOrEqual(20);
    expect(rows[0]!.n).toBeGreaterThan(0);
    expect(rows[0]!.n).toBeLessThanOrEqual(Number(end - start));
  }, 120_000);

  it('keeps taking in the others’ changes while it records every few hundred milliseconds on a slow link', async () => {
    const slowLink = tablet.network.slow((url) => url.pathname === '/v1/shape', 1_000);
    let working = true;
    const others = (async () => {
      while (working) {
        await writer.run('stock.adjust', useOnePart('the others'));
        await sleep(100);
      }
    })();
    const clerk = (async () => {
      for (let line = 0; working; line++) {
        await tablet.record('stock.adjust', useOnePart(`line ${line}`));
        await sleep(300);
      }
    })();
    try {
      await sleep(3_000);
      const target = await feedHead();
      // Without the rule, every upload restarted the sync before all 17 slowed shapes had answered,
      // and the tablet stayed at the position it had when the clerk started.
      await waitFor(`the tablet, still recording, to reach position ${target}`, async () => (await committedLsn()) >= target, { timeoutMs: 60_000, intervalMs: 200 });
    } finally {
      working = false;
      await Promise.all([others, clerk]);
      slowLink();
    }
    await waitFor('the outbox to empty', async () => (await tablet.pg.query<{ n: number }>('select count(*)::int as n from outbox')).rows[0]!.n === 0);
  }, 120_000);

  it('fetches its tables anew after a 409 while it records every few hundred milliseconds on a slow link', async () => {
    await waitFor('the tablet at the head', async () => (await committedLsn()) >= (await feedHead()));
    // The tablet is away while the yard moves on and the feed is compacted past every shape's
    // position: each shape meets 409 when it comes back, and must be fetched anew.
    tablet.network.offline = true;
    for (let i = 0; i < 3; i++) await writer.run('stock.adjust', useOnePart(`while away ${i}`));
    await compactFeed(db.pool, '0 seconds');
    const target = await feedHead();
    // Two slowed answers per shape (the 409, then the new copy): more than an upload used to wait.
    const slowLink = tablet.network.slow((url) => url.pathname === '/v1/shape', 4_000);
    tablet.network.offline = false;
    let working = true;
    const clerk = (async () => {
      for (let line = 0; working; line++) {
        await tablet.record('stock.adjust', useOnePart(`line ${line}`));
        await sleep(300);
      }
    })();
    try {
      // Stopped at every upload, the sync started the refetch from nothing each time (nothing of it
      // is committed before every shape has its new copy), and the tablet never got past `target`.
      await waitFor(`the tablet, still recording, to reach position ${target}`, async () => (await committedLsn()) >= target, { timeoutMs: 60_000, intervalMs: 200 });
    } finally {
      working = false;
      await clerk;
      slowLink();
    }
    await expectAllMovementsAtTheHead();
  }, 120_000);

  it('empties a refetched table in the refetch’s commit, not in an earlier commit that waited for the database', async () => {
    await waitFor('the tablet at the head', async () => (await committedLsn()) >= (await feedHead()));
    const movements = (url: URL) => url.pathname === '/v1/shape' && url.searchParams.get('table') === 'stock_movements';
    const others = (url: URL) => url.pathname === '/v1/shape' && !movements(url);
    const offsetTx = (search: string) => {
      const match = /^(\d+)_/.exec(new URLSearchParams(search).get('offset') ?? '');
      return match ? BigInt(match[1]!) : -1n;
    };
    // The movements shape's next request waits on the tablet; the other shapes' answers wait on the way.
    const sendMovements = tablet.network.holdRequests(movements);
    const deliverOthers = tablet.network.hold(others);
    let free: (() => void) | undefined;
    let busy: Promise<void> | undefined;
    try {
      // A new movement: its shape has it; the commit waits for the other shapes' answers.
      const first = useOnePart('committed before the refetch');
      const before = await feedHead();
      await writer.run('stock.adjust', first);
      const written = await waitFor('the write in the feed', async () => ((await feedHead()) > before ? feedHead() : undefined));
      await waitFor('the movements shape past the write', () =>
        tablet.network.requests.some((request) => request.path === '/v1/shape' && request.search.includes('table=stock_movements') && offsetTx(request.search) >= written),
      );
      // The other shapes ask again at once (pglite-sync's check for updates, 100 ms after data).
      await sleep(500);
      // Meanwhile the yard moves on, and the feed is compacted past the movements shape's position.
      const second = useOnePart('fetched anew');
      await writer.run('stock.adjust', second);
      await waitFor('the second write in the feed', async () => (await feedHead()) > written);
      await compactFeed(db.pool, '0 seconds');
      // The tablet's database is busy (a long screen query, a slow disk) when the answers come:
      // the commit of the first movement queues behind it...
      busy = tablet.pg.transaction(() => new Promise<void>((resolve) => (free = resolve)));
      deliverOthers();
      await sleep(500);
      // ...and the movements shape meets 409 and must fetch everything anew.
      sendMovements();
      await sleep(1_000);
    } finally {
      deliverOthers();
      sendMovements();
      free?.();
      await busy;
    }
    await expectAllMovementsAtTheHead();
  }, 120_000);
  it('commits a refetched copy only once every shape has reached its position, so that a restart resumes exactly', async () => {
    await waitFor('the tablet at the head', async () => (await committedLsn()) >= (await feedHead()));
    const partId = partIds[0]!;
    const quantityOnTablet = async () => (await tablet.pg.query<{ quantity: number }>('select quantity from parts_synced where id = $1', [partId])).rows[0]?.quantity;
    const before = await quantityOnTablet();
    const held = await committedLsn();
    // One shape lags: its requests wait on the tablet (a slow link to one table), so the tablet
    // can commit nothing past where that shape stands.
    const lagging = (url: URL) => url.pathname === '/v1/shape' && url.searchParams.get('table') === 'knowledge';
    await sleep(2_500); // its long-poll in flight ends (the live timeout), and the next one is held
    const sendLagging = tablet.network.holdRequests(lagging);
    const partsRequests = () => tablet.network.requests.filter((request) => request.path === '/v1/shape' && new URLSearchParams(request.search).get('table') === 'parts');
    try {
      // Away, the part is used, and the feed is compacted past every shape: they all meet 409
      // and fetch a new copy, at a position past the lagging shape's.
      tablet.network.offline = true;
      await sleep(2_500);
      const start = await feedHead();
      await writer.run('stock.adjust', { reason: 'used', movementId: uuidv7(), partId, delta: -1, note: 'while the tablet was away' });
      await waitFor('the write in the feed', async () => (await feedHead()) > start);
      await compactFeed(db.pool, '0 seconds');
      const seen = partsRequests().length;
      const handleBefore = new URLSearchParams(partsRequests().at(-1)!.search).get('handle');
      tablet.network.offline = false;
      // The parts shape has its new copy, and asks for what follows it.
      await waitFor('the new copy of parts', () => partsRequests().slice(seen).some((request) => {
        const params = new URLSearchParams(request.search);
        return params.get('offset') !== '-1' && params.has('handle') && params.get('handle') !== handleBefore;
      }), { timeoutMs: 30_000 });
      await sleep(1_000);
      // pglite-sync 0.6.1 committed the copy's rows at once, at the lagging shape's position: the
      // tablet showed the part as used while it stored a position before the use. A restart
      // then resumed the parts shape from that position and met the use again (with an insert:
      // duplicate key; the chaos runs' `stock_movements_synced_pkey`).
      expect(await quantityOnTablet()).toBe(before);
      expect(await committedLsn()).toBe(held);
    } finally {
      sendLagging();
    }
    await expectAllMovementsAtTheHead();
    const { rows } = await db.pool.query<{ quantity: number }>('select quantity from parts where id = $1', [partId]);
    expect(await quantityOnTablet()).toBe(rows[0]!.quantity);
  }, 120_000);
  it('stores a shape whose new copy is not committed yet as one to fetch anew, so that a restart loses none of its changes', async () => {
    await waitFor('the tablet at the head', async () => (await committedLsn()) >= (await feedHead()));
    const shapeRequest = (table: string, fromTx?: bigint) => (url: URL) =>
      url.pathname === '/v1/shape' && url.searchParams.get('table') === table && (fromTx === undefined || offsetTxOf(url.searchParams.get('offset')) >= fromTx);
    // The movements shape and a quiet one (knowledge) stop getting answers: their next requests wait on the tablet.
    const sendMovements = tablet.network.holdRequests(shapeRequest('stock_movements'));
    const sendKnowledge = tablet.network.holdRequests(shapeRequest('knowledge'));
    let sendKnowledgeLater: (() => void) | undefined;
    try {
      await sleep(2_500); // their long-polls in flight end (the live timeout)
      // The yard records three movements; the tablet's other shapes take them in.
      const start = await feedHead();
      for (let i = 0; i < 3; i++) await writer.run('stock.adjust', useOnePart(`before the compaction ${i}`));
      const compacted = await waitFor('the writes in the feed', async () => {
        const head = await feedHead();
        return head >= start + 3n ? head : undefined;
      });
      await waitFor('the other shapes at the head', () => tablet.network.requests.some((request) => shapeRequest('parts', compacted)(new URL(request.path + request.search, 'http://x'))));
      // The quiet shape gets one answer (up to date at `compacted`), and no more.
      sendKnowledgeLater = tablet.network.holdRequests(shapeRequest('knowledge', compacted));
      sendKnowledge();
      await waitFor('the quiet shape at the compacted position', () => tablet.network.requests.some((request) => shapeRequest('knowledge', compacted)(new URL(request.path + request.search, 'http://x'))));
      // The feed is compacted past the movements shape, and the yard moves on.
      await compactFeed(db.pool, '0 seconds');
      await writer.run('stock.adjust', useOnePart('after the compaction'));
      await waitFor('the write in the feed', async () => (await feedHead()) > compacted);
      // The movements shape meets 409 and fetches a new copy; the tablet commits up to the quiet
      // shape's position, without that copy (it is of a later position).
      sendMovements();
      await waitFor('the commit at the quiet shape’s position', async () => (await committedLsn()) >= compacted, { timeoutMs: 30_000 });
      await sleep(500);
    } finally {
      sendMovements();
      sendKnowledge();
    }
    // The sync stops and starts again. pglite-sync 0.6.1 had stored the movements shape at its new
    // copy's position: the restart resumed it from the commit's position, over a table that still
    // held what it had before the copy — the three movements were never seen.
    tablet.leader.restartSync(new Error('stopped by the test'));
    sendKnowledgeLater?.();
    await expectAllMovementsAtTheHead();
  }, 120_000);
  it('stops its sync when the database refuses a commit, and starts again from the last commit: nothing skipped', async () => {
    await waitFor('the tablet at the head', async () => (await committedLsn()) >= (await feedHead()));
    // The tablet's database refuses the next movement it is given, once (a full disk, a bug in a
    // trigger); a sequence, since a flag set inside the failing transaction would be rolled back.
    await tablet.pg.exec(`
      create sequence refusals_left;
      create function refuse_once() returns trigger language plpgsql as $$
      begin
        if nextval('refusals_left') = 1 then raise exception 'the disk is full (test)'; end if;
        return new;
      end $$;
      create trigger refuse_once before insert on stock_movements_synced for each row execute function refuse_once();
    `);
    try {
      await writer.run('stock.adjust', useOnePart('refused once by the tablet'));
      // Later writes go on arriving. pglite-sync 0.6.1 went on committing them after the refused
      // commit, and stored positions past it: the refused movement was never asked for again.
      for (let i = 0; i < 3; i++) {
        await sleep(300);
        await writer.run('stock.adjust', useOnePart(`after the refusal ${i}`));
      }
      await expectAllMovementsAtTheHead();
    } finally {
      await tablet.pg.exec('drop trigger refuse_once on stock_movements_synced; drop function refuse_once(); drop sequence refusals_left;');
    }
  }, 120_000);
});

/** The transaction part of a shape offset (`<tx>_<op>`); -1 for `-1` and the like. */
function offsetTxOf(offset: string | null): bigint {
  const match = /^(\d+)_/.exec(offset ?? '');
  return match ? BigInt(match[1]!) : -1n;
}
