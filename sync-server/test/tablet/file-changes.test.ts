/**
 * The write-back's change flag (client/src/db/file-changes.ts) on a real PGlite: reads leave
 * PostgreSQL's files alone, so no write-back is needed after them; any write (a row, a table, a
 * checkpoint) raises the flag, or a tap could be left out of IndexedDB.
 */
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trackFileChanges, type FileChanges } from '../../../client/src/db/file-changes.ts';

describe('file changes', () => {
  let pg: PGlite;
  let changes: FileChanges;

  beforeAll(async () => {
    pg = await PGlite.create();
    await pg.exec('create table t (id int primary key, note text); insert into t values (1, $$a$$)');
    changes = trackFileChanges(pg.Module.FS);
  });
  afterAll(async () => {
    await pg?.close();
  });

  it('starts raised: what happened before tracking began may not be stored yet', () => {
    expect(changes.take()).toBe(true);
    expect(changes.take()).toBe(false);
  });

  it('reads change no file', async () => {
    changes.take();
    await pg.query('select 1');
    await pg.query('select * from t where id = $1', [1]);
    await pg.exec('begin; select count(*) from t; commit');
    expect(changes.take()).toBe(false);
  });

  it.each([
    ['a row inserted', 'insert into t values (2, $$b$$)'],
    ['a row updated', 'update t set note = $$c$$ where id = 1'],
    ['a row deleted', 'delete from t where id = 2'],
    ['a table created', 'create table u (n int)'],
    ['a checkpoint', 'checkpoint'],
  ])('%s raises the flag', async (_, sql) => {
    changes.take();
    await pg.exec(sql);
    expect(changes.take()).toBe(true);
  });

  it('restore raises it again after a failed write-back', () => {
    changes.take();
    changes.restore();
    expect(changes.take()).toBe(true);
  });
});
