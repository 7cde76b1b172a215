import type pg from 'pg';
import type { Logger } from '../logger.ts';
import { CHANGES_CHANNEL, type FeedPublisher } from './publisher.ts';

/**
 * Wakes the feed's publisher after this process committed changes (migrations/0008: the capture
 * trigger no longer NOTIFYs inside every writing transaction, which serialised their commits).
 *
 * Calls within one turn of the event loop are coalesced into one wake-up. When this process
 * publishes, it publishes now; otherwise it sends one NOTIFY on its own connection, outside any
 * writer's transaction, to whichever process publishes. Writes made elsewhere (psql, scripts) are
 * found by the publisher's poll.
 */
export class FeedWaker {
  #queued = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly publisher: FeedPublisher,
    private readonly logger: Logger,
  ) {}

  /** Something this process committed may have changed synced tables. */
  changed(): void {
    if (this.#queued) return;
    this.#queued = true;
    setImmediate(() => {
      this.#queued = false;
      if (this.publisher.isLeader) {
        void this.publisher.publishNow();
        return;
      }
      this.pool.query('select pg_notify($1, $2)', [CHANGES_CHANNEL, '']).catch((error: unknown) => {
        // The poll publishes it a moment later.
        this.logger.warn({ err: (error as Error).message }, 'could not wake the feed publisher');
      });
    });
  }
}
