/**
 * The parts screen's SQL (client/src/screens/parts/parts-query.ts) on the tablet's local schema:
 * the category and bin pickers offer every value the tablet knows of — synced, or set by a pending
 * command — once, in order, without deleted parts or empty values; the list's search and filters
 * read the overlay, so a pending change is found at once; a search finds every word as typed
 * (wildcards typed are plain characters) or one character off, best matches first, and its count
 * is the number of rows it lists.
 */
import { v7 as uuidv7 } from 'uuid';
import { beforeEach, describe, expect, it } from 'vitest';
import { pendingEffect, useLocalDatabase } from '../support/local-database.ts';
import { CATEGORIES_SQL, LOCATIONS_SQL, NO_FILTERS, partsListQuery, type PartFilters } from '../../../client/src/screens/parts/parts-query.ts';

describe('the parts screen queries', () => {
  const local = useLocalDatabase();

  interface Fields {
    name?: string;
    manufacturer?: string | null;
    category?: string | null;
    location?: string | null;
    deleted?: boolean;
    quantity?: number;
  }

  async function synced(partNumber: string, fields: Fields = {}) {
    const id = uuidv7();
    await local.pg.query(
      `insert into parts_synced (id, part_number, name, manufacturer, category, location, quantity, min_quantity, deleted_at)
       values ($1, $2, $3, $4, $5, $6, $7, 2, case when $8 then now() end)`,
      [id, partNumber, fields.name ?? partNumber, fields.manufacturer ?? null, fields.category ?? null, fields.location ?? null, fields.quantity ?? 10,
        fields.deleted ?? false],
    );
    return id;
  }

  const pending = (rowId: string, op: 'insert' | 'set' | 'add', data: Record<string, unknown>) => pendingEffect(local.pg, 'parts', rowId, op, data);

  const values = async (sql: string) => (await local.pg.query<{ value: string }>(sql)).rows.map((r) => r.value);

  /** The part numbers listed, in order; checks that the count agrees with them. */
  async function list(filters: Partial<PartFilters>): Promise<string[]> {
    const { sql, countSql, params } = partsListQuery({ ...NO_FILTERS, ...filters });
    const rows = (await local.pg.query<{ part_number: string }>(`${sql} limit 1000 offset 0`, params)).rows.map((r) => r.part_number);
    const { count } = (await local.pg.query<{ count: number }>(countSql, params)).rows[0]!;
    expect(count, 'the count').toBe(rows.length);
    return rows;
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
    const created = uuidv7();
    await pending(created, 'insert', { part_number: 'NEW-7', name: 'Grate liner', quantity: 0 });
    expect(await list({ search: 'liner' })).toEqual(['NEW-7']);
  });

  it('sorts by part number, name, quantity or stock status, and keeps the high-wear filter', async () => {
    await local.pg.query(`insert into parts_synced (id, part_number, name, quantity, min_quantity, wear_rating) values
      (gen_random_uuid(), 'C-3', 'anvil', 5, 2, 5), (gen_random_uuid(), 'A-1', 'Cover', 0, 2, 1), (gen_random_uuid(), 'B-2', 'belt', 3, 2, 4)`);
    expect(await list({ sort: 'partNumber' })).toEqual(['A-1', 'B-2', 'C-3']);
    expect(await list({ sort: 'name' })).toEqual(['C-3', 'B-2', 'A-1']);
    expect(await list({ sort: 'quantity' })).toEqual(['A-1', 'B-2', 'C-3']);
    // empty, then low (3 ≤ 1.5 × 2), then good
    expect(await list({ sort: 'status' })).toEqual(['A-1', 'B-2', 'C-3']);
    expect(await list({ highWearOnly: true })).toEqual(['B-2', 'C-3']);
  });

  it('every word must be found, in any of the three fields, whatever its case; short words too', async () => {
    await synced('HC-SK-030', { name: 'Hydraulic cylinder seal kit - 3 in bore', manufacturer: 'Parker' });
    await synced('HF-RT10', { name: 'Return filter element, 10 micron', manufacturer: 'Donaldson' });
    await synced('MB-6205', { name: 'Motor bearing 6205-2RS', manufacturer: 'SKF' });
    expect(await list({ search: 'SEAL parker' })).toEqual(['HC-SK-030']);
    expect(await list({ search: 'seal donaldson' })).toEqual([]);
    expect(await list({ search: 'k' })).toEqual(['HC-SK-030', 'MB-6205']);
    expect(await list({ search: '10 fi' })).toEqual(['HF-RT10']);
    expect(await list({ search: 'skf 6205' })).toEqual(['MB-6205']);
    // A word cannot run from one field into the next.
    expect(await list({ search: 'bore parker' })).toEqual(['HC-SK-030']);
    expect(await list({ search: 'epar' })).toEqual([]);
  });

  it('LIKE wildcards typed by a person are plain characters', async () => {
    await synced('W-1', { name: 'Grease 100% synthetic' });
    await synced('W-2', { name: 'Grease 1000 cartridge' });
    await synced('W_3', { name: 'Backslash \\ part' });
    await synced('WX3', { name: 'Other' });
    expect(await list({ search: '100%' })).toEqual(['W-1']);
    expect(await list({ search: 'w_3' })).toEqual(['W_3']);
    expect(await list({ search: '%' })).toEqual(['W-1']);
    expect(await list({ search: '_' })).toEqual(['W_3']);
    expect(await list({ search: '\\' })).toEqual(['W_3']);
  });

  it('a maker spelled two ways is found by either: "metso" finds Metzo, after Metso', async () => {
    await synced('SH-100', { name: 'Anvil casting', manufacturer: 'Metzo' });
    await synced('SH-200', { name: 'Grate', manufacturer: 'Metso' });
    await synced('SH-300', { name: 'Breaker bar', manufacturer: 'Lindemann' });
    await synced('SH-400', { name: 'Metzo-style liner' });
    expect(await list({ search: 'metso' })).toEqual(['SH-200', 'SH-100', 'SH-400']);
    expect(await list({ search: 'Metzo' })).toEqual(['SH-100', 'SH-400', 'SH-200']);
    expect(await list({ search: 'metso anvil' })).toEqual(['SH-100']);
  });

  it('other typos: a letter missing, one too many, two swapped', async () => {
    await synced('MB-1', { name: 'Motor bearing' });
    await synced('SH-1', { name: 'Shredder hammer' });
    await synced('EL-1', { name: 'Contactor 95 A' });
    expect(await list({ search: 'hamer' })).toEqual(['SH-1']);
    expect(await list({ search: 'hammmer' })).toEqual(['SH-1']);
    expect(await list({ search: 'bearnig' })).toEqual(['MB-1']);
    expect(await list({ search: 'contactr' })).toEqual(['EL-1']);
    // Short words are not stretched: "hamr" is not "hammer".
    expect(await list({ search: 'hamr' })).toEqual([]);
  });

  it('a part number typed one character off finds the part, when no part has the number typed', async () => {
    await synced('HYD-4521', { name: 'Relief valve' });
    await synced('HYD-4690', { name: 'Relief valve, large' });
    await synced('B7K2QX-HY-0001234', { name: 'Seal kit, -12' });
    await synced('B7K2QX-HY-0001299', { name: 'Seal kit, -16' });
    await synced('B7K2QX-EL-0001234', { name: 'Contactor' });
    expect(await list({ search: 'HYD-4531' })).toEqual(['HYD-4521']);
    expect(await list({ search: 'hyd4521' })).toEqual(['HYD-4521']);
    expect(await list({ search: 'B7K2QX-HY-0001284' })).toEqual(['B7K2QX-HY-0001234']);
    expect(await list({ search: 'B7K2QX-HY-0002134' })).toEqual(['B7K2QX-HY-0001234']);
    // Typed right, the number means that part: the ones a character away are other parts.
    expect(await list({ search: 'HYD-4521' })).toEqual(['HYD-4521']);
    expect(await list({ search: 'B7K2QX-HY-000123' })).toEqual(['B7K2QX-HY-0001234']);
  });

  it('best matches first: the part number typed, then every word as typed, then the closest; the chosen sort within each', async () => {
    await synced('SEAL', { name: 'Seal (generic)' });
    await synced('A-2', { name: 'Seal kit' });
    await synced('A-1', { name: 'Seals, assorted' });
    await synced('A-3', { name: 'Steal plate', manufacturer: 'Sealco' });
    await synced('A-4', { name: 'Sael kit' });
    expect(await list({ search: 'seal' })).toEqual(['SEAL', 'A-1', 'A-2', 'A-3']);
    expect(await list({ search: 'seal', sort: 'name' })).toEqual(['SEAL', 'A-2', 'A-1', 'A-3']);
    // "seals": as typed in A-1; one letter off in the others, closest first.
    const near = await list({ search: 'seals' });
    expect(near[0]).toBe('A-1');
    expect(near.slice(1).sort()).toEqual(['A-2', 'A-3', 'SEAL']);
    expect(await list({ search: 'seal kit' })).toEqual(['A-2']);
    // Among parts one character off, the closer spelling first, whatever the part number.
    await synced('C-1', { name: 'Cnoveyor belt' });
    await synced('C-2', { name: 'Conveyer belt' });
    expect(await list({ search: 'conveyor' })).toEqual(['C-2', 'C-1']);
  });
});
