import fs from 'node:fs/promises';
import path from 'node:path';
import Papa from 'papaparse';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandName, MutationResult, Role } from '@cimco/contract';
import { createUser } from '../src/auth/users.ts';
import { csvFile } from '@cimco/contract';
import { csvCell } from '../src/csv/export.ts';
import type { RunningServer } from '../src/server.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';
import { login, readJson, startTestServer, type JsonBody } from './support/server.ts';

/** CSV export and the parts-catalogue import over real HTTP, on a real database (FEATURES.md §9). */
const REPO_ROOT = path.resolve(import.meta.dirname, '../..');
const YARD_PARTS_CSV = path.resolve(REPO_ROOT, '../shared/data/yard-parts.csv');
const BOM = '\uFEFF';

let db: TestDatabase;
let server: RunningServer;

interface Session {
  token: string;
  deviceId: string;
  siteId: string;
  send(commands: { name: CommandName; args: unknown }[]): Promise<MutationResult[]>;
}

async function signIn(username: string, password = 'demo', withDevice = true): Promise<Session> {
  const deviceId = uuidv7();
  const res = await login(server.url, username, password, withDevice ? { id: deviceId, name: `${username}'s tablet` } : undefined);
  expect(res.status).toBe(200);
  const body = await readJson(res);
  const token = body.accessToken as string;
  return {
    token,
    deviceId,
    siteId: body.user.siteId as string,
    async send(commands) {
      const res = await fetch(`${server.url}/api/mutations`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({
          deviceId,
          commands: commands.map((c) => ({ mutationId: uuidv7(), name: c.name, args: c.args, clientTime: new Date().toISOString() })),
        }),
      });
      expect(res.status).toBe(200);
      return (await readJson(res)).results as MutationResult[];
    },
  };
}

/** A second yard on the same server, with its own people. */
async function createSite(code: string, users: { username: string; role: Role }[]): Promise<string> {
  const siteId = uuidv7();
  await db.pool.query('insert into sites (id, code, name) values ($1, $2, $3)', [siteId, code, `Yard ${code}`]);
  for (const user of users) {
    await createUser(db.pool, { siteId, username: user.username, displayName: `${user.username} person`, role: user.role, password: 'long-enough-password' });
  }
  return siteId;
}

function download(token: string, file: string, init: RequestInit = {}) {
  return fetch(`${server.url}/api/export/${file}`, { ...init, headers: { authorization: `Bearer ${token}` } });
}

function importCsv(token: string, csv: string | Buffer, { dryRun = true, contentType = 'text/csv' } = {}) {
  return fetch(`${server.url}/api/import/parts?dryRun=${dryRun}`, {
    method: 'POST',
    headers: { 'content-type': contentType, authorization: `Bearer ${token}` },
    body: csv,
  });
}

/** The downloaded file as records, checking the BOM is there (and only once). */
async function readCsv(res: Response): Promise<{ raw: string; header: string[]; rows: Record<string, string>[] }> {
  const bytes = Buffer.from(await res.arrayBuffer());
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const raw = bytes.toString('utf8').slice(1);
  expect(raw.startsWith(BOM)).toBe(false);
  const parsed = Papa.parse<string[]>(raw, { skipEmptyLines: true });
  expect(parsed.errors).toEqual([]);
  const [header, ...data] = parsed.data;
  return { raw, header: header!, rows: data.map((cells) => Object.fromEntries(header!.map((h, i) => [h, cells[i]!]))) };
}

async function count(sql: string, params: unknown[] = []): Promise<number> {
  return Number((await db.pool.query<{ n: string }>(sql, params)).rows[0]!.n);
}

let tech: Session;
let storeroom: Session;
let supervisor: Session;
let admin: Session;
let demoSiteId: string;

beforeAll(async () => {
  db = await createTestDatabase();
  server = await startTestServer(db.url, { demo: true });
  [tech, storeroom, supervisor, admin] = (await Promise.all(['tech', 'storeroom', 'supervisor', 'admin'].map((u) => signIn(u)))) as [Session, Session, Session, Session];
  demoSiteId = storeroom.siteId;
});
afterAll(async () => {
  await server?.close();
  await db?.drop();
});

