import type pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import type { LogKind, StockReason } from '@cimco/contract';
import { hashPassword } from '../auth/passwords.ts';
import type { Logger } from '../logger.ts';
import {
  BOLT_LENGTHS,
  BOLT_SIZES,
  CASTING_FAMILIES,
  CATALOG,
  type CatalogLine,
  DEMO_ACCOUNTS,
  DEMO_PASSWORD,
  DEMO_SITE,
  KNOWLEDGE,
  LINER_HANDS,
  LINER_LEVELS,
  LINER_POSITIONS,
  LOG_TEXTS,
  MACHINES,
  type MachineGroup,
  type MachineSpec,
  NUT_KINDS,
  ORDERS,
  SHREDDER_LINE,
  SHREDDER_MODEL,
  TASKS,
  type Username,
  TEMPLATES,
  PM_SCHEDULES,
} from './demo-yard-data.ts';
import { createRandom, type Random } from './random.ts';

/**
 * The demo yard: "Sterling yard", a scrap-metal recycler with a Metso/Lindemann shredder line, a
 * nonferrous plant, a baler and shear, material handlers, loaders, trucks and scales — with three
 * months of believable history, for training and sales (FEATURES.md §11).
 *
 * This file plans every row from the content in `demo-yard-data.ts` and writes them; the machines,
 * parts, tasks, orders, knowledge and log texts themselves live there.
 *
 * - Seeded once, in one transaction, when no site `sterling` exists. A transaction-scoped advisory
 *   lock makes servers that start together seed it exactly once.
 * - Deterministic: every choice comes from a seeded PRNG, so two seeds produce the same content
 *   (ids, being UUIDv7, differ). Dates are relative to the moment of seeding, so the history is
 *   always "the last 90 days" and due dates are always near.
 * - The part catalogue is modelled on a real yard's parts list (castings, grates and liners lying in
 *   the yard, "Metzo" typed for Metso, empty manufacturer cells) but composed here from component
 *   lists: no real part number is copied.
 * - Stock is only ever moved through `stock_movements` (the ledger trigger keeps `parts.quantity`):
 *   one `count` per part at the last physical count, then `used` and `received` movements.
 */

// The demo logins and site are part of this module's interface (tests import them from here).
export { DEMO_ACCOUNTS, DEMO_PASSWORD, DEMO_SITE, type DemoAccount } from './demo-yard-data.ts';

// Any fixed 64-bit number, distinct from the migration lock's.
const DEMO_SEED_LOCK_KEY = 7_262_021_002;
const DEMO_RANDOM_SEED = 20_240_917;

// ---------------------------------------------------------------------------------------------
// Parts
// ---------------------------------------------------------------------------------------------

interface PartSpec {
  partNumber: string;
  name: string;
  description: string | null;
  category: string;
  partType: string | null;
  manufacturer: string | null;
  supplier: string | null;
  unitCost: number | null;
  unit: string;
  minQuantity: number;
  /** Quantity found at the last physical count. */
  stock: number;
  leadTimeDays: number | null;
  location: string;
  wearRating: number | null;
  /** Machines it is used on (tags), for the usage history. */
  usedOn: readonly string[];
}

function buildParts(random: Random): PartSpec[] {
  const parts: PartSpec[] = [];
  const taken = new Set<string>();
  const add = (part: PartSpec) => {
    // Part numbers are unique per site, whatever their case.
    let number = part.partNumber;
    for (let n = 2; taken.has(number.toUpperCase()); n++) number = `${part.partNumber}-${n}`;
    taken.add(number.toUpperCase());
    parts.push({ ...part, partNumber: number });
  };

  for (const family of CASTING_FAMILIES) {
    family.names.forEach((name, index) => {
      const number = `${family.family}-${String.fromCharCode(65 + (index % 8))}${random.int(2, 120)}`;
      add(metsoPart(random, number, name, family.partType, family.assembly, family.wear));
      // About a third also exist as Lindemann aftermarket copies.
      if (random.chance(0.35)) add(lindemannPart(random, `LX${number}`, name, family.partType, family.assembly, family.wear));
    });
  }
  for (const [level, code] of LINER_LEVELS) {
    for (let position = 0; position < LINER_POSITIONS; position++) {
      LINER_HANDS.forEach((hand, h) => {
        const letter = String.fromCharCode(65 + position * 2 + h);
        const name = `${level} SIDE LINER / ${hand}`;
        add(metsoPart(random, `64080-${letter}${code}`, name, level === 'UPPER' ? 'Upper' : 'Lower', 'side liners', 4));
      });
    }
  }
  BOLT_SIZES.forEach((size, s) => {
    BOLT_LENGTHS.forEach((length, l) => {
      const name = `${size} OVAL HEAD BOLT X ${length} LG.`;
      const number = `6700-A${300 + s * 10 + l}`;
      add(random.chance(0.5) ? metsoPart(random, number, name, 'Shredder', 'hardware', 3) : lindemannPart(random, `LX0${number}`, name, 'Wear Part', 'hardware', 3));
    });
    NUT_KINDS.forEach((kind, k) => {
      add(metsoPart(random, `49NU-${s + 2}${k}08`, `${size} ${kind}`, 'Shredder', 'hardware', 3));
    });
  });
  // Big Lindemann weldments: one of each, in the yard.
  for (const [name, number] of [
    ['BASE ASSY, 80/104', 'MQ0051120-000'],
    ['DEFLECTOR BOX ASSY, 80/104', 'MQ0051135-000'],
    ['INFEED BAFFLE WELDMENT', 'MQ0051162-000'],
  ] as const) {
    add({ ...lindemannPart(random, number, name, 'Shredder', 'weldments', 2), stock: 1, minQuantity: 1 });
  }

  for (const line of CATALOG) {
    for (const [name, code] of line.items) add(catalogPart(random, line, name, code));
  }
  return parts;
}

