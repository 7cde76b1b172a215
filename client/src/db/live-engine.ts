import type { PGliteInterface } from '@electric-sql/pglite';
import { TABLE_CHANGED_CHANNEL } from './local-schema.ts';
import type { LiveResult, LiveSpec } from './protocol.ts';

/**
 * Live queries, run where the database is (the leader's worker), so a refresh costs the query and
 * nothing else.
 *
 * Every table of the local schema notifies `TABLE_CHANGED_CHANNEL` with its name once per
 * transaction that changed it (a statement trigger; Postgres folds equal notifications of one
 * transaction). A subscription knows the tables its plan reads (from EXPLAIN, views and CTEs
 * included), so a recorded task command re-runs the task queries and leaves the parts list alone.
 * Refreshes triggered together run once, one after another, a moment after the change (writes
 * sent meanwhile go first), and results equal to the last ones sent are not sent again (nothing
 * re-renders).
 *
 * A windowed subscription (`window`) reads only those rows (`limit`/`offset` appended to its SQL)
 * and counts the whole result with its own `countSql`, which need not sort.
 */
/** How long a refresh waits after a change for more changes (about a frame's worth). */
export const REFRESH_PAUSE_MS = 8;
/** Query texts whose tables are remembered (the screens have a few dozen). */
const TABLES_CACHE_SIZE = 200;

export class LiveEngine {
  private readonly subscriptions = new Map<string, Subscription>();
  private readonly dirty = new Set<Subscription>();
  private flushing: Promise<void> | null = null;
  private readonly stopListening: Promise<() => Promise<void>>;
  private readonly tablesBySql = new Map<string, string[]>();

  /**
   * `beforePush`: waits until what the results show is stored (a database that writes back to
   * IndexedDB in the background: a screen must not show what a reload could lose).
   */
  constructor(
    private readonly pg: PGliteInterface,
    private readonly beforePush: () => Promise<void> = async () => {},
    private readonly refreshPauseMs = REFRESH_PAUSE_MS,
  ) {
    this.stopListening = pg.listen(TABLE_CHANGED_CHANNEL, (table) => this.tableChanged(table));
  }

  /**
   * Starts (or, with an id already in use, replaces) a subscription; its first results are pushed
   * before this resolves. Errors in the SQL reject here and push nothing.
   */
  async subscribe(id: string, spec: LiveSpec, push: (result: LiveResult) => void): Promise<void> {
    // In the map at once, so an unsubscribe that arrives while this is under way finds it.
    this.subscriptions.get(id)?.close();
    const subscription = new Subscription(spec, push);
    this.subscriptions.set(id, subscription);
    try {
      await this.stopListening;
      for (const sql of spec.countSql ? [spec.sql, spec.countSql] : [spec.sql]) {
        for (const table of await this.tablesRead(sql, spec.params)) subscription.tables.add(table);
      }
      const result = await this.read(spec);
      if (subscription.closed) return;
      await this.beforePush();
      this.send(subscription, result);
    } catch (error) {
      this.unsubscribe(id, subscription);
      throw error;
    }
  }

  /** Stops subscription `id` (only if it is still `which`, when given). */
  unsubscribe(id: string, which?: Subscription): void {
    const subscription = this.subscriptions.get(id);
    if (!subscription || (which && which !== subscription)) return;
    subscription.close();
    this.subscriptions.delete(id);
    this.dirty.delete(subscription);
  }

  /** Stops every subscription whose id starts with `prefix` (a tab that went away). */
  unsubscribeAll(prefix: string): void {
    for (const id of [...this.subscriptions.keys()]) if (id.startsWith(prefix)) this.unsubscribe(id);
  }

  async close(): Promise<void> {
    for (const id of [...this.subscriptions.keys()]) this.unsubscribe(id);
    await (await this.stopListening)();
  }

