import { useEffect, useState } from 'react';
import { useDatabase } from '../../db/react.ts';
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
 * The parts list as a windowed live query (db/live-engine.ts): only the rows near the screen are
 * read, with the count of all matches, and both follow the database — a change recorded anywhere
 * shows at once. New filters or a scrolled window start a new query in the leader's worker (a few
 * statements there, one message from here); the rows shown stay until its answer, so the list does
 * not flash empty while a search runs.
 */
export function useLivePartsList(filters: PartFilters, window: QueryWindow): PartsWindow | undefined {
  const db = useDatabase();
  const [result, setResult] = useState<PartsWindow>();
  const { offset, limit } = window;

  useEffect(() => {
    const { sql, countSql, params } = partsListQuery(filters);
    let current = true;
    const handle = db.subscribe<PartListRow>(
      { sql, countSql, params, window: { offset, limit } },
      (read) => {
        if (current) setResult({ rows: read.rows, offset: read.offset ?? 0, totalCount: read.totalCount ?? read.rows.length, filters });
      },
      (error) => {
        console.error('parts list query failed', error);
        if (current) setResult({ rows: [], offset: 0, totalCount: 0, filters, error: error.message });
      },
    );
    return () => {
      current = false;
      handle.close();
    };
  }, [db, filters, offset, limit]);

  return result;
}
