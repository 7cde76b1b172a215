import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR, migrate, readMigrations } from '../src/db/migrate.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';

const dbs: TestDatabase[] = [];
async function freshDatabase() {
  const db = await createTestDatabase({ migrated: false });
  dbs.push(db);
  return db;
}
afterEach(async () => {
  await Promise.all(dbs.splice(0).map((db) => db.drop()));
});

async function copyOfMigrations(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cimco-migrations-'));
  await fs.cp(MIGRATIONS_DIR, dir, { recursive: true });
  return dir;
}

describe('migrations', () => {
  it('applies every file on a fresh database and records each with its checksum', async () => {
    const db = await freshDatabase();
    const files = await readMigrations();
    const report = await migrate(db.pool);
    expect(report.applied).toEqual(files.map((f) => f.name));
    const { rows } = await db.pool.query('select name, checksum from schema_migrations order by name');
    expect(rows).toEqual(files.map((f) => ({ name: f.name, checksum: f.checksum })));
    const tables = await db.pool.query(
      `select count(*)::int as n from information_schema.tables where table_schema = 'public' and table_name = 'parts'`,
    );
    expect(tables.rows[0].n).toBe(1);
  });

  it('is idempotent: a second run applies nothing and changes nothing', async () => {
    const db = await freshDatabase();
    await migrate(db.pool);
    const before = await db.pool.query('select name, applied_at from schema_migrations order by name');
    const report = await migrate(db.pool);
    expect(report.applied).toEqual([]);
    const after = await db.pool.query('select name, applied_at from schema_migrations order by name');
    expect(after.rows).toEqual(before.rows);
  });

  it('two concurrent runs apply each file exactly once', async () => {
    const db = await freshDatabase();
    const [a, b] = await Promise.all([migrate(db.pool), migrate(db.pool)]);
    const files = await readMigrations();
    // One run did all the work, the other waited on the lock and found nothing to do.
    expect([...a.applied, ...b.applied].sort()).toEqual(files.map((f) => f.name));
    expect([a.applied.length, b.applied.length].sort()).toEqual([0, files.length]);
  });

  it('refuses to run when an applied file was edited, and applies nothing new', async () => {
    const db = await freshDatabase();
    const dir = await copyOfMigrations();
    await migrate(db.pool, dir);
    const first = (await readMigrations(dir))[0]!;
    await fs.appendFile(path.join(dir, `${first.name}.sql`), '\n-- an innocent-looking edit\n');
    await fs.writeFile(path.join(dir, '9999_later.sql'), 'create table should_not_exist (id int);');
    await expect(migrate(db.pool, dir)).rejects.toThrow(
      new RegExp(`Migration ${first.name}\\.sql was edited after it was applied`),
    );
    const { rows } = await db.pool.query(`select to_regclass('should_not_exist') as t`);
    expect(rows[0].t).toBeNull();
  });

  it('rolls back a failing file entirely and reports which one failed', async () => {
    const db = await freshDatabase();
    const dir = await copyOfMigrations();
    await fs.writeFile(
      path.join(dir, '9999_broken.sql'),
      'create table half_done (id int);\nselect * from no_such_table;',
    );
    await expect(migrate(db.pool, dir)).rejects.toThrow(/Migration 9999_broken\.sql failed: .*no_such_table/);
    const { rows } = await db.pool.query(
      `select to_regclass('half_done') as t, (select count(*)::int from schema_migrations where name = '9999_broken') as n`,
    );
    expect(rows[0]).toEqual({ t: null, n: 0 });
  });

  it('refuses a database that has a migration this server does not know', async () => {
    const db = await freshDatabase();
    await migrate(db.pool);
    await db.pool.query(`insert into schema_migrations (name, checksum) values ('9999_from_the_future', 'x')`);
    await expect(migrate(db.pool)).rejects.toThrow(/has migration 9999_from_the_future, which this server does not have/);
  });
});
