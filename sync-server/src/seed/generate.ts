import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import type { EquipmentStatus, EquipmentType, LogKind, MeterUnit, TaskCategory, TaskStatus } from '@cimco/contract';
import { hashPassword } from '../auth/passwords.ts';
import { createRandom, type Random } from './random.ts';

/**
 * Bulk data for benchmarks (`npm run seed -- --parts 50000 …`): tens of thousands of rows a second.
 *
 * - Rows go in as column arrays, `insert … select from unnest($1::uuid[], $2::text[], …)`, one
 *   statement per batch of 5,000 rows, so a batch costs one round trip and one plan.
 * - Stock goes through the ledger like everywhere else: parts are inserted with quantity 0 and one
 *   `count` movement per part with stock, in the same transaction, so quantity = Σ movements holds.
 * - Each batch commits on its own. A giant single transaction would reach the change feed as one
 *   enormous transaction; a failed run leaves the batches before it, all under its own prefix.
 * - Every run has a fresh prefix (e.g. `B7K2QX`) in its part numbers and equipment tags, so running
 *   it again on the same site never collides. Content is deterministic for a given `seed`.
 */

export interface GenerateOptions {
  /** Site code; created (not as a demo yard) if missing. */
  site: string;
  parts: number;
  equipment: number;
  logs: number;
  /** Default: one task for every two machines. */
  tasks?: number;
  /** PRNG seed for the content. Default 1. */
  seed?: number;
}

export interface GenerateResult {
  siteId: string;
  parts: number;
  equipment: number;
  logs: number;
  tasks: number;
  /** `count` movements written for parts with starting stock. */
  stockMovements: number;
  /** The run's prefix in part numbers and equipment tags. */
  prefix: string;
}

export const GENERATE_BATCH_SIZE = 5_000;
export const GENERATE_MAX_ROWS = 10_000_000;
const SITE_CODE = /^[a-z0-9][a-z0-9-]{0,31}$/;
const DAY = 86_400_000;

// ---------------------------------------------------------------------------------------------
// Vocabulary
// ---------------------------------------------------------------------------------------------

interface MachineKind {
  type: EquipmentType;
  name: string;
  makes: readonly string[];
  meter: MeterUnit | null;
  weight: number;
}

const MACHINE_KINDS: readonly MachineKind[] = [
  { type: 'conveyor', name: 'Conveyor', makes: ['Continental', 'Superior', 'Metso', 'Kinergy'], meter: 'hours', weight: 20 },
  { type: 'motor', name: 'Drive motor', makes: ['WEG', 'Baldor', 'TECO-Westinghouse', 'Siemens'], meter: 'hours', weight: 14 },
  { type: 'pump', name: 'Pump', makes: ['Grundfos', 'Gorman-Rupp', 'Parker', 'Goulds'], meter: 'hours', weight: 10 },
  { type: 'hydraulic_unit', name: 'Hydraulic power unit', makes: ['Parker', 'Bosch Rexroth', 'Eaton'], meter: 'hours', weight: 6 },
  { type: 'separator', name: 'Separator', makes: ['Eriez', 'Steinert', 'McCloskey'], meter: 'hours', weight: 6 },
  { type: 'magnet', name: 'Drum magnet', makes: ['Eriez', 'Walker Magnetics'], meter: null, weight: 4 },
  { type: 'crane', name: 'Material handler', makes: ['Sennebogen', 'Liebherr', 'Fuchs'], meter: 'hours', weight: 6 },
  { type: 'loader', name: 'Wheel loader', makes: ['Caterpillar', 'Volvo', 'Komatsu'], meter: 'hours', weight: 6 },
  { type: 'excavator', name: 'Excavator', makes: ['Caterpillar', 'Komatsu', 'Hitachi'], meter: 'hours', weight: 3 },
  { type: 'truck', name: 'Roll-off truck', makes: ['Kenworth', 'Mack', 'Peterbilt'], meter: 'miles', weight: 5 },
  { type: 'baler', name: 'Baler', makes: ['Harris', 'Sierra'], meter: 'hours', weight: 2 },
  { type: 'shear', name: 'Shear', makes: ['Sierra', 'Harris'], meter: 'hours', weight: 2 },
  { type: 'shredder', name: 'Shredder', makes: ['Metso Lindemann', 'SSI'], meter: 'hours', weight: 1 },
  { type: 'rotor', name: 'Rotor', makes: ['Metso'], meter: 'hours', weight: 1 },
  { type: 'scale', name: 'Truck scale', makes: ['Mettler Toledo', 'Fairbanks', 'Rice Lake'], meter: null, weight: 2 },
  { type: 'compressor', name: 'Air compressor', makes: ['Atlas Copco', 'Ingersoll Rand'], meter: 'hours', weight: 3 },
  { type: 'generator', name: 'Generator', makes: ['Caterpillar', 'Cummins'], meter: 'hours', weight: 1 },
  { type: 'other', name: 'Machine', makes: ['Hyster', 'Lincoln', 'Demag'], meter: null, weight: 3 },
];

