import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Config } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { startServer, type RunningServer } from '../../src/server.ts';

const REPO_ROOT = path.resolve(import.meta.dirname, '../../..');

/** A folder under the system temp dir that the `postgres` user can enter (see embedded-postgres.ts). */
export async function makeTempDir(prefix: string): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
  await fs.chmod(dir, 0o755);
  return dir;
}

/** The test servers' signing secret (a test that needs a token the server did not issue signs with it). */
export const TEST_JWT_SECRET = 'test-secret-that-is-long-enough-for-hs256-0123456789';

/** The real server, in this process, on a test database. */
export async function startTestServer(databaseUrl: string, overrides: Partial<Config> = {}): Promise<RunningServer> {
  const config: Config = {
    port: 0,
    host: '127.0.0.1',
    databaseUrl,
    dataDir: await makeTempDir('cimco-data-'),
    jwtSecret: TEST_JWT_SECRET,
    demo: true,
    electricUrl: undefined,
    electricSecret: undefined,
    shapeLiveTimeoutMs: 20_000,
    feedRetentionDays: 14,
    trustProxy: false,
    logLevel: 'silent',
    clientDist: path.join(REPO_ROOT, 'client/dist'),
    ...overrides,
  };
  return startServer(config, createLogger(config.logLevel));
}

/**
 * Makes a change to accounts or tablets and waits until the server has heard its notification.
 * The rights cache forgets what changed when PostgreSQL's notification arrives, milliseconds after
 * the commit; a request sent in between would test the race, not the rule.
 */
export async function changeRights(server: RunningServer, change: () => Promise<unknown>): Promise<void> {
  const heard = server.access.changesHeard;
  await change();
  for (const deadline = Date.now() + 5_000; server.access.changesHeard === heard; ) {
    if (Date.now() > deadline) throw new Error('the server never heard the change to accounts or tablets');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export interface ServerProcess {
  child: ChildProcess;
  /** Every line the process wrote, stdout and stderr together. */
  output: string[];
  url: string;
  port: number;
  exit: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * `npm run serve` as a user runs it (through tsx, as the root script does), for tests of
 * start-up, restart, shutdown and crashes. Resolves once the server logs that it is listening.
 */
export async function spawnServer(env: Record<string, string>): Promise<ServerProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(REPO_ROOT, 'sync-server/src/main.ts')],
    { cwd: REPO_ROOT, env: { ...process.env, PORT: '0', LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const output: string[] = [];
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const listening = new Promise<number>((resolve, reject) => {
    const onLine = (line: string) => {
      output.push(line);
      try {
        const entry = JSON.parse(line) as { msg?: string; port?: number };
        if (entry.msg === 'listening' && entry.port) resolve(entry.port);
      } catch {
        // not a log line
      }
    };
    for (const stream of [child.stdout!, child.stderr!]) {
      let buffered = '';
      stream.setEncoding('utf8').on('data', (chunk: string) => {
        buffered += chunk;
        const lines = buffered.split('\n');
        buffered = lines.pop()!;
        lines.forEach(onLine);
      });
    }
    void exit.then((code) => reject(new ServerExitedError(code, output)));
  });
  const port = await listening;
  return {
    child,
    output,
    port,
    url: `http://127.0.0.1:${port}`,
    exit,
    stop(signal = 'SIGTERM') {
      child.kill(signal);
      return exit;
    },
  };
}

/** Runs the server expecting it to fail at start-up; returns its exit code and output. */
export async function spawnFailingServer(env: Record<string, string>): Promise<ServerExitedError> {
  try {
    const server = await spawnServer(env);
    await server.stop();
  } catch (error) {
    if (error instanceof ServerExitedError) return error;
    throw error;
  }
  throw new Error('the server started, but it was expected to refuse');
}

export class ServerExitedError extends Error {
  constructor(
    readonly code: number | null,
    readonly output: string[],
  ) {
    super(`server exited with code ${code}:\n${output.join('\n')}`);
  }
}

export async function login(url: string, username: string, password = 'demo', device?: { id: string; name?: string }) {
  return fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password, ...(device && { device }) }),
  });
}

/** A response's JSON body, loosely typed for assertions (tests check its shape themselves). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type JsonBody = Record<string, any>;
export async function readJson(res: Response): Promise<JsonBody> {
  return (await res.json()) as JsonBody;
}
