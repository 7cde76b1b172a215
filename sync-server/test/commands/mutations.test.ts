import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { v7 as uuidv7 } from 'uuid';
import type { CommandInput } from '@cimco/contract';
import type { RunningServer } from '../../src/server.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { changeRights, readJson, startTestServer } from '../support/server.ts';
import { connectTablet, connectTablets, postMutations, type Tablet } from '../support/tablets.ts';

/** The write path's core rules over HTTP, two tablets against one real server (DESIGN.md §4). */
let db: TestDatabase;
let server: RunningServer;

const post = (token: string, body: unknown) => postMutations(server.url, token, body);

async function one<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T> {
  return (await db.pool.query(sql, params)).rows[0] as T;
}

let tech: Tablet;
let tech2: Tablet;
let storeroom: Tablet;
let supervisor: Tablet;
let part: { id: string; quantity: number; name: string; location: string | null };

beforeAll(async () => {
  db = await createTestDatabase();
  server = await startTestServer(db.url, { demo: true });
  [tech, tech2, storeroom, supervisor] = await connectTablets(server.url, ['tech', 'tech2', 'storeroom', 'supervisor']);
  part = await one(`select id, quantity, name, location from parts where quantity >= 5 order by part_number limit 1`);
});
afterAll(async () => {
  await server?.close();
  await db?.drop();
});

