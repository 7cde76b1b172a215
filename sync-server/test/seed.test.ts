import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyPassword } from '../src/auth/passwords.ts';
import { createLogger } from '../src/logger.ts';
import { DEMO_ACCOUNTS, DEMO_PASSWORD, planDemoYard, seedDemoYard } from '../src/seed/demo-yard.ts';
import { generateYardData } from '../src/seed/generate.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';

const logger = createLogger('silent');
const REPO_ROOT = path.resolve(import.meta.dirname, '../..');
const SEEDED_TABLES = ['sites', 'users', 'equipment', 'parts', 'tasks', 'logs', 'incoming_orders', 'stock_movements', 'knowledge', 'knowledge_votes'];

const databases: TestDatabase[] = [];
async function freshDatabase(): Promise<TestDatabase> {
  const db = await createTestDatabase();
  databases.push(db);
  return db;
}
afterAll(async () => {
  await Promise.all(databases.map((db) => db.drop()));
});

async function one<T = Record<string, unknown>>(pool: pg.Pool, sql: string, params: unknown[] = []): Promise<T> {
  const { rows } = await pool.query(sql, params);
  return rows[0] as T;
}

async function tableCounts(pool: pg.Pool): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of SEEDED_TABLES) {
    counts[table] = (await one<{ n: number }>(pool, `select count(*)::int as n from ${table}`)).n;
  }
  return counts;
}

/** Parts whose quantity is not the sum of their ledger (must be none). */
async function ledgerMismatches(pool: pg.Pool): Promise<number> {
  return (
    await one<{ n: number }>(
      pool,
      `select count(*)::int as n from parts p
        where p.quantity <> coalesce((select sum(m.delta) from stock_movements m where m.part_id = p.id), 0)`,
    )
  ).n;
}