function metsoPart(random: Random, partNumber: string, name: string, partType: string, assembly: string, wear: number): PartSpec {
  return {
    partNumber,
    name,
    description: random.chance(0.5) ? `${SHREDDER_MODEL} ${assembly}` : null,
    category: 'Shredder',
    partType,
    // The storeroom's real-world spelling, kept on purpose: search must cope with it.
    manufacturer: random.weighted([['Metzo', 70], ['Metso', 25], [null, 5]] as const),
    supplier: 'Metso',
    unitCost: random.chance(0.2) ? random.decimal(180, 4200, 0) : null,
    unit: 'ea',
    minQuantity: 1,
    stock: random.weighted([[0, 8], [1, 15], [2, 40], [3, 25], [4, 12]] as const),
    leadTimeDays: random.chance(0.7) ? random.int(42, 120) : null,
    location: 'Yard',
    wearRating: wear,
    usedOn: SHREDDER_LINE,
  };
}

function lindemannPart(random: Random, partNumber: string, name: string, partType: string, assembly: string, wear: number): PartSpec {
  return {
    partNumber,
    name,
    description: `Aftermarket, fits ${SHREDDER_MODEL} ${assembly}`,
    category: 'Shredder',
    partType,
    manufacturer: 'Lindemann',
    supplier: 'Lindemann',
    unitCost: random.chance(0.5) ? random.decimal(45, 3800, 2) : null,
    unit: 'ea',
    minQuantity: 1,
    stock: random.int(1, 8),
    leadTimeDays: random.int(30, 90),
    location: 'Yard',
    wearRating: wear,
    usedOn: SHREDDER_LINE,
  };
}

function catalogPart(random: Random, line: CatalogLine, name: string, code: string): PartSpec {
  const minQuantity = random.int(...line.min);
  const counted = random.int(...line.stock);
  return {
    partNumber: `${line.prefix}-${code}`,
    name,
    description: null,
    category: line.category,
    partType: line.partType,
    manufacturer: random.pick(line.manufacturers),
    supplier: random.pick(line.suppliers),
    unitCost: line.cost ? random.decimal(line.cost[0], line.cost[1], 2) : null,
    unit: line.unit ?? 'ea',
    minQuantity,
    // Most bins were above their reorder point at the count; some already were not.
    stock: random.chance(0.85) ? Math.max(counted, minQuantity + 1) : counted,
    leadTimeDays: random.int(...line.lead),
    location: line.location === 'Yard' ? 'Yard' : `${line.location}-${random.int(1, 8)}`,
    wearRating: random.int(...line.wear),
    usedOn: line.usedOn,
  };
}

// ---------------------------------------------------------------------------------------------
// Maintenance log texts
// ---------------------------------------------------------------------------------------------

/** Which log texts fit a machine. */
function machineGroup(machine: MachineSpec): MachineGroup {
  if (machine.type === 'shredder' || machine.parent === 'CIMCO001') {
    return machine.type === 'conveyor' ? 'conveyor' : 'shredder';
  }
  switch (machine.type) {
    case 'conveyor':
      return 'conveyor';
    case 'magnet':
    case 'separator':
      return 'separator';
    case 'crane':
    case 'loader':
    case 'excavator':
    case 'truck':
      return 'mobile';
    case 'baler':
    case 'shear':
      return 'baler';
    default:
      return 'utility';
  }
}

