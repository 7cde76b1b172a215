import { createHash } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refreshSession } from '../../../client/src/api/server-api.ts';
import { TokenKeeper } from '../../../client/src/leader/token-keeper.ts';
import { deviceCredentials, readSession } from '../../../client/src/session/local-session.ts';
import type { RunningServer } from '../../src/server.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { openNodeTablet, type NodeTablet } from '../support/node-tablet.ts';
import { waitFor } from '../support/shapes.ts';
import { startTestServer } from '../support/server.ts';

/**
 * The tablet's side of issue 12, with the client's own session code on PGlite against the real
 * server: it registers a secret with its id, proves it at every renewal, and a renewal whose
 * answer never got stored (a browser killed at the wrong moment) does not sign it out.
 */
let db: TestDatabase;
let server: RunningServer;
const tablets: NodeTablet[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  server = await startTestServer(db.url, { demo: true, shapeLiveTimeoutMs: 2_000 });
});
afterAll(async () => {
  for (const tablet of tablets) await tablet.close().catch(() => {});
  await server?.close();
  await db?.drop();
});

async function tablet(): Promise<NodeTablet> {
  const opened = await openNodeTablet(server.url);
  tablets.push(opened);
  return opened;
}

describe('tablet secrets', () => {
  it('the first sign-in makes a secret, keeps it, and registers only its digest', async () => {
    const t = await tablet();
    await t.signIn('tech');
    const credentials = await deviceCredentials(t.pg);
    expect(credentials.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await deviceCredentials(t.pg)).toEqual(credentials); // made once, then kept
    const { rows } = await db.pool.query<{ secret_hash: Buffer }>('select secret_hash from devices where id = $1', [credentials.id]);
    expect(rows[0]!.secret_hash.equals(createHash('sha256').update(credentials.secret).digest())).toBe(true);
  });
});

describe('a shared tablet', () => {
  it('each person who signs in gets their own command results, and their commands settle', async () => {
    const t = await tablet();
    const settle = async (who: string) => {
      await t.record('knowledge.add', { id: uuidv7(), problem: `Noted by ${who}` });
      t.leader.wake();
      await waitFor(`${who}'s command to settle`, async () => (await t.pg.query<{ n: number }>('select count(*)::int as n from outbox')).rows[0]!.n === 0, {
        timeoutMs: 30_000,
      });
    };
    const userIds = async () =>
      (await t.pg.query<{ user_id: string }>('select distinct user_id from mutation_results_synced')).rows.map((r) => r.user_id);
    await t.signIn('tech');
    await settle('tech');
    const tech = (await readSession(t.pg))!.userId;
    expect(await userIds()).toEqual([tech]);
    await t.signIn('tech2');
    await settle('tech2');
    const tech2 = (await readSession(t.pg))!.userId;
    expect(await userIds()).toEqual([tech2]);
  });
});

describe('a renewal whose answer was lost', () => {
  it('the tablet presents its old refresh token again and stays signed in, with no revocation', async () => {
    const t = await tablet();
    await t.signIn('storeroom');
    const before = (await readSession(t.pg))!;
    const server_ = { baseUrl: server.url };
    // The server rotates, but the browser is killed before it stores the answer.
    await refreshSession(server_, before.refreshToken, await deviceCredentials(t.pg));
    // On reopening, the tablet renews with what it has.
    const keeper = new TokenKeeper(t.pg, server_);
    const renewed = await keeper.renew(before.accessToken);
    expect(renewed).not.toBeNull();
    expect(renewed!.expired).toBe(false);
    expect(renewed!.refreshToken).not.toBe(before.refreshToken);
    const me = await fetch(`${server.url}/api/me`, { headers: { authorization: `Bearer ${renewed!.accessToken}` } });
    expect(me.status).toBe(200);
    const { rows } = await db.pool.query(`select 1 from refresh_tokens where revoked_reason = 'reuse'`);
    expect(rows).toEqual([]);
  });
});
