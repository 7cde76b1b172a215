import type { SyncedTable } from '@cimco/contract';

/** The local table pglite-sync writes a synced table's rows into. */
export function syncedTableName(table: SyncedTable): string {
  return `${table}_synced`;
}

/**
 * The columns of each synced table as the tablet stores them: the server's columns (minus the
 * ones shapes never send, such as `users.password_hash`) with the server's types, so the values
 * pglite-sync writes keep their meaning. A test compares this list with the server's migrated
 * schema; change both together.
 */
export const SYNCED_COLUMNS: Record<SyncedTable, readonly (readonly [name: string, type: string])[]> = {
  sites: [
    ['id', 'uuid'], ['code', 'text'], ['name', 'text'], ['timezone', 'text'], ['is_demo', 'boolean'],
    ['created_at', 'timestamptz'], ['updated_at', 'timestamptz'], ['updated_by', 'uuid'], ['version', 'integer'],
  ],
  users: [
    ['id', 'uuid'], ['site_id', 'uuid'], ['username', 'text'], ['display_name', 'text'], ['role', 'text'],
    ['locale', 'text'], ['active', 'boolean'],
    ['created_at', 'timestamptz'], ['updated_at', 'timestamptz'], ['updated_by', 'uuid'], ['version', 'integer'],
  ],
  equipment: [
    ['id', 'uuid'], ['site_id', 'uuid'], ['tag', 'text'], ['name', 'text'], ['type', 'text'], ['area', 'text'],
    ['make', 'text'], ['model', 'text'], ['serial', 'text'], ['parent_id', 'uuid'], ['status', 'text'],
    ['status_changed_at', 'timestamptz'], ['criticality', 'smallint'], ['meter', 'numeric(12,1)'],
    ['meter_unit', 'text'], ['notes', 'text'],
    ['created_at', 'timestamptz'], ['updated_at', 'timestamptz'], ['updated_by', 'uuid'], ['version', 'integer'],
  ],
  equipment_status_changes: [
    ['id', 'uuid'], ['site_id', 'uuid'], ['equipment_id', 'uuid'], ['status', 'text'], ['previous_status', 'text'],
    ['changed_at', 'timestamptz'], ['changed_by', 'uuid'], ['note', 'text'],
    ['created_at', 'timestamptz'], ['updated_at', 'timestamptz'], ['updated_by', 'uuid'], ['version', 'integer'],
  ],
  tasks: [
    ['id', 'uuid'], ['site_id', 'uuid'], ['equipment_id', 'uuid'], ['title', 'text'], ['description', 'text'],
    ['priority', 'smallint'], ['category', 'text'], ['status', 'text'], ['assignee_id', 'uuid'], ['due_date', 'date'],
    ['loto_confirmed', 'boolean'], ['loto_confirmed_at', 'timestamptz'], ['loto_confirmed_by', 'uuid'],
    ['resolution', 'text'], ['completed_at', 'timestamptz'], ['completed_by', 'uuid'], ['cancelled_reason', 'text'],
    ['created_by', 'uuid'],
    ['created_at', 'timestamptz'], ['updated_at', 'timestamptz'], ['updated_by', 'uuid'], ['version', 'integer'],
  ],
  task_templates: [
    ['id', 'uuid'], ['site_id', 'uuid'], ['title', 'text'], ['category', 'text'], ['priority', 'smallint'],
    ['checklist', 'text'], ['typical_parts', 'text'], ['deleted_at', 'timestamptz'], ['created_by', 'uuid'],
    ['created_at', 'timestamptz'], ['updated_at', 'timestamptz'], ['updated_by', 'uuid'], ['version', 'integer'],
  ],
  pm_schedules: [
    ['id', 'uuid'], ['site_id', 'uuid'], ['equipment_id', 'uuid'], ['title', 'text'], ['category', 'text'],
    ['priority', 'smallint'], ['checklist', 'text'], ['every_days', 'integer'], ['every_meter', 'numeric(12,1)'],
    ['next_due_on', 'date'], ['next_due_meter', 'numeric(12,1)'], ['last_task_id', 'uuid'], ['last_made_at', 'timestamptz'],
    ['deleted_at', 'timestamptz'], ['created_by', 'uuid'],
    ['created_at', 'timestamptz'], ['updated_at', 'timestamptz'], ['updated_by', 'uuid'], ['version', 'integer'],
  ],
  logs: [
    ['id', 'uuid'], ['site_id', 'uuid'], ['equipment_id', 'uuid'], ['task_id', 'uuid'], ['kind', 'text'],
    ['body', 'text'], ['author_id', 'uuid'], ['hours_spent', 'numeric(5,2)'], ['meter_reading', 'numeric(12,1)'],
    ['loto_confirmed', 'boolean'], ['client_created_at', 'timestamptz'], ['deleted_at', 'timestamptz'],
    ['created_at', 'timestamptz'], ['updated_at', 'timestamptz'], ['updated_by', 'uuid'], ['version', 'integer'],
  ],
  parts: [
    ['id', 'uuid'], ['site_id', 'uuid'], ['part_number', 'text'], ['name', 'text'], ['description', 'text'],
    ['category', 'text'], ['part_type', 'text'], ['manufacturer', 'text'], ['supplier', 'text'],
    ['unit_cost', 'numeric(12,2)'], ['quantity', 'integer'], ['min_quantity', 'integer'], ['unit', 'text'],
    ['lead_time_days', 'integer'], ['location', 'text'], ['wear_rating', 'smallint'], ['deleted_at', 'timestamptz'],
    ['created_at', 'timestamptz'], ['updated_at', 'timestamptz'], ['updated_by', 'uuid'], ['version', 'integer'],
  ],
  stock_movements: [
    ['id', 'uuid'], ['site_id', 'uuid'], ['part_id', 'uuid'], ['delta', 'integer'], ['reason', 'text'],
    ['quantity_after', 'integer'], ['task_id', 'uuid'], ['equipment_id', 'uuid'], ['order_id', 'uuid'],
    ['from_location', 'text'], ['to_location', 'text'], ['note', 'text'], ['author_id', 'uuid'],
    ['device_id', 'uuid'], ['client_created_at', 'timestamptz'],
    ['created_at', 'timestamptz'], ['updated_at', 'timestamptz'], ['updated_by', 'uuid'], ['version', 'integer'],
  ],
  incoming_orders: [
    ['id', 'uuid'], ['site_id', 'uuid'], ['part_id', 'uuid'], ['order_number', 'text'], ['supplier', 'text'],
    ['quantity_ordered', 'integer'], ['quantity_received', 'integer'], ['status', 'text'], ['ordered_at', 'date'],
    ['expected_at', 'date'], ['received_at', 'timestamptz'], ['tracking_number', 'text'], ['notes', 'text'],
    ['created_at', 'timestamptz'], ['updated_at', 'timestamptz'], ['updated_by', 'uuid'], ['version', 'integer'],
  ],
  knowledge: [
    ['id', 'uuid'], ['site_id', 'uuid'], ['equipment_id', 'uuid'], ['task_id', 'uuid'], ['category', 'text'],
    ['problem', 'text'], ['cause', 'text'], ['fix_steps', 'text'], ['author_id', 'uuid'],
    ['helpful_votes', 'integer'], ['deleted_at', 'timestamptz'],
    ['created_at', 'timestamptz'], ['updated_at', 'timestamptz'], ['updated_by', 'uuid'], ['version', 'integer'],
  ],
  knowledge_votes: [
    ['id', 'uuid'], ['site_id', 'uuid'], ['knowledge_id', 'uuid'], ['user_id', 'uuid'],
    ['created_at', 'timestamptz'], ['updated_at', 'timestamptz'], ['updated_by', 'uuid'], ['version', 'integer'],
  ],
  mutation_results: [
    ['id', 'uuid'], ['site_id', 'uuid'], ['device_id', 'uuid'], ['user_id', 'uuid'], ['command', 'text'],
    ['status', 'text'], ['code', 'text'], ['message', 'text'], ['details', 'jsonb'], ['entity_id', 'uuid'],
    ['txid', 'bigint'],
    ['created_at', 'timestamptz'], ['updated_at', 'timestamptz'], ['updated_by', 'uuid'], ['version', 'integer'],
  ],
  conflicts: [
    ['id', 'uuid'], ['site_id', 'uuid'], ['kind', 'text'], ['entity', 'text'], ['entity_id', 'uuid'],
    ['field', 'text'], ['overwritten_value', 'jsonb'], ['winning_value', 'jsonb'], ['mutation_id', 'uuid'],
    ['device_id', 'uuid'], ['user_id', 'uuid'], ['status', 'text'], ['resolved_by', 'uuid'],
    ['resolved_at', 'timestamptz'],
    ['created_at', 'timestamptz'], ['updated_at', 'timestamptz'], ['updated_by', 'uuid'], ['version', 'integer'],
  ],
  audit_log: [
    ['id', 'uuid'], ['site_id', 'uuid'], ['user_id', 'uuid'], ['device_id', 'uuid'], ['command', 'text'],
    ['entity', 'text'], ['entity_id', 'uuid'], ['mutation_id', 'uuid'], ['before', 'jsonb'], ['after', 'jsonb'],
    ['client_time', 'timestamptz'], ['server_time', 'timestamptz'],
    ['created_at', 'timestamptz'], ['updated_at', 'timestamptz'], ['updated_by', 'uuid'], ['version', 'integer'],
  ],
};
