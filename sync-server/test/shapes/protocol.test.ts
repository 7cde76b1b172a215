/**
 * Acceptance (shape service, item 8): protocol details over raw HTTP — handle sharing, one
 * computation for many live requests, TRUNCATE and compaction answering 409, response headers,
 * caching, replica=full, moves into and out of a `where`, and column projection.
 */
import http from 'node:http';
import { gunzipSync } from 'node:zlib';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server.ts';
import { readChanges } from '../../src/shapes/log-reader.ts';
import { compactFeed } from '../../src/shapes/publisher.ts';
import type { ShapeDefinition } from '../../src/shapes/request.ts';
import { loadTableSchema } from '../../src/shapes/table-schema.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { startTestServer } from '../support/server.ts';
import {
  feedHead,
  fetchWholeShape,
  getShape,
  isChange,
  isControl,
  signIn,
  sleep,
  type Message,
  type Session,
  type ShapeResponse,
} from '../support/shapes.ts';

let db: TestDatabase;
let server: RunningServer;
let storeroom: Session;
let tech: Session;
/** Every response of this file, with whether it was a live request, for the header rules. */
const seen: { live: boolean; response: ShapeResponse }[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  server = await startTestServer(db.url, { demo: true, shapeLiveTimeoutMs: 5_000 });
  storeroom = await signIn(server.url, 'storeroom');
  tech = await signIn(server.url, 'tech');
});

afterAll(async () => {
  await server?.close();
  await db?.drop();
});

/** A request as `session`, recorded for the header checks at the end. */
async function shape(session: Session, params: Record<string, string | undefined>, extraHeaders: Record<string, string> = {}, signal?: AbortSignal) {
  const response = await getShape(server.url, params, { headers: { ...session.headers, ...extraHeaders }, signal });
  seen.push({ live: params.live === 'true', response });
  return response;
}

async function whole(session: Session, params: Record<string, string>) {
  const result = await fetchWholeShape(server.url, params, session.headers);
  for (const response of result.responses) seen.push({ live: false, response });
  return result;
}

const changes = (messages: Message[]) => messages.filter(isChange);
const MUST_REFETCH = [{ headers: { control: 'must-refetch' } }];

async function addTask(fields: { status?: string; priority?: number; title?: string } = {}): Promise<string> {
  const id = uuidv7();
  await db.pool.query(`insert into tasks (id, site_id, title, status, priority) values ($1, $2, $3, $4, $5)`, [
    id,
    storeroom.siteId,
    fields.title ?? `task ${id.slice(-6)}`,
    fields.status ?? 'open',
    fields.priority ?? 2,
  ]);
  return id;
}

describe('sharing', () => {
  it('identical definitions share one handle, across users of one site; a different where gets another', async () => {
    const before = server.shapes.stats.snapshotsComputed;
    const a = await shape(storeroom, { table: 'equipment', offset: '-1' });
    const b = await shape(tech, { table: 'equipment', offset: '-1' });
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(b.headers.get('electric-handle')).toBe(a.headers.get('electric-handle'));
    expect(b.text).toBe(a.text);
    expect(server.shapes.stats.snapshotsComputed - before).toBe(1);

    const filteredA = await shape(storeroom, { table: 'equipment', offset: '-1', where: `status = 'running'` });
    const filteredB = await shape(tech, { table: 'equipment', offset: '-1', where: `status = 'running'` });
    expect(filteredB.headers.get('electric-handle')).toBe(filteredA.headers.get('electric-handle'));
    expect(filteredA.headers.get('electric-handle')).not.toBe(a.headers.get('electric-handle'));
    expect(changes(filteredA.messages).every((m) => m.value!.status === 'running')).toBe(true);
  });

  it('10 concurrent live requests at one offset are answered from one computation per feed advance', async () => {
    const params = { table: 'tasks', where: 'priority >= 1' };
    const start = await whole(storeroom, params);
    let offset = start.offset;
    for (let round = 0; round < 3; round++) {
      const before = server.shapes.stats.changeReads;
      const live = Array.from({ length: 10 }, (_, i) =>
        shape(i % 2 ? storeroom : tech, { ...params, handle: start.handle, offset, live: 'true', cursor: String(round) }),
      );
      await sleep(200); // usually parked by now; the outcome must be the same either way
      const id = await addTask({ title: `shared round ${round}` });
      const answers = await Promise.all(live);
      for (const answer of answers) {
        expect(answer.status).toBe(200);
        expect(answer.text).toBe(answers[0]!.text);
      }
      expect(changes(answers[0]!.messages).map((m) => [m.headers.operation, m.value!.id])).toEqual([['insert', id]]);
      expect(server.shapes.stats.changeReads - before).toBe(1);
      offset = answers[0]!.headers.get('electric-offset')!;
    }
  });
});

