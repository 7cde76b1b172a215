import type { CommandArgs, CommandName, SyncedTable } from '@cimco/contract';

/**
 * What a command is expected to do to the tablet's rows while the server has not answered: the
 * optimistic overlay (see db/local-schema.ts). It mirrors the server's handlers closely enough for
 * the screen to show the change at once; the server's row replaces it when the answer arrives, so
 * an effect never has to be exact, only unsurprising.
 */
export interface Effect {
  table: SyncedTable;
  rowId: string;
  /** insert: a new row; set: new column values; add: amounts added to numeric columns. */
  op: 'insert' | 'set' | 'add';
  data: Record<string, unknown>;
}

export interface EffectContext {
  userId: string;
  siteId: string;
  deviceId: string;
  clientTime: string;
  /** The command's mutation id: the id of a row the server makes one of per command (a status change). */
  mutationId: string;
  /** A column of a row as the tablet shows it now (synced plus pending), or undefined. */
  current(table: SyncedTable, id: string, column: string): Promise<unknown>;
}

/** `partNumber` → `part_number`: the contract's argument names are the columns' in camel case. */
export function columnName(field: string): string {
  return field.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

function columns(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined).map(([k, v]) => [columnName(k), v]));
}

function newRow(ctx: EffectContext, fields: Record<string, unknown>): Record<string, unknown> {
  return { site_id: ctx.siteId, created_at: ctx.clientTime, updated_at: ctx.clientTime, updated_by: ctx.userId, version: 0, ...columns(fields) };
}

type EffectsOf = { [N in CommandName]: (args: CommandArgs<N>, ctx: EffectContext) => Promise<Effect[]> | Effect[] };