/** How many log entries the demo history has, roughly (task logs and meter readings included). */
const TARGET_LOGS = 150;

// ---------------------------------------------------------------------------------------------
// The plan: every row, in memory, before anything is written
// ---------------------------------------------------------------------------------------------

type Row = Record<string, unknown>;

export interface DemoPlan {
  sites: Row[];
  users: Row[];
  equipment: Row[];
  equipment_status_changes: Row[];
  parts: Row[];
  tasks: Row[];
  task_templates: Row[];
  pm_schedules: Row[];
  logs: Row[];
  incoming_orders: Row[];
  stock_movements: Row[];
  knowledge: Row[];
  knowledge_votes: Row[];
}

/** Insert order: each table only references tables before it. */
const TABLE_ORDER = [
  'sites',
  'users',
  'equipment',
  'equipment_status_changes',
  'parts',
  'tasks',
  'task_templates',
  'pm_schedules',
  'logs',
  'incoming_orders',
  'stock_movements',
  'knowledge',
  'knowledge_votes',
] as const satisfies ReadonlyArray<keyof DemoPlan>;

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
// The yard's working day, in UTC: 06:00 Chicago is about 12:00 UTC (close enough for demo data).
const YARD_UTC_OFFSET_HOURS = 6;

/** Dates relative to "now", in yard working hours. */
function createClock(now: Date) {
  const localDay = Math.floor((now.getTime() - YARD_UTC_OFFSET_HOURS * HOUR) / DAY);
  return {
    /** A moment `daysAgo` days back at `hour` yard time; never in the future. */
    at(daysAgo: number, hour = 9, minute = 0): Date {
      const ms = (localDay - daysAgo) * DAY + (hour + YARD_UTC_OFFSET_HOURS) * HOUR + minute * 60_000;
      return new Date(Math.min(ms, now.getTime() - 5 * 60_000));
    },
    /** A calendar date (YYYY-MM-DD) relative to the yard's today. */
    date(daysFromToday: number): string {
      return new Date((localDay + daysFromToday) * DAY).toISOString().slice(0, 10);
    },
  };
}

type Clock = ReturnType<typeof createClock>;

/**
 * Which yard the demo content is planted in: the demo yard itself, or a training yard (a copy of
 * the same content beside a live yard, training/training-yard.ts) whose accounts carry its code.
 */
export interface DemoYardIdentity {
  site: { id: string; code: string; name: string; timezone: string; trainingFor: string | null };
  /** The stored username of each demo account in this yard. */
  username(account: Username): string;
}

/** The demo yard as `npm start` seeds it. */
function demoYardIdentity(): DemoYardIdentity {
  return { site: { id: uuidv7(), ...DEMO_SITE, trainingFor: null }, username: (account) => account };
}

/**
 * Builds every row of the demo yard. Pure apart from the ids: the same `now` gives the same content.
 * `passwordHashes` is keyed by the demo account's name (DEMO_ACCOUNTS).
 */