describe('409: the client must start over', () => {
  it('an unknown handle answers 409 with the current handle and a must-refetch body', async () => {
    const current = await shape(storeroom, { table: 'parts', offset: '-1' });
    const stale = await shape(storeroom, { table: 'parts', offset: '3_inf', handle: 'no-such-handle' });
    expect(stale.status).toBe(409);
    expect(stale.headers.get('content-type')).toMatch(/^application\/json/);
    expect(stale.json).toEqual(MUST_REFETCH);
    expect(stale.headers.get('electric-handle')).toBe(current.headers.get('electric-handle'));
  });

  it('a live request behind the head is answered at once with up-to-date at the head, even with nothing for its shape; one at the head waits', async () => {
    // A server whose long-polls last 40 s: "at once" is then told from "at the timeout" by a wide margin.
    const patient = await startTestServer(db.url, { demo: false, shapeLiveTimeoutMs: 40_000 });
    try {
      const params = { table: 'equipment' };
      const start = await fetchWholeShape(patient.url, params, storeroom.headers);
      // A write to another table moves the feed past this shape's offset.
      await addTask({ title: 'feed mover' });
      const head = await feedHead(patient, db.pool);
      // Any non-live request makes the server look at the feed's head (live ones rely on NOTIFY).
      await getShape(patient.url, { table: 'sites', offset: '-1' }, { headers: storeroom.headers });
      const behind = await Promise.race([
        getShape(patient.url, { ...params, handle: start.handle, offset: start.offset, live: 'true', cursor: 'b' }, { headers: storeroom.headers }),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the live request behind the head was held')), 20_000)),
      ]);
      expect(behind.status).toBe(200);
      expect(changes(behind.messages)).toEqual([]);
      const upToDate = behind.messages.at(-1)!.headers;
      expect(upToDate.control).toBe('up-to-date');
      const lsn = BigInt(upToDate.global_last_seen_lsn as string);
      expect(lsn >= head).toBe(true);
      expect(behind.headers.get('electric-offset')).toBe(`${lsn}_inf`);

      // At the head, a write to another table does not answer it.
      const aborter = new AbortController();
      let answered = false;
      const atHead = getShape(patient.url, { ...params, handle: start.handle, offset: `${lsn}_inf`, live: 'true', cursor: 'h' }, {
        headers: storeroom.headers,
        signal: aborter.signal,
      }).then(
        () => (answered = true),
        () => undefined,
      );
      await addTask({ title: 'another table again' });
      await feedHead(patient, db.pool);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(answered).toBe(false);
      aborter.abort();
      await atHead;
    } finally {
      await patient.close();
    }
  });

  it('TRUNCATE retires the handle: the old handle answers 409 (also to a waiting live request), a new handle serves the new rows', async () => {
    const params = { table: 'knowledge_votes' };
    const before = await whole(storeroom, params);
    expect(changes(before.messages).length).toBeGreaterThan(0);
    const waiting = shape(storeroom, { ...params, handle: before.handle, offset: before.offset, live: 'true', cursor: 'x' });
    await sleep(200);

    await db.pool.query('truncate knowledge_votes');
    const { rows } = await db.pool.query<{ id: string; user_id: string }>(
      `select k.id, u.id as user_id from knowledge k cross join users u where k.site_id = $1 and u.site_id = $1 limit 1`,
      [storeroom.siteId],
    );
    const fresh = uuidv7();
    await db.pool.query(`insert into knowledge_votes (id, site_id, knowledge_id, user_id) values ($1, $2, $3, $4)`, [fresh, storeroom.siteId, rows[0]!.id, rows[0]!.user_id]);
    await feedHead(server, db.pool);

    const live = await waiting;
    expect(live.status, 'the live request waiting on the old handle').toBe(409);
    expect(live.json).toEqual(MUST_REFETCH);
    const again = await shape(storeroom, { ...params, handle: before.handle, offset: before.offset });
    expect(again.status).toBe(409);
    expect(again.json).toEqual(MUST_REFETCH);
    const next = again.headers.get('electric-handle')!;
    expect(next).not.toBe(before.handle);

    const after = await whole(storeroom, params);
    expect(after.handle).toBe(next);
    expect(changes(after.messages).map((m) => m.value!.id)).toEqual([fresh]);
  });

  it('compaction: a client behind it gets 409 and re-syncs, a client at the head continues', async () => {
    const params = { table: 'parts' };
    const behind = await whole(storeroom, params);
    const part = changes(behind.messages)[0]!.value!;
    await db.pool.query(`insert into stock_movements (id, site_id, part_id, delta, reason) values ($1, $2, $3, 4, 'received')`, [uuidv7(), storeroom.siteId, part.id]);
    await feedHead(server, db.pool);
    const atHead = await shape(storeroom, { ...params, handle: behind.handle, offset: behind.offset });
    expect(atHead.status).toBe(200);
    expect(atHead.headers.has('electric-up-to-date')).toBe(true);
    const headOffset = atHead.headers.get('electric-offset')!;

    expect(await compactFeed(db.pool, '0 seconds')).toBeGreaterThan(0);

    const late = await shape(storeroom, { ...params, handle: behind.handle, offset: behind.offset });
    expect(late.status).toBe(409);
    expect(late.json).toEqual(MUST_REFETCH);
    expect(late.headers.get('electric-handle')).not.toBe(behind.handle);

    const current = await shape(storeroom, { ...params, handle: behind.handle, offset: headOffset });
    expect(current.status).toBe(200);
    expect(current.headers.has('electric-up-to-date')).toBe(true);
    const waiting = shape(storeroom, { ...params, handle: behind.handle, offset: headOffset, live: 'true', cursor: 'c' });
    await db.pool.query(`insert into stock_movements (id, site_id, part_id, delta, reason) values ($1, $2, $3, -1, 'used')`, [uuidv7(), storeroom.siteId, part.id]);
    const live = await waiting;
    expect(live.status).toBe(200);
    expect(changes(live.messages).map((m) => [m.headers.operation, m.value!.id, m.value!.quantity])).toEqual([
      ['update', part.id, String(Number(part.quantity) + 3)],
    ]);

    // The one behind starts over under the handle it was given, and ends equal to the server.
    const resync = await fetchWholeShape(server.url, params, storeroom.headers, { handle: late.headers.get('electric-handle')! });
    expect(resync.handle).toBe(late.headers.get('electric-handle'));
    const { rows } = await db.pool.query<{ quantity: number }>('select quantity from parts where id = $1', [part.id]);
    expect(changes(resync.messages).find((m) => m.value!.id === part.id)!.value!.quantity).toBe(String(rows[0]!.quantity));
  });

  it('a range compacted while it is read is reported, never answered with a hole (SPEC F9)', async () => {
    // The service checks a request's offset against compaction before it reads the range; a
    // compaction that commits in between must not turn the read into a complete-looking answer
    // that skips the removed transactions. Here the compaction lands before the read itself.
    const schema = await loadTableSchema(db.pool, 'parts');
    const def: ShapeDefinition = { table: 'parts', columns: schema.columns.map((c) => c.name), where: 'true', params: [], replica: 'default', log: 'full' };
    const before = await feedHead(server, db.pool);
    const { rows: parts } = await db.pool.query<{ id: string }>('select id from parts where site_id = $1 limit 2', [storeroom.siteId]);
    for (const part of parts) {
      await db.pool.query(`insert into stock_movements (id, site_id, part_id, delta, reason) values ($1, $2, $3, 1, 'received')`, [uuidv7(), storeroom.siteId, part.id]);
    }
    const head = await feedHead(server, db.pool);
    const whole = await readChanges(db.pool, { def, schema }, before, head);
    expect(whole.ended).toBeUndefined();
    expect(whole.messages.length).toBeGreaterThanOrEqual(2);

    expect(await compactFeed(db.pool, '0 seconds')).toBeGreaterThan(0);
    const holed = await readChanges(db.pool, { def, schema }, before, head);
    expect(holed).toEqual({ messages: [], through: head, ended: 'compacted' });
  });
});

