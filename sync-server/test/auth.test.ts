import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { v7 as uuidv7 } from 'uuid';
import { sessionSchema, type Role } from '@cimco/contract';
import { createAccessTokens } from '../src/auth/access-tokens.ts';
import { FREE_FAILURES } from '../src/auth/login-limiter.ts';
import { createUser } from '../src/auth/users.ts';
import type { RunningServer } from '../src/server.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';
import { login, readJson, startTestServer } from './support/server.ts';

const SECRET = 'auth-test-secret-0123456789-0123456789-abcdef';
let db: TestDatabase;
let server: RunningServer;
let siteId: string;
const PASSWORD = 'correct horse battery';

beforeAll(async () => {
  db = await createTestDatabase();
  siteId = uuidv7();
  await db.pool.query(`insert into sites (id, code, name) values ($1, 'test-yard', 'Test yard')`, [siteId]);
  const roles: Role[] = ['technician', 'storeroom', 'supervisor', 'admin'];
  for (const role of roles) {
    await createUser(db.pool, { siteId, username: role, displayName: `The ${role}`, role, password: PASSWORD });
  }
  await createUser(db.pool, { siteId, username: 'victim', displayName: 'Victim', role: 'technician', password: PASSWORD });
  server = await startTestServer(db.url, { demo: false, jwtSecret: SECRET });
});
afterAll(async () => {
  await server?.close();
  await db?.drop();
});

async function signIn(username: string, password = PASSWORD) {
  const res = await login(server.url, username, password);
  expect(res.status).toBe(200);
  return sessionSchema.parse(await readJson(res));
}

function post(path: string, body: unknown, token?: string) {
  return fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

function me(token: string) {
  return fetch(`${server.url}/api/me`, { headers: { authorization: `Bearer ${token}` } });
}

async function countRows(table: string): Promise<number> {
  const { rows } = await db.pool.query(`select count(*)::int as n from ${table}`);
  return rows[0].n;
}

describe('sign-in', () => {
  it.each(['technician', 'storeroom', 'supervisor', 'admin'] as const)(
    'signs in a %s, whose role /api/me reports',
    async (role) => {
      const session = await signIn(role);
      expect(session.user).toMatchObject({ username: role, role, siteId });
      const res = await me(session.accessToken);
      expect(res.status).toBe(200);
      expect((await readJson(res)).user).toEqual(session.user);
      const stored = await db.pool.query('select password_hash from users where username = $1', [role]);
      expect(stored.rows[0].password_hash).toMatch(/^\$argon2id\$/);
    },
  );

  it('accepts the username in any case and with stray spaces', async () => {
    const session = await signIn('  ADMIN ');
    expect(session.user.username).toBe('admin');
  });

  it('refuses a wrong password and an unknown user with the same message', async () => {
    const wrong = await login(server.url, 'supervisor', 'not it');
    const unknown = await login(server.url, 'nobody-here', PASSWORD);
    for (const res of [wrong, unknown]) {
      expect(res.status).toBe(401);
      expect(await readJson(res)).toEqual({ error: 'invalid_credentials', message: 'Wrong username or password.' });
    }
  });

  it('rate-limits repeated failures per account, even for the right password afterwards', async () => {
    for (let i = 0; i < FREE_FAILURES; i++) {
      expect((await login(server.url, 'victim', `guess ${i}`)).status).toBe(401);
    }
    const blocked = await login(server.url, 'victim', PASSWORD);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await readJson(blocked)).message).toMatch(/Too many failed sign-in attempts\. Try again in \d+ (seconds?|minutes?)\./);
    // Another account from the same address is not locked out by someone else's failures.
    expect((await login(server.url, 'storeroom', PASSWORD)).status).toBe(200);
  });
});

