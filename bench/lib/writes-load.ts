import type pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { createRandom, type Random } from '../../sync-server/src/seed/random.ts';
import type { BenchTablet, TaskState, WorkingSet } from './writes-setup.ts';

/**
 * The load of `bench/writes.ts`: tablets that each post their commands in batches back-to-back
 * (one request in flight per tablet), through HTTP (`POST /api/mutations`) or — for comparison —
 * as the same transactions in raw SQL on a connection of their own.
 */

export type WriteCommand = 'stock.adjust' | 'task.update';

export interface Envelope {
  mutationId: string;
  name: WriteCommand;
  args: Record<string, unknown>;
  clientTime: string;
}

export interface Outcome {
  mutationId: string;
  status: string;
  code?: string;
}

/**
 * What each tablet sends next. Every command picks a row of the working set at random (a seeded
 * stream per tablet, so the HTTP and the raw run of a configuration make the same picks): with a
 * few hundred rows and 50 tablets, two commands in flight at once meet on a row only sometimes.
 *
 * - stock.adjust: alternately one taken (`used`, -1) and one received (+1).
 * - task.update: a new title and priority, with `base` = the values the tablet last knew: what it
 *   last learned was committed (`seen`, updated whenever any tablet gets a result back, as if the
 *   shapes delivered at once), or its own edit still on its way. So an edit that crosses another
 *   tablet's edit of the same task becomes a conflict (overwritten value kept), as on the floor.
 */
export class Workload {
  readonly #random: Random[];
  readonly #count: number[];
  readonly #mine: Map<string, { mutationId: string; values: TaskState }>[];
  readonly #taskIds: string[];

  constructor(
    readonly command: WriteCommand,
    private readonly set: WorkingSet,
    devices: number,
    seed: number,
  ) {
    this.#random = Array.from({ length: devices }, (_, d) => createRandom(seed * 1_000_003 + d * 7_919 + 1));
    this.#count = new Array<number>(devices).fill(0);
    this.#mine = Array.from({ length: devices }, () => new Map());
    this.#taskIds = [...set.tasks.keys()];
  }

  next(device: number): Envelope {
    const random = this.#random[device]!;
    const n = this.#count[device]!++;
    const mutationId = uuidv7();
    const clientTime = new Date().toISOString();
    if (this.command === 'stock.adjust') {
      const partId = random.pick(this.set.partIds);
      const args = n % 2 === 0 ? { reason: 'used', delta: -1 } : { reason: 'received', delta: 1 };
      return { mutationId, name: 'stock.adjust', args: { ...args, movementId: uuidv7(), partId }, clientTime };
    }
    const id = random.pick(this.#taskIds);
    const mine = this.#mine[device]!;
    const base = mine.get(id)?.values ?? this.set.tasks.get(id)!;
    const values = { title: `Bench task: belt tension, tablet ${device + 1} edit ${n + 1}`, priority: 1 + ((device + n) % 4) };
    mine.set(id, { mutationId, values });
    return { mutationId, name: 'task.update', args: { id, changes: values, base }, clientTime };
  }

  /** The tablet learned the command's result. */
  settled(device: number, envelope: Envelope, outcome: Outcome | undefined): void {
    if (envelope.name !== 'task.update') return;
    const { id, changes } = envelope.args as { id: string; changes: TaskState };
    const mine = this.#mine[device]!;
    if (mine.get(id)?.mutationId === envelope.mutationId) mine.delete(id);
    if (outcome && outcome.status !== 'rejected') this.set.tasks.set(id, changes);
  }
}

/** Sends one batch of one tablet and returns its results, in order. */
export type Transport = (tablet: BenchTablet, envelopes: Envelope[]) => Promise<Outcome[]>;

export interface LoadResult {
  /** Commands that got a result. */
  commands: number;
  seconds: number;
  /** Milliseconds from sending a batch to having its results, every batch. */
  batchLatencies: number[];
  statuses: Map<string, number>;
  /** Batches that failed as a whole (HTTP error, exception), with the first few messages. */
  failedBatches: number;
  errors: string[];
}

/** Every tablet sends `perDevice` commands, `batch` at a time, each batch as soon as the previous one answered. */
export async function runLoad(tablets: BenchTablet[], workload: Workload, perDevice: number, batch: number, transport: Transport): Promise<LoadResult> {
  const batchLatencies: number[] = [];
  const statuses = new Map<string, number>();
  const errors: string[] = [];
  let commands = 0;
  let failedBatches = 0;
  const started = performance.now();
  await Promise.all(
    tablets.map(async (tablet) => {
      for (let sent = 0; sent < perDevice; ) {
        const size = Math.min(batch, perDevice - sent);
        const envelopes = Array.from({ length: size }, () => workload.next(tablet.index));
        sent += size;
        const t0 = performance.now();
        let outcomes: Outcome[];
        try {
          outcomes = await transport(tablet, envelopes);
        } catch (error) {
          failedBatches++;
          if (errors.length < 5) errors.push(`${tablet.username}: ${(error as Error).message}`);
          envelopes.forEach((e) => workload.settled(tablet.index, e, undefined));
          continue;
        }
        batchLatencies.push(performance.now() - t0);
        commands += outcomes.length;
        envelopes.forEach((e, i) => workload.settled(tablet.index, e, outcomes[i]));
        for (const o of outcomes) {
          const key = o.code ? `${o.status} (${o.code})` : o.status;
          statuses.set(key, (statuses.get(key) ?? 0) + 1);
        }
      }
    }),
  );
  return { commands, seconds: (performance.now() - started) / 1000, batchLatencies, statuses, failedBatches, errors };
}

/** `POST /api/mutations` with the tablet's token and device id. */
export function httpTransport(serverUrl: string): Transport {
  const url = `${serverUrl}/api/mutations`;
  return async (tablet, envelopes) => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tablet.token}` },
      body: JSON.stringify({ deviceId: tablet.deviceId, commands: envelopes }),
    });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${text.slice(0, 300)}`);
    return (JSON.parse(text) as { results: Outcome[] }).results;
  };
}

