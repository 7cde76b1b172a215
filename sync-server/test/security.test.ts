import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionSchema, type Role, type Session } from '@cimco/contract';
import { createUser } from '../src/auth/users.ts';
import type { RunningServer } from '../src/server.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';
import { changeRights, readJson, startTestServer } from './support/server.ts';

/**
 * The seven findings of issue 12 (security and sessions), each as the attacker or the tablet in
 * the field met it. The first test of each `finding N` block failed on the code before the fix
 * (they were committed first, in b96dc00, and run against it); the other tests pin down the design
 * that fixed them (the rights cache, tablet secrets, the lockout's exceptions).
 */
const SECRET = 'security-test-secret-0123456789-0123456789-abc';
const PASSWORD = 'correct horse battery';
let db: TestDatabase;
let server: RunningServer;
let siteId: string;

beforeAll(async () => {
  db = await createTestDatabase();
  siteId = uuidv7();
  await db.pool.query(`insert into sites (id, code, name) values ($1, 'sec-yard', 'Security yard')`, [siteId]);
  server = await startTestServer(db.url, { demo: false, jwtSecret: SECRET, shapeLiveTimeoutMs: 20_000 });
});
afterAll(async () => {
  await server?.close();
  await db?.drop();
});

const unique = () => randomBytes(4).toString('hex');
const newSecret = () => randomBytes(32).toString('base64url');

async function person(role: Role): Promise<string> {
  const username = `${role}-${unique()}`;
  await createUser(db.pool, { siteId, username, displayName: `${role} ${username}`, role, password: PASSWORD });
  return username;
}