describe('refresh tokens', () => {
  it('rotate: each refresh returns a new pair and uses up the old refresh token', async () => {
    const first = await signIn('technician');
    const res = await post('/api/auth/refresh', { refreshToken: first.refreshToken });
    expect(res.status).toBe(200);
    const second = sessionSchema.parse(await readJson(res));
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect((await me(second.accessToken)).status).toBe(200);
    const hashes = await db.pool.query('select token_hash from refresh_tokens');
    const stored = hashes.rows.map((r) => Buffer.from(r.token_hash).toString('base64url'));
    expect(stored).not.toContain(first.refreshToken); // only digests are stored
  });

  it('reuse of a rotated token once its successor was used revokes the whole family, including the newest token', async () => {
    const first = await signIn('technician');
    const second = sessionSchema.parse(await readJson(await post('/api/auth/refresh', { refreshToken: first.refreshToken })));
    const third = sessionSchema.parse(await readJson(await post('/api/auth/refresh', { refreshToken: second.refreshToken })));
    const replay = await post('/api/auth/refresh', { refreshToken: first.refreshToken });
    expect(replay.status).toBe(401);
    expect((await readJson(replay)).error).toBe('session_reused');
    const legit = await post('/api/auth/refresh', { refreshToken: third.refreshToken });
    expect(legit.status).toBe(401);
    expect((await readJson(legit)).error).toBe('session_revoked');
  });

  it('two refreshes racing with one token both get the same successor: the family does not fork', async () => {
    const session = await signIn('storeroom');
    const results = await Promise.all([1, 2].map(() => post('/api/auth/refresh', { refreshToken: session.refreshToken })));
    expect(results.map((r) => r.status)).toEqual([200, 200]);
    const [a, b] = await Promise.all(results.map(async (r) => sessionSchema.parse(await readJson(r))));
    expect(a!.refreshToken).toBe(b!.refreshToken);
    expect((await post('/api/auth/refresh', { refreshToken: a!.refreshToken })).status).toBe(200);
  });

  it('an unknown refresh token is refused', async () => {
    const res = await post('/api/auth/refresh', { refreshToken: 'made-up-token' });
    expect(res.status).toBe(401);
    expect((await readJson(res)).error).toBe('session_unknown');
  });

  it('logout revokes the session: its refresh token stops working', async () => {
    const session = await signIn('supervisor');
    const out = await post('/api/auth/logout', { refreshToken: session.refreshToken }, session.accessToken);
    expect(out.status).toBe(204);
    const res = await post('/api/auth/refresh', { refreshToken: session.refreshToken });
    expect(res.status).toBe(401);
    expect((await readJson(res)).error).toBe('session_revoked');
  });

  it("logout cannot revoke someone else's session", async () => {
    const admin = await signIn('admin');
    const tech = await signIn('technician');
    const out = await post('/api/auth/logout', { refreshToken: admin.refreshToken }, tech.accessToken);
    expect(out.status).toBe(204);
    expect((await post('/api/auth/refresh', { refreshToken: admin.refreshToken })).status).toBe(200);
  });
});

describe('access tokens', () => {
  it('an expired access token gets 401 token_expired', async () => {
    const session = await signIn('admin');
    const expired = await createAccessTokens(SECRET, -60).sign({
      userId: session.user.id,
      siteId,
      role: 'admin',
      username: 'admin',
    });
    const res = await me(expired.token);
    expect(res.status).toBe(401);
    expect((await readJson(res)).error).toBe('token_expired');
  });

  it('a token accepted before is refused once it expires (verified tokens are remembered only until then)', async () => {
    const session = await signIn('admin');
    const shortLived = await createAccessTokens(SECRET, 2).sign({ userId: session.user.id, siteId, role: 'admin', username: 'admin' });
    expect((await me(shortLived.token)).status).toBe(200);
    expect((await me(shortLived.token)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, shortLived.expiresAt.getTime() - Date.now() + 1_100));
    const res = await me(shortLived.token);
    expect(res.status).toBe(401);
    expect((await readJson(res)).error).toBe('token_expired');
  });

  it('a token signed with another secret or tampered with gets 401 token_invalid', async () => {
    const session = await signIn('technician');
    const forged = await createAccessTokens('another-secret-0123456789-0123456789-xyz').sign({
      userId: session.user.id,
      siteId,
      role: 'admin',
      username: 'admin',
    });
    // A technician rewriting their own token's role to admin.
    const [header, payload, signature] = session.accessToken.split('.');
    const elevated = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), role: 'admin' })).toString('base64url');
    for (const token of [forged.token, `${header}.${elevated}.${signature}`, 'garbage']) {
      const res = await me(token);
      expect(res.status).toBe(401);
      expect((await readJson(res)).error).toBe('token_invalid');
    }
  });

  it.each([
    ['GET', '/api/me'],
    ['POST', '/api/auth/logout'],
    ['GET', '/api/parts'],
    ['POST', '/api/mutations'],
    ['DELETE', '/api/users/1'],
  ])('%s %s without a token answers 401 with a message', async (method, path) => {
    const res = await fetch(`${server.url}${path}`, { method });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
    expect(await readJson(res)).toMatchObject({ error: 'unauthenticated', message: expect.stringContaining('Sign in') });
  });

  it('with a token, an unknown API route is a JSON 404', async () => {
    const session = await signIn('admin');
    const res = await fetch(`${server.url}/api/no-such-thing`, { headers: { authorization: `Bearer ${session.accessToken}` } });
    expect(res.status).toBe(404);
    expect((await readJson(res)).error).toBe('not_found');
  });
});