describe('demo yard', () => {
  let db: TestDatabase;
  let first: { seeded: boolean };
  beforeAll(async () => {
    db = await freshDatabase();
    first = await seedDemoYard(db.pool, logger);
  });

  it('creates the demo site once', async () => {
    expect(first).toEqual({ seeded: true });
    const { rows } = await db.pool.query('select code, name, is_demo, timezone from sites');
    expect(rows).toEqual([{ code: 'sterling', name: 'Sterling yard', is_demo: true, timezone: 'America/Chicago' }]);
  });

  it('creates the five documented accounts, each with an argon2id hash of "demo"', async () => {
    const { rows } = await db.pool.query<{ username: string; display_name: string; role: string; locale: string; password_hash: string; active: boolean }>(
      `select u.username, u.display_name, u.role, u.locale, u.password_hash, u.active
         from users u join sites s on s.id = u.site_id where s.code = 'sterling' order by u.username`,
    );
    expect(rows.map((r) => ({ username: r.username, displayName: r.display_name, role: r.role, locale: r.locale }))).toEqual(
      [...DEMO_ACCOUNTS].sort((a, b) => a.username.localeCompare(b.username)),
    );
    expect(rows.map((r) => r.username)).toEqual(['admin', 'storeroom', 'supervisor', 'tech', 'tech2']);
    for (const row of rows) {
      expect(row.password_hash).toMatch(/^\$argon2id\$/);
      expect(row.active).toBe(true);
    }
    expect(await Promise.all(rows.map((r) => verifyPassword(r.password_hash, DEMO_PASSWORD)))).toEqual(rows.map(() => true));
    expect(await verifyPassword(rows[0]!.password_hash, 'not-demo')).toBe(false);
  });

  it('has at least 40 machines in a parent/child hierarchy, the shredder with its components', async () => {
    const stats = await one<{ total: number; children: number; statuses: string[]; meters: number }>(
      db.pool,
      `select count(*)::int as total, count(parent_id)::int as children,
              array_agg(distinct status order by status) as statuses, count(meter)::int as meters
         from equipment`,
    );
    expect(stats.total).toBeGreaterThanOrEqual(40);
    expect(stats.children).toBeGreaterThanOrEqual(10);
    expect(stats.statuses).toEqual(['down', 'maintenance', 'retired', 'running']);
    expect(stats.meters).toBeGreaterThan(15);
    const shredder = await one<{ type: string; children: string[] }>(
      db.pool,
      `select s.type, array_agg(c.type order by c.tag) as children
         from equipment s join equipment c on c.parent_id = s.id where s.tag = 'CIMCO001' group by s.type`,
    );
    expect(shredder.type).toBe('shredder');
    expect(shredder.children.length).toBeGreaterThanOrEqual(4);
    expect(shredder.children).toEqual(expect.arrayContaining(['motor', 'rotor', 'conveyor', 'hydraulic_unit']));
    // A grandchild too: the HPU's pump.
    const depth = await one<{ n: number }>(
      db.pool,
      `select count(*)::int as n from equipment c join equipment p on p.id = c.parent_id where p.parent_id is not null`,
    );
    expect(depth.n).toBeGreaterThan(0);
  });

  it('has 200+ parts with the real-world mess: Metzo, Yard, empty manufacturers, unknown costs', async () => {
    const stats = await one<Record<string, number>>(
      db.pool,
      `select count(*)::int as total,
              count(distinct upper(part_number))::int as numbers,
              count(*) filter (where manufacturer = 'Metzo')::int as metzo,
              count(*) filter (where manufacturer = 'Metso')::int as metso,
              count(*) filter (where manufacturer = 'Lindemann')::int as lindemann,
              count(*) filter (where manufacturer is null)::int as no_manufacturer,
              count(*) filter (where location = 'Yard')::int as yard,
              count(*) filter (where location ~ '^(Bin|Shelf|Rack) [A-Z]-\\d$')::int as bins,
              count(*) filter (where unit_cost is null)::int as no_cost,
              count(distinct category)::int as categories,
              count(*) filter (where wear_rating between 1 and 5)::int as rated
         from parts`,
    );
    expect(stats.total).toBeGreaterThanOrEqual(200);
    expect(stats.numbers).toBe(stats.total);
    for (const key of ['metzo', 'metso', 'lindemann', 'no_manufacturer', 'no_cost']) expect(stats[key] ?? 0).toBeGreaterThan(0);
    expect(stats.yard).toBeGreaterThan(40);
    expect(stats.bins).toBeGreaterThan(80);
    expect(stats.categories).toBeGreaterThanOrEqual(6);
    expect(stats.rated).toBe(stats.total);
  });

  it('keeps every quantity equal to the sum of its ledger, never negative, with some low and empty', async () => {
    expect(await ledgerMismatches(db.pool)).toBe(0);
    const stock = await one<{ negative: number; low: number; empty: number; good: number }>(
      db.pool,
      `select count(*) filter (where quantity < 0)::int as negative,
              count(*) filter (where quantity <= min_quantity)::int as low,
              count(*) filter (where quantity = 0)::int as empty,
              count(*) filter (where quantity > min_quantity)::int as good
         from parts`,
    );
    expect(stock.negative).toBe(0);
    expect(stock.low).toBeGreaterThanOrEqual(10);
    expect(stock.empty).toBeGreaterThanOrEqual(3);
    expect(stock.good).toBeGreaterThan(stock.low);
    // quantity_after is the running total in the order the movements happened.
    const running = await one<{ n: number }>(
      db.pool,
      `select count(*)::int as n from (
         select quantity_after, sum(delta) over (partition by part_id order by created_at, id) as total
           from stock_movements) m
        where quantity_after <> total or total < 0`,
    );
    expect(running.n).toBe(0);
    const reasons = await db.pool.query<{ reason: string; n: number; zero: number }>(
      `select reason, count(*)::int as n, count(*) filter (where delta = 0)::int as zero
         from stock_movements group by reason order by reason`,
    );
    const byReason = Object.fromEntries(reasons.rows.map((r) => [r.reason, r]));
    expect(byReason.count?.n).toBeGreaterThan(150);
    expect(byReason.count?.zero).toBeGreaterThan(0); // "counted, bin empty"
    expect(byReason.used?.n).toBeGreaterThan(50);
    expect(byReason.received?.n).toBeGreaterThan(0);
    // Each part's history starts with its count.
    const firstNotCount = await one<{ n: number }>(
      db.pool,
      `select count(*)::int as n from (
         select distinct on (part_id) reason from stock_movements order by part_id, created_at, id) f
        where reason <> 'count'`,
    );
    expect(firstNotCount.n).toBe(0);
    const linked = await one<{ tasks: number; machines: number }>(
      db.pool,
      `select count(task_id)::int as tasks, count(equipment_id)::int as machines from stock_movements where reason = 'used'`,
    );
    expect(linked.tasks).toBeGreaterThan(0);
    expect(linked.machines).toBeGreaterThan(20);
  });

  it('has open, overdue, finished and cancelled work orders assigned to technicians', async () => {
    const tasks = await one<Record<string, unknown>>(
      db.pool,
      `select count(*)::int as total, array_agg(distinct status order by status) as statuses,
              count(*) filter (where status in ('open', 'in_progress', 'on_hold') and due_date < current_date)::int as overdue,
              count(*) filter (where status = 'done' and completed_by is not null and resolution is not null)::int as done,
              count(*) filter (where status = 'cancelled' and cancelled_reason is not null)::int as cancelled,
              count(distinct priority)::int as priorities
         from tasks`,
    );
    expect(tasks.total).toBeGreaterThanOrEqual(25);
    expect(tasks.statuses).toEqual(['cancelled', 'done', 'in_progress', 'on_hold', 'open']);
    expect(tasks.overdue).toBeGreaterThan(0);
    expect(tasks.done).toBeGreaterThanOrEqual(3);
    expect(tasks.cancelled).toBeGreaterThanOrEqual(1);
    expect(tasks.priorities).toBe(4);
    const assignees = await db.pool.query<{ role: string }>(
      'select distinct u.role from tasks t join users u on u.id = t.assignee_id',
    );
    expect(assignees.rows).toEqual([{ role: 'technician' }]);
  });

  it('has ~150 log entries of every kind over the last three months', async () => {
    const logs = await one<Record<string, unknown>>(
      db.pool,
      `select count(*)::int as total, array_agg(distinct kind order by kind) as kinds,
              count(*) filter (where kind = 'repair' and not loto_confirmed)::int as repair_without_loto,
              count(*) filter (where kind = 'meter_reading' and meter_reading is null)::int as readings_without_value,
              count(task_id)::int as with_task,
              extract(day from max(created_at) - min(created_at))::int as span_days,
              count(*) filter (where created_at > now())::int as future,
              count(*) filter (where client_created_at > created_at)::int as client_after_server
         from logs`,
    );
    expect(logs.total).toBeGreaterThanOrEqual(140);
    expect(logs.kinds).toEqual(['inspection', 'meter_reading', 'note', 'preventive', 'repair']);
    expect(logs.repair_without_loto).toBe(0);
    expect(logs.readings_without_value).toBe(0);
    expect(logs.with_task).toBeGreaterThan(0);
    expect(logs.span_days).toBeGreaterThanOrEqual(60);
    expect(logs.future).toBe(0);
    expect(logs.client_after_server).toBe(0);
    // Meter readings never exceed the machine's current meter.
    const over = await one<{ n: number }>(
      db.pool,
      `select count(*)::int as n from logs l join equipment e on e.id = l.equipment_id
        where l.kind = 'meter_reading' and l.meter_reading > e.meter`,
    );
    expect(over.n).toBe(0);
  });

  it('has incoming orders whose received quantities are in stock exactly once', async () => {
    const orders = await one<Record<string, unknown>>(
      db.pool,
      `select count(*)::int as total, array_agg(distinct status order by status) as statuses from incoming_orders`,
    );
    expect(orders.total).toBeGreaterThanOrEqual(12);
    expect(orders.statuses).toEqual(['cancelled', 'ordered', 'partial', 'received', 'shipped']);
    const incoherent = await db.pool.query(
      `select o.order_number, o.status, o.quantity_ordered, o.quantity_received, coalesce(sum(m.delta), 0)::int as booked
         from incoming_orders o left join stock_movements m on m.order_id = o.id and m.reason = 'received'
        group by o.id
       having coalesce(sum(m.delta), 0) <> o.quantity_received
           or (o.status = 'received' and o.quantity_received <> o.quantity_ordered)
           or (o.status = 'partial' and not (o.quantity_received between 1 and o.quantity_ordered - 1))
           or (o.status in ('ordered', 'shipped', 'cancelled') and o.quantity_received <> 0)
           or ((o.status in ('received', 'partial')) <> (o.received_at is not null))
           or bool_or(m.part_id <> o.part_id)`,
    );
    expect(incoherent.rows).toEqual([]);
  });

  it('has knowledge entries, some in Spanish, with helpful votes that match the vote rows', async () => {
    const knowledge = await one<Record<string, number>>(
      db.pool,
      `select count(*)::int as total,
              count(*) filter (where problem ~ '[áéíóúñ]' or fix_steps ~ '[áéíóúñ]')::int as spanish,
              count(*) filter (where helpful_votes > 0)::int as voted,
              count(distinct category)::int as categories
         from knowledge`,
    );
    expect(knowledge.total).toBeGreaterThanOrEqual(15);
    expect(knowledge.spanish).toBeGreaterThanOrEqual(2);
    expect(knowledge.voted).toBeGreaterThanOrEqual(3);
    expect(knowledge.categories).toBeGreaterThanOrEqual(5);
    const mismatched = await one<{ n: number }>(
      db.pool,
      `select count(*)::int as n from knowledge k
        where k.helpful_votes <> (select count(*) from knowledge_votes v where v.knowledge_id = k.id)`,
    );
    expect(mismatched.n).toBe(0);
    const hits = await one<{ n: number }>(
      db.pool,
      `select count(*)::int as n from knowledge
        where knowledge_document(problem, cause, fix_steps) @@ plainto_tsquery('simple', 'hammer')`,
    );
    expect(hits.n).toBeGreaterThan(0);
  });

  it('does nothing on a second call', async () => {
    const before = await tableCounts(db.pool);
    expect(await seedDemoYard(db.pool, logger)).toEqual({ seeded: false });
    expect(await tableCounts(db.pool)).toEqual(before);
  });

  it('refuses to put benchmark data into the demo yard', async () => {
    const before = await tableCounts(db.pool);
    await expect(generateYardData(db.pool, { site: 'sterling', parts: 1, equipment: 0, logs: 0 })).rejects.toThrow(/demo yard/);
    expect(await tableCounts(db.pool)).toEqual(before);
  });

  it('plans the same content every time (only ids and the reference time differ)', () => {
    const hashes = new Map(DEMO_ACCOUNTS.map((a) => [a.username, 'hash']));
    const now = new Date();
    const normalise = (plan: ReturnType<typeof planDemoYard>) => {
      // Ids are made in the same order, so numbering them by first appearance compares structure.
      const ids = new Map<string, number>();
      return JSON.parse(
        JSON.stringify(plan).replace(/[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}/g, (id) => {
          if (!ids.has(id)) ids.set(id, ids.size);
          return `id#${ids.get(id)}`;
        }),
      );
    };
    expect(normalise(planDemoYard(now, hashes))).toEqual(normalise(planDemoYard(now, hashes)));
  });
});

