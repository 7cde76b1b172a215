import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { v7 as uuidv7 } from 'uuid';
import { COMMAND_NAMES, COMMANDS, ROLES, type CommandInput, type CommandName, type MutationResult, type Role } from '@cimco/contract';
import type { RunningServer } from '../../src/server.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { login, startTestServer } from '../support/server.ts';
import {
  changedTables,
  connectTablet,
  demoYard,
  expectEveryResultRecorded,
  fingerprint,
  one,
  otherYard,
  type EquipmentRow,
  type OrderRow,
  type PartRow,
  type Tablet,
  type TaskRow,
  type Yard,
} from '../support/tablets.ts';

/**
 * Every command of the contract, table-driven (DESIGN.md §4): its happy path and effect in the
 * database, each of the four roles allowed or denied, and bad inputs — wrong types, missing fields,
 * too-long strings, meaningless quantities, unknown ids and another yard's ids — each refused with
 * a code and a message naming the field, writing nothing but its `mutation_results` row.
 *
 * After every test, every result the tablets received is checked against `mutation_results` and
 * `audit_log` (support/tablets.ts).
 */
let db: TestDatabase;
let server: RunningServer;
let yard: Yard;
let foreign: {
  yard: Yard;
  part: PartRow;
  equipment: EquipmentRow;
  task: TaskRow;
  order: OrderRow;
  knowledgeId: string;
  deviceId: string;
  conflictId: string;
  templateId: string;
  pmId: string;
};
const tablets = {} as Record<Role, Tablet>;
const DEMO_LOGIN: Record<Role, string> = { technician: 'tech', storeroom: 'storeroom', supervisor: 'supervisor', admin: 'admin' };

beforeAll(async () => {
  db = await createTestDatabase();
  server = await startTestServer(db.url, { demo: true });
  for (const role of ROLES) tablets[role] = await connectTablet(server.url, DEMO_LOGIN[role]);
  yard = await demoYard(db.pool);
  const other = await otherYard(db.pool);
  const part = await other.part({ quantity: 5 });
  const equipment = await other.equipment();
  foreign = {
    yard: other,
    part,
    equipment,
    task: await other.task({ equipmentId: equipment.id }),
    order: await other.order({ partId: part.id }),
    knowledgeId: (await other.knowledge()).id,
    deviceId: (await other.device()).id,
    conflictId: (await other.conflict({ partId: part.id })).id,
    templateId: await foreignTemplate(other.siteId),
    pmId: await foreignPm(other.siteId, equipment.id),
  };
});
afterEach(async () => {
  await expectEveryResultRecorded(db.pool);
});
afterAll(async () => {
  await server?.close();
  await db?.drop();
});

/** A task template of another yard (no fixture makes them). */
async function foreignTemplate(siteId: string): Promise<string> {
  const id = uuidv7();
  await db.pool.query(`insert into task_templates (id, site_id, title) values ($1, $2, 'Their template')`, [id, siteId]);
  return id;
}

/** A maintenance schedule of another yard (no fixture makes them). */
async function foreignPm(siteId: string, equipmentId: string): Promise<string> {
  const id = uuidv7();
  await db.pool.query(
    `insert into pm_schedules (id, site_id, equipment_id, title, every_days, next_due_on) values ($1, $2, $3, 'Their PM', 7, current_date + 7)`,
    [id, siteId, equipmentId],
  );
  return id;
}

const row = <T = Record<string, unknown>>(sql: string, params: unknown[] = []) => one<T>(db.pool, sql, params);
const fresh = () => uuidv7().slice(-8).toUpperCase();

// ---------------------------------------------------------------------------------------------
// Bad inputs
// ---------------------------------------------------------------------------------------------

/** A bad variant of a command's valid arguments and how it must be refused. */
interface Bad {
  why: string;
  args: (valid: Record<string, unknown>) => unknown;
  code: string;
  /** What the message must name: the field's path for `invalid`, else the thing (noun) refused. */
  names: string;
  /** For an unknown or foreign id: where it is in the arguments (the refusal's details name it). */
  idPath?: string;
}

/** A copy of `args` with the value at a dotted path replaced (`undefined` removes it). */
function withValue(args: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const copy = structuredClone(args);
  const keys = path.split('.');
  let target = copy;
  for (const key of keys.slice(0, -1)) target = (target[key] ??= {}) as Record<string, unknown>;
  if (value === undefined) delete target[keys.at(-1)!];
  else target[keys.at(-1)!] = value;
  return copy;
}

function valueAt(args: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((v, key) => (v as Record<string, unknown> | undefined)?.[key], args);
}

