import { PGliteWorker } from '@electric-sql/pglite/worker';
import { live, type PGliteWithLive } from '@electric-sql/pglite/live';

/** One database per tablet (per browser profile), shared by its tabs. */
export const LOCAL_DATA_DIR = 'idb://cimco-yard';

export type LocalDatabase = PGliteWorker & PGliteWithLive;

/**
 * Opens the tablet's database through its worker. Resolves once the leader has the schema ready.
 * Also asks the browser to keep the storage: without it, a tablet short of space may evict a
 * shift's queued work.
 */
export async function openLocalDatabase(): Promise<LocalDatabase> {
  void navigator.storage?.persist?.().catch(() => false);
  const pg = await PGliteWorker.create(new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' }), {
    dataDir: LOCAL_DATA_DIR,
    extensions: { live },
  });
  return pg as LocalDatabase;
}
