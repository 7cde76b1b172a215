import { describe, expect, it } from 'vitest';
import { TASK_STATUSES, TASK_TRANSITIONS, type CommandName, type MutationResult, type TaskStatus } from '@cimco/contract';
import { createRandom, type Random } from '../../src/seed/random.ts';
import { createTestDatabase } from '../support/database.ts';
import { login, readJson, startTestServer } from '../support/server.ts';

/**
 * The write path's invariants under random interleavings (DESIGN.md §4): four tablets send random
 * commands over a few shared parts, orders, tasks and knowledge entries, concurrently, in random
 * batches, re-posting earlier batches and duplicating commands inside batches (what a tablet does
 * after a lost answer). Whatever the interleaving:
 * - every part's quantity is the sum of its movements, and each movement belongs to exactly one
 *   applied command (no stock delta counted twice, none lost);
 * - each mutation id has exactly one stored result, and every answer for it said the same thing;
 * - the audit log has one row per applied (or applied-with-conflict) command, and none for refusals;
 * - each order's received quantity is the sum of its receipts, one per receiving command, and
 *   no receipt was taken once the order was fully received;
 * - each task is in a legal state, reached by legal transitions.
 * Every choice comes from a seeded generator; a failure names its seed.
 */
const SEEDS = [1, 42, 4242, 20261123];
const COMMANDS_PER_TABLET = 40;
const TABLET_USERS = ['storeroom', 'supervisor', 'tech', 'tech2'] as const;

type Username = (typeof TABLET_USERS)[number];
interface Envelope {
  mutationId: string;
  name: CommandName;
  args: Record<string, unknown>;
  clientTime: string;
}

