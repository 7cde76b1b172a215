/**
 * Whether the tablet says it is online (`sync_state.online`, what the sync bar shows), against the
 * real server, in Node — client/src/leader/reachability.ts and sync-status.ts:
 * - a server that holds the live requests open and answers the probe slowly, but in time, never
 *   shows as offline; the probe costs about a request a second while the tablet is idle;
 * - a server that can no longer be reached, with nothing failing (requests just get no answer),
 *   shows as offline within seconds, and as online again soon after it answers;
 * - an outcome of a request sent before the verdict changed does not overturn it.
 * (e2e/offline-indicator.spec.ts checks the 3 s bound in the browser.)
 */
import type { PGliteInterface } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SyncStatus } from '../../../client/src/leader/sync-status.ts';
import type { RunningServer } from '../../src/server.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { openNodeTablet, type NodeTablet } from '../support/node-tablet.ts';
import { startTestServer } from '../support/server.ts';
import { waitFor } from '../support/shapes.ts';

let db: TestDatabase;
let server: RunningServer;
let tablet: NodeTablet;

const isHealth = (url: URL) => url.pathname === '/api/health';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  db = await createTestDatabase();
  // Live requests are held the full 20 s, as in production: nothing answers while the tablet idles.
  server = await startTestServer(db.url, { demo: true, shapeLiveTimeoutMs: 20_000 });
  tablet = await openNodeTablet(server.url);
  // Every change of the flag, as it happens.
  await tablet.pg.exec(`
    create table online_seen (seq serial primary key, online boolean);
    create function note_online() returns trigger language plpgsql as $$
      begin insert into online_seen (online) values (new.online); return new; end $$;
    create trigger note_online after update of online on sync_state for each row
      when (new.online is distinct from old.online) execute function note_online();`);
  await tablet.signIn('tech');
  await waitFor('the initial sync', async () => (await one<{ done: boolean }>('select initial_sync_done as done from sync_state')).done, {
    timeoutMs: 60_000,
  });
  await waitForOnline(true);
});

afterAll(async () => {
  await tablet?.close();
  await server?.close();
  await db?.drop();
});

async function one<T>(sql: string): Promise<T> {
  return (await tablet.pg.query<T>(sql)).rows[0]!;
}

async function waitForOnline(online: boolean): Promise<number> {
  const start = Date.now();
  // Generous for a busy machine: without the probe it does not happen at all (see the test).
  await waitFor(`online = ${online}`, async () => (await one<{ online: boolean | null }>('select online from sync_state')).online === online, {
    timeoutMs: 10_000,
  });
  return Date.now() - start;
}

async function changesSince(seq: number): Promise<boolean[]> {
  return (await tablet.pg.query<{ online: boolean }>('select online from online_seen where seq > $1 order by seq', [seq])).rows.map((r) => r.online);
}

async function lastChange(): Promise<number> {
  return (await one<{ seq: number | null }>('select max(seq) as seq from online_seen')).seq ?? 0;
}

describe('the online flag of a signed-in tablet', () => {
  it('stays online while the server holds the live requests and answers the probe slowly but in time; about a probe a second', async () => {
    const seen = await lastChange();
    const probesBefore = tablet.network.requests.filter((request) => request.path === '/api/health').length;
    // Most of the probe's timeout (PROBE_TIMEOUT_MS = 1.5 s) on every answer.
    const fast = tablet.network.slow(isHealth, 800);
    try {
      await sleep(6_000);
    } finally {
      fast();
    }
    const probes = tablet.network.requests.filter((request) => request.path === '/api/health').length - probesBefore;

    expect(await changesSince(seen)).toEqual([]);
    expect(await one('select online from sync_state')).toEqual({ online: true });
    // Each probe waits a second of quiet, then 0.8 s for its answer: three or four in six seconds.
    expect(probes).toBeGreaterThanOrEqual(2);
    expect(probes).toBeLessThanOrEqual(7);
  });

  it('shows offline within seconds when the server can no longer be reached though nothing fails, and online again soon after it answers', async () => {
    const seen = await lastChange();
    tablet.network.unreachable = true;
    const offlineAfter = await waitForOnline(false);
    tablet.network.unreachable = false;
    const onlineAfter = await waitForOnline(true);
    console.log(`unreachable → offline in ${offlineAfter} ms; reachable → online in ${onlineAfter} ms`);

    // Once each way: the answers held while the link was down, delivered when it came back, are old news.
    expect(await changesSince(seen)).toEqual([false, true]);
  });
});

describe('SyncStatus: outcomes of requests', () => {
  it('count only if the verdict has not changed since the request was sent', () => {
    const pg = { query: async () => ({ rows: [] }) } as unknown as PGliteInterface;
    let backOnline = 0;
    const status = new SyncStatus(pg, () => backOnline++);

    const liveRequest = status.requestSent();
    status.reached(true, status.requestSent());
    expect(status.online).toBe(true);
    const beforeTheDrop = status.requestSent();
    status.reached(false, status.requestSent()); // the probe found nobody
    expect(status.online).toBe(false);
    status.reached(true, beforeTheDrop); // an answer already on its way: old news
    status.reached(true, liveRequest);
    expect(status.online).toBe(false);

    const whileOffline = status.requestSent();
    status.reached(true, status.requestSent()); // the server is back
    expect([status.online, backOnline]).toEqual([true, 1]);
    status.reached(false, whileOffline); // a request that hung while it was gone
    expect(status.online).toBe(true);
    status.reached(false, status.requestSent()); // a request sent since fails: gone again, at once
    expect(status.online).toBe(false);
  });
});
