import { z } from 'zod';
import {
  EQUIPMENT_TYPES,
  LOG_KINDS,
  METER_UNITS,
  TASK_CATEGORIES,
  WEAR_RATING_MAX,
  WEAR_RATING_MIN,
} from './domain.ts';
import { LOCALES, ROLES, type Role } from './roles.ts';
import { withValidText } from './text.ts';

/**
 * The write path's commands (DESIGN.md §4). The tablet never writes synced tables: it records one
 * of these in its outbox, shows the expected effect at once, and the server applies it with the
 * conflict rule of its kind. Each command has its argument schema and the roles allowed to run it;
 * the server and the tablet both validate with these schemas.
 *
 * Ids of new rows are made on the tablet (UUIDv7), so a command can be retried safely and the
 * tablet can show the row before the server has seen it.
 */
const uuid = z.uuid({ error: 'must be a UUID' });
const text = (max: number) => z.string().trim().max(max, `must be at most ${max} characters`);
const required = (max: number) => text(max).min(1, 'is required');
const optionalText = (max: number) => text(max).nullable().optional();
const quantity = z.int('must be a whole number').min(-1_000_000).max(1_000_000);
const positiveQuantity = z.int('must be a whole number').min(1, 'must be at least 1').max(1_000_000);
const isoDate = z.iso.date({ error: 'must be a date like 2026-11-23' });
const money = z.number().min(0, 'must not be negative').max(10_000_000).multipleOf(0.01, 'has at most 2 decimals');

const EVERYONE: readonly Role[] = ROLES;
const STOCK_KEEPERS: readonly Role[] = ['storeroom', 'supervisor', 'admin'];
const MANAGERS: readonly Role[] = ['supervisor', 'admin'];
const CREW: readonly Role[] = ['technician', 'supervisor', 'admin'];

/**
 * A field edit names the fields it changes and the values it started from (`base`). The server
 * applies fields nobody changed meanwhile, merges edits of different fields, and when the same
 * field was changed on both sides the later arrival wins and the overwritten value is kept in
 * `conflicts` for one-tap restore.
 */
function fieldEdit<T extends z.ZodRawShape>(fields: z.ZodObject<T>) {
  const partial = fields.partial();
  return z
    .object({ id: uuid, changes: partial, base: partial })
    .refine((edit) => Object.keys(edit.changes).length > 0, { message: 'must name at least one field', path: ['changes'] })
    .refine((edit) => Object.keys(edit.changes).every((field) => field in edit.base), {
      message: 'must hold the value each changed field had before the edit',
      path: ['base'],
    });
}

// ---- equipment --------------------------------------------------------------------------------

const equipmentFields = z.object({
  tag: z.string().trim().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/, 'must be letters, digits, . _ - (at most 40)'),
  name: required(200),
  type: z.enum(EQUIPMENT_TYPES),
  area: optionalText(100),
  make: optionalText(100),
  model: optionalText(100),
  serial: optionalText(100),
  parentId: uuid.nullable().optional(),
  criticality: z.int().min(1).max(4),
  meter: z.number().min(0).max(100_000_000).nullable().optional(),
  meterUnit: z.enum(METER_UNITS),
  notes: optionalText(4000),
});

// ---- tasks ------------------------------------------------------------------------------------

const taskFields = z.object({
  equipmentId: uuid.nullable().optional(),
  title: required(200),
  description: optionalText(4000),
  priority: z.int().min(1, 'must be 1 (low) to 4 (critical)').max(4, 'must be 1 (low) to 4 (critical)'),
  category: z.enum(TASK_CATEGORIES),
  dueDate: isoDate.nullable().optional(),
});

/** A task template: what a task made from it starts with (its checklist becomes the description). */
const templateFields = z.object({
  title: required(200),
  category: z.enum(TASK_CATEGORIES),
  priority: taskFields.shape.priority,
  checklist: optionalText(4000),
  typicalParts: optionalText(1000),
});

/**
 * A preventive-maintenance schedule on a machine: every N days, or every N units of its meter,
 * from the first due date or reading (the tablet proposes today + N, or the meter now + N).
 */