describe('demo yard, concurrently and with conflicts', () => {
  it('seeds exactly once when several servers start together', async () => {
    const db = await freshDatabase();
    const results = await Promise.all([1, 2, 3].map(() => seedDemoYard(db.pool, logger)));
    expect(results.filter((r) => r.seeded)).toHaveLength(1);
    const counts = await tableCounts(db.pool);
    expect(counts.sites).toBe(1);
    expect(counts.users).toBe(DEMO_ACCOUNTS.length);
    expect(counts.parts).toBeGreaterThanOrEqual(200);
    expect(await ledgerMismatches(db.pool)).toBe(0);
  });

  it('leaves a database alone when a real account already has a demo username', async () => {
    const db = await freshDatabase();
    const siteId = uuidv7();
    await db.pool.query(`insert into sites (id, code, name) values ($1, 'main', 'Main yard')`, [siteId]);
    await db.pool.query(
      `insert into users (id, site_id, username, display_name, role, password_hash) values ($1, $2, 'admin', 'Owner', 'admin', 'x')`,
      [uuidv7(), siteId],
    );
    const before = await tableCounts(db.pool);
    expect(await seedDemoYard(db.pool, logger)).toEqual({ seeded: false });
    expect(await tableCounts(db.pool)).toEqual(before);
  });
});