describe('POST /api/mutations', () => {
  it('applies a stock movement once, however often the same command is re-posted', async () => {
    const command = { name: 'stock.adjust' as const, mutationId: uuidv7(), args: { reason: 'used', movementId: uuidv7(), partId: part.id, delta: -2 } satisfies CommandInput<'stock.adjust'> };
    const results = await Promise.all([tech.send([command]), tech.send([command]), tech.send([command])]);
    for (const [result] of results) expect(result).toMatchObject({ mutationId: command.mutationId, status: 'applied' });
    const after = await one<{ quantity: number; movements: number; sum: number; audits: number; results: number }>(
      `select p.quantity, (select count(*)::int from stock_movements where part_id = p.id and id = $2) as movements,
              (select sum(delta)::int from stock_movements where part_id = p.id) as sum,
              (select count(*)::int from audit_log where mutation_id = $3) as audits,
              (select count(*)::int from mutation_results where id = $3) as results
         from parts p where p.id = $1`,
      [part.id, command.args.movementId, command.mutationId],
    );
    expect(after).toEqual({ quantity: part.quantity - 2, movements: 1, sum: part.quantity - 2, audits: 1, results: 1 });
    part.quantity -= 2;
  });

  it('keeps negative stock and raises a discrepancy for the storeroom', async () => {
    const [result] = await tech.send([{ name: 'stock.adjust', args: { reason: 'used', movementId: uuidv7(), partId: part.id, delta: -(part.quantity + 3) } }]);
    expect(result).toMatchObject({ status: 'conflict', code: 'negative_stock' });
    expect((await one<{ quantity: number }>('select quantity from parts where id = $1', [part.id])).quantity).toBe(-3);
    expect((await one<{ n: number }>(`select count(*)::int as n from conflicts where kind = 'stock_discrepancy' and entity_id = $1`, [part.id])).n).toBe(1);
    await storeroom.send([{ name: 'stock.adjust', args: { reason: 'count', movementId: uuidv7(), partId: part.id, counted: 7 } }]);
    expect((await one<{ quantity: number }>('select quantity from parts where id = $1', [part.id])).quantity).toBe(7);
    part.quantity = 7;
  });

  it('merges edits of different fields, and keeps the value a later edit of the same field overwrote', async () => {
    const base = { name: part.name, location: part.location, minQuantity: 0 };
    const [a] = await storeroom.send([{ name: 'part.update', args: { id: part.id, changes: { name: 'Renamed by storeroom' }, base: { name: base.name } } }]);
    const [b] = await supervisor.send([{ name: 'part.update', args: { id: part.id, changes: { location: 'Bin Z-9' }, base: { location: base.location } } }]);
    expect([a!.status, b!.status]).toEqual(['applied', 'applied']);
    const [c] = await supervisor.send([{ name: 'part.update', args: { id: part.id, changes: { name: 'Renamed by supervisor' }, base: { name: base.name } } }]);
    expect(c).toMatchObject({ status: 'conflict', code: 'overwrote_concurrent_edit' });
    expect(await one('select name, location from parts where id = $1', [part.id])).toEqual({ name: 'Renamed by supervisor', location: 'Bin Z-9' });
    const conflict = await one<{ id: string; field: string; overwritten_value: unknown }>(
      `select id, field, overwritten_value from conflicts where kind = 'overwritten' and entity_id = $1`,
      [part.id],
    );
    expect(conflict).toMatchObject({ field: 'name', overwritten_value: 'Renamed by storeroom' });
    // One tap restores the overwritten value.
    const [restore] = await supervisor.send([{ name: 'conflict.resolve', args: { id: conflict.id, action: 'restore' } }]);
    expect(restore!.status).toBe('applied');
    expect((await one<{ name: string }>('select name from parts where id = $1', [part.id])).name).toBe('Renamed by storeroom');
  });

  it('refuses completing a task the supervisor cancelled meanwhile, keeping what the technician entered', async () => {
    const taskId = uuidv7();
    await supervisor.send([{ name: 'task.create', args: { id: taskId, title: 'Check hydraulic hose', priority: 3, category: 'hydraulics' } }]);
    await supervisor.send([{ name: 'task.setStatus', args: { id: taskId, status: 'cancelled', reason: 'Duplicate' } }]);
    const [result] = await tech.send([{ name: 'task.complete', args: { id: taskId, knowledgeId: uuidv7(), problem: 'Hose weeping', fix: 'Replaced the hose', lotoConfirmed: true } }]);
    expect(result).toMatchObject({ status: 'rejected', code: 'task_cancelled' });
    const kept = await one<{ winning_value: { fix: string } }>(`select winning_value from conflicts where kind = 'refused' and entity_id = $1`, [taskId]);
    expect(kept.winning_value.fix).toBe('Replaced the hose');
    expect((await one<{ status: string }>('select status from tasks where id = $1', [taskId])).status).toBe('cancelled');
  });

  it('completing twice is a no-op; completion writes one knowledge entry', async () => {
    const taskId = uuidv7();
    await supervisor.send([{ name: 'task.create', args: { id: taskId, title: 'Grease the rotor bearings' } }]);
    const complete = (knowledgeId: string) => ({ name: 'task.complete' as const, args: { id: taskId, knowledgeId, problem: 'Dry bearings', fix: 'Greased', lotoConfirmed: true } });
    const [first] = await tech.send([complete(uuidv7())]);
    const [second] = await tech2.send([complete(uuidv7())]);
    expect(first!.status).toBe('applied');
    expect(second).toMatchObject({ status: 'applied', code: 'already_done' });
    expect((await one<{ n: number }>('select count(*)::int as n from knowledge where task_id = $1', [taskId])).n).toBe(1);
  });

  it('refuses a duplicate part number made offline, naming the existing part', async () => {
    const existing = await one<{ id: string; part_number: string }>('select id, part_number from parts order by part_number limit 1');
    const [result] = await storeroom.send([{ name: 'part.create', args: { id: uuidv7(), partNumber: existing.part_number.toLowerCase(), name: 'Same part, typed again' } }]);
    expect(result).toMatchObject({ status: 'rejected', code: 'duplicate_part_number', details: { existingPartId: existing.id } });
  });

  it('receives an order exactly once: a second full receipt is refused and adds no stock', async () => {
    const orderId = uuidv7();
    await storeroom.send([{ name: 'order.create', args: { id: orderId, partId: part.id, orderNumber: 'PO-TEST-1', quantityOrdered: 4 } }]);
    const receive = () => ({ name: 'order.receive' as const, args: { id: orderId, movementId: uuidv7(), quantity: 4 } });
    const [first] = await storeroom.send([receive()]);
    const [second] = await supervisor.send([receive()]);
    expect(first!.status).toBe('applied');
    expect(second).toMatchObject({ status: 'rejected', code: 'already_received' });
    expect((await one<{ quantity: number }>('select quantity from parts where id = $1', [part.id])).quantity).toBe(part.quantity + 4);
  });

  it('refuses by role, and invalid arguments, as results that write nothing but the result', async () => {
    const before = await one<{ n: number }>('select count(*)::int as n from parts');
    const results = await tech.send([
      { name: 'part.create', args: { id: uuidv7(), partNumber: 'TECH-1', name: 'Not allowed' } },
      { name: 'stock.adjust', args: { reason: 'used', movementId: uuidv7(), partId: part.id, delta: 0 } },
      { name: 'stock.adjust', args: { reason: 'used', movementId: 'nope', partId: part.id, delta: 'two' } },
      { name: 'log.add', args: { id: uuidv7(), equipmentId: uuidv7(), kind: 'repair', body: 'x', lotoConfirmed: false } },
    ]);
    expect(results.map((r) => [r.status, r.code])).toEqual([
      ['rejected', 'forbidden'],
      ['rejected', 'invalid'],
      ['rejected', 'invalid'],
      ['rejected', 'invalid'],
    ]);
    expect(results[2]!.message).toContain('movementId');
    expect((await one<{ n: number }>('select count(*)::int as n from parts')).n).toBe(before.n);
  });

  it('a malformed batch is a 400 naming each bad item, and applies nothing', async () => {
    const good = { mutationId: uuidv7(), name: 'stock.adjust', args: { reason: 'used', movementId: uuidv7(), partId: part.id, delta: -1 }, clientTime: new Date().toISOString() };
    const res = await post(tech.token, { deviceId: tech.deviceId, commands: [good, { name: 'no.such', args: {} }] });
    expect(res.status).toBe(400);
    const body = await readJson(res);
    expect(body.error).toBe('invalid_batch');
    expect(Object.keys(body.fields)).toEqual(expect.arrayContaining(['commands.1.mutationId', 'commands.1.name']));
    expect((await one<{ n: number }>('select count(*)::int as n from mutation_results where id = $1', [good.mutationId])).n).toBe(0);
    const otherDevice = await post(tech.token, { deviceId: tech2.deviceId, commands: [good] });
    expect(otherDevice.status).toBe(403);
  });
});

