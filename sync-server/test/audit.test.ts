import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandName, MutationResult } from '@cimco/contract';
import { createUser } from '../src/auth/users.ts';
import type { RunningServer } from '../src/server.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';
import { login, readJson, startTestServer, type JsonBody } from './support/server.ts';

/** GET /api/audit: the admin's view of who did what, per yard, over real HTTP (DESIGN.md §2). */
let db: TestDatabase;
let server: RunningServer;

interface Session {
  token: string;
  deviceId: string;
  userId: string;
  siteId: string;
  send(commands: { name: CommandName; args: unknown }[]): Promise<MutationResult[]>;
}

async function signIn(username: string, password = 'demo'): Promise<Session> {
  const deviceId = uuidv7();
  const res = await login(server.url, username, password, { id: deviceId, name: `${username}'s tablet` });
  expect(res.status).toBe(200);
  const body = await readJson(res);
  const token = body.accessToken as string;
  return {
    token,
    deviceId,
    userId: body.user.id as string,
    siteId: body.user.siteId as string,
    async send(commands) {
      const res = await fetch(`${server.url}/api/mutations`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({
          deviceId,
          commands: commands.map((c) => ({ mutationId: uuidv7(), name: c.name, args: c.args, clientTime: new Date().toISOString() })),
        }),
      });
      expect(res.status).toBe(200);
      const { results } = await readJson(res);
      for (const result of results as MutationResult[]) expect(result.status, JSON.stringify(result)).not.toBe('rejected');
      return results as MutationResult[];
    },
  };
}

function audit(token: string, query: Record<string, string | number> = {}) {
  const params = new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)]));
  return fetch(`${server.url}/api/audit?${params}`, { headers: { authorization: `Bearer ${token}` } });
}

async function page(token: string, query: Record<string, string | number> = {}): Promise<{ rows: JsonBody[]; nextBefore: string | null }> {
  const res = await audit(token, query);
  expect(res.status, JSON.stringify(await res.clone().json())).toBe(200);
  return (await res.json()) as { rows: JsonBody[]; nextBefore: string | null };
}

/** Every row a filter matches, following nextBefore page by page. */
async function allPages(token: string, query: Record<string, string | number>): Promise<JsonBody[]> {
  const rows: JsonBody[] = [];
  let before: string | null = null;
  do {
    const next = await page(token, { ...query, ...(before && { before }) });
    expect(next.rows.length).toBeLessThanOrEqual(Number(query.limit ?? 50));
    rows.push(...next.rows);
    before = next.nextBefore;
  } while (before);
  return rows;
}

let admin: Session;
let supervisor: Session;
let tech: Session;
let storeroom: Session;
let other: Session;
let partId: string;
let otherPartId: string;
let startedAt: string;

beforeAll(async () => {
  db = await createTestDatabase();
  server = await startTestServer(db.url, { demo: true });
  [admin, supervisor, tech, storeroom] = (await Promise.all(['admin', 'supervisor', 'tech', 'storeroom'].map((u) => signIn(u)))) as [Session, Session, Session, Session];

  // Another yard on the same server, with its own admin and history.
  const otherSite = uuidv7();
  await db.pool.query(`insert into sites (id, code, name) values ($1, 'north', 'North yard')`, [otherSite]);
  await createUser(db.pool, { siteId: otherSite, username: 'north-admin', displayName: 'Nora North', role: 'admin', password: 'long-enough-password' });
  other = await signIn('north-admin', 'long-enough-password');
  otherPartId = uuidv7();
  await other.send([
    { name: 'part.create', args: { id: otherPartId, partNumber: 'N-1', name: 'North part' } },
    { name: 'stock.adjust', args: { reason: 'count', movementId: uuidv7(), partId: otherPartId, counted: 4 } },
  ]);

  startedAt = (await db.pool.query<{ now: Date }>('select now()')).rows[0]!.now.toISOString();
  partId = uuidv7();
  await storeroom.send([{ name: 'part.create', args: { id: partId, partNumber: 'AUD-1', name: 'Audited part' } }]);
  for (let i = 0; i < 12; i++) {
    await tech.send([{ name: 'stock.adjust', args: { reason: 'received', movementId: uuidv7(), partId, delta: i + 1 } }]);
  }
  await supervisor.send([{ name: 'part.update', args: { id: partId, changes: { location: 'Bin Q-1' }, base: { location: null } } }]);
});
afterAll(async () => {
  await server?.close();
  await db?.drop();
});