export function planDemoYard(
  now: Date,
  passwordHashes: ReadonlyMap<string, string>,
  yard: DemoYardIdentity = demoYardIdentity(),
): DemoPlan {
  const random = createRandom(DEMO_RANDOM_SEED);
  const clock = createClock(now);
  const plan: DemoPlan = {
    sites: [], users: [], equipment: [], equipment_status_changes: [], parts: [], tasks: [], task_templates: [], pm_schedules: [], logs: [],
    incoming_orders: [], stock_movements: [], knowledge: [], knowledge_votes: [],
  };

  const siteId = yard.site.id;
  plan.sites.push({
    id: siteId, code: yard.site.code, name: yard.site.name, timezone: yard.site.timezone, is_demo: true,
    training_for: yard.site.trainingFor,
    created_at: clock.at(120, 8), updated_at: clock.at(120, 8),
  });

  // Users.
  const userIds = new Map<string, string>(DEMO_ACCOUNTS.map((a) => [a.username, uuidv7()]));
  const userId = (username: Username): string => must(userIds.get(username), `user ${username}`);
  for (const account of DEMO_ACCOUNTS) {
    plan.users.push({
      id: userId(account.username as Username), site_id: siteId, username: yard.username(account.username as Username),
      display_name: account.displayName, role: account.role, locale: account.locale,
      password_hash: must(passwordHashes.get(account.username), `password hash of ${account.username}`),
      created_at: clock.at(118, 8), updated_at: clock.at(118, 8),
      updated_by: account.username === 'admin' ? null : userId('admin'),
    });
  }

  // Equipment.
  const machineIds = new Map<string, string>(MACHINES.map((m) => [m.tag, uuidv7()]));
  const machineId = (tag: string): string => must(machineIds.get(tag), `machine ${tag}`);
  for (const machine of MACHINES) {
    const createdAt = clock.at(random.int(100, 115), 10);
    const statusChangedAt = machine.statusDaysAgo === undefined ? createdAt : clock.at(machine.statusDaysAgo, 7, 30);
    plan.equipment.push({
      id: machineId(machine.tag), site_id: siteId, tag: machine.tag, name: machine.name, type: machine.type,
      area: machine.area, make: machine.make ?? null, model: machine.model ?? null, serial: machine.serial ?? null,
      parent_id: machine.parent ? machineId(machine.parent) : null, status: machine.status ?? 'running',
      status_changed_at: statusChangedAt, criticality: machine.criticality, meter: machine.meter ?? null,
      meter_unit: machine.meterUnit ?? 'hours', notes: machine.notes ?? null, created_at: createdAt,
      updated_at: statusChangedAt > createdAt ? statusChangedAt : createdAt,
      updated_by: machine.statusDaysAgo === undefined ? userId('admin') : userId('supervisor'),
    });
    // Its status history: running since it was added, then the status it has now.
    const history: { status: string; previous_status: string | null; at: Date; by: string }[] = [
      { status: 'running', previous_status: null, at: createdAt, by: userId('admin') },
    ];
    if ((machine.status ?? 'running') !== 'running') {
      history.push({ status: machine.status!, previous_status: 'running', at: statusChangedAt, by: userId('supervisor') });
    }
    for (const change of history) {
      plan.equipment_status_changes.push({
        id: uuidv7(), site_id: siteId, equipment_id: machineId(machine.tag), status: change.status, previous_status: change.previous_status,
        changed_at: change.at, changed_by: change.by, note: null, created_at: change.at, updated_at: change.at, updated_by: change.by,
      });
    }
  }

  // Parts (quantity 0: stock arrives through the ledger below).
  const parts = buildParts(random);
  const partIds = new Map<string, string>(parts.map((p) => [p.partNumber, uuidv7()]));
  const partByName = (name: string): PartSpec =>
    must(parts.find((p) => p.name === name), `part named "${name}"`);
  const partId = (part: PartSpec): string => must(partIds.get(part.partNumber), `part ${part.partNumber}`);
  for (const part of parts) {
    const createdAt = clock.at(random.int(90, 110), 14);
    plan.parts.push({
      id: partId(part), site_id: siteId, part_number: part.partNumber, name: part.name, description: part.description,
      category: part.category, part_type: part.partType, manufacturer: part.manufacturer, supplier: part.supplier,
      unit_cost: part.unitCost, quantity: 0, min_quantity: part.minQuantity, unit: part.unit,
      lead_time_days: part.leadTimeDays, location: part.location, wear_rating: part.wearRating,
      created_at: createdAt, updated_at: createdAt, updated_by: userId('storeroom'),
    });
  }

  const movements: Movement[] = [];
  const taskIds = planTasks(plan, { random, clock, siteId, userId, machineId, partByName, partId, movements });
  planLogs(plan, { random, clock, siteId, userId, machineId });
  planOrders(plan, { random, clock, siteId, userId, machineId, partByName, partId, movements });
  planStock(plan, parts, { random, clock, siteId, userId, machineId, partId, movements });
  planKnowledge(plan, { clock, siteId, userId, machineId, taskIds });
  for (const template of TEMPLATES) {
    const at = clock.at(60, 8);
    plan.task_templates.push({
      id: uuidv7(), site_id: siteId, title: template.title, category: template.category, priority: template.priority,
      checklist: template.checklist, typical_parts: template.typicalParts ?? null,
      created_by: userId('supervisor'), created_at: at, updated_at: at, updated_by: userId('supervisor'),
    });
  }
  for (const pm of PM_SCHEDULES) {
    const equipmentId = machineId(pm.machine);
    const meter = Number(must(plan.equipment.find((row) => row.id === equipmentId), `machine ${pm.machine}`).meter ?? 0);
    const at = clock.at(45, 8);
    plan.pm_schedules.push({
      id: uuidv7(), site_id: siteId, equipment_id: equipmentId, title: pm.title, category: pm.category, priority: pm.priority,
      checklist: pm.checklist ?? null,
      every_days: 'days' in pm.every ? pm.every.days : null, next_due_on: 'days' in pm.every ? clock.date(pm.every.dueInDays) : null,
      every_meter: 'meter' in pm.every ? pm.every.meter : null, next_due_meter: 'meter' in pm.every ? Math.round(meter) + pm.every.dueIn : null,
      created_by: userId('supervisor'), created_at: at, updated_at: at, updated_by: userId('supervisor'),
    });
  }
  return plan;
}