const pmFields = z
  .object({
    id: uuid,
    equipmentId: uuid,
    title: required(200),
    category: z.enum(TASK_CATEGORIES),
    priority: taskFields.shape.priority,
    checklist: optionalText(4000),
    everyDays: z.int('must be a whole number of days').min(1, 'must be at least 1 day').max(3650).nullable().optional(),
    everyMeter: z.number().min(0.1, 'must be more than 0').max(1_000_000).nullable().optional(),
    nextDueOn: isoDate.nullable().optional(),
    nextDueMeter: z.number().min(0).max(100_000_000).nullable().optional(),
  })
  .refine((pm) => (pm.everyDays == null) !== (pm.everyMeter == null), { message: 'give either every so many days or every so much of the meter', path: ['everyDays'], params: { code: 'pm_every' } })
  .refine((pm) => pm.everyDays == null || pm.nextDueOn != null, { message: 'is required for a schedule by days', path: ['nextDueOn'], params: { code: 'pm_next_due' } })
  .refine((pm) => pm.everyMeter == null || pm.nextDueMeter != null, { message: 'is required for a schedule by meter', path: ['nextDueMeter'], params: { code: 'pm_next_due' } });

// ---- parts ------------------------------------------------------------------------------------

const partFields = z.object({
  partNumber: required(64),
  name: required(200),
  description: optionalText(4000),
  category: optionalText(64),
  partType: optionalText(64),
  manufacturer: optionalText(100),
  supplier: optionalText(100),
  unitCost: money.nullable().optional(),
  minQuantity: z.int().min(0, 'must not be negative').max(1_000_000),
  unit: required(16),
  leadTimeDays: z.int().min(0).max(3650).nullable().optional(),
  location: optionalText(64),
  wearRating: z.int().min(WEAR_RATING_MIN).max(WEAR_RATING_MAX).nullable().optional(),
});

// ---- orders -----------------------------------------------------------------------------------

const orderFields = z.object({
  orderNumber: required(64),
  supplier: optionalText(100),
  quantityOrdered: positiveQuantity,
  expectedAt: isoDate.nullable().optional(),
  trackingNumber: optionalText(100),
  notes: optionalText(2000),
});

