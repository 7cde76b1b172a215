/**
 * The tablet's local schema (client/src/db): its synced tables match the server's columns, and the
 * overlay views combine synced rows with pending effects the way the screens expect — the latest
 * value set wins, amounts added after a count are added to what was counted, rows created on the
 * tablet appear, refused commands leave no trace.
 */
import { SHAPE_RULES, SYNCED_TABLES } from '@cimco/contract';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SYNCED_COLUMNS } from '../../../client/src/db/synced-columns.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { pendingEffect, useLocalDatabase } from '../support/local-database.ts';
import { columnsOf } from '../support/shapes.ts';

describe('the local synced tables', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it.each(SYNCED_TABLES)('%s has the server columns and types, minus the hidden ones', async (table) => {
    const hidden = SHAPE_RULES[table].hiddenColumns ?? [];
    const server = (await columnsOf(db.pool, table)).filter((c) => !hidden.includes(c.name));
    const normalise = (type: string) => type.replace('timestamp with time zone', 'timestamptz').replace(/\s+/g, '');
    expect(SYNCED_COLUMNS[table].map(([name, type]) => `${name} ${normalise(type)}`)).toEqual(
      server.map((c) => `${c.name} ${normalise(c.sqlType)}`),
    );
  });
});

describe('the overlay views', () => {
  const local = useLocalDatabase();
  const partId = uuidv7();

  const pending = (table: string, rowId: string, op: 'insert' | 'set' | 'add', data: Record<string, unknown>) =>
    pendingEffect(local.pg, table, rowId, op, data);

  async function part(): Promise<Record<string, unknown> | undefined> {
    return (await local.pg.query<Record<string, unknown>>('select part_number, name, quantity, location, pending from parts where id = $1', [partId])).rows[0];
  }

  beforeEach(async () => {
    await local.pg.exec('delete from outbox; delete from parts_synced; delete from needs_attention');
    await local.pg.query(`insert into parts_synced (id, part_number, name, quantity, location) values ($1, 'P-1', 'Seal kit', 10, 'A1')`, [partId]);
  });

  it('shows a synced row as it is when nothing is pending', async () => {
    expect(await part()).toEqual({ part_number: 'P-1', name: 'Seal kit', quantity: 10, location: 'A1', pending: false });
  });

  it('adds pending amounts, and a later count replaces what came before it', async () => {
    await pending('parts', partId, 'add', { quantity: -2 });
    await pending('parts', partId, 'add', { quantity: -1 });
    expect(await part()).toMatchObject({ quantity: 7, pending: true });
    await pending('parts', partId, 'set', { quantity: 20 });
    await pending('parts', partId, 'add', { quantity: 5 });
    expect(await part()).toMatchObject({ quantity: 25, pending: true });
  });

  it('the latest value set wins, per column', async () => {
    await pending('parts', partId, 'set', { location: 'B2', name: 'Seal kit, large' });
    await pending('parts', partId, 'set', { location: 'C3' });
    expect(await part()).toMatchObject({ name: 'Seal kit, large', location: 'C3', quantity: 10 });
  });

  it('a row created on the tablet appears with its pending changes, and no update alone conjures a row', async () => {
    const newId = uuidv7();
    await pending('parts', newId, 'insert', { part_number: 'NEW-1', name: 'New part', quantity: 0 });
    await pending('parts', newId, 'add', { quantity: 4 });
    await pending('parts', uuidv7(), 'set', { name: 'edit of a row the tablet does not have' });
    const { rows } = await local.pg.query('select id, part_number, quantity, pending from parts order by part_number');
    expect(rows).toEqual([
      { id: newId, part_number: 'NEW-1', quantity: 4, pending: true },
      { id: partId, part_number: 'P-1', quantity: 10, pending: false },
    ]);
  });

  it('a refused command leaves for Needs attention and takes its effects with it', async () => {
    const mutationId = await pending('parts', partId, 'add', { quantity: -3 });
    await local.pg.query('select refuse_outbox_entry($1, $2, $3, null)', [mutationId, 'unknown_part', 'No such part']);
    expect(await part()).toMatchObject({ quantity: 10, pending: false });
    expect((await local.pg.query('select code, message from needs_attention')).rows).toEqual([{ code: 'unknown_part', message: 'No such part' }]);
  });

  it('the server result settles the command in the same transaction as the data', async () => {
    const mutationId = await pending('parts', partId, 'add', { quantity: -3 });
    await local.pg.transaction(async (tx) => {
      await tx.query('update parts_synced set quantity = 7 where id = $1', [partId]);
      await tx.query(`insert into mutation_results_synced (id, status) values ($1, 'applied')`, [mutationId]);
      // Inside the transaction the view already shows the server's value once, not 7 - 3.
      expect((await tx.query<{ quantity: number }>('select quantity from parts where id = $1', [partId])).rows[0]!.quantity).toBe(7);
    });
    expect(await part()).toMatchObject({ quantity: 7, pending: false });
    expect((await local.pg.query('select count(*)::int as n from outbox')).rows).toEqual([{ n: 0 }]);
  });
});
