import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { v7 as uuidv7 } from 'uuid';
import type { CommandInput, CommandName, MutationResult, TaskStatus } from '@cimco/contract';
import type { RunningServer } from '../../src/server.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { startTestServer } from '../support/server.ts';
import {
  changedTables,
  connectTablet,
  connectTablets,
  demoYard,
  expectEveryResultRecorded,
  fingerprint,
  one,
  type Tablet,
  type Yard,
} from '../support/tablets.ts';

/**
 * The conflict rules of the write path (DESIGN.md §4, the README's table), each with two tablets
 * sending stale or concurrent commands to one real server: stock movements commute, field edits
 * merge per field, the task state machine, edits of deleted or retired rows, receiving orders,
 * duplicate part numbers, knowledge votes, revoked tablets.
 *
 * After every test, every result the tablets received is checked against `mutation_results` and
 * `audit_log` (support/tablets.ts).
 */
let db: TestDatabase;
let server: RunningServer;
let yard: Yard;
let tech: Tablet;
let tech2: Tablet;
let storeroom: Tablet;
let supervisor: Tablet;
let admin: Tablet;

beforeAll(async () => {
  db = await createTestDatabase();
  server = await startTestServer(db.url, { demo: true });
  [tech, tech2, storeroom, supervisor, admin] = await connectTablets(server.url, ['tech', 'tech2', 'storeroom', 'supervisor', 'admin']);
  yard = await demoYard(db.pool);
});
afterEach(async () => {
  await expectEveryResultRecorded(db.pool);
});
afterAll(async () => {
  await server?.close();
  await db?.drop();
});

const row = <T = Record<string, unknown>>(sql: string, params: unknown[] = []) => one<T>(db.pool, sql, params);
const rows = async <T = Record<string, unknown>>(sql: string, params: unknown[] = []) => (await db.pool.query(sql, params)).rows as T[];
const quantityOf = async (partId: string) => (await row<{ quantity: number }>('select quantity from parts where id = $1', [partId])).quantity;
/** Results in a stable order, for outcomes of concurrent commands whose order the server decides. */
const outcomes = (results: MutationResult[]) => results.map((r) => [r.status, r.code ?? null].join(' ').trim()).sort();

/** What a refused command left: its result, and what the user entered kept in `conflicts`. */
async function expectRefusedAndKept(result: MutationResult, code: string, entity: string, entityId: string, args: unknown) {
  expect(result, JSON.stringify(result)).toMatchObject({ status: 'rejected', code });
  expect(result.message).toBeTruthy();
  expect(await rows('select kind, entity, entity_id, status, winning_value from conflicts where mutation_id = $1', [result.mutationId]))
    .toEqual([{ kind: 'refused', entity, entity_id: entityId, status: 'open', winning_value: args }]);
}

// ---------------------------------------------------------------------------------------------

describe('stock movements commute', () => {
  it('takes and receipts posted at once from two tablets all apply: quantity = start + Σ deltas', async () => {
    const part = await yard.part({ quantity: 50 });
    const take = (delta: number) => ({ name: 'stock.adjust' as const, args: { reason: 'used', movementId: uuidv7(), partId: part.id, delta } });
    const batches = [
      tech.send([take(-1), take(-2)]),
      tech2.send([take(-3)]),
      storeroom.send([{ name: 'stock.adjust', args: { reason: 'received', movementId: uuidv7(), partId: part.id, delta: 10 } }]),
      tech.send([take(-4)]),
      tech2.send([take(-5), take(-6)]),
    ];
    const results = (await Promise.all(batches)).flat();
    expect(results.map((r) => r.status)).toEqual(Array(7).fill('applied'));
    expect(await quantityOf(part.id)).toBe(50 - 21 + 10);
    expect(await row('select count(*)::int as movements, sum(delta)::int as total from stock_movements where part_id = $1', [part.id]))
      .toEqual({ movements: 8, total: 39 });
  });

  it('two technicians take the last two at once: both kept, stock goes negative, one discrepancy for the storeroom', async () => {
    const part = await yard.part({ quantity: 2 });
    // Both tablets showed 2 on the shelf.
    const [[a], [b]] = await Promise.all([
      tech.send([{ name: 'stock.adjust', args: { reason: 'used', movementId: uuidv7(), partId: part.id, delta: -2 } }]),
      tech2.send([{ name: 'stock.adjust', args: { reason: 'used', movementId: uuidv7(), partId: part.id, delta: -2 } }]),
    ]);
    expect(outcomes([a!, b!])).toEqual(['applied', 'conflict negative_stock']);
    const later = [a!, b!].find((r) => r.status === 'conflict')!;
    expect(later.message).toContain('-2');
    expect(await quantityOf(part.id)).toBe(-2);
    const discrepancies = await rows('select kind, status, mutation_id, device_id, overwritten_value, winning_value from conflicts where entity_id = $1', [part.id]);
    expect(discrepancies).toEqual([{
      kind: 'stock_discrepancy', status: 'open', mutation_id: later.mutationId,
      device_id: later === a ? tech.deviceId : tech2.deviceId, overwritten_value: { quantity: 0 }, winning_value: { quantity: -2, delta: -2 },
    }]);

    // Already below zero: a further take is kept too, without a second discrepancy.
    const further = await tech.run('stock.adjust', { reason: 'used', movementId: uuidv7(), partId: part.id, delta: -1 });
    expect(further.status).toBe('applied');
    expect(await quantityOf(part.id)).toBe(-3);
    expect(await rows('select 1 from conflicts where entity_id = $1', [part.id])).toHaveLength(1);

    // The storeroom counts the shelf: the count records the difference.
    const count = await storeroom.run('stock.adjust', { reason: 'count', movementId: uuidv7(), partId: part.id, counted: 4 });
    expect(count.status).toBe('applied');
    expect(await quantityOf(part.id)).toBe(4);
    expect(await row('select delta, quantity_after from stock_movements where id = (select entity_id from mutation_results where id = $1)', [count.mutationId]))
      .toEqual({ delta: 7, quantity_after: 4 });
  });

  it('a count posted while a take is in flight records what was counted, and the ledger still sums to the quantity', async () => {
    const part = await yard.part({ quantity: 5 });
    const countId = uuidv7();
    const [[take], [count]] = await Promise.all([
      tech.send([{ name: 'stock.adjust', args: { reason: 'used', movementId: uuidv7(), partId: part.id, delta: -3 } }]),
      storeroom.send([{ name: 'stock.adjust', args: { reason: 'count', movementId: countId, partId: part.id, counted: 10 } }]),
    ]);
    expect([take!.status, count!.status]).toEqual(['applied', 'applied']);
    const quantity = await quantityOf(part.id);
    // Count first: 10 - 3 = 7; take first: 2, then counted 10.
    expect([7, 10]).toContain(quantity);
    expect(await row('select quantity_after from stock_movements where id = $1', [countId])).toEqual({ quantity_after: 10 });
    expect(await row('select sum(delta)::int as total from stock_movements where part_id = $1', [part.id])).toEqual({ total: quantity });
  });
});