const set = (path: string, value: unknown, why = `${path} = ${JSON.stringify(value)}`): Bad => ({
  why,
  args: (a) => withValue(a, path, value),
  code: 'invalid',
  names: path,
});
const missing = (path: string): Bad => ({ ...set(path, undefined), why: `without ${path}` });
const tooLong = (path: string, max: number): Bad => set(path, 'x'.repeat(max + 1), `${path} of ${max + 1} characters`);
const unknownId = (path: string, code: 'not_found' | 'unknown_reference', noun: string): Bad => ({
  why: `an unknown ${path}`,
  args: (a) => withValue(a, path, uuidv7()),
  code,
  names: noun,
  idPath: path,
});
const othersId = (path: string, code: 'not_found' | 'unknown_reference', noun: string, id: () => string): Bad => ({
  why: `another yard's ${noun} as ${path}`,
  args: (a) => withValue(a, path, id()),
  code,
  names: noun,
  idPath: path,
});
/** A create command reusing the id of another yard's row: refused, and that row is left alone. */
const takenId = (what: string, id: () => string): Bad => ({
  why: `the id of another yard's ${what}`,
  args: (a) => withValue(a, 'id', id()),
  code: 'already_exists',
  names: 'id',
});
const notAUuid = (path: string): Bad => set(path, 'not-a-uuid');

// ---------------------------------------------------------------------------------------------
// The table: every command, a valid example, its effect, its bad inputs
// ---------------------------------------------------------------------------------------------

interface Case<N extends CommandName> {
  /** Valid arguments acting on fresh rows (made in SQL), so every run applies. */
  valid(): Promise<CommandInput<N>>;
  /** What the applied command must have changed, run by `by`. */
  effect(args: CommandInput<N>, by: Tablet, result: MutationResult): Promise<void>;
  bad: Bad[];
}

