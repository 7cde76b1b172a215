/**
 * Due preventive maintenance on the tablet (client/src/screens/pm/pm-query.ts), from its own rows:
 * a calendar schedule is due on its date and soon within a week; a meter schedule is due once the
 * machine's meter (as the tablet shows it) reaches its reading,
 * soon within a tenth of the interval; deleted schedules and retired machines are left out.
 */
import { v7 as uuidv7 } from 'uuid';
import { beforeAll, describe, expect, it } from 'vitest';
import { PM_SQL, pmParams, type PmRow } from '../../../client/src/screens/pm/pm-query.ts';
import { useLocalDatabase } from '../support/local-database.ts';

describe('preventive maintenance due on the tablet', () => {
  const local = useLocalDatabase();
  const today = '2026-12-06';
  const shredder = uuidv7();
  const loader = uuidv7();
  const retired = uuidv7();

  beforeAll(async () => {
    await local.pg.query(
      `insert into equipment_synced (id, tag, name, type, status, meter, meter_unit) values
         ($1, 'SHR-1', 'Shredder', 'shredder', 'running', 1000, 'hours'),
         ($2, 'LDR-1', 'Loader', 'loader', 'running', 480, 'hours'),
         ($3, 'OLD-1', 'Old baler', 'baler', 'retired', 0, 'hours')`,
      [shredder, loader, retired],
    );
    const pm = (equipment: string, title: string, fields: string, values: unknown[]) =>
      local.pg.query(`insert into pm_schedules_synced (id, equipment_id, title, ${fields}) values ($1, $2, $3, ${values.map((_, i) => `$${i + 4}`).join(', ')})`, [uuidv7(), equipment, title, ...values]);
    await pm(shredder, 'Inspect liners', 'every_days, next_due_on', [30, '2026-12-01']);
    await pm(shredder, 'Check belts', 'every_days, next_due_on', [14, '2026-12-10']);
    await pm(shredder, 'Annual survey', 'every_days, next_due_on', [365, '2027-03-01']);
    await pm(shredder, 'Grease rotor', 'every_meter, next_due_meter', [250, 1000]);
    await pm(loader, 'Oil change', 'every_meter, next_due_meter', [250, 500]);
    await pm(loader, 'Filters', 'every_meter, next_due_meter', [500, 1000]);
    await pm(retired, 'Never', 'every_days, next_due_on', [7, '2026-01-01']);
    await local.pg.query(`insert into pm_schedules_synced (id, equipment_id, title, every_days, next_due_on, deleted_at) values ($1, $2, 'Deleted', 7, '2026-01-01', now())`, [uuidv7(), shredder]);
  });

  const list = async (equipment: string | null, dueOnly = false) =>
    (await local.pg.query<PmRow>(PM_SQL, pmParams(today, equipment, dueOnly))).rows.map((r) => [r.tag, r.title, r.due]);

  it('says what is due, soon or planned, due first', async () => {
    expect(await list(shredder)).toEqual([
      ['SHR-1', 'Inspect liners', 'due'],
      ['SHR-1', 'Grease rotor', 'due'],
      ['SHR-1', 'Check belts', 'soon'],
      ['SHR-1', 'Annual survey', 'later'],
    ]);
    expect(await list(loader)).toEqual([
      ['LDR-1', 'Oil change', 'soon'],
      ['LDR-1', 'Filters', 'later'],
    ]);
  });

  it('the dashboard lists what is due or soon on every machine in service', async () => {
    expect(await list(null, true)).toEqual([
      ['SHR-1', 'Inspect liners', 'due'],
      ['SHR-1', 'Grease rotor', 'due'],
      ['SHR-1', 'Check belts', 'soon'],
      ['LDR-1', 'Oil change', 'soon'],
    ]);
  });

  it('the machine\'s meter reaching the reading makes it due at once', async () => {
    await local.pg.query(`update equipment_synced set meter = 500 where id = $1`, [loader]);
    expect((await list(loader))[0]).toEqual(['LDR-1', 'Oil change', 'due']);
  });
});