const COMMAND_DEFINITIONS = {
  'equipment.create': {
    roles: MANAGERS,
    args: equipmentFields.partial({ area: true, make: true, model: true, serial: true, parentId: true, meter: true, notes: true })
      .extend({ id: uuid, criticality: equipmentFields.shape.criticality.default(2), meterUnit: equipmentFields.shape.meterUnit.default('hours') }),
  },
  'equipment.update': { roles: MANAGERS, args: fieldEdit(equipmentFields) },
  /** One tap on the floor: running, in maintenance, or down. */
  'equipment.setStatus': {
    roles: EVERYONE,
    args: z.object({ id: uuid, status: z.enum(['running', 'maintenance', 'down']), note: optionalText(1000) }),
  },
  'equipment.retire': { roles: MANAGERS, args: z.object({ id: uuid, reason: optionalText(1000) }) },

  'task.create': {
    roles: CREW,
    args: taskFields.extend({
      id: uuid,
      priority: taskFields.shape.priority.default(2),
      category: taskFields.shape.category.default('general'),
      assigneeId: uuid.nullable().optional(),
    }),
  },
  'task.update': { roles: CREW, args: fieldEdit(taskFields) },
  'task.assign': { roles: MANAGERS, args: z.object({ id: uuid, assigneeId: uuid.nullable() }) },
  /** Every status but done (see task.complete), along the task state machine. */
  'task.setStatus': {
    roles: CREW,
    args: z.object({ id: uuid, status: z.enum(['open', 'in_progress', 'on_hold', 'cancelled']), reason: optionalText(1000) }),
  },
  /** Completing asks for what was wrong and how it was fixed: that becomes a knowledge entry. */
  'task.complete': {
    roles: CREW,
    args: z.object({
      id: uuid,
      knowledgeId: uuid,
      problem: required(2000),
      cause: optionalText(2000),
      // Also the task's resolution, which holds 4000 characters.
      fix: required(4000),
      lotoConfirmed: z.boolean(),
    }),
  },

  /**
   * Creates the template or replaces all its fields: templates are edited by a supervisor now and
   * then, so the last save wins whole (no per-field merge); a deleted template is not revived.
   */
  'template.save': { roles: MANAGERS, args: templateFields.extend({ id: uuid }) },
  'template.delete': { roles: MANAGERS, args: z.object({ id: uuid }) },
  /** Creates the schedule or replaces it whole (its next due date or reading included). */
  'pm.save': { roles: MANAGERS, args: pmFields },
  'pm.delete': { roles: MANAGERS, args: z.object({ id: uuid }) },

  'log.add': {
    roles: CREW,
    args: z
      .object({
        id: uuid,
        equipmentId: uuid,
        taskId: uuid.nullable().optional(),
        kind: z.enum(LOG_KINDS),
        body: text(8000).default(''),
        hoursSpent: z.number().min(0).max(168).nullable().optional(),
        meterReading: z.number().min(0).max(100_000_000).nullable().optional(),
        lotoConfirmed: z.boolean().default(false),
      })
      .refine((log) => log.kind !== 'repair' || log.lotoConfirmed, {
        message: 'repair work is only logged with lock-out/tag-out confirmed',
        path: ['lotoConfirmed'],
        params: { code: 'loto_required' },
      })
      .refine((log) => log.kind !== 'meter_reading' || log.meterReading != null, {
        message: 'a meter reading needs the reading',
        path: ['meterReading'],
        params: { code: 'reading_required' },
      }),
  },

  'part.create': {
    roles: STOCK_KEEPERS,
    args: partFields.extend({
      id: uuid,
      minQuantity: partFields.shape.minQuantity.default(0),
      unit: partFields.shape.unit.default('ea'),
    }),
  },
  'part.update': { roles: STOCK_KEEPERS, args: fieldEdit(partFields) },
  /** Move a part to another bin (location), recorded as a transfer in its history. */
  'part.move': {
    roles: STOCK_KEEPERS,
    args: z.object({ id: uuid, movementId: uuid, location: required(64), from: optionalText(64) }),
  },

  /**
   * Stock changes commute: each is a movement, always applied. `count` carries what was counted;
   * the server records the difference to its quantity at that moment.
   */
  'stock.adjust': {
    roles: EVERYONE,
    args: z.discriminatedUnion('reason', [
      z.object({
        reason: z.enum(['used', 'received', 'adjust']),
        movementId: uuid,
        partId: uuid,
        delta: quantity.refine((d) => d !== 0, { message: 'must not be 0', params: { code: 'not_zero' } }),
        taskId: uuid.nullable().optional(),
        equipmentId: uuid.nullable().optional(),
        note: optionalText(1000),
      })
        .refine((m) => m.reason !== 'used' || m.delta < 0, { message: 'must be negative for parts used (-2: two taken)', path: ['delta'], params: { code: 'used_negative' } })
        .refine((m) => m.reason !== 'received' || m.delta > 0, { message: 'must be positive for parts received', path: ['delta'], params: { code: 'received_positive' } }),
      z.object({
        reason: z.literal('count'),
        movementId: uuid,
        partId: uuid,
        counted: z.int('must be a whole number').min(0, 'must not be negative').max(1_000_000),
        note: optionalText(1000),
      }),
    ]),
  },

  'order.create': { roles: STOCK_KEEPERS, args: orderFields.extend({ id: uuid, partId: uuid }) },
  'order.update': { roles: STOCK_KEEPERS, args: fieldEdit(orderFields) },
  /** Adds the received quantity to stock, exactly once per command; an order fully received refuses more. */
  'order.receive': { roles: STOCK_KEEPERS, args: z.object({ id: uuid, movementId: uuid, quantity: positiveQuantity }) },
  /** The supplier has sent it (optionally with the carrier's tracking number): ordered → shipped. */
  'order.ship': { roles: STOCK_KEEPERS, args: z.object({ id: uuid, trackingNumber: optionalText(100) }) },
  'order.cancel': { roles: STOCK_KEEPERS, args: z.object({ id: uuid, reason: optionalText(1000) }) },

  'knowledge.add': {
    roles: EVERYONE,
    args: z.object({
      id: uuid,
      equipmentId: uuid.nullable().optional(),
      taskId: uuid.nullable().optional(),
      category: z.enum(TASK_CATEGORIES).nullable().optional(),
      problem: required(2000),
      cause: optionalText(2000),
      fixSteps: optionalText(8000),
    }),
  },
  /** "This helped": once per person per entry. */
  'knowledge.vote': { roles: EVERYONE, args: z.object({ id: uuid, knowledgeId: uuid }) },

  /** Review of what a concurrent edit overwrote or a command had refused. */
  'conflict.resolve': {
    roles: MANAGERS,
    args: z.object({ id: uuid, action: z.enum(['restore', 'dismiss']) }),
  },

  'user.create': {
    roles: ['admin'],
    args: z.object({
      id: uuid,
      username: z.string().trim().toLowerCase().regex(/^[a-z0-9._-]{1,64}$/, 'must be letters, digits, . _ - (at most 64)'),
      displayName: required(120),
      role: z.enum(ROLES),
      locale: z.enum(LOCALES).default('en'),
      password: z.string().min(10, 'must be at least 10 characters').max(256),
    }),
  },
  'user.update': {
    roles: ['admin'],
    args: z.object({
      id: uuid,
      displayName: required(120).optional(),
      role: z.enum(ROLES).optional(),
      locale: z.enum(LOCALES).optional(),
      active: z.boolean().optional(),
    }),
  },
  'device.revoke': { roles: ['admin'], args: z.object({ id: uuid }) },
} as const satisfies Record<string, { roles: readonly Role[]; args: z.ZodType }>;