describe('bulk generator', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await freshDatabase();
  });

  it('creates exactly the requested rows, with quantity = Σ movements, and runs again without collisions', async () => {
    const options = { site: 'bench', parts: 12_000, equipment: 300, logs: 6_000, tasks: 450, seed: 7 };
    const progress: string[] = [];
    const first = await generateYardData(db.pool, options, (m) => progress.push(m));
    expect(first).toMatchObject({ parts: 12_000, equipment: 300, logs: 6_000, tasks: 450 });
    expect(progress).toContainEqual(expect.stringMatching(/^parts 5,000\/12,000, \d+ count movements$/));
    expect(progress.filter((m) => m.startsWith('parts '))).toHaveLength(3); // batches of 5,000
    expect(progress.at(-1)).toBe('logs 6,000/6,000');

    const counts = async () =>
      one<Record<string, number>>(
        db.pool,
        `select (select count(*)::int from parts where site_id = $1) as parts,
                (select count(*)::int from equipment where site_id = $1) as equipment,
                (select count(*)::int from logs where site_id = $1) as logs,
                (select count(*)::int from tasks where site_id = $1) as tasks,
                (select count(*)::int from stock_movements where site_id = $1) as movements,
                (select count(*)::int from parts where site_id = $1 and quantity > 0) as stocked,
                (select count(*)::int from equipment where site_id = $1 and parent_id is not null) as children,
                (select count(*)::int from users where site_id = $1) as users`,
        [first.siteId],
      );
    const afterFirst = await counts();
    expect(afterFirst).toMatchObject({ parts: 12_000, equipment: 300, logs: 6_000, tasks: 450, users: 1 });
    expect(afterFirst.movements).toBe(first.stockMovements);
    expect(afterFirst.stocked).toBe(first.stockMovements); // one count per part with stock, none for the rest
    expect(afterFirst.stocked).toBeGreaterThan(6_000);
    expect(afterFirst.children).toBeGreaterThan(50);
    expect(await ledgerMismatches(db.pool)).toBe(0);

    const second = await generateYardData(db.pool, options);
    expect(second.siteId).toBe(first.siteId);
    expect(second.prefix).not.toBe(first.prefix);
    const afterSecond = await counts();
    expect(afterSecond).toMatchObject({ parts: 24_000, equipment: 600, logs: 12_000, tasks: 900, users: 1 });
    expect(afterSecond.movements).toBe(first.stockMovements + second.stockMovements);
    expect(await ledgerMismatches(db.pool)).toBe(0);

    // The same seed gives the same content under a different prefix.
    const sameContent = await one<{ n: number }>(
      db.pool,
      `select count(*)::int as n from parts a join parts b
          on b.part_number = $2 || substr(a.part_number, length($1) + 1)
         and b.name = a.name and b.quantity = a.quantity and b.min_quantity = a.min_quantity
       where a.part_number like $1 || '-%'`,
      [first.prefix, second.prefix],
    );
    expect(sameContent.n).toBe(12_000);
  });

  it('adds logs to the machines a site already has when no new equipment is asked for', async () => {
    const before = await one<{ logs: number; equipment: number }>(
      db.pool,
      `select (select count(*)::int from logs) as logs, (select count(*)::int from equipment) as equipment`,
    );
    const result = await generateYardData(db.pool, { site: 'bench', parts: 0, equipment: 0, logs: 250 });
    expect(result).toMatchObject({ parts: 0, equipment: 0, logs: 250, tasks: 0 });
    const after = await one<{ logs: number; equipment: number; over: number }>(
      db.pool,
      `select (select count(*)::int from logs) as logs, (select count(*)::int from equipment) as equipment,
              (select count(*)::int from logs l join equipment e on e.id = l.equipment_id
                where l.kind = 'meter_reading' and l.meter_reading > e.meter) as over`,
    );
    expect(after).toEqual({ logs: before.logs + 250, equipment: before.equipment, over: 0 });
  });

  it('rejects bad options before writing anything', async () => {
    await expect(generateYardData(db.pool, { site: 'Not A Code', parts: 1, equipment: 0, logs: 0 })).rejects.toThrow(/site must be a code/);
    await expect(generateYardData(db.pool, { site: 'bench', parts: -1, equipment: 0, logs: 0 })).rejects.toThrow(/parts must be a whole number/);
    await expect(generateYardData(db.pool, { site: 'empty-site', parts: 0, equipment: 0, logs: 5 })).rejects.toThrow(/logs need equipment/);
  });
});

