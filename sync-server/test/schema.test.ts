import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { v7 as uuidv7 } from 'uuid';
import { createTestDatabase, type TestDatabase } from './support/database.ts';

let db: TestDatabase;
let siteId: string;
beforeAll(async () => {
  db = await createTestDatabase();
  siteId = uuidv7();
  await db.pool.query(`insert into sites (id, code, name) values ($1, 'schema-yard', 'Schema yard')`, [siteId]);
});
afterAll(async () => db?.drop());

async function newPart(partNumber: string) {
  const id = uuidv7();
  await db.pool.query(`insert into parts (id, site_id, part_number, name) values ($1, $2, $3, 'Test part')`, [id, siteId, partNumber]);
  return id;
}
async function move(partId: string, delta: number, reason = 'adjust') {
  const { rows } = await db.pool.query(
    `insert into stock_movements (id, site_id, part_id, delta, reason) values ($1, $2, $3, $4, $5) returning quantity_after`,
    [uuidv7(), siteId, partId, delta, reason],
  );
  return rows[0].quantity_after as number;
}
async function quantity(partId: string) {
  const { rows } = await db.pool.query('select quantity from parts where id = $1', [partId]);
  return rows[0].quantity as number;
}

describe('inventory ledger', () => {
  it('keeps parts.quantity equal to the sum of movements, records quantity_after, allows negative stock', async () => {
    const part = await newPart('LEDGER-1');
    expect(await move(part, 5, 'received')).toBe(5);
    expect(await move(part, -7, 'used')).toBe(-2);
    expect(await quantity(part)).toBe(-2);
    const { rows } = await db.pool.query('select sum(delta)::int as s from stock_movements where part_id = $1', [part]);
    expect(rows[0].s).toBe(-2);
  });

  it('concurrent movements on one part all count (no lost update)', async () => {
    const part = await newPart('LEDGER-2');
    await Promise.all(Array.from({ length: 20 }, (_, i) => move(part, i % 2 ? 3 : -1)));
    expect(await quantity(part)).toBe(10 * 3 - 10);
  });

  it('is append-only: updates and deletes are refused', async () => {
    const part = await newPart('LEDGER-3');
    await move(part, 1);
    await expect(db.pool.query('update stock_movements set delta = 100 where part_id = $1', [part])).rejects.toThrow(/append-only/);
    await expect(db.pool.query('delete from stock_movements where part_id = $1', [part])).rejects.toThrow(/append-only/);
    expect(await quantity(part)).toBe(1);
  });

  it('refuses a zero movement except a count or a transfer', async () => {
    const part = await newPart('LEDGER-4');
    await expect(move(part, 0, 'used')).rejects.toThrow(/check constraint/);
    expect(await move(part, 0, 'count')).toBe(0);
  });
});

describe('constraints', () => {
  it('part numbers are unique per site whatever their case, but may repeat across sites', async () => {
    await newPart('7700-A303');
    await expect(newPart('7700-a303')).rejects.toThrow(/parts_site_part_number_key/);
    const other = uuidv7();
    await db.pool.query(`insert into sites (id, code, name) values ($1, 'other-yard', 'Other yard')`, [other]);
    await db.pool.query(`insert into parts (id, site_id, part_number, name) values ($1, $2, '7700-A303', 'Same number, other yard')`, [uuidv7(), other]);
  });

  it('every update bumps version and updated_at', async () => {
    const part = await newPart('VERSIONED-1');
    const before = (await db.pool.query('select version, updated_at from parts where id = $1', [part])).rows[0];
    await db.pool.query(`update parts set name = 'Renamed' where id = $1`, [part]);
    const after = (await db.pool.query('select version, updated_at from parts where id = $1', [part])).rows[0];
    expect(after.version).toBe(before.version + 1);
    expect(after.updated_at.getTime()).toBeGreaterThanOrEqual(before.updated_at.getTime());
  });

  it('repair log entries require lock-out/tag-out, and a done task requires its completion time', async () => {
    const equipment = uuidv7();
    await db.pool.query(`insert into equipment (id, site_id, tag, name, type) values ($1, $2, 'CIMCO900', 'Test shredder', 'shredder')`, [equipment, siteId]);
    const log = (loto: boolean) =>
      db.pool.query(`insert into logs (id, site_id, equipment_id, kind, body, loto_confirmed) values ($1, $2, $3, 'repair', 'Swapped hammers', $4)`, [uuidv7(), siteId, equipment, loto]);
    await expect(log(false)).rejects.toThrow(/check constraint/);
    await log(true);
    await expect(
      db.pool.query(`insert into tasks (id, site_id, title, status) values ($1, $2, 'Done without a date', 'done')`, [uuidv7(), siteId]),
    ).rejects.toThrow(/check constraint/);
  });

  it('refuses out-of-range and unknown enumerated values', async () => {
    const bad = [
      `insert into tasks (id, site_id, title, priority) values ('${uuidv7()}', '${siteId}', 'P5', 5)`,
      `insert into tasks (id, site_id, title, status) values ('${uuidv7()}', '${siteId}', 'Odd', 'paused')`,
      `insert into parts (id, site_id, part_number, name, wear_rating) values ('${uuidv7()}', '${siteId}', 'W6', 'Worn', 6)`,
      `insert into parts (id, site_id, part_number, name, unit_cost) values ('${uuidv7()}', '${siteId}', 'NEG', 'Negative cost', -1)`,
      `insert into equipment (id, site_id, tag, name, type) values ('${uuidv7()}', '${siteId}', 'BAD TAG!', 'Bad tag', 'pump')`,
    ];
    for (const sql of bad) await expect(db.pool.query(sql), sql).rejects.toThrow(/violates check constraint/);
  });
});
