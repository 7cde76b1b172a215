/**
 * The tablet's data layer (client/src: local schema, leader sync, uploader, outbox) running in
 * Node on PGlite, against the real server — the same code the browser runs in its worker, minus
 * the worker. Its network can be switched off: requests then fail like a dropped Wi-Fi, and
 * requests in flight are cut.
 */
import { PGlite } from '@electric-sql/pglite';
import { live, type PGliteWithLive } from '@electric-sql/pglite/live';
import { electricSync, type PGliteWithSync } from '@electric-sql/pglite-sync';
import type { CommandInput, CommandName } from '@cimco/contract';
import { LOCAL_EXTENSIONS } from '../../../client/src/db/extensions.ts';
import { JSON_PARAMETERS } from '../../../client/src/db/json-parameters.ts';
import { prepareLocalDatabase } from '../../../client/src/db/prepare-database.ts';
import { startLeader, type Leader } from '../../../client/src/leader/leader.ts';
import { recordCommand } from '../../../client/src/outbox/record-command.ts';
import { signIn } from '../../../client/src/session/sign-in.ts';
import { waitFor } from './shapes.ts';

export type TabletPGlite = PGlite & PGliteWithSync & PGliteWithLive;

/**
 * A switchable network: `offline = true` fails new requests and cuts the ones in flight;
 * `unreachable = true` answers nothing and fails nothing; `hold` and `slow` delay some answers.
 */
export class Network {
  private controllers = new Set<AbortController>();
  private isOffline = false;
  /** Requests by path, for tests that count what was sent. */
  readonly requests: { method: string; path: string; search: string; body?: string }[] = [];

  get offline(): boolean {
    return this.isOffline;
  }

  set offline(value: boolean) {
    this.isOffline = value;
    if (value) for (const controller of this.controllers) controller.abort(new TypeError('network down'));
  }

  private linkBack: { promise: Promise<void>; resolve: () => void } | null = null;

  get unreachable(): boolean {
    return this.linkBack !== null;
  }

  /**
   * `unreachable = true`: the link is gone without a word (a Wi-Fi still connected whose access
   * point lost its way to the server): nothing fails and nothing answers. New requests wait to be
   * sent and answers wait to be delivered, until the link is back or their caller gives up.
   */
  set unreachable(value: boolean) {
    if (value && !this.linkBack) {
      let resolve!: () => void;
      this.linkBack = { promise: new Promise<void>((done) => (resolve = done)), resolve };
    } else if (!value) {
      this.linkBack?.resolve();
      this.linkBack = null;
    }
  }

  private async throughLink(signal: AbortSignal): Promise<void> {
    if (this.linkBack) await untilOrAborted(this.linkBack.promise, signal);
  }

  private holds = new Set<{ matches: (url: URL) => boolean; until: (signal: AbortSignal) => Promise<void> }>();

  /**
   * Holds back the answers to matching requests (a slow link to one shape) until the returned
   * function is called; a held request that is aborted meanwhile fails like any cut request.
   */
  hold(matches: (url: URL) => boolean): () => void {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const hold = { matches, until: (signal: AbortSignal) => untilOrAborted(released, signal) };
    this.holds.add(hold);
    return () => {
      this.holds.delete(hold);
      release();
    };
  }

  private requestHolds = new Set<{ matches: (url: URL) => boolean; until: (signal: AbortSignal) => Promise<void> }>();

  /**
   * Holds back matching requests before they reach the server (so the server answers with what
   * it has once released) until the returned function is called.
   */
  holdRequests(matches: (url: URL) => boolean): () => void {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const hold = { matches, until: (signal: AbortSignal) => untilOrAborted(released, signal) };
    this.requestHolds.add(hold);
    return () => {
      this.requestHolds.delete(hold);
      release();
    };
  }

  private slows = new Set<{ matches: (url: URL) => boolean; ms: number }>();

  /** Delays the answers to matching requests by `ms` (a slow server) until the returned function is called. */
  slow(matches: (url: URL) => boolean, ms: number): () => void {
    const slow = { matches, ms };
    this.slows.add(slow);
    return () => this.slows.delete(slow);
  }

  readonly fetch: typeof fetch = async (input, init) => {
    if (this.isOffline) throw new TypeError('fetch failed (offline)');
    const url = new URL(input instanceof Request ? input.url : String(input));
    this.requests.push({ method: init?.method ?? 'GET', path: url.pathname, search: url.search, ...(typeof init?.body === 'string' && { body: init.body }) });
    const controller = new AbortController();
    this.controllers.add(controller);
    const abortWithCaller = () => controller.abort(init?.signal?.reason);
    init?.signal?.addEventListener('abort', abortWithCaller, { once: true });
    try {
      await this.throughLink(controller.signal);
      for (const hold of this.requestHolds) if (hold.matches(url)) await hold.until(controller.signal);
      const response = await fetch(input, { ...init, signal: controller.signal });
      await this.throughLink(controller.signal);
      for (const hold of this.holds) if (hold.matches(url)) await hold.until(controller.signal);
      for (const slow of this.slows) {
        if (slow.matches(url)) await untilOrAborted(new Promise((resolve) => setTimeout(resolve, slow.ms)), controller.signal);
      }
      return response;
    } finally {
      this.controllers.delete(controller);
      init?.signal?.removeEventListener('abort', abortWithCaller);
    }
  };
}

/** Resolves with `promise`, or rejects with the reason `signal` is aborted for. */
function untilOrAborted(promise: Promise<void>, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    void promise.then(resolve);
    if (signal.aborted) reject(signal.reason as Error);
    signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
  });
}

export interface NodeTablet {
  pg: TabletPGlite;
  leader: Leader;
  network: Network;
  signIn(username: string, password?: string): Promise<void>;
  record<N extends CommandName>(name: N, args: CommandInput<N>): Promise<string>;
  /** Stops the leader and closes the database (like closing the browser). */
  close(): Promise<void>;
}

export async function openNodeTablet(
  serverUrl: string,
  {
    dataDir,
    network = new Network(),
    requestTimeoutMs,
    startParams,
  }: { dataDir?: string; network?: Network; requestTimeoutMs?: number; /** PostgreSQL's start options, PGlite's defaults when absent. */ startParams?: string[] } = {},
): Promise<NodeTablet> {
  const pg = (await PGlite.create({
    ...(dataDir && { dataDir }),
    ...(startParams && { startParams }),
    extensions: { ...LOCAL_EXTENSIONS, sync: electricSync(), live },
    serializers: JSON_PARAMETERS,
  })) as unknown as TabletPGlite;
  await prepareLocalDatabase(pg);
  const leader = await startLeader({ pg, baseUrl: serverUrl, fetch: network.fetch, ...(requestTimeoutMs !== undefined && { requestTimeoutMs }) });
  const server = { baseUrl: serverUrl, fetch: network.fetch };
  return {
    pg,
    leader,
    network,
    signIn: (username, password = 'demo') => signIn(pg, server, username, password),
    record: (name, args) => recordCommand(pg, name, args),
    async close() {
      await leader.stop();
      await pg.close();
    },
  };
}

/** Opens a tablet on `serverUrl`, signs `username` (password `demo`) in, and waits for its first sync. */
export async function openSyncedTablet(serverUrl: string, username: string, options: Parameters<typeof openNodeTablet>[1] = {}): Promise<NodeTablet> {
  const tablet = await openNodeTablet(serverUrl, options);
  await tablet.signIn(username);
  await waitFor('the first sync', async () => (await tablet.pg.query<{ done: boolean }>('select initial_sync_done as done from sync_state')).rows[0]?.done === true);
  return tablet;
}
