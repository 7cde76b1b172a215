import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMAND_NAMES } from '@cimco/contract';
import { EXPORT_NAMES } from '../src/csv/export.ts';
import type { RunningServer } from '../src/server.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';
import { startTestServer } from './support/server.ts';
import { changedTables, fingerprint, type WritableTable } from './support/tablets.ts';

/**
 * A fuzz corpus over every route and every command: malformed, oversized, wrongly typed, wrongly
 * encoded and hostile inputs. Each must be answered 4xx with a JSON body that says what is wrong
 * (or, for a command inside a well-formed batch, a per-command rejection) — never a 500, never a
 * hang — and afterwards every table has exactly the content it had (the only rows added are the
 * rejections' own `mutation_results`, which is how a tablet learns of them).
 */
let db: TestDatabase;
let server: RunningServer;
let admin: { token: string; deviceId: string };
let before: Record<WritableTable, string>;
let rejectionsBefore: number;
let appliedBefore: number;

const NUL = 'a\u0000b';
const LONE_SURROGATE = 'a\ud800b';
const CONTROL = 'a\u001bb';
// The long one fits in a URL: Node itself answers 431 (without a body) to longer request heads.
const HOSTILE_STRINGS = [NUL, LONE_SURROGATE, CONTROL, "'; drop table parts; --", '\u202Eevil', 'x'.repeat(10_000), '', ' ', '%00', '../../etc/passwd'];
const WRONG_TYPES: unknown[] = [null, 42, -1, 1e308, true, [], {}, ['a'], { $gt: '' }];

