import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { clearLockedPorts } from 'get-port';
import type pg from 'pg';
import { ServerChild, REPO_ROOT, type Environment } from '../bench/lib/environment.ts';
import { createPool } from '../sync-server/src/db/database.ts';
import { isAlive, startEmbeddedPostgres, type EmbeddedDatabase } from '../sync-server/src/db/embedded-postgres.ts';
import { createLogger } from '../sync-server/src/logger.ts';
import { sleep } from '../sync-server/test/support/shapes.ts';
import { RoundRobinProxy } from './proxy.ts';

/**
 * The server side of a chaos run, as separate processes the harness can kill: one embedded
 * PostgreSQL, `servers` sync-server processes on it (`sync-server/src/main.ts`, as `npm run serve`
 * runs it, demo yard on), and the round-robin proxy whose address the tablets use.
 *
 * Kills are `kill -9`: no shutdown code runs, as in a power cut or the OOM killer. A killed
 * PostgreSQL comes back on the same port with crash recovery; a killed server comes back on a
 * new port behind the proxy. Servers that die without being killed are restarted too, and counted.
 */
export interface ClusterOptions {
  servers: number;
  /** SHAPE_LIVE_TIMEOUT_MS of every server. */
  liveTimeoutMs: number;
}

export class Cluster {
  readonly proxy = new RoundRobinProxy();
  /** Servers that exited though nobody killed them (a crash the harness did not cause). */
  unexpectedServerExits = 0;
  /** Servers the harness restarted after a kill. */
  serverRestarts = 0;
  readonly jwtSecret = randomBytes(30).toString('base64url');
  /** When PostgreSQL was down: from its kill to the end of its restart. */
  readonly databaseDown: { from: number; to: number }[] = [];
  #env: Environment;
  #options: ClusterOptions;
  #postgresDir = '';
  #postgres: EmbeddedDatabase | undefined;
  #databaseUrl = '';
  #pool: pg.Pool | undefined;
  #servers: (ServerChild | undefined)[] = [];
  /** Servers the harness is killing on purpose: their exit is not a crash. */
  #killing = new Set<ServerChild>();
  #stopping = false;

  constructor(env: Environment, options: ClusterOptions) {
    this.#env = env;
    this.#options = options;
  }

