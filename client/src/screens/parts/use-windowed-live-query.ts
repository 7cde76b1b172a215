import type { LiveQuery, LiveQueryResults } from '@electric-sql/pglite/live';
import { useEffect, useRef, useState } from 'react';
import { useDatabase } from '../../db/react.ts';

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
  /** The query key these rows belong to (they may still be the previous query's while a new one starts). */
  key: string;
}

/**
 * A live query that fetches only a window of its rows (PGlite's windowed live query): the list
 * shows thousands of rows while only the ones near the screen are read. The results follow the
 * database (a change recorded anywhere refreshes them) and the window can move without starting a
 * new query.
 *
 * A new `sql`/`params` starts a new live query at `window`; until its first results arrive the
 * previous results stay (with their old `key`), so the screen does not flash empty as someone types.
 */
export function useWindowedLiveQuery<T>(sql: string, params: unknown[], window: QueryWindow): WindowedRows<T> | undefined {
  const db = useDatabase();
  const key = JSON.stringify([sql, params]);
  const [result, setResult] = useState<WindowedRows<T>>();
  const liveRef = useRef<LiveQuery<T> | null>(null);
  // The window wanted now, read when a new query starts or its first results arrive.
  const windowRef = useRef(window);
  useEffect(() => {
    windowRef.current = window;
  });

  useEffect(() => {
    let live: LiveQuery<T> | null = null;
    let stopped = false;
    const [querySql, queryParams] = JSON.parse(key) as [string, unknown[]];
    const start = windowRef.current;
    const onResults = (results: LiveQueryResults<T>) => {
      if (stopped) return;
      // PGlite coalesces refreshes: a refresh caused by a change in the data can replace a pending
      // refresh that moved the window, and the results then come back for the old window. Ask again.
      const wanted = windowRef.current;
      if (live && (results.offset !== wanted.offset || results.limit !== wanted.limit)) void live.refresh(wanted);
      setResult({
        rows: results.rows,
        offset: results.offset ?? 0,
        totalCount: Number(results.totalCount ?? results.rows.length),
        key,
      });
    };
    db.live
      .query<T>({ query: querySql, params: queryParams, offset: start.offset, limit: start.limit, callback: onResults })
      .then((created) => {
        if (stopped) {
          void created.unsubscribe();
          return;
        }
        live = created;
        liveRef.current = created;
        // The list may have scrolled while the query was being set up.
        const now = windowRef.current;
        if (now.offset !== start.offset || now.limit !== start.limit) void created.refresh(now);
      })
      .catch((error: unknown) => {
        if (!stopped) console.error('parts list query failed', error);
      });
    return () => {
      stopped = true;
      if (liveRef.current === live) liveRef.current = null;
      void live?.unsubscribe();
    };
  }, [db, key]);

  useEffect(() => {
    void liveRef.current?.refresh({ offset: window.offset, limit: window.limit });
  }, [window.offset, window.limit]);

  return result;
}
