import { afterAll, beforeAll, expect, it } from 'vitest';
import { PGlite } from '@electric-sql/pglite';
import { electricSync } from '@electric-sql/pglite-sync';
import { v7 as uuidv7 } from 'uuid';
import { createTestDatabase, type TestDatabase } from './support/database.ts';
import { login, readJson, startTestServer } from './support/server.ts';
import type { RunningServer } from '../src/server.ts';

let db: TestDatabase;
let server: RunningServer;
beforeAll(async () => {
  db = await createTestDatabase();
  server = await startTestServer(db.url, { demo: true, shapeLiveTimeoutMs: 2000 });
});
afterAll(async () => {
  await server?.close();
  await db?.drop();
});

it('smoke: pglite-sync syncs parts and stock_movements into PGlite', async () => {
  const session = await readJson(await login(server.url, 'storeroom', 'demo', { id: uuidv7(), name: 't' }));
  const local = await PGlite.create({ extensions: { electric: electricSync() } });
  await local.exec(`
    create table parts (id uuid primary key, site_id uuid, part_number text, name text, description text, category text,
      part_type text, manufacturer text, supplier text, unit_cost numeric, quantity int, min_quantity int, unit text,
      lead_time_days int, location text, wear_rating smallint, deleted_at timestamptz, created_at timestamptz,
      updated_at timestamptz, updated_by uuid, version int);
    create table movements (id uuid primary key, part_id uuid, delta int);
  `);
  const headers = { authorization: `Bearer ${session.accessToken}` };
  let synced!: () => void;
  const initial = new Promise<void>((r) => (synced = r));
  const sub = await local.electric.syncShapesToTables({
    key: 'smoke',
    shapes: {
      parts: { shape: { url: `${server.url}/v1/shape`, params: { table: 'parts' }, headers }, table: 'parts', primaryKey: ['id'] },
      movements: {
        shape: { url: `${server.url}/v1/shape`, params: { table: 'stock_movements', columns: ['id', 'part_id', 'delta'] }, headers },
        table: 'movements',
        primaryKey: ['id'],
      },
    },
    onInitialSync: () => synced(),
  });
  await initial;
  const count = async (sql: string) => (await local.query<{ n: number }>(sql)).rows[0]!.n;
  const { rows } = await db.pool.query('select (select count(*)::int from parts) as p, (select count(*)::int from stock_movements) as m');
  expect(await count('select count(*)::int as n from parts')).toBe(rows[0].p);
  expect(await count('select count(*)::int as n from movements')).toBe(rows[0].m);

  const part = (await local.query<{ id: string; site_id: string; quantity: number }>('select id, site_id, quantity from parts limit 1')).rows[0]!;
  await db.pool.query(`insert into stock_movements (id, site_id, part_id, delta, reason) values ($1, $2, $3, -2, 'used')`, [uuidv7(), part.site_id, part.id]);
  for (let i = 0; i < 100; i++) {
    const q = (await local.query<{ quantity: number }>('select quantity from parts where id = $1', [part.id])).rows[0]!.quantity;
    if (q === part.quantity - 2) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  expect((await local.query<{ quantity: number }>('select quantity from parts where id = $1', [part.id])).rows[0]!.quantity).toBe(part.quantity - 2);
  expect(await count('select count(*)::int as n from movements')).toBe(rows[0].m + 1);
  sub.unsubscribe();
  await local.close();
});
