import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { v7 as uuidv7 } from 'uuid';
import type { RunningServer } from '../../src/server.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { startTestServer } from '../support/server.ts';
import { fetchWholeShape, signIn as shapeSignIn } from '../support/shapes.ts';
import { connectTablet, demoYard, one, type Tablet, type Yard } from '../support/tablets.ts';

/**
 * A machine's status history (migrations/0004): equipment.create, setStatus and retire each write
 * one equipment_status_changes row in their transaction — who, when (the tablet's clock, never
 * later than the server's), from what to what, with the note — and nothing when nothing changed
 * or the command was refused. Every role of the yard receives the rows through its shape, and no
 * other yard's. And log.add with a meter reading moves the machine's meter forward, never back.
 */
let db: TestDatabase;
let server: RunningServer;
let yard: Yard;
let supervisor: Tablet;
let tech: Tablet;

beforeAll(async () => {
  db = await createTestDatabase();
  server = await startTestServer(db.url, { demo: true });
  yard = await demoYard(db.pool);
  supervisor = await connectTablet(server.url, 'supervisor');
  tech = await connectTablet(server.url, 'tech');
});
afterAll(async () => {
  await server?.close();
  await db?.drop();
});

interface ChangeRow {
  id: string;
  status: string;
  previous_status: string | null;
  changed_by: string;
  note: string | null;
  changed_at: Date;
}
const changesOf = async (equipmentId: string) =>
  (await db.pool.query<ChangeRow>(
    'select id, status, previous_status, changed_by, note, changed_at from equipment_status_changes where equipment_id = $1 order by changed_at, created_at',
    [equipmentId],
  )).rows;