// ---------------------------------------------------------------------------------------------

describe('field edits merge per field', () => {
  it('edits of different fields from two tablets, on the same base and at once, both apply', async () => {
    const part = await yard.part({ location: 'A-01' });
    const [[a], [b]] = await Promise.all([
      storeroom.send([{ name: 'part.update', args: { id: part.id, changes: { name: 'Idler, 5 in' }, base: { name: part.name } } }]),
      supervisor.send([{ name: 'part.update', args: { id: part.id, changes: { location: 'B-02', minQuantity: 3 }, base: { location: 'A-01', minQuantity: 0 } } }]),
    ]);
    expect(outcomes([a!, b!])).toEqual(['applied', 'applied']);
    expect(await row('select name, location, min_quantity, version from parts where id = $1', [part.id]))
      .toEqual({ name: 'Idler, 5 in', location: 'B-02', min_quantity: 3, version: 4 });
    expect(await rows('select 1 from conflicts where entity_id = $1', [part.id])).toEqual([]);
  });

  it('the same field edited on two tablets: the later arrival wins, the overwritten value is kept, restorable once', async () => {
    const part = await yard.part();
    const first = await storeroom.run('part.update', { id: part.id, changes: { name: 'Name from the storeroom' }, base: { name: part.name } });
    // The supervisor's tablet still showed the original name.
    const later = await supervisor.run('part.update', { id: part.id, changes: { name: 'Name from the supervisor' }, base: { name: part.name } });
    expect(first.status).toBe('applied');
    expect(later).toMatchObject({
      status: 'conflict', code: 'overwrote_concurrent_edit',
      details: { overwritten: [{ field: 'name', was: 'Name from the storeroom' }] },
    });
    expect(later.message).toContain('name');
    expect(await row('select name from parts where id = $1', [part.id])).toEqual({ name: 'Name from the supervisor' });
    const conflict = await row<{ id: string }>(
      'select id, kind, entity, field, overwritten_value, winning_value, status, device_id, user_id from conflicts where mutation_id = $1',
      [later.mutationId],
    );
    expect(conflict).toMatchObject({
      kind: 'overwritten', entity: 'parts', field: 'name', overwritten_value: 'Name from the storeroom', winning_value: 'Name from the supervisor',
      status: 'open', device_id: supervisor.deviceId, user_id: supervisor.userId,
    });

    const restore = await admin.run('conflict.resolve', { id: conflict.id, action: 'restore' });
    expect(restore).toMatchObject({ status: 'applied' });
    expect(restore.code).toBeUndefined();
    expect(await row('select name, updated_by from parts where id = $1', [part.id])).toEqual({ name: 'Name from the storeroom', updated_by: admin.userId });
    expect(await row('select status, resolved_by from conflicts where id = $1', [conflict.id])).toEqual({ status: 'restored', resolved_by: admin.userId });

    // Resolving it again, from another tablet that had not seen the restore, changes nothing.
    const before = await fingerprint(db.pool);
    const again = await supervisor.run('conflict.resolve', { id: conflict.id, action: 'dismiss' });
    expect(again).toMatchObject({ status: 'applied', code: 'already_resolved' });
    expect(changedTables(before, await fingerprint(db.pool))).toEqual(['audit_log', 'mutation_results']);
  });

  it('the same field edited on two tablets at once: exactly one overwrites the other, and the other value is kept', async () => {
    const part = await yard.part();
    const edit = (tablet: Tablet, name: string) => tablet.send([{ name: 'part.update', args: { id: part.id, changes: { name }, base: { name: part.name } } }]);
    const [[a], [b]] = await Promise.all([edit(storeroom, 'Storeroom name'), edit(supervisor, 'Supervisor name')]);
    expect(outcomes([a!, b!])).toEqual(['applied', 'conflict overwrote_concurrent_edit']);
    const [winner, loser] = a!.status === 'conflict' ? ['Storeroom name', 'Supervisor name'] : ['Supervisor name', 'Storeroom name'];
    expect(await row('select name from parts where id = $1', [part.id])).toEqual({ name: winner });
    expect(await rows('select field, overwritten_value, winning_value from conflicts where entity_id = $1', [part.id]))
      .toEqual([{ field: 'name', overwritten_value: loser, winning_value: winner }]);
  });

  it('fields nobody changed meanwhile apply; the same value entered twice is no conflict and no new version', async () => {
    const part = await yard.part({ location: 'A-01' });
    await storeroom.run('part.update', { id: part.id, changes: { location: 'D-04' }, base: { location: 'A-01' } });
    const { version } = await row<{ version: number }>('select version from parts where id = $1', [part.id]);
    // The supervisor moved it to the same bin, and also changed the name nobody else touched.
    const same = await supervisor.run('part.update', { id: part.id, changes: { location: 'D-04', name: 'Merged name' }, base: { location: 'A-01', name: part.name } });
    expect(same).toMatchObject({ status: 'applied' });
    expect(same.code).toBeUndefined();
    expect(await row('select location, name, version from parts where id = $1', [part.id])).toEqual({ location: 'D-04', name: 'Merged name', version: version + 1 });
    const repeat = await supervisor.run('part.update', { id: part.id, changes: { name: 'Merged name' }, base: { name: part.name } });
    expect(repeat.status).toBe('applied');
    expect(await row('select version from parts where id = $1', [part.id])).toEqual({ version: version + 1 });
    expect(await rows('select 1 from conflicts where entity_id = $1', [part.id])).toEqual([]);
  });

  it('dismissing an overwrite keeps the winning value', async () => {
    const task = await yard.task();
    await tech.run('task.update', { id: task.id, changes: { title: 'Title from tech' }, base: { title: task.title } });
    const later = await tech2.run('task.update', { id: task.id, changes: { title: 'Title from tech2' }, base: { title: task.title } });
    expect(later.status).toBe('conflict');
    const { id } = await row<{ id: string }>('select id from conflicts where mutation_id = $1', [later.mutationId]);
    const dismiss = await supervisor.run('conflict.resolve', { id, action: 'dismiss' });
    expect(dismiss.status).toBe('applied');
    expect(await row('select title from tasks where id = $1', [task.id])).toEqual({ title: 'Title from tech2' });
    expect(await row('select status, resolved_by from conflicts where id = $1', [id])).toEqual({ status: 'dismissed', resolved_by: supervisor.userId });
    // A restore arriving after the dismissal is a no-op too.
    const restore = await admin.run('conflict.resolve', { id, action: 'restore' });
    expect(restore).toMatchObject({ status: 'applied', code: 'already_resolved' });
    expect(await row('select title from tasks where id = $1', [task.id])).toEqual({ title: 'Title from tech2' });
  });

  /** One overwritten field per column type: the restore must bring back exactly the value it had. */
  interface Overwrite {
    what: string;
    command: 'task.update' | 'part.update' | 'order.update' | 'equipment.update';
    editors: () => [Tablet, Tablet];
    table: string;
    column: string;
    make(): Promise<{ id: string; field: string; base: unknown; first: unknown; second: unknown; stored: unknown }>;
  }
  const OVERWRITES: Overwrite[] = [
    {
      what: 'a task due date (date)', command: 'task.update', editors: () => [tech, tech2], table: 'tasks', column: 'due_date',
      make: async () => ({ id: (await yard.task()).id, field: 'dueDate', base: null, first: '2026-12-01', second: '2026-12-31', stored: '2026-12-01' }),
    },
    {
      what: 'a part unit cost (numeric)', command: 'part.update', editors: () => [storeroom, supervisor], table: 'parts', column: 'unit_cost',
      make: async () => ({ id: (await yard.part()).id, field: 'unitCost', base: null, first: 12.5, second: 14, stored: '12.50' }),
    },
    {
      what: 'a part reorder point (integer)', command: 'part.update', editors: () => [storeroom, supervisor], table: 'parts', column: 'min_quantity',
      make: async () => ({ id: (await yard.part()).id, field: 'minQuantity', base: 0, first: 4, second: 9, stored: 4 }),
    },
    {
      what: 'an order expected date (date)', command: 'order.update', editors: () => [storeroom, supervisor], table: 'incoming_orders', column: 'expected_at',
      make: async () => ({ id: (await yard.order()).id, field: 'expectedAt', base: null, first: '2026-11-30', second: '2027-01-15', stored: '2026-11-30' }),
    },
    {
      what: 'a machine parent (uuid)', command: 'equipment.update', editors: () => [supervisor, admin], table: 'equipment', column: 'parent_id',
      make: async () => {
        const [machine, parentA, parentB] = [await yard.equipment(), await yard.equipment(), await yard.equipment()];
        return { id: machine.id, field: 'parentId', base: null, first: parentA.id, second: parentB.id, stored: parentA.id };
      },
    },
    {
      what: 'a machine note cleared by the later edit (text → null)', command: 'equipment.update', editors: () => [supervisor, admin], table: 'equipment', column: 'notes',
      make: async () => ({ id: (await yard.equipment()).id, field: 'notes', base: null, first: 'Guard bolted back on', second: null, stored: 'Guard bolted back on' }),
    },
  ];

  it.each(OVERWRITES)('restores $what exactly as it was', async ({ command, editors, table, column, make }) => {
    const { id, field, base, first, second, stored } = await make();
    const [a, b] = editors();
    const edit = (value: unknown) => ({ name: command, args: { id, changes: { [field]: value }, base: { [field]: base } } });
    const [firstResult] = await a.send([edit(first)]);
    const [secondResult] = await b.send([edit(second)]);
    expect(firstResult!.status).toBe('applied');
    // A cleared note overwrites too (the later arrival wins, whatever it holds).
    expect(secondResult).toMatchObject({ status: 'conflict', code: 'overwrote_concurrent_edit' });
    const conflict = await row<{ id: string; field: string }>('select id, field from conflicts where mutation_id = $1', [secondResult!.mutationId]);
    expect(conflict.field).toBe(column);
    const restore = await supervisor.run('conflict.resolve', { id: conflict.id, action: 'restore' });
    expect(restore.status).toBe('applied');
    expect(await row(`select ${column} as value from ${table} where id = $1`, [id])).toEqual({ value: stored });
  });
});

