/**
 * The messages between the raw-PGlite page (raw-pglite-page.ts) and its dedicated worker
 * (raw-pglite-worker.ts): one message per operation, answered by one message with the same `id`.
 * Types only: the three sides (Node, page, worker) share them.
 */

export type RawRequest =
  /** Answered at once without touching PGlite: the bare postMessage round trip. */
  | { op: 'echo' }
  /** PGlite.create on `dataDir`, then `select 1`. */
  | { op: 'open'; dataDir: string; initdbArgs: string[] }
  /** `select 1` n times one after another inside the worker, each timed there. */
  | { op: 'selectLoop'; n: number }
  /** One statement or several (DDL), then the flush; each timed. */
  | { op: 'exec'; sql: string }
  /** One query (no flush after it): the page times the round trip, the worker its own part. */
  | { op: 'query'; sql: string; params?: unknown[] }
  /** One statement, then PGlite's flush to the storage; each timed. */
  | { op: 'durable'; sql: string; params?: unknown[] }
  /** COPY of the CSV into `table` (columns listed), then the flush. */
  | { op: 'copy'; table: string; columns: string[]; csv: string }
  /** The search query and its count for one term. */
  | { op: 'search'; rowsSql: string; countSql: string; pattern: string }
  | { op: 'close' };

export interface RawReply {
  id: number;
  ok: boolean;
  error?: string;
  result?: unknown;
}

/** Timing of an operation inside the worker, ms (worker clock). */
export interface OpenResult {
  /** PGlite.create → ready. */
  createMs: number;
  /** Then `select 1` answered. */
  firstQueryMs: number;
}

export interface DurableResult {
  /** The statement itself (PGlite's automatic flush after it is switched off). */
  statementMs: number;
  /** PGlite's flush to the storage after it (what `relaxedDurability: false` waits for). */
  flushMs: number;
  rows: number;
}

export interface SearchResultRaw {
  /** Both queries, inside the worker. */
  ms: number;
  rows: number;
  count: number;
}

export interface QueryResult {
  ms: number;
  rows: Record<string, unknown>[];
}
