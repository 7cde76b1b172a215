import type { EquipmentStatus, TaskStatus } from '@cimco/contract';

/** A machine as the equipment screen shows it (list and detail). */
export interface EquipmentRow {
  id: string;
  tag: string;
  name: string;
  type: string;
  area: string | null;
  make: string | null;
  model: string | null;
  serial: string | null;
  parent_id: string | null;
  status: EquipmentStatus;
  status_changed_at: string | null;
  criticality: number | null;
  meter: string | null;
  meter_unit: string | null;
  notes: string | null;
  pending: boolean;
}

/**
 * Every machine, and every open task on a machine: two queries without parameters, kept live while
 * the screen is open. Search, filters, the tree and the machine's page all work on these rows in
 * memory (setting up a live query per search or per machine would make each one wait).
 */
export const EQUIPMENT_LIST_SQL = `
  select id, tag, name, type, area, make, model, serial, parent_id, status, status_changed_at::text as status_changed_at,
         criticality::int as criticality, meter::text as meter, meter_unit, notes, pending
    from equipment
   order by tag`;

export interface MachineTask {
  id: string;
  equipment_id: string;
  title: string;
  priority: number;
  status: TaskStatus;
  due_date: string | null;
  assignee_name: string | null;
  pending: boolean;
}

export const MACHINE_TASKS_SQL = `
  select t.id, t.equipment_id, t.title, t.priority::int as priority, t.status, t.due_date::text as due_date,
         u.display_name as assignee_name, t.pending
    from tasks t left join users u on u.id = t.assignee_id
   where t.equipment_id is not null and t.status in ('open', 'in_progress', 'on_hold')
   order by t.priority desc, t.due_date asc nulls last, t.created_at asc`;

/** Open tasks per machine id, in the query's order (most urgent first). */
export function tasksByMachine(tasks: readonly MachineTask[]): Map<string, MachineTask[]> {
  const byMachine = new Map<string, MachineTask[]>();
  for (const task of tasks) {
    const list = byMachine.get(task.equipment_id) ?? [];
    list.push(task);
    byMachine.set(task.equipment_id, list);
  }
  return byMachine;
}

/** The statuses a person sets with one tap (retiring is a supervisor's edit, not a tap). */
export const TAP_STATUSES = ['running', 'maintenance', 'down'] as const satisfies readonly EquipmentStatus[];
export type TapStatus = (typeof TAP_STATUSES)[number];

/** '' = everything in service (not retired), 'all' = retired too, or one status. */
export type StatusFilter = '' | 'all' | EquipmentStatus;

export interface EquipmentFilters {
  search: string;
  status: StatusFilter;
  area: string;
}

export interface ShownMachine {
  machine: EquipmentRow;
  /** How many of its ancestors are shown above it (the indentation). */
  depth: number;
  /** Its parent when that is not shown (filtered out), to say what it belongs to. */
  hiddenParent: EquipmentRow | null;
  childCount: number;
}

function matches(machine: EquipmentRow, filters: EquipmentFilters): boolean {
  if (filters.status === '' && machine.status === 'retired') return false;
  if (filters.status !== '' && filters.status !== 'all' && machine.status !== filters.status) return false;
  if (filters.area && machine.area !== filters.area) return false;
  const search = filters.search.trim().toLowerCase();
  if (search && !machine.tag.toLowerCase().includes(search) && !machine.name.toLowerCase().includes(search)) return false;
  return true;
}

/**
 * The machines that pass the filters, in tree order: each parent followed by its components (by
 * tag), indented under the parent when the parent is shown too.
 */
export function shownMachines(rows: readonly EquipmentRow[], filters: EquipmentFilters): ShownMachine[] {
  const byId = new Map(rows.map((row) => [row.id, row]));
  const children = new Map<string | null, EquipmentRow[]>();
  for (const row of rows) {
    const parent = row.parent_id && byId.has(row.parent_id) ? row.parent_id : null;
    const list = children.get(parent) ?? [];
    list.push(row);
    children.set(parent, list);
  }
  for (const list of children.values()) list.sort((a, b) => a.tag.localeCompare(b.tag, undefined, { numeric: true }));

  const shown = new Set(rows.filter((row) => matches(row, filters)).map((row) => row.id));
  const result: ShownMachine[] = [];
  const visited = new Set<string>();
  const walk = (machine: EquipmentRow, shownAncestors: number) => {
    if (visited.has(machine.id)) return; // a parent cycle in bad data: show each machine once
    visited.add(machine.id);
    const isShown = shown.has(machine.id);
    if (isShown) {
      const parent = machine.parent_id ? byId.get(machine.parent_id) ?? null : null;
      result.push({
        machine,
        depth: shownAncestors,
        hiddenParent: parent && !shown.has(parent.id) ? parent : null,
        childCount: children.get(machine.id)?.length ?? 0,
      });
    }
    for (const child of children.get(machine.id) ?? []) walk(child, shownAncestors + (isShown ? 1 : 0));
  };
  for (const root of children.get(null) ?? []) walk(root, 0);
  // Machines only reachable through a cycle.
  for (const row of rows) if (!visited.has(row.id)) walk(row, 0);
  return result;
}

export function statusCounts(rows: readonly EquipmentRow[]): Record<EquipmentStatus, number> {
  const counts: Record<EquipmentStatus, number> = { running: 0, maintenance: 0, down: 0, retired: 0 };
  for (const row of rows) counts[row.status] = (counts[row.status] ?? 0) + 1;
  return counts;
}
