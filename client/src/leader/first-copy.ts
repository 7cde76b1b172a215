import type { PGliteWithSync } from '@electric-sql/pglite-sync';
import type { PGliteInterface } from '@electric-sql/pglite';
import { SYNCED_TABLES, type SyncedTable } from '@cimco/contract';
import { DROP_SCREEN_INDEXES_SQL } from '../db/local-schema.ts';
import { SYNCED_COLUMNS, syncedTableName } from '../db/synced-columns.ts';

/**
 * The first copy of the yard, loaded in bulk (issue 11, item 5).
 *
 * pglite-sync 0.6.1 turns every row of a snapshot into a message object and writes all but the
 * first shape with multi-row INSERTs: 26 s for 50,000 parts in the browser, where the same rows
 * take 3 s by COPY. So a tablet that has none of this person's data reads each shape's snapshot
 * itself, over the same shape protocol, and stores it with one COPY a table; then it writes the
 * handles and offsets where pglite-sync keeps them, and pglite-sync continues from there as from
 * any earlier session of its own.
 *
 * The invariant that makes the hand-over exact is pglite-sync's own: everything up to the stored
 * `last_lsn` is committed, for every shape, and nothing after it. Each shape is read from its
 * snapshot until `up-to-date`, and the shapes that reported an older global position than the
 * newest are read again from where they stopped, until all report the same position G — so each
 * holds exactly the server's state at G (a transaction that wrote several tables is in all of them
 * or in none), and G is `last_lsn`. Every change a shape then receives is after G.
 */

/** The messages of a shape response that this loader uses (PROTOCOL.md, "body"). */
interface ShapeMessage {
  key?: string;
  value?: Record<string, unknown>;
  headers: { operation?: 'insert' | 'update' | 'delete'; control?: string; global_last_seen_lsn?: string };
}

interface ShapeRead {
  handle: string | null;
  offset: string;
  /** The `global_last_seen_lsn` of the last `up-to-date`. */
  position: bigint;
  /** The rows so far, by message key. */
  rows: Map<string, Record<string, unknown>>;
}

export interface FirstCopyProgress {
  /** Tables read so far, of `tables`. */
  tablesRead: number;
  tables: number;
  /** Rows read so far. */
  rows: number;
  /**
   * Bytes received so far, of the answers' announced lengths: the bar's measure, known from the
   * start for the big tables (they are asked for first), where the row counts are known only once
   * a table's answer is in.
   */
  bytes: number;
  bytesExpected: number;
}

export interface FirstCopyOptions {
  pg: PGliteWithSync & PGliteInterface;
  /** Where shapes are (`…/v1/shape`) and how to fetch them. */
  shapeUrl: string;
  fetch: typeof fetch;
  /** The Authorization header for each request; `renew` is called with a 401 and says whether to retry. */
  authorization: () => Promise<string>;
  renew: () => Promise<boolean>;
  tables: readonly SyncedTable[];
  /** pglite-sync's subscription key, and the person (`synced_for`) the copy is of. */
  subscriptionKey: string;
  owner: string;
  signal: AbortSignal;
  onProgress?: (progress: FirstCopyProgress) => void;
}

/** Give up converging after this many rounds (a yard writing faster than the tablet reads). */
const MAX_ROUNDS = 10;
/** Shapes read at once: a few, so the big ones overlap with the small ones' round trips. */
const READ_AT_ONCE = 3;

export class FirstCopyError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'FirstCopyError';
  }
}

/**
 * Reads every shape and stores the copy, its subscription and its owner in one local transaction;
 * nothing is stored if it fails. The screens' indexes are left to build afterwards.
 */
export async function loadFirstCopy(options: FirstCopyOptions): Promise<void> {
  const { pg, tables, subscriptionKey, owner, signal } = options;
  const reads = new Map<SyncedTable, ShapeRead>(tables.map((table) => [table, { handle: null, offset: '-1', position: -1n, rows: new Map() }]));
  const progress: FirstCopyProgress = { tablesRead: 0, tables: tables.length, rows: 0, bytes: 0, bytesExpected: 0 };
  const report = () => options.onProgress?.({ ...progress });
  report();

  const queue = [...tables];
  const reader = async () => {
    for (let table = queue.shift(); table; table = queue.shift()) {
      await readUntilUpToDate(options, table, reads.get(table)!, (change) => {
        progress.rows += change.rows ?? 0;
        progress.bytes += change.bytes ?? 0;
        progress.bytesExpected += change.bytesExpected ?? 0;
        report();
      });
      progress.tablesRead++;
      report();
    }
  };
  await Promise.all(Array.from({ length: Math.min(READ_AT_ONCE, tables.length) }, reader));

  // Until every shape stands at the same global position (see above).
  for (let round = 0; ; round++) {
    const newest = [...reads.values()].reduce((max, read) => (read.position > max ? read.position : max), -1n);
    const behind = tables.filter((table) => reads.get(table)!.position < newest);
    if (behind.length === 0) break;
    if (round === MAX_ROUNDS) throw new FirstCopyError('the yard changed faster than this tablet could read it');
    for (const table of behind) await readUntilUpToDate(options, table, reads.get(table)!, () => {});
  }

  const position = reads.get(tables[0]!)!.position;
  await pg.transaction(async (tx) => {
    await tx.exec(DROP_SCREEN_INDEXES_SQL);
    for (const table of SYNCED_TABLES) await tx.exec(`delete from ${syncedTableName(table)}`);
    for (const table of tables) {
      const rows = reads.get(table)!.rows;
      if (rows.size === 0) continue;
      const columns = SYNCED_COLUMNS[table].map(([name]) => name);
      await tx.query(`copy ${syncedTableName(table)} (${columns.map((c) => `"${c}"`).join(', ')}) from '/dev/blob' with (format csv)`, [], {
        blob: new Blob([toCsv(rows.values(), columns)], { type: 'text/csv' }),
      });
    }
    await tx.query('delete from electric.subscriptions_metadata where key = $1', [subscriptionKey]);
    await tx.query('insert into electric.subscriptions_metadata (key, shape_metadata, last_lsn) values ($1, $2, $3)', [
      subscriptionKey,
      Object.fromEntries(tables.map((table) => [table, { handle: reads.get(table)!.handle, offset: reads.get(table)!.offset }])),
      position.toString(),
    ]);
    await tx.query('update sync_state set synced_for = $1, initial_sync_done = false, last_sync_at = now()', [owner]);
    if (signal.aborted) await tx.rollback();
  });
}

