/**
 * A server of the test's own (its own port and data directory), for tests that stop and restart
 * it, or a second process on another server's database; also each Playwright worker's own yard
 * server (fixtures.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

const REPO_ROOT = path.resolve(import.meta.dirname, '../..');

export class OwnServer {
  private child: ChildProcess | undefined;
  readonly output: string[] = [];
  readonly dataDir: string;

  /** `env` adds to or replaces the server's settings (DATABASE_URL: a second process on another's database). */
  constructor(
    readonly port: number,
    private readonly env: Record<string, string> = {},
  ) {
    this.dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cimco-e2e-own-'));
    // The embedded PostgreSQL runs as the `postgres` user when we are root: it must enter the folder.
    fs.chmodSync(this.dataDir, 0o755);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Starts `npm run serve`'s program on the data directory and waits until it answers. */
  async start(): Promise<void> {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'sync-server/src/main.ts')], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        PORT: String(this.port),
        HOST: '127.0.0.1',
        DATA_DIR: this.dataDir,
        DEMO: 'true',
        LOG_LEVEL: 'warn',
        DATABASE_URL: '',
        ELECTRIC_URL: '',
        CLIENT_DIST: '',
        ...this.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    for (const stream of [child.stdout!, child.stderr!]) stream.setEncoding('utf8').on('data', (chunk: string) => this.output.push(chunk));
    const deadline = Date.now() + 120_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}):\n${this.output.join('')}`);
      try {
        if ((await fetch(`${this.url}/api/health`)).ok) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`the server did not start:\n${this.output.join('')}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  /** SIGTERM, as a service manager stops it; waits for the exit. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }

  /** A connection to its database. */
  database(): pg.Client {
    const settings = JSON.parse(fs.readFileSync(path.join(this.dataDir, 'postgres.json'), 'utf8')) as { port: number; password: string };
    return new pg.Client({ host: '127.0.0.1', port: settings.port, user: 'postgres', password: settings.password, database: 'cimco' });
  }

  async remove(): Promise<void> {
    await this.stop();
    fs.rmSync(this.dataDir, { recursive: true, force: true });
  }
}
