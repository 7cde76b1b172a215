import type { PGliteWithSync } from '@electric-sql/pglite-sync';
import { SYNCED_TABLES, mayRead, type SyncedTable } from '@cimco/contract';
import { DROP_SCREEN_INDEXES_SQL, ensureScreenIndexes, LOCAL_SCHEMA_VERSION } from '../db/local-schema.ts';
import { syncedTableName } from '../db/synced-columns.ts';
import type { ServerTarget } from '../api/server-api.ts';
import { loadFirstCopy } from './first-copy.ts';
import { resumeFromCommitted } from './resume-point.ts';
import type { LocalSession } from '../session/local-session.ts';
import type { SyncStatus } from './sync-status.ts';
import type { TokenKeeper } from './token-keeper.ts';

/** pglite-sync keeps each subscription's offsets under its key, with the data, in one transaction. */
const SUBSCRIPTION_KEY = `yard-v${LOCAL_SCHEMA_VERSION}`;

/** How often `caughtUp` looks whether every shape is up to date (pglite-sync has no event for it). */
const CAUGHT_UP_POLL_MS = 50;

/** A sync that had no answer for this long is stalled, not catching up (`catchingUp`). */
const PROGRESS_WINDOW_MS = 10_000;

/** Reconnect soon after the Wi-Fi comes back: a technician walking past an access point has seconds. */
export const SHAPE_BACKOFF = { initialDelay: 250, maxDelay: 5_000, multiplier: 1.5 };

export interface ShapeSyncOptions {
  pg: PGliteWithSync;
  server: ServerTarget;
  session: LocalSession;
  tokens: TokenKeeper;
  status: SyncStatus;
  /**
   * The sync stopped on a failure: a commit the database refused (pglite-sync then stops, so that
   * no later commit stores a position past the lost changes) or a shape that stopped on an error.
   * The leader starts it again after a pause, from the last commit.
   */
  onFailure: (error: Error) => void;
}

export interface RunningShapeSync {
  /**
   * Waits, at most `timeoutMs`, until every shape is up to date and what they brought is
   * committed, so that stopping then loses nothing fetched (the next start resumes from the
   * stored offsets). Returns at once when the sync is stopped.
   */
  caughtUp(timeoutMs: number): Promise<void>;
  /**
   * Still catching up, and getting answers: not every shape has reached the server's head yet,
   * and one answered within PROGRESS_WINDOW_MS. A sync that stalled (offline since it started, a
   * shape stopped by an error) is not catching up: it is better started anew.
   */
  readonly catchingUp: boolean;
  /** Stops the sync; a second call does nothing. */
  stop(): void;
}

/**
 * The tables a role may read (the server enforces it; asking for more would only fail), the
 * biggest first: pglite-sync 0.6.1 writes the first snapshot of only the first shape of its first
 * commit with one bulk insert (`json_to_recordset`, 10,000 rows a statement) and the others with
 * parameterised multi-row INSERTs, several times slower — so the parts catalog goes first.
 */
export function tablesFor(session: LocalSession): SyncedTable[] {
  const allowed = SYNCED_TABLES.filter((table) => mayRead(session.role, table));
  return [...allowed.filter((table) => table === 'parts'), ...allowed.filter((table) => table !== 'parts')];
}

/**
 * Syncs every table the signed-in role may read into the `*_synced` tables, resuming from the
 * stored offsets. The synced rows belong to one person (conflicts and command results are
 * per person and tablet): when someone else signs in, they are cleared and fetched anew — the
 * outbox is untouched.
 */