interface Movement {
  part: string;
  delta: number;
  reason: StockReason;
  at: Date;
  author: string;
  taskId?: string;
  equipmentId?: string;
  orderId?: string;
  note?: string;
}

interface PlanContext {
  random: Random;
  clock: Clock;
  siteId: string;
  userId: (username: Username) => string;
  machineId: (tag: string) => string;
}

function planTasks(
  plan: DemoPlan,
  ctx: PlanContext & {
    partByName: (name: string) => PartSpec;
    partId: (part: PartSpec) => string;
    movements: Movement[];
  },
): Map<string, string> {
  const { clock, siteId, userId, machineId } = ctx;
  const taskIds = new Map<string, string>();
  for (const task of TASKS) {
    const id = uuidv7();
    taskIds.set(task.title, id);
    const createdBy = userId(task.createdBy ?? 'supervisor');
    const assignee = task.assignee ? userId(task.assignee) : null;
    const createdAt = clock.at(task.createdDaysAgo, 7, 15);
    const completedAt = task.completedDaysAgo === undefined ? null : clock.at(task.completedDaysAgo, 15, 30);
    // LOTO is confirmed when the work starts: a few hours before it was done, or this morning.
    const lotoAt = task.loto ? (completedAt ? new Date(completedAt.getTime() - 5 * HOUR) : clock.at(Math.min(task.createdDaysAgo, 1), 7, 45)) : null;
    const updatedAt = completedAt ?? lotoAt ?? (task.status === 'open' ? createdAt : clock.at(Math.max(0, task.createdDaysAgo - 1), 11));
    plan.tasks.push({
      id, site_id: siteId, equipment_id: machineId(task.machine), title: task.title, description: task.description ?? null,
      priority: task.priority, category: task.category, status: task.status, assignee_id: assignee,
      due_date: task.dueInDays === undefined ? null : clock.date(task.dueInDays),
      loto_confirmed: task.loto ?? false, loto_confirmed_at: lotoAt, loto_confirmed_by: lotoAt ? assignee : null,
      resolution: task.resolution ?? null, completed_at: completedAt, completed_by: completedAt ? assignee : null,
      cancelled_reason: task.cancelledReason ?? null, created_by: createdBy, created_at: createdAt, updated_at: updatedAt,
      updated_by: task.status === 'cancelled' ? userId('supervisor') : (assignee ?? createdBy),
    });

    // Finished jobs leave a log entry and the parts they took.
    if (completedAt && assignee) {
      plan.logs.push(logRow(ctx, {
        machine: task.machine, taskId: id, kind: 'repair', body: task.resolution ?? task.title,
        author: assignee, at: completedAt, hours: task.hoursSpent ?? null, loto: true,
      }));
      for (const [name, quantity] of task.parts ?? []) {
        ctx.movements.push({
          part: ctx.partId(ctx.partByName(name)), delta: -quantity, reason: 'used',
          at: new Date(completedAt.getTime() - 2 * HOUR), author: assignee, taskId: id,
          equipmentId: machineId(task.machine), note: task.title,
        });
      }
    } else if (task.status === 'in_progress' && assignee) {
      plan.logs.push(logRow(ctx, {
        machine: task.machine, taskId: id, kind: 'note', body: `Started: ${task.title}`,
        author: assignee, at: updatedAt, hours: null, loto: task.loto ?? false,
      }));
    }
  }
  return taskIds;
}

interface LogInput {
  machine: string;
  taskId?: string;
  kind: LogKind;
  body: string;
  author: string;
  at: Date;
  hours: number | null;
  loto: boolean;
  meterReading?: number;
}

function logRow(ctx: PlanContext, log: LogInput): Row {
  // Entries are written on the tablet and reach the server at the next sync, minutes later.
  const clientCreatedAt = new Date(log.at.getTime() - ctx.random.int(1, 40) * 60_000);
  return {
    id: uuidv7(), site_id: ctx.siteId, equipment_id: ctx.machineId(log.machine), task_id: log.taskId ?? null,
    kind: log.kind, body: log.body, author_id: log.author, hours_spent: log.hours,
    meter_reading: log.meterReading ?? null, loto_confirmed: log.kind === 'repair' || log.loto,
    client_created_at: clientCreatedAt, created_at: log.at, updated_at: log.at, updated_by: log.author,
  };
}