const AREAS = ['Shredder line', 'Nonferrous plant', 'Scale house', 'Yard north', 'Yard south', 'Shop', 'Baler pad', 'Ferrous pile'];

interface PartFamily {
  category: string;
  code: string;
  partType: string | null;
  nouns: readonly string[];
  specs: readonly string[];
  manufacturers: readonly (string | null)[];
  suppliers: readonly string[];
  cost: readonly [number, number] | null;
  location: string;
  weight: number;
}

const PART_FAMILIES: readonly PartFamily[] = [
  { category: 'Shredder', code: 'SH', partType: 'Wear Part', nouns: ['Hammer', 'Grate', 'Side liner', 'Anvil insert', 'Cover plate', 'Pin protector cap', 'Breaker bar', 'Disc cap'], specs: ['RH', 'LH', 'heavy duty', 'standard', '3 1/4 in', '4 1/4 in', 'upper', 'lower'], manufacturers: ['Metso', 'Metzo', 'Lindemann', null], suppliers: ['Metso', 'Lindemann', 'SSI Shredding'], cost: null, location: 'Yard', weight: 20 },
  { category: 'Hydraulics', code: 'HY', partType: 'Hydraulic', nouns: ['Seal kit', 'Filter element', 'Hose assy', 'JIC connector', 'Relief valve', 'Solenoid coil', 'Quick coupler'], specs: ['-08', '-12', '-16', '3 in bore', '5 in bore', '10 micron', '24 VDC'], manufacturers: ['Parker', 'Eaton', 'Hydac', 'Donaldson', 'Gates', null], suppliers: ['Motion Industries', 'Grainger', 'Applied Industrial'], cost: [6, 900], location: 'Bin B', weight: 20 },
  { category: 'Electrical', code: 'EL', partType: 'Electrical', nouns: ['Bearing', 'Contactor', 'Proximity sensor', 'Fuse', 'Limit switch', 'Overload relay', 'Photo eye'], specs: ['6205', '6309', '95 A', 'M18', '30 A', 'heavy duty', '24 V'], manufacturers: ['SKF', 'Allen-Bradley', 'Siemens', 'Banner', 'Bussmann', null], suppliers: ['Grainger', 'Border States', 'Amazon'], cost: [5, 2400], location: 'Bin D', weight: 18 },
  { category: 'Conveyor', code: 'CV', partType: 'Conveyor', nouns: ['Troughing idler', 'Return idler', 'Belt fastener kit', 'Scraper blade', 'Take-up bearing', 'Skirt rubber'], specs: ['24 in', '36 in', '48 in', '60 in'], manufacturers: ['Flexco', 'Martin Engineering', 'Precision Pulley', 'Continental', null], suppliers: ['MSC Direct', 'Applied Industrial'], cost: [18, 1200], location: 'Rack C', weight: 14 },
  { category: 'Mobile equipment', code: 'MB', partType: 'Filter', nouns: ['Engine oil filter', 'Fuel filter', 'Air filter', 'Hydraulic filter', 'Cutting edge', 'Tooth tip', 'Grapple tine'], specs: ['966M', 'L120H', '835 E', 'LH 40', 'T880', 'Granite'], manufacturers: ['Caterpillar', 'Volvo', 'Sennebogen', 'Liebherr', 'Fleetguard', null], suppliers: ['Caterpillar', 'Volvo CE dealer', 'FleetPride'], cost: [12, 4800], location: 'Shelf E', weight: 16 },
  { category: 'General', code: 'GN', partType: 'Consumable', nouns: ['Grease cartridge', 'Welding rod', 'Cutting tip', 'Lockout padlock', 'Gloves', 'Grinding disc'], specs: ['EP2', '7018', '#3', 'red', 'size L', '7 in'], manufacturers: ['Mobil', 'Lincoln Electric', 'Master Lock', '3M', null], suppliers: ['Grainger', 'MSC Direct', 'Amazon'], cost: [4, 300], location: 'Shelf F', weight: 12 },
];

