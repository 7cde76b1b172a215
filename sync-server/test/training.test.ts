import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYNCED_TABLES, trainingSessionSchema, type MutationResult } from '@cimco/contract';
import { createUser } from '../src/auth/users.ts';
import type { RunningServer } from '../src/server.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';
import { login, readJson, startTestServer } from './support/server.ts';
import { fetchWholeShape, isChange } from './support/shapes.ts';

/**
 * Training yards (src/training/training-yard.ts): made on demand on a server without demo data,
 * entered without a password, kept apart from the live yard by the server, reset by an admin.
 */
let db: TestDatabase;
let server: RunningServer;
let liveSiteId: string;

interface Session {
  token: string;
  deviceId: string;
  userId: string;
  siteId: string;
}

async function liveSignIn(username: string): Promise<Session> {
  const deviceId = uuidv7();
  const res = await login(server.url, username, 'long-enough-password', { id: deviceId });
  expect(res.status).toBe(200);
  const body = await readJson(res);
  return { token: body.accessToken, deviceId, userId: body.user.id, siteId: body.user.siteId };
}

function enterTraining(body: Record<string, unknown>) {
  return fetch(`${server.url}/api/auth/training`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

async function trainingSignIn(account: string, deviceId = uuidv7()) {
  const res = await enterTraining({ account, device: { id: deviceId, secret: 'x'.repeat(40) } });
  expect(res.status).toBe(200);
  const session = trainingSessionSchema.parse(await res.json());
  return { session, token: session.accessToken, deviceId, userId: session.user.id, siteId: session.user.siteId };
}

function api(session: { token: string }, path: string, init: RequestInit = {}) {
  return fetch(`${server.url}/api${path}`, {
    ...init,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${session.token}`, ...(init.headers as Record<string, string>) },
  });
}

async function send(session: { token: string; deviceId: string }, name: string, args: unknown): Promise<MutationResult> {
  const res = await api(session, '/mutations', {
    method: 'POST',
    body: JSON.stringify({ deviceId: session.deviceId, commands: [{ mutationId: uuidv7(), name, args, clientTime: new Date().toISOString() }] }),
  });
  expect(res.status).toBe(200);
  return (await readJson(res)).results[0] as MutationResult;
}

/** Every row of the live yard, in every table that has a site (but `leaving`), as one comparable text. */
async function liveYardRows(leaving: readonly string[] = []): Promise<string> {
  const tables = [...SYNCED_TABLES.filter((t) => t !== 'sites' && t !== 'mutation_results'), 'devices', 'refresh_tokens'];
  const parts = [];
  for (const table of tables.filter((t) => !leaving.includes(t))) {
    const where = table === 'refresh_tokens' ? 'user_id in (select id from users where site_id = $1)' : 'site_id = $1';
    const { rows } = await db.pool.query(`select coalesce(string_agg(t::text, E'\\n' order by t::text), '') as rows from ${table} t where ${where}`, [liveSiteId]);
    parts.push(`${table}:\n${rows[0].rows}`);
  }
  const { rows } = await db.pool.query(`select t::text as row from sites t where id = $1`, [liveSiteId]);
  return `${parts.join('\n')}\nsites:${rows[0].row}`;
}

let livePartId: string;
let liveStore: Session;

beforeAll(async () => {
  db = await createTestDatabase();
  // No demo data: the training yard must be made on demand.
  server = await startTestServer(db.url, { demo: false });
  liveSiteId = uuidv7();
  await db.pool.query('insert into sites (id, code, name) values ($1, $2, $3)', [liveSiteId, 'north', 'North yard']);
  await createUser(db.pool, { siteId: liveSiteId, username: 'north-admin', displayName: 'North admin', role: 'admin', password: 'long-enough-password' });
  await createUser(db.pool, { siteId: liveSiteId, username: 'north-store', displayName: 'North storeroom', role: 'storeroom', password: 'long-enough-password' });
  await createUser(db.pool, { siteId: liveSiteId, username: 'north-tech', displayName: 'North tech', role: 'technician', password: 'long-enough-password' });
  liveStore = await liveSignIn('north-store');
  livePartId = uuidv7();
  const created = await send(liveStore, 'part.create', { id: livePartId, partNumber: 'LIVE-1', name: 'Live part', category: 'bearings' });
  expect(created.status).toBe('applied');
  expect((await send(liveStore, 'stock.adjust', { reason: 'received', movementId: uuidv7(), partId: livePartId, delta: 5 })).status).toBe('applied');
});
afterAll(async () => {
  await server?.close();
  await db?.drop();
});

describe('entering the training yard', () => {
  it('is made on the first request, once, however many tablets ask at the same moment', async () => {
    const sessions = await Promise.all(['tech2', 'storeroom', 'admin', 'tech'].map((account) => trainingSignIn(account)));
    const { rows } = await db.pool.query('select id, is_demo from sites where training_for = $1', [liveSiteId]);
    expect(rows).toHaveLength(1);
    expect(rows[0].is_demo).toBe(true);
    for (const { session } of sessions) {
      expect(session.user.siteId).toBe(rows[0].id);
      expect(session.yard).toMatchObject({ id: rows[0].id, liveSiteId });
    }
    expect(sessions.map((s) => s.session.user.role)).toEqual(['technician', 'storeroom', 'admin', 'technician']);
    // The demo content is there: machines and parts of its own.
    const { rows: counts } = await db.pool.query('select (select count(*) from parts where site_id = $1)::int as parts, (select count(*) from equipment where site_id = $1)::int as machines', [rows[0].id]);
    expect(counts[0].parts).toBeGreaterThan(100);
    expect(counts[0].machines).toBeGreaterThan(10);
  });

  it('refuses unknown people and yards with a sentence, and its accounts cannot be entered with a password', async () => {
    const unknown = await enterTraining({ account: 'root' });
    expect(unknown.status).toBe(400);
    expect((await readJson(unknown)).message).toMatch(/account must be one of tech2, tech, storeroom, supervisor, admin/);
    const noSuchYard = await enterTraining({ account: 'tech', site: uuidv7() });
    expect(noSuchYard.status).toBe(404);
    expect((await readJson(noSuchYard)).message).toBe('There is no such yard on this server.');

    const { session } = await trainingSignIn('tech');
    expect(session.user.username).toMatch(/^tech@training-[0-9a-f]{10}$/);
    expect((await login(server.url, session.user.username, 'demo')).status).toBe(401);
  });
});

describe('the live yard is never touched by training work', () => {
  it('training commands change training rows only, and cannot reach a live row even by its id', async () => {
    const before = await liveYardRows();
    const store = await trainingSignIn('storeroom');
    const admin = await trainingSignIn('admin');

    // The shapes show the training yard only.
    const shape = await fetchWholeShape(server.url, { table: 'parts' }, { authorization: `Bearer ${store.token}` });
    const partIds = shape.messages.filter(isChange).map((m) => (m.value as { id: string }).id);
    expect(partIds.length).toBeGreaterThan(100);
    expect(partIds).not.toContain(livePartId);

    // Ordinary work in the training yard is applied there.
    const trainingPart = { id: partIds[0]! };
    expect((await send(store, 'stock.adjust', { reason: 'received', movementId: uuidv7(), partId: trainingPart.id, delta: 2 })).status).toBe('applied');
    const newPart = uuidv7();
    expect((await send(store, 'part.create', { id: newPart, partNumber: 'LIVE-1', name: 'Same number as a live part', category: 'bearings' })).status).toBe('applied');
    const created = await send(admin, 'user.create', { id: uuidv7(), username: 'north-tech', displayName: 'Trainee', role: 'technician', password: 'long-enough-password' });
    expect(created.status).toBe('applied');
    const { rows: users } = await db.pool.query('select username, site_id from users where display_name = $1', ['Trainee']);
    // A live username stays free for the live yard: the training yard's carries its code.
    expect(users).toEqual([{ username: `north-tech@${store.session.yard.code}`, site_id: store.siteId }]);

    // Aimed at live rows by id: refused, as for any other yard's row.
    const aimed = [
      await send(store, 'stock.adjust', { reason: 'used', movementId: uuidv7(), partId: livePartId, delta: -1 }),
      await send(store, 'part.update', { id: livePartId, changes: { name: 'Changed in training' }, base: { name: 'Live part' } }),
      await send(admin, 'user.update', { id: liveStore.userId, active: false }),
      await send(admin, 'device.revoke', { id: liveStore.deviceId }),
    ];
    for (const result of aimed) expect(result.status).toBe('rejected');

    expect(await liveYardRows()).toBe(before);
    expect((await api(liveStore, '/me')).status).toBe(200);
  });
});

describe('resetting the training yard', () => {
  it('is for admins only', async () => {
    const tech = await liveSignIn('north-tech');
    const res = await api(tech, '/admin/training/reset', { method: 'POST', body: '{}' });
    expect(res.status).toBe(403);
    const trainee = await trainingSignIn('supervisor');
    expect((await api(trainee, '/admin/training/reset', { method: 'POST', body: '{}' })).status).toBe(403);
  });

  it('replaces it with a fresh demo: the old sessions end, the next entry finds the seeded stock again', async () => {
    const store = await trainingSignIn('storeroom');
    const { rows: seeded } = await db.pool.query('select id, part_number, quantity from parts where site_id = $1 and quantity > 0 order by part_number limit 1', [store.siteId]);
    const part = seeded[0];
    expect((await send(store, 'stock.adjust', { reason: 'used', movementId: uuidv7(), partId: part.id, delta: -1 })).status).toBe('applied');
    const admin = await liveSignIn('north-admin');
    // The admin's own tablet and audit row are live work; the rest of the live yard must not move.
    const leaving = ['audit_log', 'devices', 'refresh_tokens'];
    const before = await liveYardRows(leaving);

    const res = await api(admin, '/admin/training/reset', { method: 'POST', body: '{}' });
    expect(res.status).toBe(200);
    const { yard } = await readJson(res);
    expect(yard.id).not.toBe(store.siteId);

    // The old yard's people are signed out (the rights cache hears of it by NOTIFY: wait for it).
    await expect.poll(async () => (await api(store, '/me')).status).toBe(401);
    // The same tablet enters the fresh yard (its registration follows from the retired one).
    const again = await trainingSignIn('storeroom', store.deviceId);
    expect(again.siteId).toBe(yard.id);
    expect((await api(again, '/me')).status).toBe(200);
    const { rows: fresh } = await db.pool.query('select quantity from parts where site_id = $1 and part_number = $2', [yard.id, part.part_number]);
    expect(fresh[0].quantity).toBe(part.quantity);
    const { rows: current } = await db.pool.query('select count(*)::int as n from sites where training_for = $1 and retired_at is null', [liveSiteId]);
    expect(current[0].n).toBe(1);
    // The reset is in the admin's audit log; the live yard's data is as it was.
    const { rows: audit } = await db.pool.query("select command from audit_log where site_id = $1 and command = 'training.reset'", [liveSiteId]);
    expect(audit).toHaveLength(1);
    expect(await liveYardRows(leaving)).toBe(before);
  });

  it('asks which yard when the server has several and the tablet did not say', async () => {
    await db.pool.query('insert into sites (id, code, name) values ($1, $2, $3)', [uuidv7(), 'south', 'South yard']);
    const res = await enterTraining({ account: 'tech' });
    expect(res.status).toBe(400);
    expect(await readJson(res)).toMatchObject({ error: 'yard_required', message: expect.stringMatching(/several yards/) });
    const named = await enterTraining({ account: 'tech', site: liveSiteId });
    expect(named.status).toBe(200);
  });
});