describe('messages', () => {
  it('replica=full: updates carry the whole row and old_value; deletes carry the whole row', async () => {
    const id = await addTask({ title: 'full replica', priority: 3 });
    const params = { table: 'tasks', replica: 'full', where: `title = 'full replica'` };
    const start = await whole(storeroom, params);
    const [row] = changes(start.messages);
    expect(row!.value!.id).toBe(id);
    await db.pool.query(`update tasks set priority = 4, description = 'more' where id = $1`, [id]);
    await db.pool.query(`delete from tasks where id = $1`, [id]);
    await feedHead(server, db.pool);
    const next = await shape(storeroom, { ...params, handle: start.handle, offset: start.offset });
    const [update, deletion] = changes(next.messages);
    expect(update!.headers.operation).toBe('update');
    expect(Object.keys(update!.value!).sort()).toEqual(Object.keys(row!.value!).sort());
    expect(update!.value).toMatchObject({ id, priority: '4', description: 'more', title: 'full replica', version: '2' });
    expect(update!.old_value).toEqual({ priority: '3', description: null, version: '1', updated_at: row!.value!.updated_at });
    expect(deletion!.headers.operation).toBe('delete');
    expect(deletion!.value).toEqual({ ...update!.value });

    // The default replica sends the key and the changed columns only.
    const id2 = await addTask({ title: 'default replica', priority: 3 });
    const params2 = { table: 'tasks', where: `title = 'default replica'` };
    const start2 = await whole(storeroom, params2);
    await db.pool.query(`update tasks set priority = 1 where id = $1`, [id2]);
    await feedHead(server, db.pool);
    const next2 = await shape(storeroom, { ...params2, handle: start2.handle, offset: start2.offset });
    const [update2] = changes(next2.messages);
    expect(Object.keys(update2!.value!).sort()).toEqual(['id', 'priority', 'updated_at', 'version']);
    expect(update2!.old_value).toBeUndefined();
    expect(update2!.key).toBe(`"public"."tasks"/"${id2}"`);
  });

  it('a row moving into the where arrives as an insert with the whole row, one moving out as a delete', async () => {
    const inside = await addTask({ title: 'moves out', status: 'open' });
    const outside = await addTask({ title: 'moves in', status: 'on_hold' });
    const params = { table: 'tasks', where: `status = 'open' and title like 'moves %'` };
    const start = await whole(storeroom, params);
    expect(changes(start.messages).map((m) => m.value!.id)).toEqual([inside]);
    await db.pool.query(`update tasks set status = 'on_hold' where id = $1`, [inside]);
    await db.pool.query(`update tasks set status = 'open', priority = 4 where id = $1`, [outside]);
    await db.pool.query(`update tasks set priority = 1 where id = $1`, [inside]); // outside the shape now: nothing
    await feedHead(server, db.pool);
    const next = await shape(storeroom, { ...params, handle: start.handle, offset: start.offset });
    const got = changes(next.messages);
    expect(got.map((m) => [m.headers.operation, m.value!.id])).toEqual([
      ['delete', inside],
      ['insert', outside],
    ]);
    expect(got[0]!.value).toEqual({ id: inside });
    const { rows } = await db.pool.query<{ n: number }>(`select count(*)::int as n from information_schema.columns where table_name = 'tasks'`);
    expect(Object.keys(got[1]!.value!)).toHaveLength(rows[0]!.n);
    expect(got[1]!.value).toMatchObject({ id: outside, status: 'open', priority: '4', title: 'moves in' });
  });

  it('columns: only the projected columns travel, in the schema header too; changes to other columns send nothing', async () => {
    const params = { table: 'parts', columns: '"id","name",quantity' };
    const start = await whole(storeroom, params);
    const rows = changes(start.messages);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((m) => Object.keys(m.value!).sort().join() === 'id,name,quantity')).toBe(true);
    expect(Object.keys(JSON.parse(start.responses[0]!.headers.get('electric-schema')!) as object).sort()).toEqual(['id', 'name', 'quantity']);
    const id = rows[0]!.value!.id as string;
    await db.pool.query(`update parts set location = 'ELSEWHERE', unit_cost = 1.25 where id = $1`, [id]);
    await db.pool.query(`update parts set name = 'Renamed part' where id = $1`, [id]);
    await feedHead(server, db.pool);
    const next = await shape(storeroom, { ...params, handle: start.handle, offset: start.offset });
    expect(changes(next.messages).map((m) => m.value)).toEqual([{ id, name: 'Renamed part' }]);
  });

  it('the schema header describes types with a 0-based pk_index', async () => {
    const res = await shape(storeroom, { table: 'stock_movements', offset: '-1' });
    const schema = JSON.parse(res.headers.get('electric-schema')!) as Record<string, Record<string, unknown>>;
    expect(schema.id).toEqual({ type: 'uuid', pk_index: 0, not_null: true });
    expect(schema.delta).toEqual({ type: 'int4', not_null: true });
    expect(schema.note).toEqual({ type: 'text' });
    expect(schema.created_at).toEqual({ type: 'timestamptz', not_null: true });
  });
});

