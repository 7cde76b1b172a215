import type { LiveQuery, LiveQueryResults } from '@electric-sql/pglite/live';
import { useEffect, useRef, useState } from 'react';
import { useDatabase } from '../../db/react.ts';
import type { LocalDatabase } from '../../db/local-database.ts';
import { partsListQuery, type PartFilters, type PartListRow } from './parts-query.ts';

export interface QueryWindow {
  offset: number;
  limit: number;
}

export interface PartsWindow {
  /** The rows of the window last read, starting at `offset`. */
  rows: PartListRow[];
  offset: number;
  /** How many parts match. */
  totalCount: number;
  /** The filters these rows were read with (the list is still searching while they are not the ones shown). */
  filters: PartFilters | null;
  /** Reading failed. */
  error?: string;
}

/**
 * The parts list as a windowed live query (PGlite `live.query` with `offset`/`limit`): only the
 * rows near the screen are read, the results follow the database (a change recorded anywhere shows
 * at once), and scrolling moves the window with `refresh({ offset, limit })`.
 *
 * New filters make a new live query (partsListQuery's SQL and parameters) in place of the last
 * one; while it starts, the previous rows stay, so the list does not flash empty.
 */
export function useLivePartsList(filters: PartFilters, window: QueryWindow): PartsWindow | undefined {
  const db = useDatabase();
  const [result, setResult] = useState<PartsWindow>();
  const windowRef = useRef(window);
  const filtersRef = useRef(filters);
  const listRef = useRef<LiveList | null>(null);
  useEffect(() => {
    windowRef.current = window;
    filtersRef.current = filters;
  });

  useEffect(() => {
    const list = new LiveList(db, setResult, () => windowRef.current);
    listRef.current = list;
    list.setFilters(filtersRef.current);
    return () => {
      listRef.current = null;
      list.close();
    };
  }, [db]);

  useEffect(() => {
    listRef.current?.setFilters(filters);
  }, [filters]);

  useEffect(() => {
    listRef.current?.setWindow({ offset: window.offset, limit: window.limit });
  }, [window.offset, window.limit]);

  return result;
}

/** The live query behind one list, replaced when the filters change. */
class LiveList {
  /** The filters asked for, and those the live query reads. */
  private wanted: PartFilters | null = null;
  private current: PartFilters | null = null;
  private live: LiveQuery<PartListRow> | null = null;
  private working = false;
  private closed = false;

  constructor(
    private readonly db: LocalDatabase,
    private readonly publish: (window: PartsWindow) => void,
    private readonly window: () => QueryWindow,
  ) {}

  setFilters(filters: PartFilters): void {
    if (this.closed || filters === this.wanted) return;
    this.wanted = filters;
    void this.work();
  }

  setWindow(window: QueryWindow): void {
    if (this.live) this.refresh(window);
  }

  close(): void {
    this.closed = true;
    void this.work();
  }

  private refresh(window: QueryWindow): void {
    this.live?.refresh(window).catch((error: unknown) => console.warn('parts list refresh failed', error));
  }

  /** Replaces the live query with one for the wanted filters, one step at a time, latest wins. */
  private async work(): Promise<void> {
    if (this.working) return;
    this.working = true;
    try {
      while (this.closed ? this.live !== null : this.wanted !== this.current) {
        const old = this.live;
        this.live = null;
        this.current = null;
        await old?.unsubscribe();
        if (this.closed) break;
        // Filters typed while this runs are taken next; only the last ones are read.
        const filters = this.wanted!;
        const { sql, params } = partsListQuery(filters);
        const start = this.window();
        this.current = filters;
        this.live = await this.db.live.query<PartListRow>({
          query: sql,
          params,
          offset: start.offset,
          limit: start.limit,
          callback: (results) => {
            if (this.current === filters) this.deliver(results, filters);
          },
        });
        // The list may have scrolled meanwhile.
        const now = this.window();
        if (now.offset !== start.offset || now.limit !== start.limit) this.refresh(now);
      }
    } catch (error) {
      if (!this.closed) {
        console.error('parts list query failed', error);
        this.publish({ rows: [], offset: 0, totalCount: 0, filters: this.wanted, error: error instanceof Error ? error.message : String(error) });
      }
    } finally {
      this.working = false;
    }
  }

  private deliver(results: LiveQueryResults<PartListRow>, filters: PartFilters): void {
    if (this.closed) return;
    const rows = results.rows;
    const offset = results.offset ?? 0;
    const limit = results.limit ?? rows.length;
    // PGlite coalesces refreshes: one caused by a change in the data can replace a pending one
    // that moved the window, and the rows then come back for the old window. Ask again.
    const wanted = this.window();
    if (offset !== wanted.offset || limit !== wanted.limit) this.refresh(wanted);
    // PGlite sends the rows first with the count from before and counts again after: where the
    // rows themselves tell the count, use that (no list of 50,000 placeholders for a moment).
    let totalCount = Number(results.totalCount ?? rows.length);
    if (rows.length > 0 && rows.length < limit) totalCount = offset + rows.length;
    else if (rows.length === 0 && offset === 0) totalCount = 0;
    else totalCount = Math.max(totalCount, offset + rows.length);
    this.publish({ rows, offset, totalCount, filters });
  }
}
