/**
 * The tablet's live queries (client/src/db/live-engine.ts), on the local schema in PGlite: a
 * subscription's first rows come before `subscribe` resolves; a change to a table its plan reads
 * pushes new rows, a change to any other table reads nothing; a window reads only its rows and
 * counts with its own query; a burst of changes is read once after it, and a write sent right
 * after a change runs before the refresh; a query text is planned once; closed subscriptions hear
 * nothing more.
 */
import type { PGlite } from '@electric-sql/pglite';
import { v7 as uuidv7 } from 'uuid';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LiveEngine } from '../../../client/src/db/live-engine.ts';
import type { LiveResult, LiveSpec } from '../../../client/src/db/protocol.ts';
import { useLocalDatabase } from '../support/local-database.ts';

const PARTS: LiveSpec = { sql: 'select part_number, quantity from parts where search is not null order by part_number' };

describe('live queries', () => {
  const local = useLocalDatabase();
  /** Every statement the engine sent, in order (the database itself, seen through a proxy). */
  let statements: string[];
  /** The database as the engine sees it (statements sent through it are logged). */
  let db: PGlite;
  let engine: LiveEngine;

  beforeEach(async () => {
    await local.pg.exec('delete from outbox; delete from parts_synced; delete from tasks_synced');
    statements = [];
    db = new Proxy(local.pg, {
      get(target, property) {
        if (property === 'query') {
          return (sql: string, params?: unknown[]) => {
            statements.push(sql);
            return target.query(sql, params);
          };
        }
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    }) as PGlite;
    engine = new LiveEngine(db);
  });

  afterEach(async () => {
    await engine.close();
  });

  const addPart = (number: string, quantity = 1) =>
    local.pg.query(`insert into parts_synced (id, part_number, name, quantity) values ($1, $2, 'Seal kit', $3)`, [uuidv7(), number, quantity]);

  /** Collects what a subscription is pushed; `next()` waits for the next push. */
  function collector() {
    const pushed: LiveResult[] = [];
    let wake: (() => void) | null = null;
    return {
      pushed,
      push: (result: LiveResult) => {
        pushed.push(result);
        wake?.();
      },
      next: (count = pushed.length + 1) =>
        new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`no push ${count} within 2 s`)), 2_000);
          const check = () => {
            if (pushed.length >= count) {
              clearTimeout(timer);
              resolve();
            } else wake = check;
          };
          check();
        }),
    };
  }

  /** Lets any refresh that is due run (the engine waits a moment before reading). */
  const settle = () => new Promise((resolve) => setTimeout(resolve, 100));

  it('pushes the first rows before subscribe resolves, and new rows when a table it reads changes', async () => {
    await addPart('P-1', 5);
    const parts = collector();
    await engine.subscribe('a', PARTS, parts.push);
    expect(parts.pushed).toEqual([{ rows: [{ part_number: 'P-1', quantity: 5 }] }]);

    await addPart('P-2', 3);
    await parts.next(2);
    expect(parts.pushed[1]).toEqual({ rows: [{ part_number: 'P-1', quantity: 5 }, { part_number: 'P-2', quantity: 3 }] });
  });

  it('reads nothing when another table changes', async () => {
    await addPart('P-1');
    const parts = collector();
    await engine.subscribe('a', PARTS, parts.push);
    const before = statements.length;

    await local.pg.query(`insert into tasks_synced (id, title, status) values ($1, 'Grease the shredder', 'open')`, [uuidv7()]);
    await settle();
    expect(statements.slice(before)).toEqual([]);
    expect(parts.pushed).toHaveLength(1);
  });

  it('a window reads its rows and counts the rest with its own query; a short page counts itself', async () => {
    for (let i = 1; i <= 5; i++) await addPart(`P-${i}`);
    const countSql = 'select count(*) from parts where search is not null';
    const page = collector();
    await engine.subscribe('a', { ...PARTS, window: { offset: 0, limit: 2 }, countSql }, page.push);
    expect(page.pushed[0]).toEqual({ rows: [{ part_number: 'P-1', quantity: 1 }, { part_number: 'P-2', quantity: 1 }], totalCount: 5, offset: 0, limit: 2 });
    expect(statements.filter((sql) => sql === countSql)).toHaveLength(1);

    const last = collector();
    await engine.subscribe('b', { ...PARTS, window: { offset: 4, limit: 2 }, countSql }, last.push);
    expect(last.pushed[0]).toMatchObject({ rows: [{ part_number: 'P-5' }], totalCount: 5 });
    expect(statements.filter((sql) => sql === countSql)).toHaveLength(1);
  });

  it('a burst of changes is read once after it, with every change in it', async () => {
    const parts = collector();
    await engine.subscribe('a', PARTS, parts.push);
    const reads = () => statements.filter((sql) => sql === PARTS.sql).length;
    const before = reads();

    for (let i = 1; i <= 10; i++) await addPart(`P-${String(i).padStart(2, '0')}`);
    await parts.next(2);
    await settle();
    expect(reads() - before).toBe(1);
    expect(parts.pushed.at(-1)!.rows).toHaveLength(10);
  });

  it('a write sent right after a change runs before the refresh it caused', async () => {
    const parts = collector();
    await engine.subscribe('a', PARTS, parts.push);
    const before = statements.length;

    await addPart('P-1');
    const write = `update parts_synced set quantity = 9 where part_number = 'P-1'`;
    await db.query(write);
    await parts.next(2);
    expect(statements.slice(before)).toEqual([write, PARTS.sql]);
    expect(parts.pushed.at(-1)!.rows).toEqual([{ part_number: 'P-1', quantity: 9 }]);
  });

  it('sends nothing after unsubscribe, nor to the subscriptions of a tab that went away', async () => {
    const one = collector();
    const two = collector();
    const other = collector();
    await engine.subscribe('tab1:a', PARTS, one.push);
    await engine.subscribe('tab1:b', PARTS, two.push);
    await engine.subscribe('tab2:a', PARTS, other.push);
    engine.unsubscribe('tab1:a');
    await addPart('P-1');
    await other.next(2);
    expect(one.pushed).toHaveLength(1);
    expect(two.pushed).toHaveLength(2);

    engine.unsubscribeAll('tab1:');
    await addPart('P-2');
    await other.next(3);
    expect(two.pushed).toHaveLength(2);
  });

  it('plans a query text once: the same text with other parameters follows the same tables', async () => {
    const byNumber: LiveSpec = { sql: 'select part_number from parts where part_number = $1', params: ['P-1'] };
    const first = collector();
    const second = collector();
    await engine.subscribe('a', byNumber, first.push);
    await engine.subscribe('b', { ...byNumber, params: ['P-2'] }, second.push);
    expect(statements.filter((sql) => sql.startsWith('explain'))).toHaveLength(1);
    await addPart('P-2');
    await second.next(2);
    expect(second.pushed.at(-1)!.rows).toEqual([{ part_number: 'P-2' }]);
  });

  it('refuses a query with an error and keeps nothing of it', async () => {
    const broken = collector();
    await expect(engine.subscribe('a', { sql: 'select no_such_column from parts' }, broken.push)).rejects.toThrow(/no_such_column/);
    await addPart('P-1');
    await settle();
    expect(broken.pushed).toEqual([]);
  });
});