beforeAll(async () => {
  db = await createTestDatabase();
  server = await startTestServer(db.url, { demo: true });
  const device = { id: uuidv7(), secret: randomBytes(32).toString('base64url') };
  const res = await fetch(`${server.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: 'demo', device }),
  });
  admin = { token: ((await res.json()) as { accessToken: string }).accessToken, deviceId: device.id };
  before = await fingerprint(db.pool);
  rejectionsBefore = await countRejections();
  appliedBefore = await countApplied();
});
afterAll(async () => {
  await server?.close();
  await db?.drop();
});

async function countApplied(): Promise<number> {
  return (await db.pool.query<{ n: number }>(`select count(*)::int as n from mutation_results where status <> 'rejected'`)).rows[0]!.n;
}

async function countRejections(): Promise<number> {
  return (await db.pool.query<{ n: number }>(`select count(*)::int as n from mutation_results where status = 'rejected'`)).rows[0]!.n;
}

interface Attempt {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  auth?: boolean;
}

/** Sends one attempt; returns its status and parsed body, failing on a 5xx or a body that is not an error. */
async function attempt(a: Attempt): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${server.url}${a.path}`, {
    method: a.method,
    headers: { ...(a.auth !== false && { authorization: `Bearer ${admin.token}` }), ...a.headers },
    body: a.body,
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // checked below
  }
  const what = `${a.method} ${a.path.slice(0, 120)} ${JSON.stringify(a.headers ?? {})} ${String(a.body ?? '').slice(0, 80)} → ${res.status} ${text.slice(0, 300)}`;
  expect(res.status, what).toBeLessThan(500);
  return { status: res.status, body };
}

async function expectRefused(a: Attempt): Promise<void> {
  const { status, body } = await attempt(a);
  const what = `${a.method} ${a.path.slice(0, 120)} ${String(a.body ?? '').slice(0, 80)} → ${status} ${JSON.stringify(body).slice(0, 300)}`;
  expect(status, what).toBeGreaterThanOrEqual(400);
  expect(typeof body.message, `${what}: says why`).toBe('string');
}

const json = (value: unknown) => JSON.stringify(value);
const JSON_TYPE = { 'content-type': 'application/json' };

/** Bodies no JSON route may accept, whatever it expects. */
function hostileBodies(): (Pick<Attempt, 'headers' | 'body'> & { plainText?: true })[] {
  return [
    // malformed
    { headers: JSON_TYPE, body: '{' },
    { headers: JSON_TYPE, body: '{"a":}' },
    { headers: JSON_TYPE, body: 'nul' },
    { headers: JSON_TYPE, body: '' },
    { headers: JSON_TYPE, body: '\u0000' },
    { headers: JSON_TYPE, body: '['.repeat(100_000) + ']'.repeat(100_000) },
    // wrongly typed
    ...WRONG_TYPES.map((value) => ({ headers: JSON_TYPE, body: json(value) })),
    { headers: JSON_TYPE, body: json('just text') },
    // oversized
    { headers: JSON_TYPE, body: json({ refreshToken: 'x'.repeat(2 * 1024 * 1024) }) },
    // wrongly encoded
    { headers: { ...JSON_TYPE, 'content-encoding': 'gzip' }, body: json({ a: 1 }) },
    { headers: { ...JSON_TYPE, 'content-encoding': 'deflate' }, body: json({ a: 1 }) },
    { headers: { ...JSON_TYPE, 'content-encoding': 'compress' }, body: json({ a: 1 }) },
    { headers: { ...JSON_TYPE, 'content-encoding': 'gzip' }, body: gzipSync(Buffer.from('{"a": ')) },
    { headers: { ...JSON_TYPE, 'content-encoding': 'gzip' }, body: gzipSync(Buffer.alloc(3 * 1024 * 1024, 0x20)) },
    { headers: { 'content-type': 'application/json; charset=klingon' }, body: json({ a: 1 }) },
    { headers: { 'content-type': 'application/json; charset=utf-16' }, body: Buffer.from(json({ a: 1 }), 'utf16le') },
    { headers: JSON_TYPE, body: Uint8Array.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]) },
    { headers: { 'content-type': 'text/plain' }, body: json({ a: 1 }) },
    { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=1&b=2' },
    // hostile values
    ...HOSTILE_STRINGS.map((s) => ({
      headers: JSON_TYPE,
      body: json({ username: s, password: s, refreshToken: s, deviceId: s, commands: s }),
      // Text that is just text, however odd: a refresh token nobody has.
      ...(![NUL, LONE_SURROGATE, CONTROL, '', 'x'.repeat(10_000)].includes(s) && { plainText: true as const }),
    })),
    { headers: JSON_TYPE, body: '{"__proto__": {"admin": true}, "constructor": {"prototype": {"x": 1}}}' },
    { headers: JSON_TYPE, body: json({ [NUL]: 1 }) },
  ];
}

describe('fuzz: JSON routes', () => {
  const routes: Attempt[] = [
    { method: 'POST', path: '/api/auth/login', auth: false },
    { method: 'POST', path: '/api/auth/refresh', auth: false },
    { method: 'POST', path: '/api/auth/logout' },
    { method: 'POST', path: '/api/mutations' },
  ];
  for (const route of routes) {
    it(`${route.method} ${route.path}: malformed, wrongly typed, oversized, wrongly encoded and hostile bodies are refused`, async () => {
      for (const { plainText, ...body } of hostileBodies()) {
        if (plainText && route.path === '/api/auth/logout') {
          // Signing out of a session that is not the caller's changes nothing and says so quietly.
          expect((await attempt({ ...route, ...body })).status).toBe(204);
          continue;
        }
        await expectRefused({ ...route, ...body });
      }
    });
  }

  it('sign-in: hostile fields, each named in the answer', async () => {
    const device = { id: uuidv7(), secret: randomBytes(32).toString('base64url') };
    const cases: [string, unknown][] = [
      ...HOSTILE_STRINGS.map((s): [string, unknown] => ['username', { username: s, password: 'demo' }]),
      ...[NUL, LONE_SURROGATE, CONTROL].map((s): [string, unknown] => ['password', { username: 'admin', password: s }]),
      ['device.id', { username: 'admin', password: 'demo', device: { id: NUL } }],
      ['device.secret', { username: 'admin', password: 'demo', device: { id: device.id, secret: NUL } }],
      ['device.secret', { username: 'admin', password: 'demo', device: { id: device.id, secret: 'short' } }],
      ['device.name', { username: 'admin', password: 'demo', device: { ...device, name: NUL } }],
    ];
    for (const [field, body] of cases) {
      const { status, body: answer } = await attempt({ method: 'POST', path: '/api/auth/login', auth: false, headers: JSON_TYPE, body: json(body) });
      expect([400, 401, 429], `${json(body).slice(0, 80)} → ${status}`).toContain(status);
      if (status === 400) expect(Object.keys(answer.fields as object), json(body).slice(0, 80)).toContain(field);
    }
  });

  it('renewal: hostile refresh tokens and tablet proofs', async () => {
    const bodies = [
      ...HOSTILE_STRINGS.map((s) => ({ refreshToken: s })),
      ...WRONG_TYPES.map((v) => ({ refreshToken: v })),
      { refreshToken: 'x'.repeat(201) },
      { refreshToken: 'made-up', device: { id: uuidv7(), secret: NUL } },
      { refreshToken: 'made-up', device: { id: NUL, secret: randomBytes(32).toString('base64url') } },
      { refreshToken: 'made-up', device: 'tablet' },
    ];
    for (const body of bodies) await expectRefused({ method: 'POST', path: '/api/auth/refresh', auth: false, headers: JSON_TYPE, body: json(body) });
  });
});

describe('fuzz: commands', () => {
  const envelope = (name: unknown, args: unknown, extra: Record<string, unknown> = {}) => ({
    mutationId: uuidv7(),
    name,
    args,
    clientTime: new Date().toISOString(),
    ...extra,
  });
  const batch = (commands: unknown[], deviceId: unknown = admin.deviceId) => json({ deviceId, commands });

  it('malformed batches and envelopes are refused whole, naming the item', async () => {
    const bodies = [
      batch([]),
      batch(Array.from({ length: 201 }, () => envelope('knowledge.vote', {}))),
      batch([envelope('knowledge.vote', {})], uuidv7()),
      batch([envelope('knowledge.vote', {})], NUL),
      batch(['not a command']),
      batch([envelope('no.such.command', {})]),
      batch([envelope(NUL, {})]),
      batch([envelope('knowledge.vote', {}, { mutationId: NUL })]),
      batch([envelope('knowledge.vote', {}, { mutationId: 42 })]),
      batch([envelope('knowledge.vote', undefined)]),
      batch([envelope('knowledge.vote', {}, { clientTime: NUL })]),
      batch([envelope('knowledge.vote', {}, { clientTime: 'yesterday' })]),
      ...WRONG_TYPES.map((commands) => json({ deviceId: admin.deviceId, commands })),
    ];
    for (const body of bodies) await expectRefused({ method: 'POST', path: '/api/mutations', headers: JSON_TYPE, body });
  });

  /**
   * Arguments no command can apply: wrong types, ids of nothing, and every text field hostile. A
   * bag of the fields the commands use, every string in it invalid or pointing at no row.
   */
  function hostileArgs(): unknown[] {
    const ids = { id: uuidv7(), partId: uuidv7(), equipmentId: uuidv7(), taskId: uuidv7(), orderId: uuidv7(), knowledgeId: uuidv7(), movementId: uuidv7() };
    const bag = (text: string) => ({
      ...ids,
      name: text, title: text, tag: text, problem: text, body: text, note: text, reason: text, location: text, partNumber: text,
      description: text, resolution: text, username: text, displayName: text, password: text, kind: text, status: text, action: text,
      type: text, category: text, from: text, to: text, changes: { name: text, title: text, location: text }, base: { name: null, title: null, location: null },
      delta: 1, quantity: 1, counted: 1, loto: true, assigneeId: null,
    });
    return [...WRONG_TYPES, 'text', ...[NUL, LONE_SURROGATE, CONTROL].map(bag), { ...ids, [NUL]: 'x' }, ids];
  }

  for (const name of COMMAND_NAMES) {
    it(`${name}: hostile arguments are each a per-command rejection`, async () => {
      const commands = hostileArgs().map((args) => envelope(name, args));
      const { status, body } = await attempt({ method: 'POST', path: '/api/mutations', headers: JSON_TYPE, body: batch(commands) });
      expect(status, JSON.stringify(body).slice(0, 300)).toBe(200);
      const results = body.results as { status: string; code?: string; message?: string }[];
      expect(results).toHaveLength(commands.length);
      for (const [i, result] of results.entries()) {
        expect(result.status, `${name} with ${JSON.stringify(hostileArgs()[i])?.slice(0, 100)}: ${result.code} ${result.message}`).toBe('rejected');
        expect(result.message, 'says why').toEqual(expect.any(String));
      }
    });
  }

  it('an invalid character in a command names its field', async () => {
    const { body } = await attempt({
      method: 'POST',
      path: '/api/mutations',
      headers: JSON_TYPE,
      body: batch([envelope('knowledge.add', { id: uuidv7(), problem: 'Belt slips', fixSteps: NUL })]),
    });
    const [result] = body.results as { status: string; code: string; message: string }[];
    expect(result).toMatchObject({ status: 'rejected', code: 'invalid' });
    expect(result!.message).toMatch(/fixSteps.*NUL/);
  });
});

describe('fuzz: reads', () => {
  it('GET /v1/shape: hostile parameters are refused', async () => {
    const queries = [
      ...HOSTILE_STRINGS.map((s) => ({ table: s, offset: '-1' })),
      ...HOSTILE_STRINGS.map((s) => ({ table: 'parts', offset: s })),
      ...HOSTILE_STRINGS.map((s) => ({ table: 'parts', offset: '-1', where: s })),
      ...HOSTILE_STRINGS.map((s) => ({ table: 'parts', offset: '-1', where: 'name = $1', 'params[1]': s === '' ? NUL : s, live: 'x' })),
      ...HOSTILE_STRINGS.map((s) => ({ table: 'parts', offset: '-1', columns: s })),
      { table: 'parts', offset: '-1', where: `name = '${NUL}'` },
      { table: 'parts', offset: '-1', where: 'name = 1' },
      { table: 'parts', offset: '-1', where: 'pg_sleep(10) is null' },
      { table: 'parts', offset: '-1', where: `name = '${'x'.repeat(10_000)}'` },
      { table: 'parts', offset: '-1', cursor: NUL },
      { table: 'parts', offset: '-1', replica: NUL },
      { table: 'users', offset: '-1', columns: 'id,password_hash' },
      { table: 'devices', offset: '-1' },
      { table: 'refresh_tokens', offset: '-1' },
    ];
    for (const query of queries) {
      const search = new URLSearchParams(query as Record<string, string>);
      await expectRefused({ method: 'GET', path: `/v1/shape?${search}` });
    }
    // A handle the server never gave: the protocol's answer is 409 must-refetch (start over),
    // unless the text cannot be a handle at all.
    for (const handle of HOSTILE_STRINGS) {
      const res = await fetch(`${server.url}/v1/shape?${new URLSearchParams({ table: 'parts', offset: '0_0', handle })}`, {
        headers: { authorization: `Bearer ${admin.token}` },
      });
      const body: unknown = await res.json();
      if (res.status === 409) expect(body).toEqual([{ headers: { control: 'must-refetch' } }]);
      else expect(res.status, JSON.stringify(body)).toBe(400);
    }
    await expectRefused({ method: 'GET', path: '/v1/shape?table=parts&table=tasks&offset=-1' });
    await expectRefused({ method: 'GET', path: '/v1/shape?table=parts&offset=-1&where=true&where=false' });
  });

  it('GET /api/audit: hostile filters are refused, naming the filter', async () => {
    const filters: Record<string, string>[] = [
      ...['user', 'device', 'command', 'entity', 'entityId', 'from', 'to', 'before', 'limit'].flatMap((key) =>
        HOSTILE_STRINGS.filter((s) => s !== '' || key !== 'user').map((s) => ({ [key]: s })),
      ),
      { unknown: 'x' },
      { limit: '1e9' },
      { from: '2026-13-45' },
    ];
    for (const filter of filters) {
      const { status, body } = await attempt({ method: 'GET', path: `/api/audit?${new URLSearchParams(filter)}` });
      const [key] = Object.keys(filter);
      if (status === 200) {
        // A filter that is just a value nobody has (an odd username) finds nothing.
        expect(key, `${json(filter).slice(0, 80)} answered 200`).toBe('user');
        expect(body.rows).toEqual([]);
        continue;
      }
      expect(status, json(filter).slice(0, 80)).toBe(400);
      expect(Object.keys(body.fields as object), json(filter).slice(0, 80)).toEqual(key === 'unknown' ? ['(body)'] : [key]);
    }
    await expectRefused({ method: 'GET', path: '/api/audit?limit=1&limit=2' });
  });

  it('GET /api/export/…: unknown and hostile list names are refused', async () => {
    for (const name of ['nope.csv', 'parts', 'parts.csv%00', '%00', 'parts.csv.exe', '..%2f..%2fetc%2fpasswd', 'x'.repeat(5000), 'users.csv', 'devices.csv', `parts${'%00'}.csv`]) {
      await expectRefused({ method: 'GET', path: `/api/export/${name}` });
    }
    for (const name of EXPORT_NAMES) {
      const { status } = await attempt({ method: 'GET', path: `/api/export/${name}.csv?where=${encodeURIComponent(NUL)}` });
      expect(status, `${name}: extra query parameters are ignored`).toBe(200);
    }
  });

  it('POST /api/import/parts: wrongly typed, encoded and hostile files are refused or reported, never imported', async () => {
    const csv = { 'content-type': 'text/csv' };
    const refused: Attempt[] = [
      { method: 'POST', path: '/api/import/parts?dryRun=maybe', headers: csv, body: 'Part number,Name\nX-1,Bolt\n' },
      { method: 'POST', path: `/api/import/parts?dryRun=${encodeURIComponent(NUL)}`, headers: csv, body: 'Part number,Name\nX-1,Bolt\n' },
      { method: 'POST', path: '/api/import/parts?dryRun=true&dryRun=false', headers: csv, body: 'Part number,Name\nX-1,Bolt\n' },
      { method: 'POST', path: '/api/import/parts?dryRun=false', headers: { 'content-type': 'application/pdf' }, body: 'Part number,Name\nX-1,Bolt\n' },
      { method: 'POST', path: '/api/import/parts?dryRun=false', headers: { ...csv, 'content-encoding': 'gzip' }, body: 'Part number,Name\nX-1,Bolt\n' },
      { method: 'POST', path: '/api/import/parts?dryRun=false', headers: { 'content-type': 'text/csv; charset=klingon' }, body: 'Part number,Name\nX-1,Bolt\n' },
      { method: 'POST', path: '/api/import/parts?dryRun=false', headers: csv, body: 'x'.repeat(6 * 1024 * 1024) },
      { method: 'POST', path: '/api/import/parts?dryRun=false', headers: csv },
    ];
    for (const a of refused) await expectRefused(a);
    // Well-formed files with hostile cells: the preview reports each such row as an error.
    for (const cell of [NUL, CONTROL]) {
      const { status, body } = await attempt({
        method: 'POST',
        path: '/api/import/parts?dryRun=true',
        headers: csv,
        body: `Part number,Name\nFZ-1,${cell}\n${cell},Bolt\n`,
      });
      expect(status, JSON.stringify(body).slice(0, 300)).toBe(200);
      expect(body, 'every row refused, saying why').toMatchObject({ rows: 2, valid: 0, toCreate: 0 });
      expect((body.errors as { messages: string[] }[]).flatMap((e) => e.messages).join(' ')).toMatch(/character/);
    }
  });
});

describe('after all of it', () => {
  it('every table is exactly as it was, but for the rejections the tablet is told about', async () => {
    const after = await fingerprint(db.pool);
    expect(changedTables(before, after).filter((t) => t !== 'mutation_results')).toEqual([]);
    expect(await countApplied(), 'no command of the corpus was applied').toBe(appliedBefore);
    expect(await countRejections()).toBeGreaterThan(rejectionsBefore);
  });
});
