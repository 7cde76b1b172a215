import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyPassword } from '../src/auth/passwords.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';
import { makeTempDir } from './support/server.ts';

const REPO_ROOT = path.resolve(import.meta.dirname, '../..');
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase({ migrated: false });
});
afterAll(async () => db?.drop());

async function run(script: string, args: string[], stdin = ''): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'sync-server/src/cli', script), ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, DATABASE_URL: db.url, DATA_DIR: await makeTempDir('cimco-cli-') },
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  child.stdin.end(stdin);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { code, output };
}

describe('npm run migrate', () => {
  it('applies the migrations to DATABASE_URL and reports the schema version', async () => {
    const { code, output } = await run('migrate.ts', []);
    expect(code).toBe(0);
    expect(output).toMatch(/Schema is at \d{4}_\w+\./);
    const { rows } = await db.pool.query('select count(*)::int as n from schema_migrations');
    expect(rows[0].n).toBeGreaterThan(0);
  });
});

describe('npm run create-admin', () => {
  it('creates an administrator (and its yard) from flags and a password on stdin', async () => {
    const { code, output } = await run(
      'create-admin.ts',
      ['--username', 'Boss', '--name', 'Ops Manager', '--site', 'north-yard', '--site-name', 'North yard', '--password-stdin'],
      'a long enough password\n',
    );
    expect(output).toContain('Created administrator "boss" for yard "north-yard".');
    expect(code).toBe(0);
    const { rows } = await db.pool.query(
      `select u.role, u.display_name, u.password_hash, s.name as site from users u join sites s on s.id = u.site_id where u.username = 'boss'`,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ role: 'admin', display_name: 'Ops Manager', site: 'North yard' });
    expect(await verifyPassword(rows[0].password_hash, 'a long enough password')).toBe(true);
    expect(output).not.toContain('a long enough password');
  });

  it('refuses bad input with a message per problem and writes nothing', async () => {
    const before = (await db.pool.query('select count(*)::int as n from users')).rows[0].n;
    const { code, output } = await run('create-admin.ts', ['--username', 'x', '--name', 'X', '--site', 'Not A Code!', '--password-stdin'], 'short\n');
    expect(code).toBe(2);
    expect(output).toContain('password: password must be at least 10 characters');
    expect(output).toContain('site: site must be a code like "sterling"');
    const duplicate = await run('create-admin.ts', ['--username', 'boss', '--name', 'Again', '--site', 'north-yard', '--password-stdin'], 'another long password\n');
    expect(duplicate.code).toBe(2);
    expect(duplicate.output).toContain('a user named "boss" already exists');
    expect((await db.pool.query('select count(*)::int as n from users')).rows[0].n).toBe(before);
  });
});