const CASES: { [N in CommandName]: Case<N> } = {
  'equipment.create': {
    valid: async () => ({ id: uuidv7(), tag: `NEW${fresh()}`, name: 'Scrap magnet 2', type: 'magnet', area: 'North pad', parentId: (await yard.equipment()).id }),
    async effect(a, by) {
      expect(await row('select * from equipment where id = $1', [a.id])).toMatchObject({
        site_id: yard.siteId, tag: a.tag, name: 'Scrap magnet 2', type: 'magnet', area: 'North pad', parent_id: a.parentId,
        status: 'running', criticality: 2, meter_unit: 'hours', updated_by: by.userId, version: 1,
      });
    },
    bad: [
      notAUuid('id'),
      missing('tag'),
      set('tag', 'CIMCO 001', 'a tag with a space'),
      set('tag', 'T'.repeat(41), 'a tag of 41 characters'),
      missing('name'),
      set('name', '   ', 'a blank name'),
      tooLong('name', 200),
      tooLong('notes', 4000),
      set('type', 'spaceship'),
      set('criticality', 'high'),
      set('criticality', 0),
      set('meter', -5),
      unknownId('parentId', 'unknown_reference', 'parent machine'),
      othersId('parentId', 'unknown_reference', 'parent machine', () => foreign.equipment.id),
      takenId('machine', () => foreign.equipment.id),
      { why: 'a tag already on another machine (any case)', args: async (a) => ({ ...a, tag: (await yard.equipment()).tag.toLowerCase() }), code: 'duplicate_tag', names: 'Tag' },
    ],
  },

  'equipment.update': {
    async valid() {
      const machine = await yard.equipment();
      return { id: machine.id, changes: { name: 'Renamed machine', area: 'South pad' }, base: { name: machine.name, area: null } };
    },
    async effect(a, by) {
      expect(await row('select name, area, updated_by, version from equipment where id = $1', [a.id]))
        .toEqual({ name: 'Renamed machine', area: 'South pad', updated_by: by.userId, version: 2 });
    },
    bad: [
      missing('id'),
      missing('base'),
      set('changes', {}, 'no changes'),
      set('base', { name: 'only the name' }, 'a base without every changed field'),
      tooLong('changes.name', 200),
      set('changes.criticality', 9),
      set('changes.type', 'spaceship'),
      unknownId('id', 'not_found', 'machine'),
      othersId('id', 'not_found', 'machine', () => foreign.equipment.id),
      {
        why: "another yard's machine as changes.parentId",
        args: (a) => withValue(withValue(a, 'changes.parentId', foreign.equipment.id), 'base.parentId', null),
        code: 'unknown_reference',
        names: 'parent machine',
        idPath: 'changes.parentId',
      },
      { why: 'the machine as its own parent', args: (a) => withValue(withValue(a, 'changes.parentId', a.id), 'base.parentId', null), code: 'invalid', names: 'own parent' },
    ],
  },

  'equipment.setStatus': {
    valid: async () => ({ id: (await yard.equipment()).id, status: 'down', note: 'Belt torn' }),
    async effect(a, by) {
      expect(await row('select status, updated_by, version from equipment where id = $1', [a.id])).toEqual({ status: 'down', updated_by: by.userId, version: 2 });
    },
    bad: [
      missing('status'),
      set('status', 'retired', 'status retired (only equipment.retire retires)'),
      set('status', 'broken'),
      tooLong('note', 1000),
      unknownId('id', 'not_found', 'machine'),
      othersId('id', 'not_found', 'machine', () => foreign.equipment.id),
    ],
  },

  'equipment.retire': {
    valid: async () => ({ id: (await yard.equipment()).id, reason: 'Scrapped' }),
    async effect(a, by) {
      expect(await row('select status, updated_by, version from equipment where id = $1', [a.id])).toEqual({ status: 'retired', updated_by: by.userId, version: 2 });
    },
    bad: [
      missing('id'),
      set('id', 42),
      tooLong('reason', 1000),
      unknownId('id', 'not_found', 'machine'),
      othersId('id', 'not_found', 'machine', () => foreign.equipment.id),
    ],
  },

  'task.create': {
    valid: async () => ({
      id: uuidv7(), title: 'Replace return roller', equipmentId: (await yard.equipment()).id, assigneeId: tablets.technician.userId,
      priority: 3, category: 'conveyor', dueDate: '2026-12-01', description: 'Squealing at the tail pulley',
    }),
    async effect(a, by) {
      expect(await row('select * from tasks where id = $1', [a.id])).toMatchObject({
        site_id: yard.siteId, title: 'Replace return roller', equipment_id: a.equipmentId, assignee_id: tablets.technician.userId, priority: 3,
        category: 'conveyor', due_date: '2026-12-01', status: 'open', created_by: by.userId, updated_by: by.userId, completed_at: null, version: 1,
      });
    },
    bad: [
      notAUuid('id'),
      missing('title'),
      set('title', '  ', 'a blank title'),
      tooLong('title', 200),
      tooLong('description', 4000),
      set('priority', 5),
      set('priority', 0),
      set('priority', 'high'),
      set('category', 'plumbing'),
      set('dueDate', 'tomorrow'),
      unknownId('equipmentId', 'unknown_reference', 'machine'),
      othersId('equipmentId', 'unknown_reference', 'machine', () => foreign.equipment.id),
      othersId('assigneeId', 'unknown_reference', 'assignee', () => foreign.yard.userId),
      takenId('task', () => foreign.task.id),
    ],
  },

  'task.update': {
    async valid() {
      const task = await yard.task();
      return { id: task.id, changes: { title: 'Retitled', priority: 4, dueDate: '2026-12-24' }, base: { title: task.title, priority: 2, dueDate: null } };
    },
    async effect(a, by) {
      expect(await row('select title, priority, due_date, updated_by, version from tasks where id = $1', [a.id]))
        .toEqual({ title: 'Retitled', priority: 4, due_date: '2026-12-24', updated_by: by.userId, version: 2 });
    },
    bad: [
      set('changes', {}, 'no changes'),
      set('changes.priority', 0),
      set('changes.title', '', 'an empty title'),
      tooLong('changes.title', 200),
      set('changes.dueDate', '24/12/2026'),
      unknownId('id', 'not_found', 'task'),
      othersId('id', 'not_found', 'task', () => foreign.task.id),
      {
        why: "another yard's machine as changes.equipmentId",
        args: (a) => withValue(withValue(a, 'changes.equipmentId', foreign.equipment.id), 'base.equipmentId', null),
        code: 'unknown_reference',
        names: 'machine',
        idPath: 'changes.equipmentId',
      },
    ],
  },

  'task.assign': {
    valid: async () => ({ id: (await yard.task()).id, assigneeId: tablets.technician.userId }),
    async effect(a, by) {
      expect(await row('select assignee_id, updated_by, version from tasks where id = $1', [a.id])).toEqual({ assignee_id: a.assigneeId, updated_by: by.userId, version: 2 });
    },
    bad: [
      missing('assigneeId'),
      set('assigneeId', 'tech'),
      unknownId('id', 'not_found', 'task'),
      othersId('id', 'not_found', 'task', () => foreign.task.id),
      unknownId('assigneeId', 'unknown_reference', 'assignee'),
      othersId('assigneeId', 'unknown_reference', 'assignee', () => foreign.yard.userId),
    ],
  },

  'task.setStatus': {
    valid: async () => ({ id: (await yard.task()).id, status: 'in_progress' }),
    async effect(a, by) {
      expect(await row('select status, updated_by, version from tasks where id = $1', [a.id])).toEqual({ status: 'in_progress', updated_by: by.userId, version: 2 });
    },
    bad: [
      missing('status'),
      set('status', 'done', 'status done (only task.complete completes)'),
      set('status', 'closed'),
      tooLong('reason', 1000),
      unknownId('id', 'not_found', 'task'),
      othersId('id', 'not_found', 'task', () => foreign.task.id),
    ],
  },

  'task.complete': {
    valid: async () => ({
      id: (await yard.task({ equipmentId: (await yard.equipment()).id })).id, knowledgeId: uuidv7(),
      problem: 'Belt tracking off', cause: 'Seized idler', fix: 'Replaced the idler and re-tracked the belt', lotoConfirmed: true,
    }),
    async effect(a, by) {
      expect(await row('select status, completed_by, resolution, loto_confirmed, loto_confirmed_by, completed_at is not null as completed from tasks where id = $1', [a.id]))
        .toEqual({ status: 'done', completed_by: by.userId, resolution: a.fix, loto_confirmed: true, loto_confirmed_by: by.userId, completed: true });
      expect(await row('select task_id, problem, cause, fix_steps, author_id from knowledge where id = $1', [a.knowledgeId]))
        .toEqual({ task_id: a.id, problem: a.problem, cause: a.cause, fix_steps: a.fix, author_id: by.userId });
    },
    bad: [
      missing('knowledgeId'),
      missing('problem'),
      missing('fix'),
      missing('lotoConfirmed'),
      set('lotoConfirmed', 'yes'),
      tooLong('problem', 2000),
      // The fix is also the task's resolution, which holds 4000 characters.
      tooLong('fix', 4000),
      unknownId('id', 'not_found', 'task'),
      othersId('id', 'not_found', 'task', () => foreign.task.id),
      { why: 'work on a machine without lock-out/tag-out', args: (a) => ({ ...a, lotoConfirmed: false }), code: 'loto_required', names: 'lock-out/tag-out' },
      { why: "the id of another yard's knowledge entry as knowledgeId", args: (a) => ({ ...a, knowledgeId: foreign.knowledgeId }), code: 'already_exists', names: 'id' },
    ],
  },

  'log.add': {
    valid: async () => {
      const machine = await yard.equipment();
      return {
        id: uuidv7(), equipmentId: machine.id, taskId: (await yard.task({ equipmentId: machine.id })).id,
        kind: 'meter_reading', meterReading: 1234.5, hoursSpent: 0.5, body: 'Read the hour meter',
      };
    },
    async effect(a, by) {
      expect(await row('select * from logs where id = $1', [a.id])).toMatchObject({
        site_id: yard.siteId, equipment_id: a.equipmentId, task_id: a.taskId, kind: 'meter_reading', meter_reading: '1234.5',
        hours_spent: '0.50', body: 'Read the hour meter', author_id: by.userId, loto_confirmed: false,
      });
      expect(await row('select meter from equipment where id = $1', [a.equipmentId])).toEqual({ meter: '1234.5' });
    },
    bad: [
      notAUuid('id'),
      missing('equipmentId'),
      set('kind', 'gossip'),
      { why: 'repair work without lock-out/tag-out', args: (a) => ({ ...a, kind: 'repair', lotoConfirmed: false }), code: 'invalid', names: 'lotoConfirmed' },
      missing('meterReading'),
      set('meterReading', -1),
      set('hoursSpent', -1),
      set('hoursSpent', 200),
      set('hoursSpent', '2h'),
      tooLong('body', 8000),
      unknownId('equipmentId', 'not_found', 'machine'),
      othersId('equipmentId', 'not_found', 'machine', () => foreign.equipment.id),
      unknownId('taskId', 'unknown_reference', 'task'),
      othersId('taskId', 'unknown_reference', 'task', () => foreign.task.id),
    ],
  },

  'part.create': {
    valid: async () => ({ id: uuidv7(), partNumber: `NEW-${fresh()}`, name: 'Conveyor idler 5in', unitCost: 19.99, minQuantity: 2, location: 'B-07', wearRating: 3 }),
    async effect(a, by) {
      expect(await row('select * from parts where id = $1', [a.id])).toMatchObject({
        site_id: yard.siteId, part_number: a.partNumber, name: 'Conveyor idler 5in', unit_cost: '19.99', min_quantity: 2, unit: 'ea',
        location: 'B-07', wear_rating: 3, quantity: 0, deleted_at: null, updated_by: by.userId, version: 1,
      });
    },
    bad: [
      notAUuid('id'),
      missing('partNumber'),
      missing('name'),
      tooLong('partNumber', 64),
      tooLong('name', 200),
      tooLong('description', 4000),
      set('unitCost', -1),
      set('unitCost', 1.005),
      set('unitCost', '19.99'),
      set('minQuantity', -1),
      set('minQuantity', 1.5),
      set('wearRating', 9),
      takenId('part', () => foreign.part.id),
      {
        why: 'a part number this yard already has (any case)',
        args: async (a) => ({ ...a, partNumber: (await yard.part()).partNumber.toLowerCase() }),
        code: 'duplicate_part_number',
        names: 'already exists',
      },
    ],
  },

  'part.update': {
    async valid() {
      const part = await yard.part();
      return { id: part.id, changes: { name: 'Renamed part', unitCost: 12.5 }, base: { name: part.name, unitCost: null } };
    },
    async effect(a, by) {
      expect(await row('select name, unit_cost, updated_by, version from parts where id = $1', [a.id]))
        .toEqual({ name: 'Renamed part', unit_cost: '12.50', updated_by: by.userId, version: 3 });
    },
    bad: [
      missing('changes'),
      set('changes', {}, 'no changes'),
      set('base', {}, 'a base without the changed fields'),
      set('changes.name', '', 'an empty name'),
      tooLong('changes.description', 4000),
      set('changes.minQuantity', -1),
      set('changes.unitCost', -0.01),
      unknownId('id', 'not_found', 'part'),
      othersId('id', 'not_found', 'part', () => foreign.part.id),
      {
        why: 'a part number this yard already has',
        args: async (a) => withValue(withValue(a, 'changes.partNumber', (await yard.part()).partNumber), 'base.partNumber', 'whatever it was'),
        code: 'duplicate_part_number',
        names: 'already exists',
      },
    ],
  },

  'part.move': {
    valid: async () => ({ id: (await yard.part({ quantity: 4, location: 'A-01' })).id, movementId: uuidv7(), location: 'C-12', from: 'A-01' }),
    async effect(a, by) {
      // The fixture's row is at version 2 (its starting count went through the ledger).
      expect(await row('select location, quantity, updated_by, version > 2 as bumped from parts where id = $1', [a.id]))
        .toEqual({ location: 'C-12', quantity: 4, updated_by: by.userId, bumped: true });
      expect(await row('select part_id, delta, reason, from_location, to_location, author_id, device_id from stock_movements where id = $1', [a.movementId]))
        .toEqual({ part_id: a.id, delta: 0, reason: 'transfer', from_location: 'A-01', to_location: 'C-12', author_id: by.userId, device_id: by.deviceId });
    },
    bad: [
      missing('movementId'),
      missing('location'),
      set('location', ' ', 'a blank location'),
      tooLong('location', 64),
      unknownId('id', 'not_found', 'part'),
      othersId('id', 'not_found', 'part', () => foreign.part.id),
    ],
  },

  'stock.adjust': {
    valid: async () => {
      const machine = await yard.equipment();
      return {
        reason: 'used', movementId: uuidv7(), partId: (await yard.part({ quantity: 10 })).id, delta: -3,
        taskId: (await yard.task({ equipmentId: machine.id })).id, equipmentId: machine.id, note: 'Two idlers and a spare',
      };
    },
    async effect(a, by) {
      if (a.reason === 'count') throw new Error('the valid example is a take');
      expect(await row('select quantity, version from parts where id = $1', [a.partId])).toEqual({ quantity: 7, version: 3 });
      expect(await row('select part_id, delta, reason, quantity_after, task_id, equipment_id, author_id, device_id, note from stock_movements where id = $1', [a.movementId]))
        .toEqual({ part_id: a.partId, delta: -3, reason: 'used', quantity_after: 7, task_id: a.taskId, equipment_id: a.equipmentId, author_id: by.userId, device_id: by.deviceId, note: a.note });
    },
    bad: [
      missing('movementId'),
      missing('partId'),
      set('reason', 'stolen'),
      set('delta', 0),
      set('delta', 2, 'a take (used) of +2'),
      { why: 'a receipt of -5', args: (a) => ({ ...a, reason: 'received', delta: -5 }), code: 'invalid', names: 'delta' },
      set('delta', 'two'),
      set('delta', 1.5),
      set('delta', 2_000_000),
      { why: 'a count below zero', args: (a) => ({ reason: 'count', movementId: a.movementId, partId: a.partId, counted: -1 }), code: 'invalid', names: 'counted' },
      tooLong('note', 1000),
      unknownId('partId', 'not_found', 'part'),
      othersId('partId', 'not_found', 'part', () => foreign.part.id),
      unknownId('taskId', 'unknown_reference', 'task'),
      othersId('taskId', 'unknown_reference', 'task', () => foreign.task.id),
      othersId('equipmentId', 'unknown_reference', 'machine', () => foreign.equipment.id),
    ],
  },

  'order.create': {
    valid: async () => ({ id: uuidv7(), partId: (await yard.part()).id, orderNumber: `PO-${fresh()}`, supplier: 'Metso', quantityOrdered: 6, expectedAt: '2026-12-15' }),
    async effect(a, by) {
      expect(await row('select * from incoming_orders where id = $1', [a.id])).toMatchObject({
        site_id: yard.siteId, part_id: a.partId, order_number: a.orderNumber, supplier: 'Metso', quantity_ordered: 6, quantity_received: 0,
        status: 'ordered', expected_at: '2026-12-15', updated_by: by.userId, version: 1,
      });
    },
    bad: [
      missing('partId'),
      missing('orderNumber'),
      tooLong('orderNumber', 64),
      set('quantityOrdered', 0),
      set('quantityOrdered', -4),
      set('quantityOrdered', '6'),
      set('expectedAt', 'soon'),
      unknownId('partId', 'unknown_reference', 'part'),
      othersId('partId', 'unknown_reference', 'part', () => foreign.part.id),
      takenId('order', () => foreign.order.id),
    ],
  },

  'order.update': {
    valid: async () => ({ id: (await yard.order()).id, changes: { trackingNumber: '1Z999AA10123456784', expectedAt: '2026-12-20' }, base: { trackingNumber: null, expectedAt: null } }),
    async effect(a, by) {
      expect(await row('select tracking_number, expected_at, updated_by, version from incoming_orders where id = $1', [a.id]))
        .toEqual({ tracking_number: '1Z999AA10123456784', expected_at: '2026-12-20', updated_by: by.userId, version: 2 });
    },
    bad: [
      set('changes', {}, 'no changes'),
      set('changes.quantityOrdered', 0),
      tooLong('changes.notes', 2000),
      set('changes.expectedAt', 'next week'),
      unknownId('id', 'not_found', 'order'),
      othersId('id', 'not_found', 'order', () => foreign.order.id),
    ],
  },

  'order.receive': {
    async valid() {
      const part = await yard.part({ quantity: 1 });
      return { id: (await yard.order({ partId: part.id, quantityOrdered: 5 })).id, movementId: uuidv7(), quantity: 2 };
    },
    async effect(a, by) {
      const order = await row<{ part_id: string }>('select part_id, quantity_received, status, updated_by from incoming_orders where id = $1', [a.id]);
      expect(order).toMatchObject({ quantity_received: 2, status: 'partial', updated_by: by.userId });
      expect(await row('select quantity from parts where id = $1', [order.part_id])).toEqual({ quantity: 3 });
      expect(await row('select part_id, delta, reason, order_id, author_id, device_id from stock_movements where id = $1', [a.movementId]))
        .toEqual({ part_id: order.part_id, delta: 2, reason: 'received', order_id: a.id, author_id: by.userId, device_id: by.deviceId });
    },
    bad: [
      missing('movementId'),
      set('quantity', 0),
      set('quantity', -2),
      set('quantity', 'lots'),
      set('quantity', 2.5),
      unknownId('id', 'not_found', 'order'),
      othersId('id', 'not_found', 'order', () => foreign.order.id),
    ],
  },

  'order.ship': {
    valid: async () => ({ id: (await yard.order()).id, trackingNumber: '1Z999AA10123456784' }),
    async effect(a, by) {
      expect(await row('select status, tracking_number, updated_by, version from incoming_orders where id = $1', [a.id]))
        .toEqual({ status: 'shipped', tracking_number: '1Z999AA10123456784', updated_by: by.userId, version: 2 });
    },
    bad: [
      missing('id'),
      tooLong('trackingNumber', 100),
      unknownId('id', 'not_found', 'order'),
      othersId('id', 'not_found', 'order', () => foreign.order.id),
    ],
  },

  'order.cancel': {
    valid: async () => ({ id: (await yard.order()).id, reason: 'Supplier out of stock' }),
    async effect(a, by) {
      expect(await row('select status, notes, updated_by, version from incoming_orders where id = $1', [a.id]))
        .toEqual({ status: 'cancelled', notes: 'Supplier out of stock', updated_by: by.userId, version: 2 });
    },
    bad: [
      missing('id'),
      tooLong('reason', 1000),
      unknownId('id', 'not_found', 'order'),
      othersId('id', 'not_found', 'order', () => foreign.order.id),
    ],
  },

  'knowledge.add': {
    valid: async () => {
      const machine = await yard.equipment();
      return {
        id: uuidv7(), equipmentId: machine.id, taskId: (await yard.task({ equipmentId: machine.id })).id, category: 'conveyor',
        problem: 'Belt slips when wet', cause: 'Worn lagging', fixSteps: 'Re-lag the head pulley',
      };
    },
    async effect(a, by) {
      expect(await row('select * from knowledge where id = $1', [a.id])).toMatchObject({
        site_id: yard.siteId, equipment_id: a.equipmentId, task_id: a.taskId, category: 'conveyor', problem: a.problem, cause: a.cause,
        fix_steps: a.fixSteps, author_id: by.userId, helpful_votes: 0,
      });
    },
    bad: [
      missing('problem'),
      set('problem', ' ', 'a blank problem'),
      tooLong('problem', 2000),
      tooLong('fixSteps', 8000),
      set('category', 'magic'),
      unknownId('equipmentId', 'unknown_reference', 'machine'),
      othersId('equipmentId', 'unknown_reference', 'machine', () => foreign.equipment.id),
      othersId('taskId', 'unknown_reference', 'task', () => foreign.task.id),
      takenId('knowledge entry', () => foreign.knowledgeId),
    ],
  },

  'template.save': {
    valid: async () => ({ id: uuidv7(), title: 'Weekly grease: rotor bearings', category: 'lubrication', priority: 2, checklist: 'Grease 4 points\nCheck temps', typicalParts: 'GR-EP2' }),
    async effect(a, by) {
      expect(await row('select * from task_templates where id = $1', [a.id])).toMatchObject({
        site_id: yard.siteId, title: 'Weekly grease: rotor bearings', category: 'lubrication', priority: 2, checklist: 'Grease 4 points\nCheck temps',
        typical_parts: 'GR-EP2', deleted_at: null, created_by: by.userId, updated_by: by.userId, version: 1,
      });
    },
    bad: [
      notAUuid('id'),
      missing('title'),
      set('title', '  ', 'a blank title'),
      tooLong('title', 200),
      tooLong('checklist', 4000),
      tooLong('typicalParts', 1000),
      set('category', 'plumbing'),
      set('priority', 5),
      takenId('task template', () => foreign.templateId),
      {
        why: 'a deleted template',
        args: async (a) => {
          await db.pool.query(`insert into task_templates (id, site_id, title, deleted_at) values ($1, $2, 'Gone', now())`, [a.id, yard.siteId]);
          return a;
        },
        code: 'template_deleted',
        names: 'task template',
      },
    ],
  },

  'template.delete': {
    async valid() {
      const id = uuidv7();
      await db.pool.query(`insert into task_templates (id, site_id, title) values ($1, $2, 'Old template')`, [id, yard.siteId]);
      return { id };
    },
    async effect(a, by) {
      expect(await row('select deleted_at is not null as deleted, updated_by from task_templates where id = $1', [a.id])).toEqual({ deleted: true, updated_by: by.userId });
    },
    bad: [
      missing('id'),
      unknownId('id', 'not_found', 'task template'),
      othersId('id', 'not_found', 'task template', () => foreign.templateId),
    ],
  },

  'pm.save': {
    valid: async () => ({
      id: uuidv7(), equipmentId: (await yard.equipment()).id, title: 'Grease the rotor bearings', category: 'lubrication', priority: 2,
      checklist: 'Four shots each side', everyMeter: 250, nextDueMeter: 1250,
    }),
    async effect(a, by) {
      expect(await row('select * from pm_schedules where id = $1', [a.id])).toMatchObject({
        site_id: yard.siteId, equipment_id: a.equipmentId, title: 'Grease the rotor bearings', category: 'lubrication', priority: 2,
        every_days: null, every_meter: '250.0', next_due_on: null, next_due_meter: '1250.0', deleted_at: null, created_by: by.userId, version: 1,
      });
    },
    bad: [
      notAUuid('id'),
      missing('title'),
      tooLong('title', 200),
      tooLong('checklist', 4000),
      set('category', 'plumbing'),
      set('priority', 0),
      set('everyMeter', 0),
      set('everyDays', 14, 'both every so many days and every so much of the meter'),
      { why: 'neither days nor meter', args: (a) => withValue(withValue(a, 'everyMeter', undefined), 'nextDueMeter', undefined), code: 'invalid', names: 'everyDays' },
      missing('nextDueMeter'),
      set('everyDays', 1.5),
      unknownId('equipmentId', 'unknown_reference', 'machine'),
      othersId('equipmentId', 'unknown_reference', 'machine', () => foreign.equipment.id),
      takenId('maintenance schedule', () => foreign.pmId),
    ],
  },

  'pm.delete': {
    async valid() {
      const id = uuidv7();
      await db.pool.query(
        `insert into pm_schedules (id, site_id, equipment_id, title, every_days, next_due_on) values ($1, $2, $3, 'Old PM', 30, current_date + 30)`,
        [id, yard.siteId, (await yard.equipment()).id],
      );
      return { id };
    },
    async effect(a, by) {
      expect(await row('select deleted_at is not null as deleted, updated_by from pm_schedules where id = $1', [a.id])).toEqual({ deleted: true, updated_by: by.userId });
    },
    bad: [
      missing('id'),
      unknownId('id', 'not_found', 'maintenance schedule'),
      othersId('id', 'not_found', 'maintenance schedule', () => foreign.pmId),
    ],
  },

  'knowledge.vote': {
    valid: async () => ({ id: uuidv7(), knowledgeId: (await yard.knowledge()).id }),
    async effect(a, by) {
      expect(await row('select helpful_votes from knowledge where id = $1', [a.knowledgeId])).toEqual({ helpful_votes: 1 });
      expect(await row('select knowledge_id, user_id from knowledge_votes where id = $1', [a.id])).toEqual({ knowledge_id: a.knowledgeId, user_id: by.userId });
    },
    bad: [
      missing('knowledgeId'),
      set('knowledgeId', 7),
      unknownId('knowledgeId', 'not_found', 'knowledge entry'),
      othersId('knowledgeId', 'not_found', 'knowledge entry', () => foreign.knowledgeId),
    ],
  },

  'conflict.resolve': {
    valid: async () => ({ id: (await yard.conflict()).id, action: 'dismiss' }),
    async effect(a, by) {
      expect(await row('select status, resolved_by, resolved_at is not null as resolved from conflicts where id = $1', [a.id]))
        .toEqual({ status: 'dismissed', resolved_by: by.userId, resolved: true });
    },
    bad: [
      missing('action'),
      set('action', 'ignore'),
      unknownId('id', 'not_found', 'conflict'),
      othersId('id', 'not_found', 'conflict', () => foreign.conflictId),
      { why: 'restoring a refused command (nothing was overwritten)', args: (a) => ({ ...a, action: 'restore' }), code: 'not_restorable', names: 'overwritten' },
    ],
  },

  'user.create': {
    valid: async () => ({ id: uuidv7(), username: `new-${fresh().toLowerCase()}`, displayName: 'New Hire', role: 'storeroom', locale: 'es', password: 'correct horse battery' }),
    async effect(a, by) {
      expect(await row('select * from users where id = $1', [a.id])).toMatchObject({
        site_id: yard.siteId, username: a.username, display_name: 'New Hire', role: 'storeroom', locale: 'es', active: true, updated_by: by.userId,
      });
      expect((await login(server.url, a.username, a.password)).status).toBe(200);
      // Never the password in the audit log, not even hashed.
      const audit = await row<{ after: unknown }>('select after from audit_log where entity_id = $1', [a.id]);
      expect(JSON.stringify(audit.after)).not.toMatch(/password|correct horse|argon2/);
    },
    bad: [
      missing('username'),
      set('username', 'Bad Name!'),
      set('username', 'u'.repeat(65), 'a username of 65 characters'),
      missing('displayName'),
      tooLong('displayName', 120),
      set('role', 'boss'),
      set('locale', 'fr'),
      set('password', 'short'),
      missing('password'),
      { why: 'a username already taken', args: (a) => ({ ...a, username: 'tech' }), code: 'duplicate_username', names: 'tech' },
      takenId('user', () => foreign.yard.userId),
    ],
  },

  'user.update': {
    valid: async () => ({ id: (await yard.user({ role: 'technician' })).id, displayName: 'Renamed Tech', role: 'supervisor', locale: 'es' }),
    async effect(a, by) {
      expect(await row('select display_name, role, locale, active, updated_by, version from users where id = $1', [a.id]))
        .toEqual({ display_name: 'Renamed Tech', role: 'supervisor', locale: 'es', active: true, updated_by: by.userId, version: 2 });
    },
    bad: [
      missing('id'),
      set('role', 'boss'),
      set('active', 'no'),
      set('displayName', ''),
      tooLong('displayName', 120),
      unknownId('id', 'not_found', 'user'),
      othersId('id', 'not_found', 'user', () => foreign.yard.userId),
      { why: 'an admin disabling themself', args: () => ({ id: tablets.admin.userId, active: false }), code: 'self_lockout', names: 'disable yourself' },
    ],
  },

  'device.revoke': {
    valid: async () => ({ id: (await yard.device()).id }),
    async effect(a, by) {
      expect(await row('select revoked_by, revoked_at is not null as revoked from devices where id = $1', [a.id])).toEqual({ revoked_by: by.userId, revoked: true });
    },
    bad: [
      missing('id'),
      notAUuid('id'),
      unknownId('id', 'not_found', 'tablet'),
      othersId('id', 'not_found', 'tablet', () => foreign.deviceId),
    ],
  },
};