const EFFECTS: EffectsOf = {
  'equipment.create': (a, ctx) => [
    { table: 'equipment', rowId: a.id, op: 'insert', data: newRow(ctx, { ...a, status: 'running', statusChangedAt: ctx.clientTime }) },
    statusChange(ctx, a.id, 'running', null, null),
  ],
  'equipment.update': (a) => [{ table: 'equipment', rowId: a.id, op: 'set', data: columns(a.changes) }],
  'equipment.setStatus': async (a, ctx) => {
    const previous = await ctx.current('equipment', a.id, 'status');
    // Like the server: the same status again changes nothing, and a retired machine stays retired.
    if (previous === a.status || previous === 'retired') return [];
    return [
      { table: 'equipment', rowId: a.id, op: 'set', data: { status: a.status, status_changed_at: ctx.clientTime } },
      statusChange(ctx, a.id, a.status, previous, a.note),
    ];
  },
  'equipment.retire': async (a, ctx) => {
    const previous = await ctx.current('equipment', a.id, 'status');
    if (previous === 'retired') return [];
    return [
      { table: 'equipment', rowId: a.id, op: 'set', data: { status: 'retired', status_changed_at: ctx.clientTime } },
      statusChange(ctx, a.id, 'retired', previous, a.reason),
    ];
  },

  'task.create': (a, ctx) => [
    { table: 'tasks', rowId: a.id, op: 'insert', data: newRow(ctx, { ...a, status: 'open', lotoConfirmed: false, createdBy: ctx.userId }) },
  ],
  'task.update': (a) => [{ table: 'tasks', rowId: a.id, op: 'set', data: columns(a.changes) }],
  'template.save': async (a, ctx) => {
    const { id, ...fields } = a;
    // Like the server: a new template, or every field of an existing one replaced.
    return (await ctx.current('task_templates', id, 'id'))
      ? [{ table: 'task_templates', rowId: id, op: 'set', data: { checklist: null, typical_parts: null, ...columns(fields) } }]
      : [{ table: 'task_templates', rowId: id, op: 'insert', data: newRow(ctx, { ...fields, createdBy: ctx.userId }) }];
  },
  'template.delete': (a, ctx) => [{ table: 'task_templates', rowId: a.id, op: 'set', data: { deleted_at: ctx.clientTime } }],
  'pm.save': async (a, ctx) => {
    const byDays = a.everyDays != null;
    const fields = {
      equipment_id: a.equipmentId, title: a.title, category: a.category, priority: a.priority, checklist: a.checklist ?? null,
      every_days: byDays ? a.everyDays : null, every_meter: byDays ? null : a.everyMeter,
      next_due_on: byDays ? a.nextDueOn : null, next_due_meter: byDays ? null : a.nextDueMeter,
    };
    // Like the server: a new schedule, or the whole schedule replaced.
    return (await ctx.current('pm_schedules', a.id, 'id'))
      ? [{ table: 'pm_schedules', rowId: a.id, op: 'set', data: fields }]
      : [{ table: 'pm_schedules', rowId: a.id, op: 'insert', data: newRow(ctx, { ...fields, createdBy: ctx.userId }) }];
  },
  'pm.delete': (a, ctx) => [{ table: 'pm_schedules', rowId: a.id, op: 'set', data: { deleted_at: ctx.clientTime } }],
  'task.assign': (a) => [{ table: 'tasks', rowId: a.id, op: 'set', data: { assignee_id: a.assigneeId } }],
  'task.setStatus': (a) => [
    { table: 'tasks', rowId: a.id, op: 'set', data: { status: a.status, ...(a.status === 'cancelled' && { cancelled_reason: a.reason ?? null }) } },
  ],
  'task.complete': async (a, ctx) => [
    {
      table: 'tasks',
      rowId: a.id,
      op: 'set',
      data: {
        status: 'done',
        resolution: a.fix,
        completed_at: ctx.clientTime,
        completed_by: ctx.userId,
        ...(a.lotoConfirmed && { loto_confirmed: true, loto_confirmed_at: ctx.clientTime, loto_confirmed_by: ctx.userId }),
      },
    },
    {
      table: 'knowledge',
      rowId: a.knowledgeId,
      op: 'insert',
      data: newRow(ctx, {
        taskId: a.id,
        equipmentId: await ctx.current('tasks', a.id, 'equipment_id'),
        category: await ctx.current('tasks', a.id, 'category'),
        problem: a.problem,
        cause: a.cause ?? null,
        fixSteps: a.fix,
        authorId: ctx.userId,
        helpfulVotes: 0,
      }),
    },
  ],

  'log.add': async (a, ctx) => {
    const effects: Effect[] = [{ table: 'logs', rowId: a.id, op: 'insert', data: newRow(ctx, { ...a, authorId: ctx.userId, clientCreatedAt: ctx.clientTime }) }];
    // A reading moves the machine's meter forward, never back (as the server does).
    if (a.meterReading != null) {
      const meter = await ctx.current('equipment', a.equipmentId, 'meter');
      if (meter == null || Number(meter) < a.meterReading) effects.push({ table: 'equipment', rowId: a.equipmentId, op: 'set', data: { meter: a.meterReading } });
    }
    return effects;
  },

  'part.create': (a, ctx) => [{ table: 'parts', rowId: a.id, op: 'insert', data: newRow(ctx, { ...a, quantity: 0 }) }],
  'part.update': (a) => [{ table: 'parts', rowId: a.id, op: 'set', data: columns(a.changes) }],
  'part.move': async (a, ctx) => [
    { table: 'parts', rowId: a.id, op: 'set', data: { location: a.location } },
    movement(ctx, a.movementId, {
      partId: a.id,
      delta: 0,
      reason: 'transfer',
      fromLocation: a.from ?? (await ctx.current('parts', a.id, 'location')) ?? null,
      toLocation: a.location,
    }),
  ],

  'stock.adjust': async (a, ctx) => {
    if (a.reason === 'count') {
      // The server records the difference to its quantity when the count arrives; until then
      // the tablet shows what was counted.
      const shown = Number((await ctx.current('parts', a.partId, 'quantity')) ?? 0);
      return [
        { table: 'parts', rowId: a.partId, op: 'set', data: { quantity: a.counted } },
        movement(ctx, a.movementId, { partId: a.partId, delta: a.counted - shown, reason: 'count', note: a.note, quantityAfter: a.counted }),
      ];
    }
    return [
      { table: 'parts', rowId: a.partId, op: 'add', data: { quantity: a.delta } },
      movement(ctx, a.movementId, { partId: a.partId, delta: a.delta, reason: a.reason, taskId: a.taskId, equipmentId: a.equipmentId, note: a.note }),
    ];
  },

  'order.create': (a, ctx) => [
    { table: 'incoming_orders', rowId: a.id, op: 'insert', data: newRow(ctx, { ...a, quantityReceived: 0, status: 'ordered', orderedAt: ctx.clientTime.slice(0, 10) }) },
  ],
  'order.update': (a) => [{ table: 'incoming_orders', rowId: a.id, op: 'set', data: columns(a.changes) }],
  'order.receive': async (a, ctx) => {
    const partId = (await ctx.current('incoming_orders', a.id, 'part_id')) as string | undefined;
    // As the server will: partial until what arrived reaches what was ordered.
    const received = Number((await ctx.current('incoming_orders', a.id, 'quantity_received')) ?? 0) + a.quantity;
    const ordered = Number((await ctx.current('incoming_orders', a.id, 'quantity_ordered')) ?? Infinity);
    const effects: Effect[] = [
      { table: 'incoming_orders', rowId: a.id, op: 'add', data: { quantity_received: a.quantity } },
      { table: 'incoming_orders', rowId: a.id, op: 'set', data: received >= ordered ? { status: 'received', received_at: ctx.clientTime } : { status: 'partial' } },
    ];
    if (partId) {
      effects.push({ table: 'parts', rowId: partId, op: 'add', data: { quantity: a.quantity } });
      effects.push(movement(ctx, a.movementId, { partId, delta: a.quantity, reason: 'received', orderId: a.id }));
    }
    return effects;
  },
  'order.ship': async (a, ctx) => {
    // A delivery already arrived: it stays partial (see the server's handler).
    const status = (await ctx.current('incoming_orders', a.id, 'status')) === 'partial' ? 'partial' : 'shipped';
    return [{ table: 'incoming_orders', rowId: a.id, op: 'set', data: { status, ...(a.trackingNumber && { tracking_number: a.trackingNumber }) } }];
  },
  'order.cancel': (a) => [{ table: 'incoming_orders', rowId: a.id, op: 'set', data: { status: 'cancelled' } }],

  'knowledge.add': (a, ctx) => [{ table: 'knowledge', rowId: a.id, op: 'insert', data: newRow(ctx, { ...a, authorId: ctx.userId, helpfulVotes: 0 }) }],
  'knowledge.vote': (a, ctx) => [
    { table: 'knowledge', rowId: a.knowledgeId, op: 'add', data: { helpful_votes: 1 } },
    { table: 'knowledge_votes', rowId: a.id, op: 'insert', data: newRow(ctx, { knowledgeId: a.knowledgeId, userId: ctx.userId }) },
  ],

  'conflict.resolve': (a, ctx) => [
    { table: 'conflicts', rowId: a.id, op: 'set', data: { status: a.action === 'restore' ? 'restored' : 'dismissed', resolved_by: ctx.userId, resolved_at: ctx.clientTime } },
  ],

  'user.create': (a, ctx) => {
    const { password: _password, ...visible } = a;
    return [{ table: 'users', rowId: a.id, op: 'insert', data: newRow(ctx, { ...visible, active: true }) }];
  },
  'user.update': (a) => {
    const { id, ...changes } = a;
    return [{ table: 'users', rowId: id, op: 'set', data: columns(changes) }];
  },
  // Devices are not synced to tablets.
  'device.revoke': () => [],
};

function statusChange(ctx: EffectContext, equipmentId: string, status: string, previous: unknown, note: string | null | undefined): Effect {
  return {
    table: 'equipment_status_changes',
    rowId: ctx.mutationId,
    op: 'insert',
    data: newRow(ctx, {
      equipmentId,
      status,
      previousStatus: typeof previous === 'string' ? previous : null,
      changedAt: ctx.clientTime,
      changedBy: ctx.userId,
      note: note ?? null,
    }),
  };
}

function movement(ctx: EffectContext, id: string, fields: Record<string, unknown>): Effect {
  return { table: 'stock_movements', rowId: id, op: 'insert', data: newRow(ctx, { authorId: ctx.userId, deviceId: ctx.deviceId, clientCreatedAt: ctx.clientTime, ...fields }) };
}

export async function effectsOf<N extends CommandName>(name: N, args: CommandArgs<N>, ctx: EffectContext): Promise<Effect[]> {
  return (EFFECTS[name] as (args: CommandArgs<N>, ctx: EffectContext) => Promise<Effect[]> | Effect[])(args, ctx);
}