const TASK_TITLES: ReadonlyArray<readonly [string, TaskCategory]> = [
  ['Inspect and grease bearings', 'lubrication'],
  ['Replace worn belt scraper', 'conveyor'],
  ['Hydraulic leak at cylinder', 'hydraulics'],
  ['Check motor amps and temperature', 'electrical'],
  ['Guard missing: refit before start', 'safety'],
  ['Replace hammers', 'shredder'],
  ['250 h service', 'mobile_equipment'],
  ['Weld cracked frame', 'structural'],
  ['General clean-up and inspection', 'general'],
];

const LOG_BODIES: Readonly<Record<LogKind, readonly string[]>> = {
  repair: ['Replaced worn part, tested OK.', 'Cambié la pieza dañada, probado.', 'Fixed leak, topped up oil.'],
  inspection: ['Walk-around done, no issues.', 'Revisión diaria sin novedad.', 'Found wear, tagged for next PM.'],
  preventive: ['Greased all points.', 'Changed filters and oil.', 'Servicio preventivo hecho.'],
  note: ['Running normally.', 'Operator reports noise.', 'Se calienta en la tarde.'],
  meter_reading: ['Meter reading.'],
};

// ---------------------------------------------------------------------------------------------
// The run
// ---------------------------------------------------------------------------------------------

export async function generateYardData(
  pool: pg.Pool,
  options: GenerateOptions,
  onProgress: (message: string) => void = () => {},
): Promise<GenerateResult> {
  const counts = validate(options);
  const random = createRandom(options.seed ?? 1);
  const client = await pool.connect();
  try {
    const siteId = await ensureSite(client, options.site);
    const authorId = await ensureGeneratorUser(client, siteId, options.site);
    const prefix = await freshPrefix(client, siteId);
    const ctx: RunContext = { client, random, siteId, authorId, prefix, now: Date.now(), onProgress };
    onProgress(`site "${options.site}", run prefix ${prefix}`);

    let machines = await insertEquipment(ctx, counts.equipment);
    const { stockMovements } = await insertParts(ctx, counts.parts);
    if (machines.length === 0 && counts.logs + counts.tasks > 0) machines = await existingEquipment(ctx);
    if (machines.length === 0 && counts.logs > 0) {
      throw new Error('logs need equipment: generate some with --equipment, the site has none yet');
    }
    await insertTasks(ctx, counts.tasks, machines);
    await insertLogs(ctx, counts.logs, machines);
    return { siteId, prefix, stockMovements, ...counts };
  } finally {
    client.release();
  }
}

interface RunContext {
  client: pg.PoolClient;
  random: Random;
  siteId: string;
  authorId: string;
  prefix: string;
  now: number;
  onProgress: (message: string) => void;
}

interface Counts {
  parts: number;
  equipment: number;
  logs: number;
  tasks: number;
}