/**
 * The same transactions as the command processor (`sync-server/src/commands/processor.ts` with
 * `handlers/stock.ts`, `field-edit.ts`), statement for statement, each on a connection taken from
 * `pool` for the command (as the processor does): begin; advisory lock on the mutation id; look for a stored result;
 * savepoint; lock the row (select … for update); the change (a ledger insert, whose trigger
 * updates parts.quantity — or an update of the task's changed fields, and a conflict row for
 * each field someone else changed meanwhile); audit_log; mutation_results; commit.
 * No HTTP, no JSON, no validation, no authorisation.
 */
export function rawTransport(pool: pg.Pool): Transport {
  return async (tablet, envelopes) => {
    const outcomes: Outcome[] = [];
    for (const envelope of envelopes) {
      const client = await pool.connect();
      try {
        outcomes.push(await applyRaw(client, tablet, envelope));
      } finally {
        client.release();
      }
    }
    return outcomes;
  };
}

interface RawEffect {
  entity: string;
  entityId: string;
  before: unknown;
  after: unknown;
  status: 'applied' | 'conflict';
  code?: string;
  message?: string;
  details?: Record<string, unknown>;
}

async function applyRaw(tx: pg.PoolClient, tablet: BenchTablet, envelope: Envelope): Promise<Outcome> {
  const { mutationId } = envelope;
  await tx.query('begin');
  try {
    await tx.query('select pg_advisory_xact_lock(hashtextextended($1, 7262021))', [mutationId]);
    const stored = await tx.query<{ status: string; code: string | null }>(
      'select device_id, status, code, message, details from mutation_results where id = $1',
      [mutationId],
    );
    if (stored.rows[0]) {
      await tx.query('commit');
      return { mutationId, status: stored.rows[0].status, ...(stored.rows[0].code && { code: stored.rows[0].code }) };
    }
    await tx.query('savepoint command');
    const effect = envelope.name === 'stock.adjust' ? await rawStock(tx, tablet, envelope) : await rawTaskUpdate(tx, tablet, envelope);
    await tx.query(
      `insert into audit_log (id, site_id, user_id, device_id, command, entity, entity_id, mutation_id, before, after, client_time)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [uuidv7(), tablet.siteId, tablet.userId, tablet.deviceId, envelope.name, effect.entity, effect.entityId, mutationId,
        JSON.stringify(effect.before), JSON.stringify(effect.after), envelope.clientTime],
    );
    await tx.query(
      `insert into mutation_results (id, site_id, device_id, user_id, command, status, code, message, details, entity_id)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [mutationId, tablet.siteId, tablet.deviceId, tablet.userId, envelope.name, effect.status,
        effect.code ?? null, effect.message ?? null, effect.details ? JSON.stringify(effect.details) : null, effect.entityId],
    );
    await tx.query('commit');
    return { mutationId, status: effect.status, ...(effect.code && { code: effect.code }) };
  } catch (error) {
    await tx.query('rollback').catch(() => {});
    throw error;
  }
}

async function lockRow(tx: pg.PoolClient, table: 'parts' | 'tasks', id: string, siteId: string): Promise<Record<string, unknown>> {
  const { rows } = await tx.query(`select * from ${table} where id = $1 and site_id = $2 for update`, [id, siteId]);
  if (!rows[0] || rows[0].deleted_at) throw new Error(`${table} ${id} is missing or deleted`);
  return rows[0] as Record<string, unknown>;
}