// ---------------------------------------------------------------------------------------------

describe('the task state machine', () => {
  /** Brings a new task to `status` with commands from the supervisor's tablet. */
  async function taskIn(status: TaskStatus): Promise<string> {
    const id = uuidv7();
    await supervisor.run('task.create', { id, title: `Task to be ${status}` });
    if (status === 'done') {
      await supervisor.run('task.complete', { id, knowledgeId: uuidv7(), problem: 'Loose guard', fix: 'Bolted it', lotoConfirmed: true });
    } else if (status !== 'open') {
      await supervisor.run('task.setStatus', { id, status });
    }
    expect(await row('select status from tasks where id = $1', [id])).toEqual({ status });
    return id;
  }

  const ILLEGAL: [from: TaskStatus, to: 'in_progress' | 'on_hold' | 'cancelled', message: string][] = [
    ['done', 'in_progress', 'A done task cannot be set to in progress.'],
    ['done', 'on_hold', 'A done task cannot be set to on hold.'],
    ['done', 'cancelled', 'A done task cannot be set to cancelled.'],
    ['cancelled', 'in_progress', 'A cancelled task cannot be set to in progress.'],
    ['cancelled', 'on_hold', 'A cancelled task cannot be set to on hold.'],
  ];

  it.each(ILLEGAL)('refuses %s → %s sent by a stale tablet, with the reason, keeping what was sent', async (from, to, message) => {
    const id = await taskIn(from);
    const before = await fingerprint(db.pool);
    const args = { id, status: to, reason: 'Starting on it' };
    const result = await tech.run('task.setStatus', args);
    expect(result).toMatchObject({ message, details: { from, to } });
    await expectRefusedAndKept(result, 'illegal_transition', 'tasks', id, args);
    expect(changedTables(before, await fingerprint(db.pool))).toEqual(['conflicts', 'mutation_results']);
  });

  it('allows open → in progress → on hold → in progress → done → reopened → cancelled → reopened', async () => {
    const id = await taskIn('open');
    const set = (status: 'open' | 'in_progress' | 'on_hold' | 'cancelled') => tech.run('task.setStatus', { id, status });
    const results = [
      await set('in_progress'),
      await set('on_hold'),
      await tech2.run('task.setStatus', { id, status: 'in_progress' }),
      await tech.run('task.complete', { id, knowledgeId: uuidv7(), problem: 'Worn chain', fix: 'New chain', lotoConfirmed: true }),
      await set('open'),
    ];
    expect(await row('select status, completed_at, completed_by from tasks where id = $1', [id])).toEqual({ status: 'open', completed_at: null, completed_by: null });
    results.push(await supervisor.run('task.setStatus', { id, status: 'cancelled', reason: 'Machine sold' }), await set('open'));
    expect(results.map((r) => r.status)).toEqual(Array(7).fill('applied'));
    expect(await row('select status, cancelled_reason from tasks where id = $1', [id])).toEqual({ status: 'open', cancelled_reason: null });
  });

  it('setting the status a task already has is a no-op', async () => {
    const id = await taskIn('in_progress');
    const { version } = await row<{ version: number }>('select version from tasks where id = $1', [id]);
    const [a, b] = await Promise.all([tech.run('task.setStatus', { id, status: 'in_progress' }), tech2.run('task.setStatus', { id, status: 'in_progress' })]);
    expect([a.status, b.status]).toEqual(['applied', 'applied']);
    expect(await row('select version from tasks where id = $1', [id])).toEqual({ version });
  });

  it('completing a task the supervisor cancelled meanwhile is refused with the reason; the notes are kept', async () => {
    const id = await taskIn('open');
    await supervisor.run('task.setStatus', { id, status: 'cancelled', reason: 'Duplicate of another task' });
    const args = { id, knowledgeId: uuidv7(), problem: 'Hose weeping', cause: 'Chafed on the frame', fix: 'Replaced and clamped the hose', lotoConfirmed: true };
    const result = await tech.run('task.complete', args);
    expect(result.message).toContain('cancelled');
    await expectRefusedAndKept(result, 'task_cancelled', 'tasks', id, args);
    expect(await row('select status, completed_at from tasks where id = $1', [id])).toEqual({ status: 'cancelled', completed_at: null });
    expect(await rows('select 1 from knowledge where id = $1', [args.knowledgeId])).toEqual([]);
  });

  it('completion and cancellation at once: exactly one applies, the other is refused, and the task is consistent', async () => {
    const id = await taskIn('in_progress');
    const knowledgeId = uuidv7();
    const [complete, cancel] = await Promise.all([
      tech.run('task.complete', { id, knowledgeId, problem: 'Cracked weld', fix: 'Re-welded the bracket', lotoConfirmed: true }),
      supervisor.run('task.setStatus', { id, status: 'cancelled', reason: 'Not needed' }),
    ]);
    const { status } = await row<{ status: string }>('select status from tasks where id = $1', [id]);
    if (complete.status === 'applied') {
      expect(cancel).toMatchObject({ status: 'rejected', code: 'illegal_transition' });
      expect(status).toBe('done');
      expect(await rows('select 1 from knowledge where id = $1', [knowledgeId])).toHaveLength(1);
    } else {
      expect(complete).toMatchObject({ status: 'rejected', code: 'task_cancelled' });
      expect(cancel.status).toBe('applied');
      expect(status).toBe('cancelled');
      expect(await rows('select 1 from knowledge where id = $1', [knowledgeId])).toEqual([]);
    }
  });

  it('completing twice from two tablets at once: one completion and one knowledge entry, the other a no-op', async () => {
    const id = await taskIn('in_progress');
    const complete = (tablet: Tablet) => tablet.run('task.complete', { id, knowledgeId: uuidv7(), problem: 'Dry bearings', fix: `Greased (${tablet.username})`, lotoConfirmed: true });
    const [a, b] = await Promise.all([complete(tech), complete(tech2)]);
    expect(outcomes([a, b])).toEqual(['applied', 'applied already_done']);
    const winner = a.code === 'already_done' ? tech2 : tech;
    expect(await row('select status, completed_by, resolution from tasks where id = $1', [id]))
      .toEqual({ status: 'done', completed_by: winner.userId, resolution: `Greased (${winner.username})` });
    expect(await rows('select author_id from knowledge where task_id = $1', [id])).toEqual([{ author_id: winner.userId }]);
  });
});

