/**
 * Acceptance (shape service, item 1): the official `@electric-sql/client` 1.5 syncs every synced
 * table from our server, its rows equal the server's rows under the same filter (read here with
 * plain SQL), values parse to the right JS types, and live inserts/updates/deletes arrive.
 * Every response is recorded, and the protocol's ordering rules are checked over them (item 5).
 */
import { Shape, ShapeStream, type Row } from '@electric-sql/client';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { startTestServer } from '../support/server.ts';
import {
  expectedClientRows,
  keyedRows,
  primaryKeyOf,
  QUICK_BACKOFF,
  ResponseLog,
  scopeSql,
  signIn,
  SYNCED_TABLES,
  type Session,
  type SyncedTable,
} from '../support/shapes.ts';

let db: TestDatabase;
let server: RunningServer;
let session: Session;
const log = new ResponseLog();
const aborter = new AbortController();
const shapes = new Map<SyncedTable, Shape<Row>>();
const primaryKeys = new Map<SyncedTable, string[]>();

// Rows this file adds so every type and NULL appears: a command result of this tablet (int8 past
// 2^53, jsonb), an audit entry (jsonb before/after), a conflict (jsonb values).
const mutationId = uuidv7();
const hugeTxid = '9007199254740993'; // 2^53 + 1: wrong if parsed as a JS number
const auditId = uuidv7();
const conflictId = uuidv7();
const details = { partId: 'p-1', delta: -2, nested: { list: [1, 'two', null, true], quote: 'say "hi"\\n', uni: 'añ✓' } };

beforeAll(async () => {
  db = await createTestDatabase();
  server = await startTestServer(db.url, { demo: true, shapeLiveTimeoutMs: 1_000 });
  session = await signIn(server.url, 'supervisor', { device: true });
  const part = (await db.pool.query<{ id: string }>('select id from parts where site_id = $1 order by part_number limit 1', [session.siteId])).rows[0]!;
  await db.pool.query(
    `insert into mutation_results (id, site_id, device_id, user_id, command, status, code, message, details, entity_id, txid)
     values ($1, $2, $3, $4, 'stock.adjust', 'applied', null, null, $5, $6, $7)`,
    [mutationId, session.siteId, session.deviceId, session.userId, JSON.stringify(details), part.id, hugeTxid],
  );
  await db.pool.query(
    `insert into audit_log (id, site_id, user_id, device_id, command, entity, entity_id, mutation_id, before, after, client_time)
     values ($1, $2, $3, $4, 'part.update', 'parts', $5, $6, $7, null, '2026-01-02 03:04:05.123456+00')`,
    [auditId, session.siteId, session.userId, session.deviceId, part.id, mutationId, JSON.stringify({ name: 'Old "name"', qty: 3.5, tags: [] })],
  );
  await db.pool.query(
    `insert into conflicts (id, site_id, kind, entity, entity_id, field, overwritten_value, winning_value, user_id)
     values ($1, $2, 'overwritten', 'parts', $3, 'location', '"BIN-1"', '{"v": null}', $4)`,
    [conflictId, session.siteId, part.id, session.userId],
  );
  for (const table of SYNCED_TABLES) primaryKeys.set(table, await primaryKeyOf(db.pool, table));
});

afterAll(async () => {
  aborter.abort();
  await server?.close();
  await db?.drop();
});

function startShape(table: SyncedTable): Shape<Row> {
  const stream = new ShapeStream({
    url: `${server.url}/v1/shape`,
    params: { table },
    headers: session.headers,
    fetchClient: log.fetchFor(`1.5/${table}`),
    backoffOptions: QUICK_BACKOFF,
    signal: aborter.signal,
  });
  return new Shape(stream);
}

/** The shape's rows keyed by primary key, as plain objects for toEqual. */
function clientRows(table: SyncedTable): Record<string, Record<string, unknown>> {
  return Object.fromEntries(keyedRows(shapes.get(table)!.currentRows, primaryKeys.get(table)!));
}

async function serverRows(table: SyncedTable): Promise<Record<string, Record<string, unknown>>> {
  const scope = scopeSql(table, session);
  return Object.fromEntries(await expectedClientRows(db.pool, table, scope.where, scope.params));
}