async function rawStock(tx: pg.PoolClient, tablet: BenchTablet, envelope: Envelope): Promise<RawEffect> {
  const args = envelope.args as { reason: string; delta: number; movementId: string; partId: string };
  const part = await lockRow(tx, 'parts', args.partId, tablet.siteId);
  const before = Number(part.quantity);
  const { rows } = await tx.query<{ quantity_after: number }>(
    `insert into stock_movements (id, site_id, part_id, delta, reason, task_id, equipment_id, note, author_id, device_id, client_created_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
     returning quantity_after`,
    [args.movementId, tablet.siteId, args.partId, args.delta, args.reason, null, null, null, tablet.userId, tablet.deviceId, envelope.clientTime],
  );
  const after = rows[0]!.quantity_after;
  const effect: RawEffect = {
    entity: 'stock_movements',
    entityId: args.movementId,
    before: { partId: args.partId, quantity: before },
    after: { partId: args.partId, quantity: after, delta: args.delta, reason: args.reason },
    status: 'applied',
  };
  if (after < 0 && before >= 0) {
    await tx.query(
      `insert into conflicts (id, site_id, kind, entity, entity_id, overwritten_value, winning_value, mutation_id, device_id, user_id)
       values ($1, $2, 'stock_discrepancy', 'parts', $3, $4, $5, $6, $7, $8)`,
      [uuidv7(), tablet.siteId, args.partId, JSON.stringify({ quantity: before }), JSON.stringify({ quantity: after, delta: args.delta }),
        envelope.mutationId, tablet.deviceId, tablet.userId],
    );
    return { ...effect, status: 'conflict', code: 'negative_stock', message: `Applied; stock of this part is now ${after}, below zero. The storeroom will check it.` };
  }
  return effect;
}

const TASK_COLUMNS = { title: ['title', 'text'], priority: ['priority', 'int'] } as const;

async function rawTaskUpdate(tx: pg.PoolClient, tablet: BenchTablet, envelope: Envelope): Promise<RawEffect> {
  const edit = envelope.args as { id: string; changes: Record<string, unknown>; base: Record<string, unknown> };
  const row = await lockRow(tx, 'tasks', edit.id, tablet.siteId);
  const before: Record<string, unknown> = {};
  const after: Record<string, unknown> = {};
  const overwritten: { field: string; column: string; was: unknown; now: unknown }[] = [];
  for (const [field, wanted] of Object.entries(edit.changes)) {
    const [column, kind] = TASK_COLUMNS[field as keyof typeof TASK_COLUMNS];
    const current = row[column];
    if (same(current, wanted, kind)) continue;
    if (!same(current, edit.base[field], kind)) overwritten.push({ field, column, was: current, now: wanted });
    before[field] = current;
    after[field] = wanted ?? null;
  }
  const fields = Object.keys(after);
  if (fields.length > 0) {
    const assignments = fields.map((f, i) => `${TASK_COLUMNS[f as keyof typeof TASK_COLUMNS][0]} = $${i + 3}`);
    await tx.query(`update tasks set ${assignments.join(', ')}, updated_by = $2 where id = $1`, [edit.id, tablet.userId, ...fields.map((f) => after[f])]);
  }
  for (const o of overwritten) {
    await tx.query(
      `insert into conflicts (id, site_id, kind, entity, entity_id, field, overwritten_value, winning_value, mutation_id, device_id, user_id)
       values ($1, $2, 'overwritten', $3, $4, $5, $6, $7, $8, $9, $10)`,
      [uuidv7(), tablet.siteId, 'tasks', edit.id, o.column, JSON.stringify(o.was ?? null), JSON.stringify(o.now ?? null),
        envelope.mutationId, tablet.deviceId, tablet.userId],
    );
  }
  return {
    entity: 'tasks',
    entityId: edit.id,
    before,
    after,
    status: overwritten.length > 0 ? 'conflict' : 'applied',
    ...(overwritten.length > 0 && {
      code: 'overwrote_concurrent_edit',
      message: `Applied; it replaced a change someone else made meanwhile to ${overwritten.map((o) => o.field).join(', ')}.`,
      details: { overwritten: overwritten.map((o) => ({ field: o.field, was: o.was ?? null })) },
    }),
  };
}

function same(a: unknown, b: unknown, kind: 'text' | 'int'): boolean {
  const absent = (v: unknown) => v === null || v === undefined || (kind === 'text' && v === '');
  if (absent(a) || absent(b)) return absent(a) && absent(b);
  return kind === 'int' ? Number(a) === Number(b) : String(a) === String(b);
}

/** The tasks' values as committed now (the tablets' view, refreshed between runs). */
export async function reloadTasks(pool: pg.Pool, set: WorkingSet): Promise<void> {
  const { rows } = await pool.query<{ id: string; title: string; priority: number }>(
    'select id, title, priority from tasks where id = any($1::uuid[])',
    [[...set.tasks.keys()]],
  );
  for (const r of rows) set.tasks.set(r.id, { title: r.title, priority: r.priority });
}
