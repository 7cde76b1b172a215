import pg from 'pg';
import type { Logger } from '../logger.ts';
import { FEED_CHANNEL } from './publisher.ts';

/**
 * Knows the published feed position in this process, whichever process publishes: it LISTENs for
 * the publisher's notifications and also reads the position every few seconds, so a lost
 * notification or a dropped connection only delays, never stalls, a waiting long-poll.
 */
export class FeedWatcher {
  #position = 0n;
  #waiters = new Set<{ above: bigint; resolve: () => void }>();
  #client: pg.Client | undefined;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly connectionString: string,
    private readonly logger: Logger,
    private readonly pollMs = 3_000,
  ) {}

  get stopped(): boolean {
    return this.#stopped;
  }

  /** The newest tx_offset known to be published. */
  get position(): bigint {
    return this.#position;
  }

  async start(): Promise<void> {
    await this.refresh();
    await this.#listen();
    this.#schedulePoll();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    for (const waiter of this.#waiters) waiter.resolve();
    this.#waiters.clear();
    await this.#client?.end().catch(() => {});
  }

  /** Reads the position from the database (also the way to be sure it is current). */
  async refresh(): Promise<bigint> {
    const { rows } = await this.pool.query<{ last: string }>('select last_tx_offset::text as last from shape_feed_state');
    this.#advance(BigInt(rows[0]!.last));
    return this.#position;
  }

  /**
   * Resolves when the feed passes `above`, or after `timeoutMs`, or when `signal` aborts —
   * whichever comes first. The caller reads `position` afterwards.
   */
  waitForPosition(above: bigint, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    if (this.#position > above || this.#stopped || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const waiter = {
        above,
        resolve: () => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', waiter.resolve);
          this.#waiters.delete(waiter);
          resolve();
        },
      };
      const timer = setTimeout(waiter.resolve, timeoutMs);
      signal?.addEventListener('abort', waiter.resolve, { once: true });
      this.#waiters.add(waiter);
    });
  }

  #advance(position: bigint): void {
    if (position <= this.#position) return;
    this.#position = position;
    for (const waiter of [...this.#waiters]) if (position > waiter.above) waiter.resolve();
  }

  async #listen(): Promise<void> {
    if (this.#stopped) return;
    try {
      const client = new pg.Client({ connectionString: this.connectionString });
      client.on('error', () => {});
      client.on('end', () => {
        if (this.#client === client) {
          this.#client = undefined;
          if (!this.#stopped) setTimeout(() => void this.#listen(), 1_000).unref();
        }
      });
      client.on('notification', (message) => {
        if (message.payload && /^\d+$/.test(message.payload)) this.#advance(BigInt(message.payload));
      });
      await client.connect();
      await client.query(`listen ${FEED_CHANNEL}`);
      this.#client = client;
      await this.refresh(); // anything published while we were not listening
    } catch (error) {
      this.logger.warn({ err: (error as Error).message }, 'cannot listen for feed notifications; retrying');
      if (!this.#stopped) setTimeout(() => void this.#listen(), 1_000).unref();
    }
  }

  #schedulePoll(): void {
    this.#timer = setTimeout(async () => {
      await this.refresh().catch(() => {});
      if (!this.#stopped) this.#schedulePoll();
    }, this.pollMs);
    this.#timer.unref();
  }
}
