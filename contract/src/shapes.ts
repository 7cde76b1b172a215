import type { Role } from './roles.ts';
import type { SyncedTable } from './tables.ts';

/**
 * Who may read which table, and which of its rows: the one definition of read visibility. The
 * server builds every read from it — each shape's filter (a client's own `where` can only narrow
 * it), each CSV export, the audit log API — and the tablet subscribes to the tables its role may
 * read. Scopes:
 * - `site`: rows of the caller's yard;
 * - `own-commands`: rows of the caller's yard sent by the caller, from the tablet they are signed
 *   in on (command results: a shared tablet shows each person only their own);
 * - `the-site-row`: the caller's own `sites` row.
 * `selfOnly` roles further get only rows whose `user_id` is themselves (a technician's conflicts).
 */
export type ShapeScope = 'site' | 'own-commands' | 'the-site-row';

export interface ShapeRule {
  roles: readonly Role[];
  scope: ShapeScope;
  /** Roles that only get rows where `user_id` is themselves (e.g. a technician's own conflicts). */
  selfOnly?: readonly Role[];
  /** Columns never sent to tablets. */
  hiddenColumns?: readonly string[];
}

const EVERYONE: readonly Role[] = ['technician', 'storeroom', 'supervisor', 'admin'];

export const SHAPE_RULES: Record<SyncedTable, ShapeRule> = {
  sites: { roles: EVERYONE, scope: 'the-site-row', hiddenColumns: ['training_for', 'retired_at'] },
  users: { roles: EVERYONE, scope: 'site', hiddenColumns: ['password_hash'] },
  equipment: { roles: EVERYONE, scope: 'site' },
  // A machine's status history (who set it to what, when): the machine page's timeline and downtime.
  equipment_status_changes: { roles: EVERYONE, scope: 'site' },
  tasks: { roles: EVERYONE, scope: 'site' },
  // The yard's task templates: anyone on the crew makes a task from one, offline.
  task_templates: { roles: EVERYONE, scope: 'site' },
  // Preventive maintenance schedules: due and overdue PM on the dashboard and machine pages.
  pm_schedules: { roles: EVERYONE, scope: 'site' },
  logs: { roles: EVERYONE, scope: 'site' },
  parts: { roles: EVERYONE, scope: 'site' },
  stock_movements: { roles: EVERYONE, scope: 'site' },
  incoming_orders: { roles: EVERYONE, scope: 'site' },
  knowledge: { roles: EVERYONE, scope: 'site' },
  knowledge_votes: { roles: EVERYONE, scope: 'site' },
  mutation_results: { roles: EVERYONE, scope: 'own-commands' },
  conflicts: { roles: EVERYONE, scope: 'site', selfOnly: ['technician'] },
  // Who did what is for the people who answer for it, never for the crew's tablets.
  audit_log: { roles: ['supervisor', 'admin'], scope: 'site' },
};

/** Who is reading. */
export interface Reader {
  userId: string;
  siteId: string;
  role: Role;
  deviceId?: string | undefined;
}

export type RowFilter =
  | { ok: true; where: string; params: string[] }
  | { ok: false; reason: string };

/**
 * The rows of `table` that `reader` may read, as an SQL condition with its parameters
 * (`$firstParam`, `$firstParam+1`, …). `column` renders a column reference: quoted and
 * unqualified for shapes (the same text works upstream in a real Electric), with the table's
 * alias for exports and the audit API.
 */
export function visibleRows(
  table: SyncedTable,
  reader: Reader,
  { column = (name: string) => `"${name}"`, firstParam = 1 }: { column?: (name: string) => string; firstParam?: number } = {},
): RowFilter {
  const rule = SHAPE_RULES[table];
  if (!rule.roles.includes(reader.role)) return { ok: false, reason: `a ${reader.role} cannot read ${table}` };
  const params: string[] = [];
  const param = (value: string) => `$${firstParam + params.push(value) - 1}::uuid`;
  const clauses: string[] = [];
  switch (rule.scope) {
    case 'the-site-row':
      clauses.push(`${column('id')} = ${param(reader.siteId)}`);
      break;
    case 'site':
      clauses.push(`${column('site_id')} = ${param(reader.siteId)}`);
      break;
    case 'own-commands':
      if (!reader.deviceId) return { ok: false, reason: `${table} is kept per tablet: sign in with a device id` };
      clauses.push(
        `${column('site_id')} = ${param(reader.siteId)}`,
        `${column('device_id')} = ${param(reader.deviceId)}`,
        `${column('user_id')} = ${param(reader.userId)}`,
      );
      break;
  }
  if (rule.selfOnly?.includes(reader.role)) clauses.push(`${column('user_id')} = ${param(reader.userId)}`);
  return { ok: true, where: clauses.join(' and '), params };
}
