/**
 * An upload whose answer never comes (a connection left open by a Wi-Fi that dropped the tablet,
 * a proxy that lost the server behind it) is given up after the request timeout and sent again:
 * the tablet's outbox empties and the command is applied once (client/src/api/server-api.ts,
 * REQUEST_TIMEOUT_MS). Without the timeout the uploader waited for ever with the sync stepped
 * aside, and the tablet neither sent nor received again (the long chaos run's stuck tablets).
 */
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { openSyncedTablet, type NodeTablet } from '../support/node-tablet.ts';
import { startTestServer } from '../support/server.ts';
import { waitFor } from '../support/shapes.ts';

let db: TestDatabase;
let server: RunningServer;
let tablet: NodeTablet;

beforeAll(async () => {
  db = await createTestDatabase();
  server = await startTestServer(db.url, { demo: true, shapeLiveTimeoutMs: 2_000 });
  tablet = await openSyncedTablet(server.url, 'storeroom', { requestTimeoutMs: 2_000 });
}, 120_000);

afterAll(async () => {
  await tablet?.close();
  await server?.close();
  await db?.drop();
});

it('gives up an upload whose answer never comes, and goes on sending: each command applied once', async () => {
  const { rows: parts } = await db.pool.query<{ id: string }>('select id from parts order by quantity desc limit 1');
  const adjust = (note: string) => ({ reason: 'used' as const, movementId: uuidv7(), partId: parts[0]!.id, delta: -1, note });
  const resultOf = async (id: string) => (await db.pool.query<{ status: string }>('select status from mutation_results where id = $1', [id])).rows.map((r) => r.status);
  let uploads = 0;
  // The server gets the first upload and applies it; its answer never reaches the tablet.
  const release = tablet.network.hold((url) => url.pathname === '/api/mutations' && uploads++ === 0);
  try {
    const first = await tablet.record('stock.adjust', adjust('answer lost'));
    await waitFor('the first command on the server', async () => (await resultOf(first)).length > 0);
    // Recorded while the first upload still waits: only an uploader that gave it up sends this one.
    const second = await tablet.record('stock.adjust', adjust('after the lost answer'));
    await waitFor('the second command on the server', async () => (await resultOf(second)).length > 0, { timeoutMs: 30_000 });
    await waitFor('the outbox to empty', async () => (await tablet.pg.query<{ n: number }>('select count(*)::int as n from outbox')).rows[0]!.n === 0, { timeoutMs: 30_000 });
    expect(uploads).toBeGreaterThanOrEqual(2);
    for (const id of [first, second]) {
      expect(await resultOf(id)).toEqual(['applied']);
      const { rows: audit } = await db.pool.query<{ n: number }>('select count(*)::int as n from audit_log where mutation_id = $1', [id]);
      expect(audit[0]!.n).toBe(1);
    }
  } finally {
    release();
  }
}, 90_000);
