import pg from 'pg';

/**
 * What PostgreSQL's backends are doing while a write run goes on: `pg_stat_activity` sampled every
 * `intervalMs` on a connection of its own, each backend in a transaction or running a statement
 * counted under one state. The averages say where a command's time goes:
 *
 * - "running" (active, no wait event): PostgreSQL working on a statement (CPU, or waiting for a
 *   core — with 2 cores and 50 connections, mostly the latter);
 * - "in transaction, waiting for the client" (idle in transaction): the statement is done, the
 *   next one has not arrived — a round trip through the client (Node's event loop, the pool);
 * - a wait event: `Lock:transactionid`/`Lock:tuple` (a row lock another command holds),
 *   `Lock:advisory`, `IO:WALSync`/`LWLock:WALWrite` (commit flushing the WAL), `Lock:object`
 *   (the database-wide lock taken at commit by transactions that ran NOTIFY)…
 *
 * Backends are grouped: the raw-SQL load (application_name `bench-raw`), the server's feed
 * publisher (the backend holding its advisory lock), and everything else that is not idle (the
 * server's pool).
 */
export const RAW_APPLICATION_NAME = 'bench-raw';

export interface ActivitySummary {
  samples: number;
  /** Average number of backends in each state, per group ('raw' or 'server'). */
  averages: Map<string, Map<string, number>>;
}

export class ActivitySampler {
  #client: pg.Client;
  #timer: NodeJS.Timeout | undefined;
  #counts = new Map<string, Map<string, number>>();
  #samples = 0;
  #busy = false;

  private constructor(
    client: pg.Client,
    private readonly publisherLockKey: bigint,
    private readonly intervalMs: number,
  ) {
    this.#client = client;
  }

  /** `publisherLockKey`: the session advisory lock the server's feed publisher holds (its backend is counted apart). */
  static async connect(connectionString: string, publisherLockKey: bigint, intervalMs = 100): Promise<ActivitySampler> {
    const client = new pg.Client({ connectionString, application_name: 'bench-activity-sampler' });
    await client.connect();
    return new ActivitySampler(client, publisherLockKey, intervalMs);
  }

  start(): void {
    this.#counts = new Map();
    this.#samples = 0;
    this.#timer = setInterval(() => void this.#sample(), this.intervalMs);
  }

  async stop(): Promise<ActivitySummary> {
    clearInterval(this.#timer);
    while (this.#busy) await new Promise((resolve) => setTimeout(resolve, 5));
    const averages = new Map<string, Map<string, number>>();
    for (const [group, states] of this.#counts) {
      averages.set(group, new Map([...states].map(([state, n]) => [state, n / Math.max(1, this.#samples)])));
    }
    return { samples: this.#samples, averages };
  }

  /** The sampler's own connection (application_name bench-activity-sampler), for other bench queries. */
  get client(): pg.Client {
    return this.#client;
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.#client.end();
  }

  async #sample(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      const { rows } = await this.#client.query<{ app: string; state: string | null; wait_type: string | null; wait: string | null; publisher: boolean }>(
        `select a.application_name as app, a.state, a.wait_event_type as wait_type, a.wait_event as wait,
                exists (select 1 from pg_locks l
                         where l.pid = a.pid and l.locktype = 'advisory' and l.granted
                           and l.classid::bigint = $1 and l.objid::bigint = $2) as publisher
           from pg_stat_activity a
          where a.backend_type = 'client backend' and a.pid <> pg_backend_pid()
            and a.state in ('active', 'idle in transaction', 'idle in transaction (aborted)')`,
        lockKeyParts(this.publisherLockKey),
      );
      this.#samples++;
      for (const row of rows) {
        const group = row.publisher ? 'publisher' : row.app === RAW_APPLICATION_NAME ? 'raw' : 'server';
        const state =
          row.state === 'active'
            ? row.wait_type
              ? `${row.wait_type}:${row.wait}`
              : 'running'
            : 'in transaction, waiting for the client';
        const states = this.#counts.get(group) ?? new Map<string, number>();
        this.#counts.set(group, states);
        states.set(state, (states.get(state) ?? 0) + 1);
      }
    } catch {
      // a sample lost (e.g. at shutdown) changes nothing
    } finally {
      this.#busy = false;
    }
  }
}

/**
 * PostgreSQL's CPU during a run, per kind of backend, from /proc: the load's connections (the
 * server's pool for HTTP runs, `bench-raw` for raw ones), the server's change-feed publisher (the
 * backend holding its session advisory lock), this sampler, and background processes
 * (checkpointer, WAL writer, autovacuum…). Backends that exit during a run are not seen here;
 * the cluster total (CostMeter) includes them.
 */
export class BackendCpu {
  #start = new Map<number, { group: string; cpu: number }>();

  constructor(
    private readonly client: pg.Client,
    private readonly publisherLockKey: bigint,
    private readonly cpuOf: (pid: number) => number | undefined,
  ) {}

  async start(): Promise<void> {
    this.#start = await this.#read();
  }

  /** CPU seconds per group since start(). */
  async end(): Promise<Map<string, number>> {
    const now = await this.#read();
    const totals = new Map<string, number>();
    for (const [pid, { group, cpu }] of now) {
      const before = this.#start.get(pid)?.cpu ?? 0;
      totals.set(group, (totals.get(group) ?? 0) + Math.max(0, cpu - before));
    }
    return totals;
  }

  async #read(): Promise<Map<number, { group: string; cpu: number }>> {
    const { rows } = await this.client.query<{ pid: number; app: string | null; type: string; publisher: boolean }>(
      `select a.pid, a.application_name as app, a.backend_type as type,
              exists (select 1 from pg_locks l
                       where l.pid = a.pid and l.locktype = 'advisory' and l.granted
                         and l.classid::bigint = $1 and l.objid::bigint = $2) as publisher
         from pg_stat_activity a`,
      lockKeyParts(this.publisherLockKey),
    );
    const out = new Map<number, { group: string; cpu: number }>();
    for (const row of rows) {
      const cpu = this.cpuOf(row.pid);
      if (cpu === undefined) continue;
      const group =
        row.type !== 'client backend'
          ? 'background'
          : row.publisher
            ? 'publisher'
            : row.app === RAW_APPLICATION_NAME
              ? 'raw'
              : row.app === 'bench-activity-sampler'
                ? 'sampler'
                : 'server';
      out.set(row.pid, { group, cpu });
    }
    return out;
  }
}

/** pg_locks shows a bigint advisory key as classid (high 32 bits) and objid (low 32 bits). */
function lockKeyParts(key: bigint): [number, number] {
  return [Number(key >> 32n), Number(key & 0xffffffffn)];
}