describe('GET /api/audit', () => {
  it('pages through the yard’s rows newest first, with who did it, never repeating or skipping one', async () => {
    const first = await page(admin.token, { limit: 5 });
    expect(first.rows).toHaveLength(5);
    expect(first.nextBefore).toEqual(expect.any(String));
    expect(first.rows[0]).toMatchObject({
      command: 'part.update', entity: 'parts', entityId: partId, userId: supervisor.userId, username: 'supervisor',
      userName: 'Sam Supervisor', deviceId: supervisor.deviceId, deviceName: "supervisor's tablet",
      after: { location: 'Bin Q-1' },
    });
    expect(first.rows[0]!.serverTime).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(first.rows[0]!.clientTime).toMatch(/^\d{4}-\d{2}-\d{2}T/);

    const rows = await allPages(admin.token, { limit: 7 });
    const expected = await db.pool.query<{ id: string }>(
      'select id from audit_log where site_id = $1 order by server_time desc, id desc',
      [admin.siteId],
    );
    expect(rows.map((r) => r.id)).toEqual(expected.rows.map((r) => r.id));
    expect(rows.length).toBe(14);
    expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
    const times = rows.map((r) => Date.parse(r.serverTime));
    expect(times).toEqual(times.toSorted((a, b) => b - a));

    // The last page says there is no more.
    const last = await page(admin.token, { limit: 200 });
    expect(last).toMatchObject({ nextBefore: null });
    expect(last.rows).toHaveLength(14);
  });

  it('filters by user, device, command, entity, entity id and time', async () => {
    const byTech = await allPages(admin.token, { user: tech.userId, limit: 5 });
    expect(byTech).toHaveLength(12);
    expect(byTech.every((r) => r.command === 'stock.adjust' && r.userName === 'Tomás Tech')).toBe(true);
    expect(await allPages(admin.token, { user: 'TECH' })).toHaveLength(12);
    expect(await allPages(admin.token, { device: storeroom.deviceId })).toMatchObject([{ command: 'part.create', entityId: partId }]);
    expect(await allPages(admin.token, { command: 'part.update' })).toHaveLength(1);
    expect(await allPages(admin.token, { entity: 'parts' })).toHaveLength(2);
    expect(await allPages(admin.token, { entity: 'stock_movements', command: 'stock.adjust', user: 'tech', limit: 3 })).toHaveLength(12);
    expect(await allPages(admin.token, { entityId: partId })).toHaveLength(2);

    expect(await allPages(admin.token, { from: startedAt })).toHaveLength(14);
    expect(await allPages(admin.token, { to: startedAt })).toHaveLength(0);
    const today = await page(admin.token, { from: '2000-01-01', to: '2999-12-31' });
    expect(today.rows).toHaveLength(14);
    expect(await allPages(admin.token, { from: '2999-01-01' })).toHaveLength(0);
  });

  it('answers a bad filter with 400 and a message per field', async () => {
    const res = await audit(admin.token, {
      limit: 500, device: 'tablet-7', command: 'part.explode', from: 'yesterday', entityId: '42', before: 'not-a-cursor', colour: 'red',
    });
    expect(res.status).toBe(400);
    const body = await readJson(res);
    expect(body.error).toBe('invalid_request');
    expect(body.fields).toMatchObject({
      limit: ['must be at most 200'],
      device: ['must be a UUID'],
      command: [expect.stringContaining('must be a command name')],
      from: [expect.stringContaining('ISO date-time')],
      entityId: ['must be a UUID'],
      before: [expect.stringContaining('nextBefore')],
    });
    expect(Object.keys(body.fields)).toContain('(body)');
    expect(body.message).toContain('limit');

    const bad: Record<string, string | number>[] = [{ limit: 0 }, { limit: 'ten' }, { from: '2026-02-01', to: '2026-01-01' }, { user: '' }];
    for (const query of bad) {
      expect((await audit(admin.token, query)).status, JSON.stringify(query)).toBe(400);
    }
  });

  it('is for supervisors and administrators (the audit_log rule its shape and export follow)', async () => {
    expect((await audit(supervisor.token)).status).toBe(200);
    for (const who of [storeroom, tech]) {
      const res = await audit(who.token);
      expect(res.status).toBe(403);
      expect((await readJson(res)).error).toBe('forbidden');
    }
    expect((await fetch(`${server.url}/api/audit`)).status).toBe(401);
  });

  it('never shows another yard’s rows', async () => {
    const mine = await allPages(admin.token, { limit: 200 });
    expect(mine.every((r) => r.entityId !== otherPartId)).toBe(true);
    expect(await allPages(admin.token, { entityId: otherPartId })).toEqual([]);
    expect(await allPages(admin.token, { user: other.userId })).toEqual([]);
    expect(await allPages(admin.token, { user: 'north-admin' })).toEqual([]);

    const theirs = await allPages(other.token, { limit: 1 });
    expect(theirs.map((r) => r.command)).toEqual(['stock.adjust', 'part.create']);
    expect(theirs.every((r) => r.userName === 'Nora North')).toBe(true);
    // A cursor from one yard does not open the other.
    const first = await page(admin.token, { limit: 1 });
    expect((await page(other.token, { before: first.nextBefore! })).rows.every((r) => r.userId === other.userId)).toBe(true);
  });
});
