import { LRUCache } from 'lru-cache';
import type pg from 'pg';
import type { SyncedTable } from '@cimco/contract';
import type { Logger } from '../logger.ts';
import type { FeedWatcher } from './feed-watcher.ts';
import { publishedPosition, readChanges, readSnapshot, type ChangesRead, type ShapeSource } from './log-reader.ts';
import { formatPosition } from './offset.ts';
import { definitionKey, ShapeRegistry } from './registry.ts';
import { ShapeRequestError, type ShapeRequest } from './request.ts';
import { loadTableSchema, schemaHeader, type TableSchema } from './table-schema.ts';

/**
 * Answers shape requests (SPEC.md). The HTTP layer turns a ShapeAnswer into a response.
 *
 * Sharing: a snapshot is computed once per handle and served to every client asking for it while
 * it is cached (any cached snapshot is a consistent state after its position, so a newer client
 * just catches up from there); a range of a shape's log is computed once however many clients ask
 * for it — live clients of one shape wake at the same position and share one query.
 */
export interface ShapeAnswer {
  status: 200 | 409;
  handle: string;
  /** The offset to ask for next (absent on 409). */
  offset?: string;
  /** JSON array text. */
  body: string;
  schema?: string;
  upToDate: boolean;
  kind: 'snapshot' | 'catch-up' | 'live' | 'must-refetch';
  /**
   * Catch-up and live answers: the body's messages one by one (without the up-to-date), for the
   * SSE live mode, which sends each as its own event. The array is the shared log page's own.
   */
  changes?: { messages: readonly string[]; through: bigint; upToDateAt: bigint | undefined };
}

export interface ShapeServiceOptions {
  liveTimeoutMs?: number;
  /** Captured changes per catch-up response (whole transactions). */
  maxChangesPerResponse?: number;
  /** Bytes of snapshots and log pages kept for sharing. */
  cacheBytes?: number;
  /** How long to wait for the publisher to number transactions a snapshot saw. */
  publishWaitMs?: number;
  /** Asks for a publishing round now (shapes/feed-waker.ts), when a snapshot waits for one. */
  wake?: () => void;
}

export class ShapeUnavailableError extends Error {}

interface Snapshot {
  /** The response body, joined once and served as is to every client of the handle. */
  body: string;
  position: bigint;
}

/** Work done, for tests of sharing and for benchmarks. */
export interface ShapeServiceStats {
  snapshotsComputed: number;
  changeReads: number;
}

export class ShapeService {
  readonly registry: ShapeRegistry;
  readonly stats: ShapeServiceStats = { snapshotsComputed: 0, changeReads: 0 };
  #schemas = new Map<SyncedTable, { schema: Promise<TableSchema>; at: number }>();
  #handles = new Map<string, { handle: string; at: number }>();
  #cache: LRUCache<string, Snapshot | ChangesRead, () => Promise<Snapshot | ChangesRead>>;
  readonly #liveTimeoutMs: number;
  readonly #maxChanges: number;
  readonly #publishWaitMs: number;
  readonly #wake: () => void;

