import pg from 'pg';
import type { Logger } from '../logger.ts';

/**
 * The single publisher of the change feed (SPEC.md, "Publishing").
 *
 * Every server process runs one; the one holding the advisory lock publishes, the others retry
 * now and then and take over when the leader's connection goes away (its session lock dies with
 * it). A round, in one REPEATABLE READ transaction on the lock-holding connection:
 *
 *   1. find committed transactions with captured changes that have no tx_offset yet, looking only
 *      at xids from the horizon on (everything older was complete, and published, last round);
 *   2. order them by their highest capture sequence — a transaction that waited for another's row
 *      lock wrote after that one committed, so it always sorts later — and number them on from
 *      the last tx_offset;
 *   3. move the horizon to this snapshot's xmin, and NOTIFY the new position to every process.
 *
 * A transaction that commits during a round is simply picked up by the next one, and its
 * tx_offset will be higher than everything published before: the lsn never goes backwards.
 */
export const PUBLISHER_LOCK_KEY = 7_262_021_003;
export const CHANGES_CHANNEL = 'shape_changes';
export const FEED_CHANNEL = 'shape_feed';

export interface PublisherOptions {
  /** A round also runs this often without being woken (writes from outside the server; a lost NOTIFY). */
  pollMs?: number;
  /** How often a follower tries to become the leader. */
  leaderRetryMs?: number;
  /** The leader compacts published changes older than this, once an hour. */
  retentionDays?: number;
}

const COMPACTION_INTERVAL_MS = 60 * 60_000;
/**
 * Writes from outside this server's processes (psql, scripts) are only found by the poll since the
 * capture trigger stopped NOTIFYing (migrations/0008): often enough that they show on tablets within
 * a quarter second. An idle round is a few index lookups.
 */
const DEFAULT_POLL_MS = 250;

export class FeedPublisher {
  #client: pg.Client | undefined;
  #stopped = false;
  #leader = false;
  #timer: NodeJS.Timeout | undefined;
  #round: Promise<void> = Promise.resolve();
  #pending = false;
  #lastCompaction = 0;

  constructor(
    private readonly connectionString: string,
    private readonly logger: Logger,
    private readonly options: PublisherOptions = {},
  ) {}

  get isLeader(): boolean {
    return this.#leader;
  }

  async start(): Promise<void> {
    await this.#tryToLead();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#round.catch(() => {});
    await this.#client?.end().catch(() => {});
    this.#client = undefined;
    this.#leader = false;
  }