function postJson(path: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

async function signIn(username: string, device?: { id: string; secret?: string }, headers: Record<string, string> = {}): Promise<Session> {
  const res = await postJson('/api/auth/login', { username, password: PASSWORD, ...(device && { device }) }, headers);
  expect(res.status, await res.clone().text()).toBe(200);
  return sessionSchema.parse(await readJson(res));
}

function get(path: string, token: string, signal?: AbortSignal) {
  return fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${token}` }, signal });
}

/** Every read a signed-in person can make, as (name, request) pairs. */
function reads(token: string): [string, () => Promise<Response>][] {
  return [
    ['shape parts', () => get('/v1/shape?table=parts&offset=-1', token)],
    ['shape audit_log', () => get('/v1/shape?table=audit_log&offset=-1', token)],
    ['export parts.csv', () => get('/api/export/parts.csv', token)],
    ['export audit.csv', () => get('/api/export/audit.csv', token)],
    ['audit', () => get('/api/audit', token)],
    [
      'import dry run',
      () =>
        fetch(`${server.url}/api/import/parts?dryRun=true`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
          body: 'Part number,Name\nP-1,Bolt\n',
        }),
    ],
  ];
}

describe('finding 1: reads re-check the account and the tablet', () => {
  it.each([
    ['disabled', `update users set active = false where username = $1`, [401]],
    ['demoted to technician', `update users set role = 'technician' where username = $1`, [401, 403]],
    ['tablet revoked', `update devices set revoked_at = now() where user_id = (select id from users where username = $1)`, [403]],
  ] as const)('an admin %s can no longer read anything with a token issued before', async (_what, change, statuses) => {
    const username = await person('admin');
    const session = await signIn(username, { id: uuidv7(), secret: newSecret() });
    for (const [name, read] of reads(session.accessToken)) {
      const res = await read();
      expect(res.status, name).toBe(200);
      await res.body?.cancel();
    }
    await changeRights(server, () => db.pool.query(change, [username]));
    for (const [name, read] of reads(session.accessToken)) {
      const res = await read();
      expect(statuses, `${name} answered ${res.status}`).toContain(res.status);
      await res.body?.cancel();
    }
  });

  it.each([
    ['disabled', `update users set active = false where username = $1`, 401, 'account_disabled'],
    ['demoted', `update users set role = 'technician' where username = $1`, 401, 'role_changed'],
    ['tablet revoked', `update devices set revoked_at = now() where user_id = (select id from users where username = $1)`, 403, 'device_revoked'],
  ] as const)('a live long-poll held by a supervisor who is %s is ended at once', async (_what, change, status, code) => {
    const username = await person('supervisor');
    const session = await signIn(username, { id: uuidv7(), secret: newSecret() });
    const first = await get('/v1/shape?table=parts&offset=-1', session.accessToken);
    expect(first.status).toBe(200);
    await first.body?.cancel();
    let handle = first.headers.get('electric-handle')!;
    let offset = first.headers.get('electric-offset')!;
    // A live request behind the feed's head is answered at once (SPEC.md F6): repeat until one
    // is held at the head, waiting for a change.
    let live: Promise<Response> | undefined;
    for (let attempt = 0; attempt < 10 && !live; attempt++) {
      const request = get(`/v1/shape?table=parts&offset=${offset}&handle=${handle}&live=true`, session.accessToken);
      const answered = await Promise.race([request, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 500))]);
      if (!answered) {
        live = request;
      } else {
        handle = answered.headers.get('electric-handle')!;
        offset = answered.headers.get('electric-offset')!;
        await answered.body?.cancel();
      }
    }
    expect(live, 'a long-poll held at the head').toBeDefined();
    const started = Date.now();
    await db.pool.query(change, [username]);
    const res = await live!;
    expect(res.status).toBe(status);
    expect((await readJson(res)).error).toBe(code);
    // Ended by the change, not by the 20 s live timeout.
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});

describe('one authorisation per request, from memory', () => {
  it('repeated reads cost no database read for the caller\'s rights, until an account or tablet changes', async () => {
    const username = await person('storeroom');
    const session = await signIn(username, { id: uuidv7(), secret: newSecret() });
    const read = async () => {
      const res = await get('/v1/shape?table=parts&offset=-1', session.accessToken);
      expect(res.status).toBe(200);
      await res.body?.cancel();
    };
    await read(); // the first request reads the account and the tablet
    const reads = server.access.reads;
    for (let i = 0; i < 20; i++) await read();
    expect(server.access.reads).toBe(reads);
    // A change to this account is announced; the next request reads it again, and is refused.
    await db.pool.query('update users set active = false where username = $1', [username]);
    await expect.poll(async () => (await get('/api/me', session.accessToken)).status).toBe(401);
    expect(server.access.reads).toBeGreaterThan(reads);
  });
});

describe('the rights cache follows deletions too', () => {
  it('a tablet removed from the database can no longer read', async () => {
    const tablet = { id: uuidv7(), secret: newSecret() };
    const session = await signIn(await person('technician'), tablet);
    expect((await get('/api/me', session.accessToken)).status).toBe(200); // cached now
    await db.pool.query('delete from refresh_tokens where device_id = $1', [tablet.id]);
    await db.pool.query('delete from devices where id = $1', [tablet.id]);
    await expect.poll(async () => (await get('/api/me', session.accessToken)).status).toBe(403);
  });
});

describe('the rights cache when notifications are lost', () => {
  it('a change made while the notification connection is down is still seen by the next request', async () => {
    const username = await person('storeroom');
    const session = await signIn(username, { id: uuidv7(), secret: newSecret() });
    expect((await get('/api/me', session.accessToken)).status).toBe(200); // cached now
    const { rows } = await db.pool.query<{ pid: number }>(
      `select pg_terminate_backend(pid), pid from pg_stat_activity where datname = current_database() and query ilike 'listen access_changes%'`,
    );
    expect(rows).toHaveLength(1);
    // Once the server has noticed, requests read the database again instead of the cache…
    await expect
      .poll(async () => {
        const reads = server.access.reads;
        await (await get('/api/me', session.accessToken)).body?.cancel();
        return server.access.reads > reads;
      })
      .toBe(true);
    // …so a change whose notification nobody heard is not missed.
    await db.pool.query('update users set active = false where username = $1', [username]);
    const res = await get('/api/me', session.accessToken);
    expect(res.status).toBe(401);
    expect((await readJson(res)).error).toBe('account_disabled');
  });
});

describe('finding 2: exports show the rows the shapes show', () => {
  it("a technician's conflicts.csv holds only their own conflicts, as the conflicts shape does", async () => {
    const tech = await person('technician');
    const other = await person('technician');
    const ids = await db.pool.query<{ id: string; username: string }>('select id, username from users where username = any($1)', [[tech, other]]);
    const idOf = (name: string) => ids.rows.find((r) => r.username === name)!.id;
    const partId = uuidv7();
    await db.pool.query(`insert into parts (id, site_id, part_number, name) values ($1, $2, $3, 'Conflict part')`, [partId, siteId, `C-${unique()}`]);
    for (const [user, value] of [[tech, 'mine'], [other, 'theirs'], [other, 'theirs too']] as const) {
      await db.pool.query(
        `insert into conflicts (id, site_id, kind, entity, entity_id, field, overwritten_value, user_id) values ($1, $2, 'overwritten', 'parts', $3, 'name', $4, $5)`,
        [uuidv7(), siteId, partId, JSON.stringify(value), idOf(user)],
      );
    }
    const session = await signIn(tech, { id: uuidv7(), secret: newSecret() });
    const shape = (await readJson(await get('/v1/shape?table=conflicts&offset=-1', session.accessToken))) as unknown as { headers: { operation?: string } }[];
    const shapeRows = shape.filter((m) => m.headers.operation === 'insert');
    expect(shapeRows).toHaveLength(1);
    const csv = await (await get('/api/export/conflicts.csv', session.accessToken)).text();
    const lines = csv.trim().split(/\r\n/);
    expect(lines.slice(1)).toHaveLength(1);
    expect(csv).toContain('"mine"');
    expect(csv).not.toContain('theirs');
  });
});

describe('finding 3: a tablet cannot be borrowed by knowing its id', () => {
  it('signing in with a registered tablet id needs its secret; the owner keeps it', async () => {
    const victim = await person('technician');
    const attacker = await person('technician');
    const tablet = { id: uuidv7(), secret: newSecret() };
    await signIn(victim, tablet);
    for (const device of [{ id: tablet.id }, { id: tablet.id, secret: newSecret() }]) {
      const res = await postJson('/api/auth/login', { username: attacker, password: PASSWORD, device });
      expect(res.status).toBe(403);
      expect((await readJson(res)).error).toBe('device_not_yours');
    }
    const { rows } = await db.pool.query('select u.username from devices d join users u on u.id = d.user_id where d.id = $1', [tablet.id]);
    expect(rows).toEqual([{ username: victim }]);
  });

  it('a tablet registered before secrets gets one at its first renewal, and is bound from then on', async () => {
    const owner = await person('technician');
    const legacy = { id: uuidv7() };
    const session = await signIn(owner, legacy); // an old client: no secret
    // Someone else who read the id cannot give it a secret of theirs…
    const claim = await postJson('/api/auth/login', { username: await person('technician'), password: PASSWORD, device: { ...legacy, secret: newSecret() } });
    expect(claim.status).toBe(403);
    // …but the tablet itself, renewing its session, can.
    const secret = newSecret();
    const renewed = await postJson('/api/auth/refresh', { refreshToken: session.refreshToken, device: { ...legacy, secret } });
    expect(renewed.status).toBe(200);
    const { rows } = await db.pool.query<{ bound: boolean }>('select secret_hash is not null as bound from devices where id = $1', [legacy.id]);
    expect(rows).toEqual([{ bound: true }]);
    expect((await postJson('/api/auth/login', { username: owner, password: PASSWORD, device: legacy })).status).toBe(403);
    expect((await postJson('/api/auth/login', { username: owner, password: PASSWORD, device: { ...legacy, secret } })).status).toBe(200);
  });

  it("a refresh token copied off a tablet is useless without the tablet's secret, and is not used up by trying", async () => {
    const tablet = { id: uuidv7(), secret: newSecret() };
    const session = await signIn(await person('technician'), tablet);
    for (const device of [undefined, { id: tablet.id, secret: newSecret() }]) {
      const res = await postJson('/api/auth/refresh', { refreshToken: session.refreshToken, ...(device && { device }) });
      expect(res.status).toBe(403);
      expect((await readJson(res)).error).toBe('device_not_yours');
    }
    expect((await postJson('/api/auth/refresh', { refreshToken: session.refreshToken, device: tablet })).status).toBe(200);
    // A session that was signed out is refused as such, whoever presents it.
    const out = await signIn(await person('technician'), { id: uuidv7(), secret: newSecret() });
    await postJson('/api/auth/logout', { refreshToken: out.refreshToken }, { authorization: `Bearer ${out.accessToken}` });
    const dead = await postJson('/api/auth/refresh', { refreshToken: out.refreshToken });
    expect(dead.status).toBe(401);
    expect((await readJson(dead)).error).toBe('session_revoked');
  });

  it("a shared tablet: the next person signs in with its secret, and sees only their own command results", async () => {
    const first = await person('technician');
    const second = await person('technician');
    const tablet = { id: uuidv7(), secret: newSecret() };
    const a = await signIn(first, tablet);
    const mutationId = uuidv7();
    const sent = await postJson(
      '/api/mutations',
      { deviceId: tablet.id, commands: [{ mutationId, name: 'knowledge.add', args: { id: uuidv7(), problem: 'Belt slips', fixSteps: 'Tension it' }, clientTime: new Date().toISOString() }] },
      { authorization: `Bearer ${a.accessToken}` },
    );
    expect(sent.status).toBe(200);
    const b = await signIn(second, tablet);
    const shape = (await readJson(await get('/v1/shape?table=mutation_results&offset=-1', b.accessToken))) as unknown as { headers: { operation?: string } }[];
    expect(shape.filter((m) => m.headers.operation === 'insert')).toEqual([]);
    const own = (await readJson(await get('/v1/shape?table=mutation_results&offset=-1', a.accessToken))) as unknown as { value?: { id: string } }[];
    expect(own.map((m) => m.value?.id).filter(Boolean)).toEqual([mutationId]);
  });
});

describe('finding 4: lockout is per account, across addresses', () => {
  it('five wrong passwords from one address delay the right one from another address', async () => {
    const username = await person('storeroom');
    for (let i = 0; i < 5; i++) {
      const res = await postJson('/api/auth/login', { username, password: `guess ${i}` }, { 'x-forwarded-for': `10.9.0.${i + 1}` });
      expect(res.status).toBe(401);
    }
    const res = await postJson('/api/auth/login', { username, password: PASSWORD }, { 'x-forwarded-for': '10.9.1.1' });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('X-Forwarded-For is ignored unless TRUST_PROXY is set: it cannot dodge the per-address limit', async () => {
    // Fresh server: its per-address budget is untouched by the other tests.
    const own = await startTestServer(db.url, { demo: false, jwtSecret: SECRET });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 51; i++) {
        const res = await fetch(`${own.url}/api/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-forwarded-for': `10.8.${i >> 8}.${i & 255}` },
          body: JSON.stringify({ username: `nobody-${i}-${unique()}`, password: 'x' }),
        });
        statuses.push(res.status);
      }
      expect(statuses.slice(0, 50).every((s) => s === 401)).toBe(true);
      expect(statuses[50]).toBe(429);
    } finally {
      await own.close();
    }
  });
});

