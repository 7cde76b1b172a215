import { expect, it } from 'vitest';
import { createTestDatabase } from '../support/database.ts';
import { login, readJson, startTestServer } from '../support/server.ts';

/**
 * Stopping the server while tablets hold long-polls or SSE streams ends them and returns. The live timeout here
 * is ten minutes, far beyond this test's own limit: a shutdown that waited for the long-polls to
 * time out (or spun until then, as it once did) fails the test instead of finishing.
 */
it('closes promptly with live requests open', async () => {
  const db = await createTestDatabase();
  const server = await startTestServer(db.url, { demo: true, shapeLiveTimeoutMs: 10 * 60_000 });
  try {
    const token = (await readJson(await login(server.url, 'tech', 'demo'))).accessToken as string;
    const headers = { authorization: `Bearer ${token}` };
    const first = await fetch(`${server.url}/v1/shape?table=equipment&offset=-1`, { headers });
    const handle = first.headers.get('electric-handle')!;
    const offset = first.headers.get('electric-offset')!;
    await first.arrayBuffer();
    const live = Array.from({ length: 5 }, () =>
      fetch(`${server.url}/v1/shape?table=equipment&offset=${offset}&handle=${handle}&live=true`, { headers }).then(
        (res) => res.status,
        () => 'closed',
      ),
    );
    // And two SSE streams (live-stream.ts), open until the server ends them.
    const streams = Array.from({ length: 2 }, () =>
      fetch(`${server.url}/v1/shape?table=equipment&offset=${offset}&handle=${handle}&live=true&live_sse=true`, { headers }).then(
        async (res) => `${res.status} ${await res.text().then(() => 'ended', () => 'cut')}`,
        () => 'closed',
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, 300)); // let them reach the server and wait
    await server.close();
    expect(await Promise.all(live)).toEqual(Array(5).fill('closed'));
    // Ended by the server, or cut as it closed its connections: either way, over.
    for (const stream of await Promise.all(streams)) expect(stream).toMatch(/^200 (ended|cut)$/);
  } finally {
    await db.drop();
  }
});