function planLogs(plan: DemoPlan, ctx: PlanContext): void {
  const { random, clock, userId } = ctx;
  const technicians = [
    { id: userId('tech'), language: 'es' as const },
    { id: userId('tech2'), language: 'en' as const },
  ];

  // Meter readings about once a month on machines that have a meter and matter.
  for (const machine of MACHINES) {
    if (machine.meter === undefined || !machine.perDay || machine.criticality < 3 || machine.status === 'retired') continue;
    for (let daysAgo = random.int(1, 6); daysAgo <= 90; daysAgo += random.int(27, 33)) {
      const tech = random.pick(technicians);
      const reading = Math.max(0, Math.round((machine.meter - machine.perDay * daysAgo) * 10) / 10);
      const unit = machine.meterUnit === 'miles' ? 'mi' : 'h';
      const body = tech.language === 'es'
        ? `${machine.meterUnit === 'miles' ? 'Odómetro' : 'Horómetro'} ${reading} ${unit}`
        : `${machine.meterUnit === 'miles' ? 'Odometer' : 'Hour meter'} ${reading} ${unit}`;
      plan.logs.push(logRow(ctx, {
        machine: machine.tag, kind: 'meter_reading', body, author: tech.id,
        at: clock.at(daysAgo, 6, random.int(30, 59)), hours: null, loto: false, meterReading: reading,
      }));
    }
  }

  // Everyday entries, weighted towards the machines that matter most.
  const candidates = MACHINES.filter((m) => m.status !== 'retired').map((m) => [m, m.criticality ** 2] as const);
  const supervisor = userId('supervisor');
  while (plan.logs.length < TARGET_LOGS) {
    const machine = random.weighted(candidates);
    const kind = random.weighted([['inspection', 40], ['preventive', 22], ['repair', 20], ['note', 18]] as const);
    const author = kind === 'note' && random.chance(0.3) ? { id: supervisor, language: 'en' as const } : random.pick(technicians);
    const texts = LOG_TEXTS[machineGroup(machine)][kind];
    // Tomás writes in Spanish most of the time, not always.
    const body = author.language === 'es' && random.chance(0.8) ? random.pick(texts.es) : random.pick(texts.en);
    const hours = kind === 'note' ? null
      : kind === 'inspection' ? random.pick([0.25, 0.5, 0.5, 1])
      : kind === 'preventive' ? random.pick([0.5, 1, 1.5, 2, 3])
      : random.pick([1, 1.5, 2, 3, 4, 6, 8]);
    plan.logs.push(logRow(ctx, {
      machine: machine.tag, kind, body, author: author.id, at: clock.at(random.int(0, 90), random.int(6, 16), random.int(0, 59)),
      hours, loto: kind === 'repair' || (kind === 'preventive' && random.chance(0.6)),
    }));
  }
}

function planOrders(
  plan: DemoPlan,
  ctx: PlanContext & { partByName: (name: string) => PartSpec; partId: (part: PartSpec) => string; movements: Movement[] },
): void {
  const { clock, siteId, userId } = ctx;
  let orderNumber = 30_112;
  for (const order of ORDERS) {
    const part = ctx.partByName(order.part);
    const id = uuidv7();
    const received = order.status === 'received' ? order.ordered : (order.received ?? 0);
    const receivedAt = order.receivedDaysAgo === undefined ? null : clock.at(order.receivedDaysAgo, 10, 20);
    const createdAt = clock.at(order.orderedDaysAgo, 9, 40);
    orderNumber += ctx.random.int(3, 40);
    const number = `PO-${orderNumber}`;
    plan.incoming_orders.push({
      id, site_id: siteId, part_id: ctx.partId(part), order_number: number, supplier: part.supplier,
      quantity_ordered: order.ordered, quantity_received: received, status: order.status,
      ordered_at: clock.date(-order.orderedDaysAgo), expected_at: clock.date(order.expectedInDays),
      received_at: receivedAt, tracking_number: order.tracking ?? null, notes: order.notes ?? null,
      created_at: createdAt, updated_at: receivedAt ?? createdAt, updated_by: userId('storeroom'),
    });
    // What was received is in stock exactly once, through the ledger.
    if (received > 0 && receivedAt) {
      ctx.movements.push({
        part: ctx.partId(part), delta: received, reason: 'received', at: receivedAt,
        author: userId('storeroom'), orderId: id, note: number,
      });
    }
  }
}