  /** Publishes whatever is committed now; resolves when that round is done. */
  publishNow(): Promise<void> {
    if (!this.#leader) return Promise.resolve();
    if (this.#pending) return this.#round;
    this.#pending = true;
    this.#round = this.#round.then(async () => {
      this.#pending = false;
      if (!this.#client || this.#stopped) return;
      try {
        await publishRound(this.#client);
        if (Date.now() - this.#lastCompaction > COMPACTION_INTERVAL_MS) {
          this.#lastCompaction = Date.now();
          const removed = await compactFeed(this.#client, `${this.options.retentionDays ?? 14} days`);
          if (removed > 0) this.logger.info({ transactions: removed }, 'compacted the change feed');
        }
      } catch (error) {
        this.logger.error({ err: error }, 'publishing the change feed failed; retrying');
        await this.#lose();
      }
    });
    return this.#round;
  }

  async #tryToLead(): Promise<void> {
    if (this.#stopped) return;
    try {
      const client = new pg.Client({ connectionString: this.connectionString });
      client.on('error', () => {}); // reported through the 'end' handler below
      await client.connect();
      const { rows } = await client.query<{ locked: boolean }>('select pg_try_advisory_lock($1) as locked', [
        PUBLISHER_LOCK_KEY,
      ]);
      if (!rows[0]?.locked || this.#stopped) {
        await client.end();
        this.#schedule(() => this.#tryToLead(), this.options.leaderRetryMs ?? 2_000);
        return;
      }
      this.#client = client;
      this.#leader = true;
      client.on('end', () => {
        if (this.#client === client) void this.#lose();
      });
      client.on('notification', () => void this.publishNow());
      await client.query(`listen ${CHANGES_CHANNEL}`);
      this.logger.info('this process publishes the change feed');
      await this.publishNow();
      this.#poll();
    } catch (error) {
      this.logger.warn({ err: (error as Error).message }, 'cannot reach the database to publish the feed; retrying');
      this.#schedule(() => this.#tryToLead(), this.options.leaderRetryMs ?? 2_000);
    }
  }

  #poll(): void {
    this.#schedule(async () => {
      await this.publishNow();
      if (this.#leader) this.#poll();
    }, this.options.pollMs ?? DEFAULT_POLL_MS);
  }

  async #lose(): Promise<void> {
    const client = this.#client;
    this.#client = undefined;
    this.#leader = false;
    clearTimeout(this.#timer);
    await client?.end().catch(() => {});
    if (!this.#stopped) this.#schedule(() => this.#tryToLead(), this.options.leaderRetryMs ?? 2_000);
  }

  #schedule(fn: () => Promise<void> | void, ms: number): void {
    clearTimeout(this.#timer);
    if (this.#stopped) return;
    this.#timer = setTimeout(() => void fn(), ms);
    this.#timer.unref();
  }
}

/** One publishing round (see the class comment). Returns the feed position after it. */
export async function publishRound(client: pg.Client | pg.PoolClient): Promise<bigint> {
  await client.query('begin isolation level repeatable read');
  try {
    const state = await client.query<{ last: string; horizon: string; next_horizon: string }>(
      `select last_tx_offset::text as last, xmin_horizon::text as horizon,
              pg_snapshot_xmin(pg_current_snapshot())::text as next_horizon
         from shape_feed_state for update`,
    );
    const { last, horizon, next_horizon: nextHorizon } = state.rows[0]!;
    const { rows } = await client.query<{ xid: string }>(
      `select c.xid::text as xid
         from shape_changes c
        where c.xid >= $1::xid8
          and not exists (select 1 from shape_transactions t where t.xid = c.xid)
        group by c.xid
        order by max(c.seq)`,
      [horizon],
    );
    const next = BigInt(last) + BigInt(rows.length);
    if (rows.length > 0) {
      await client.query(
        `insert into shape_transactions (tx_offset, xid)
         select $1::bigint + n, xid from unnest($2::xid8[]) with ordinality as u(xid, n)`,
        [last, rows.map((r) => r.xid)],
      );
      await client.query('select pg_notify($1, $2)', [FEED_CHANNEL, next.toString()]);
    }
    // An idle round writes nothing.
    if (rows.length > 0 || nextHorizon !== horizon) {
      await client.query('update shape_feed_state set last_tx_offset = $1, xmin_horizon = $2::xid8', [
        next.toString(),
        nextHorizon,
      ]);
    }
    await client.query('commit');
    return next;
  } catch (error) {
    await client.query('rollback').catch(() => {});
    throw error;
  }
}

/**
 * Removes published transactions older than `olderThan` (a PostgreSQL interval) and their captured
 * changes. Clients asking for an offset below the new `compacted_through` get 409 and re-sync.
 * Returns how many transactions were removed.
 */
export async function compactFeed(client: pg.Client | pg.PoolClient | pg.Pool, olderThan: string): Promise<number> {
  const { rows } = await client.query<{ removed: number }>(
    `with gone as (
       delete from shape_transactions where published_at < now() - $1::interval returning tx_offset, xid
     ), changes as (
       delete from shape_changes c using gone where c.xid = gone.xid
     ), moved as (
       update shape_feed_state set compacted_through = greatest(compacted_through, (select max(tx_offset) from gone))
        where exists (select 1 from gone)
     )
     select count(*)::int as removed from gone`,
    [olderThan],
  );
  return rows[0]!.removed;
}
