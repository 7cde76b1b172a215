/**
 * Enumerated values of the central data model. The SQL CHECK constraints in `migrations/` list the
 * same values; `sync-server/test/contract-schema.test.ts` fails if the two drift apart.
 */
export const EQUIPMENT_STATUSES = ['running', 'maintenance', 'down', 'retired'] as const;
export type EquipmentStatus = (typeof EQUIPMENT_STATUSES)[number];

export const EQUIPMENT_TYPES = [
  'shredder',
  'motor',
  'rotor',
  'conveyor',
  'baler',
  'shear',
  'crane',
  'loader',
  'excavator',
  'truck',
  'pump',
  'hydraulic_unit',
  'scale',
  'magnet',
  'separator',
  'compressor',
  'generator',
  'other',
] as const;
export type EquipmentType = (typeof EQUIPMENT_TYPES)[number];

export const METER_UNITS = ['hours', 'miles', 'km'] as const;
export type MeterUnit = (typeof METER_UNITS)[number];

/** 1 = low … 4 = critical, for both task priority and equipment criticality. */
export const PRIORITIES = [1, 2, 3, 4] as const;
export type Priority = (typeof PRIORITIES)[number];

export const TASK_STATUSES = ['open', 'in_progress', 'on_hold', 'done', 'cancelled'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/**
 * The task state machine, enforced by the server and followed by the tablet's buttons. `done` is
 * reached only through task.complete (which asks how it was fixed); a done or cancelled task can
 * be reopened.
 */
export const TASK_TRANSITIONS: Record<TaskStatus, readonly TaskStatus[]> = {
  open: ['in_progress', 'on_hold', 'cancelled', 'done'],
  in_progress: ['open', 'on_hold', 'cancelled', 'done'],
  on_hold: ['open', 'in_progress', 'cancelled', 'done'],
  done: ['open'],
  cancelled: ['open'],
};

export const TASK_CATEGORIES = [
  'general',
  'hydraulics',
  'electrical',
  'safety',
  'shredder',
  'mobile_equipment',
  'conveyor',
  'lubrication',
  'structural',
] as const;
export type TaskCategory = (typeof TASK_CATEGORIES)[number];

export const LOG_KINDS = ['repair', 'inspection', 'preventive', 'note', 'meter_reading'] as const;
export type LogKind = (typeof LOG_KINDS)[number];

export const STOCK_REASONS = ['used', 'received', 'count', 'adjust', 'transfer'] as const;
export type StockReason = (typeof STOCK_REASONS)[number];

export const ORDER_STATUSES = ['ordered', 'shipped', 'partial', 'received', 'cancelled'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const MUTATION_STATUSES = ['applied', 'rejected', 'conflict'] as const;
export type MutationStatus = (typeof MUTATION_STATUSES)[number];

export const CONFLICT_KINDS = [
  'overwritten',
  'refused',
  'stock_discrepancy',
  'over_received',
  'duplicate',
] as const;
export type ConflictKind = (typeof CONFLICT_KINDS)[number];

export const CONFLICT_STATUSES = ['open', 'restored', 'dismissed', 'resolved'] as const;
export type ConflictStatus = (typeof CONFLICT_STATUSES)[number];

/** Wear rating of a part, 1 (lasts) … 5 (consumed fastest). */
export const WEAR_RATING_MIN = 1;
export const WEAR_RATING_MAX = 5;
