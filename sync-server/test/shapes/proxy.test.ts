import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Shape, ShapeStream } from '@electric-sql/client';
import { v7 as uuidv7 } from 'uuid';
import type { RunningServer } from '../../src/server.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { login, readJson, startTestServer } from '../support/server.ts';

/**
 * Proxy mode: a second instance of our own server, holding ELECTRIC_SECRET, stands in for the
 * real Electric upstream; the proxy authorises each caller and forwards the shape it decides.
 */
const SECRET = 'proxy-test-shared-secret-0123456789';
let db: TestDatabase;
let upstream: RunningServer;
let proxy: RunningServer;
let otherSiteParts: number;

beforeAll(async () => {
  db = await createTestDatabase();
  upstream = await startTestServer(db.url, { demo: true, electricSecret: SECRET, shapeLiveTimeoutMs: 1_000 });
  proxy = await startTestServer(db.url, { demo: false, electricUrl: upstream.url, electricSecret: SECRET });
  // Another yard's parts, which no sterling user may receive.
  const site = uuidv7();
  await db.pool.query(`insert into sites (id, code, name) values ($1, 'far-yard', 'Far yard')`, [site]);
  for (let i = 0; i < 3; i++) {
    await db.pool.query(`insert into parts (id, site_id, part_number, name) values ($1, $2, $3, 'Far part')`, [uuidv7(), site, `FAR-${i}`]);
  }
  otherSiteParts = 3;
});
afterAll(async () => {
  await proxy?.close();
  await upstream?.close();
  await db?.drop();
});

async function token(username: string) {
  return (await readJson(await login(proxy.url, username, 'demo'))).accessToken as string;
}

describe('proxy mode (ELECTRIC_URL)', () => {
  it("syncs through the upstream with the caller's scope, and live changes arrive", async () => {
    const stream = new ShapeStream({
      url: `${proxy.url}/v1/shape`,
      params: { table: 'parts' },
      headers: { authorization: `Bearer ${await token('tech')}` },
    });
    const shape = new Shape(stream);
    const rows = await shape.rows;
    const { rows: counts } = await db.pool.query(
      `select count(*)::int as n, (select count(*)::int from parts) as all_parts from parts p join sites s on s.id = p.site_id where s.code = 'sterling'`,
    );
    expect(rows).toHaveLength(counts[0].n);
    expect(counts[0].all_parts).toBe(counts[0].n + otherSiteParts);
    expect(rows.every((r) => !String(r.part_number).startsWith('FAR-'))).toBe(true);

    const part = rows[0]!;
    await db.pool.query(`update parts set location = 'Proxy bin' where id = $1`, [part.id]);
    await new Promise<void>((resolve) =>
      shape.subscribe(({ rows }) => {
        if (rows.find((r) => r.id === part.id)?.location === 'Proxy bin') resolve();
      }),
    );
    stream.unsubscribeAll();
  });

  it('keeps the protocol headers and answers what the proxy itself refuses without asking upstream', async () => {
    const auth = { authorization: `Bearer ${await token('tech')}` };
    const res = await fetch(`${proxy.url}/v1/shape?table=equipment&offset=-1`, { headers: auth });
    expect(res.status).toBe(200);
    for (const header of ['electric-handle', 'electric-offset', 'electric-schema']) expect(res.headers.get(header)).toBeTruthy();
    expect(res.headers.get('access-control-expose-headers')).toContain('electric-offset');
    expect(res.headers.get('content-encoding')).toBeNull();
    expect(Array.isArray(await res.json())).toBe(true);

    const before = upstream.shapes.stats.snapshotsComputed;
    expect((await fetch(`${proxy.url}/v1/shape?table=parts&offset=-1`)).status).toBe(401);
    expect((await fetch(`${proxy.url}/v1/shape?table=audit_log&offset=-1`, { headers: auth })).status).toBe(403);
    const bad = await fetch(`${proxy.url}/v1/shape?table=parts&offset=-1&where=${encodeURIComponent('pg_sleep(1) is null')}`, { headers: auth });
    expect(bad.status).toBe(400);
    expect(upstream.shapes.stats.snapshotsComputed).toBe(before);
  });

  it('the upstream refuses a caller without a token or the secret', async () => {
    expect((await fetch(`${upstream.url}/v1/shape?table=parts&offset=-1`)).status).toBe(401);
    expect((await fetch(`${upstream.url}/v1/shape?table=parts&offset=-1&secret=wrong-secret-0123456789xx`)).status).toBe(401);
    expect((await fetch(`${upstream.url}/v1/shape?table=parts&offset=-1&secret=${SECRET}`)).status).toBe(200);
  });
});
