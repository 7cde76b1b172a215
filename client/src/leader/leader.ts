import type { PGliteWithSync } from '@electric-sql/pglite-sync';
import { deviceId, readSession, SESSION_CHANGED, type LocalSession } from '../session/local-session.ts';
import { Reachability, type NetworkHints } from './reachability.ts';
import { startShapeSync, type RunningShapeSync } from './shape-sync.ts';
import { SyncStatus } from './sync-status.ts';
import { TokenKeeper } from './token-keeper.ts';
import { Uploader } from './uploader.ts';

export interface LeaderOptions {
  pg: PGliteWithSync;
  /** The server's origin ('' is not enough in a worker: fetch needs an absolute URL there). */
  baseUrl: string;
  fetch?: typeof fetch;
  /** How long a request to the server may go unanswered (server-api.ts REQUEST_TIMEOUT_MS). */
  requestTimeoutMs?: number;
}

export interface Leader {
  /** Ask the uploader to look at the outbox now. */
  wake(): void;
  /**
   * The sync went wrong where nobody could catch it (see worker.ts): stop it, say so in the sync
   * bar, and start it again after a pause from what is stored — growing pauses while it keeps
   * failing.
   */
  restartSync(error: unknown): void;
  stop(): Promise<void>;
}

/** How long an upload waits for a sync's last commit (or a stalled one to catch up) before it stops it. */
const LAST_COMMIT_BEFORE_UPLOAD_MS = 5_000;
/** Pauses before a failed sync starts again: 2 s, doubling up to a minute. */
const RESTART_FIRST_MS = 2_000;
const RESTART_MAX_MS = 60_000;
/** A sync that ran this long without failing starts its pauses from the first again. */
const RESTART_FORGET_MS = 5 * 60_000;

/**
 * Everything one tablet does with the server, run by the leader tab only (PGlite's worker runs
 * `init` in the leader): the shape sync into the `*_synced` tables and the uploader. Both follow
 * the session: signing in starts the sync (anew for another person), signing out or an expired
 * session stops it, and the outbox waits.
 */
export async function startLeader({ pg, baseUrl, fetch: fetchImpl, requestTimeoutMs }: LeaderOptions): Promise<Leader> {
  const status = new SyncStatus(pg, () => uploader.wake());
  // Every request to the server goes through the status's fetch: its answers say whether we are online.
  const server = { baseUrl, fetch: status.trackedFetch(fetchImpl), ...(requestTimeoutMs !== undefined && { timeoutMs: requestTimeoutMs }) };
  // …and when they fall quiet, the probe asks the server whether it is still there.
  const reachability = new Reachability(status, { baseUrl, ...(fetchImpl && { fetch: fetchImpl }) }, networkHints());
  const tokens = new TokenKeeper(pg, server);
  let sync: RunningShapeSync | null = null;
  let syncingFor: string | null = null;
  let stopped = false;
  // While the uploader posts, a live shape sync steps aside: on HTTP/1.1 a browser opens at most
  // six connections to a server, and a dozen shapes' long-polls would hold them all, leaving an
  // upload queued for up to a long-poll's length. Stopping the sync aborts them; it resumes right
  // after from the offsets it stored with the data. A sync still catching up is *not* stopped:
  // its requests are answered at once, so they hold no connection for long, and pglite-sync
  // commits only once every shape has answered — a restart would throw away what it fetched and
  // ask every shape again. Stopped at every upload, a clerk recording line after line on a slow
  // link would never see anyone else's changes, and a tablet fetching its tables anew after a 409
  // would fetch them anew at every upload, for ever. Such a sync runs beside the upload and steps
  // aside as soon as it has caught up (stepAsideWhenCaughtUp). A sync that gets no answers (it
  // started offline, a shape stopped) is not catching up: the upload stops it as a live one, and
  // it starts anew after.
  let uploading = false;
  // Set while a failed sync waits to start again (restartSync).
  let restartTimer: ReturnType<typeof setTimeout> | null = null;
  let restarts = 0;
  let lastRestartAt = 0;
  const uploader = new Uploader(pg, server, await deviceId(pg), tokens, status, (busy) => {
    uploading = busy;
    return follow();
  });

  // Session changes are handled one after another, so two sign-ins in a row cannot race.
  let followed: Promise<void> = Promise.resolve();
  function follow(): Promise<void> {
    followed = followed.then(async () => {
      if (stopped) return;
      const session = await readSession(pg);
      reachability.setActive(Boolean(session && !session.expired));
      let wanted = session && !session.expired && !restartTimer ? identity(session) : null;
      if (uploading) {
        if (sync && wanted === syncingFor) {
          if (sync.catchingUp) {
            stepAsideWhenCaughtUp(sync);
            return;
          }
          await sync.caughtUp(LAST_COMMIT_BEFORE_UPLOAD_MS);
        }
        wanted = null;
      }
      if (wanted === syncingFor) return;
      sync?.stop();
      sync = null;
      syncingFor = null;
      if (session && wanted) {
        sync = await startShapeSync({ pg, server, session, tokens, status, onFailure: restartSync });
        syncingFor = wanted;
      }
    }).catch((error: unknown) => status.failed({ code: 'couldNotStart', detail: (error as Error).message }));
    return followed;
  }

  /** Once a sync left running beside an upload has caught up, `follow` stops it if the upload goes on. */
  let watching: RunningShapeSync | null = null;
  function stepAsideWhenCaughtUp(running: RunningShapeSync): void {
    if (watching === running) return;
    watching = running;
    void running.caughtUp(Number.POSITIVE_INFINITY).then(() => {
      if (watching === running) watching = null;
      if (uploading && sync === running) void follow();
    });
  }

  reachability.start();
  const unlisten = await pg.listen(SESSION_CHANGED, () => void follow());
  void follow();
  await uploader.start();

  function restartSync(error: unknown): void {
    if (stopped || restartTimer) return;
    const now = Date.now();
    if (now - lastRestartAt > RESTART_FORGET_MS) restarts = 0;
    lastRestartAt = now;
    const pause = Math.min(RESTART_FIRST_MS * 2 ** restarts++, RESTART_MAX_MS);
    const message = error instanceof Error ? error.message : String(error);
    status.syncStalled({ code: 'syncStalled', params: { seconds: Math.round(pause / 1000) }, detail: message });
    restartTimer = setTimeout(() => {
      restartTimer = null;
      void follow();
    }, pause);
    // At once, not after a session change in progress: a later commit of this sync would store
    // offsets past what the failed one dropped. `follow` then sees it is not wanted for now.
    sync?.stop();
    void follow();
  }

  return {
    wake: () => uploader.wake(),
    restartSync,
    async stop() {
      stopped = true;
      if (restartTimer) clearTimeout(restartTimer);
      reachability.stop();
      await unlisten();
      await followed;
      sync?.stop();
      await uploader.stop();
    },
  };
}

/** The worker's global scope, which fires 'online' and 'offline' (Node, in tests, has no such events). */
function networkHints(): NetworkHints | undefined {
  const scope = globalThis as Partial<NetworkHints>;
  return typeof scope.addEventListener === 'function' ? (scope as NetworkHints) : undefined;
}

function identity(session: LocalSession): string {
  return `${session.userId}:${session.role}`;
}