function validate(options: GenerateOptions): Counts {
  if (!SITE_CODE.test(options.site)) {
    throw new RangeError(`site must be a code like "bench" (lower-case letters, digits, dashes), not "${options.site}"`);
  }
  const counts: Counts = {
    parts: options.parts,
    equipment: options.equipment,
    logs: options.logs,
    tasks: options.tasks ?? Math.ceil(options.equipment / 2),
  };
  for (const [name, value] of Object.entries(counts)) {
    if (!Number.isSafeInteger(value) || value < 0 || value > GENERATE_MAX_ROWS) {
      throw new RangeError(`${name} must be a whole number from 0 to ${GENERATE_MAX_ROWS}, not ${value}`);
    }
  }
  if (options.seed !== undefined && !Number.isSafeInteger(options.seed)) {
    throw new RangeError(`seed must be a whole number, not ${options.seed}`);
  }
  return counts;
}

async function ensureSite(client: pg.PoolClient, code: string): Promise<string> {
  await client.query(
    'insert into sites (id, code, name) values ($1, $2, $3) on conflict (code) do nothing',
    [uuidv7(), code, `Benchmark yard ${code}`],
  );
  const { rows } = await client.query<{ id: string; is_demo: boolean }>(
    'select id, is_demo from sites where code = $1',
    [code],
  );
  const site = rows[0];
  if (!site) throw new Error(`site "${code}" could not be created`);
  // Benchmark volumes in the training yard would bury it.
  if (site.is_demo) throw new Error(`site "${code}" is the demo yard: generate benchmark data into another site`);
  return site.id;
}

/**
 * The author of everything generated: a technician named `generator`, or `generator-<site>` when
 * another site already has that name (usernames are unique across the server). Its password is
 * random and thrown away: nobody logs in as it.
 */
async function ensureGeneratorUser(client: pg.PoolClient, siteId: string, code: string): Promise<string> {
  const names = ['generator', `generator-${code}`];
  const find = async () => {
    const { rows } = await client.query<{ id: string }>(
      `select id from users where site_id = $1 and username = any($2::text[]) order by username limit 1`,
      [siteId, names],
    );
    return rows[0]?.id;
  };
  const existing = await find();
  if (existing) return existing;
  const passwordHash = await hashPassword(randomBytes(24).toString('base64url'));
  for (const username of names) {
    const { rows } = await client.query<{ id: string }>(
      `insert into users (id, site_id, username, display_name, role, password_hash)
       values ($1, $2, $3, 'Data generator', 'technician', $4)
       on conflict (username) do nothing
       returning id`,
      [uuidv7(), siteId, username, passwordHash],
    );
    if (rows[0]) return rows[0].id;
  }
  const raced = await find(); // another run on this site created it a moment ago
  if (raced) return raced;
  throw new Error(`cannot create a generator user: usernames ${names.join(', ')} belong to other sites`);
}

/** A short prefix no part number or tag on the site starts with yet. */
async function freshPrefix(client: pg.PoolClient, siteId: string): Promise<string> {
  for (;;) {
    const prefix = `B${BigInt(`0x${randomBytes(4).toString('hex')}`).toString(36).toUpperCase().padStart(5, '0').slice(-5)}`;
    const { rowCount } = await client.query(
      `select 1 from parts where site_id = $1 and upper(part_number) like $2
       union all
       select 1 from equipment where site_id = $1 and upper(tag) like $2
       limit 1`,
      [siteId, `${prefix}-%`],
    );
    if (!rowCount) return prefix;
  }
}

async function existingEquipment(ctx: RunContext): Promise<Machine[]> {
  const { rows } = await ctx.client.query<{ id: string; meter: string | null; meter_unit: MeterUnit }>(
    `select id, meter, meter_unit from equipment where site_id = $1 and status <> 'retired' limit 100000`,
    [ctx.siteId],
  );
  // numeric arrives as text from pg.
  return rows.map((r) => ({ id: r.id, meter: r.meter === null ? null : Number(r.meter), meterUnit: r.meter_unit }));
}

// ---------------------------------------------------------------------------------------------
// Tables
// ---------------------------------------------------------------------------------------------