  constructor(
    private readonly pool: pg.Pool,
    private readonly watcher: FeedWatcher,
    private readonly logger: Logger,
    options: ShapeServiceOptions = {},
  ) {
    this.registry = new ShapeRegistry(pool);
    this.#liveTimeoutMs = options.liveTimeoutMs ?? 20_000;
    this.#maxChanges = options.maxChangesPerResponse ?? 20_000;
    this.#publishWaitMs = options.publishWaitMs ?? 15_000;
    this.#wake = options.wake ?? (() => {});
    this.#cache = new LRUCache({
      maxSize: options.cacheBytes ?? 256 * 1024 * 1024,
      sizeCalculation: (value) =>
        ('body' in value ? value.body.length : value.messages.reduce((sum, text) => sum + text.length, 0)) + 64,
      // Snapshots go stale (newer clients would catch up longer); log pages never change.
      ttl: 5 * 60_000,
      fetchMethod: (_key, _stale, { context }) => context(),
    });
  }

  /** The table's current schema; re-read every few seconds so a migration is noticed. */
  schemaOf(table: SyncedTable): Promise<TableSchema> {
    const cached = this.#schemas.get(table);
    if (cached && Date.now() - cached.at < 5_000) return cached.schema;
    const schema = loadTableSchema(this.pool, table);
    this.#schemas.set(table, { schema, at: Date.now() });
    schema.catch(() => this.#schemas.delete(table));
    return schema;
  }

  async answer(request: ShapeRequest, signal?: AbortSignal): Promise<ShapeAnswer> {
    const def = request.shape;
    const schema = await this.schemaOf(def.table);
    const source: ShapeSource = { def, schema };
    const key = definitionKey(def);

    // The handle: the client's, if it still denotes this shape; otherwise 409 to the current one.
    let handle = request.handle;
    if (handle) {
      const info = await this.registry.lookup(handle);
      if (!info || info.retired || info.definitionKey !== key || info.fingerprint !== schema.fingerprint) {
        return this.#mustRefetch(await this.#currentHandle(source, key));
      }
    } else {
      handle = await this.#currentHandle(source, key);
    }

    const offset = request.offset;
    if (offset.kind === 'snapshot') {
      const snapshot = await this.#snapshot(handle, source);
      return {
        status: 200,
        handle,
        offset: formatPosition(snapshot.position),
        body: snapshot.body,
        schema: schemaHeader(schema, def.columns),
        upToDate: false,
        kind: 'snapshot',
      };
    }

    const from = offset.kind === 'now' ? await this.watcher.refresh() : offset.tx;
    if (offset.kind === 'position') {
      const feed = await this.#feedBounds();
      if (from < feed.compactedThrough) return this.#behindCompaction(source, key, handle);
      // A position the feed never reached (a made-up offset, or a database restored from a backup):
      // answering would announce a global_last_seen_lsn ahead of the feed, and pglite-sync would
      // then drop every change up to it. Electric answers the same 400.
      if (from > feed.head) {
        throw new ShapeRequestError(400, {
          offset: [`out of bounds for this shape: the log ends at ${formatPosition(feed.head)}; start over with offset=-1`],
        });
      }
    }

    if (!request.live) {
      const head = await this.watcher.refresh();
      const page = await this.#changes(handle, source, from, head);
      if (page.ended) return this.#logEnded(page.ended, source, key, handle);
      const upToDate = page.through >= head;
      return {
        ...changesAnswer(handle, page.messages, page.through, upToDate ? head : undefined),
        schema: schemaHeader(schema, def.columns),
        kind: 'catch-up',
      };
    }

    return this.#liveAfter(handle, source, key, from, { signal, arrivedBehind: this.watcher.position > from });
  }

  /**
   * The next live answer of an SSE stream (shapes/live-stream.ts) that holds `handle` and has sent
   * everything through `from`: its changes after `from`, or an empty answer at the timeout; a 409
   * once the handle is no longer the shape's.
   */
  async nextLive(request: ShapeRequest, handle: string, from: bigint, signal: AbortSignal, timeoutMs: number): Promise<ShapeAnswer> {
    const schema = await this.schemaOf(request.shape.table);
    const source: ShapeSource = { def: request.shape, schema };
    const key = definitionKey(request.shape);
    const info = await this.registry.lookup(handle);
    if (!info || info.retired || info.definitionKey !== key || info.fingerprint !== schema.fingerprint) {
      return this.#mustRefetch(await this.#currentHandle(source, key));
    }
    return this.#liveAfter(handle, source, key, from, { signal, arrivedBehind: false, timeoutMs });
  }

  /**
   * Live: hold the request until this shape has changes after `from`, or the timeout. A request
   * that arrives behind the feed's head is answered at once, even when nothing there is for this
   * shape: its client (a multi-shape one) is waiting for every shape to report the new position
   * before it commits, and a browser on HTTP/1.1 may have queued this request behind other
   * long-polls for a while. Requests at the head wait, so one write wakes only its own shapes.
   */
  async #liveAfter(
    handle: string,
    source: ShapeSource,
    key: string,
    from: bigint,
    { signal, arrivedBehind, timeoutMs = this.#liveTimeoutMs }: { signal: AbortSignal | undefined; arrivedBehind: boolean; timeoutMs?: number },
  ): Promise<ShapeAnswer> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const head = this.watcher.position;
      if (head > from) {
        const page = await this.#changes(handle, source, from, head);
        if (page.ended) return this.#logEnded(page.ended, source, key, handle);
        if (page.messages.length > 0 || page.through < head || arrivedBehind) {
          const upToDate = page.through >= head;
          return this.#live(handle, page.messages, page.through, upToDate ? head : undefined);
        }
        from = head; // the feed moved, but nothing for this shape
      }
      arrivedBehind = false;
      const remaining = deadline - Date.now();
      // A stopped watcher resolves every wait at once: without this check the loop would spin.
      if (remaining <= 0 || signal?.aborted || this.watcher.stopped) return this.#live(handle, [], from, from);
      await this.watcher.waitForPosition(from, remaining, signal);
    }
  }

  /**
   * Behind compaction: re-sync under the newest live handle, shared with everyone else; only if the
   * client is already on it does it need one of its own (clients treat a handle they got a 409 for
   * as expired).
   */
  async #behindCompaction(source: ShapeSource, key: string, handle: string): Promise<ShapeAnswer> {
    const current = await this.#currentHandle(source, key);
    return this.#mustRefetch(current !== handle ? current : await this.registry.newHandle(source.def, source.schema.fingerprint));
  }

  /** A range that cannot be answered (ChangesRead.ended): the client refetches. */
  async #logEnded(why: 'truncated' | 'compacted', source: ShapeSource, key: string, handle: string): Promise<ShapeAnswer> {
    // A truncate retired the table's handles: the current one is asked of the database.
    if (why === 'truncated') return this.#mustRefetch(await this.#currentHandle(source, key, { fresh: true }));
    return this.#behindCompaction(source, key, handle);
  }

  #live(handle: string, messages: readonly string[], through: bigint, upToDateAt: bigint | undefined): ShapeAnswer {
    return { ...changesAnswer(handle, messages, through, upToDateAt), kind: 'live' };
  }

  /** How long a live request waits for changes before it is answered without any. */
  get liveTimeoutMs(): number {
    return this.#liveTimeoutMs;
  }

  /** The feed is stopping (server shutdown): live requests and streams end now. */
  get stopping(): boolean {
    return this.watcher.stopped;
  }

  #mustRefetch(handle: string): ShapeAnswer {
    return {
      status: 409,
      handle,
      body: JSON.stringify([{ headers: { control: 'must-refetch' } }]),
      upToDate: false,
      kind: 'must-refetch',
    };
  }

  /** `fresh`: ask the database, not this process's memory (the table was just truncated). */
  async #currentHandle({ def, schema }: ShapeSource, key: string, { fresh = false } = {}): Promise<string> {
    const cacheKey = `${key}:${schema.fingerprint}`;
    const cached = this.#handles.get(cacheKey);
    if (cached && !fresh && Date.now() - cached.at < 1_000) {
      const info = await this.registry.lookup(cached.handle);
      if (info && !info.retired) return cached.handle;
    }
    const handle = await this.registry.currentHandle(def, schema.fingerprint);
    this.#handles.set(cacheKey, { handle, at: Date.now() });
    return handle;
  }

  /** The oldest position still in the feed, and its newest, read from the database (not this process's watcher). */
  async #feedBounds(): Promise<{ compactedThrough: bigint; head: bigint }> {
    const { rows } = await this.pool.query<{ c: string; head: string }>(
      'select compacted_through::text as c, last_tx_offset::text as head from shape_feed_state',
    );
    return { compactedThrough: BigInt(rows[0]!.c), head: BigInt(rows[0]!.head) };
  }

  /** One computation per (handle, range), shared by every request for it. */
  async #changes(handle: string, source: ShapeSource, from: bigint, to: bigint) {
    const page = await this.#cache.fetch(`log:${handle}:${from}:${to}`, {
      context: () => {
        this.stats.changeReads++;
        return readChanges(this.pool, source, from, to, { maxRows: this.#maxChanges });
      },
    });
    return page as ChangesRead;
  }

  /**
   * The snapshot of a handle (SPEC.md, "Snapshots"): the rows in a REPEATABLE READ snapshot S at
   * published position P; then, once the publisher has numbered every transaction S saw but P did
   * not include (ending at Q), the changes in (P, Q] of the transactions S did *not* see. The
   * result is exactly the state after Q; the client continues from Q.
   */
  async #snapshot(handle: string, source: ShapeSource): Promise<Snapshot> {
    const snapshot = await this.#cache.fetch(`snapshot:${handle}`, {
      context: async () => {
        this.stats.snapshotsComputed++;
        if (source.def.log === 'changes_only') {
          return { body: `[${this.#snapshotEnd()}]`, position: await this.watcher.refresh() };
        }
        const read = await readSnapshot(this.pool, source);
        let position = read.publishedAt;
        if (read.unpublishedXids.length > 0) {
          // Committed, not yet numbered (written outside this server, or just now): publish now.
          this.#wake();
          const deadline = Date.now() + this.#publishWaitMs;
          for (;;) {
            const published = await publishedPosition(this.pool, read.unpublishedXids);
            if (published !== undefined) {
              position = published > position ? published : position;
              break;
            }
            if (Date.now() > deadline) {
              throw new ShapeUnavailableError('the change feed is not being published; try again shortly');
            }
            await this.watcher.waitForPosition(this.watcher.position, 100);
          }
        }
        const gap = await readChanges(this.pool, source, read.publishedAt, position, {
          maxRows: Number.MAX_SAFE_INTEGER,
          skipVisibleIn: read.snapshot.text,
        });
        // Truncated (its handle is retired) or compacted after the snapshot was taken: the client retries.
        if (gap.ended) throw new ShapeUnavailableError(`the table's change log was ${gap.ended} while its snapshot was read; try again`);
        const end = this.#snapshotEnd(read.snapshot, position);
        return { body: `[${[...read.rows, end, ...gap.messages].join(',')}]`, position };
      },
    });
    return snapshot as Snapshot;
  }

  #snapshotEnd(snapshot?: { xmin: string; xmax: string; xip: string[] }, position?: bigint): string {
    return JSON.stringify({
      headers: {
        control: 'snapshot-end',
        ...(snapshot && { xmin: snapshot.xmin, xmax: snapshot.xmax, xip_list: snapshot.xip }),
        ...(position !== undefined && { database_lsn: position.toString() }),
      },
    });
  }
}

/** The up-to-date control message at a feed position (Electric's, with the position as its lsn). */
export function upToDateMessage(position: bigint): string {
  return JSON.stringify({ headers: { control: 'up-to-date', global_last_seen_lsn: position.toString() } });
}

/** A 200 answer of changes; its JSON body is only joined when a long-poll sends it (SSE does not). */
function changesAnswer(handle: string, messages: readonly string[], through: bigint, upToDateAt: bigint | undefined) {
  let body: string | undefined;
  return {
    status: 200 as const,
    handle,
    offset: formatPosition(through),
    get body(): string {
      body ??= `[${(upToDateAt === undefined ? messages : [...messages, upToDateMessage(upToDateAt)]).join(',')}]`;
      return body;
    },
    upToDate: upToDateAt !== undefined,
    changes: { messages, through, upToDateAt },
  };
}
