/**
 * The parts screen's SQL (client/src/screens/parts/parts-query.ts) on the tablet's local schema:
 * the category and bin pickers offer every value the tablet knows of — synced, or set by a pending
 * command — once, in order, without deleted parts or empty values; the list's search and filters
 * read the overlay, so a pending change is found at once.
 */
import { v7 as uuidv7 } from 'uuid';
import { beforeEach, describe, expect, it } from 'vitest';
import { pendingEffect, useLocalDatabase } from '../support/local-database.ts';
import {
  CATEGORIES_SQL,
  LOCATIONS_SQL,
  NO_FILTERS,
  partsFilterSetting,
  partsFilterSettingName,
  partsListSql,
  type PartFilters,
} from '../../../client/src/screens/parts/parts-query.ts';

describe('the parts screen queries', () => {
  const local = useLocalDatabase();
  const setting = partsFilterSettingName('test');

  async function synced(partNumber: string, fields: { category?: string | null; location?: string | null; deleted?: boolean; quantity?: number }) {
    const id = uuidv7();
    await local.pg.query(
      `insert into parts_synced (id, part_number, name, category, location, quantity, min_quantity, deleted_at)
       values ($1, $2, $2, $3, $4, $5, 2, case when $6 then now() end)`,
      [id, partNumber, fields.category ?? null, fields.location ?? null, fields.quantity ?? 10, fields.deleted ?? false],
    );
    return id;
  }

  const pending = (rowId: string, op: 'insert' | 'set' | 'add', data: Record<string, unknown>) => pendingEffect(local.pg, 'parts', rowId, op, data);

  const values = async (sql: string) => (await local.pg.query<{ value: string }>(sql)).rows.map((r) => r.value);

  async function list(filters: Partial<PartFilters>): Promise<string[]> {
    await local.pg.query('select set_config($1, $2, false)', [setting, partsFilterSetting({ ...NO_FILTERS, ...filters }, 1)]);
    return (await local.pg.query<{ part_number: string }>(partsListSql(setting))).rows.map((r) => r.part_number);
  }

  beforeEach(async () => {
    await local.pg.exec('delete from outbox; delete from parts_synced');
  });

  it('the pickers list each synced value once, in order, without deleted parts or empty values', async () => {
    await synced('P-1', { category: 'Hydraulics', location: 'B2' });
    await synced('P-2', { category: 'Bearings', location: 'A1' });
    await synced('P-3', { category: 'Hydraulics', location: 'A1' });
    await synced('P-4', { category: '', location: null });
    await synced('P-5', { category: 'Retired stock', location: 'Z9', deleted: true });
    expect(await values(CATEGORIES_SQL)).toEqual(['Bearings', 'Hydraulics']);
    expect(await values(LOCATIONS_SQL)).toEqual(['A1', 'B2']);
  });

  it('the pickers offer values set by pending commands: a part created or moved on the tablet', async () => {
    const moved = await synced('P-1', { category: 'Hydraulics', location: 'B2' });
    await pending(moved, 'set', { location: 'C7' });
    await pending(uuidv7(), 'insert', { part_number: 'NEW-1', name: 'New', category: 'Belts', location: 'B2', quantity: 0 });
    await pending(moved, 'add', { quantity: 3 });
    expect(await values(CATEGORIES_SQL)).toEqual(['Belts', 'Hydraulics']);
    expect(await values(LOCATIONS_SQL)).toEqual(['B2', 'C7']);
  });

  it('an empty local database offers nothing', async () => {
    expect(await values(CATEGORIES_SQL)).toEqual([]);
    expect(await values(LOCATIONS_SQL)).toEqual([]);
  });

  it('the list searches and filters the parts as the tablet shows them, pending changes included', async () => {
    const seal = await synced('P-1', { category: 'Hydraulics', location: 'B2', quantity: 10 });
    await synced('P-2', { category: 'Bearings', location: 'A1', quantity: 1 });
    await synced('P-3', { category: 'Hydraulics', location: 'A1', deleted: true });
    expect(await list({})).toEqual(['P-1', 'P-2']);
    expect(await list({ lowStockOnly: true })).toEqual(['P-2']);
    await pending(seal, 'add', { quantity: -9 });
    await pending(seal, 'set', { location: 'A1' });
    expect(await list({ lowStockOnly: true })).toEqual(['P-1', 'P-2']);
    expect(await list({ location: 'A1', category: 'Hydraulics' })).toEqual(['P-1']);
    expect(await list({ search: 'p-2' })).toEqual(['P-2']);
  });
});