describe('npm run seed', () => {
  let db: TestDatabase;
  let dataDir: string;
  beforeAll(async () => {
    db = await freshDatabase();
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'cimco-seed-cli-'));
  });
  afterAll(async () => {
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  async function run(args: string[]): Promise<{ code: number | null; output: string }> {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'sync-server/src/cli/seed.ts'), ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, DATABASE_URL: db.url, DATA_DIR: dataDir },
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    return { code, output };
  }

  it('generates into a site and prints a summary with rows/s', async () => {
    const { code, output } = await run(['--parts', '300', '--equipment', '20', '--logs', '150', '--tasks', '5', '--site', 'cli-yard']);
    expect(output).toMatch(/parts 300\/300/);
    expect(output).toMatch(/total rows\s+[\d,]+\s+\([\d,]+ rows\/s\)/);
    expect(code).toBe(0);
    const row = await one<Record<string, number>>(
      db.pool,
      `select (select count(*)::int from parts p join sites s on s.id = p.site_id where s.code = 'cli-yard') as parts,
              (select count(*)::int from logs l join sites s on s.id = l.site_id where s.code = 'cli-yard') as logs`,
    );
    expect(row).toEqual({ parts: 300, logs: 150 });
  });

  it('seeds the demo yard with --demo, once', async () => {
    const first = await run(['--demo']);
    expect(first.output).toContain('Seeded the demo yard "sterling".');
    expect(first.code).toBe(0);
    const again = await run(['--demo']);
    expect(again.output).toContain('already there');
    expect(again.code).toBe(0);
  });

  it('refuses bad arguments with the problem and the usage, exit code 2', async () => {
    const bad = await run(['--parts', 'lots', '--site', 'Bad Site']);
    expect(bad.code).toBe(2);
    expect(bad.output).toContain('--parts must be a whole number');
    expect(bad.output).toContain('--site must be a code');
    expect(bad.output).toContain('npm run seed -- --parts 50000');
    const demoSite = await run(['--parts', '1', '--site', 'sterling']);
    expect(demoSite.code).toBe(2);
    expect(demoSite.output).toContain('--site sterling is the demo yard');
  });
});