/**
 * Arguments with every field of the command's schema (and of its `changes` and `base`) the wrong
 * type: the longest list of complaints a command can get.
 */
function everythingWrong(schema: unknown): Record<string, unknown> {
  const { shape, options } = schema as { shape?: Record<string, unknown>; options?: unknown[] };
  if (options) return Object.assign({}, ...options.map(everythingWrong));
  return Object.fromEntries(
    Object.entries(shape ?? {}).map(([field, inner]) => [field, (inner as { shape?: unknown }).shape ? everythingWrong(inner) : { wrong: true }]),
  );
}

// ---------------------------------------------------------------------------------------------

it('has a case for every command of the contract, and nothing else', () => {
  expect(Object.keys(CASES).sort()).toEqual([...COMMAND_NAMES].sort());
});

// Iterating the contract (not the table): a command added without a case fails here too.
describe.each(COMMAND_NAMES)('%s', (name) => {
  const command = CASES[name] as unknown as Case<CommandName> | undefined;
  const allowed = COMMANDS[name].roles as readonly Role[];

  it('has a valid example and bad inputs in the table', () => {
    expect(command, `no case for ${name} in commands-matrix.test.ts`).toBeDefined();
    expect(command!.bad.length).toBeGreaterThan(0);
  });

  describe.each(ROLES)('as %s', (role) => {
    if (allowed.includes(role)) {
      it('is allowed: applied, and the database shows its effect', async () => {
        const by = tablets[role];
        const args = await command!.valid();
        const result = await by.run(name, args as never);
        expect(result, JSON.stringify(result)).toMatchObject({ status: 'applied' });
        expect(result.code).toBeUndefined();
        await command!.effect(args, by, result);
      });
    } else {
      it('is denied: rejected as forbidden, nothing written', async () => {
        const args = await command!.valid();
        const before = await fingerprint(db.pool);
        const result = await tablets[role].run(name, args as never);
        expect(result).toMatchObject({ status: 'rejected', code: 'forbidden' });
        expect(result.message).toContain(role);
        expect(result.message).toContain(name);
        expect(changedTables(before, await fingerprint(db.pool))).toEqual(['mutation_results']);
      });
    }
  });

  it('refuses arguments wrong in every field as one result, not an HTTP error that would block the queue', async () => {
    const by = tablets[allowed[0]!];
    const before = await fingerprint(db.pool);
    const [result] = await by.send([{ name, args: everythingWrong(COMMANDS[name].args) }]);
    expect(result).toMatchObject({ status: 'rejected', code: 'invalid' });
    expect(Object.keys(result!.details!.fields as object).length).toBeGreaterThan(0);
    expect(changedTables(before, await fingerprint(db.pool))).toEqual(['mutation_results']);
  });

  // Run by the first role allowed (the least privileged one), so a refusal is about the input.
  describe.each(command?.bad ?? [])('refuses $why', (bad) => {
    it(`as ${bad.code}, naming ${bad.names}, writing nothing but the result`, async () => {
      const by = tablets[allowed[0]!];
      const valid = await command!.valid();
      const args = await bad.args(valid as Record<string, unknown>);
      const before = await fingerprint(db.pool);
      const [result] = await by.send([{ name, args }]);
      expect(result, JSON.stringify(result)).toMatchObject({ status: 'rejected', code: bad.code });
      expect(result!.message).toContain(bad.names);
      if (bad.code === 'invalid' && result!.details) {
        expect(Object.keys(result!.details.fields as Record<string, string[]>)).toContain(bad.names);
      }
      if (bad.idPath) expect(JSON.stringify(result!.details)).toContain(String(valueAt(args, bad.idPath)));
      expect(changedTables(before, await fingerprint(db.pool))).toEqual(['mutation_results']);
    });
  });
});
