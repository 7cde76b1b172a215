import { randomBytes } from 'node:crypto';
import Papa from 'papaparse';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES, SHAPE_RULES, SYNCED_TABLES, type Role, type SyncedTable } from '@cimco/contract';
import { createUser } from '../src/auth/users.ts';
import { EXPORTS, EXPORT_NAMES, type ExportName } from '../src/csv/export.ts';
import type { RunningServer } from '../src/server.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';
import { readJson, startTestServer } from './support/server.ts';
import { feedHead, fetchWholeShape, type Message } from './support/shapes.ts';

/**
 * The read permission matrix: every synced table (as a shape), every CSV export, the audit API,
 * the import preview and /api/me × every role × the account active, disabled, with its role
 * changed, or its tablet revoked
 * — each answered exactly as the contract's one visibility rule (SHAPE_RULES) says. And for every
 * export × role, the export's rows are the rows of its table's shape (less what the list leaves
 * out on purpose: soft-deleted parts and log entries).
 */
const PASSWORD = 'permission matrix password';
let db: TestDatabase;
let server: RunningServer;
let siteId: string;

beforeAll(async () => {
  db = await createTestDatabase();
  server = await startTestServer(db.url, { demo: true });
  siteId = (await db.pool.query<{ site_id: string }>(`select site_id from users where username = 'admin'`)).rows[0]!.site_id;
});
afterAll(async () => {
  await server?.close();
  await db?.drop();
});

type State = 'active' | 'disabled' | 'role changed' | 'tablet revoked';
const STATES: State[] = ['active', 'disabled', 'role changed', 'tablet revoked'];

interface Reader {
  username: string;
  userId: string;
  role: Role;
  deviceId: string;
  token: string;
}