/**
 * The physical count ~75 days ago, then usage through to today. Usage never exceeds what was
 * counted, so however usage and receipts interleave, no part goes below zero. Parts with orders
 * still open are the ones that ran low (that is why they were ordered).
 */
function planStock(
  plan: DemoPlan,
  parts: readonly PartSpec[],
  ctx: PlanContext & { partId: (part: PartSpec) => string; movements: Movement[] },
): void {
  const { random, clock, userId, machineId } = ctx;
  const waiting = new Set(
    ORDERS.filter((o) => o.status === 'ordered' || o.status === 'shipped' || o.status === 'partial').map((o) => o.part),
  );
  const usable = new Set(MACHINES.filter((m) => m.status !== 'retired').map((m) => m.tag));
  const storeroom = userId('storeroom');
  const technicians = [userId('tech'), userId('tech2')];

  for (const part of parts) {
    const id = ctx.partId(part);
    const planned = ctx.movements.filter((m) => m.part === id);
    const taskUse = -sum(planned.filter((m) => m.reason === 'used').map((m) => m.delta));
    const received = sum(planned.filter((m) => m.reason === 'received').map((m) => m.delta));

    let counted = Math.max(part.stock, taskUse);
    let extraUse: number;
    if (waiting.has(part.name)) {
      // End between the received quantity and the reorder point: low, with an order on the way.
      const target = received + random.int(0, Math.max(0, part.minQuantity - received));
      counted = Math.max(counted, taskUse + target - received);
      extraUse = counted + received - target - taskUse;
    } else {
      const left = counted - taskUse;
      const roll = random.next();
      const wearing = (part.wearRating ?? 1) >= 3;
      if (part.location === 'Yard') extraUse = roll < 0.12 && left >= 2 ? 1 : 0; // castings: changed at rebuilds
      else if (roll < 0.03 && wearing) extraUse = left; // used up
      else if (roll < 0.15 && wearing) extraUse = Math.max(0, left - random.int(1, Math.max(1, part.minQuantity))); // ran low
      else if (roll < 0.6) extraUse = random.int(0, Math.floor(left * 0.4));
      else extraUse = 0;
    }

    const countAt = clock.at(random.int(74, 76), random.int(7, 15), random.int(0, 59));
    if (counted > 0 || random.chance(0.25)) {
      // A zero count is kept on purpose for a few parts: "counted, and the bin was empty".
      ctx.movements.push({ part: id, delta: counted, reason: 'count', at: countAt, author: storeroom, note: random.pick(['Physical count', 'Conteo físico']) });
    }
    for (const amount of splitUsage(random, extraUse)) {
      const machines = part.usedOn.filter((tag) => usable.has(tag));
      const machine = machines.length > 0 ? random.pick(machines) : undefined;
      ctx.movements.push({
        part: id, delta: -amount, reason: 'used', at: clock.at(random.int(1, 60), random.int(7, 16), random.int(0, 59)),
        author: random.pick(technicians), equipmentId: machine ? machineId(machine) : undefined,
        note: machine ? `Used on ${machine}` : 'Shop stock',
      });
    }
  }

  // In time order, so each movement's quantity_after is the running total the history screen shows.
  const ordered = ctx.movements
    .map((movement, index) => ({ movement, index }))
    .sort((a, b) => a.movement.at.getTime() - b.movement.at.getTime() || a.index - b.index);
  for (const { movement } of ordered) {
    plan.stock_movements.push({
      id: uuidv7(), site_id: ctx.siteId, part_id: movement.part, delta: movement.delta, reason: movement.reason,
      task_id: movement.taskId ?? null, equipment_id: movement.equipmentId ?? null, order_id: movement.orderId ?? null,
      note: movement.note ?? null, author_id: movement.author, client_created_at: movement.at,
      created_at: movement.at, updated_at: movement.at, updated_by: movement.author,
    });
  }
}

/** A total usage split into a few withdrawals of one or more units. */
function splitUsage(random: Random, total: number): number[] {
  const amounts: number[] = [];
  let left = total;
  while (left > 0) {
    const amount = amounts.length >= 3 ? left : random.int(1, Math.max(1, Math.ceil(left / 2)));
    amounts.push(amount);
    left -= amount;
  }
  return amounts;
}

