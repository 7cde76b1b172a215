import type { Role } from './roles.ts';
import type { SyncedTable } from './tables.ts';

/**
 * Who may sync which table, and which of its rows. The server builds each shape's filter from this
 * (a client's own `where` can only narrow it); the tablet subscribes to the tables its role may
 * read. Scopes:
 * - `site`: rows of the caller's yard;
 * - `own-device`: rows of the caller's yard sent by the caller's tablet (command results);
 * - `self`: rows of the caller's yard that concern the caller (for roles listed in `selfOnly`);
 * - `the-site-row`: the caller's own `sites` row.
 */
export type ShapeScope = 'site' | 'own-device' | 'the-site-row';

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
  sites: { roles: EVERYONE, scope: 'the-site-row' },
  users: { roles: EVERYONE, scope: 'site', hiddenColumns: ['password_hash'] },
  equipment: { roles: EVERYONE, scope: 'site' },
  tasks: { roles: EVERYONE, scope: 'site' },
  logs: { roles: EVERYONE, scope: 'site' },
  parts: { roles: EVERYONE, scope: 'site' },
  stock_movements: { roles: EVERYONE, scope: 'site' },
  incoming_orders: { roles: EVERYONE, scope: 'site' },
  knowledge: { roles: EVERYONE, scope: 'site' },
  knowledge_votes: { roles: EVERYONE, scope: 'site' },
  mutation_results: { roles: EVERYONE, scope: 'own-device' },
  conflicts: { roles: EVERYONE, scope: 'site', selfOnly: ['technician'] },
  // Who did what is for the people who answer for it, never for the crew's tablets.
  audit_log: { roles: ['supervisor', 'admin'], scope: 'site' },
};
