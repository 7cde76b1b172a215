import type { LiveQuery, LiveQueryResults } from '@electric-sql/pglite/live';
import { useEffect, useRef, useState } from 'react';
import { v7 as uuidv7 } from 'uuid';
import { useDatabase } from '../../db/react.ts';
import type { LocalDatabase } from '../../db/local-database.ts';
import { partsFilterSetting, partsFilterSettingName, partsListSql, type PartFilters, type PartListRow } from './parts-query.ts';

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
 * One live query serves the list for as long as it is on screen. Its SQL reads the filters from
 * a session setting, so a new search writes the setting and refreshes: one statement and a
 * re-read, instead of setting up a new live query (a dozen statements) for every key typed. While
 * a search runs the previous rows stay, so the list does not flash empty.
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

/** The live query behind one list, with its filter setting. */
class LiveList {
  private readonly setting = partsFilterSettingName(uuidv7().replaceAll('-', ''));
  /** The filters asked for and their version; `written` is the version the setting holds. */
  private wanted: PartFilters | null = null;
  private wantedRev = 0;
  private written = -1;
  private live: LiveQuery<PartListRow> | null = null;
  private working = false;
  private closed = false;
  private writtenFilters: PartFilters | null = null;
  private readonly stopLeaderWatch: () => void;

  constructor(
    private readonly db: LocalDatabase,
    private readonly publish: (window: PartsWindow) => void,
    private readonly window: () => QueryWindow,
  ) {
    // Another tab took over the database (its leader closed): session settings do not carry over.
    this.stopLeaderWatch = db.onLeaderChange(() => {
      this.written = -1;
      void this.work();
    });
  }

  setFilters(filters: PartFilters): void {
    if (this.closed || filters === this.wanted) return;
    this.wanted = filters;
    this.wantedRev += 1;
    void this.work();
  }

  setWindow(window: QueryWindow): void {
    if (this.live) this.refresh(window);
  }

  close(): void {
    this.closed = true;
    this.stopLeaderWatch();
    void this.work();
  }

  private refresh(window: QueryWindow): void {
    this.live?.refresh(window).catch((error: unknown) => console.warn('parts list refresh failed', error));
  }

  /** Writes the wanted filters and sets the live query up, one step at a time, latest wins. */
  private async work(): Promise<void> {
    if (this.working) return;
    this.working = true;
    try {
      if (this.closed) {
        const live = this.live;
        this.live = null;
        await live?.unsubscribe();
        await this.db.query('select set_config($1, $2, false)', [this.setting, '']);
        return;
      }
      let changed = false;
      while (this.wanted && this.written !== this.wantedRev) {
        // Filters typed while this runs are written next; only the last ones are read.
        const [filters, rev] = [this.wanted, this.wantedRev];
        await this.db.query('select set_config($1, $2, false)', [this.setting, partsFilterSetting(filters, rev)]);
        this.written = rev;
        this.writtenFilters = filters;
        changed = true;
      }
      if (changed && this.live) this.refresh(this.window());
      if (!this.live && this.written > 0) {
        const start = this.window();
        this.live = await this.db.live.query<PartListRow>({
          query: partsListSql(this.setting),
          offset: start.offset,
          limit: start.limit,
          callback: (results) => this.deliver(results),
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
    // Asked for something else (or closed) while working.
    if (this.closed ? this.live !== null : this.wanted !== null && this.written !== this.wantedRev) void this.work();
  }

  private deliver(results: LiveQueryResults<PartListRow>): void {
    if (this.closed) return;
    const rows = results.rows;
    const offset = results.offset ?? 0;
    const limit = results.limit ?? rows.length;
    // Rows read with older filters (a refresh already under way when the setting changed): drop.
    const rev = rows[0]?.rev;
    if (rev !== undefined && rev !== this.written) return;
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
    this.publish({ rows, offset, totalCount, filters: this.writtenFilters });
  }
}
