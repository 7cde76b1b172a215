/**
 * The tablet's local schema (client/src/db): its synced tables match the server's columns, and the
 * overlay tables combine synced rows with pending effects the way the screens expect — the latest
 * value set wins, amounts added after a count are added to what was counted, rows created on the
 * tablet appear, refused commands leave no trace — whatever order synced rows and effects come
 * in, in bulk or one by one; and every table tells its changes on one channel.
 */
import { SHAPE_RULES, SYNCED_TABLES } from '@cimco/contract';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TABLE_CHANGED_CHANNEL } from '../../../client/src/db/local-schema.ts';
import { SYNCED_COLUMNS } from '../../../client/src/db/synced-columns.ts';
import { createRandom } from '../../src/seed/random.ts';
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

describe('the overlay tables', () => {
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
      // Inside the transaction the overlay already shows the server's value once, not 7 - 3.
      expect((await tx.query<{ quantity: number }>('select quantity from parts where id = $1', [partId])).rows[0]!.quantity).toBe(7);
    });
    expect(await part()).toMatchObject({ quantity: 7, pending: false });
    expect((await local.pg.query('select count(*)::int as n from outbox')).rows).toEqual([{ n: 0 }]);
  });

  it('many results in one statement settle every command they answer: applied ones leave, refused ones go to Needs attention', async () => {
    const applied: string[] = [];
    for (let i = 0; i < 20; i++) applied.push(await pending('parts', partId, 'add', { quantity: -1 }));
    const refused = await pending('parts', partId, 'set', { location: 'Z9' });
    expect(await part()).toMatchObject({ quantity: -10, location: 'Z9', pending: true });
    await local.pg.transaction(async (tx) => {
      await tx.query('update parts_synced set quantity = -10 where id = $1', [partId]);
      await tx.query(
        `insert into mutation_results_synced (id, status, code, message)
         select id, 'applied', null, null from unnest($1::uuid[]) as id
         union all select $2, 'rejected', 'stale', 'Someone moved it first'`,
        [applied, refused],
      );
    });
    expect(await part()).toMatchObject({ quantity: -10, location: 'A1', pending: false });
    expect((await local.pg.query('select count(*)::int as n from outbox')).rows).toEqual([{ n: 0 }]);
    expect((await local.pg.query('select mutation_id, code from needs_attention')).rows).toEqual([{ mutation_id: refused, code: 'stale' }]);
  });

  it('an initial sync in bulk (COPY, multi-row INSERT) fills the overlay, applying effects recorded before it', async () => {
    // After a rebuild the outbox is carried over and the synced rows come again: effects first.
    const counted = uuidv7();
    const created = uuidv7();
    await pending('parts', counted, 'add', { quantity: -2 });
    await pending('parts', created, 'insert', { part_number: 'NEW-1', name: 'Made offline', quantity: 0 });
    const ids = [counted, created, ...Array.from({ length: 1998 }, () => uuidv7())];
    const csv = ids.map((id, i) => `${id},B-${String(i).padStart(4, '0')},Bulk part ${i},5`).join('\n');
    await local.pg.query(`copy parts_synced (id, part_number, name, quantity) from '/dev/blob' with (format csv)`, [], { blob: new Blob([csv]) });
    await local.pg.query(`insert into parts_synced (id, part_number, name, quantity)
                          select gen_random_uuid(), 'M-' || i, 'Multi ' || i, 1 from generate_series(1, 500) i`);

    const { rows } = await local.pg.query<{ n: number; pending: number }>('select count(*)::int as n, count(*) filter (where pending)::int as pending from parts');
    expect(rows[0]).toEqual({ n: 1 + 2000 + 500, pending: 2 });
    const shown = async (id: string) => (await local.pg.query('select part_number, name, quantity, pending from parts where id = $1', [id])).rows[0];
    expect(await shown(counted)).toEqual({ part_number: 'B-0000', name: 'Bulk part 0', quantity: 3, pending: true });
    // The synced row is there, but the pending command still says what it shows.
    expect(await shown(created)).toEqual({ part_number: 'NEW-1', name: 'Made offline', quantity: 0, pending: true });
    expect(await shown(ids[2]!)).toEqual({ part_number: 'B-0002', name: 'Bulk part 2', quantity: 5, pending: false });
  });

  it('a synced row updated or deleted: the overlay follows, applying the pending effects to the new values', async () => {
    const other = uuidv7();
    await local.pg.query(`insert into parts_synced (id, part_number, name, quantity) values ($1, 'P-2', 'Bearing', 4)`, [other]);
    await pending('parts', partId, 'add', { quantity: -3 });
    await local.pg.query(`update parts_synced set quantity = 12, location = 'B7' where id = $1`, [partId]);
    expect(await part()).toEqual({ part_number: 'P-1', name: 'Seal kit', quantity: 9, location: 'B7', pending: true });

    await local.pg.query(`update parts_synced set name = 'Bearing 6205' where id = $1`, [other]);
    expect((await local.pg.query('select name, quantity, pending from parts where id = $1', [other])).rows).toEqual([{ name: 'Bearing 6205', quantity: 4, pending: false }]);
    await local.pg.query('delete from parts_synced where id = $1', [other]);
    expect((await local.pg.query('select id from parts where id = $1', [other])).rows).toEqual([]);
  });

  it('a synced row deleted under a pending edit disappears, and stays gone when the edit is refused', async () => {
    const mutationId = await pending('parts', partId, 'set', { location: 'C3' });
    await local.pg.query('delete from parts_synced where id = $1', [partId]);
    expect(await part()).toBeUndefined();
    expect((await local.pg.query('select count(*)::int as n from outbox_effects')).rows).toEqual([{ n: 1 }]);
    await local.pg.query('select refuse_outbox_entry($1, $2, $3, null)', [mutationId, 'deleted', 'The part was deleted']);
    expect(await part()).toBeUndefined();
  });

  it('a row created on the tablet is synced before its command settles, then settles into the synced row', async () => {
    const newId = uuidv7();
    const create = await pending('parts', newId, 'insert', { part_number: 'NEW-1', name: 'New part', quantity: 0 });
    const add = await pending('parts', newId, 'add', { quantity: 4 });
    const shown = async () => (await local.pg.query('select name, quantity, pending from parts where id = $1', [newId])).rows;
    expect(await shown()).toEqual([{ name: 'New part', quantity: 4, pending: true }]);
    await local.pg.transaction(async (tx) => {
      await tx.query(`insert into parts_synced (id, part_number, name, quantity) values ($1, 'NEW-1', 'New part (as saved)', 0)`, [newId]);
      await tx.query(`insert into mutation_results_synced (id, status) values ($1, 'applied')`, [create]);
    });
    expect(await shown()).toEqual([{ name: 'New part (as saved)', quantity: 4, pending: true }]);
    await local.pg.transaction(async (tx) => {
      await tx.query('update parts_synced set quantity = 4 where id = $1', [newId]);
      await tx.query(`insert into mutation_results_synced (id, status) values ($1, 'applied')`, [add]);
    });
    expect(await shown()).toEqual([{ name: 'New part (as saved)', quantity: 4, pending: false }]);
  });

  it('always equals the synced rows with the pending effects applied, whatever happens in whatever order', async () => {
    const random = createRandom(7);
    const ids = [partId, ...Array.from({ length: 5 }, () => uuidv7())];
    const queued: string[] = [];
    let settled = 0;
    const steps: Array<() => Promise<unknown>> = [
      // pglite-sync writing rows, one by one or several in one statement
      () => local.pg.query(`insert into parts_synced (id, part_number, quantity, location) values ($1, $2, $3, $4) on conflict (id) do nothing`,
        [random.pick(ids), `S-${random.int(1, 9)}`, random.int(0, 20), random.pick(['A1', 'B2', null])]),
      () => local.pg.query(`insert into parts_synced (id, part_number, quantity) select id, 'BULK', 1 from unnest($1::uuid[]) id on conflict (id) do nothing`,
        [ids.filter(() => random.chance(0.5))]),
      () => local.pg.query('update parts_synced set quantity = $2, location = $3 where id = $1', [random.pick(ids), random.int(0, 20), random.pick(['C3', null])]),
      () => local.pg.query('update parts_synced set quantity = quantity + 1'),
      () => local.pg.query('delete from parts_synced where id = $1', [random.pick(ids)]),
      // commands recorded
      async () => {
        const op = random.pick(['insert', 'set', 'add'] as const);
        const data = op === 'add' ? { quantity: random.int(-5, 5) }
          : op === 'set' ? random.pick([{ quantity: random.int(0, 9) }, { location: random.pick(['D4', 'E5']) }])
          : { part_number: `L-${random.int(1, 9)}`, quantity: 0 };
        queued.push(await pending('parts', random.pick(ids), op, data));
      },
      // commands settled (with the server's data) or refused
      async () => {
        const mutationId = queued.splice(random.int(0, queued.length - 1), 1)[0];
        if (!mutationId) return;
        await local.pg.transaction(async (tx) => {
          await tx.query('update parts_synced set quantity = $2 where id = $1', [random.pick(ids), random.int(0, 20)]);
          await tx.query(`insert into mutation_results_synced (id, status) values ($1, 'applied')`, [mutationId]);
        });
        settled += 1;
      },
      async () => {
        const mutationId = queued.splice(random.int(0, queued.length - 1), 1)[0];
        if (mutationId) await local.pg.query(`select refuse_outbox_entry($1, 'refused', 'No', null)`, [mutationId]);
      },
    ];
    for (let step = 0; step < 300; step++) {
      await random.pick(steps)();
      expect(await overlayRows(), `after step ${step}`).toEqual(await expectedRows());
    }
    expect(settled).toBeGreaterThan(10);
  });

  type Row = { id: string; part_number: string | null; quantity: number | null; location: string | null; pending: boolean };

  async function overlayRows(): Promise<Row[]> {
    return (await local.pg.query<Row>('select id, part_number, quantity, location, pending from parts order by id')).rows;
  }

  /** What the overlay should hold, worked out here from the synced rows and the effects. */
  async function expectedRows(): Promise<Row[]> {
    const synced = (await local.pg.query<Row>('select id, part_number, quantity, location from parts_synced')).rows;
    const effects = (
      await local.pg.query<{ row_id: string; op: string; data: Record<string, unknown> }>(
        `select row_id, op, data from outbox_effects where table_name = 'parts' order by seq, id`,
      )
    ).rows;
    const rows = new Map(synced.map((row) => [row.id, { ...row, pending: false }]));
    const touched = new Set(effects.map((e) => e.row_id));
    for (const id of touched) {
      const mine = effects.filter((e) => e.row_id === id);
      const base = rows.get(id) ?? (mine.some((e) => e.op === 'insert') ? { id, part_number: null, quantity: null, location: null } : undefined);
      if (!base) continue;
      const row: Record<string, unknown> = { ...base, pending: true };
      // In order: a value set replaces the column, an amount added adds to it.
      for (const effect of mine) {
        for (const [key, value] of Object.entries(effect.data)) {
          row[key] = effect.op === 'add' ? Number(row[key] ?? 0) + Number(value) : value;
        }
      }
      rows.set(id, row as Row);
    }
    return [...rows.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
  }

  it('tells each table a transaction changed once, on one channel', async () => {
    const heard: string[] = [];
    const unlisten = await local.pg.listen(TABLE_CHANGED_CHANNEL, (table) => heard.push(table));
    try {
      const mutationId = uuidv7();
      await local.pg.transaction(async (tx) => {
        await tx.query(`insert into outbox (mutation_id, name, args, user_id, client_time) values ($1, 'stock.adjust', '{}', $2, now())`, [mutationId, uuidv7()]);
        for (const delta of [-1, -2]) {
          await tx.query(
            `insert into outbox_effects (mutation_id, seq, table_name, row_id, op, data)
             values ($1, (select seq from outbox where mutation_id = $1), 'parts', $2, 'add', $3)`,
            [mutationId, partId, { quantity: delta }],
          );
        }
      });
      await local.pg.query('select 1');
      expect(heard.sort()).toEqual(['outbox', 'outbox_effects', 'parts']);
      expect(await part()).toMatchObject({ quantity: 7 });
    } finally {
      await unlisten();
    }
  });

  it('every table of the local database tells its changes', async () => {
    const { rows } = await local.pg.query<{ tablename: string; told: boolean }>(
      `select t.tablename, exists (select 1 from pg_trigger g where g.tgrelid = ('public.' || t.tablename)::regclass and g.tgname = 'table_changed') as told
         from pg_tables t where t.schemaname = 'public' order by 1`,
    );
    expect(rows.length).toBeGreaterThan(2 * SYNCED_TABLES.length);
    expect(rows.filter((r) => !r.told)).toEqual([]);
  });
});