describe('csvCell (OWASP CSV injection)', () => {
  it('prefixes a single quote to text starting with = + - @ tab or carriage return', () => {
    for (const text of ['=1+1', '+1', '-cmd', '@SUM(A1)', '\tx', '\rx', '-3']) expect(csvCell(text)).toBe(`'${text}`);
    expect(csvCell('Shredder Hammer - Heavy Duty')).toBe('Shredder Hammer - Heavy Duty');
    expect(csvCell(null)).toBe('');
  });
  it('leaves plain numbers in numeric columns alone, and neutralises anything else there', () => {
    expect(csvCell(-3, 'number')).toBe('-3');
    expect(csvCell('-12.50', 'number')).toBe('-12.50');
    expect(csvCell('-1+cmd', 'number')).toBe("'-1+cmd");
    expect(csvCell(true, 'bool')).toBe('yes');
  });
});

describe('csvFile (the tablet’s exports)', () => {
  it('writes a BOM, CRLF lines and RFC 4180 quoting, reading back cell for cell', () => {
    const cells = ['Bolt, hex 1/2"', 'two\r\nlines', csvCell('=1+1'), csvCell(true, 'bool', { yes: 'sí', no: 'no' }), ''];
    const file = csvFile(['A', 'B', 'C', 'D', 'E'], [cells]);
    expect(file.startsWith(`${BOM}A,B,C,D,E\r\n`)).toBe(true);
    expect(file.endsWith('\r\n')).toBe(true);
    expect(file).toContain('"Bolt, hex 1/2"""');
    const parsed = Papa.parse<string[]>(file.slice(1), { skipEmptyLines: true });
    expect(parsed.errors).toEqual([]);
    expect(parsed.data).toEqual([['A', 'B', 'C', 'D', 'E'], ['Bolt, hex 1/2"', 'two\r\nlines', "'=1+1", 'sí', '']]);
  });
});