describe('equipment status history', () => {
  it('create, status taps and retire each write one row, in the command\'s transaction, with who, when and the note', async () => {
    const id = uuidv7();
    const created = uuidv7();
    expect(await supervisor.run('equipment.create', { id, tag: `HIST${id.slice(-6)}`, name: 'History test conveyor', type: 'conveyor' }, { mutationId: created }))
      .toMatchObject({ status: 'applied' });

    const down = uuidv7();
    expect(await tech.run('equipment.setStatus', { id, status: 'down', note: 'Belt torn' }, { mutationId: down })).toMatchObject({ status: 'applied' });
    // The same status again changes nothing.
    expect(await tech.run('equipment.setStatus', { id, status: 'down' })).toMatchObject({ status: 'applied' });
    const running = uuidv7();
    expect(await tech.run('equipment.setStatus', { id, status: 'running' }, { mutationId: running })).toMatchObject({ status: 'applied' });
    const retired = uuidv7();
    expect(await supervisor.run('equipment.retire', { id, reason: 'Replaced by a new line' }, { mutationId: retired })).toMatchObject({ status: 'applied' });
    // Refused (a retired machine stays retired): no row.
    expect(await tech.run('equipment.setStatus', { id, status: 'down' })).toMatchObject({ status: 'rejected', code: 'retired' });

    const rows = await changesOf(id);
    expect(rows.map(({ id, status, previous_status, changed_by, note }) => ({ id, status, previous_status, changed_by, note }))).toEqual([
      { id: created, status: 'running', previous_status: null, changed_by: supervisor.userId, note: null },
      { id: down, status: 'down', previous_status: 'running', changed_by: tech.userId, note: 'Belt torn' },
      { id: running, status: 'running', previous_status: 'down', changed_by: tech.userId, note: null },
      { id: retired, status: 'retired', previous_status: 'running', changed_by: supervisor.userId, note: 'Replaced by a new line' },
    ]);
  });

  it('a change made offline is dated when it was tapped, never in the future and never before the previous change', async () => {
    const machine = await yard.equipment();
    const threeHoursAgo = new Date(Date.now() - 3 * 3_600_000);
    await db.pool.query('update equipment set status_changed_at = $2 where id = $1', [machine.id, threeHoursAgo]);
    const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();

    // Tapped "down" an hour ago on a tablet without signal: down since then, not since it synced.
    const anHourAgo = hoursAgo(1);
    await tech.run('equipment.setStatus', { id: machine.id, status: 'down' }, { clientTime: anHourAgo });
    // Another tablet's older tap arriving later wins (it arrived last) but is dated after the one before it.
    await supervisor.run('equipment.setStatus', { id: machine.id, status: 'maintenance' }, { clientTime: hoursAgo(2) });
    // A clock running a day ahead does not write the future.
    await tech.run('equipment.setStatus', { id: machine.id, status: 'running' }, { clientTime: new Date(Date.now() + 86_400_000).toISOString() });

    const rows = await changesOf(machine.id);
    expect(rows.map((r) => r.status)).toEqual(['down', 'maintenance', 'running']);
    expect(rows[0]!.changed_at.toISOString()).toBe(anHourAgo);
    expect(rows[1]!.changed_at.toISOString()).toBe(anHourAgo);
    expect(rows[2]!.changed_at.getTime()).toBeLessThanOrEqual(Date.now());
    expect(rows[2]!.changed_at.getTime()).toBeGreaterThan(Date.now() - 60_000);
    // The machine says the same as its history's last row.
    expect(await one(db.pool, 'select status, status_changed_at from equipment where id = $1', [machine.id]))
      .toEqual({ status: 'running', status_changed_at: rows[2]!.changed_at });
  });

  it('a refused create writes no history', async () => {
    const taken = await yard.equipment();
    const id = uuidv7();
    expect(await supervisor.run('equipment.create', { id, tag: taken.tag, name: 'Duplicate', type: 'pump' })).toMatchObject({ status: 'rejected', code: 'duplicate_tag' });
    expect(await changesOf(id)).toEqual([]);
  });

  it('reaches every role of the yard through its shape, and not another yard', async () => {
    const machine = await yard.equipment();
    const mutationId = uuidv7();
    await tech.run('equipment.setStatus', { id: machine.id, status: 'maintenance', note: 'Greasing' }, { mutationId });
    for (const username of ['tech', 'storeroom', 'supervisor', 'admin']) {
      const session = await shapeSignIn(server.url, username);
      const { messages } = await fetchWholeShape(server.url, { table: 'equipment_status_changes' }, session.headers);
      const mine = messages.filter((m) => m.value?.id === mutationId);
      expect(mine, username).toHaveLength(1);
      expect(mine[0]!.value).toMatchObject({ equipment_id: machine.id, status: 'maintenance', previous_status: 'running', changed_by: tech.userId, note: 'Greasing' });
      expect(messages.every((m) => !m.value || m.value.site_id === yard.siteId), username).toBe(true);
    }
  });
});

describe('log.add and the machine meter', () => {
  it('a meter reading moves the meter forward, never back, and the entry is stored once', async () => {
    const machine = await yard.equipment(); // meter 100
    const id = uuidv7();
    const mutationId = uuidv7();
    const entry = { id, equipmentId: machine.id, kind: 'meter_reading' as const, meterReading: 1520.5, body: 'Hour meter' };
    expect(await tech.run('log.add', entry, { mutationId })).toMatchObject({ status: 'applied' });
    // The same command again (a retry after a lost answer): stored once.
    expect(await tech.run('log.add', entry, { mutationId })).toMatchObject({ status: 'applied' });
    expect(await one(db.pool, 'select count(*)::int as n from logs where id = $1', [id])).toEqual({ n: 1 });
    expect(await one(db.pool, 'select meter from equipment where id = $1', [machine.id])).toEqual({ meter: '1520.5' });

    // A lower reading (a typo, or a late tablet) is logged but does not wind the meter back.
    expect(await tech.run('log.add', { id: uuidv7(), equipmentId: machine.id, kind: 'meter_reading', meterReading: 900 })).toMatchObject({ status: 'applied' });
    expect(await one(db.pool, 'select meter from equipment where id = $1', [machine.id])).toEqual({ meter: '1520.5' });
  });
});