  private tableChanged(table: string): void {
    for (const subscription of this.subscriptions.values()) {
      if (subscription.tables.has(table)) this.dirty.add(subscription);
    }
    if (this.dirty.size > 0) this.flushing ??= this.flush();
  }

  /** Re-reads the subscriptions marked dirty, until none is left (changes made meanwhile included). */
  private async flush(): Promise<void> {
    // Wait a moment before reading: the notifications of one commit all arrive, and a write the
    // tab sends right after (taps in a row, a queue being filled) goes first instead of queueing
    // behind a refresh — a burst re-reads once after it, a single tap shows within a frame.
    await new Promise((resolve) => setTimeout(resolve, this.refreshPauseMs));
    try {
      while (this.dirty.size > 0) {
        const batch = [...this.dirty];
        this.dirty.clear();
        const results: [Subscription, LiveResult][] = [];
        for (const subscription of batch) {
          if (subscription.closed) continue;
          try {
            results.push([subscription, await this.read(subscription.spec)]);
          } catch (error) {
            if (!subscription.closed) console.error('live query failed', subscription.spec.sql, error);
          }
        }
        if (results.length > 0) await this.beforePush();
        for (const [subscription, result] of results) if (!subscription.closed) this.send(subscription, result);
      }
    } finally {
      this.flushing = null;
    }
  }

  private send(subscription: Subscription, result: LiveResult): void {
    const text = JSON.stringify(result);
    if (text === subscription.last) return;
    subscription.last = text;
    subscription.push(result);
  }

  private async read(spec: LiveSpec): Promise<LiveResult> {
    const window = spec.window;
    if (!window) return { rows: (await this.pg.query<Record<string, unknown>>(spec.sql, spec.params)).rows };
    const offset = wholeNumber(window.offset, 'offset');
    const limit = wholeNumber(window.limit, 'limit');
    const { rows } = await this.pg.query<Record<string, unknown>>(`${spec.sql}\nlimit ${limit} offset ${offset}`, spec.params);
    let totalCount = offset + rows.length;
    // A short page tells the count by itself; otherwise ask.
    if (spec.countSql && (rows.length === limit || (rows.length === 0 && offset > 0))) {
      const counted = await this.pg.query<{ count: number | string }>(spec.countSql, spec.params);
      totalCount = Number(counted.rows[0]?.count ?? 0);
    }
    return { rows, totalCount, offset, limit };
  }

  /**
   * The tables a query reads, from its plan (views, CTEs and subqueries expanded). The same text
   * reads the same tables whatever its parameters, so each text is planned once (a search
   * keystroke subscribes anew with new parameters).
   */
  private async tablesRead(sql: string, params: unknown[] = []): Promise<string[]> {
    let tables = this.tablesBySql.get(sql);
    if (!tables) {
      tables = await this.planTables(sql, params);
      if (this.tablesBySql.size >= TABLES_CACHE_SIZE) this.tablesBySql.clear();
      this.tablesBySql.set(sql, tables);
    }
    return tables;
  }

  private async planTables(sql: string, params: unknown[]): Promise<string[]> {
    const { rows } = await this.pg.query<{ 'QUERY PLAN': unknown }>(`explain (format json) ${sql}`, params);
    const tables = new Set<string>();
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (node && typeof node === 'object') {
        for (const [key, value] of Object.entries(node)) {
          if (key === 'Relation Name' && typeof value === 'string') tables.add(value);
          else walk(value);
        }
      }
    };
    walk(rows[0]?.['QUERY PLAN']);
    return [...tables];
  }
}

class Subscription {
  /** The tables its queries read (filled in before its first read). */
  readonly tables = new Set<string>();
  /** The last results sent, as JSON. */
  last: string | null = null;
  closed = false;

  constructor(
    readonly spec: LiveSpec,
    readonly push: (result: LiveResult) => void,
  ) {}

  close(): void {
    this.closed = true;
  }
}

function wholeNumber(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 0) throw new Error(`live query ${name} must be a whole number, not ${value}`);
  return value;
}