async function reader(role: Role): Promise<Reader> {
  const username = `${role}-${randomBytes(4).toString('hex')}`;
  const user = await createUser(db.pool, { siteId, username, displayName: `Reader ${username}`, role, password: PASSWORD });
  const device = { id: uuidv7(), secret: randomBytes(32).toString('base64url') };
  const res = await fetch(`${server.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: PASSWORD, device }),
  });
  expect(res.status).toBe(200);
  return { username, userId: user.id, role, deviceId: device.id, token: (await readJson(res)).accessToken };
}

async function enterState(who: Reader, state: State): Promise<void> {
  if (state === 'disabled') await db.pool.query('update users set active = false where id = $1', [who.userId]);
  if (state === 'role changed') {
    await db.pool.query('update users set role = $2 where id = $1', [who.userId, who.role === 'technician' ? 'storeroom' : 'technician']);
  }
  if (state === 'tablet revoked') await db.pool.query('update devices set revoked_at = now() where id = $1', [who.deviceId]);
}

/** The status every read must answer: the table's rule for an active reader, else the refusal. */
function expectedStatus(table: SyncedTable, role: Role, state: State): number {
  if (state === 'disabled' || state === 'role changed') return 401;
  if (state === 'tablet revoked') return 403;
  return SHAPE_RULES[table].roles.includes(role) ? 200 : 403;
}

function get(path: string, token: string) {
  return fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
}

describe('read permission matrix', () => {
  for (const role of ROLES) {
    for (const state of STATES) {
      it(`a ${role}, ${state}: every shape, export and the audit API answer as the visibility rule says`, async () => {
        const who = await reader(role);
        await enterState(who, state);
        const answers: string[] = [];
        const expected: string[] = [];
        for (const table of SYNCED_TABLES) {
          const res = await get(`/v1/shape?table=${table}&offset=-1`, who.token);
          await res.body?.cancel();
          answers.push(`shape ${table}: ${res.status}`);
          expected.push(`shape ${table}: ${expectedStatus(table, role, state)}`);
        }
        for (const name of EXPORT_NAMES) {
          const res = await get(`/api/export/${name}.csv`, who.token);
          await res.body?.cancel();
          answers.push(`export ${name}: ${res.status}`);
          expected.push(`export ${name}: ${expectedStatus(EXPORTS[name].table, role, state)}`);
        }
        const audit = await get('/api/audit', who.token);
        await audit.body?.cancel();
        answers.push(`audit api: ${audit.status}`);
        expected.push(`audit api: ${expectedStatus('audit_log', role, state)}`);
        // The import's preview reads the parts list too; it is for the storeroom and managers.
        const preview = await fetch(`${server.url}/api/import/parts?dryRun=true`, {
          method: 'POST',
          headers: { authorization: `Bearer ${who.token}`, 'content-type': 'text/csv' },
          body: 'Part number,Name\nPM-1,Bolt\n',
        });
        await preview.body?.cancel();
        answers.push(`import preview: ${preview.status}`);
        expected.push(`import preview: ${state === 'active' && role === 'technician' ? 403 : expectedStatus('parts', role, state)}`);
        const me = await get('/api/me', who.token);
        await me.body?.cancel();
        answers.push(`me: ${me.status}`);
        expected.push(`me: ${expectedStatus('users', role, state)}`);
        expect(answers).toEqual(expected);
      });
    }
  }
});

/** The shape's rows, as a client holds them after syncing it (keyed by primary key). */
async function shapeRows(table: SyncedTable, token: string): Promise<Record<string, unknown>[]> {
  const { messages } = await fetchWholeShape(server.url, { table }, { authorization: `Bearer ${token}` });
  const rows = new Map<string, Record<string, unknown>>();
  for (const m of messages as Message[]) {
    if (!m.key) continue;
    if (m.headers.operation === 'delete') rows.delete(m.key);
    else rows.set(m.key, { ...rows.get(m.key), ...m.value });
  }
  return [...rows.values()];
}

/**
 * For each export, a column of the file and the table column it shows, identifying rows well
 * enough to compare the two as multisets; and what the list leaves out on purpose.
 */
const KEYS: Record<ExportName, { header: string; column: string; listed?: (row: Record<string, unknown>) => boolean }> = {
  parts: { header: 'Part number', column: 'part_number', listed: (r) => r.deleted_at === null },
  equipment: { header: 'Tag', column: 'tag' },
  tasks: { header: 'Title', column: 'title' },
  logs: { header: 'Entry', column: 'body', listed: (r) => r.deleted_at === null },
  movements: { header: 'Change', column: 'delta' },
  conflicts: { header: 'Item id', column: 'entity_id' },
  audit: { header: 'Mutation id', column: 'mutation_id' },
};

/** A cell as it reads back from the file (csvCell quotes a leading = + - @ in text columns). */
const asCell = (value: unknown) => (value === null || value === undefined ? '' : String(value));

describe('exports show exactly the rows of their table’s shape', () => {
  beforeAll(async () => {
    // Audit rows (the demo yard starts with none), one without a mutation id.
    const { rows: admins } = await db.pool.query<{ id: string }>(`select id from users where username = 'admin'`);
    for (const mutationId of [uuidv7(), uuidv7(), null]) {
      await db.pool.query(
        `insert into audit_log (id, site_id, user_id, command, entity, mutation_id, after) values ($1, $2, $3, 'part.update', 'parts', $4, '{}')`,
        [uuidv7(), siteId, admins[0]!.id, mutationId],
      );
    }
    // Conflicts of several people, so that "a technician sees only their own" is visible.
    const { rows } = await db.pool.query<{ id: string }>(`select id from users where site_id = $1 limit 3`, [siteId]);
    const { rows: parts } = await db.pool.query<{ id: string }>(`select id from parts where site_id = $1 limit 1`, [siteId]);
    for (const user of rows) {
      await db.pool.query(
        `insert into conflicts (id, site_id, kind, entity, entity_id, field, overwritten_value, user_id) values ($1, $2, 'overwritten', 'parts', $3, 'name', '"x"', $4)`,
        [uuidv7(), siteId, parts[0]!.id, user.id],
      );
    }
    await feedHead(server, db.pool);
  });

  for (const role of ROLES) {
    it(`for a ${role}, every export equals its shape`, async () => {
      const who = await reader(role);
      const { rows: parts } = await db.pool.query<{ id: string }>(`select id from parts where site_id = $1 limit 1`, [siteId]);
      await db.pool.query(
        `insert into conflicts (id, site_id, kind, entity, entity_id, field, overwritten_value, user_id) values ($1, $2, 'overwritten', 'parts', $3, 'name', '"mine"', $4)`,
        [uuidv7(), siteId, parts[0]!.id, who.userId],
      );
      // Written here, not through the server: published now, as an outside writer must ask for
      // (the publisher's poll would find it within 250 ms, after the shape below was read).
      await feedHead(server, db.pool);
      for (const name of EXPORT_NAMES) {
        const { table } = EXPORTS[name];
        const res = await get(`/api/export/${name}.csv`, who.token);
        if (!SHAPE_RULES[table].roles.includes(role)) {
          expect(res.status, name).toBe(403);
          await res.body?.cancel();
          continue;
        }
        expect(res.status, name).toBe(200);
        const parsed = Papa.parse<Record<string, string>>((await res.text()).replace(/^\uFEFF/, ''), { header: true, skipEmptyLines: true });
        const key = KEYS[name];
        const fromExport = parsed.data.map((row) => row[key.header]!.replace(/^'/, '')).sort();
        const fromShape = (await shapeRows(table, who.token)).filter((r) => key.listed?.(r) ?? true).map((r) => asCell(r[key.column])).sort();
        expect(fromExport.length, `${name}: some rows`).toBeGreaterThan(0);
        expect(fromExport, name).toEqual(fromShape);
      }
    });
  }
});