interface Machine {
  id: string;
  meter: number | null;
  meterUnit: MeterUnit;
}

async function insertEquipment(ctx: RunContext, total: number): Promise<Machine[]> {
  const { random, prefix } = ctx;
  const kinds = MACHINE_KINDS.map((k) => [k, k.weight] as const);
  const machines: Machine[] = [];
  let parent: string | undefined;
  await inBatches(ctx, 'equipment', total, async (start, size) => {
    const c = columns<EquipmentColumns>(['id', 'tag', 'name', 'type', 'area', 'make', 'model', 'serial', 'parent_id', 'status', 'status_changed_at', 'criticality', 'meter', 'meter_unit', 'created_at']);
    for (let i = start; i < start + size; i++) {
      const kind = random.weighted(kinds);
      const id = uuidv7();
      // Every eighth machine starts a group; about half of the rest hang under the latest group.
      const parentId = i % 8 !== 0 && parent && random.chance(0.5) ? parent : null;
      if (!parentId) parent = id;
      const meter = kind.meter ? random.decimal(100, kind.meter === 'miles' ? 400_000 : 60_000, 1) : null;
      const created = ctx.now - random.int(30, 3 * 365) * DAY;
      c.id.push(id);
      c.tag.push(`${prefix}-${String(i + 1).padStart(6, '0')}`);
      c.name.push(`${kind.name} ${i + 1}`);
      c.type.push(kind.type);
      c.area.push(random.pick(AREAS));
      c.make.push(random.pick(kind.makes));
      c.model.push(`${kind.type.slice(0, 3).toUpperCase()}-${random.int(100, 999)}`);
      c.serial.push(random.chance(0.7) ? `SN${random.int(100_000, 999_999)}` : null);
      c.parent_id.push(parentId);
      c.status.push(random.weighted<EquipmentStatus>([['running', 85], ['maintenance', 7], ['down', 5], ['retired', 3]]));
      c.status_changed_at.push(iso(created + random.int(0, 29) * DAY));
      c.criticality.push(random.int(1, 4));
      c.meter.push(meter);
      c.meter_unit.push(kind.meter ?? 'hours');
      c.created_at.push(iso(created));
      machines.push({ id, meter, meterUnit: kind.meter ?? 'hours' });
    }
    await insertUnnest(ctx, 'equipment', [
      ['id', 'uuid', c.id], ['tag', 'text', c.tag], ['name', 'text', c.name], ['type', 'text', c.type],
      ['area', 'text', c.area], ['make', 'text', c.make], ['model', 'text', c.model], ['serial', 'text', c.serial],
      ['parent_id', 'uuid', c.parent_id], ['status', 'text', c.status], ['status_changed_at', 'timestamptz', c.status_changed_at],
      ['criticality', 'smallint', c.criticality], ['meter', 'numeric', c.meter], ['meter_unit', 'text', c.meter_unit],
      ['created_at', 'timestamptz', c.created_at], ['updated_at', 'timestamptz', c.created_at],
    ]);
  });
  return machines;
}

type EquipmentColumns = 'id' | 'tag' | 'name' | 'type' | 'area' | 'make' | 'model' | 'serial' | 'parent_id' | 'status' | 'status_changed_at' | 'criticality' | 'meter' | 'meter_unit' | 'created_at';

/** One generated part: the row's columns and its opening stock. */
export interface GeneratedPart {
  id: string;
  part_number: string;
  name: string;
  category: string;
  part_type: string | null;
  manufacturer: string | null;
  supplier: string;
  unit_cost: number | null;
  min_quantity: number;
  lead_time_days: number;
  location: string;
  wear_rating: number;
  created_at: string;
  /** About a quarter of the catalogue is out of stock. */
  stock: number;
}

const WEIGHTED_FAMILIES = PART_FAMILIES.map((f) => [f, f.weight] as const);

