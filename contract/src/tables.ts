/**
 * Tables the tablets receive through shapes. Everything else (users' password hashes, devices,
 * refresh tokens, the change log) stays on the server. Which rows and columns each role sees is
 * decided by the shape service; this list is the allow-list it starts from.
 */
export const SYNCED_TABLES = [
  'sites',
  'users',
  'equipment',
  'equipment_status_changes',
  'tasks',
  'task_templates',
  'pm_schedules',
  'logs',
  'parts',
  'stock_movements',
  'incoming_orders',
  'knowledge',
  'knowledge_votes',
  'mutation_results',
  'conflicts',
  'audit_log',
] as const;
export type SyncedTable = (typeof SYNCED_TABLES)[number];