describe('GET /api/export/<list>.csv', () => {
  const hostile = ['=HYPERLINK("http://x")', '+1', '@SUM(A1)', '-cmd'];
  const partIds: string[] = [];
  let otherSitePartNumber: string;

  beforeAll(async () => {
    const results = await storeroom.send(
      hostile.map((name, i) => {
        const id = uuidv7();
        partIds.push(id);
        return { name: 'part.create', args: { id, partNumber: `INJ-${i}`, name, location: i === 0 ? '=cmd|" /C calc"!A0' : 'Bin Ñ-1', description: 'Válvula de alivio, acero' } };
      }),
    );
    expect(results.map((r) => r.status)).toEqual(['applied', 'applied', 'applied', 'applied']);
    // A quantity of -3: stock used that was never counted in.
    const [used] = await tech.send([{ name: 'stock.adjust', args: { reason: 'used', movementId: uuidv7(), partId: partIds[3], delta: -3 } }]);
    expect(used!.status).toBe('conflict');

    await createSite('elsewhere', [{ username: 'elsewhere-store', role: 'storeroom' }]);
    const other = await signIn('elsewhere-store', 'long-enough-password');
    otherSitePartNumber = 'ELSEWHERE-ONLY-1';
    const [created] = await other.send([{ name: 'part.create', args: { id: uuidv7(), partNumber: otherSitePartNumber, name: 'Another yard’s part' } }]);
    expect(created!.status).toBe('applied');
  });

  it('serves the parts list as a download, BOM first, with human headers', async () => {
    const res = await download(tech.token, 'parts.csv');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="parts-\d{4}-\d{2}-\d{2}\.csv"$/);
    const { raw, header, rows } = await readCsv(res);
    expect(header.slice(0, 11)).toEqual([
      'Part number', 'Name', 'Category', 'Part type', 'Manufacturer', 'Quantity', 'Min quantity', 'Unit', 'Location', 'Unit cost', 'Supplier',
    ]);
    expect(raw).toContain('\r\n');
    // Only this yard's parts, every one of them.
    expect(rows).toHaveLength(await count('select count(*) as n from parts where site_id = $1 and deleted_at is null', [demoSiteId]));
    expect(rows.map((r) => r['Part number'])).not.toContain(otherSitePartNumber);

    const byNumber = new Map(rows.map((r) => [r['Part number'], r]));
    expect(hostile.map((_, i) => byNumber.get(`INJ-${i}`)!.Name)).toEqual(hostile.map((name) => `'${name}`));
    expect(byNumber.get('INJ-0')!.Location).toBe(`'=cmd|" /C calc"!A0`);
    // As the bytes a spreadsheet reads: the quote is inside the cell, before the =.
    expect(raw).toContain(`INJ-0,"'=HYPERLINK(""http://x"")"`);
    expect(raw).not.toMatch(/(^|,)"?[=+@]/m);
    // Numbers stay numbers; accents survive.
    expect(byNumber.get('INJ-3')!.Quantity).toBe('-3');
    expect(byNumber.get('INJ-1')!.Quantity).toBe('0');
    expect(byNumber.get('INJ-1')!.Location).toBe('Bin Ñ-1');
    expect(byNumber.get('INJ-1')!.Description).toBe('Válvula de alivio, acero');
    const priced = rows.find((r) => r['Unit cost'] !== '')!;
    expect(priced['Unit cost']).toMatch(/^\d+\.\d{2}$/);
  });

  it('exports every list to any role, with the part number on movements; the audit log only to supervisors and admins', async () => {
    const expected: Record<string, [string, string]> = {
      equipment: ['Tag', 'select count(*) as n from equipment where site_id = $1'],
      tasks: ['Title', 'select count(*) as n from tasks where site_id = $1'],
      logs: ['Date', 'select count(*) as n from logs where site_id = $1 and deleted_at is null'],
      movements: ['Date', 'select count(*) as n from stock_movements where site_id = $1'],
      conflicts: ['Date', 'select count(*) as n from conflicts where site_id = $1'],
    };
    for (const [list, [firstHeader, sql]] of Object.entries(expected)) {
      const res = await download(tech.token, `${list}.csv`);
      expect(res.status, list).toBe(200);
      expect(res.headers.get('content-disposition')).toMatch(new RegExp(`^attachment; filename="${list}-\\d{4}-\\d{2}-\\d{2}\\.csv"$`));
      const { header, rows } = await readCsv(res);
      expect(header[0], list).toBe(firstHeader);
      expect(rows.length, list).toBe(await count(sql, [demoSiteId]));
      expect(rows.length, list).toBeGreaterThan(0);
    }

    const { rows: movements } = await readCsv(await download(tech.token, 'movements.csv'));
    const used = movements.find((m) => m['Part number'] === 'INJ-3')!;
    expect(used).toMatchObject({ Part: "'-cmd", Change: '-3', Reason: 'used', 'Quantity after': '-3' });
    const { rows: conflicts } = await readCsv(await download(tech.token, 'conflicts.csv'));
    expect(conflicts.find((c) => c.Kind === 'stock_discrepancy' && c.Item === "INJ-3 -cmd")).toBeTruthy();

    expect((await download(tech.token, 'audit.csv')).status).toBe(403);
    expect((await download(storeroom.token, 'audit.csv')).status).toBe(403);
    for (const who of [supervisor, admin]) {
      const res = await download(who.token, 'audit.csv');
      expect(res.status).toBe(200);
      const { rows } = await readCsv(res);
      expect(rows.length).toBe(await count('select count(*) as n from audit_log where site_id = $1', [demoSiteId]));
      expect(rows.find((r) => r.Command === 'part.create' && r.After?.includes('INJ-0'))).toMatchObject({ User: 'Rosa Storeroom', Username: 'storeroom' });
    }

    const unknown = await download(tech.token, 'users.csv');
    expect(unknown.status).toBe(404);
    expect((await readJson(unknown)).message).toContain('parts.csv');
    expect((await fetch(`${server.url}/api/export/parts.csv`)).status).toBe(401);
  });

  it('streams a few thousand rows in batches, and frees its connection when the reader goes away', async () => {
    const siteId = await createSite('bulk', [{ username: 'bulk-tech', role: 'technician' }]);
    await db.pool.query(
      `insert into parts (id, site_id, part_number, name, min_quantity, unit_cost, location)
       select gen_random_uuid(), $1, 'BULK-' || lpad(i::text, 5, '0'), case when i % 100 = 0 then '=bad(' || i || ')' else 'Bulk part ' || i end,
              i % 7, (i % 1000) / 4.0, 'Rack ' || (i % 40)
         from generate_series(1, 4000) i`,
      [siteId],
    );
    const bulk = await signIn('bulk-tech', 'long-enough-password');

    const res = await download(bulk.token, 'parts.csv');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBeNull();
    expect(res.headers.get('transfer-encoding')).toBe('chunked');
    const reader = res.body!.getReader();
    const chunks: Uint8Array[] = [];
    for (let next = await reader.read(); !next.done; next = await reader.read()) chunks.push(next.value);
    expect(chunks.length).toBeGreaterThan(1);
    const text = Buffer.concat(chunks).toString('utf8').slice(1);
    const { data } = Papa.parse<string[]>(text, { skipEmptyLines: true });
    expect(data).toHaveLength(4001);
    expect(data[1]![0]).toBe('BULK-00001');
    expect(data[4000]![0]).toBe('BULK-04000');
    expect(data.filter((row) => row[1]!.startsWith("'=bad("))).toHaveLength(40);

    // Readers that give up after the first chunk, more of them than the pool has connections.
    for (let i = 0; i < 12; i++) {
      const controller = new AbortController();
      const partial = await download(bulk.token, 'parts.csv', { signal: controller.signal });
      await partial.body!.getReader().read();
      controller.abort();
    }
    const again = await download(bulk.token, 'parts.csv');
    expect(again.status).toBe(200);
    expect((await readCsv(again)).rows).toHaveLength(4000);
  });
});

