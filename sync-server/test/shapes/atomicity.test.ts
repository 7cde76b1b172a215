/**
 * Acceptance (shape service, item 4): a server transaction that moves stock (a stock_movements
 * insert, whose trigger updates parts.quantity) and records the command's result (a
 * mutation_results row) is never visible half-applied on a pglite-sync tablet, although the three
 * tables arrive through three shapes. The invariants are checked inside every local transaction
 * pglite-sync commits, on exactly the state it is about to commit:
 *   - every command result has its stock movement, and every movement of a command its result;
 *   - every part's quantity is the sum of its movements (the server keeps that in one transaction).
 */
import type { Transaction } from '@electric-sql/pglite';
import type pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool } from '../../src/db/database.ts';
import { createLogger } from '../../src/logger.ts';
import { createRandom } from '../../src/seed/random.ts';
import type { RunningServer } from '../../src/server.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { startTestServer } from '../support/server.ts';
import {
  canonicalRows,
  createSyncedPGlite,
  feedHead,
  localTableSql,
  QUICK_BACKOFF,
  ResponseLog,
  scopeSql,
  signIn,
  sleep,
  waitFor,
  type Session,
  type SyncedPGlite,
} from '../support/shapes.ts';

const TABLES = ['parts', 'stock_movements', 'mutation_results'] as const;
const WRITERS = 4;
const COMMANDS_PER_WRITER = 15;

let db: TestDatabase;
let server: RunningServer;
let writerPool: pg.Pool;
let session: Session;
let local: SyncedPGlite;
const log = new ResponseLog();

beforeAll(async () => {
  db = await createTestDatabase();
  server = await startTestServer(db.url, { demo: true, shapeLiveTimeoutMs: 1_000 });
  writerPool = createPool(db.url, createLogger('silent'), WRITERS + 2);
  session = await signIn(server.url, 'storeroom', { device: true });
  local = await createSyncedPGlite();
  for (const table of TABLES) await local.exec(await localTableSql(db.pool, table));
});

afterAll(async () => {
  await local?.close();
  await writerPool?.end();
  await server?.close();
  await db?.drop();
});

/** Each violated invariant, described; run inside the local transaction about to commit. */
async function violations(tx: Transaction): Promise<string[]> {
  const { rows } = await tx.query<{ problem: string }>(`
    select 'result ' || r.id || ' without its movement ' || (r.details->>'movementId') as problem
      from mutation_results r
     where r.command = 'stock.adjust'
       and not exists (select 1 from stock_movements m where m.id = (r.details->>'movementId')::uuid)
    union all
    select 'movement ' || m.id || ' without its result'
      from stock_movements m
     where m.note like 'command %'
       and not exists (select 1 from mutation_results r where r.id = substr(m.note, 9)::uuid)
    union all
    select 'part ' || p.id || ' quantity ' || p.quantity || ' but its movements sum to ' || coalesce(s.total, 0)
      from parts p left join (select part_id, sum(delta) as total from stock_movements group by part_id) s on s.part_id = p.id
     where p.quantity <> coalesce(s.total, 0)
  `);
  return rows.map((r) => r.problem);
}

