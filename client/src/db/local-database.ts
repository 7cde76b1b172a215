import type { QueryOptions, Results, Transaction } from '@electric-sql/pglite';
import { PGliteWorker } from '@electric-sql/pglite/worker';
import { live, type PGliteWithLive } from '@electric-sql/pglite/live';
import type { WritesBack } from './persisted.ts';

/** One database per tablet (per browser profile), shared by its tabs. */
export const LOCAL_DATA_DIR = 'idb://cimco-yard';

/** Statements whose completion means rows changed (what a person did in this tab). */
const CHANGED_ROWS = /^(INSERT|UPDATE|DELETE|MERGE|COPY)\b/;

/**
 * A tab's handle on the tablet's database (in the leader's worker, written back to IndexedDB in
 * the background: db/write-back.ts).
 *
 * Once this tab has changed rows, its answers wait until the change is stored: a live query
 * showing a tap, or the signed-in screen after a sign-in, is never on screen before it is stored,
 * so a reload right after it keeps it. The wait comes after PGlite has released its locks, so
 * other queries and other recordings go on meanwhile and share the write-back; answers that follow
 * no change of this tab's come at once.
 */
class TabletDatabase extends PGliteWorker implements WritesBack {
  #changed = false;
  #storing: Promise<void> | null = null;

  override async execProtocolStream(
    ...args: Parameters<PGliteWorker['execProtocolStream']>
  ): ReturnType<PGliteWorker['execProtocolStream']> {
    const messages = await super.execProtocolStream(...args);
    if (messages.some((m) => m.name === 'commandComplete' && CHANGED_ROWS.test((m as { text?: string }).text ?? ''))) this.#changed = true;
    return messages;
  }

  /**
   * PGlite calls this inside its locks after each query outside a transaction. Nothing to do here:
   * the write-back is asked for, and waited on, once the locks are released (`#stored`).
   */
  override async syncToFs(): Promise<void> {}

  override async query<T>(query: string, params?: unknown[], options?: QueryOptions): Promise<Results<T>> {
    const results = await super.query<T>(query, params, options);
    await this.#stored();
    return results;
  }

  override async exec(query: string, options?: QueryOptions): Promise<Array<Results>> {
    const results = await super.exec(query, options);
    await this.#stored();
    return results;
  }

  override async transaction<T>(callback: (tx: Transaction) => Promise<T>): Promise<T> {
    const result = await super.transaction(callback);
    await this.#stored();
    return result;
  }

  /** Waits for this tab's changes to be stored; a failure is reported by writeBack, reads go on. */
  async #stored(): Promise<void> {
    await this.writeBack().catch(() => undefined);
  }

  /**
   * Resolves once every change this tab made so far is stored on the tablet. `#changed` says some
   * change is in no write-back asked for yet (or in one that failed), so back-to-back callers
   * share one write-back.
   */
  writeBack(): Promise<void> {
    if (!this.#changed) return this.#storing ?? Promise.resolve();
    this.#changed = false;
    const storing = super
      .syncToFs()
      .catch((error: unknown) => {
        this.#changed = true;
        throw error;
      })
      .finally(() => {
        if (this.#storing === storing) this.#storing = null;
      });
    this.#storing = storing;
    return storing;
  }
}

export type LocalDatabase = TabletDatabase & PGliteWithLive;

/**
 * Opens the tablet's database through its worker. Resolves once the leader has the schema ready.
 * Also asks the browser to keep the storage: without it, a tablet short of space may evict a
 * shift's queued work.
 */
export async function openLocalDatabase(): Promise<LocalDatabase> {
  void navigator.storage?.persist?.().catch(() => false);
  const pg = new TabletDatabase(new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' }), {
    dataDir: LOCAL_DATA_DIR,
    extensions: { live },
  });
  await pg.waitReady;
  return pg as LocalDatabase;
}
