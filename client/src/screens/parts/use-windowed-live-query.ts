import type { LiveQuery, LiveQueryResults } from '@electric-sql/pglite/live';
import { useEffect, useRef, useState } from 'react';
import { useDatabase } from '../../db/react.ts';
import type { LocalDatabase } from '../../db/local-database.ts';

export interface QueryWindow {
  offset: number;
  limit: number;
}

export interface WindowedRows<T> {
  /** The rows of the window that was last fetched, starting at `offset`. */
  rows: T[];
  offset: number;
  /** How many rows the whole query has. */
  totalCount: number;
  /** The query these rows belong to (they may still be the previous query's while a new one starts). */
  key: string;
  /** The query failed (its rows are then empty). */
  error?: string;
}

/**
 * A live query that fetches only a window of its rows (PGlite's windowed live query): the list
 * shows thousands of rows while only the ones near the screen are read. The results follow the
 * database (a change recorded anywhere refreshes them) and the window moves without starting a
 * new query.
 *
 * A new `sql`/`params` replaces the live query. Until the new one's first results arrive the
 * previous results stay (with their old `key`), so the screen does not flash empty as someone
 * types. Setting up a live query takes several statements, so only one is set up at a time and
 * queries typed meanwhile are skipped: after a burst of typing only the last one runs.
 */
export function useWindowedLiveQuery<T>(sql: string, params: unknown[], window: QueryWindow): WindowedRows<T> | undefined {
  const db = useDatabase();
  const key = JSON.stringify([sql, params]);
  const [result, setResult] = useState<WindowedRows<T>>();
  const windowRef = useRef(window);
  const keyRef = useRef(key);
  const controllerRef = useRef<LiveWindow<T> | null>(null);
  useEffect(() => {
    windowRef.current = window;
    keyRef.current = key;
  });

  useEffect(() => {
    const controller = new LiveWindow<T>(db, setResult, () => windowRef.current);
    controllerRef.current = controller;
    controller.setQuery(keyRef.current);
    return () => {
      controllerRef.current = null;
      controller.close();
    };
  }, [db]);

  useEffect(() => {
    controllerRef.current?.setQuery(key);
  }, [key]);

  useEffect(() => {
    controllerRef.current?.setWindow({ offset: window.offset, limit: window.limit });
  }, [window.offset, window.limit]);

  return result;
}

/** One windowed live query at a time, following the wanted query (latest wins) and window. */
class LiveWindow<T> {
  private wanted: string | null = null;
  private live: { key: string; query: LiveQuery<T> } | null = null;
  private failed: string | null = null;
  private working = false;
  private closed = false;
  private refreshing: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly db: LocalDatabase,
    private readonly publish: (rows: WindowedRows<T>) => void,
    private readonly window: () => QueryWindow,
  ) {}

  setQuery(key: string): void {
    if (this.closed) return;
    this.wanted = key;
    void this.work();
  }

  setWindow(window: QueryWindow): void {
    if (this.live && this.live.key === this.wanted) this.refresh(this.live.query, window);
  }

  close(): void {
    this.closed = true;
    this.wanted = null;
    void this.work();
  }

  private refresh(query: LiveQuery<T>, window: QueryWindow): void {
    this.refreshing = query.refresh(window).catch((error: unknown) => console.warn('parts list refresh failed', error));
  }

  private done(): boolean {
    return (this.live?.key ?? null) === this.wanted || (this.wanted !== null && this.wanted === this.failed);
  }

  private async work(): Promise<void> {
    if (this.working) return;
    this.working = true;
    try {
      while (!this.done()) {
        if (this.live) {
          const old = this.live.query;
          this.live = null;
          // A refresh still running when its statements are dropped makes PGlite set the query up again.
          await this.refreshing;
          await old.unsubscribe().catch((error: unknown) => console.warn('parts list unsubscribe failed', error));
          void releaseCountStatements(this.db);
          continue;
        }
        const key = this.wanted;
        if (key === null) break;
        const [query, params] = JSON.parse(key) as [string, unknown[]];
        const start = this.window();
        try {
          const created = await this.db.live.query<T>({
            query,
            params,
            offset: start.offset,
            limit: start.limit,
            callback: (results) => this.deliver(key, results),
          });
          this.live = { key, query: created };
          this.failed = null;
          // The list may have scrolled while the query was being set up.
          const now = this.window();
          if (key === this.wanted && (now.offset !== start.offset || now.limit !== start.limit)) this.refresh(created, now);
        } catch (error) {
          console.error('parts list query failed', error);
          this.failed = key;
          if (key === this.wanted) {
            this.publish({ rows: [], offset: 0, totalCount: 0, key, error: error instanceof Error ? error.message : String(error) });
          }
        }
      }
    } finally {
      this.working = false;
    }
  }

  private deliver(key: string, results: LiveQueryResults<T>): void {
    if (key !== this.wanted) return; // a query typed over: its rows would only flash by
    // PGlite coalesces refreshes: a refresh caused by a change in the data can replace a pending
    // refresh that moved the window, and the results then come back for the old window. Ask again.
    const wanted = this.window();
    if (this.live?.key === key && (results.offset !== wanted.offset || results.limit !== wanted.limit)) {
      this.refresh(this.live.query, wanted);
    }
    this.publish({ rows: results.rows, offset: results.offset ?? 0, totalCount: Number(results.totalCount ?? results.rows.length), key });
  }
}

/**
 * PGlite 0.5.1's windowed live query prepares a `…_get_total_count` statement that its unsubscribe
 * never deallocates: one leaks per query, i.e. per search typed. Every so often, deallocate the
 * ones whose live query is gone (its temporary view dropped). Statements run one at a time on the
 * database, so this cannot catch a live query half set up.
 */
let unsubscribed = 0;
const RELEASE_EVERY = 20;

async function releaseCountStatements(db: LocalDatabase): Promise<void> {
  if (++unsubscribed % RELEASE_EVERY !== 0) return;
  try {
    const { rows } = await db.query<{ name: string }>(
      `select p.name from pg_prepared_statements p
        where p.name like 'live\\_query\\_%\\_get\\_total\\_count'
          and not exists (select 1 from pg_class c
                           where c.relpersistence = 't' and c.relname = replace(p.name, '_get_total_count', '_view'))`,
    );
    for (const { name } of rows) {
      if (/^live_query_[0-9a-f]+_get_total_count$/.test(name)) await db.exec(`deallocate ${name}`);
    }
  } catch (error) {
    console.warn('could not release finished live queries', error);
  }
}
