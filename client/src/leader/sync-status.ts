import type { PGliteInterface } from '@electric-sql/pglite';
import { persisted } from '../db/persisted.ts';
import type { FirstCopyProgress } from './first-copy.ts';

/**
 * What stops or troubles the sync, by code: the sync bar says it in the person's language
 * (`sync.problems.<code>`); `detail` (an error's own text, often the server's English) is shown
 * only on hover, for whoever supports the tablet. Stored as JSON in `sync_state.last_error`.
 */
export type SyncProblemCode =
  | 'uploadFailed'
  | 'uploadRefused'
  | 'uploadError'
  | 'firstCopyRestarting'
  | 'sessionEnded'
  | 'tableStopped'
  | 'indexFailed'
  | 'syncFailed'
  | 'couldNotStart'
  | 'syncStalled';

export interface SyncProblem {
  code: SyncProblemCode;
  params?: Record<string, string | number>;
  detail?: string;
}

function problemText(problem: SyncProblem): string {
  return JSON.stringify({ ...problem, ...(problem.detail !== undefined && { detail: problem.detail.slice(0, 400) }) });
}

/** Write the last-sync time at most this often: long-polls return every few seconds. */
const LAST_SYNC_EVERY_MS = 2_000;
/** Show the first copy's progress this often. */
const FIRST_COPY_EVERY_MS = 200;

/**
 * What the sync bar shows, kept in `sync_state` by the leader. Whether the tablet is online is
 * judged by the requests themselves (navigator.onLine says little about a yard's Wi-Fi), and by
 * the probe that asks the server when they have been quiet for a second (reachability.ts).
 */
export class SyncStatus {
  private isOnline: boolean | null = null;
  /** Counts the verdicts (online or not): a request's outcome counts only if none came meanwhile. */
  private verdicts = 0;
  private lastAnswer = Number.NEGATIVE_INFINITY;
  private lastSyncWritten = 0;
  private stalled: string | null = null;
  private problemShown = false;
  private writes: Promise<unknown> = Promise.resolve();
  private firstCopyWritten = Number.NEGATIVE_INFINITY;
  private firstCopyTablesRead = -1;

  /** `onBackOnline`: the server answered again after a failure (the uploader retries at once). */
  constructor(
    private readonly pg: PGliteInterface,
    private readonly onBackOnline: () => void = () => {},
  ) {}

  /**
   * A fetch that reports reachability: any answer from the server means online. It bypasses the
   * browser's HTTP cache, so an answer is the server's: shape catch-up responses are cacheable for
   * minutes (PROTOCOL.md), and a cached one taken for "online" while the tablet had no network
   * woke the uploader, whose failed post restarted the sync, which hit the cache again — a loop of
   * ten a second that took most of the worker. (The data lives in PGlite; a browser copy of the
   * responses would only take storage.)
   */
  trackedFetch(inner: typeof fetch = fetch): typeof fetch {
    return async (input, init) => {
      const sent = this.requestSent();
      try {
        // Built apart from the call: Node's fetch types (the leader also runs in Node tests)
        // have no `cache` field, and Node's fetch has no HTTP cache to bypass.
        const noStore = { ...init, cache: 'no-store' as const };
        const response = await inner(input, noStore);
        this.reached(true, sent);
        return response;
      } catch (error) {
        // A request we aborted ourselves (a sync stopped for an upload) says nothing about the
        // network; any other failure means the server cannot be reached, at once.
        if (!(init?.signal?.aborted ?? false)) this.reached(false, sent);
        throw error;
      }
    };
  }

  /** Whether the server answers, as last judged (null before the first request ends). */
  get online(): boolean | null {
    return this.isOnline;
  }

  /** When the server last answered a request (performance.now()); -Infinity if it never did. */
  get lastAnswerAt(): number {
    return this.lastAnswer;
  }

  /** Call as a request is sent; give the result to `reached` with its outcome. */
  requestSent(): number {
    return this.verdicts;
  }

  /**
   * A request's outcome: answered (`online`) or failed. It counts only if the verdict has not
   * changed since the request was sent (`sent`, from requestSent): a live shape request made
   * before the network dropped can still be answered after a probe found the server gone (the
   * browser delivers what was already on its way), and a request that hung while the network was
   * down can fail after it came back. Either would bring back a verdict the tablet already left,
   * and the sync bar would flap.
   */
  reached(online: boolean, sent: number): void {
    if (sent !== this.verdicts) return;
    if (online) this.lastAnswer = performance.now();
    if (online === this.isOnline) return;
    if (online && this.isOnline === false) this.onBackOnline();
    this.isOnline = online;
    this.verdicts++;
    this.write('update sync_state set online = $1', [online]);
  }

  synced(): void {
    this.stalled = null;
    const now = Date.now();
    // A shown problem goes as soon as the sync answers again; otherwise the time is enough now and then.
    if (now - this.lastSyncWritten < LAST_SYNC_EVERY_MS && !this.problemShown) return;
    this.problemShown = false;
    this.lastSyncWritten = now;
    this.write('update sync_state set last_sync_at = now(), last_error = null');
  }

  /**
   * The first whole copy of the yard is what the tablet needs offline: it is stored before anyone
   * can read that it is there (nothing else runs on the database meanwhile), so a tablet closed
   * as soon as it says "synced" starts offline with its data.
   */
  initialSyncDone(): void {
    this.write('update sync_state set initial_sync_done = true, last_sync_at = now(), last_error = null', [], { store: true });
  }

  /**
   * The first copy's progress for the sync bar (null once it is over): each table read, and the
   * bytes at most every FIRST_COPY_EVERY_MS (they arrive in chunks of a few kilobytes).
   */
  firstCopy(progress: FirstCopyProgress | null): void {
    const now = performance.now();
    const sameTables = progress?.tablesRead === this.firstCopyTablesRead;
    if (progress && sameTables && now - this.firstCopyWritten < FIRST_COPY_EVERY_MS) return;
    this.firstCopyWritten = now;
    this.firstCopyTablesRead = progress?.tablesRead ?? -1;
    this.write('update sync_state set first_copy = $1', [progress]);
  }

  /** An upload went through; a stopped sync's message stays until the sync answers again. */
  uploaded(): void {
    this.write('update sync_state set last_upload_at = now(), last_sync_at = now(), last_error = $1', [this.stalled]);
  }

  failed(problem: SyncProblem): void {
    this.problemShown = true;
    this.write('update sync_state set last_error = $1', [problemText(problem)]);
  }

  /** The sync is stopped for a while (it restarts by itself): the message stays until it answers. */
  syncStalled(problem: SyncProblem): void {
    this.stalled = problemText(problem);
    this.failed(problem);
  }

  /** Status writes are queued so they land in order and never overtake each other. */
  private write(sql: string, params: unknown[] = [], { store = false } = {}): void {
    this.writes = this.writes
      .then(async () => {
        await this.pg.query(sql, params);
        if (store) await this.pg.runExclusive(() => persisted(this.pg));
      })
      .catch(() => {});
  }
}