/** Reads one shape from where it stands (its snapshot, the first time) to `up-to-date`. */
async function readUntilUpToDate(
  options: FirstCopyOptions,
  table: SyncedTable,
  read: ShapeRead,
  onProgress: (change: { rows?: number; bytes?: number; bytesExpected?: number }) => void,
): Promise<void> {
  let renewed = false;
  for (;;) {
    const url = new URL(options.shapeUrl);
    url.searchParams.set('table', table);
    url.searchParams.set('offset', read.offset);
    if (read.handle) url.searchParams.set('handle', read.handle);
    const response = await options.fetch(url.toString(), {
      headers: { Authorization: await options.authorization() },
      signal: options.signal,
    });
    if (response.status === 401 && !renewed && (await options.renew())) {
      renewed = true;
      continue;
    }
    if (response.status === 409) {
      // The shape's handle was retired (e.g. a TRUNCATE): read it anew under the new one.
      await response.body?.cancel();
      read.handle = response.headers.get('electric-handle');
      read.offset = '-1';
      read.rows.clear();
      continue;
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new FirstCopyError(`the server answered ${response.status} for ${table}`, response.status);
    }
    const handle = response.headers.get('electric-handle');
    const offset = response.headers.get('electric-offset');
    if (!handle || !offset) throw new FirstCopyError(`the server's answer for ${table} has no handle or offset`);
    const messages = JSON.parse(await readBody(response, onProgress)) as ShapeMessage[];
    let upToDate = false;
    let added = 0;
    for (const message of messages) {
      const { operation, control } = message.headers;
      if (control === 'up-to-date') {
        read.position = BigInt(message.headers.global_last_seen_lsn ?? '-1');
        upToDate = true;
      } else if (control === 'must-refetch') {
        read.rows.clear();
      } else if (operation && message.key !== undefined) {
        const before = read.rows.size;
        apply(read.rows, message.key, operation, message.value ?? {});
        added += read.rows.size - before;
      }
    }
    read.handle = handle;
    read.offset = offset;
    onProgress({ rows: added });
    if (upToDate) return;
  }
}

/** The body as text, its bytes reported as they arrive. */
async function readBody(response: Response, onProgress: (change: { bytes?: number; bytesExpected?: number }) => void): Promise<string> {
  // A gzipped body (sync-server/src/shapes/compress.ts) says how long it is once decompressed, which
  // is what is read here; Content-Length is then the compressed length.
  const length = Number(response.headers.get('x-uncompressed-length') ?? response.headers.get('content-length'));
  if (Number.isFinite(length) && length > 0) onProgress({ bytesExpected: length });
  if (!response.body) return response.text();
  const decoder = new TextDecoder();
  const parts: string[] = [];
  const reader = response.body.getReader();
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
    parts.push(decoder.decode(chunk.value, { stream: true }));
    onProgress({ bytes: chunk.value.byteLength });
  }
  parts.push(decoder.decode());
  return parts.join('');
}

/** One change to the rows by key: an insert is the whole row, an update its key and changed columns. */
function apply(rows: Map<string, Record<string, unknown>>, key: string, operation: 'insert' | 'update' | 'delete', value: Record<string, unknown>): void {
  if (operation === 'insert') rows.set(key, value);
  else if (operation === 'delete') rows.delete(key);
  else {
    const row = rows.get(key);
    if (row) rows.set(key, { ...row, ...value });
  }
}

/**
 * CSV for COPY: every value quoted (the text PostgreSQL printed, so it reads back exactly), a
 * missing or null one left empty, which COPY's CSV format reads as NULL.
 */
function toCsv(rows: Iterable<Record<string, unknown>>, columns: readonly string[]): string {
  const lines: string[] = [];
  for (const row of rows) {
    lines.push(
      columns
        .map((column) => {
          const value = row[column];
          if (value === null || value === undefined) return '';
          const text = typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
          return `"${text.replaceAll('"', '""')}"`;
        })
        .join(','),
    );
  }
  return lines.join('\n') + '\n';
}
