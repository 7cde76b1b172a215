import fs from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './support/database.ts';
import { login, makeTempDir, readJson, spawnFailingServer, spawnServer, type ServerProcess } from './support/server.ts';

/**
 * The server as `npm start` runs it: a child process with its own embedded PostgreSQL in DATA_DIR.
 */
const running: ServerProcess[] = [];
const dirs: string[] = [];
async function dataDir() {
  const dir = await makeTempDir('cimco-serve-');
  dirs.push(dir);
  return dir;
}
async function serve(env: Record<string, string>) {
  const server = await spawnServer(env);
  running.push(server);
  return server;
}
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => (s.child.exitCode === null ? s.stop('SIGTERM') : undefined)));
});
afterAll(async () => {
  await Promise.all(dirs.map((d) => fs.rm(d, { recursive: true, force: true })));
});

async function health(url: string) {
  const res = await fetch(`${url}/api/health`);
  return { status: res.status, body: await readJson(res) };
}

function logged(server: ServerProcess, msg: string) {
  return server.output.map((l) => { try { return JSON.parse(l); } catch { return {}; } }).filter((e) => e.msg === msg);
}

describe('npm start with the embedded PostgreSQL', () => {
  it('starts with nothing configured, seeds the demo yard, and keeps data across a clean restart', async () => {
    const DATA_DIR = await dataDir();
    const first = await serve({ DATA_DIR });
    expect(await health(first.url)).toEqual({
      status: 200,
      body: { status: 'ok', database: 'ok', schemaVersion: expect.stringMatching(/^\d{4}_/) },
    });
    const res = await login(first.url, 'admin', 'demo');
    expect(res.status).toBe(200);
    const session = await readJson(res);
    expect(session.user.role).toBe('admin');
    expect(logged(first, 'migrations applied')).toHaveLength(1);
    // Secrets never reach the output.
    const output = first.output.join('\n');
    expect(output).not.toContain(session.refreshToken);
    expect(output).not.toContain(session.accessToken);
    const secret = await fs.readFile(path.join(DATA_DIR, 'jwt-secret'), 'utf8');
    expect(output).not.toContain(secret.trim());
    expect((await fs.stat(path.join(DATA_DIR, 'jwt-secret'))).mode & 0o077).toBe(0);

    // A clean stop: exit 0 and PostgreSQL shut down (its lock file removed).
    expect(await first.stop('SIGTERM')).toBe(0);
    await expect(fs.access(path.join(DATA_DIR, 'postgres/postmaster.pid'))).rejects.toThrow();

    const second = await serve({ DATA_DIR });
    expect(logged(second, 'migrations applied')).toHaveLength(0);
    expect(logged(second, 'schema is up to date')).toHaveLength(1);
    // Same secret, so the earlier session's refresh token still works; same data, seeded once.
    const refreshed = await fetch(`${second.url}/api/auth/refresh`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refreshToken: session.refreshToken }),
    });
    expect(refreshed.status).toBe(200);
    const settings = JSON.parse(await fs.readFile(path.join(DATA_DIR, 'postgres.json'), 'utf8'));
    const client = new pg.Client({ connectionString: `postgres://postgres:${encodeURIComponent(settings.password)}@127.0.0.1:${settings.port}/cimco` });
    await client.connect();
    const { rows } = await client.query(`select (select count(*)::int from sites) as sites, (select count(*)::int from users where username = 'admin') as admins`);
    await client.end();
    expect(rows[0]).toEqual({ sites: 1, admins: 1 });
    expect(await second.stop('SIGINT')).toBe(0);
  });

  it('refuses, with a clear message, a DATA_DIR that another running server holds', async () => {
    const DATA_DIR = await dataDir();
    const first = await serve({ DATA_DIR });
    const refused = await spawnFailingServer({ DATA_DIR });
    expect(refused.code).toBe(1);
    expect(refused.output.join('\n')).toMatch(/is in use by another PostgreSQL process \(pid \d+\), probably another CIMCO Yard server/);
    expect((await health(first.url)).status).toBe(200);
  });

  it('recovers after the server is killed: the orphaned PostgreSQL is stopped and the data is intact', async () => {
    const DATA_DIR = await dataDir();
    const first = await serve({ DATA_DIR });
    expect(await first.stop('SIGKILL')).toBeNull();
    const second = await serve({ DATA_DIR });
    expect((await login(second.url, 'tech', 'demo')).status).toBe(200);
    expect(logged(second, 'stopping a PostgreSQL left running by a server that did not shut down')).toHaveLength(1);
  });
});

describe('npm start against an external PostgreSQL (DATABASE_URL)', () => {
  let external: TestDatabase;
  afterAll(async () => external?.drop());

  it('migrates it, seeds no demo data by default, and serves', async () => {
    // The test run's own embedded PostgreSQL stands in for the external server.
    external = await createTestDatabase({ migrated: false });
    const server = await serve({ DATABASE_URL: external.url, DATA_DIR: await dataDir() });
    expect((await health(server.url)).body.status).toBe('ok');
    const { rows } = await external.pool.query('select (select count(*)::int from sites) as sites, (select count(*)::int from schema_migrations) as migrations');
    expect(rows[0].sites).toBe(0);
    expect(rows[0].migrations).toBeGreaterThan(0);
    expect((await login(server.url, 'admin', 'demo')).status).toBe(401);
    expect(server.output.join('\n')).not.toContain(external.url);
  });

  it('an unreachable DATABASE_URL fails the start with a readable message', async () => {
    const refused = await spawnFailingServer({ DATABASE_URL: 'postgres://nobody:x@127.0.0.1:1/nothing', DATA_DIR: await dataDir() });
    expect(refused.code).toBe(1);
    expect(refused.output.join('\n')).toContain('Cannot connect to PostgreSQL at DATABASE_URL');
  });
});

describe('start-up configuration errors', () => {
  it('exit 2 and list every bad variable', async () => {
    const refused = await spawnFailingServer({ PORT: 'eighty', DATABASE_URL: 'mysql://x', DEMO: 'perhaps' });
    expect(refused.code).toBe(2);
    const text = refused.output.join('\n');
    expect(text).toContain('Invalid configuration');
    expect(text).toContain('PORT:');
    expect(text).toContain('DATABASE_URL:');
    expect(text).toContain('DEMO:');
  });
});
