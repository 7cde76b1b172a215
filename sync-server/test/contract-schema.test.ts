import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CONFLICT_KINDS,
  CONFLICT_STATUSES,
  EQUIPMENT_STATUSES,
  EQUIPMENT_TYPES,
  LOCALES,
  LOG_KINDS,
  METER_UNITS,
  MUTATION_STATUSES,
  ORDER_STATUSES,
  ROLES,
  STOCK_REASONS,
  SYNCED_TABLES,
  TASK_CATEGORIES,
  TASK_STATUSES,
} from '@cimco/contract';
import { createTestDatabase, type TestDatabase } from './support/database.ts';

/** The contract and the SQL schema list the same enumerations; this fails when they drift apart. */
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => db?.drop());

/** The quoted values of the CHECK constraints on exactly this one column. */
async function allowedValues(table: string, column: string): Promise<string[]> {
  const { rows } = await db.pool.query<{ def: string }>(
    `select pg_get_constraintdef(c.oid) as def
       from pg_constraint c
       join pg_attribute a on a.attrelid = c.conrelid and a.attnum = any (c.conkey)
      where c.contype = 'c' and c.conrelid = $1::regclass and a.attname = $2
        and array_length(c.conkey, 1) = 1`,
    [table, column],
  );
  const values = rows.flatMap((r) => [...r.def.matchAll(/'([^']*)'::text/g)].map((m) => m[1]!));
  return values.sort();
}

describe('contract enumerations equal the database CHECK constraints', () => {
  const cases: [string, string, readonly string[]][] = [
    ['users', 'role', ROLES],
    ['users', 'locale', LOCALES],
    ['equipment', 'status', EQUIPMENT_STATUSES],
    ['equipment', 'type', EQUIPMENT_TYPES],
    ['equipment', 'meter_unit', METER_UNITS],
    ['tasks', 'status', TASK_STATUSES],
    ['tasks', 'category', TASK_CATEGORIES],
    ['knowledge', 'category', TASK_CATEGORIES],
    ['logs', 'kind', LOG_KINDS],
    ['stock_movements', 'reason', STOCK_REASONS],
    ['incoming_orders', 'status', ORDER_STATUSES],
    ['mutation_results', 'status', MUTATION_STATUSES],
    ['conflicts', 'kind', CONFLICT_KINDS],
    ['conflicts', 'status', CONFLICT_STATUSES],
  ];
  it.each(cases)('%s.%s', async (table, column, expected) => {
    expect(await allowedValues(table, column)).toEqual([...expected].sort());
  });

  it('every synced table exists and carries the synced-row columns', async () => {
    for (const table of SYNCED_TABLES) {
      const { rows } = await db.pool.query<{ column_name: string; data_type: string }>(
        `select column_name, data_type from information_schema.columns where table_schema = 'public' and table_name = $1`,
        [table],
      );
      const columns = Object.fromEntries(rows.map((r) => [r.column_name, r.data_type]));
      expect(columns, table).toMatchObject({
        id: 'uuid',
        created_at: 'timestamp with time zone',
        updated_at: 'timestamp with time zone',
        version: 'integer',
      });
      if (table !== 'sites') expect(columns.site_id, table).toBe('uuid');
    }
  });
});