describe('a server transaction spanning three shapes', () => {
  it('is never visible half-applied on a pglite-sync tablet', async () => {
    // The yardstick holds on the server: every part's quantity is the sum of its movements.
    const { rows: ledger } = await db.pool.query<{ n: number }>(`
      select count(*)::int as n from parts p
        left join (select part_id, sum(delta) as total from stock_movements group by part_id) s on s.part_id = p.id
       where p.quantity <> coalesce(s.total, 0)`);
    expect(ledger[0]!.n).toBe(0);

    // Check every transaction pglite-sync commits, just before it commits.
    const found: string[] = [];
    let checked = 0;
    const transaction = local.transaction.bind(local);
    local.transaction = (<T>(fn: (tx: Transaction) => Promise<T>) =>
      transaction(async (tx) => {
        const result = await fn(tx);
        try {
          found.push(...(await violations(tx)));
          checked++;
        } catch {
          // pglite-sync rolled this transaction back itself (unsubscribing): nothing is committed.
        }
        return result;
      })) as typeof local.transaction;

    const aborter = new AbortController();
    let synced!: () => void;
    const initialSync = new Promise<void>((resolve) => (synced = resolve));
    const errors: unknown[] = [];
    const subscription = await local.electric.syncShapesToTables({
      key: 'atomicity',
      shapes: Object.fromEntries(
        TABLES.map((table) => [
          table,
          {
            shape: {
              url: `${server.url}/v1/shape`,
              params: { table },
              headers: session.headers,
              fetchClient: log.fetchFor(`tablet/${table}`),
              backoffOptions: QUICK_BACKOFF,
              signal: aborter.signal,
            },
            table,
            primaryKey: ['id'],
          },
        ]),
      ),
      onInitialSync: () => synced(),
      onError: (error) => errors.push(error),
    });
    await initialSync;

    const { rows: hot } = await db.pool.query<{ id: string }>('select id from parts where site_id = $1 order by part_number limit 4', [session.siteId]);
    const command = async (client: pg.PoolClient, random: ReturnType<typeof createRandom>) => {
      await client.query('begin');
      // One or two parts per command; a pause between the statements, while others commit.
      const parts = random.chance(0.3) ? [hot[0]!.id, hot[random.int(1, 3)]!.id] : [random.pick(hot).id];
      for (const part of parts) {
        const resultId = uuidv7();
        const movementId = uuidv7();
        const { rows } = await client.query<{ quantity_after: number }>(
          `insert into stock_movements (id, site_id, part_id, delta, reason, note, device_id) values ($1, $2, $3, $4, 'adjust', $5, $6)
           returning quantity_after`,
          [movementId, session.siteId, part, random.pick([-2, -1, 1, 3]), `command ${resultId}`, session.deviceId],
        );
        await sleep(random.int(0, 10));
        await client.query(
          `insert into mutation_results (id, site_id, device_id, user_id, command, status, details, entity_id)
           values ($1, $2, $3, $4, 'stock.adjust', 'applied', $5, $6)`,
          [resultId, session.siteId, session.deviceId, session.userId, JSON.stringify({ movementId, quantityAfter: rows[0]!.quantity_after }), part],
        );
      }
      if (random.chance(0.1)) await client.query('rollback');
      else await client.query('commit');
    };
    await Promise.all(
      Array.from({ length: WRITERS }, async (_, w) => {
        const random = createRandom(7_000 + w);
        const client = await writerPool.connect();
        try {
          for (let i = 0; i < COMMANDS_PER_WRITER; i++) {
            await command(client, random);
            // Room between commands for the tablet to commit: it commits once every shape has
            // reached a position (patches/README.md), so back-to-back commands share a commit.
            await sleep(random.int(0, 60));
          }
        } finally {
          client.release();
        }
      }),
    );

    const head = await feedHead(server, db.pool);
    await waitFor(`the tablet to commit lsn ${head}`, async () => {
      const { rows } = await local.query<{ last_lsn: string }>(`select last_lsn from electric.subscriptions_metadata where key = 'atomicity'`);
      return rows[0] !== undefined && BigInt(rows[0].last_lsn) >= head;
    });
    subscription.unsubscribe();
    aborter.abort();

    expect(found).toEqual([]);
    // Checked in several commits, taken while the writes arrived (not one at the end).
    expect(checked).toBeGreaterThan(2);
    for (const table of TABLES) {
      const scope = scopeSql(table, session);
      expect(await canonicalRows(local, table), table).toEqual(await canonicalRows(db.pool, table, scope.where, scope.params));
    }
    const { rows: results } = await local.query<{ n: number }>(`select count(*)::int as n from mutation_results`);
    expect(results[0]!.n).toBeGreaterThan(WRITERS * COMMANDS_PER_WRITER * 0.7);
    expect(errors).toEqual([]);
    await log.settled();
    expect(log.orderingViolations()).toEqual([]);
  }, 120_000);
});
