/**
 * Acceptance (shape service, item 7): bad requests get a 4xx with a message a person can act on,
 * and nothing of theirs runs on the database. "Nothing runs" is checked four ways around every
 * request: a canary function that records each call (a where naming it must never execute it), the
 * number of shape handles, the service's work counters, and every SQL text the server's `pg`
 * clients send (none may carry the client's text or read the table).
 * Also: the server's filter is ANDed with the client's, so another yard's rows never come back.
 */
import { ShapeStream, type FetchError } from '@electric-sql/client';
import pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { startTestServer } from '../support/server.ts';
import { fetchWholeShape, getShape, isChange, signIn, type Session, type ShapeResponse } from '../support/shapes.ts';

let db: TestDatabase;
let server: RunningServer;
let storeroom: Session;
let tech: Session;
let otherSite: string;

/** Every SQL text sent by any pg client of this process while `recording` is set. */
const sent: string[] = [];
let recording = false;
const originalQuery = pg.Client.prototype.query;

beforeAll(async () => {
  db = await createTestDatabase();
  server = await startTestServer(db.url, { demo: true, shapeLiveTimeoutMs: 1_000 });
  storeroom = await signIn(server.url, 'storeroom');
  tech = await signIn(server.url, 'tech');
  await db.pool.query(`
    create table canary_calls (at timestamptz not null default clock_timestamp());
    create function canary() returns boolean language sql volatile as $$ insert into canary_calls default values returning true $$;
  `);
  // A second yard with parts of its own.
  otherSite = uuidv7();
  await db.pool.query(`insert into sites (id, code, name) values ($1, 'other-yard', 'Other yard')`, [otherSite]);
  for (let i = 0; i < 3; i++) {
    await db.pool.query(`insert into parts (id, site_id, part_number, name, quantity) values ($1, $2, $3, 'Other yard part', 0)`, [
      uuidv7(),
      otherSite,
      `OTHER-${i}`,
    ]);
  }
  // Warm the table-schema cache, as any running server's is.
  for (const table of ['parts', 'users', 'tasks']) expect((await getShape(server.url, { table, offset: '-1' }, { headers: storeroom.headers })).status).toBe(200);
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    if (recording) {
      const config = args[0] as string | { text?: string };
      sent.push(typeof config === 'string' ? config : (config?.text ?? ''));
    }
    return (originalQuery as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof pg.Client.prototype.query;
});

afterAll(async () => {
  pg.Client.prototype.query = originalQuery;
  await server?.close();
  await db?.drop();
});

async function databaseCanary() {
  const { rows } = await db.pool.query<{ calls: number; handles: number }>(
    'select (select count(*)::int from canary_calls) as calls, (select count(*)::int from shape_handles) as handles',
  );
  return { ...rows[0]!, ...server.shapes.stats };
}

/**
 * Sends a bad request and checks the answer's status and message, and that it ran nothing:
 * the canary was not called, no handle was made, no snapshot or change read was computed, and no
 * SQL the server sent carries the request's text or reads a shaped table.
 */
async function expectRefused(
  params: Record<string, string | undefined>,
  status: number,
  field: string | undefined,
  message: RegExp,
  headers: Record<string, string> = storeroom.headers,
): Promise<ShapeResponse> {
  const before = await databaseCanary();
  sent.length = 0;
  recording = true;
  let res: ShapeResponse;
  try {
    res = await getShape(server.url, params, { headers });
  } finally {
    recording = false;
  }
  const label = JSON.stringify(params);
  expect(res.status, `${label}: ${res.text}`).toBe(status);
  expect(res.headers.get('content-type'), label).toMatch(/^application\/json/);
  const body = res.json as { message?: unknown; errors?: Record<string, string[]> };
  expect(typeof body.message, label).toBe('string');
  const text = field ? (body.errors?.[field] ?? []).join(' ') : String(body.message);
  expect(text, `${label}: ${res.text}`).toMatch(message);
  expect(await databaseCanary(), label).toEqual(before);
  const clientText = [params.where, ...Object.entries(params).filter(([k]) => k.startsWith('params')).map(([, v]) => v)].filter(
    (v): v is string => typeof v === 'string' && v.length > 3,
  );
  const suspicious = sent.filter(
    (sql) =>
      /shape_handles|jsonb_populate_record|json_build_object|canary|pg_sleep/.test(sql) ||
      clientText.some((fragment) => sql.includes(fragment)),
  );
  expect(suspicious, label).toEqual([]);
  return res;
}

describe('refused requests: 4xx, a readable message, nothing run', () => {
  it('offset: missing, malformed, or live at -1; a position without its handle', async () => {
    await expectRefused({ table: 'parts' }, 400, 'offset', /offset is required/);
    for (const offset of ['abc', '', '1_2_3', '-2', '1_', '_1', '1.5', '99999999999999999999_0']) {
      await expectRefused({ table: 'parts', offset }, 400, 'offset', /not -1, now, or <tx>_<op>/);
    }
    await expectRefused({ table: 'parts', offset: '-1', live: 'true' }, 400, 'live', /not allowed with offset=-1/);
    await expectRefused({ table: 'parts', offset: '3_inf', live: 'perhaps', handle: 'h' }, 400, 'live', /true or false/);
    await expectRefused({ table: 'parts', offset: '3_inf' }, 400, 'handle', /handle is required/);
    await expectRefused({ table: 'parts', offset: '3_0', live: 'true' }, 400, 'handle', /handle is required/);
  });

  it('table: missing, unknown, or not synced', async () => {
    await expectRefused({ offset: '-1' }, 400, 'table', /table is required/);
    for (const table of ['nope', 'devices', 'refresh_tokens', 'shape_changes', 'shape_handles', 'pg_catalog.pg_authid', 'parts;drop table parts', 'other.parts']) {
      await expectRefused({ table, offset: '-1' }, 400, 'table', /cannot be synced/);
    }
  });

  it('tables the role may not sync: 403', async () => {
    await expectRefused({ table: 'audit_log', offset: '-1' }, 403, 'table', /technician cannot read audit_log/, tech.headers);
    await expectRefused({ table: 'mutation_results', offset: '-1' }, 403, 'table', /device/, tech.headers);
  });

  it('no token, or a bad one: 401', async () => {
    await expectRefused({ table: 'parts', offset: '-1' }, 401, undefined, /Sign in first/, {});
    await expectRefused({ table: 'parts', offset: '-1' }, 401, undefined, /not valid/, { authorization: 'Bearer not.a.token' });
    await expectRefused({ table: 'parts', offset: '-1' }, 401, undefined, /Sign in first/, { authorization: storeroom.token });
  });

  it('where: side effects, sleeps, subqueries, other relations, several statements, hidden or system columns', async () => {
    const refused: [string, RegExp][] = [
      ['canary()', /canary|function|not allowed/i],
      [`name = 'x' or canary()`, /canary|function|not allowed/i],
      ['pg_sleep(5) is not null', /pg_sleep|function|not allowed/i],
      [`(select canary())`, /subquer|SELECT|not allowed/i],
      ['id in (select id from parts)', /subquer|not allowed/i],
      ['exists (select 1 from users)', /subquer|not allowed/i],
      [`true; select canary()`, /single boolean expression|;/],
      [`true; drop table parts`, /single boolean expression|;/],
      [`true) or (canary()`, /not valid SQL|canary|not allowed/i],
      ['users.password_hash is not null', /password_hash|column/i],
      [`xmin = '1'`, /xmin|column/i],
      [`current_user = 'admin'`, /CURRENT_USER|not allowed/i],
      [`name = (table parts)`, /not allowed|subquer|SELECT|not valid/i],
      ['', /empty/],
    ];
    for (const [where, message] of refused) {
      await expectRefused({ table: where.includes('password_hash') ? 'users' : 'parts', offset: '-1', where }, 400, 'where', message);
    }
    // A comment ends the expression: `name = 'x' -- or canary()` is just `name = 'x'`.
    const before = await databaseCanary();
    const commented = await getShape(server.url, { table: 'parts', offset: '-1', where: `name = 'x' -- or canary()` }, { headers: storeroom.headers });
    expect(commented.status).toBe(200);
    expect(commented.messages.filter(isChange)).toEqual([]);
    expect((await databaseCanary()).calls).toBe(before.calls);
  });

  it('(the SQL recorder does see the server queries of an accepted request)', async () => {
    sent.length = 0;
    recording = true;
    try {
      const res = await getShape(server.url, { table: 'parts', offset: '-1', where: `name = 'recorder check'` }, { headers: storeroom.headers });
      expect(res.status).toBe(200);
    } finally {
      recording = false;
    }
    expect(sent.some((sql) => sql.includes('json_build_object') && sql.includes('recorder check'))).toBe(true);
  });

  it('params: without a where, unused, with gaps, or malformed', async () => {
    await expectRefused({ table: 'parts', offset: '-1', 'params[1]': 'x' }, 400, 'params', /only used with a where/);
    await expectRefused({ table: 'parts', offset: '-1', where: `name = 'a'`, 'params[1]': 'unused-value' }, 400, 'where', /params\[1\] is not used/);
    await expectRefused({ table: 'parts', offset: '-1', where: 'name = $2', 'params[2]': 'second-only' }, 400, 'where', /params\[1\] is missing/);
    await expectRefused({ table: 'parts', offset: '-1', where: 'name = $1' }, 400, 'where', /\$1|param/);
  });

  it('columns, replica, log: unknown values or a projection without the primary key', async () => {
    await expectRefused({ table: 'parts', offset: '-1', columns: 'name,quantity' }, 400, 'columns', /primary key/);
    await expectRefused({ table: 'parts', offset: '-1', columns: 'id,secret_column' }, 400, 'columns', /unknown column secret_column/);
    await expectRefused({ table: 'users', offset: '-1', columns: 'id,password_hash' }, 400, 'columns', /unknown column password_hash/);
    await expectRefused({ table: 'parts', offset: '-1', replica: 'partial' }, 400, 'replica', /default or full/);
    await expectRefused({ table: 'parts', offset: '-1', log: 'everything' }, 400, 'log', /full or changes_only/);
  });

  it('an offset beyond the end of the log: 400, never a global_last_seen_lsn the feed has not reached', async () => {
    const start = await fetchWholeShape(server.url, { table: 'tasks' }, storeroom.headers);
    const { rows } = await db.pool.query<{ last: string }>('select last_tx_offset::text as last from shape_feed_state');
    const beyond = `${BigInt(rows[0]!.last) + 1000n}_inf`;
    for (const live of [undefined, 'true']) {
      const res = await getShape(server.url, { table: 'tasks', handle: start.handle, offset: beyond, live, cursor: live && '1' }, { headers: storeroom.headers });
      expect(res.status, `live=${live}: ${res.text}`).toBe(400);
      expect((res.json as { errors?: Record<string, string[]> }).errors?.offset?.join(' ')).toMatch(/out of bounds/);
    }
  });

  it('the 1.5 client reports a 400 to onError with the message, without retrying', async () => {
    const urls: string[] = [];
    const error = await new Promise<FetchError>((resolve) => {
      const stream = new ShapeStream({
        url: `${server.url}/v1/shape`,
        params: { table: 'parts', where: 'canary()' },
        headers: storeroom.headers,
        fetchClient: (input, init) => {
          urls.push(String(input));
          return fetch(input, init);
        },
        onError: (e) => {
          resolve(e as FetchError);
        },
      });
      stream.subscribe(() => {});
    });
    expect(error.status).toBe(400);
    expect(JSON.stringify(error.json)).toMatch(/where/);
    expect(urls).toHaveLength(1);
    expect((await databaseCanary()).calls).toBe(0);
  });
});

describe('the server filter is ANDed with the client where', () => {
  it("a where naming another yard returns none of its rows", async () => {
    const { rows } = await db.pool.query<{ n: number }>('select count(*)::int as n from parts where site_id = $1', [otherSite]);
    expect(rows[0]!.n).toBe(3);
    const other = await fetchWholeShape(server.url, { table: 'parts', where: `site_id = '${otherSite}'` }, storeroom.headers);
    expect(other.messages.filter(isChange)).toEqual([]);
    const orTrue = await fetchWholeShape(server.url, { table: 'parts', where: `site_id = $1 or true`, 'params[1]': otherSite }, storeroom.headers);
    const sites = new Set(orTrue.messages.filter(isChange).map((m) => m.value!.site_id));
    expect(sites).toEqual(new Set([storeroom.siteId]));
    // Nor do later changes in the other yard travel.
    const part = (await db.pool.query<{ id: string }>('select id from parts where site_id = $1 limit 1', [otherSite])).rows[0]!;
    await db.pool.query(`update parts set name = 'changed elsewhere' where id = $1`, [part.id]);
    const next = await getShape(server.url, { table: 'parts', where: `site_id = '${otherSite}'`, handle: other.handle, offset: other.offset, live: 'true', cursor: '1' }, { headers: storeroom.headers });
    expect(next.status).toBe(200);
    expect(next.messages.filter(isChange)).toEqual([]);
  });

  it("a technician's conflicts are their own, whatever the where says", async () => {
    const { rows: users } = await db.pool.query<{ id: string; username: string }>(`select id, username from users where username in ('tech', 'tech2')`);
    const byName = Object.fromEntries(users.map((u) => [u.username, u.id]));
    const part = (await db.pool.query<{ id: string }>('select id from parts where site_id = $1 limit 1', [tech.siteId])).rows[0]!;
    for (const name of ['tech', 'tech2']) {
      await db.pool.query(`insert into conflicts (id, site_id, kind, entity, entity_id, user_id) values ($1, $2, 'refused', 'parts', $3, $4)`, [
        uuidv7(),
        tech.siteId,
        part.id,
        byName[name],
      ]);
    }
    const mine = await fetchWholeShape(server.url, { table: 'conflicts', where: `user_id = '${byName.tech2}' or true` }, tech.headers);
    expect(mine.messages.filter(isChange).map((m) => m.value!.user_id)).toEqual([byName.tech]);
  });
});
