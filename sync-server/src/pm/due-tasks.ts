import type pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { inTransaction } from '../db/database.ts';
import type { Logger } from '../logger.ts';

/** What making a schedule's task needs of it (a row of pm_schedules, locked by the caller). */
interface DueSchedule {
  id: string;
  site_id: string;
  equipment_id: string;
  title: string;
  category: string;
  priority: number;
  checklist: string | null;
  created_by: string | null;
}

/**
 * Makes the schedule's task (open, on its machine, its checklist as the description) and records it
 * on the schedule and in the audit log as the work of `pm.schedule`, in the caller's transaction.
 * The caller has locked the schedule row and moves its next due date or reading in the same
 * transaction: that pair is what makes each due PM one task.
 */
async function makeTask(tx: pg.PoolClient, schedule: DueSchedule, dueText: string): Promise<string> {
  const id = uuidv7();
  await tx.query(
    `insert into tasks (id, site_id, equipment_id, title, description, priority, category, created_by, updated_by)
     values ($1, $2, $3, $4, $5, $6, $7, null, null)`,
    [id, schedule.site_id, schedule.equipment_id, schedule.title, schedule.checklist, schedule.priority, schedule.category],
  );
  await tx.query('update pm_schedules set last_task_id = $2, last_made_at = now() where id = $1', [schedule.id, id]);
  await tx.query(
    `insert into audit_log (id, site_id, command, entity, entity_id, after)
     values ($1, $2, 'pm.schedule', 'tasks', $3, $4)`,
    [uuidv7(), schedule.site_id, id, { scheduleId: schedule.id, title: schedule.title, due: dueText }],
  );
  return id;
}

/**
 * The meter schedules of a machine that its meter (now `meter`) has reached: a task each, and the
 * next due reading moved to the first multiple of the interval past the meter. Run in the
 * transaction of the log entry that moved the meter, after the machine's row is locked.
 */
export async function makeMeterTasks(tx: pg.PoolClient, equipmentId: string, meter: number): Promise<string[]> {
  const { rows } = await tx.query<DueSchedule & { next_due_meter: string }>(
    `select * from pm_schedules
      where equipment_id = $1 and every_meter is not null and deleted_at is null and next_due_meter <= $2
      order by id for update`,
    [equipmentId, meter],
  );
  const made: string[] = [];
  for (const schedule of rows) {
    made.push(await makeTask(tx, schedule, `meter ${schedule.next_due_meter}`));
    await tx.query(
      `update pm_schedules
          set next_due_meter = next_due_meter + every_meter * (floor(($2 - next_due_meter) / every_meter) + 1)
        where id = $1`,
      [schedule.id, meter],
    );
  }
  return made;
}

/**
 * The calendar schedules due today or before, on every yard: a task each, and the next due date
 * moved to the first interval past today (after a server was down for three intervals: one task).
 * Rows another process is making are skipped (`skip locked`), and its commit moves them past
 * today, so a due schedule makes one task whichever processes run this and when.
 */
export async function makeCalendarTasks(pool: pg.Pool, limit = 200): Promise<number> {
  return inTransaction(pool, async (tx) => {
    const { rows } = await tx.query<DueSchedule & { due_on: string }>(
      `select *, next_due_on::text as due_on from pm_schedules
        where every_days is not null and deleted_at is null and next_due_on <= current_date
        order by next_due_on, id limit $1 for update skip locked`,
      [limit],
    );
    for (const schedule of rows) {
      await makeTask(tx, schedule, schedule.due_on);
      await tx.query(
        `update pm_schedules
            set next_due_on = next_due_on + every_days * ((current_date - next_due_on) / every_days + 1)
          where id = $1`,
        [schedule.id],
      );
    }
    return rows.length;
  });
}

/** Every server process looks for due calendar PM at start and then every `everyMs`. */
export function startCalendarJob(pool: pg.Pool, logger: Logger, onMade: () => void = () => {}, everyMs = 60_000): { stop(): Promise<void> } {
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const run = () => {
    running = running.then(async () => {
      if (stopped) return;
      try {
        const made = await makeCalendarTasks(pool);
        if (made > 0) {
          logger.info({ made }, 'preventive maintenance due: tasks made');
          onMade();
        }
      } catch (error) {
        logger.warn({ err: (error as Error).message }, 'preventive maintenance could not be checked; trying again later');
      }
    });
  };
  run();
  const timer = setInterval(run, everyMs);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
