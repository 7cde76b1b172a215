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
 * PGlite asks for a write-back after every query outside a transaction. Here a tab asks only once
 * it has changed rows, and its next answers with rows wait for that write-back: a live query
 * showing a tap, or the signed-in screen after a sign-in, is never on screen before it is stored,
 * so a reload right after it keeps it. Statements that answer no rows (BEGIN, an INSERT, NOTIFY)
 * do not wait, so commands recorded back to back share their write-backs; reads that follow no
 * change of this tab's answer at once.
 */
class TabletDatabase extends PGliteWorker implements WritesBack {
  #changed = false;
  #answersRows = false;
  #storing: Promise<void> | null = null;

  override async execProtocolStream(
    ...args: Parameters<PGliteWorker['execProtocolStream']>
  ): ReturnType<PGliteWorker['execProtocolStream']> {
    const messages = await super.execProtocolStream(...args);
    for (const message of messages) {
      if (message.name === 'rowDescription') this.#answersRows = true;
      else if (message.name === 'commandComplete' && CHANGED_ROWS.test((message as { text?: string }).text ?? '')) this.#changed = true;
    }
    return messages;
  }

  override async syncToFs(): Promise<void> {
    if (this.#changed) void this.writeBack().catch(() => undefined);
    if (!this.#answersRows) return;
    this.#answersRows = false;
    // A failed write-back is reported to the one who asked for it (writeBack); reads go on.
    await this.#storing?.catch(() => undefined);
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
