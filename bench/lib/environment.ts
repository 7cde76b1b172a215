import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { createUser } from '../../sync-server/src/auth/users.ts';
import { createPool } from '../../sync-server/src/db/database.ts';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../sync-server/src/db/embedded-postgres.ts';
import { migrate } from '../../sync-server/src/db/migrate.ts';
import { createLogger } from '../../sync-server/src/logger.ts';
import { generateYardData, type GenerateResult } from '../../sync-server/src/seed/generate.ts';
import { listeningPorts } from './proc.ts';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');

/**
 * Everything a benchmark run sets up, torn down in reverse order by `cleanUp()` whatever happened:
 * temporary folders, an embedded PostgreSQL, a database filled with generated yard data, the
 * sync server as a child process (as `npm run serve` runs it), and a signed-in storeroom user.
 */
export class Environment {
  #cleanups: { label: string; run: () => Promise<void> }[] = [];
  /** The server child, once started (for its output after a failure). */
  server: ServerChild | undefined;

  onCleanUp(label: string, run: () => Promise<void>): void {
    this.#cleanups.push({ label, run });
  }

  /** Runs every clean-up step (last registered first); returns the ones that failed. */
  async cleanUp(): Promise<string[]> {
    const failed: string[] = [];
    for (const { label, run } of this.#cleanups.reverse()) {
      try {
        await run();
      } catch (error) {
        failed.push(`${label}: ${(error as Error).message}`);
      }
    }
    this.#cleanups = [];
    return failed;
  }

  /** A folder under the system temp dir that the `postgres` user can enter (it runs as that user under root). */
  async tempDir(prefix: string): Promise<string> {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
    await fs.chmod(dir, 0o755);
    this.onCleanUp(`remove ${dir}`, () => fs.rm(dir, { recursive: true, force: true }));
    return dir;
  }

  async startPostgres(): Promise<BenchDatabase> {
    const dir = await this.tempDir('cimco-bench-pg-');
    const postgres = await startEmbeddedPostgres(dir, createLogger('error'));
    this.onCleanUp('stop PostgreSQL', () => postgres.stop());
    const pool = createPool(postgres.connectionString, createLogger('error'), 4);
    this.onCleanUp('close the bench pool', () => pool.end());
    const lock = await fs.readFile(path.join(dir, 'postgres', 'postmaster.pid'), 'utf8');
    return { postgres, pool, url: postgres.connectionString, postmasterPid: Number.parseInt(lock.split('\n')[0]!, 10) };
  }

  /** Spawns the server and waits until it accepts connections; `profileDir`: write a V8 CPU profile there. */
  async startServer(databaseUrl: string, profileDir?: string): Promise<ServerChild> {
    const dataDir = await this.tempDir('cimco-bench-data-');
    const profile = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(profileDir)}`] : [];
    const child = spawn(process.execPath, [...profile, '--import', 'tsx', path.join(REPO_ROOT, 'sync-server/src/main.ts')], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        DATABASE_URL: databaseUrl,
        PORT: '0',
        HOST: '127.0.0.1',
        DEMO: 'false',
        LOG_LEVEL: 'warn',
        JWT_SECRET: randomBytes(30).toString('base64url'), // 40 characters
        DATA_DIR: dataDir,
        // bench:writes signs its tablets in "from" addresses of their own (lib/writes-setup.ts).
        TRUST_PROXY: 'loopback',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const server = new ServerChild(child);
    this.server = server;
    this.onCleanUp('stop the server', () => server.stop());
    await server.ready;
    return server;
  }
}

export interface BenchDatabase {
  postgres: EmbeddedDatabase;
  pool: pg.Pool;
  url: string;
  postmasterPid: number;
}

export class ServerChild {
  /** Every line the server wrote (stdout and stderr). */
  readonly output: string[] = [];
  readonly exited: Promise<number | null>;
  readonly ready: Promise<void>;
  port = 0;

  constructor(readonly child: ChildProcess) {
    this.exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
    for (const stream of [child.stdout!, child.stderr!]) {
      let buffered = '';
      stream.setEncoding('utf8').on('data', (chunk: string) => {
        buffered += chunk;
        const lines = buffered.split('\n');
        buffered = lines.pop()!;
        this.output.push(...lines);
      });
    }
    this.ready = this.#waitUntilListening();
  }

  get pid(): number {
    return this.child.pid!;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Warnings and errors the server logged (JSON lines at level ≥ 40), with their counts. */
  problems(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const line of this.output) {
      let message = line;
      try {
        const entry = JSON.parse(line) as { level?: number; msg?: string; err?: unknown };
        if (typeof entry.level === 'number' && entry.level < 40) continue;
        message = `${entry.msg ?? ''}${entry.err ? ` (${JSON.stringify(entry.err).slice(0, 160)})` : ''}`;
      } catch {
        // not a log line: keep it as it is
      }
      counts.set(message, (counts.get(message) ?? 0) + 1);
    }
    return counts;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    const timeout = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
    await this.exited;
    clearTimeout(timeout);
  }

  /**
   * With LOG_LEVEL=warn the server does not log its "listening" line, so its port is read from
   * /proc: the one TCP socket it listens on.
   */
  async #waitUntilListening(): Promise<void> {
    const deadline = Date.now() + 120_000;
    let exitCode: number | null | undefined;
    void this.exited.then((code) => (exitCode = code));
    for (;;) {
      if (exitCode !== undefined) {
        throw new Error(`the server exited with code ${exitCode}:\n${this.output.slice(-20).join('\n')}`);
      }
      const [port] = listeningPorts(this.pid);
      if (port) {
        this.port = port;
        return;
      }
      if (Date.now() > deadline) throw new Error(`the server did not listen within 2 minutes:\n${this.output.join('\n')}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

export interface SeededYard extends GenerateResult {
  username: string;
  password: string;
  seconds: number;
}

/** Schema, a yard with `parts` parts and 200 machines, and a storeroom user to sign in as. */
export async function seedYard(pool: pg.Pool, parts: number): Promise<SeededYard> {
  const started = performance.now();
  await migrate(pool);
  const result = await generateYardData(pool, { site: 'bench', parts, equipment: 200, logs: 0 });
  const username = 'bench-storeroom';
  const password = randomBytes(12).toString('base64url');
  await createUser(pool, { siteId: result.siteId, username, displayName: 'Bench storeroom', role: 'storeroom', password });
  // As autovacuum would after a bulk load; keeps the planner's row estimates honest.
  await pool.query('vacuum analyze');
  return { ...result, username, password, seconds: (performance.now() - started) / 1000 };
}

/** Waits until the server's publisher has numbered every captured transaction (the seed's). */
export async function waitForFeedPublished(pool: pg.Pool, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await pool.query<{ pending: boolean }>(
      `select exists (select 1 from shape_changes c
                       where not exists (select 1 from shape_transactions t where t.xid = c.xid)) as pending`,
    );
    if (!rows[0]!.pending) return;
    if (Date.now() > deadline) throw new Error('the server did not publish the seeded changes within 2 minutes');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export async function signIn(serverUrl: string, username: string, password: string): Promise<string> {
  const res = await fetch(`${serverUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password, device: { id: uuidv7(), name: 'bench' } }),
  });
  if (!res.ok) throw new Error(`sign-in failed: HTTP ${res.status} ${await res.text()}`);
  const { accessToken } = (await res.json()) as { accessToken: string };
  return accessToken;
}
