import fs from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_COMMANDS_PER_BATCH, type CommandName, type MutationResult } from '@cimco/contract';
import type { RunningServer } from '../../src/server.ts';
import { createRandom, type Random } from '../../src/seed/random.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { login, makeTempDir, readJson, spawnServer, startTestServer, type ServerProcess } from '../support/server.ts';

/**
 * Crash safety of the write path (DESIGN.md §4): the server process is killed (SIGKILL, no
 * shutdown) while it is applying a batch; the tablet, never having had an answer, re-posts the
 * same batch to the restarted server. Each command commits with its result, so the commands that
 * committed before the crash answer with their stored results and the rest apply now: the final
 * state must equal applying the batch exactly once, which a second database, given the same batch
 * once, shows.
 */
const SEED = 7_262_021;
/** How many times the server is killed part-way through (re-)posting the batch. */
const KILLS = 3;

interface Envelope {
  mutationId: string;
  name: CommandName;
  args: Record<string, unknown>;
  clientTime: string;
}

/** A UUID (version 4 layout) from the seeded generator: both databases get the very same ids. */
function seededUuid(random: Random): string {
  const hex = Array.from({ length: 32 }, () => random.int(0, 15).toString(16));
  hex[12] = '4';
  hex[16] = random.pick(['8', '9', 'a', 'b']);
  const s = hex.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

/**
 * The set-up (parts, orders, tasks made by commands, so both databases hold the same ids) and the
 * large batch: mostly stock movements (counts among them, whose delta depends on the quantity at
 * that moment, so order matters), receipts, task status changes and completions, part edits,
 * votes, and a few commands repeated inside the batch.
 */
function makeBatches(random: Random) {
  const clientTime = '2026-11-23T08:00:00.000Z';
  const envelope = (name: CommandName, args: Record<string, unknown>): Envelope => ({ mutationId: seededUuid(random), name, args, clientTime });
  const parts = Array.from({ length: 4 }, () => seededUuid(random));
  const orders = Array.from({ length: 3 }, () => seededUuid(random));
  const tasks = Array.from({ length: 6 }, () => seededUuid(random));
  const setup: Envelope[] = [
    ...parts.map((id, i) => envelope('part.create', { id, partNumber: `CRASH-${i}`, name: `Crash part ${i}`, location: 'A-1' })),
    ...orders.map((id, i) => envelope('order.create', { id, partId: parts[i]!, orderNumber: `PO-CRASH-${i}`, quantityOrdered: 20 })),
    ...tasks.map((id, i) => envelope('task.create', { id, title: `Crash task ${i}` })),
  ];
  const knowledge: string[] = [];
  const batch: Envelope[] = [];
  const size = MAX_COMMANDS_PER_BATCH - 10;
  while (batch.length < size) {
    const kind = random.weighted([['stock', 150], ['receive', 12], ['status', 14], ['complete', 6], ['edit', 8], ['vote', 6]] as const);
    if (kind === 'stock') {
      const partId = random.pick(parts);
      const reason = random.weighted([['used', 5], ['received', 3], ['adjust', 2], ['count', 1]] as const);
      batch.push(envelope('stock.adjust', reason === 'count'
        ? { reason, movementId: seededUuid(random), partId, counted: random.int(0, 30) }
        : { reason, movementId: seededUuid(random), partId, delta: reason === 'used' ? -random.int(1, 6) : reason === 'received' ? random.int(1, 8) : random.pick([-4, -1, 2, 3]) }));
    } else if (kind === 'receive') {
      batch.push(envelope('order.receive', { id: random.pick(orders), movementId: seededUuid(random), quantity: random.int(1, 9) }));
    } else if (kind === 'status') {
      batch.push(envelope('task.setStatus', { id: random.pick(tasks), status: random.pick(['open', 'in_progress', 'on_hold', 'cancelled'] as const) }));
    } else if (kind === 'complete') {
      const knowledgeId = seededUuid(random);
      knowledge.push(knowledgeId);
      batch.push(envelope('task.complete', { id: random.pick(tasks), knowledgeId, problem: 'Worn seal', fix: 'Replaced the seal', lotoConfirmed: true }));
    } else if (kind === 'edit') {
      batch.push(envelope('part.update', { id: random.pick(parts), changes: { location: random.pick(['B-1', 'B-2', 'C-7']) }, base: { location: random.pick(['A-1', 'B-1']) } }));
    } else if (knowledge.length > 0) {
      batch.push(envelope('knowledge.vote', { id: seededUuid(random), knowledgeId: random.pick(knowledge) }));
    }
  }
  for (let i = 0; i < 10; i++) batch.splice(random.int(1, batch.length), 0, batch[random.int(0, batch.length - 1)]!);
  return { setup, batch, parts, orders, tasks };
}

/** One tablet (the supervisor may run every command used here) with a fixed device id. */
async function signIn(url: string, deviceId: string) {
  const res = await login(url, 'supervisor', 'demo', { id: deviceId, name: 'Crash-test tablet' });
  expect(res.status).toBe(200);
  const token = (await readJson(res)).accessToken as string;
  return async (commands: Envelope[]): Promise<MutationResult[]> => {
    const res = await fetch(`${url}/api/mutations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ deviceId, commands }),
    });
    const body = await readJson(res);
    expect(res.status, JSON.stringify(body)).toBe(200);
    return body.results as MutationResult[];
  };
}

/** What the batch left behind, comparable between two databases. */
async function snapshot(db: TestDatabase, ids: ReturnType<typeof makeBatches>) {
  const q = async (sql: string, params: unknown[]) => (await db.pool.query(sql, params)).rows;
  return {
    parts: await q(
      `select p.id, p.quantity, p.location, (select count(*)::int from stock_movements m where m.part_id = p.id) as movements,
              (select coalesce(sum(delta), 0)::int from stock_movements m where m.part_id = p.id) as sum
         from parts p where p.id = any($1) order by p.id`,
      [ids.parts],
    ),
    movements: await q('select id, part_id, delta, reason, order_id, quantity_after from stock_movements where part_id = any($1) order by id', [ids.parts]),
    orders: await q('select id, quantity_received, status from incoming_orders where id = any($1) order by id', [ids.orders]),
    tasks: await q(
      'select t.id, t.status, (select count(*)::int from knowledge k where k.task_id = t.id) as knowledge from tasks t where t.id = any($1) order by t.id',
      [ids.tasks],
    ),
    votes: await q('select k.id, k.helpful_votes from knowledge k where k.task_id = any($1) order by k.id', [ids.tasks]),
    results: await q('select id, command, status, code, message, details from mutation_results order by id', []),
    audit: await q('select mutation_id, count(*)::int as n from audit_log where mutation_id is not null group by mutation_id order by mutation_id', []),
    conflicts: await q('select mutation_id, kind, entity_id, field from conflicts where mutation_id is not null order by mutation_id, kind, field', []),
  };
}

let db: TestDatabase;
let reference: TestDatabase;
let referenceServer: RunningServer | undefined;
let running: ServerProcess | undefined;
let dataDir: string | undefined;

beforeAll(async () => {
  [db, reference] = await Promise.all([createTestDatabase(), createTestDatabase()]);
});
afterAll(async () => {
  await running?.stop('SIGKILL');
  await referenceServer?.close();
  await Promise.all([db?.drop(), reference?.drop(), dataDir && fs.rm(dataDir, { recursive: true, force: true })]);
});

describe('a server killed in the middle of a batch', () => {
  // Four server start-ups as real processes: slow on a busy machine.
  it('ends, once the batch is re-posted, as if it had applied the batch exactly once', { timeout: 150_000 }, async () => {
    const say = (what: string) => `seed ${SEED}: ${what}`;
    const random = createRandom(SEED);
    const plan = makeBatches(random);
    const deviceId = seededUuid(random);
    const distinct = new Set(plan.batch.map((c) => c.mutationId)).size;
    const setupCount = plan.setup.length;

    // The batch applied once, on a database nobody kills.
    referenceServer = await startTestServer(reference.url, { demo: true });
    const referencePost = await signIn(referenceServer.url, deviceId);
    expect((await referencePost(plan.setup)).every((r) => r.status === 'applied'), say('reference set-up')).toBe(true);
    const started = Date.now();
    const once = await referencePost(plan.batch);
    console.info(say(`${plan.batch.length} commands (${distinct} distinct) applied once in ${Date.now() - started} ms`));

    // The real server as a process; set-up, then the batch, killed part-way.
    dataDir = await makeTempDir('cimco-crash-');
    const env = { DATABASE_URL: db.url, DATA_DIR: dataDir, DEMO: 'true' };
    running = await spawnServer(env);
    const setupResults = await (await signIn(running.url, deviceId))(plan.setup);
    expect(setupResults.every((r) => r.status === 'applied'), say('set-up')).toBe(true);
    const committed = async () => Number((await db.pool.query('select count(*)::int as n from mutation_results')).rows[0].n) - setupCount;

    /**
     * Posts the batch and SIGKILLs the server once at least `atLeast` of its commands committed,
     * and `lag` ms more, so the kill lands anywhere in the command being applied, not only just
     * after a commit.
     */
    const postAndKill = async (atLeast: number, lag: number) => {
      const post = await signIn(running!.url, deviceId);
      const answer = post(plan.batch).then(
        () => 'answered' as const,
        () => 'no answer' as const,
      );
      let seen = await committed();
      while (seen < atLeast && seen < distinct) {
        await new Promise((resolve) => setTimeout(resolve, 1));
        seen = await committed();
      }
      if (lag > 0) await new Promise((resolve) => setTimeout(resolve, lag));
      await running!.stop('SIGKILL');
      running = undefined;
      const after = await committed();
      return { seen, after, answer: await answer };
    };

    /**
     * What a crash leaves: a prefix of the batch, each command with its result and its effects and
     * none without (a movement or an audit row exists exactly for the applied commands that have a
     * result), the same results as applying the batch once.
     */
    const order = [...new Map(plan.batch.map((c) => [c.mutationId, c])).values()];
    const onceById = new Map(once.map((r) => [r.mutationId, r]));
    const expectConsistentPrefix = async (when: string) => {
      // One snapshot, in case a commit the killed server had sent is still landing.
      const client = await db.pool.connect();
      let rows: { id: string; status: string; code: string | null }[];
      let movements: string[];
      let audit: string[];
      try {
        await client.query('begin isolation level repeatable read');
        ({ rows } = await client.query<{ id: string; status: string; code: string | null }>(
          'select id, status, code from mutation_results where id = any($1)',
          [order.map((c) => c.mutationId)],
        ));
        movements = (await client.query<{ id: string }>('select id from stock_movements where part_id = any($1)', [plan.parts])).rows.map((m) => m.id);
        audit = (await client.query<{ mutation_id: string }>('select mutation_id from audit_log where mutation_id = any($1)', [order.map((c) => c.mutationId)]))
          .rows.map((a) => a.mutation_id);
        await client.query('commit');
      } finally {
        client.release();
      }
      const done = new Map(rows.map((r) => [r.id, r]));
      const prefix = order.slice(0, done.size);
      expect(prefix.every((c) => done.has(c.mutationId)), say(`${when}: the committed commands are the batch's first ${done.size}`)).toBe(true);
      for (const c of prefix) {
        const r = onceById.get(c.mutationId)!;
        expect([done.get(c.mutationId)!.status, done.get(c.mutationId)!.code ?? undefined], say(`${when}: result of ${c.name} ${c.mutationId}`)).toEqual([r.status, r.code]);
      }
      const applied = prefix.filter((c) => done.get(c.mutationId)!.status !== 'rejected');
      expect(movements.sort(), say(`${when}: a movement for each applied stock command with a result, and no other`)).toEqual(
        applied.filter((c) => c.name === 'stock.adjust' || c.name === 'order.receive').map((c) => c.args.movementId as string).sort(),
      );
      expect(audit.sort(), say(`${when}: an audit row for each applied command with a result, and no other`)).toEqual(applied.map((c) => c.mutationId).sort());
    };

    // The first post and two re-posts are killed part-way, each after more of the batch applied;
    // the server restarts on the same database each time.
    let applied = 0;
    for (let kill = 1; kill <= KILLS; kill++) {
      if (!running) running = await spawnServer(env);
      const target = random.int(applied + 10, applied + Math.floor((distinct - applied) / 3));
      const lag = random.int(0, 12);
      const { seen, after, answer } = await postAndKill(target, lag);
      console.info(say(`post ${kill} killed ${lag} ms after ${seen} commands committed (aimed at ${target}); ${after} of ${distinct} after the kill`));
      expect(answer, say(`post ${kill}: the killed server never answered`)).toBe('no answer');
      expect(after, say(`post ${kill}: the kill came part-way through the batch, after more of it applied`)).toBeGreaterThan(applied);
      expect(after, say(`post ${kill}: the kill came part-way through the batch`)).toBeLessThan(distinct);
      await expectConsistentPrefix(`after kill ${kill}`);
      applied = after;
    }

    // Restart again; this time the re-post completes.
    running = await spawnServer(env);
    const results = await (await signIn(running.url, deviceId))(plan.batch);
    expect(await committed(), say('every command has its one result')).toBe(distinct);
    expect(results, say('the answers after the crashes are those of applying the batch once')).toEqual(once);

    const [crashed, expected] = await Promise.all([snapshot(db, plan), snapshot(reference, plan)]);
    expect(crashed, say('the final state is that of applying the batch exactly once')).toEqual(expected);
    // And that state is the batch's: stock moved, receipts taken, one audit row per applied command.
    expect(crashed.movements.length, say('movements')).toBeGreaterThan(100);
    expect(crashed.audit.length, say('audit rows')).toBe(crashed.results.filter((r) => r.status !== 'rejected').length);
    for (const p of crashed.parts) expect(p.quantity, say(`part ${p.id}: quantity = Σ movements`)).toBe(p.sum);

    // A last re-post changes nothing.
    expect(await (await signIn(running.url, deviceId))(plan.batch), say('a re-post after completion')).toEqual(once);
    expect(await snapshot(db, plan), say('a re-post after completion changes nothing')).toEqual(expected);
  });
});
