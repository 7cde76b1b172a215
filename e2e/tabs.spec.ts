import { expect, test } from './support/fixtures.ts';
import { APP_READY, closeServerDb, electionLocks, local, record, serverRows, signIn, waitForEmptyOutbox, waitForLocal } from './support/tablet.ts';

// Two tabs of one tablet: PGlite's worker elects one leader; the other tab's queries go to it.
// Only the leader syncs and uploads, so every command reaches the server in exactly one request.

test.describe.configure({ timeout: 600_000 });
test.afterAll(closeServerDb);

test('two tabs share one database without errors, and only one uploads', async ({ context }) => {
  const errors: string[] = [];
  const posted: string[] = [];
  context.on('request', (request) => {
    if (request.method() === 'POST' && new URL(request.url()).pathname === '/api/mutations') {
      const body = request.postDataJSON() as { commands: { mutationId: string }[] };
      posted.push(...body.commands.map((c) => c.mutationId));
    }
  });

  const first = await context.newPage();
  first.on('pageerror', (error) => errors.push(`first: ${error.message}`));
  await signIn(first, 'tech');

  // The second tab finds the person signed in and the data there: it is the same database.
  const second = await context.newPage();
  second.on('pageerror', (error) => errors.push(`second: ${error.message}`));
  await second.goto('/');
  await expect(second.getByTestId('sync-bar')).toBeVisible(APP_READY);
  const [part] = await local<{ id: string; quantity: number }>(first, 'select id, quantity from parts where quantity > 5 order by part_number limit 1');
  expect(await local(second, 'select quantity from parts where id = $1', [part!.id])).toEqual([{ quantity: part!.quantity }]);
  // One tab's worker leads (runs PGlite, the sync and the uploader); the other's waits its turn.
  expect(await electionLocks(second)).toEqual({ held: 1, waiting: 1 });

  // A command from each tab: both show at once in both tabs, and both reach the server once.
  const ids = [
    await record(first, 'stock.adjust', { reason: 'used', movementId: crypto.randomUUID(), partId: part!.id, delta: -1, note: 'first tab' }),
    await record(second, 'stock.adjust', { reason: 'used', movementId: crypto.randomUUID(), partId: part!.id, delta: -2, note: 'second tab' }),
  ];
  expect(await local(second, 'select quantity from parts where id = $1', [part!.id])).toEqual([{ quantity: part!.quantity - 3 }]);
  await waitForEmptyOutbox(first);
  await waitForLocal(second, 'the server quantity in the second tab', 'select quantity = $2 and not pending as ok from parts where id = $1', [part!.id, part!.quantity - 3]);

  const results = await serverRows<{ id: string; status: string }>('select id::text, status from mutation_results where id = any($1::uuid[]) order by id', [ids]);
  expect(results.map((r) => r.status)).toEqual(['applied', 'applied']);
  expect(await serverRows('select quantity from parts where id = $1', [part!.id])).toEqual([{ quantity: part!.quantity - 3 }]);
  // Each command was posted in exactly one request: one uploader.
  for (const id of ids) expect(posted.filter((p) => p === id)).toHaveLength(1);
  expect(errors).toEqual([]);
});

test('closing the leader tab mid-work: the other tab takes over, every command it sent is recorded once and uploaded once', async ({ context }) => {
  const errors: string[] = [];
  // Posts the server answered: an attempt the browser failed while offline uploaded nothing.
  const posted: string[] = [];
  context.on('requestfinished', (request) => {
    if (request.method() === 'POST' && new URL(request.url()).pathname === '/api/mutations') {
      posted.push(...(request.postDataJSON() as { commands: { mutationId: string }[] }).commands.map((c) => c.mutationId));
    }
  });
  const leader = await context.newPage();
  await signIn(leader, 'tech');
  const follower = await context.newPage();
  follower.on('pageerror', (error) => errors.push(error.message));
  await follower.goto('/');
  await expect(follower.getByTestId('sync-bar')).toBeVisible(APP_READY);
  expect(await electionLocks(follower)).toEqual({ held: 1, waiting: 1 });
  const [part] = await local<{ id: string; quantity: number }>(follower, 'select id, quantity from parts where deleted_at is null order by part_number desc limit 1');
  const note = `handover ${crypto.randomUUID()}`;

  // Offline, so that every upload comes after the hand-over: the new leader's uploader alone.
  await context.setOffline(true);
  // The follower records 40 commands and reads after each, while its leader's tab is closed.
  const work = follower.evaluate(
    async ([partId, note]) => {
      const w = globalThis as unknown as {
        cimcoRecord(name: string, args: unknown): Promise<string>;
        cimcoDb: { query(sql: string, params: unknown[]): Promise<{ rows: { n: number }[] }> };
      };
      const ids: string[] = [];
      const seen: number[] = [];
      for (let i = 0; i < 40; i++) {
        ids.push(await w.cimcoRecord('stock.adjust', { reason: 'received', movementId: crypto.randomUUID(), partId, delta: 1, note }));
        seen.push((await w.cimcoDb.query(`select count(*)::int as n from outbox where args->>'note' = $1`, [note])).rows[0]!.n);
      }
      return { ids, seen };
    },
    [part!.id, note] as const,
  );
  await expect.poll(() => local<{ n: number }>(follower, `select count(*)::int as n from outbox where args->>'note' = $1`, [note]).then((r) => r[0]!.n)).toBeGreaterThan(3);
  await leader.close();
  const { ids, seen } = await work;

  // No command lost or recorded twice; every read answered once, in order.
  expect(new Set(ids).size).toBe(40);
  expect(seen).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
  expect(await electionLocks(follower)).toEqual({ held: 1, waiting: 0 });
  await context.setOffline(false);
  await waitForEmptyOutbox(follower);
  expect(await serverRows(`select count(*)::int as n from stock_movements where note = $1`, [note])).toEqual([{ n: 40 }]);
  expect(await serverRows('select quantity - $2 as added from parts where id = $1', [part!.id, part!.quantity])).toEqual([{ added: 40 }]);
  // One uploader: each command uploaded in one request.
  for (const id of ids) expect(posted.filter((p) => p === id)).toHaveLength(1);
  expect(errors).toEqual([]);
});