/** A UUID (version 4 layout) drawn from the seeded generator, so a seed always makes the same ids. */
function seededUuid(random: Random): string {
  const hex = Array.from({ length: 32 }, () => random.int(0, 15).toString(16));
  hex[12] = '4';
  hex[16] = random.pick(['8', '9', 'a', 'b']);
  const s = hex.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

const ROLE_OF: Record<Username, 'storeroom' | 'supervisor' | 'technician'> = {
  storeroom: 'storeroom',
  supervisor: 'supervisor',
  tech: 'technician',
  tech2: 'technician',
};
const STOCK_KEEPING = new Set<CommandName>(['part.update', 'order.receive']);
const CREW_WORK = new Set<CommandName>(['task.setStatus', 'task.complete', 'task.create']);
function allowed(user: Username, name: CommandName): boolean {
  const role = ROLE_OF[user];
  if (STOCK_KEEPING.has(name)) return role !== 'technician';
  if (CREW_WORK.has(name)) return role !== 'storeroom';
  return true;
}

/** The small shared world the tablets work on; tasks and knowledge entries grow as commands create them. */
interface World {
  parts: string[];
  missingPart: string;
  orders: string[];
  tasks: string[];
  knowledge: string[];
}
const NAMES = ['Hose 1/2"', 'Hydraulic hose', 'Hose, braided', 'Hose assy'];
const LOCATIONS = [null, 'A-1', 'B-2', 'C-3'];

function makeCommand(random: Random, world: World, user: Username, clientTime: string): Envelope {
  const id = () => seededUuid(random);
  let name: CommandName = random.weighted<CommandName>([
    ['stock.adjust', 36],
    ['part.update', 10],
    ['task.setStatus', 12],
    ['task.complete', 8],
    ['task.create', 5],
    ['order.receive', 12],
    ['knowledge.vote', 8],
  ]);
  // Mostly what the user's role may do; now and then a command the server must refuse.
  while (!allowed(user, name) && random.chance(0.85)) name = random.pick(['stock.adjust', 'knowledge.vote', 'task.setStatus', 'order.receive', 'part.update'] as const);
  let args: Record<string, unknown>;
  switch (name) {
    case 'stock.adjust': {
      const partId = random.chance(0.04) ? world.missingPart : random.pick(world.parts);
      const reason = random.weighted([['used', 4], ['received', 2], ['adjust', 2], ['count', 1]] as const);
      if (reason === 'count') {
        args = { reason, movementId: id(), partId, counted: random.int(0, 12) };
      } else {
        const delta = reason === 'used' ? -random.int(1, 9) : reason === 'received' ? random.int(1, 10) : random.pick([-7, -3, -1, 1, 2, 5]);
        // Now and then an invalid delta (0) and a task that may not exist yet (created later by another tablet).
        args = { reason, movementId: id(), partId, delta: random.chance(0.03) ? 0 : delta, ...(random.chance(0.2) && { taskId: random.pick(world.tasks) }) };
      }
      break;
    }
    case 'part.update': {
      const field = random.pick(['name', 'location', 'minQuantity'] as const);
      const pool: unknown[] = field === 'name' ? NAMES : field === 'location' ? LOCATIONS : [0, 2, 5, 10];
      // The base is the value the tablet last saw: often stale.
      args = { id: random.pick(world.parts), changes: { [field]: random.pick(pool) }, base: { [field]: random.pick(pool) } };
      break;
    }
    case 'task.setStatus':
      args = { id: random.pick(world.tasks), status: random.pick(['open', 'in_progress', 'on_hold', 'cancelled'] as const), reason: random.chance(0.5) ? 'random walk' : null };
      break;
    case 'task.complete': {
      const knowledgeId = id();
      world.knowledge.push(knowledgeId);
      args = { id: random.pick(world.tasks), knowledgeId, problem: 'Leaking fitting', fix: 'Tightened and re-sealed', lotoConfirmed: random.chance(0.8) };
      break;
    }
    case 'task.create': {
      const taskId = id();
      world.tasks.push(taskId);
      args = { id: taskId, title: `Random task ${taskId.slice(0, 8)}`, priority: random.int(1, 4) };
      break;
    }
    case 'order.receive':
      args = { id: random.pick(world.orders), movementId: id(), quantity: random.int(1, 6) };
      break;
    case 'knowledge.vote':
      args = { id: id(), knowledgeId: random.pick(world.knowledge) };
      break;
    default:
      throw new Error(`no generator for ${name}`);
  }
  return { mutationId: id(), name, args, clientTime };
}

/**
 * How one tablet uploads its sequence: batches of 1–8 in order, sometimes with a command repeated
 * inside a batch, sometimes the same batch posted twice at once (a retry while the first is still
 * in flight), sometimes an earlier batch posted again (a retry after a lost answer).
 */
function uploadPlan(random: Random, sequence: Envelope[]): Envelope[][][] {
  const batches: Envelope[][] = [];
  for (let i = 0; i < sequence.length; ) {
    const size = random.int(1, 8);
    batches.push(sequence.slice(i, i + size));
    i += size;
  }
  for (let b = 0; b < batches.length; b++) {
    if (!random.chance(0.25)) continue;
    const from = batches[random.int(0, b)]!;
    const batch = [...batches[b]!];
    batch.splice(random.int(0, batch.length), 0, random.pick(from));
    batches[b] = batch;
  }
  const steps: Envelope[][][] = [];
  batches.forEach((batch, b) => {
    steps.push(random.chance(0.15) ? [batch, batch] : [batch]);
    if (random.chance(0.25)) steps.push([batches[random.int(0, b)]!]);
  });
  if (random.chance(0.5)) steps.push([batches.flat().slice(0, 200)]);
  return steps;
}

interface Posted {
  batch: Envelope[];
  results: MutationResult[];
}

describe('the write path under random interleavings of several tablets', () => {
  it.each(SEEDS)('keeps its invariants (seed %i)', async (seed) => {
    const say = (what: string) => `seed ${seed}: ${what}`;
    const random = createRandom(seed);
    const db = await createTestDatabase();
    const server = await startTestServer(db.url, { demo: true });
    try {
      const query = async <T>(sql: string, params: unknown[] = []) => (await db.pool.query(sql, params)).rows as T[];
      const tablets = await Promise.all(
        TABLET_USERS.map(async (user) => {
          const deviceId = seededUuid(random);
          const res = await login(server.url, user, 'demo', { id: deviceId, name: `${user}'s tablet` });
          expect(res.status, say(`login ${user}`)).toBe(200);
          return { user, deviceId, token: (await readJson(res)).accessToken as string };
        }),
      );
      const posted: Posted[] = [];
      const post = async (tablet: (typeof tablets)[number], batch: Envelope[]) => {
        const res = await fetch(`${server.url}/api/mutations`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${tablet.token}` },
          body: JSON.stringify({ deviceId: tablet.deviceId, commands: batch }),
        });
        const body = await readJson(res);
        expect(res.status, say(`POST by ${tablet.user}: ${JSON.stringify(body)}`)).toBe(200);
        const results = body.results as MutationResult[];
        expect(results.map((r) => r.mutationId), say('one result per command, in order')).toEqual(batch.map((c) => c.mutationId));
        posted.push({ batch, results });
        return results;
      };

      // The shared world: three parts with some stock, three orders, four tasks (two on a machine,
      // so completing them needs lock-out/tag-out), two existing knowledge entries.
      const clientTime = new Date().toISOString();
      const [machine] = await query<{ id: string }>('select id from equipment order by tag limit 1');
      const knowledge = await query<{ id: string }>('select id from knowledge order by id limit 2');
      const world: World = { parts: [], missingPart: seededUuid(random), orders: [], tasks: [], knowledge: knowledge.map((k) => k.id) };
      const setup: Envelope[] = [];
      const envelope = (name: CommandName, args: Record<string, unknown>): Envelope => ({ mutationId: seededUuid(random), name, args, clientTime });
      for (let i = 0; i < 3; i++) {
        const partId = seededUuid(random);
        world.parts.push(partId);
        setup.push(envelope('part.create', { id: partId, partNumber: `PROP-${seed}-${i}`, name: NAMES[0], location: LOCATIONS[1], minQuantity: 2 }));
        setup.push(envelope('stock.adjust', { reason: 'received', movementId: seededUuid(random), partId, delta: random.int(3, 10) }));
        const orderId = seededUuid(random);
        world.orders.push(orderId);
        setup.push(envelope('order.create', { id: orderId, partId, orderNumber: `PO-${seed}-${i}`, quantityOrdered: random.int(4, 9) }));
      }
      for (let i = 0; i < 4; i++) {
        const taskId = seededUuid(random);
        world.tasks.push(taskId);
        setup.push(envelope('task.create', { id: taskId, title: `Shared task ${i}`, ...(i < 2 && { equipmentId: machine!.id }) }));
      }
      const supervisor = tablets.find((t) => t.user === 'supervisor')!;
      const setupResults = await post(supervisor, setup);
      expect(setupResults.filter((r) => r.status !== 'applied'), say('set-up applies')).toEqual([]);

      // Each tablet's commands, drawn round robin so they refer to each other's new tasks and entries.
      const sequences = new Map<string, Envelope[]>(tablets.map((t) => [t.deviceId, []]));
      for (let i = 0; i < COMMANDS_PER_TABLET; i++) {
        for (const t of tablets) sequences.get(t.deviceId)!.push(makeCommand(random, world, t.user, clientTime));
      }
      const plans = tablets.map((t) => ({ tablet: t, steps: uploadPlan(random, sequences.get(t.deviceId)!) }));
      await Promise.all(
        plans.map(async ({ tablet, steps }) => {
          for (const step of steps) await Promise.all(step.map((batch) => post(tablet, batch)));
        }),
      );

      // ---- every answer for a mutation id agrees, and matches the one stored result ----------
      const sent = new Map<string, Envelope>();
      const answers = new Map<string, MutationResult[]>();
      for (const { batch, results } of posted) {
        batch.forEach((command, i) => {
          sent.set(command.mutationId, command);
          answers.set(command.mutationId, [...(answers.get(command.mutationId) ?? []), results[i]!]);
        });
      }
      const stored = await query<{ id: string; command: string; status: string; code: string | null; message: string | null; details: unknown }>(
        'select id, command, status, code, message, details from mutation_results',
      );
      expect(stored.length, say('one stored result per distinct mutation id')).toBe(sent.size);
      expect(new Set(stored.map((r) => r.id)).size, say('stored results are distinct')).toBe(sent.size);
      const result = new Map(stored.map((r) => [r.id, r]));
      for (const [id, replies] of answers) {
        const row = result.get(id);
        expect(row, say(`a stored result for ${sent.get(id)!.name} ${id}`)).toBeDefined();
        expect(row!.command, say(`stored command of ${id}`)).toBe(sent.get(id)!.name);
        const expected = { mutationId: id, status: row!.status, ...(row!.code && { code: row!.code }), ...(row!.message && { message: row!.message }), ...(row!.details != null && { details: row!.details }) };
        for (const reply of replies) expect(reply, say(`every answer for ${sent.get(id)!.name} ${id} is the stored result`)).toEqual(expected);
      }
      const statuses = [...result.values()].reduce<Record<string, number>>((n, r) => ({ ...n, [`${r.command} ${r.status}${r.code ? ` ${r.code}` : ''}`]: (n[`${r.command} ${r.status}${r.code ? ` ${r.code}` : ''}`] ?? 0) + 1 }), {});
      const applied = new Set([...result.values()].filter((r) => r.status !== 'rejected').map((r) => r.id));
      const isApplied = (c: Envelope) => applied.has(c.mutationId);
      // The run exercised what it is about: refusals, negative stock, conflicts, re-posts.
      expect(posted.reduce((n, p) => n + p.batch.length, 0), say('commands were re-posted')).toBeGreaterThan(sent.size);
      expect(Object.keys(statuses).some((k) => k.includes('rejected')), say(`some refusals in ${JSON.stringify(statuses)}`)).toBe(true);
      expect(Object.keys(statuses).some((k) => k.includes('negative_stock')), say(`some negative stock in ${JSON.stringify(statuses)}`)).toBe(true);

      // ---- the audit log: one row per applied command, none for refusals ----------------------
      const audits = await query<{ mutation_id: string; command: string; entity_id: string; before: Record<string, unknown> | null; after: Record<string, unknown> | null }>(
        'select mutation_id, command, entity_id, before, after from audit_log where mutation_id is not null',
      );
      const auditCount = new Map<string, number>();
      for (const a of audits) auditCount.set(a.mutation_id, (auditCount.get(a.mutation_id) ?? 0) + 1);
      expect([...auditCount].filter(([, n]) => n !== 1), say('one audit row per mutation id')).toEqual([]);
      expect([...auditCount.keys()].sort(), say('audit rows are exactly the applied commands')).toEqual([...applied].sort());
      for (const a of audits) expect(a.command, say(`audit command of ${a.mutation_id}`)).toBe(sent.get(a.mutation_id)!.name);

      // ---- stock: quantity = Σ movements; each movement is one applied command's --------------
      const parts = await query<{ id: string; quantity: number; sum: number }>(
        'select p.id, p.quantity, coalesce((select sum(delta) from stock_movements m where m.part_id = p.id), 0)::int as sum from parts p',
      );
      for (const p of parts) expect(p.quantity, say(`part ${p.id}: quantity = Σ movements`)).toBe(p.sum);
      const movements = await query<{ id: string; part_id: string; delta: number; reason: string; order_id: string | null }>(
        'select id, part_id, delta, reason, order_id from stock_movements where part_id = any($1)',
        [world.parts],
      );
      const moving = [...sent.values()].filter((c) => c.name === 'stock.adjust' || c.name === 'order.receive');
      expect(movements.map((m) => m.id).sort(), say('the movements are exactly those of the applied stock commands')).toEqual(
        moving.filter(isApplied).map((c) => c.args.movementId as string).sort(),
      );
      const byMovement = new Map(moving.map((c) => [c.args.movementId as string, c]));
      for (const m of movements) {
        const c = byMovement.get(m.id)!;
        if (c.name === 'order.receive') expect([m.reason, m.order_id, m.delta], say(`receipt ${m.id}`)).toEqual(['received', c.args.id, c.args.quantity]);
        else if (c.args.reason !== 'count') expect([m.reason, m.part_id, m.delta], say(`movement ${m.id}`)).toEqual([c.args.reason, c.args.partId, c.args.delta]);
      }
      const discrepancies = await query<{ mutation_id: string; n: number }>(
        `select mutation_id, count(*)::int as n from conflicts where kind = 'stock_discrepancy' group by mutation_id`,
      );
      expect(discrepancies.map((d) => [d.mutation_id, d.n]).sort(), say('one stock discrepancy per command that took stock below zero')).toEqual(
        [...result.values()].filter((r) => r.code === 'negative_stock').map((r) => [r.id, 1]).sort(),
      );

      // ---- orders: received = Σ receipts, one per command, none past fully received ----------
      const orders = await query<{ id: string; quantity_ordered: number; quantity_received: number; status: string; sum: number; receipts: number }>(
        `select o.id, o.quantity_ordered, o.quantity_received, o.status,
                coalesce((select sum(delta) from stock_movements m where m.order_id = o.id and m.reason = 'received'), 0)::int as sum,
                (select count(*)::int from stock_movements m where m.order_id = o.id) as receipts
           from incoming_orders o where o.id = any($1)`,
        [world.orders],
      );
      for (const o of orders) {
        const receiving = [...sent.values()].filter((c) => c.name === 'order.receive' && c.args.id === o.id && isApplied(c));
        expect(o.quantity_received, say(`order ${o.id}: received = Σ its receipts`)).toBe(o.sum);
        expect(o.receipts, say(`order ${o.id}: one receipt per applied receiving command`)).toBe(receiving.length);
        expect(o.status, say(`order ${o.id} status`)).toBe(o.quantity_received >= o.quantity_ordered ? 'received' : o.quantity_received > 0 ? 'partial' : 'ordered');
        // The receipts, in the order they applied, chain from 0; each started below the ordered quantity.
        const chain = audits.filter((a) => a.command === 'order.receive' && a.entity_id === o.id).map((a) => [Number(a.before!.quantityReceived), Number(a.after!.quantityReceived)] as const);
        chain.sort((a, b) => a[0] - b[0]);
        let at = 0;
        for (const [from, to] of chain) {
          expect(from, say(`order ${o.id}: receipts chain`)).toBe(at);
          expect(from, say(`order ${o.id}: no receipt once fully received`)).toBeLessThan(o.quantity_ordered);
          at = to;
        }
        expect(at, say(`order ${o.id}: the chain ends at the received quantity`)).toBe(o.quantity_received);
      }

      // ---- tasks: legal states, legal transitions, one knowledge entry per completion ---------
      const tasks = await query<{ id: string; status: TaskStatus; completed_at: Date | null; knowledge: number }>(
        'select t.id, t.status, t.completed_at, (select count(*)::int from knowledge k where k.task_id = t.id) as knowledge from tasks t where t.id = any($1)',
        [world.tasks],
      );
      for (const t of tasks) {
        expect(TASK_STATUSES, say(`task ${t.id} status`)).toContain(t.status);
        expect(t.completed_at !== null, say(`task ${t.id}: completed_at set exactly when done`)).toBe(t.status === 'done');
        const completions = audits.filter((a) => a.command === 'task.complete' && a.entity_id === t.id && a.before!.status !== 'done');
        expect(t.knowledge, say(`task ${t.id}: one knowledge entry per completion`)).toBe(completions.length);
      }
      for (const a of audits.filter((x) => x.command === 'task.setStatus' || x.command === 'task.complete')) {
        const from = a.before!.status as TaskStatus;
        const to = a.after!.status as TaskStatus;
        if (from !== to) expect(TASK_TRANSITIONS[from], say(`transition ${from} → ${to} of task ${a.entity_id}`)).toContain(to);
      }
      const refusedCompletions = [...sent.values()].filter((c) => c.name === 'task.complete' && result.get(c.mutationId)!.code === 'task_cancelled');
      const madeKnowledge = await query<{ id: string }>('select id from knowledge where id = any($1)', [refusedCompletions.map((c) => c.args.knowledgeId)]);
      expect(madeKnowledge, say('a refused completion writes no knowledge entry')).toEqual([]);

      // ---- knowledge votes: counted once per person --------------------------------------------
      const votes = await query<{ id: string; helpful_votes: number; n: number }>(
        'select k.id, k.helpful_votes, (select count(*)::int from knowledge_votes v where v.knowledge_id = k.id) as n from knowledge k',
      );
      for (const k of votes) expect(k.helpful_votes, say(`knowledge ${k.id}: helpful votes = its votes`)).toBe(k.n);

      console.info(`seed ${seed}: ${sent.size} commands, ${posted.reduce((n, p) => n + p.batch.length, 0)} sent in ${posted.length} posts; ${JSON.stringify(statuses)}`);
    } finally {
      await server.close();
      await db.drop();
    }
  });
});