/**
 * The `index`th part of a run (numbers `${prefix}-${family code}-${index + 1, 7 digits}`), drawn
 * from `random` — also used by bench/search-sql.ts for a catalogue to search.
 */
export function generatePart(random: Random, prefix: string, index: number, now: number): GeneratedPart {
  const family = random.weighted(WEIGHTED_FAMILIES);
  const min = random.int(0, 10);
  return {
    id: uuidv7(),
    part_number: `${prefix}-${family.code}-${String(index + 1).padStart(7, '0')}`,
    name: `${random.pick(family.nouns)}, ${random.pick(family.specs)}`,
    category: family.category,
    part_type: family.partType,
    manufacturer: random.pick(family.manufacturers),
    supplier: random.pick(family.suppliers),
    unit_cost: family.cost && random.chance(0.9) ? random.decimal(family.cost[0], family.cost[1], 2) : null,
    min_quantity: min,
    lead_time_days: random.int(1, 90),
    location: family.location === 'Yard' ? 'Yard' : `${family.location}-${random.int(1, 40)}`,
    wear_rating: random.int(1, 5),
    created_at: iso(now - random.int(1, 365) * DAY),
    stock: random.chance(0.25) ? 0 : random.int(1, min * 3 + 5),
  };
}

async function insertParts(ctx: RunContext, total: number): Promise<{ stockMovements: number }> {
  let stockMovements = 0;
  await inBatches(ctx, 'parts', total, async (start, size) => {
    const p = columns<PartColumns>(['id', 'part_number', 'name', 'category', 'part_type', 'manufacturer', 'supplier', 'unit_cost', 'min_quantity', 'lead_time_days', 'location', 'wear_rating', 'created_at']);
    const m = columns<'id' | 'part_id' | 'delta'>(['id', 'part_id', 'delta']);
    for (let i = start; i < start + size; i++) {
      const part = generatePart(ctx.random, ctx.prefix, i, ctx.now);
      for (const column of Object.keys(p) as PartColumns[]) p[column].push(part[column]);
      // Quantity 0 = Σ of no movements.
      if (part.stock > 0) {
        m.id.push(uuidv7());
        m.part_id.push(part.id);
        m.delta.push(part.stock);
      }
    }
    // Parts and their opening counts commit together: a part is never visible with its stock missing.
    await ctx.client.query('begin');
    try {
      await insertUnnest(ctx, 'parts', [
        ['id', 'uuid', p.id], ['part_number', 'text', p.part_number], ['name', 'text', p.name],
        ['category', 'text', p.category], ['part_type', 'text', p.part_type], ['manufacturer', 'text', p.manufacturer],
        ['supplier', 'text', p.supplier], ['unit_cost', 'numeric', p.unit_cost], ['min_quantity', 'integer', p.min_quantity],
        ['lead_time_days', 'integer', p.lead_time_days], ['location', 'text', p.location], ['wear_rating', 'smallint', p.wear_rating],
        ['created_at', 'timestamptz', p.created_at], ['updated_at', 'timestamptz', p.created_at],
      ]);
      await insertUnnest(ctx, 'stock_movements', [
        ['id', 'uuid', m.id], ['part_id', 'uuid', m.part_id], ['delta', 'integer', m.delta],
      ], [['reason', 'text', 'count'], ['note', 'text', 'Opening count (generated)'], ['author_id', 'uuid', ctx.authorId]]);
      await ctx.client.query('commit');
    } catch (error) {
      await ctx.client.query('rollback').catch(() => {});
      throw error;
    }
    stockMovements += m.id.length;
    return `, ${m.id.length} count movements`;
  });
  return { stockMovements };
}

type PartColumns = 'id' | 'part_number' | 'name' | 'category' | 'part_type' | 'manufacturer' | 'supplier' | 'unit_cost' | 'min_quantity' | 'lead_time_days' | 'location' | 'wear_rating' | 'created_at';

