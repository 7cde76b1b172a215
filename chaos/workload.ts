import { mayRun, TASK_CATEGORIES, type CommandName } from '@cimco/contract';
import { v7 as uuidv7 } from 'uuid';
import type { Random } from '../sync-server/src/seed/random.ts';
import type { ChaosTablet } from './fleet.ts';

/**
 * What the people do: each tablet records commands of every kind its role may run, picked by a
 * seeded generator, about rows it sees on its own screens (the local overlay tables, pending
 * effects included) — so tablets working from stale data, while cut off, make the conflicts and
 * refusals the server's rules are there for:
 *
 * - stock taken, received, adjusted and counted (movements commute; counts depend on the moment);
 * - tasks created, edited (same fields on several tablets: last arrival wins, a conflict kept),
 *   moved through their states (illegal moves refused), completed (a cancelled one refused);
 * - log entries, machine status taps, knowledge entries and votes;
 * - storeroom work: part edits, new parts (sometimes with a number that exists: refused), orders
 *   created and received (receiving a fully received order: refused).
 *
 * A command the tablet's role may not run is never recorded (the tablet refuses it before the
 * outbox, as its screens do), so every refusal in a run is the server's.
 */

interface Snapshot {
  parts: { id: string; part_number: string; location: string | null; name: string }[];
  equipment: { id: string }[];
  tasks: { id: string; status: string; title: string; priority: number }[];
  orders: { id: string; quantity_ordered: number; quantity_received: number }[];
  knowledge: { id: string }[];
}

/** How often each kind of command is picked (before the role filter). */
const WEIGHTS: readonly (readonly [Kind, number])[] = [
  ['stock.used', 18], ['stock.received', 6], ['stock.adjust', 4], ['stock.count', 4],
  ['task.create', 6], ['task.update', 8], ['task.setStatus', 8], ['task.complete', 4],
  ['log.add', 8], ['equipment.setStatus', 4], ['knowledge.add', 2], ['knowledge.vote', 4],
  ['part.update', 6], ['part.create', 3], ['order.create', 3], ['order.receive', 6],
];

type Kind =
  | 'stock.used' | 'stock.received' | 'stock.adjust' | 'stock.count'
  | 'task.create' | 'task.update' | 'task.setStatus' | 'task.complete'
  | 'log.add' | 'equipment.setStatus' | 'knowledge.add' | 'knowledge.vote'
  | 'part.update' | 'part.create' | 'order.create' | 'order.receive';

const COMMAND_OF: Record<Kind, CommandName> = {
  'stock.used': 'stock.adjust', 'stock.received': 'stock.adjust', 'stock.adjust': 'stock.adjust', 'stock.count': 'stock.adjust',
  'task.create': 'task.create', 'task.update': 'task.update', 'task.setStatus': 'task.setStatus', 'task.complete': 'task.complete',
  'log.add': 'log.add', 'equipment.setStatus': 'equipment.setStatus', 'knowledge.add': 'knowledge.add', 'knowledge.vote': 'knowledge.vote',
  'part.update': 'part.update', 'part.create': 'part.create', 'order.create': 'order.create', 'order.receive': 'order.receive',
};

/** Local rows are read again after this many commands (cheaper than a query per command, and staler). */
const REFRESH_EVERY = 15;

/** One person working on one tablet; `next()` records one command. */
export class Worker {
  #snapshot: Snapshot | undefined;
  #sinceRefresh = 0;
  #kinds: (readonly [Kind, number])[];

  constructor(
    readonly tablet: ChaosTablet,
    private readonly random: Random,
  ) {
    this.#kinds = WEIGHTS.filter(([kind]) => mayRun(tablet.role, COMMAND_OF[kind]));
  }

