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

export type TabletPGlite = PGlite & PGliteWithSync & PGliteWithLive;

/** A switchable network: `offline = true` fails new requests and cuts the ones in flight. */
export class Network {
  private controllers = new Set<AbortController>();
  private isOffline = false;
  /** Requests by path, for tests that count what was sent. */
  readonly requests: { method: string; path: string; body?: string }[] = [];

  get offline(): boolean {
    return this.isOffline;
  }

  set offline(value: boolean) {
    this.isOffline = value;
    if (value) for (const controller of this.controllers) controller.abort(new TypeError('network down'));
  }

  private holds = new Set<{ matches: (url: URL) => boolean; until: (signal: AbortSignal) => Promise<void> }>();

  /**
   * Holds back the answers to matching requests (a slow link to one shape) until the returned
   * function is called; a held request that is aborted meanwhile fails like any cut request.
   */
  hold(matches: (url: URL) => boolean): () => void {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const hold = {
      matches,
      until: (signal: AbortSignal) =>
        new Promise<void>((resolve, reject) => {
          void released.then(resolve);
          if (signal.aborted) reject(signal.reason as Error);
          signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
        }),
    };
    this.holds.add(hold);
    return () => {
      this.holds.delete(hold);
      release();
    };
  }

  readonly fetch: typeof fetch = async (input, init) => {
    if (this.isOffline) throw new TypeError('fetch failed (offline)');
    const url = new URL(input instanceof Request ? input.url : String(input));
    this.requests.push({ method: init?.method ?? 'GET', path: url.pathname, ...(typeof init?.body === 'string' && { body: init.body }) });
    const controller = new AbortController();
    this.controllers.add(controller);
    const abortWithCaller = () => controller.abort(init?.signal?.reason);
    init?.signal?.addEventListener('abort', abortWithCaller, { once: true });
    try {
      const response = await fetch(input, { ...init, signal: controller.signal });
      for (const hold of this.holds) if (hold.matches(url)) await hold.until(controller.signal);
      return response;
    } finally {
      this.controllers.delete(controller);
      init?.signal?.removeEventListener('abort', abortWithCaller);
    }
  };
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

export async function openNodeTablet(serverUrl: string, { dataDir, network = new Network() }: { dataDir?: string; network?: Network } = {}): Promise<NodeTablet> {
  const pg = (await PGlite.create({
    ...(dataDir && { dataDir }),
    extensions: { ...LOCAL_EXTENSIONS, sync: electricSync(), live },
    serializers: JSON_PARAMETERS,
  })) as unknown as TabletPGlite;
  await prepareLocalDatabase(pg);
  const leader = await startLeader({ pg, baseUrl: serverUrl, fetch: network.fetch });
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
