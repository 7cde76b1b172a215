import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminDevicesResponseSchema, type MutationResult } from '@cimco/contract';
import { createUser } from '../src/auth/users.ts';
import type { RunningServer } from '../src/server.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';
import { login, readJson, startTestServer } from './support/server.ts';

/** The admin API (/api/admin/*) and what disabling an account does, over real HTTP on a real database. */
let db: TestDatabase;
let server: RunningServer;

interface Session {
  token: string;
  refreshToken: string;
  deviceId: string;
  userId: string;
  siteId: string;
}

async function signIn(username: string, password = 'demo'): Promise<Session> {
  const deviceId = uuidv7();
  const res = await login(server.url, username, password, { id: deviceId, name: `${username}'s tablet` });
  expect(res.status).toBe(200);
  const body = await readJson(res);
  return { token: body.accessToken, refreshToken: body.refreshToken, deviceId, userId: body.user.id, siteId: body.user.siteId };
}

function api(session: Session, path: string, init: RequestInit = {}) {
  return fetch(`${server.url}/api${path}`, {
    ...init,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${session.token}`, ...(init.headers as Record<string, string>) },
  });
}

async function send(session: Session, name: string, args: unknown): Promise<MutationResult> {
  const res = await api(session, '/mutations', {
    method: 'POST',
    body: JSON.stringify({ deviceId: session.deviceId, commands: [{ mutationId: uuidv7(), name, args, clientTime: new Date().toISOString() }] }),
  });
  expect(res.status).toBe(200);
  return (await readJson(res)).results[0] as MutationResult;
}

let admin: Session;
let tech: Session;

beforeAll(async () => {
  db = await createTestDatabase();
  server = await startTestServer(db.url, { demo: true });
  [admin, tech] = await Promise.all([signIn('admin'), signIn('tech')]);
});
afterAll(async () => {
  await server?.close();
  await db?.drop();
});

describe('GET /api/admin/devices', () => {
  it('lists the yard’s tablets with who used them last, for admins only', async () => {
    const res = await api(admin, '/admin/devices');
    expect(res.status).toBe(200);
    const { devices } = adminDevicesResponseSchema.parse(await readJson(res));
    const techTablet = devices.find((d) => d.id === tech.deviceId);
    expect(techTablet).toMatchObject({ name: "tech's tablet", username: 'tech', revokedAt: null });
    expect(Date.parse(techTablet!.lastSeenAt)).not.toBeNaN();

    // Another yard's tablet is not listed.
    const otherSite = uuidv7();
    await db.pool.query('insert into sites (id, code, name) values ($1, $2, $3)', [otherSite, 'other-admin', 'Other yard']);
    await createUser(db.pool, { siteId: otherSite, username: 'other-admin-store', displayName: 'Other', role: 'storeroom', password: 'long-enough-password' });
    const other = await signIn('other-admin-store', 'long-enough-password');
    const again = adminDevicesResponseSchema.parse(await readJson(await api(admin, '/admin/devices')));
    expect(again.devices.some((d) => d.id === other.deviceId)).toBe(false);

    // A revoked tablet says so, and by whom.
    expect((await send(admin, 'device.revoke', { id: tech.deviceId })).status).toBe('applied');
    const revoked = adminDevicesResponseSchema.parse(await readJson(await api(admin, '/admin/devices'))).devices.find((d) => d.id === tech.deviceId);
    expect(revoked?.revokedAt).not.toBeNull();
    expect(revoked?.revokedByName).toBeTruthy();
  });

  it('refuses every other role with 403, and the unauthenticated with 401', async () => {
    for (const username of ['storeroom', 'supervisor']) {
      const session = await signIn(username);
      const res = await api(session, '/admin/devices');
      expect(res.status).toBe(403);
      expect((await readJson(res)).error).toBe('forbidden');
      const reset = await api(session, `/admin/users/${session.userId}/password`, { method: 'POST', body: JSON.stringify({ password: 'a-new-long-password' }) });
      expect(reset.status).toBe(403);
    }
    expect((await fetch(`${server.url}/api/admin/devices`)).status).toBe(401);
  });
});

describe('POST /api/admin/users/<id>/password', () => {
  it('sets a new password: the old one stops working, sessions end, the audit log says so without the password', async () => {
    const person = await signIn('storeroom');
    const res = await api(admin, `/admin/users/${person.userId}/password`, { method: 'POST', body: JSON.stringify({ password: 'fresh-password-1' }) });
    expect(res.status).toBe(204);
    expect((await login(server.url, 'storeroom', 'demo')).status).toBe(401);
    expect((await login(server.url, 'storeroom', 'fresh-password-1')).status).toBe(200);
    const refresh = await fetch(`${server.url}/api/auth/refresh`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refreshToken: person.refreshToken }),
    });
    expect(refresh.status).toBe(401);
    const { rows } = await db.pool.query(`select command, entity, entity_id, after::text as after from audit_log where command = 'user.setPassword'`);
    expect(rows).toEqual([{ command: 'user.setPassword', entity: 'users', entity_id: person.userId, after: '{"password": "changed"}' }]);
  });

  it('refuses a short password, an unknown or other yard’s user, with reasons; nothing changes', async () => {
    const before = (await db.pool.query('select password_hash from users where username = $1', ['supervisor'])).rows[0].password_hash;
    const supervisorId = (await db.pool.query('select id from users where username = $1', ['supervisor'])).rows[0].id;
    const short = await api(admin, `/admin/users/${supervisorId}/password`, { method: 'POST', body: JSON.stringify({ password: 'short' }) });
    expect(short.status).toBe(400);
    expect((await readJson(short)).fields.password).toBeDefined();
    expect((await api(admin, `/admin/users/${uuidv7()}/password`, { method: 'POST', body: JSON.stringify({ password: 'long-enough-pw' }) })).status).toBe(404);
    expect((await api(admin, '/admin/users/not-a-uuid/password', { method: 'POST', body: JSON.stringify({ password: 'long-enough-pw' }) })).status).toBe(400);
    const otherUser = (await db.pool.query('select id from users where username = $1', ['other-admin-store'])).rows[0].id;
    expect((await api(admin, `/admin/users/${otherUser}/password`, { method: 'POST', body: JSON.stringify({ password: 'long-enough-pw' }) })).status).toBe(404);
    expect((await db.pool.query('select password_hash from users where username = $1', ['supervisor'])).rows[0].password_hash).toBe(before);
  });
});

describe('disabling an account (user.update active=false)', () => {
  it('refuses the person’s very next request, reads included, and their session cannot be renewed', async () => {
    const person = await signIn('supervisor');
    expect((await api(person, '/me')).status).toBe(200); // cached as allowed
    expect((await send(admin, 'user.update', { id: person.userId, active: false })).status).toBe('applied');
    // The NOTIFY reaches the access cache right after the commit; the next request is refused.
    await expect.poll(async () => (await api(person, '/me')).status).toBe(401);
    expect((await readJson(await api(person, '/me'))).error).toBe('account_disabled');
    const refresh = await fetch(`${server.url}/api/auth/refresh`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refreshToken: person.refreshToken }),
    });
    expect(refresh.status).toBe(401);
    expect((await login(server.url, 'supervisor', 'demo')).status).toBe(401);

    // Enabled again, they can sign in.
    expect((await send(admin, 'user.update', { id: person.userId, active: true })).status).toBe('applied');
    expect((await login(server.url, 'supervisor', 'demo')).status).toBe(200);
  });
});