describe('POST /api/import/parts', () => {
  const longName = 'X'.repeat(201);
  let existing: { id: string; part_number: string; name: string; quantity: number };
  let messy: string;

  beforeAll(async () => {
    existing = (await db.pool.query('select id, part_number, name, quantity from parts where site_id = $1 and part_number not like $2 order by part_number limit 1', [demoSiteId, 'INJ-%'])).rows[0];
    messy = BOM + [
      ' Part Number ,NAME,Category,Type,Manufacturer,Qty,Min,Bin,Cost,Supplier,Description,Notes', // 1
      'IMP-001,"Bolt, hex 1/2""",Shredder,Wear Part,Metso,12,2,Bin A-1,$1.25,Fastenal,"Grade 8, zinc",ignored', // 2
      '  imp-002  ,  Seal   kit  ,Hydraulics,,,,,,,,,', // 3: empty cells, stray spaces
      'IMP-003,Filter,,,,abc,1,,,,,', // 4: bad quantity
      '', // 5
      'IMP-001,Bolt typed again,,,,1,,,,,,', // 6: duplicate of line 2
      'Imp-002,Seal kit again,,,,,,,,,,', // 7: duplicate of line 3, other case
      `IMP-004,${longName},,,,1,,,,,,`, // 8: name too long
      ',No number,,,,1,,,,,,', // 9: part number missing
      'IMP-005,Cost too precise,,,,1,1,,12.345,,,', // 10
      'IMP-006,Negative stock,,,,-2,1,,,,,', // 11
      'IMP-007,Sieve,General,,,3,,Shelf 2,,,"First line,\r\nsecond line",', // 12-13: a cell over two lines
      'IMP-008,Short row,,,,5', // 14: fewer cells than the header
      `${existing.part_number.toLowerCase()},Already in the yard,,,,4,,,,,,`, // 15
      'IMP-009,Half a minimum,,,,1,1.5,,,,,', // 16
    ].join('\r\n') + '\r\n';
  });

  it('previews per-row errors with line numbers, and writes nothing', async () => {
    const results = await count('select count(*) as n from mutation_results');
    const res = await importCsv(storeroom.token, messy);
    expect(res.status).toBe(200);
    const report = await readJson(res);
    expect(report).toMatchObject({ dryRun: true, rows: 13, valid: 5, toCreate: 4, ignoredColumns: ['Notes'] });
    expect(report.errors.map(({ problems: _codes, ...error }: JsonBody) => error)).toEqual([
      { line: 4, partNumber: 'IMP-003', messages: ['quantity "abc" is not a whole number'] },
      { line: 6, partNumber: 'IMP-001', messages: ['part number IMP-001 is already on line 2 of this file'] },
      { line: 7, partNumber: 'Imp-002', messages: ['part number Imp-002 is already on line 3 of this file'] },
      { line: 8, partNumber: 'IMP-004', messages: ['name must be at most 200 characters'] },
      { line: 9, partNumber: null, messages: ['part number is required'] },
      { line: 10, partNumber: 'IMP-005', messages: ['unit cost has at most 2 decimals'] },
      { line: 11, partNumber: 'IMP-006', messages: ['quantity must not be negative (-2)'] },
      { line: 16, partNumber: 'IMP-009', messages: ['min quantity "1.5" is not a whole number'] },
    ]);
    // The same problems by code, for the tablet to say in its reader's language.
    expect(report.errors.map((e: JsonBody) => [e.line, e.problems])).toEqual([
      [4, [{ code: 'not_whole_number', field: 'quantity', value: 'abc' }]],
      [6, [{ code: 'duplicate_in_file', field: 'partNumber', value: 'IMP-001', firstLine: 2 }]],
      [7, [{ code: 'duplicate_in_file', field: 'partNumber', value: 'Imp-002', firstLine: 3 }]],
      [8, [{ code: 'too_long', field: 'name', limit: 200 }]],
      [9, [{ code: 'required', field: 'partNumber' }]],
      [10, [{ code: 'cents', field: 'unitCost' }]],
      [11, [{ code: 'negative', field: 'quantity', value: '-2' }]],
      [16, [{ code: 'not_whole_number', field: 'minQuantity', value: '1.5' }]],
    ]);
    expect(report.willCreate.map((p: JsonBody) => [p.line, p.partNumber, p.quantity])).toEqual([
      [2, 'IMP-001', 12], [3, 'imp-002', 0], [12, 'IMP-007', 3], [14, 'IMP-008', 5],
    ]);
    expect(report.willCreate[0]).toMatchObject({
      name: 'Bolt, hex 1/2"', category: 'Shredder', partType: 'Wear Part', manufacturer: 'Metso', minQuantity: 2,
      location: 'Bin A-1', unitCost: 1.25, supplier: 'Fastenal', description: 'Grade 8, zinc', unit: 'ea',
    });
    expect(report.willCreate[1]).toMatchObject({ name: 'Seal kit', manufacturer: null, unitCost: null, minQuantity: 0 });
    expect(report.willCreate[2].description).toBe('First line,\r\nsecond line');
    expect(report.skipped).toEqual([
      expect.objectContaining({ line: 15, partNumber: existing.part_number.toLowerCase(), existingPartId: existing.id, existingName: existing.name }),
    ]);
    expect(report.skipped[0].message).toMatch(/already exists .* skipped, not updated/);
    expect(report.results).toBeUndefined();
    expect(await count(`select count(*) as n from parts where upper(part_number) like 'IMP-%'`)).toBe(0);
    expect(await count('select count(*) as n from mutation_results')).toBe(results);
  });

  it('applies only the valid rows, as audited commands from the caller’s tablet', async () => {
    const res = await importCsv(storeroom.token, messy, { dryRun: false });
    expect(res.status).toBe(200);
    const report = await readJson(res);
    expect(report).toMatchObject({ dryRun: false, rows: 13, valid: 5, toCreate: 4, created: 4, rejected: 0 });
    expect(report.errors).toHaveLength(8);
    expect(report.results.map((r: JsonBody) => [r.line, r.partNumber, r.status, r.mutationIds.length])).toEqual([
      [2, 'IMP-001', 'created', 2], [3, 'imp-002', 'created', 1], [12, 'IMP-007', 'created', 2], [14, 'IMP-008', 'created', 2],
    ]);

    const { rows: parts } = await db.pool.query(
      `select p.id, p.part_number, p.name, p.quantity, p.min_quantity, p.unit_cost, p.location, p.manufacturer, p.description, p.updated_by,
              (select coalesce(sum(delta), 0)::int from stock_movements m where m.part_id = p.id) as ledger,
              (select count(*)::int from stock_movements m where m.part_id = p.id and m.reason = 'count' and m.device_id = $2) as counts
         from parts p where p.site_id = $1 and upper(p.part_number) like 'IMP-%' order by upper(p.part_number)`,
      [demoSiteId, storeroom.deviceId],
    );
    expect(parts.map((p) => [p.part_number, p.name, p.quantity, p.ledger, p.counts])).toEqual([
      ['IMP-001', 'Bolt, hex 1/2"', 12, 12, 1],
      ['imp-002', 'Seal kit', 0, 0, 0],
      ['IMP-007', 'Sieve', 3, 3, 1],
      ['IMP-008', 'Short row', 5, 5, 1],
    ]);
    expect(parts[0]).toMatchObject({ min_quantity: 2, unit_cost: '1.25', location: 'Bin A-1', manufacturer: 'Metso', description: 'Grade 8, zinc' });
    expect(parts[1]).toMatchObject({ manufacturer: null, unit_cost: null, location: null });
    const storeroomUser = (await db.pool.query('select id from users where username = $1', ['storeroom'])).rows[0].id;
    expect(new Set(parts.map((p) => p.updated_by))).toEqual(new Set([storeroomUser]));

    // Each command has its mutation result and its audit row, from the storeroom's tablet.
    const mutationIds = report.results.flatMap((r: JsonBody) => r.mutationIds);
    const { rows: acks } = await db.pool.query(
      `select r.command, r.status, r.device_id, r.user_id, a.entity, a.entity_id
         from mutation_results r left join audit_log a on a.mutation_id = r.id where r.id = any($1::uuid[])`,
      [mutationIds],
    );
    expect(acks).toHaveLength(7);
    for (const ack of acks) expect(ack).toMatchObject({ status: 'applied', device_id: storeroom.deviceId, user_id: storeroomUser });
    expect(acks.filter((a) => a.command === 'part.create').map((a) => a.entity_id).sort()).toEqual(parts.map((p) => p.id).sort());
    expect(acks.filter((a) => a.command === 'stock.adjust').every((a) => a.entity === 'stock_movements')).toBe(true);

    // The part that was already in the yard is untouched.
    expect((await db.pool.query('select name, quantity from parts where id = $1', [existing.id])).rows[0]).toEqual({ name: existing.name, quantity: existing.quantity });

    // Importing the same file again creates nothing: every valid row now exists.
    const again = await readJson(await importCsv(storeroom.token, messy, { dryRun: false }));
    expect(again).toMatchObject({ valid: 5, toCreate: 0, created: 0, results: [] });
    expect(again.skipped).toHaveLength(5);
  });

  it('refuses technicians, tabletless applies, other bodies and broken files with reasons', async () => {
    const csv = 'part_number,name\nT-1,Thing\n';
    for (const dryRun of [true, false]) {
      const res = await importCsv(tech.token, csv, { dryRun });
      expect(res.status).toBe(403);
      expect((await readJson(res)).error).toBe('forbidden');
    }
    const noTablet = await signIn('supervisor', 'demo', false);
    expect((await importCsv(noTablet.token, csv)).status).toBe(200);
    const apply = await importCsv(noTablet.token, csv, { dryRun: false });
    expect(apply.status).toBe(403);
    expect((await readJson(apply)).error).toBe('device_required');

    const json = await importCsv(storeroom.token, JSON.stringify({ csv }), { contentType: 'application/json' });
    expect(json.status).toBe(415);
    const badFlag = await fetch(`${server.url}/api/import/parts?dryRun=maybe`, {
      method: 'POST', headers: { 'content-type': 'text/csv', authorization: `Bearer ${storeroom.token}` }, body: csv,
    });
    expect(badFlag.status).toBe(400);
    expect((await readJson(badFlag)).fields.dryRun).toBeDefined();

    const noHeader = await importCsv(storeroom.token, 'T-1,Thing,3\nT-2,Other,4\n');
    expect(noHeader.status).toBe(400);
    expect(await readJson(noHeader)).toMatchObject({
      error: 'invalid_csv',
      message: expect.stringContaining('no part number column'),
      fields: { reason: ['missing_column'], column: ['partNumber'] },
    });
    expect((await importCsv(storeroom.token, 'part_number,name\r\n')).status).toBe(400);
    expect((await importCsv(storeroom.token, '')).status).toBe(400);

    // Semicolons (Spanish-locale Excel) and the Excel-on-Windows content type.
    const semicolons = await importCsv(storeroom.token, 'Number;Name;Qty\nS-1;Válvula;2\n', { contentType: 'application/vnd.ms-excel' });
    expect(await readJson(semicolons)).toMatchObject({ rows: 1, valid: 1, willCreate: [{ partNumber: 'S-1', name: 'Válvula', quantity: 2 }] });
    // The tablet's own export for a Spanish reader reads back: Spanish headers, accents or not.
    const spanish = await importCsv(storeroom.token, 'Número de parte,Nombre,Categoría,Ubicacion,Cantidad,Cantidad mínima\nES-1,Martillo,Trituradora,Patio,3,1\n');
    expect(await readJson(spanish)).toMatchObject({
      ignoredColumns: [],
      willCreate: [{ partNumber: 'ES-1', name: 'Martillo', category: 'Trituradora', location: 'Patio', quantity: 3, minQuantity: 1 }],
    });
    // Unmatched quotes and shifted columns are reported on their line.
    const broken = await readJson(await importCsv(storeroom.token, 'part_number,name,qty\nQ-1,Bolt, hex,4\nQ-2,"Nut,2\n'));
    expect(broken.errors.map((e: JsonBody) => [e.line, e.messages.join(' '), e.problems.map((p: JsonBody) => p.code)])).toEqual([
      [2, expect.stringContaining('has 4 cells but the header has 3'), ['cell_count', 'not_whole_number']],
      [3, expect.stringContaining('quotes do not match'), ['quotes']],
    ]);

    // Old Mac line ends (\r alone) still give the right line numbers.
    const macLines = await readJson(await importCsv(storeroom.token, 'part_number,name\rC-1,One\r\rc-1,Two\r'));
    expect(macLines.errors).toEqual([
      { line: 4, partNumber: 'c-1', messages: ['part number c-1 is already on line 2 of this file'], problems: [expect.objectContaining({ code: 'duplicate_in_file', firstLine: 2 })] },
    ]);

    const huge = `part_number,name\n${'B-1,'.padEnd(100, 'x')}\n`.repeat(60_000);
    const tooLarge = await importCsv(storeroom.token, huge);
    expect(tooLarge.status).toBe(413);
  });

  it('reports its progress row by row when asked for ndjson, then the report', async () => {
    const csv = 'part_number,name,qty\nNDJ-1,One,2\nNDJ-2,Two,0\n,No number,1\nNDJ-3,Three,5\n';
    const res = await fetch(`${server.url}/api/import/parts?dryRun=false&progress=ndjson`, {
      method: 'POST', headers: { 'content-type': 'text/csv', authorization: `Bearer ${storeroom.token}` }, body: csv,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    const lines = (await res.text()).trim().split('\n').map((l) => JSON.parse(l) as JsonBody);
    expect(lines.slice(0, -1)).toEqual([0, 1, 2, 3].map((done) => ({ type: 'progress', done, total: 3 })));
    expect(lines.at(-1)).toMatchObject({ type: 'report', report: { created: 3, rejected: 0, errors: [{ line: 4 }] } });
    expect(await count(`select count(*) as n from parts where part_number like 'NDJ-%'`)).toBe(3);
    // A broken file is still a plain 400 before anything streams.
    const broken = await fetch(`${server.url}/api/import/parts?dryRun=false&progress=ndjson`, {
      method: 'POST', headers: { 'content-type': 'text/csv', authorization: `Bearer ${storeroom.token}` }, body: 'x,y\n1,2\n',
    });
    expect(broken.status).toBe(400);
  });

  it('imports the yard’s real parts list into a fresh yard: quantities as in the file', async () => {
    await createSite('fresh', [{ username: 'fresh-store', role: 'storeroom' }]);
    const fresh = await signIn('fresh-store', 'long-enough-password');
    const csv = await fs.readFile(YARD_PARTS_CSV, 'utf8');
    const file = Papa.parse<Record<string, string>>(csv, { header: true, skipEmptyLines: true }).data;
    expect(file).toHaveLength(199);

    const preview = await readJson(await importCsv(fresh.token, csv));
    // One row of the real list has no part number (the 98'' disc rotor assembly, line 73):
    // it cannot be a part until someone gives it one. Everything else is valid — empty
    // manufacturers, unit costs and part types included.
    expect(preview).toMatchObject({ rows: 199, valid: 198, toCreate: 198, ignoredColumns: [], skipped: [] });
    expect(preview.errors).toEqual([{ line: 73, partNumber: null, messages: ['part number is required'], problems: [{ code: 'required', field: 'partNumber' }] }]);
    expect(file[71]).toMatchObject({ part_number: '', name: "98'' (10) disc rotor Assembly" });
    expect(preview.willCreate).toHaveLength(20);

    const applied = await readJson(await importCsv(fresh.token, csv, { dryRun: false }));
    expect(applied).toMatchObject({ created: 198, rejected: 0 });

    const { rows } = await db.pool.query(
      `select p.part_number, p.name, p.category, p.part_type, p.manufacturer, p.quantity, p.min_quantity, p.location, p.unit_cost, p.supplier,
              (select coalesce(sum(delta), 0)::int from stock_movements m where m.part_id = p.id) as ledger
         from parts p where p.site_id = $1`,
      [fresh.siteId],
    );
    expect(rows).toHaveLength(198);
    const byNumber = new Map(rows.map((r) => [r.part_number, r]));
    for (const line of file.filter((l) => l.part_number !== '')) {
      const part = byNumber.get(line.part_number);
      expect(part, line.part_number).toBeDefined();
      expect(part, line.part_number).toEqual({
        part_number: line.part_number,
        name: line.name,
        category: line.category || null,
        part_type: line.part_type || null,
        manufacturer: line.manufacturer || null,
        quantity: Number(line.quantity),
        min_quantity: Number(line.min_quantity),
        location: line.location || null,
        unit_cost: line.unit_cost ? Number(line.unit_cost).toFixed(2) : null,
        supplier: line.supplier || null,
        ledger: Number(line.quantity),
      });
    }
    const stocked = file.filter((l) => l.part_number !== '' && Number(l.quantity) !== 0).length;
    expect(await count(`select count(*) as n from audit_log where site_id = $1 and command = 'part.create'`, [fresh.siteId])).toBe(198);
    expect(await count(`select count(*) as n from audit_log where site_id = $1 and command = 'stock.adjust'`, [fresh.siteId])).toBe(stocked);
    expect(await count(`select count(*) as n from mutation_results where site_id = $1 and status = 'applied' and device_id = $2`, [fresh.siteId, fresh.deviceId])).toBe(198 + stocked);
    // Nothing landed in the demo yard.
    expect(await count('select count(*) as n from parts where site_id = $1 and part_number = $2', [demoSiteId, 'SH-HD-001'])).toBe(0);

    // Round trip: the yard's own export reads back as "all of these exist already".
    const exported = Buffer.from(await (await download(fresh.token, 'parts.csv')).arrayBuffer());
    const back = await readJson(await importCsv(fresh.token, exported));
    expect(back).toMatchObject({ rows: 198, valid: 198, toCreate: 0, errors: [], ignoredColumns: ['Updated'] });
    expect(back.skipped).toHaveLength(198);
  });
});