describe('headers and caching', () => {
  it('etag on a catch-up response, and 304 for If-None-Match', async () => {
    const params = { table: 'incoming_orders' };
    const start = await whole(storeroom, params);
    const catchUp = await shape(storeroom, { ...params, handle: start.handle, offset: start.offset });
    expect(catchUp.status).toBe(200);
    const etag = catchUp.headers.get('etag')!;
    expect(etag).toMatch(/^".+"$/);
    const revalidated = await shape(storeroom, { ...params, handle: start.handle, offset: start.offset }, { 'if-none-match': etag });
    expect(revalidated.status).toBe(304);
    expect(revalidated.text).toBe('');
    const other = await shape(storeroom, { ...params, handle: start.handle, offset: start.offset }, { 'if-none-match': '"something-else"' });
    expect(other.status).toBe(200);
    expect(other.text).toBe(catchUp.text);
  });

  it('CORS exposes the electric headers (also on 409); responses vary by Authorization (and Origin)', async () => {
    const origin = { origin: 'http://tablet.example' };
    const ok = await shape(storeroom, { table: 'sites', offset: '-1' }, origin);
    const conflict = await shape(storeroom, { table: 'sites', offset: '1_inf', handle: 'gone' }, origin);
    for (const res of [ok, conflict]) {
      const exposed = (res.headers.get('access-control-expose-headers') ?? '').toLowerCase().split(/\s*,\s*/);
      for (const header of ['electric-handle', 'electric-offset', 'electric-schema', 'electric-cursor', 'electric-up-to-date']) {
        expect(exposed).toContain(header);
      }
      const vary = (res.headers.get('vary') ?? '').toLowerCase().split(/\s*,\s*/);
      expect(vary).toContain('authorization');
      expect(vary).toContain('origin');
    }
  });

  it('over every response of this file: electric-schema exactly on non-live, electric-cursor exactly on live, electric-up-to-date exactly when the body ends with up-to-date', async () => {
    // Make sure live responses with and without data are among them.
    const params = { table: 'tasks' };
    const start = await whole(storeroom, params);
    const waiting = shape(storeroom, { ...params, handle: start.handle, offset: start.offset, live: 'true', cursor: '1' });
    await sleep(100);
    await addTask({ title: 'header check' });
    await waiting;
    const ok = seen.filter((s) => s.response.status === 200);
    expect(ok.filter((s) => s.live).length).toBeGreaterThan(5);
    expect(ok.filter((s) => !s.live).length).toBeGreaterThan(5);
    for (const { live, response } of ok) {
      const label = `${live ? 'live' : 'non-live'} ${response.text.slice(0, 80)}`;
      const last = response.messages.at(-1);
      expect(response.headers.has('electric-schema'), label).toBe(!live);
      expect(response.headers.has('electric-cursor'), label).toBe(live);
      expect(response.headers.has('electric-up-to-date'), label).toBe(last !== undefined && isControl(last, 'up-to-date'));
      expect(response.headers.get('electric-handle'), label).toBeTruthy();
      expect(response.headers.get('electric-offset'), label).toMatch(/^\d+_(\d+|inf)$/);
      if (live) expect(response.headers.get('electric-cursor'), label).toMatch(/^\d+$/);
    }
  });
});