export async function startShapeSync({ pg, server, session, tokens, status, onFailure }: ShapeSyncOptions): Promise<RunningShapeSync> {
  const owner = `${session.userId}:${session.role}`;
  const aborter = new AbortController();
  const serverFetch = server.fetch ?? fetch;
  // A new sync counts as catching up until it has gone PROGRESS_WINDOW_MS without an answer, or a
  // shape stopped on an error (`catchingUp`).
  let lastAnswerAt = Date.now();
  let shapeStopped = false;
  let currentToken = session.accessToken;
  const authorization = async () => {
    currentToken = (await tokens.accessToken()) ?? currentToken;
    return `Bearer ${currentToken}`;
  };
  const syncFetch: typeof fetch = async (input, init) => {
    let response = await serverFetch(input, init);
    // A token the server turned down is renewed and the same request asked again, here: left to
    // the shape's `onError`, pglite-sync's client (1.0.14) would restart the shape from its
    // snapshot without telling pglite-sync, whose table still holds the rows (duplicate key) or
    // which drops them as already seen, and with them every change since the shape's last answer.
    if (response.status === 401 && !aborter.signal.aborted && (await renewedAfter(rejectedToken(init)))) {
      const headers = new Headers(init?.headers);
      headers.set('Authorization', await authorization());
      response = await serverFetch(input, { ...init, headers });
    }
    if (response.ok) {
      lastAnswerAt = Date.now();
      status.synced();
    }
    return response;
  };
  /** Whether the session was renewed; a server out of reach is a network error, retried by the client. */
  const renewedAfter = async (token: string): Promise<boolean> => {
    try {
      return Boolean(await tokens.renew(token));
    } catch (error) {
      throw new TypeError(`could not renew the session: ${(error as Error).message}`);
    }
  };

  const { rows } = await pg.query<{ synced_for: string | null }>('select synced_for from sync_state');
  if (rows[0]?.synced_for !== owner) {
    // This person's yard is not here yet: a bulk copy, then pglite-sync continues from it.
    try {
      await pg.sync.initMetadataTables();
      await loadFirstCopy({
        pg,
        shapeUrl: `${server.baseUrl}/v1/shape`,
        fetch: syncFetch,
        authorization,
        renew: async () => Boolean(await tokens.renew(currentToken)),
        tables: tablesFor(session),
        subscriptionKey: SUBSCRIPTION_KEY,
        owner,
        signal: aborter.signal,
        onProgress: (progress) => status.firstCopy(progress),
      });
      status.firstCopy(null);
    } catch (error) {
      status.firstCopy(null);
      // pglite-sync then loads it the slow way, retrying by itself while the network is down.
      status.failed({ code: 'firstCopyRestarting', detail: (error as Error).message });
      await pg.transaction(async (tx) => {
        // Everything comes anew: the screens' indexes are built once it is all in (below).
        await tx.exec(DROP_SCREEN_INDEXES_SQL);
        for (const table of SYNCED_TABLES) await tx.exec(`delete from ${syncedTableName(table)}`);
        await tx.query('update sync_state set synced_for = $1, initial_sync_done = false, last_sync_at = null', [owner]);
      });
      await pg.sync.initMetadataTables();
      await pg.sync.deleteSubscription(SUBSCRIPTION_KEY);
    }
  }
  // A tablet closed during its initial sync, or right after it, has no indexes yet; after the
  // first copy they are built here, before the sync bar says the yard is here.
  await ensureScreenIndexes(pg);
  await pg.sync.initMetadataTables();
  const { rows: state } = await pg.query<{ initial_sync_done: boolean; subscribed: boolean }>(
    `select s.initial_sync_done, exists (select 1 from electric.subscriptions_metadata m where m.key = $1) as subscribed from sync_state s`,
    [SUBSCRIPTION_KEY],
  );
  if (state[0] && !state[0].initial_sync_done && state[0].subscribed) status.initialSyncDone();
  await resumeFromCommitted(pg, SUBSCRIPTION_KEY, (shape) => syncedTableName(shape as SyncedTable));

  const shapes = Object.fromEntries(
    tablesFor(session).map((table) => [
      table,
      {
        table: syncedTableName(table),
        primaryKey: ['id'],
        shape: {
          url: `${server.baseUrl}/v1/shape`,
          params: { table },
          headers: { Authorization: authorization },
          fetchClient: syncFetch,
          backoffOptions: SHAPE_BACKOFF,
          signal: aborter.signal,
          // 4xx answers end up here (the client retries the others itself; an expired token was
          // renewed in `syncFetch`). The shape stops, and the subscription's `onError` below has
          // the leader start the sync again after a pause. Never asks the client for a retry: it
          // would restart the shape from its snapshot (see `syncFetch`).
          onError: (error: Error) => {
            if (aborter.signal.aborted) return;
            shapeStopped = true;
            if (statusOf(error) === 401) status.failed({ code: 'sessionEnded' });
            else status.failed({ code: 'tableStopped', detail: `${table}: ${error.message}` });
          },
        },
      },
    ]),
  );

  const subscription = await pg.sync.syncShapesToTables({
    key: SUBSCRIPTION_KEY,
    shapes,
    initialInsertMethod: 'json',
    // The indexes go in before the sync bar says the yard is here (a no-op when they are there).
    onInitialSync: () => {
      ensureScreenIndexes(pg).then(
        () => status.initialSyncDone(),
        (error: unknown) => status.failed({ code: 'indexFailed', detail: (error as Error).message }),
      );
    },
    onError: (error) => {
      if (aborter.signal.aborted) return;
      shapeStopped = true;
      status.failed({ code: 'syncFailed', detail: error.message });
      onFailure(error);
    },
  });

  return {
    async caughtUp(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (!subscription.isUpToDate) {
        if (aborter.signal.aborted || Date.now() >= deadline) return;
        await new Promise((resolve) => setTimeout(resolve, CAUGHT_UP_POLL_MS));
      }
      // The last answer's commit is queued on PGlite within the same task (pglite-sync does not
      // await it): let that task end, then queue behind the commit.
      await new Promise((resolve) => setTimeout(resolve));
      await pg.query('select 1');
    },
    get catchingUp() {
      return !subscription.isUpToDate && !shapeStopped && Date.now() - lastAnswerAt < PROGRESS_WINDOW_MS;
    },
    stop() {
      if (aborter.signal.aborted) return;
      subscription.unsubscribe();
      aborter.abort();
    },
  };
}

/** The access token a request was sent with. */
function rejectedToken(init: RequestInit | undefined): string {
  return (new Headers(init?.headers).get('Authorization') ?? '').replace(/^Bearer /, '');
}

function statusOf(error: Error): number | undefined {
  const status = (error as { status?: unknown }).status;
  return typeof status === 'number' ? status : undefined;
}