// ---------------------------------------------------------------------------------------------

describe('edits of deleted parts and retired machines are refused and kept', () => {
  const DELETED_PART: { command: CommandName; by: () => Tablet; args: (partId: string, name: string) => Record<string, unknown> }[] = [
    { command: 'part.update', by: () => storeroom, args: (id, name) => ({ id, changes: { name: 'Renamed offline' }, base: { name } }) },
    { command: 'part.move', by: () => storeroom, args: (id) => ({ id, movementId: uuidv7(), location: 'Z-99', from: 'A-01' }) },
    { command: 'stock.adjust', by: () => tech, args: (partId) => ({ reason: 'used', movementId: uuidv7(), partId, delta: -1 }) },
  ];

  it.each(DELETED_PART)('$command of a part deleted meanwhile', async ({ command, by, args: make }) => {
    const part = await yard.part({ quantity: 3 });
    await db.pool.query('update parts set deleted_at = now() where id = $1', [part.id]);
    const before = await fingerprint(db.pool);
    const args = make(part.id, part.name);
    const [result] = await by().send([{ name: command, args }]);
    await expectRefusedAndKept(result!, 'deleted', 'parts', part.id, args);
    expect(result!.message).toContain('deleted');
    expect(changedTables(before, await fingerprint(db.pool))).toEqual(['conflicts', 'mutation_results']);
    expect(await row('select name, location, quantity from parts where id = $1', [part.id])).toEqual({ name: part.name, location: 'A-01', quantity: 3 });
  });

  const RETIRED_MACHINE: { command: CommandName; by: () => Tablet; args: (id: string, name: string) => Record<string, unknown> }[] = [
    { command: 'equipment.update', by: () => admin, args: (id, name) => ({ id, changes: { name: 'Renamed offline' }, base: { name } }) },
    { command: 'equipment.setStatus', by: () => tech, args: (id) => ({ id, status: 'down', note: 'Hydraulic leak' }) },
    { command: 'log.add', by: () => tech2, args: (equipmentId) => ({ id: uuidv7(), equipmentId, kind: 'inspection', body: 'Checked the guards' }) },
  ];

  it.each(RETIRED_MACHINE)('$command of a machine the supervisor retired meanwhile', async ({ command, by, args: make }) => {
    const machine = await yard.equipment();
    expect(await supervisor.run('equipment.retire', { id: machine.id, reason: 'Sold for scrap' })).toMatchObject({ status: 'applied' });
    const before = await fingerprint(db.pool);
    const args = make(machine.id, machine.name);
    const [result] = await by().send([{ name: command, args }]);
    await expectRefusedAndKept(result!, 'retired', 'equipment', machine.id, args);
    expect(changedTables(before, await fingerprint(db.pool))).toEqual(['conflicts', 'mutation_results']);
    expect(await row('select name, status from equipment where id = $1', [machine.id])).toEqual({ name: machine.name, status: 'retired' });
  });

  it('restoring an overwritten value into a part deleted meanwhile is refused too; the conflict stays open', async () => {
    const part = await yard.part();
    await storeroom.run('part.update', { id: part.id, changes: { name: 'First name' }, base: { name: part.name } });
    const later = await supervisor.run('part.update', { id: part.id, changes: { name: 'Second name' }, base: { name: part.name } });
    const { id } = await row<{ id: string }>('select id from conflicts where mutation_id = $1', [later.mutationId]);
    await db.pool.query('update parts set deleted_at = now() where id = $1', [part.id]);
    const args = { id, action: 'restore' as const };
    const restore = await admin.run('conflict.resolve', args);
    await expectRefusedAndKept(restore, 'deleted', 'parts', part.id, args);
    expect(await row('select name from parts where id = $1', [part.id])).toEqual({ name: 'Second name' });
    expect(await row('select status from conflicts where id = $1', [id])).toEqual({ status: 'open' });
  });

  it('changes to an order cancelled meanwhile are refused and kept', async () => {
    const order = await yard.order({ quantityOrdered: 5 });
    await supervisor.run('order.cancel', { id: order.id, reason: 'Wrong part' });
    const update = { id: order.id, changes: { trackingNumber: '1Z-LATE' }, base: { trackingNumber: null } };
    const receive = { id: order.id, movementId: uuidv7(), quantity: 5 };
    const [u, r] = await storeroom.send([{ name: 'order.update', args: update }, { name: 'order.receive', args: receive }]);
    await expectRefusedAndKept(u!, 'cancelled', 'incoming_orders', order.id, update);
    await expectRefusedAndKept(r!, 'cancelled', 'incoming_orders', order.id, receive);
    expect(await quantityOf(order.partId)).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------

describe('receiving orders', () => {
  const receive = (orderId: string, quantity: number) => ({ name: 'order.receive' as const, args: { id: orderId, movementId: uuidv7(), quantity } });
  const receivedMovements = async (orderId: string) =>
    (await row<{ n: number }>(`select count(*)::int as n from stock_movements where order_id = $1 and reason = 'received'`, [orderId])).n;

  it('an order fully received on one tablet is refused on the other: no double stock, the entry kept', async () => {
    const order = await yard.order({ quantityOrdered: 4 });
    const [first] = await storeroom.send([receive(order.id, 4)]);
    const stale = receive(order.id, 4);
    const [second] = await supervisor.send([stale]);
    expect(first!.status).toBe('applied');
    expect(second).toMatchObject({ details: { received: 4, ordered: 4 } });
    await expectRefusedAndKept(second!, 'already_received', 'incoming_orders', order.id, stale.args);
    expect(await quantityOf(order.partId)).toBe(4);
    expect(await receivedMovements(order.id)).toBe(1);
    expect(await row('select status, quantity_received from incoming_orders where id = $1', [order.id])).toEqual({ status: 'received', quantity_received: 4 });
  });

  it('the same delivery received on two tablets at once is counted once', async () => {
    const order = await yard.order({ quantityOrdered: 4 });
    const [[a], [b]] = await Promise.all([storeroom.send([receive(order.id, 4)]), supervisor.send([receive(order.id, 4)])]);
    expect(outcomes([a!, b!])).toEqual(['applied', 'rejected already_received']);
    expect(await quantityOf(order.partId)).toBe(4);
    expect(await receivedMovements(order.id)).toBe(1);
  });

  it('partial receipts from two tablets at once add up', async () => {
    const order = await yard.order({ quantityOrdered: 6 });
    const [[a], [b]] = await Promise.all([storeroom.send([receive(order.id, 2)]), supervisor.send([receive(order.id, 4)])]);
    expect(outcomes([a!, b!])).toEqual(['applied', 'applied']);
    expect(await quantityOf(order.partId)).toBe(6);
    expect(await row('select status, quantity_received from incoming_orders where id = $1', [order.id])).toEqual({ status: 'received', quantity_received: 6 });
  });

  it('over-receiving is applied (it is on the shelf) and flagged; then the order refuses more', async () => {
    const order = await yard.order({ quantityOrdered: 4 });
    const [partial] = await storeroom.send([receive(order.id, 3)]);
    const [over] = await supervisor.send([receive(order.id, 3)]);
    expect(partial!.status).toBe('applied');
    expect(over).toMatchObject({ status: 'conflict', code: 'over_received' });
    expect(await quantityOf(order.partId)).toBe(6);
    expect(await row('select status, quantity_received from incoming_orders where id = $1', [order.id])).toEqual({ status: 'received', quantity_received: 6 });
    expect(await rows('select kind, status, overwritten_value, winning_value from conflicts where mutation_id = $1', [over!.mutationId]))
      .toEqual([{ kind: 'over_received', status: 'open', overwritten_value: { ordered: 4 }, winning_value: { received: 6 } }]);
    const [more] = await storeroom.send([receive(order.id, 1)]);
    expect(more).toMatchObject({ status: 'rejected', code: 'already_received' });
    expect(await quantityOf(order.partId)).toBe(6);
  });

  it('shipped, then received in two deliveries: ordered → shipped → partial → received, stock up by what arrived', async () => {
    const order = await yard.order({ quantityOrdered: 10 });
    const ship = { id: order.id, trackingNumber: '1Z-SHIP-1' };
    expect(await storeroom.run('order.ship', ship)).toMatchObject({ status: 'applied' });
    expect(await row('select status, tracking_number from incoming_orders where id = $1', [order.id])).toEqual({ status: 'shipped', tracking_number: '1Z-SHIP-1' });
    // Marked again (another tablet, offline) without a number: nothing changes, the number stays.
    expect(await supervisor.run('order.ship', { id: order.id })).toMatchObject({ status: 'applied' });
    expect(await row('select status, tracking_number from incoming_orders where id = $1', [order.id])).toEqual({ status: 'shipped', tracking_number: '1Z-SHIP-1' });
    const [[a], [b]] = await Promise.all([storeroom.send([receive(order.id, 4)]), supervisor.send([receive(order.id, 6)])]);
    expect(outcomes([a!, b!])).toEqual(['applied', 'applied']);
    expect(await quantityOf(order.partId)).toBe(10);
    expect(await receivedMovements(order.id)).toBe(2);
    expect(await row('select status, quantity_received from incoming_orders where id = $1', [order.id])).toEqual({ status: 'received', quantity_received: 10 });
    const third = receive(order.id, 1);
    const [refused] = await storeroom.send([third]);
    await expectRefusedAndKept(refused!, 'already_received', 'incoming_orders', order.id, third.args);
    expect(refused).toMatchObject({ details: { received: 10, ordered: 10 } });
    expect(await quantityOf(order.partId)).toBe(10);
  });

  it('marking shipped keeps a partial order partial, and is refused for a received or cancelled order', async () => {
    const partial = await yard.order({ quantityOrdered: 5 });
    await storeroom.send([receive(partial.id, 2)]);
    expect(await storeroom.run('order.ship', { id: partial.id, trackingNumber: 'REST-1' })).toMatchObject({ status: 'applied' });
    expect(await row('select status, tracking_number from incoming_orders where id = $1', [partial.id])).toEqual({ status: 'partial', tracking_number: 'REST-1' });

    const received = await yard.order({ quantityOrdered: 2 });
    await storeroom.send([receive(received.id, 2)]);
    const shipReceived = { id: received.id, trackingNumber: 'LATE-1' };
    await expectRefusedAndKept(await storeroom.run('order.ship', shipReceived), 'already_received', 'incoming_orders', received.id, shipReceived);
    expect(await row('select status, tracking_number from incoming_orders where id = $1', [received.id])).toEqual({ status: 'received', tracking_number: null });

    const cancelled = await yard.order({ quantityOrdered: 2 });
    await supervisor.run('order.cancel', { id: cancelled.id, reason: 'Wrong part' });
    const shipCancelled = { id: cancelled.id };
    await expectRefusedAndKept(await storeroom.run('order.ship', shipCancelled), 'cancelled', 'incoming_orders', cancelled.id, shipCancelled);
    expect(await row('select status from incoming_orders where id = $1', [cancelled.id])).toEqual({ status: 'cancelled' });
  });
});

// ---------------------------------------------------------------------------------------------

describe('duplicate part numbers (and machine tags, usernames)', () => {
  const create = (partNumber: string): { name: 'part.create'; args: CommandInput<'part.create'> } => ({
    name: 'part.create',
    args: { id: uuidv7(), partNumber, name: `Part ${partNumber}` },
  });
  const partsNumbered = (partNumber: string) => rows<{ id: string }>('select id from parts where upper(part_number) = upper($1)', [partNumber]);

  it('a part number created offline on two tablets: the later one is refused with the existing part', async () => {
    const number = `DUP-${uuidv7().slice(-6)}`;
    const [first] = await storeroom.send([create(number)]);
    const [second] = await supervisor.send([create(number.toLowerCase())]);
    expect(first!.status).toBe('applied');
    const existing = await partsNumbered(number);
    expect(existing).toHaveLength(1);
    expect(second).toMatchObject({ status: 'rejected', code: 'duplicate_part_number', details: { existingPartId: existing[0]!.id, existingPartNumber: number } });
    expect(second!.message).toContain(`Part ${number}`);
  });

  it('the same part number created on two tablets at once: one part, the other refused with its id', async () => {
    // Several races at once, so an unguarded check-then-insert would show.
    const numbers = Array.from({ length: 4 }, (_, i) => `RACE-${i}-${uuidv7().slice(-6)}`);
    const raced = await Promise.all(numbers.map(async (number) => {
      const [[a], [b]] = await Promise.all([storeroom.send([create(number)]), supervisor.send([create(number)])]);
      return { number, results: [a!, b!] };
    }));
    for (const { number, results } of raced) {
      expect(outcomes(results), number).toEqual(['applied', 'rejected duplicate_part_number']);
      const existing = await partsNumbered(number);
      expect(existing).toHaveLength(1);
      expect(results.find((r) => r.status === 'rejected')!.details).toEqual({ existingPartId: existing[0]!.id, existingPartNumber: number, existingName: `Part ${number}` });
    }
  });

  it('renaming a part to a number another part has is refused with that part', async () => {
    const [a, b] = [await yard.part(), await yard.part()];
    const result = await storeroom.run('part.update', { id: b.id, changes: { partNumber: a.partNumber }, base: { partNumber: b.partNumber } });
    expect(result).toMatchObject({ status: 'rejected', code: 'duplicate_part_number', details: { existingPartId: a.id } });
    expect(await row('select part_number from parts where id = $1', [b.id])).toEqual({ part_number: b.partNumber });
  });

  it('the same machine tag created on two tablets at once: one machine, the other refused with its id', async () => {
    const tag = `RACE${uuidv7().slice(-6)}`;
    const make = (tablet: Tablet) => tablet.run('equipment.create', { id: uuidv7(), tag, name: `Machine ${tag}`, type: 'pump' });
    const [a, b] = await Promise.all([make(supervisor), make(admin)]);
    expect(outcomes([a, b])).toEqual(['applied', 'rejected duplicate_tag']);
    const machines = await rows<{ id: string }>('select id from equipment where tag = $1', [tag]);
    expect(machines).toHaveLength(1);
    expect([a, b].find((r) => r.status === 'rejected')!.details).toEqual({ existingEquipmentId: machines[0]!.id });
  });

  it('the same username created from two admin tablets at once: one user, the other refused as taken', async () => {
    const username = `race-${uuidv7().slice(-6)}`;
    const otherAdminTablet = await connectTablet(server.url, 'admin');
    const make = (tablet: Tablet) =>
      tablet.run('user.create', { id: uuidv7(), username, displayName: 'Raced Hire', role: 'technician', password: 'long enough password' });
    const [a, b] = await Promise.all([make(admin), make(otherAdminTablet)]);
    expect(outcomes([a, b])).toEqual(['applied', 'rejected duplicate_username']);
    expect(await rows('select 1 from users where username = $1', [username])).toHaveLength(1);
  });
});

// ---------------------------------------------------------------------------------------------

describe('knowledge votes', () => {
  it("a person's vote counts once, even sent from two of their tablets at once", async () => {
    const { id: knowledgeId } = await yard.knowledge();
    const techElsewhere = await connectTablet(server.url, 'tech');
    const vote = (tablet: Tablet) => tablet.run('knowledge.vote', { id: uuidv7(), knowledgeId });
    const [a, b] = await Promise.all([vote(tech), vote(techElsewhere)]);
    expect(outcomes([a, b])).toEqual(['applied', 'applied already_voted']);
    expect(await row('select helpful_votes from knowledge where id = $1', [knowledgeId])).toEqual({ helpful_votes: 1 });
    expect(await rows('select user_id from knowledge_votes where knowledge_id = $1', [knowledgeId])).toEqual([{ user_id: tech.userId }]);

    // Another person's vote counts.
    expect(await vote(tech2)).toMatchObject({ status: 'applied' });
    expect(await row('select helpful_votes from knowledge where id = $1', [knowledgeId])).toEqual({ helpful_votes: 2 });
  });
});

// ---------------------------------------------------------------------------------------------

describe('revoking a tablet', () => {
  it("stops that tablet: its next batch is a 403 and writes nothing; the user's other tablet goes on", async () => {
    const lost = await connectTablet(server.url, 'tech');
    const part = await yard.part({ quantity: 5 });
    expect(await lost.run('stock.adjust', { reason: 'used', movementId: uuidv7(), partId: part.id, delta: -1 })).toMatchObject({ status: 'applied' });

    expect(await admin.run('device.revoke', { id: lost.deviceId })).toMatchObject({ status: 'applied' });
    expect(await row('select revoked_by from devices where id = $1', [lost.deviceId])).toEqual({ revoked_by: admin.userId });

    const before = await fingerprint(db.pool);
    const mutationId = uuidv7();
    const res = await lost.post({
      deviceId: lost.deviceId,
      commands: [{ mutationId, name: 'stock.adjust', args: { reason: 'used', movementId: uuidv7(), partId: part.id, delta: -1 }, clientTime: new Date().toISOString() }],
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: 'device_revoked' });
    expect(changedTables(before, await fingerprint(db.pool))).toEqual([]);
    expect(await quantityOf(part.id)).toBe(4);

    expect(await tech.run('stock.adjust', { reason: 'used', movementId: uuidv7(), partId: part.id, delta: -1 })).toMatchObject({ status: 'applied' });
    expect(await quantityOf(part.id)).toBe(3);

    // Revoking it again (a second admin tablet that had not synced) changes nothing.
    const { revoked_at } = await row<{ revoked_at: Date }>('select revoked_at from devices where id = $1', [lost.deviceId]);
    expect(await supervisor.run('device.revoke', { id: lost.deviceId })).toMatchObject({ status: 'rejected', code: 'forbidden' });
    expect(await admin.run('device.revoke', { id: lost.deviceId })).toMatchObject({ status: 'applied' });
    expect(await row('select revoked_at from devices where id = $1', [lost.deviceId])).toEqual({ revoked_at });
  });
});

// ---------------------------------------------------------------------------------------------

describe('results and audit', () => {
  it("audits an edit made offline with the tablet's clock, the server's clock, and the values before and after", async () => {
    const part = await yard.part();
    const clientTime = new Date(Date.now() - 3 * 3600_000).toISOString();
    const result = await storeroom.run('part.update', { id: part.id, changes: { name: 'Renamed in the yard' }, base: { name: part.name } }, { clientTime });
    expect(result.status).toBe('applied');
    const audit = await row<{ client_time: Date; server_time: Date }>(
      'select user_id, device_id, command, entity, entity_id, before, after, client_time, server_time from audit_log where mutation_id = $1',
      [result.mutationId],
    );
    expect(audit).toMatchObject({
      user_id: storeroom.userId, device_id: storeroom.deviceId, command: 'part.update', entity: 'parts', entity_id: part.id,
      before: { name: part.name }, after: { name: 'Renamed in the yard' },
    });
    expect(audit.client_time.toISOString()).toBe(clientTime);
    expect(audit.server_time.getTime() - audit.client_time.getTime()).toBeGreaterThan(3 * 3600_000 - 60_000);
  });


  it("a mutation id already used by another tablet is refused and leaves the first command's result alone", async () => {
    const part = await yard.part({ quantity: 5 });
    const mutationId = uuidv7();
    const [first] = await tech.send([{ mutationId, name: 'stock.adjust', args: { reason: 'used', movementId: uuidv7(), partId: part.id, delta: -1 } }]);
    const [reused] = await tech2.send([{ mutationId, name: 'stock.adjust', args: { reason: 'used', movementId: uuidv7(), partId: part.id, delta: -2 } }]);
    expect(first!.status).toBe('applied');
    expect(reused).toMatchObject({ status: 'rejected', code: 'duplicate_mutation_id' });
    expect(await quantityOf(part.id)).toBe(4);
    expect(await row('select device_id, status from mutation_results where id = $1', [mutationId])).toEqual({ device_id: tech.deviceId, status: 'applied' });
  });
});
