/**
 * SSE live mode (SPEC.md F13): the official `@electric-sql/client` 1.5 with `liveSse: true` gets
 * its live changes as server-sent events on one open response per stream, and reconnects when a
 * stream ends. The live timeout here is 500 ms, so a stream lasts 1.5 s and the writes below span
 * several reconnects.
 */
import { Shape, ShapeStream, isChangeMessage, type Row } from '@electric-sql/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { changeRights, startTestServer } from '../support/server.ts';
import { expectedClientRows, keyedRows, QUICK_BACKOFF, scopeSql, signIn, sleep, type Session } from '../support/shapes.ts';

let db: TestDatabase;
let server: RunningServer;
let session: Session;
const aborter = new AbortController();

beforeAll(async () => {
  db = await createTestDatabase();
  server = await startTestServer(db.url, { demo: true, shapeLiveTimeoutMs: 500 });
  session = await signIn(server.url, 'supervisor');
});

afterAll(async () => {
  aborter.abort();
  await server?.close();
  await db?.drop();
});

/** The events of an SSE response as they arrive, each `data:` parsed; resolves when it ends. */
async function readEvents(res: Response, onEvent: (data: Record<string, unknown>) => void): Promise<'ended' | 'failed'> {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return 'ended';
      buffered += value;
      let end: number;
      while ((end = buffered.indexOf('\n\n')) >= 0) {
        const event = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        for (const line of event.split('\n')) if (line.startsWith('data: ')) onEvent(JSON.parse(line.slice(6)) as Record<string, unknown>);
      }
    }
  } catch {
    return 'failed';
  }
}

async function snapshotOf(table: string, headers: Record<string, string>, url = server.url): Promise<{ handle: string; offset: string }> {
  const res = await fetch(`${url}/v1/shape?table=${table}&offset=-1`, { headers });
  expect(res.status).toBe(200);
  await res.arrayBuffer();
  return { handle: res.headers.get('electric-handle')!, offset: res.headers.get('electric-offset')! };
}

describe('SSE live mode', () => {
  it('the official client receives every write once, across stream reconnects, and ends equal to the server', async () => {
    const streams: { url: URL; contentType: string | null }[] = [];
    const recordingFetch: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      streams.push({ url: new URL(input instanceof Request ? input.url : String(input)), contentType: res.headers.get('content-type') });
      return res;
    };
    const stream = new ShapeStream<Row>({
      url: `${server.url}/v1/shape`,
      params: { table: 'parts' },
      headers: session.headers,
      liveSse: true,
      fetchClient: recordingFetch,
      backoffOptions: QUICK_BACKOFF,
      signal: aborter.signal,
    });
    const received = new Map<string, number>();
    stream.subscribe((messages) => {
      for (const message of messages) {
        const description = isChangeMessage(message) ? message.value.description : undefined;
        if (typeof description === 'string' && description.startsWith('sse-')) received.set(description, (received.get(description) ?? 0) + 1);
      }
    });
    const shape = new Shape(stream);
    await shape.rows;

    const { rows: parts } = await db.pool.query<{ id: string }>('select id from parts where site_id = $1 order by part_number limit 3', [session.siteId]);
    const writes = Array.from({ length: 12 }, (_, i) => `sse-${i}`);
    for (const [i, description] of writes.entries()) {
      await db.pool.query('update parts set description = $1 where id = $2', [description, parts[i % parts.length]!.id]);
      await sleep(300);
    }

    const scope = scopeSql('parts', session);
    const expected = Object.fromEntries(await expectedClientRows(db.pool, 'parts', scope.where, scope.params));
    await expect
      .poll(() => Object.fromEntries(keyedRows(shape.currentRows, ['id'])), { timeout: 20_000, interval: 50 })
      .toEqual(expected);
    // Each write arrived, and once: a reconnect resumes after the last up-to-date, not before it.
    expect(Object.fromEntries(received)).toEqual(Object.fromEntries(writes.map((w) => [w, 1])));
    // It was SSE, over more than one stream.
    const sse = streams.filter((s) => s.url.searchParams.get('live_sse') === 'true');
    expect(sse.map((s) => s.contentType)).toEqual(sse.map(() => 'text/event-stream; charset=utf-8'));
    expect(sse.length).toBeGreaterThan(1);
    expect(streams.some((s) => s.url.searchParams.get('live_sse') === 'true' && /^\d+_0$/.test(s.url.searchParams.get('offset')!))).toBe(true);
  });

  it('a handle that is not the shape’s gets the 409 a long-poll would, not a stream', async () => {
    const tasks = await snapshotOf('tasks', session.headers);
    const res = await fetch(`${server.url}/v1/shape?table=parts&offset=${tasks.offset}&handle=${tasks.handle}&live=true&live_sse=true`, {
      headers: session.headers,
    });
    expect(res.status).toBe(409);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual([{ headers: { control: 'must-refetch' } }]);
  });

  it('live_sse that is not true or false is refused with a 400', async () => {
    const parts = await snapshotOf('parts', session.headers);
    const res = await fetch(`${server.url}/v1/shape?table=parts&offset=${parts.offset}&handle=${parts.handle}&live=true&live_sse=yes`, {
      headers: session.headers,
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ errors: { live_sse: ['live_sse must be true or false'] } });
  });

  it('a stream ends as soon as its account is disabled, and the next request is refused', async () => {
    // A server of its own whose streams would stay open for half an hour: this one can only end
    // because the account was disabled.
    const patient = await startTestServer(db.url, { demo: false, shapeLiveTimeoutMs: 10 * 60_000 });
    try {
      const tech = await signIn(patient.url, 'tech2');
      const tasks = await snapshotOf('tasks', tech.headers, patient.url);
      const url = `${patient.url}/v1/shape?table=tasks&offset=${tasks.offset}&handle=${tasks.handle}&live=true&live_sse=true`;
      const res = await fetch(url, { headers: tech.headers });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
      const ended = readEvents(res, () => {});
      await changeRights(patient, () => db.pool.query(`update users set active = false where username = 'tech2'`));
      expect(await ended).toBe('ended');
      const again = await fetch(url, { headers: tech.headers });
      expect(again.status).toBe(401);
      expect(((await again.json()) as { error?: string }).error).toBe('account_disabled');
    } finally {
      await db.pool.query(`update users set active = true where username = 'tech2'`);
      await patient.close();
    }
  });
});
