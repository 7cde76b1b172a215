import type { TaskCategory } from '@cimco/contract';

/**
 * Preventive maintenance on the tablet: the schedules and whether each is due, from the tablet's
 * own rows, so it shows offline. The server makes the task when one is due (sync-server/src/pm);
 * the tablet only tells.
 *
 * | when      | by calendar                    | by meter                                          |
 * |-----------|--------------------------------|---------------------------------------------------|
 * | `due`     | next due date today or before  | the machine's meter at or past the next reading   |
 * | `soon`    | within SOON_DAYS               | within a tenth of the interval                    |
 * | `later`   | otherwise                      | otherwise                                         |
 */
export type PmWhen = 'due' | 'soon' | 'later';

export const SOON_DAYS = 7;

export interface PmRow {
  id: string;
  equipment_id: string;
  tag: string;
  machine_name: string;
  meter: string | null;
  meter_unit: string | null;
  title: string;
  category: TaskCategory;
  priority: number;
  checklist: string | null;
  every_days: number | null;
  every_meter: string | null;
  next_due_on: string | null;
  next_due_meter: string | null;
  last_task_id: string | null;
  last_task_status: string | null;
  due: PmWhen;
  pending: boolean;
}

/** Parameters: [today (YYYY-MM-DD on the tablet), machine id or null for every machine, due or soon only]. */
export const PM_SQL = `
  select * from (
    select s.id, s.equipment_id, e.tag, e.name as machine_name, e.meter::text as meter, e.meter_unit, s.title, s.category, s.priority,
           s.checklist, s.every_days, s.every_meter::text as every_meter, s.next_due_on::text as next_due_on,
           s.next_due_meter::text as next_due_meter, s.last_task_id, t.status as last_task_status, s.pending,
           case when s.every_days is not null then
                  case when s.next_due_on <= $1::date then 'due' when s.next_due_on <= $1::date + ${SOON_DAYS} then 'soon' else 'later' end
                else
                  case when coalesce(e.meter, 0) >= s.next_due_meter then 'due'
                       when coalesce(e.meter, 0) >= s.next_due_meter - s.every_meter / 10 then 'soon' else 'later' end
           end as due
      from pm_schedules s
      join equipment e on e.id = s.equipment_id
      left join tasks t on t.id = s.last_task_id
     where s.deleted_at is null and e.status <> 'retired'
       and ($2::uuid is null or s.equipment_id = $2::uuid)
  ) pm
   where not $3::boolean or pm.due <> 'later'
   order by case pm.due when 'due' then 0 when 'soon' then 1 else 2 end, pm.next_due_on nulls last, pm.tag, pm.title, pm.id`;

export function pmParams(today: string, equipmentId: string | null, dueOnly = false): unknown[] {
  return [today, equipmentId, dueOnly];
}