function planKnowledge(
  plan: DemoPlan,
  ctx: Omit<PlanContext, 'random'> & { taskIds: ReadonlyMap<string, string> },
): void {
  const { clock, siteId, userId, machineId } = ctx;
  for (const entry of KNOWLEDGE) {
    const id = uuidv7();
    const createdAt = clock.at(entry.createdDaysAgo, 16, 10);
    const votes = entry.votes ?? [];
    plan.knowledge.push({
      id, site_id: siteId, equipment_id: entry.machine ? machineId(entry.machine) : null,
      task_id: entry.task ? must(ctx.taskIds.get(entry.task), `task "${entry.task}"`) : null,
      category: entry.category, problem: entry.problem, cause: entry.cause, fix_steps: entry.fix,
      author_id: userId(entry.author), helpful_votes: votes.length, created_at: createdAt, updated_at: createdAt,
      updated_by: userId(entry.author),
    });
    votes.forEach((voter, index) => {
      const at = clock.at(Math.max(0, entry.createdDaysAgo - 1 - index * 3), 12, 5 * index);
      plan.knowledge_votes.push({
        id: uuidv7(), site_id: siteId, knowledge_id: id, user_id: userId(voter),
        created_at: at, updated_at: at, updated_by: userId(voter),
      });
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Writing it
// ---------------------------------------------------------------------------------------------

export type DemoCounts = { [Table in keyof DemoPlan]: number };

/**
 * Seeds the demo yard unless a site `sterling` exists. Safe to call on every start, from several
 * servers at once.
 */
export async function seedDemoYard(pool: pg.Pool, logger: Logger): Promise<{ seeded: boolean }> {
  // Cheap check first, so a normal restart does not spend time hashing passwords.
  if (await demoSiteExists(pool)) return { seeded: false };

  const hashes = new Map(
    await Promise.all(DEMO_ACCOUNTS.map(async (a) => [a.username, await hashPassword(DEMO_PASSWORD)] as const)),
  );

  const client = await pool.connect();
  try {
    await client.query('begin');
    try {
      // Servers starting together queue here; the others then find the site and stop.
      await client.query('select pg_advisory_xact_lock($1)', [DEMO_SEED_LOCK_KEY]);
      if (await demoSiteExists(client)) {
        await client.query('rollback');
        return { seeded: false };
      }
      // Usernames are unique across the server: a real account with a demo name wins.
      const { rows: taken } = await client.query<{ username: string }>(
        'select username from users where username = any($1::text[])',
        [DEMO_ACCOUNTS.map((a) => a.username)],
      );
      if (taken.length > 0) {
        await client.query('rollback');
        logger.warn(
          { usernames: taken.map((r) => r.username) },
          'demo yard not seeded: accounts with the demo usernames already exist (set DEMO=false to silence this)',
        );
        return { seeded: false };
      }

      const counts = await writeDemoPlan(client, planDemoYard(new Date(), hashes));
      await client.query('commit');
      logger.info({ site: DEMO_SITE.code, counts }, 'demo yard seeded');
      return { seeded: true };
    } catch (error) {
      await client.query('rollback').catch(() => {});
      throw error;
    }
  } finally {
    client.release();
  }
}

/** Writes a planned yard, in the caller's transaction; returns the rows written per table. */
export async function writeDemoPlan(client: pg.PoolClient, plan: DemoPlan): Promise<DemoCounts> {
  for (const table of TABLE_ORDER) await insertRows(client, table, plan[table]);
  return Object.fromEntries(TABLE_ORDER.map((t) => [t, plan[t].length])) as DemoCounts;
}

async function demoSiteExists(db: pg.Pool | pg.PoolClient): Promise<boolean> {
  const { rowCount } = await db.query('select 1 from sites where code = $1', [DEMO_SITE.code]);
  return (rowCount ?? 0) > 0;
}

// Postgres allows 65,535 parameters a statement; stay well below.
const MAX_PARAMETERS = 30_000;

/** Multi-row INSERT … VALUES, in as few statements as the parameter limit allows. */
async function insertRows(client: pg.PoolClient, table: keyof DemoPlan, rows: readonly Row[]): Promise<void> {
  const first = rows[0];
  if (!first) return;
  const columns = Object.keys(first);
  const perStatement = Math.max(1, Math.floor(MAX_PARAMETERS / columns.length));
  for (let start = 0; start < rows.length; start += perStatement) {
    const values: unknown[] = [];
    const tuples = rows.slice(start, start + perStatement).map((row) => {
      const placeholders = columns.map((column) => {
        values.push(row[column] ?? null);
        return `$${values.length}`;
      });
      return `(${placeholders.join(', ')})`;
    });
    await client.query(`insert into ${table} (${columns.join(', ')}) values ${tuples.join(', ')}`, values);
  }
}

function sum(values: readonly number[]): number {
  return values.reduce((total, v) => total + v, 0);
}

function must<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`demo yard data refers to an unknown ${what}`);
  return value;
}