describe('@electric-sql/client 1.5 against the shape service', () => {
  it('syncs every synced table, and each equals the server rows under the same filter', async () => {
    for (const table of SYNCED_TABLES) shapes.set(table, startShape(table));
    await Promise.all([...shapes.values()].map((shape) => shape.rows));
    for (const table of SYNCED_TABLES) {
      const expected = await serverRows(table);
      expect(Object.keys(expected).length, `${table} has rows to compare`).toBeGreaterThan(0);
      expect(clientRows(table), table).toEqual(expected);
    }
    // The filter is the server's: the users shape never carries password hashes.
    expect(Object.values(clientRows('users')).every((u) => !('password_hash' in u))).toBe(true);
  });

  it('parses values by type: int8 → BigInt, numeric → string, bool → boolean, jsonb → object, timestamptz/date → string, NULL → null', () => {
    const result = clientRows('mutation_results')[mutationId]!;
    expect(result.txid).toBe(BigInt(hugeTxid));
    expect(result.details).toEqual(details);
    expect(result.code).toBeNull();
    expect(result.message).toBeNull();
    expect(result.version).toBe(1);
    expect(result.created_at).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,6})?\+00$/);

    const audit = clientRows('audit_log')[auditId]!;
    expect(audit.before).toEqual({ name: 'Old "name"', qty: 3.5, tags: [] });
    expect(audit.after).toBeNull();
    expect(audit.client_time).toBe('2026-01-02 03:04:05.123456+00');

    const conflict = clientRows('conflicts')[conflictId]!;
    expect(conflict.overwritten_value).toBe('BIN-1');
    expect(conflict.winning_value).toEqual({ v: null });

    const parts = Object.values(clientRows('parts'));
    const costed = parts.find((p) => p.unit_cost !== null)!;
    expect(typeof costed.unit_cost).toBe('string');
    expect(costed.unit_cost).toMatch(/^\d+\.\d\d$/);
    expect(typeof costed.quantity).toBe('number');
    expect(parts.some((p) => p.unit_cost === null || p.description === null)).toBe(true);

    const tasks = Object.values(clientRows('tasks'));
    expect(tasks.every((t) => typeof t.loto_confirmed === 'boolean')).toBe(true);
    expect(tasks.every((t) => typeof t.priority === 'number')).toBe(true);
    expect(tasks.some((t) => typeof t.due_date === 'string' && /^\d{4}-\d\d-\d\d$/.test(t.due_date))).toBe(true);

    const equipment = Object.values(clientRows('equipment')).find((e) => e.meter !== null)!;
    expect(typeof equipment.meter).toBe('string');
    expect(equipment.meter).toMatch(/^\d+\.\d$/);
  });

  it('delivers live inserts, updates and deletes, and ends equal to the server again', async () => {
    const equipmentId = Object.keys(clientRows('equipment'))[0]!;
    const part = Object.values(clientRows('parts'))[0]!;
    const taskA = uuidv7();
    const taskB = uuidv7();
    const client = await db.pool.connect();
    try {
      // One transaction over several tables: insert, a trigger-driven update, a jsonb update.
      await client.query('begin');
      await client.query(
        `insert into tasks (id, site_id, equipment_id, title, description, priority, due_date, loto_confirmed, loto_confirmed_at)
         values ($1, $2, $3, 'Live task "A"', e'line 1\\nline 2 \\\\ back', 4, '2026-12-24', true, now()),
                ($4, $2, $3, 'Live task B', null, 1, null, false, null)`,
        [taskA, session.siteId, equipmentId, taskB],
      );
      await client.query(
        `insert into stock_movements (id, site_id, part_id, delta, reason, note) values ($1, $2, $3, -3, 'used', 'live test')`,
        [uuidv7(), session.siteId, part.id],
      );
      await client.query(`update mutation_results set status = 'conflict', details = details || '{"extra": [1.5]}' where id = $1`, [mutationId]);
      await client.query('commit');
    } finally {
      client.release();
    }
    await db.pool.query(`update tasks set status = 'in_progress', priority = 2, description = null where id = $1`, [taskA]);
    await db.pool.query(`delete from tasks where id = $1`, [taskB]);
    await db.pool.query(`delete from conflicts where id = $1`, [conflictId]);
    await db.pool.query(`update parts set unit_cost = 12.5, location = null where id = $1`, [part.id]);

    for (const table of ['tasks', 'parts', 'stock_movements', 'mutation_results', 'conflicts'] as const) {
      const expected = await serverRows(table);
      await expect.poll(() => clientRows(table), { timeout: 20_000, interval: 50 }).toEqual(expected);
    }
    expect(clientRows('tasks')[taskA]).toMatchObject({ status: 'in_progress', priority: 2, description: null, loto_confirmed: true, due_date: '2026-12-24' });
    expect(clientRows('tasks')[taskB]).toBeUndefined();
    expect(clientRows('conflicts')[conflictId]).toBeUndefined();
    expect(clientRows('parts')[part.id as string]).toMatchObject({ unit_cost: '12.50', location: null, quantity: (part.quantity as number) - 3 });
    expect(clientRows('mutation_results')[mutationId]).toMatchObject({ status: 'conflict', txid: BigInt(hugeTxid), details: { ...details, extra: [1.5] } });
    // Tables nobody wrote stayed equal too.
    for (const table of SYNCED_TABLES) expect(clientRows(table), table).toEqual(await serverRows(table));
  });

  it('never sends an lsn backwards or below a global_last_seen_lsn already sent (all responses above)', async () => {
    await log.settled();
    const changes = log.exchanges.flatMap((e) => e.messages ?? []).filter((m) => m.headers.lsn !== undefined);
    expect(changes.length).toBeGreaterThan(0);
    expect(log.orderingViolations()).toEqual([]);
  });
});