async function insertTasks(ctx: RunContext, total: number, machines: readonly Machine[]): Promise<void> {
  const { random } = ctx;
  await inBatches(ctx, 'tasks', total, async (start, size) => {
    const t = columns<TaskColumns>(['id', 'equipment_id', 'title', 'priority', 'category', 'status', 'assignee_id', 'due_date', 'loto_confirmed', 'loto_confirmed_at', 'loto_confirmed_by', 'completed_at', 'completed_by', 'created_at', 'updated_at']);
    for (let i = start; i < start + size; i++) {
      const [title, category] = random.pick(TASK_TITLES);
      const status = random.weighted<TaskStatus>([['open', 45], ['in_progress', 10], ['on_hold', 5], ['done', 35], ['cancelled', 5]]);
      const created = ctx.now - random.int(0, 365) * DAY - random.int(0, DAY - 1);
      const completed = status === 'done' ? Math.min(ctx.now, created + random.int(1, 72) * 3_600_000) : null;
      const loto = status === 'done' || (status === 'in_progress' && random.chance(0.5));
      t.id.push(uuidv7());
      t.equipment_id.push(machines.length > 0 && random.chance(0.95) ? random.pick(machines).id : null);
      t.title.push(title);
      t.priority.push(random.weighted([[1, 20], [2, 45], [3, 25], [4, 10]] as const));
      t.category.push(category);
      t.status.push(status);
      t.assignee_id.push(random.chance(0.7) ? ctx.authorId : null);
      t.due_date.push(random.chance(0.8) ? iso(created + random.int(1, 30) * DAY).slice(0, 10) : null);
      t.loto_confirmed.push(loto);
      t.loto_confirmed_at.push(loto ? iso(completed ?? ctx.now) : null);
      t.loto_confirmed_by.push(loto ? ctx.authorId : null);
      t.completed_at.push(completed === null ? null : iso(completed));
      t.completed_by.push(completed === null ? null : ctx.authorId);
      t.created_at.push(iso(created));
      t.updated_at.push(iso(completed ?? created));
    }
    await insertUnnest(ctx, 'tasks', [
      ['id', 'uuid', t.id], ['equipment_id', 'uuid', t.equipment_id], ['title', 'text', t.title],
      ['priority', 'smallint', t.priority], ['category', 'text', t.category], ['status', 'text', t.status],
      ['assignee_id', 'uuid', t.assignee_id], ['due_date', 'date', t.due_date], ['loto_confirmed', 'boolean', t.loto_confirmed],
      ['loto_confirmed_at', 'timestamptz', t.loto_confirmed_at], ['loto_confirmed_by', 'uuid', t.loto_confirmed_by],
      ['completed_at', 'timestamptz', t.completed_at], ['completed_by', 'uuid', t.completed_by],
      ['created_at', 'timestamptz', t.created_at], ['updated_at', 'timestamptz', t.updated_at],
    ], [['created_by', 'uuid', ctx.authorId]]);
  });
}

type TaskColumns = 'id' | 'equipment_id' | 'title' | 'priority' | 'category' | 'status' | 'assignee_id' | 'due_date' | 'loto_confirmed' | 'loto_confirmed_at' | 'loto_confirmed_by' | 'completed_at' | 'completed_by' | 'created_at' | 'updated_at';