  get pool(): pg.Pool {
    if (!this.#pool) throw new Error('the cluster has not started');
    return this.#pool;
  }

  get url(): string {
    return this.proxy.url;
  }

  get liveServers(): number {
    return this.#servers.filter((server) => server && server.port > 0 && server.child.exitCode === null && server.child.signalCode === null).length;
  }

  async start(): Promise<void> {
    this.#postgresDir = await this.#env.tempDir('cimco-chaos-pg-');
    await this.#startPostgres();
    // The harness's own connections (checks, compaction): few, and they survive a database kill
    // because the pool drops broken clients and opens new ones.
    this.#pool = createPool(this.#databaseUrl, createLogger('silent'), 4);
    this.#env.onCleanUp('close the harness pool', () => this.#pool!.end());
    await this.proxy.listen();
    this.#env.onCleanUp('close the proxy', () => this.proxy.close());
    this.#env.onCleanUp('stop the servers', () => this.#stopServers());
    // One at a time: the first start migrates and seeds the demo yard.
    for (let slot = 0; slot < this.#options.servers; slot++) await this.#startServer(slot);
  }

  // ---- PostgreSQL ------------------------------------------------------------------------------

  async #startPostgres(): Promise<void> {
    // startEmbeddedPostgres asks get-port for the cluster's stored port, and get-port keeps every
    // port it handed out in this process "locked" until a later call rotates its lock sets: a
    // restart here would be refused its own port and moved to another, where the servers never
    // look. This process starts no other listener through get-port, so forgetting is safe.
    clearLockedPorts();
    const postgres = await startEmbeddedPostgres(this.#postgresDir, createLogger('error'));
    if (this.#databaseUrl && postgres.connectionString !== this.#databaseUrl) {
      // The servers keep their DATABASE_URL: a database back on another port is one they never find.
      await postgres.stop();
      throw new Error(`PostgreSQL came back at another address (${postgres.connectionString}); its port was taken meanwhile`);
    }
    if (!this.#databaseUrl) this.#env.onCleanUp('stop PostgreSQL', async () => this.#postgres?.stop());
    this.#databaseUrl = postgres.connectionString;
    this.#postgres = postgres;
  }

  /** The processes of the cluster the last kill hit: all must be gone before it starts again. */
  #killedPids: number[] = [];

  /**
   * kill -9 of the postmaster and every backend: the cluster dies at once, mid-transaction. The
   * postmaster is stopped first so it cannot fork a backend between the listing and the kill (an
   * orphaned backend keeps the shared memory, and the restart would refuse to start).
   */
  killPostgres(): void {
    const postmaster = this.#postmasterPid();
    if (postmaster === undefined) return;
    this.databaseDown.push({ from: Date.now(), to: Number.POSITIVE_INFINITY });
    // Never ask the killed instance to stop: embedded-postgres would wait for an exit that has
    // already happened, forever (and Node, with nothing else to do, would quit mid clean-up).
    this.#postgres = undefined;
    signal(postmaster, 'SIGSTOP');
    this.#killedPids = [...childrenOf(postmaster), postmaster];
    for (const pid of this.#killedPids) signal(pid, 'SIGKILL');
  }

  /** Starts the killed cluster again on its data (crash recovery) and port. */
  async restartPostgres(): Promise<void> {
    for (const deadline = Date.now() + 10_000; this.#killedPids.some(isAlive); ) {
      if (Date.now() > deadline) throw new Error(`PostgreSQL processes ${this.#killedPids.filter(isAlive).join(', ')} did not die`);
      await sleep(20);
    }
    await this.#startPostgres();
    const outage = this.databaseDown.at(-1);
    if (outage && outage.to === Number.POSITIVE_INFINITY) outage.to = Date.now();
  }

  #postmasterPid(): number | undefined {
    try {
      const lock = fs.readFileSync(path.join(this.#postgresDir, 'postgres', 'postmaster.pid'), 'utf8');
      const pid = Number.parseInt(lock.split('\n')[0] ?? '', 10);
      return Number.isInteger(pid) && pid > 0 && isAlive(pid) ? pid : undefined;
    } catch {
      return undefined;
    }
  }

  // ---- servers ---------------------------------------------------------------------------------

  /** kill -9 of one server, taken out of the proxy first (a load balancer's health check). */
  async killServer(slot: number): Promise<void> {
    const server = this.#servers[slot];
    this.#servers[slot] = undefined;
    this.#updateProxy();
    if (!server || server.child.exitCode !== null || server.child.signalCode !== null) return;
    this.#killing.add(server);
    server.child.kill('SIGKILL');
    await server.exited;
  }

  async restartServer(slot: number): Promise<void> {
    await this.#startServer(slot);
    this.serverRestarts++;
  }

  get serverSlots(): number {
    return this.#options.servers;
  }

  async #startServer(slot: number): Promise<void> {
    // A server cannot start while PostgreSQL is down (it exits): wait for it, and try again.
    for (let attempt = 1; ; attempt++) {
      await this.#databaseReachable();
      const server = await this.#spawnServer(slot);
      try {
        await server.ready;
      } catch (error) {
        if (attempt >= 20 || this.#stopping) throw error;
        await sleep(500);
        continue;
      }
      this.#servers[slot] = server;
      this.#updateProxy();
      void server.exited.then(() => this.#onExit(slot, server));
      return;
    }
  }

  /** Resolves once PostgreSQL answers (a server spawned earlier would only exit: each spawn costs seconds of CPU). */
  async #databaseReachable(): Promise<void> {
    for (const deadline = Date.now() + 60_000; ; ) {
      try {
        await this.pool.query('select 1');
        return;
      } catch (error) {
        if (Date.now() > deadline || this.#stopping) throw error;
        await sleep(200);
      }
    }
  }

  async #spawnServer(slot: number): Promise<ServerChild> {
    const dataDir = await this.#env.tempDir(`cimco-chaos-server-${slot}-`);
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'sync-server/src/main.ts')], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        DATABASE_URL: this.#databaseUrl,
        DEMO: 'on',
        PORT: '0',
        HOST: '127.0.0.1',
        // Servers behind one balancer share the secret (README): a token one signed, the other accepts.
        JWT_SECRET: this.jwtSecret,
        DATA_DIR: dataDir,
        SHAPE_LIVE_TIMEOUT_MS: String(this.#options.liveTimeoutMs),
        // Warnings and errors only: at `info` every request is a log line, costly on two cores.
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new ServerChild(child);
  }

  #onExit(slot: number, server: ServerChild): void {
    if (this.#killing.delete(server) || this.#stopping) return;
    this.unexpectedServerExits++;
    if (this.#servers[slot] === server) {
      this.#servers[slot] = undefined;
      this.#updateProxy();
      void this.#startServer(slot).catch(() => {});
    }
  }

  #updateProxy(): void {
    this.proxy.setBackends(
      this.#servers.flatMap((server, slot) => (server ? [{ name: `server-${slot}`, port: server.port }] : [])),
    );
  }

  /** The warnings and errors the servers logged (their last lines), for a failure report. */
  serverProblems(): string[] {
    return this.#servers.flatMap((server, slot) => (server ? server.output.slice(-10).map((line) => `server-${slot}: ${line}`) : []));
  }

  async #stopServers(): Promise<void> {
    this.#stopping = true;
    this.proxy.setBackends([]);
    await Promise.all(this.#servers.map((server) => server?.stop()));
  }

  /** Everything up again: PostgreSQL, then every server slot. */
  async healAll(): Promise<void> {
    if (this.#postmasterPid() === undefined) await this.restartPostgres();
    for (let slot = 0; slot < this.#options.servers; slot++) {
      if (!this.#servers[slot]) await this.restartServer(slot);
    }
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

/** The processes whose parent is `pid` (PostgreSQL's backends and helpers), from /proc. */
function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      // "pid (comm) state ppid …": comm may hold spaces, so count from the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) children.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return children;
}
