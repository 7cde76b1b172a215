import type { PGliteInterface } from '@electric-sql/pglite';
import type { CommandEnvelope, CommandName } from '@cimco/contract';
import { ApiRequestError, postMutations, type ServerTarget } from '../api/server-api.ts';
import { OUTBOX_CHANGED } from '../outbox/record-command.ts';
import { SESSION_CHANGED } from '../session/local-session.ts';
import type { SyncStatus } from './sync-status.ts';
import type { TokenKeeper } from './token-keeper.ts';

/** Commands per request: big enough to flush a shift's queue in seconds, small enough to retry. */
const BATCH_SIZE = 100;
const RETRY_FIRST_MS = 500;
const RETRY_MAX_MS = 5_000;
/** Look at the outbox now and then even without a wake-up (a missed notification costs no more). */
const IDLE_CHECK_MS = 10_000;

type Outcome = 'more' | 'idle' | 'retry' | 'blocked';

interface OutboxRow {
  mutation_id: string;
  name: CommandName;
  args: unknown;
  client_time: string;
}

/**
 * Posts the signed-in person's queued commands to the server, oldest first, one batch at a time.
 * Runs in the leader tab only. A command leaves the outbox only through its result: applied
 * results arrive through the shape with the data (the trigger in local-schema.ts settles them);
 * refused ones move to Needs attention as soon as the server says so. Nothing is ever dropped:
 * network and server failures are retried with backoff, an expired session waits for a new
 * sign-in, and commands of another person wait for that person.
 */
export class Uploader {
  private stopped = false;
  private wakeUp: (() => void) | null = null;
  private retryDelay = RETRY_FIRST_MS;
  private unlisten: (() => Promise<void>)[] = [];

  constructor(
    private readonly pg: PGliteInterface,
    private readonly server: ServerTarget,
    private readonly deviceId: string,
    private readonly tokens: TokenKeeper,
    private readonly status: SyncStatus,
    /** Told when a run of uploads starts (true) and ends (false); resolves when ready to post. */
    private readonly onBusy: (busy: boolean) => Promise<void> = async () => {},
  ) {}

  async start(): Promise<void> {
    // Offline, a recorded command waits for the retry already due (or for the network to come
    // back, which wakes the uploader): no failing request for every tap.
    this.unlisten.push(await this.pg.listen(OUTBOX_CHANGED, () => this.status.online !== false && this.wake()));
    this.unlisten.push(await this.pg.listen(SESSION_CHANGED, () => this.wake()));
    void this.loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake();
    await Promise.all(this.unlisten.map((unlisten) => unlisten()));
  }

  /** Look at the outbox now (a command was recorded, someone signed in, the network is back). */
  wake(): void {
    this.retryDelay = RETRY_FIRST_MS;
    this.wakeUp?.();
  }

  private async loop(): Promise<void> {
    let busy = false;
    while (!this.stopped) {
      let outcome: Outcome;
      try {
        outcome = await this.uploadOnce(async () => {
          if (busy) return;
          busy = true;
          await this.onBusy(true);
        });
      } catch (error) {
        this.status.failed({ code: 'uploadFailed', detail: (error as Error).message });
        outcome = 'retry';
      }
      if (outcome === 'more') continue;
      if (busy) {
        busy = false;
        await this.onBusy(false);
      }
      if (outcome === 'retry') {
        await this.pause(this.retryDelay);
        this.retryDelay = Math.min(this.retryDelay * 2, RETRY_MAX_MS);
      } else {
        await this.pause(IDLE_CHECK_MS);
      }
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = done;
    });
  }

  private async uploadOnce(beforePost: () => Promise<void>): Promise<Outcome> {
    const session = await this.tokens.session();
    if (!session) return 'blocked';
    const { rows } = await this.pg.query<OutboxRow>(
      `select mutation_id, name, args, client_time::text as client_time from outbox
        where state = 'queued' and user_id = $1 order by seq limit ${BATCH_SIZE}`,
      [session.userId],
    );
    if (rows.length === 0) return 'idle';

    const commands: CommandEnvelope[] = rows.map((row) => ({
      mutationId: row.mutation_id,
      name: row.name,
      args: row.args,
      clientTime: new Date(row.client_time).toISOString(),
    }));
    let token: string | null = null;
    try {
      token = await this.tokens.accessToken();
      if (!token) return 'blocked';
      await beforePost();
      // Online or not is told by the request itself: the server target's fetch is the status's.
      const results = await postMutations(this.server, token, this.deviceId, commands);
      await this.pg.transaction(async (tx) => {
        for (const result of results) {
          if (result.status === 'rejected') {
            await tx.query('select refuse_outbox_entry($1, $2, $3, $4)', [
              result.mutationId, result.code ?? null, result.message ?? null, result.details ?? null,
            ]);
          } else {
            // Applied: the effect stays on screen until the data arrives with the result.
            await tx.query(`update outbox set state = 'sent', attempts = attempts + 1, last_error = null where mutation_id = $1`, [result.mutationId]);
          }
        }
      });
      this.status.uploaded();
      this.retryDelay = RETRY_FIRST_MS;
      return 'more';
    } catch (error) {
      if (!(error instanceof ApiRequestError)) throw error;
      if (error.status === 401 && token) {
        return (await this.tokens.renew(token).catch(() => 'offline')) ? 'more' : 'blocked';
      }
      if (error.status === 400) {
        // The server could not read the batch at all (a tablet older than the server, say): the
        // commands it named go to Needs attention, so the rest of the queue can move on.
        await this.refuseMalformed(rows, error);
        return 'more';
      }
      await this.pg.query(`update outbox set attempts = attempts + 1, last_error = $2 where mutation_id = $1`, [rows[0]!.mutation_id, error.message]);
      if (error.status === 403) {
        this.status.failed({ code: 'uploadRefused', detail: error.message });
        return 'blocked';
      }
      if (error.status !== 0) this.status.failed({ code: 'uploadError', detail: error.message });
      return 'retry';
    }
  }

  private async refuseMalformed(rows: OutboxRow[], error: ApiRequestError): Promise<void> {
    const named = new Set(Object.keys(error.fields ?? {}).map((key) => Number(key.split('.')[1])));
    const refused = named.size > 0 ? rows.filter((_, index) => named.has(index)) : rows.slice(0, 1);
    await this.pg.transaction(async (tx) => {
      for (const row of refused) {
        await tx.query('select refuse_outbox_entry($1, $2, $3, null)', [row.mutation_id, error.code, error.message]);
      }
    });
  }
}
