/**
 * The empty cluster the build ships for a tablet's first start (client/build/ready-made-cluster.ts)
 * is made the tablet's way: it opens in PGlite, and its WAL segments are 1 MB, so a write-back to
 * IndexedDB after a recorded command copies one small segment rather than 16 MB; and it holds the
 * one database PGlite works in, without the template databases' files (each a pooled OPFS access
 * handle on a tablet).
 */
import { PGlite } from '@electric-sql/pglite';
import { describe, expect, it } from 'vitest';
import { dumpEmptyCluster } from '../../../client/build/ready-made-cluster.ts';

describe('the ready-made cluster', () => {
  it('opens in PGlite with 1 MB WAL segments', async () => {
    const cluster = await dumpEmptyCluster();
    const pg = await PGlite.create({ loadDataDir: new Blob([cluster]) });
    try {
      const { rows } = await pg.query<{ wal_segment_size: string }>('show wal_segment_size');
      expect(rows[0]!.wal_segment_size).toBe('1MB');
      expect((await pg.query('select datname from pg_database')).rows).toEqual([{ datname: 'postgres' }]);
      await pg.exec('create table t (n int); insert into t values (1)');
      expect((await pg.query('select n from t')).rows).toEqual([{ n: 1 }]);
    } finally {
      await pg.close();
    }
  });
});