describe('devices', () => {
  it('signing in registers the tablet; a revoked tablet can neither sign in nor refresh', async () => {
    const device = { id: uuidv7(), name: 'Shop tablet 3' };
    const res = await login(server.url, 'technician', PASSWORD, device);
    expect(res.status).toBe(200);
    const session = sessionSchema.parse(await readJson(res));
    const { rows } = await db.pool.query('select site_id, name from devices where id = $1', [device.id]);
    expect(rows).toEqual([{ site_id: siteId, name: 'Shop tablet 3' }]);

    await db.pool.query('update devices set revoked_at = now() where id = $1', [device.id]);
    const again = await login(server.url, 'technician', PASSWORD, device);
    expect(again.status).toBe(403);
    expect((await readJson(again)).error).toBe('device_revoked');
    const refreshed = await post('/api/auth/refresh', { refreshToken: session.refreshToken });
    expect(refreshed.status).toBe(403);
  });
});

describe('bad input changes nothing', () => {
  let before: number[];
  beforeEach(async () => {
    before = await Promise.all(['refresh_tokens', 'devices', 'users'].map(countRows));
  });
  const unchanged = async () =>
    expect(await Promise.all(['refresh_tokens', 'devices', 'users'].map(countRows))).toEqual(before);

  it('malformed JSON → 400 malformed_json', async () => {
    const res = await post('/api/auth/login', '{"username": "admin", "password": ');
    expect(res.status).toBe(400);
    expect(await readJson(res)).toMatchObject({ error: 'malformed_json', message: expect.stringContaining('not valid JSON') });
    await unchanged();
  });

  it('an oversized body → 413 with the limit in the message', async () => {
    const res = await post('/api/auth/login', { username: 'admin', password: 'x'.repeat(2 * 1024 * 1024) });
    expect(res.status).toBe(413);
    expect(await readJson(res)).toMatchObject({ error: 'payload_too_large', message: expect.stringContaining('1 MB') });
    await unchanged();
  });

  it('wrong types → 400 naming each field', async () => {
    const res = await post('/api/auth/login', { username: 42, password: ['demo'], device: { id: 'not-a-uuid' } });
    expect(res.status).toBe(400);
    const body = await readJson(res);
    expect(body.error).toBe('invalid_request');
    expect(Object.keys(body.fields).sort()).toEqual(['device.id', 'password', 'username']);
    expect(body.message).toContain('username: username must be text');
    await unchanged();
  });

  it('missing fields and a body that is not JSON → 400', async () => {
    const missing = await post('/api/auth/login', {});
    expect(missing.status).toBe(400);
    expect(Object.keys((await readJson(missing)).fields).sort()).toEqual(['password', 'username']);
    const text = await fetch(`${server.url}/api/auth/login`, { method: 'POST', body: 'username=admin' });
    expect(text.status).toBe(400);
    expect((await readJson(text)).message).toContain('Content-Type: application/json');
    await unchanged();
  });
});