/**
 * The commands, each refusing invalid characters (NUL, control characters…) in any of its
 * arguments: a per-command rejection naming the field, on the tablet and on the server alike.
 */
export const COMMANDS = Object.fromEntries(
  Object.entries(COMMAND_DEFINITIONS).map(([name, command]) => [name, { ...command, args: withValidText(command.args) }]),
) as unknown as typeof COMMAND_DEFINITIONS;

export type CommandName = keyof typeof COMMANDS;
export const COMMAND_NAMES = Object.keys(COMMANDS) as CommandName[];
/** What the tablet writes (defaults may be left out). */
export type CommandInput<N extends CommandName> = z.input<(typeof COMMANDS)[N]['args']>;
/** What a handler receives: validated, defaults filled in. */
export type CommandArgs<N extends CommandName> = z.output<(typeof COMMANDS)[N]['args']>;

/** What the tablet sends: the command with its mutation id, device and the tablet's clock. */
export const commandEnvelopeSchema = z.object({
  mutationId: uuid,
  name: z.enum(COMMAND_NAMES as [CommandName, ...CommandName[]]),
  args: z.unknown(),
  clientTime: z.iso.datetime({ offset: true, error: 'must be an ISO date-time with offset' }),
});
export type CommandEnvelope = z.infer<typeof commandEnvelopeSchema>;

export const MAX_COMMANDS_PER_BATCH = 200;
export const mutationBatchSchema = z.object({
  deviceId: uuid,
  commands: z.array(z.unknown()).min(1, 'send at least one command').max(MAX_COMMANDS_PER_BATCH, `send at most ${MAX_COMMANDS_PER_BATCH} commands at a time`),
});

/** One command's outcome, as returned and as stored in `mutation_results`. */
export const mutationResultSchema = z.object({
  mutationId: uuid,
  status: z.enum(['applied', 'rejected', 'conflict']),
  code: z.string().optional(),
  message: z.string().optional(),
  details: z.record(z.string(), z.unknown()).optional(),
});
export type MutationResult = z.infer<typeof mutationResultSchema>;
