import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';

/**
 * Plain ordered SQL migrations (`migrations/NNNN_name.sql`).
 *
 * - Each file runs in its own transaction, recorded in `schema_migrations` with a SHA-256 of its
 *   text, in the same transaction.
 * - The whole run holds a session advisory lock, so servers starting together apply each file
 *   once: the second waits, then finds nothing left to do.
 * - Applied files must not change: an edited or missing one stops the start with a message saying
 *   which, before anything new is applied.
 */
export const MIGRATIONS_DIR = path.resolve(import.meta.dirname, '../../../migrations');

// Any fixed 64-bit number; only other migration runs take this lock.
const MIGRATION_LOCK_KEY = 7_262_021_001;

export interface MigrationFile {
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrationReport {
  applied: string[];
  schemaVersion: string | undefined;
}

export class MigrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MigrationError';
  }
}

export async function readMigrations(dir = MIGRATIONS_DIR): Promise<MigrationFile[]> {
  const names = (await fs.readdir(dir)).filter((f) => f.endsWith('.sql')).sort();
  const files: MigrationFile[] = [];
  for (const file of names) {
    if (!/^\d{4}_[a-z0-9_]+\.sql$/.test(file)) {
      throw new MigrationError(
        `Migration file ${file} is misnamed: use four digits, an underscore and a lower-case name, e.g. 0002_add_photos.sql`,
      );
    }
    const sql = await fs.readFile(path.join(dir, file), 'utf8');
    files.push({ name: file.slice(0, -4), sql, checksum: sha256(sql) });
  }
  return files;
}

export async function migrate(pool: pg.Pool, dir = MIGRATIONS_DIR): Promise<MigrationReport> {
  const files = await readMigrations(dir);
  const client = await pool.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await client.query(`create table if not exists schema_migrations (
        name       text primary key,
        checksum   text not null,
        applied_at timestamptz not null default now()
      )`);
      const { rows } = await client.query<{ name: string; checksum: string }>(
        'select name, checksum from schema_migrations order by name',
      );
      const known = new Map(files.map((f) => [f.name, f]));
      for (const row of rows) {
        const file = known.get(row.name);
        if (!file) {
          throw new MigrationError(
            `The database has migration ${row.name}, which this server does not have. ` +
              'It was applied by a newer version: run that version, or restore its migration file.',
          );
        }
        if (file.checksum !== row.checksum) {
          throw new MigrationError(
            `Migration ${row.name}.sql was edited after it was applied (checksum ${file.checksum.slice(0, 12)}… ` +
              `differs from the applied ${row.checksum.slice(0, 12)}…). Applied migrations must not ` +
              'change: restore the file and put the change in a new migration.',
          );
        }
      }
      const done = new Set(rows.map((r) => r.name));
      const applied: string[] = [];
      for (const file of files) {
        if (done.has(file.name)) continue;
        await client.query('begin');
        try {
          await client.query(file.sql);
          await client.query('insert into schema_migrations (name, checksum) values ($1, $2)', [
            file.name,
            file.checksum,
          ]);
          await client.query('commit');
        } catch (error) {
          await client.query('rollback');
          throw new MigrationError(`Migration ${file.name}.sql failed: ${(error as Error).message}`);
        }
        applied.push(file.name);
      }
      return { applied, schemaVersion: files.at(-1)?.name };
    } finally {
      await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    client.release();
  }
}

export async function currentSchemaVersion(pool: pg.Pool): Promise<string | undefined> {
  const { rows } = await pool.query<{ name: string }>(
    'select name from schema_migrations order by name desc limit 1',
  );
  return rows[0]?.name;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
