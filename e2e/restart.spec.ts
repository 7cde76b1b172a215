import { expect, test } from './support/fixtures.ts';
import { OwnServer } from './support/own-server.ts';
import { local, signIn, waitForLocal } from './support/tablet.ts';

// A server restart while a tablet is live: the tablet keeps its place in every shape (handles and
// offsets are kept in PostgreSQL) and continues without downloading anything again.

test.describe.configure({ timeout: 600_000 });

const server = new OwnServer(3198);
test.beforeAll(async () => {
  // A hook runs under the config's 30 s, not the describe's timeout; a server's first start
  // (initdb, migrations, seed) can take longer on a busy machine.
  test.setTimeout(180_000);
  await server.start();
});
test.afterAll(async () => {
  await server.remove();
});

test('after a server restart the tablet continues where it was: no snapshot again, no 409', async ({ page, context }) => {
  const shapeRequests: { phase: string; offset: string | null; status?: number }[] = [];
  let phase = 'before';
  context.on('requestfinished', async (request) => {
    const url = new URL(request.url());
    if (url.pathname !== '/v1/shape') return;
    shapeRequests.push({ phase, offset: url.searchParams.get('offset'), status: (await request.response())?.status() });
  });

  await signIn(page, 'tech', { url: server.url });
  const [task] = await local<{ id: string; title: string }>(page, `select id, title from tasks where status = 'open' order by id limit 1`);

  phase = 'restart';
  await server.stop();
  await server.start();
  phase = 'after';

  // A change made on the server after the restart reaches the tablet.
  const db = server.database();
  await db.connect();
  try {
    await db.query(`update tasks set title = 'Changed after the restart' where id = $1`, [task!.id]);
  } finally {
    await db.end();
  }
  await waitForLocal(page, 'the change made after the restart', `select title = 'Changed after the restart' as ok from tasks where id = $1`, [task!.id]);

  const after = shapeRequests.filter((r) => r.phase === 'after');
  expect(after.length).toBeGreaterThan(0);
  expect(after.filter((r) => r.offset === '-1')).toEqual([]);
  expect(after.filter((r) => r.status === 409)).toEqual([]);
  expect(shapeRequests.filter((r) => r.phase === 'restart' && r.offset === '-1')).toEqual([]);
});