describe('compression (issue 15: snapshots on a yard’s Wi-Fi)', () => {
  /** One GET as a client that accepts `encoding`, with the bytes as they came over the wire. */
  function onTheWire(params: Record<string, string>, encoding: string): Promise<{ headers: http.IncomingHttpHeaders; body: Buffer }> {
    const target = new URL(`${server.url}/v1/shape`);
    for (const [key, value] of Object.entries(params)) target.searchParams.set(key, value);
    return new Promise((resolve, reject) => {
      http
        .get(target, { headers: { ...storeroom.headers, 'accept-encoding': encoding } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
        })
        .on('error', reject);
    });
  }

  it('gzips a snapshot for a client that accepts it, at least five times smaller, and it decompresses to exactly what another client gets', async () => {
    const plain = await onTheWire({ table: 'parts', offset: '-1' }, 'identity');
    const gzipped = await onTheWire({ table: 'parts', offset: '-1', handle: String(plain.headers['electric-handle']) }, 'gzip, deflate, br');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(gzipped.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gzipped.body).toString()).toBe(plain.body.toString());
    // What the tablet's progress bar counts against.
    expect(Number(gzipped.headers['x-uncompressed-length'])).toBe(plain.body.length);
    expect(gzipped.body.length * 5).toBeLessThan(plain.body.length);
    for (const response of [plain, gzipped]) expect(String(response.headers.vary).toLowerCase()).toContain('accept-encoding');
  });

  it('sends a small body as it is', async () => {
    const small = await onTheWire({ table: 'parts', offset: '-1', where: `part_number = 'NO-SUCH-PART'` }, 'gzip');
    expect(small.body.length).toBeLessThan(1024);
    expect(small.headers['content-encoding']).toBeUndefined();
  });
});