describe('a changed account takes effect from the next batch, whatever the token says', () => {
  it('a demoted supervisor loses manager commands; a disabled account is refused', async () => {
    const boss = await connectTablet(server.url, 'supervisor');
    const assign = () => [{ mutationId: uuidv7(), name: 'task.assign', args: { id: uuidv7(), assigneeId: null }, clientTime: new Date().toISOString() }];
    await changeRights(server, () => db.pool.query(`update users set role = 'technician' where username = 'supervisor'`));
    // A token issued before the change is not trusted with it: the tablet must renew its session.
    const stale = await postMutations(server.url, boss.token, { deviceId: boss.deviceId, commands: assign() });
    expect(stale.status).toBe(401);
    expect((await readJson(stale)).error).toBe('role_changed');
    const renewed = await connectTablet(server.url, 'supervisor');
    const [result] = await renewed.send([{ name: 'task.assign', args: { id: uuidv7(), assigneeId: null } }]);
    expect(result).toMatchObject({ status: 'rejected', code: 'forbidden' });
    await changeRights(server, () => db.pool.query(`update users set active = false where username = 'supervisor'`));
    const refused = await postMutations(server.url, renewed.token, {
      deviceId: renewed.deviceId,
      commands: [{ mutationId: uuidv7(), name: 'knowledge.vote', args: { id: uuidv7(), knowledgeId: uuidv7() }, clientTime: new Date().toISOString() }],
    });
    expect(refused.status).toBe(401);
    expect((await readJson(refused)).error).toBe('account_disabled');
    await db.pool.query(`update users set role = 'supervisor', active = true where username = 'supervisor'`);
  });
});