async function insertLogs(ctx: RunContext, total: number, machines: readonly Machine[]): Promise<void> {
  const { random } = ctx;
  await inBatches(ctx, 'logs', total, async (start, size) => {
    const l = columns<LogColumns>(['id', 'equipment_id', 'kind', 'body', 'hours_spent', 'meter_reading', 'loto_confirmed', 'client_created_at', 'created_at']);
    for (let i = start; i < start + size; i++) {
      const machine = random.pick(machines);
      const kind = random.weighted<LogKind>(
        machine.meter === null
          ? [['inspection', 45], ['preventive', 20], ['repair', 20], ['note', 15]]
          : [['inspection', 35], ['preventive', 15], ['repair', 15], ['note', 10], ['meter_reading', 25]],
      );
      const created = ctx.now - random.int(0, 365 * DAY);
      const reading = kind === 'meter_reading' ? Math.round((machine.meter ?? 0) * random.next() * 10) / 10 : null;
      l.id.push(uuidv7());
      l.equipment_id.push(machine.id);
      l.kind.push(kind);
      l.body.push(kind === 'meter_reading' ? `${machine.meterUnit === 'miles' ? 'Odometer' : 'Hour meter'} ${reading}` : random.pick(LOG_BODIES[kind]));
      l.hours_spent.push(kind === 'note' || kind === 'meter_reading' ? null : random.decimal(0.25, 8, 2));
      l.meter_reading.push(reading);
      l.loto_confirmed.push(kind === 'repair' || (kind === 'preventive' && random.chance(0.5)));
      l.client_created_at.push(iso(created - random.int(0, 3_600_000)));
      l.created_at.push(iso(created));
    }
    await insertUnnest(ctx, 'logs', [
      ['id', 'uuid', l.id], ['equipment_id', 'uuid', l.equipment_id], ['kind', 'text', l.kind], ['body', 'text', l.body],
      ['hours_spent', 'numeric', l.hours_spent], ['meter_reading', 'numeric', l.meter_reading],
      ['loto_confirmed', 'boolean', l.loto_confirmed], ['client_created_at', 'timestamptz', l.client_created_at],
      ['created_at', 'timestamptz', l.created_at], ['updated_at', 'timestamptz', l.created_at],
    ], [['author_id', 'uuid', ctx.authorId]]);
  });
}

type LogColumns = 'id' | 'equipment_id' | 'kind' | 'body' | 'hours_spent' | 'meter_reading' | 'loto_confirmed' | 'client_created_at' | 'created_at';

// ---------------------------------------------------------------------------------------------
// Batching
// ---------------------------------------------------------------------------------------------

/** Runs `batch(start, size)` over [0, total) in slices of GENERATE_BATCH_SIZE, reporting each. */
async function inBatches(
  ctx: RunContext,
  label: string,
  total: number,
  batch: (start: number, size: number) => Promise<string | void>,
): Promise<void> {
  for (let start = 0; start < total; start += GENERATE_BATCH_SIZE) {
    const size = Math.min(GENERATE_BATCH_SIZE, total - start);
    const extra = await batch(start, size);
    ctx.onProgress(`${label} ${(start + size).toLocaleString('en-US')}/${total.toLocaleString('en-US')}${extra ?? ''}`);
  }
}

function columns<Name extends string>(names: readonly Name[]): Record<Name, unknown[]> {
  return Object.fromEntries(names.map((n) => [n, []])) as unknown as Record<Name, unknown[]>;
}

type ArrayColumn = readonly [name: string, pgType: string, values: readonly unknown[]];
type ConstantColumn = readonly [name: string, pgType: string, value: unknown];

/**
 * `insert into t (a, b, site_id, updated_by, …) select u.*, $site, $author, … from unnest($1::a[], $2::b[]) u`:
 * one statement whatever the number of rows, with every row's site and author set.
 */
async function insertUnnest(
  ctx: RunContext,
  table: 'equipment' | 'parts' | 'stock_movements' | 'tasks' | 'logs',
  arrays: readonly ArrayColumn[],
  constants: readonly ConstantColumn[] = [],
): Promise<void> {
  if ((arrays[0]?.[2].length ?? 0) === 0) return;
  const allConstants: ConstantColumn[] = [['site_id', 'uuid', ctx.siteId], ['updated_by', 'uuid', ctx.authorId], ...constants];
  const params = [...arrays.map(([, , values]) => values), ...allConstants.map(([, , value]) => value)];
  const unnest = arrays.map(([, type], i) => `$${i + 1}::${type}[]`).join(', ');
  const fixed = allConstants.map(([, type], i) => `$${arrays.length + i + 1}::${type}`).join(', ');
  const names = [...arrays, ...allConstants].map(([name]) => name).join(', ');
  await ctx.client.query(`insert into ${table} (${names}) select u.*, ${fixed} from unnest(${unnest}) as u`, params);
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
