import pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCalendarTasks } from '../../src/pm/due-tasks.ts';
import type { RunningServer } from '../../src/server.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { startTestServer } from '../support/server.ts';
import { connectTablet, one, type Tablet } from '../support/tablets.ts';

/**
 * Preventive maintenance makes each due task exactly once (migrations/0006, src/pm/due-tasks.ts):
 * a meter schedule when log entries cross its reading — sent at the same moment to two server
 * processes on one database — and a calendar schedule when the job of several processes runs at
 * once, also after the server was down for several intervals.
 */
let db: TestDatabase;
const servers: RunningServer[] = [];
let supervisor: Tablet;
const crew: Tablet[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  for (let i = 0; i < 2; i++) servers.push(await startTestServer(db.url, { demo: true }));
  supervisor = await connectTablet(servers[0]!.url, 'supervisor');
  // One technician on each server process.
  crew.push(await connectTablet(servers[0]!.url, 'tech'), await connectTablet(servers[1]!.url, 'tech2'));
});
afterAll(async () => {
  for (const server of servers) await server.close();
  await db?.drop();
});

async function machine(): Promise<{ id: string; meter: number }> {
  const row = await one<{ id: string; meter: string | null }>(
    db.pool,
    `select id, meter from equipment where status = 'running' and id not in (select equipment_id from pm_schedules) order by tag limit 1`,
  );
  return { id: row.id, meter: Number(row.meter ?? 0) };
}

const tasksOf = async (scheduleTitle: string) =>
  (await db.pool.query<{ id: string; equipment_id: string; category: string; priority: number; description: string | null; status: string }>(
    'select id, equipment_id, category, priority, description, status from tasks where title = $1',
    [scheduleTitle],
  )).rows;

describe('preventive maintenance by meter', () => {
  it('makes one task when log entries on two server processes cross the reading at once, and moves the next reading past the meter', async () => {
    const { id: equipmentId, meter } = await machine();
    const title = `Grease ${uuidv7().slice(-6)}`;
    const pm = uuidv7();
    expect((await supervisor.run('pm.save', {
      id: pm, equipmentId, title, category: 'lubrication', priority: 3, checklist: 'Four shots each', everyMeter: 100, nextDueMeter: meter + 50,
    })).status).toBe('applied');

    // Below the reading: nothing.
    const log = (tablet: Tablet, reading: number) =>
      tablet.run('log.add', { id: uuidv7(), equipmentId, kind: 'meter_reading', body: '', meterReading: reading });
    expect((await log(crew[0]!, meter + 40)).status).toBe('applied');
    expect(await tasksOf(title)).toEqual([]);

    // Two readings past it, one on each process, at the same moment.
    const results = await Promise.all([log(crew[0]!, meter + 60), log(crew[1]!, meter + 70)]);
    expect(results.map((r) => r.status)).toEqual(['applied', 'applied']);
    const tasks = await tasksOf(title);
    expect(tasks).toEqual([{ id: expect.any(String), equipment_id: equipmentId, category: 'lubrication', priority: 3, description: 'Four shots each', status: 'open' }]);
    expect(await one(db.pool, 'select next_due_meter::float8 as next, last_task_id from pm_schedules where id = $1', [pm])).toEqual({ next: meter + 150, last_task_id: tasks[0]!.id });
    expect(await one(db.pool, `select count(*)::int as n from audit_log where command = 'pm.schedule' and entity_id = $1`, [tasks[0]!.id])).toEqual({ n: 1 });

    // A reading far past several intervals: one task, and the next reading the first interval past the meter.
    expect((await log(crew[1]!, meter + 480)).status).toBe('applied');
    expect(await tasksOf(title)).toHaveLength(2);
    expect(await one(db.pool, 'select next_due_meter::float8 as next from pm_schedules where id = $1', [pm])).toEqual({ next: meter + 550 });

    // Deleted: no more tasks.
    expect((await supervisor.run('pm.delete', { id: pm })).status).toBe('applied');
    expect((await log(crew[0]!, meter + 900)).status).toBe('applied');
    expect(await tasksOf(title)).toHaveLength(2);
  });
});

describe('preventive maintenance by calendar', () => {
  it('makes one task however many processes run the job at once, and one after a downtime of several intervals', async () => {
    const { id: equipmentId } = await machine();
    const title = `Inspect ${uuidv7().slice(-6)}`;
    const pm = uuidv7();
    const today = (await one<{ d: string }>(db.pool, 'select current_date::text as d')).d;
    expect((await supervisor.run('pm.save', {
      id: pm, equipmentId, title, category: 'safety', priority: 2, everyDays: 7, nextDueOn: today,
    })).status).toBe('applied');

    // Four processes' jobs at once (each its own connections, as separate servers have).
    const pools = Array.from({ length: 4 }, () => new pg.Pool({ connectionString: db.url, max: 2 }));
    try {
      await Promise.all(pools.map((pool) => makeCalendarTasks(pool)));
      expect(await tasksOf(title)).toHaveLength(1);
      expect(await one(db.pool, `select (next_due_on - current_date) as days from pm_schedules where id = $1`, [pm])).toEqual({ days: 7 });
      await Promise.all(pools.map((pool) => makeCalendarTasks(pool)));
      expect(await tasksOf(title)).toHaveLength(1);

      // The server was down for three weeks and a bit: one task, next due within the next week.
      await db.pool.query(`update pm_schedules set next_due_on = current_date - 23 where id = $1`, [pm]);
      await Promise.all(pools.map((pool) => makeCalendarTasks(pool)));
      expect(await tasksOf(title)).toHaveLength(2);
      expect(await one(db.pool, `select (next_due_on - current_date) as days from pm_schedules where id = $1`, [pm])).toEqual({ days: 5 });
    } finally {
      await Promise.all(pools.map((pool) => pool.end()));
    }
  });
});