  async next(): Promise<void> {
    if (!this.#snapshot || ++this.#sinceRefresh >= REFRESH_EVERY) {
      this.#snapshot = await readSnapshot(this.tablet);
      this.#sinceRefresh = 0;
    }
    const kind = this.random.weighted(this.#kinds);
    await this.#record(kind, this.#snapshot);
  }

  async #record(kind: Kind, s: Snapshot): Promise<void> {
    const r = this.random;
    const t = this.tablet;
    const tag = `${t.name} #${t.recorded.length}`;
    const part = s.parts.length ? r.pick(s.parts) : undefined;
    const task = s.tasks.length ? r.pick(s.tasks) : undefined;
    const machine = s.equipment.length ? r.pick(s.equipment) : undefined;
    switch (kind) {
      case 'stock.used':
        if (part) await t.record('stock.adjust', { reason: 'used', movementId: uuidv7(), partId: part.id, delta: -r.int(1, 4), taskId: task && r.chance(0.3) ? task.id : null });
        return;
      case 'stock.received':
        if (part) await t.record('stock.adjust', { reason: 'received', movementId: uuidv7(), partId: part.id, delta: r.int(1, 12) });
        return;
      case 'stock.adjust':
        if (part) await t.record('stock.adjust', { reason: 'adjust', movementId: uuidv7(), partId: part.id, delta: r.pick([-3, -1, 1, 2, 5]), note: tag });
        return;
      case 'stock.count':
        if (part) await t.record('stock.adjust', { reason: 'count', movementId: uuidv7(), partId: part.id, counted: r.int(0, 40), note: tag });
        return;
      case 'task.create':
        await t.record('task.create', {
          id: uuidv7(), title: `Chaos task ${tag}`, priority: r.int(1, 4), category: r.pick(TASK_CATEGORIES),
          equipmentId: machine && r.chance(0.7) ? machine.id : null,
        });
        return;
      case 'task.update':
        if (!task) return;
        if (r.chance(0.5)) await t.record('task.update', { id: task.id, changes: { priority: 1 + (task.priority % 4) }, base: { priority: task.priority } });
        else await t.record('task.update', { id: task.id, changes: { title: `Edited by ${tag}` }, base: { title: task.title } });
        return;
      case 'task.setStatus':
        // Any status, whatever the task's: moves the state machine forbids are refused by the server.
        if (task) await t.record('task.setStatus', { id: task.id, status: r.pick(['open', 'in_progress', 'on_hold', 'cancelled'] as const), reason: tag });
        return;
      case 'task.complete':
        if (task) {
          await t.record('task.complete', {
            id: task.id, knowledgeId: uuidv7(), problem: `Worn part found by ${tag}`, fix: 'Replaced it and tested under load', lotoConfirmed: true,
          });
        }
        return;
      case 'log.add':
        if (machine) {
          const meter = r.chance(0.3);
          await t.record('log.add', {
            id: uuidv7(), equipmentId: machine.id, kind: meter ? 'meter_reading' : r.pick(['inspection', 'note', 'preventive'] as const),
            body: `Logged by ${tag}`, ...(meter && { meterReading: r.int(0, 20_000) }), hoursSpent: r.decimal(0, 4, 1),
          });
        }
        return;
      case 'equipment.setStatus':
        if (machine) await t.record('equipment.setStatus', { id: machine.id, status: r.pick(['running', 'maintenance', 'down'] as const), note: tag });
        return;
      case 'knowledge.add':
        await t.record('knowledge.add', { id: uuidv7(), problem: `Noise from the drive, seen by ${tag}`, fixSteps: 'Greased the bearing', equipmentId: machine?.id ?? null });
        return;
      case 'knowledge.vote':
        // Voting twice for one entry (another tablet of the same person did) counts once.
        if (s.knowledge.length) await t.record('knowledge.vote', { id: uuidv7(), knowledgeId: r.pick(s.knowledge).id });
        return;
      case 'part.update':
        if (!part) return;
        if (r.chance(0.5)) await t.record('part.update', { id: part.id, changes: { location: `C-${r.int(1, 40)}` }, base: { location: part.location } });
        else await t.record('part.update', { id: part.id, changes: { name: `Part renamed by ${tag}` }, base: { name: part.name } });
        return;
      case 'part.create':
        // One in four reuses a number that exists: the server refuses it, naming the existing part.
        await t.record('part.create', {
          id: uuidv7(),
          partNumber: part && r.chance(0.25) ? part.part_number : `CH-${t.index}-${t.recorded.length}-${r.int(0, 9999)}`,
          name: `Chaos part ${tag}`, location: `D-${r.int(1, 20)}`,
        });
        return;
      case 'order.create':
        if (part) await t.record('order.create', { id: uuidv7(), partId: part.id, orderNumber: `PO-${tag.replace(/\W+/g, '-')}`, quantityOrdered: r.int(1, 10) });
        return;
      case 'order.receive':
        // Often the whole rest at once, so later receipts of the same order are refused.
        if (s.orders.length) {
          const order = r.pick(s.orders);
          const rest = Math.max(1, order.quantity_ordered - order.quantity_received);
          await t.record('order.receive', { id: order.id, movementId: uuidv7(), quantity: r.chance(0.6) ? rest : r.int(1, rest) });
        }
        return;
    }
  }
}

async function readSnapshot(tablet: ChaosTablet): Promise<Snapshot> {
  const q = async <T>(sql: string) => (await tablet.pg.query<T>(sql)).rows;
  return {
    // A bounded sample, in a stable order, so the generator's picks depend on the seed and the data.
    parts: await q(`select id::text, part_number, location, name from parts where deleted_at is null order by id limit 60`),
    equipment: await q(`select id::text from equipment where status <> 'retired' order by id limit 40`),
    tasks: await q(`select id::text, status, title, priority from tasks order by id desc limit 60`),
    orders: await q(`select id::text, quantity_ordered, quantity_received from incoming_orders order by id desc limit 30`),
    knowledge: await q(`select id::text from knowledge order by id desc limit 30`),
  };
}