describe('lockout: proxies and the crew\'s own tablets', () => {
  it('with TRUST_PROXY naming the proxy, X-Forwarded-For is the address the per-address limit counts', async () => {
    const own = await startTestServer(db.url, { demo: false, jwtSecret: SECRET, trustProxy: ['loopback'] });
    try {
      for (let i = 0; i < 60; i++) {
        const res = await fetch(`${own.url}/api/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-forwarded-for': `10.7.${i >> 8}.${i & 255}` },
          body: JSON.stringify({ username: `nobody-${i}-${unique()}`, password: 'x' }),
        });
        expect(res.status).toBe(401);
      }
    } finally {
      await own.close();
    }
  });

  it("someone else's wrong guesses do not delay a person on a tablet they already signed in on", async () => {
    const username = await person('technician');
    const tablet = { id: uuidv7(), secret: newSecret() };
    await signIn(username, tablet);
    for (let i = 0; i < 6; i++) await postJson('/api/auth/login', { username, password: `guess ${i}` });
    const stranger = await postJson('/api/auth/login', { username, password: PASSWORD, device: { id: uuidv7(), secret: newSecret() } });
    expect(stranger.status).toBe(429);
    const borrowed = await postJson('/api/auth/login', { username, password: PASSWORD, device: { id: tablet.id, secret: newSecret() } });
    expect(borrowed.status).toBe(429); // the id alone proves nothing
    const own = await postJson('/api/auth/login', { username, password: PASSWORD, device: tablet });
    expect(own.status).toBe(200);
  });
});

describe('finding 5: bad input is a 4xx naming the field, never a 500', () => {
  it('a NUL in the login username → 400 naming username', async () => {
    const res = await postJson('/api/auth/login', { username: 'adm\u0000in', password: PASSWORD });
    expect(res.status).toBe(400);
    expect(Object.keys((await readJson(res)).fields)).toEqual(['username']);
  });

  it('a NUL in an /api/audit filter → 400 naming the filter', async () => {
    const session = await signIn(await person('admin'));
    const res = await get('/api/audit?user=adm%00in', session.accessToken);
    expect(res.status).toBe(400);
    expect(Object.keys((await readJson(res)).fields)).toEqual(['user']);
  });

  it('Content-Encoding: gzip with a plain body → 400, not 500', async () => {
    const res = await postJson('/api/auth/login', { username: 'x', password: 'y' }, { 'content-encoding': 'gzip' });
    expect([400, 415]).toContain(res.status);
    expect((await readJson(res)).message).toMatch(/gzip|encod/i);
  });
});

describe('finding 6: access tokens must carry an expiry', () => {
  it('a token signed with the right key but without exp is refused', async () => {
    const session = await signIn(await person('admin'));
    const token = await new SignJWT({ role: 'admin', site: siteId, name: session.user.username })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(session.user.id)
      .setIssuer('cimco-yard')
      .setAudience('cimco-yard')
      .setIssuedAt()
      .sign(new TextEncoder().encode(SECRET));
    const res = await get('/api/me', token);
    expect(res.status).toBe(401);
    expect((await readJson(res)).error).toBe('token_invalid');
  });
});

describe('finding 7: a renewal whose answer was lost does not sign the tablet out', () => {
  const refresh = (refreshToken: string, device?: { id: string; secret: string }) =>
    postJson('/api/auth/refresh', { refreshToken, ...(device && { device }) });

  it('the just-rotated refresh token works again while its successor is unused, with a valid session', async () => {
    const tablet = { id: uuidv7(), secret: newSecret() };
    const first = await signIn(await person('technician'), tablet);
    const lost = await refresh(first.refreshToken, tablet);
    expect(lost.status).toBe(200); // …but the browser was killed before it stored the answer
    const again = await refresh(first.refreshToken, tablet);
    expect(again.status).toBe(200);
    const session = sessionSchema.parse(await readJson(again));
    expect((await get('/api/me', session.accessToken)).status).toBe(200);
    const next = await refresh(session.refreshToken, tablet);
    expect(next.status).toBe(200);
    const { rows } = await db.pool.query(`select count(*)::int as n from refresh_tokens where revoked_reason = 'reuse' and user_id = $1`, [first.user.id]);
    expect(rows[0].n).toBe(0);
  });

  it('reuse after the successor was used, or after the grace window, still revokes the family', async () => {
    const tablet = { id: uuidv7(), secret: newSecret() };
    const first = await signIn(await person('technician'), tablet);
    const second = sessionSchema.parse(await readJson(await refresh(first.refreshToken, tablet)));
    const third = sessionSchema.parse(await readJson(await refresh(second.refreshToken, tablet)));
    const replay = await refresh(first.refreshToken, tablet);
    expect(replay.status).toBe(401);
    expect((await readJson(replay)).error).toBe('session_reused');
    expect((await refresh(third.refreshToken, tablet)).status).toBe(401);

    const other = await signIn(await person('technician'));
    const rotated = await refresh(other.refreshToken);
    expect(rotated.status).toBe(200);
    await db.pool.query(`update refresh_tokens set used_at = now() - interval '2 minutes' where user_id = $1 and used_at is not null`, [other.user.id]);
    const late = await refresh(other.refreshToken);
    expect(late.status).toBe(401);
    expect((await readJson(late)).error).toBe('session_reused');
  });
});
