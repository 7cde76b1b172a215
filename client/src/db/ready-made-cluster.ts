import { READY_MADE_CLUSTER_PATH } from './cluster-settings.ts';

/**
 * On a tablet's first start, the ready-made empty cluster for PGlite to load instead of running
 * initdb (several seconds of a first visit on a tablet). Undefined when the database already
 * exists (loading over it is refused), when the browser cannot tell, or when the file cannot be
 * had: PGlite then runs initdb as usual.
 */
export async function readyMadeCluster(dataDir: string, origin: string): Promise<Blob | undefined> {
  if (!dataDir.startsWith('idb://')) return undefined;
  // PGlite keeps an idb:// database in the IndexedDB database named after its mount point.
  const idbName = `/pglite/${dataDir.slice('idb://'.length)}`;
  try {
    const databases = await indexedDB.databases();
    if (databases.some((database) => database.name === idbName)) return undefined;
    const response = await fetch(new URL(READY_MADE_CLUSTER_PATH, origin));
    return response.ok ? await response.blob() : undefined;
  } catch {
    return undefined;
  }
}
