import { afterAll, beforeAll, expect, it } from 'vitest';
import { ShapeStream, Shape } from '@electric-sql/client';
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

it('smoke: syncs parts with the 1.5 client, then a live change', async () => {
  const session = await readJson(await login(server.url, 'storeroom', 'demo'));
  const stream = new ShapeStream({
    url: `${server.url}/v1/shape`,
    params: { table: 'parts' },
    headers: { authorization: `Bearer ${session.accessToken}` },
  });
  const shape = new Shape(stream);
  const rows = await shape.rows;
  const { rows: expected } = await db.pool.query('select count(*)::int as n from parts');
  expect(rows.length).toBe(expected[0].n);
  const part = rows[0]!;
  await db.pool.query(`insert into stock_movements (id, site_id, part_id, delta, reason) values ($1, $2, $3, 5, 'received')`, [uuidv7(), part.site_id, part.id]);
  const changed = await new Promise<Record<string, unknown>>((resolve) => {
    shape.subscribe(({ rows }) => {
      const row = rows.find((r) => r.id === part.id);
      if (row && row.quantity !== part.quantity) resolve(row);
    });
  });
  expect(changed.quantity).toBe((part.quantity as number) + 5);
  stream.unsubscribeAll();
});
