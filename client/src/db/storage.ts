/// <reference lib="webworker" />
import { PGlite, type PGliteOptions } from '@electric-sql/pglite';
import { OpfsAhpFS } from '@electric-sql/pglite/opfs-ahp';
import { electricSync, type PGliteWithSync } from '@electric-sql/pglite-sync';
import { CLUSTER_INITDB_ARGS } from './cluster-settings.ts';
import { LOCAL_EXTENSIONS } from './extensions.ts';
import { JSON_PARAMETERS } from './json-parameters.ts';
import { carryOver, prepareLocalDatabase } from './prepare-database.ts';
import type { WritesBack } from './persisted.ts';
import { fetchReadyMadeCluster } from './ready-made-cluster.ts';
import { markStartup } from './startup-marks.ts';
import { queueWriteBacks, withWriteBack } from './write-back.ts';
import type { Yard } from './yard-choice.ts';

/** The tablet's database name, in OPFS or IndexedDB: one for the live yard, one for its training yard. */
const DATABASE_NAMES: Record<Yard, string> = { live: 'cimco-yard', training: 'cimco-yard-training' };
/**
 * Free OPFS files PGlite keeps open for new relation files (its default is 100). PGlite can only
 * add to the pool between statements, and a file wanted from an empty pool fails the statement
 * and leaves that PGlite broken ("ERRORDATA_STACK_SIZE exceeded" on every other query after). The
 * local schema alone makes about 140 relation files in one transaction (a first start, a rebuild):
 * the pool holds well over that. Each pooled file costs an open at every start (a fraction of a
 * millisecond).
 */
const OPFS_FREE_FILES = 400;
/** Where PGlite keeps an `idb://` database: the IndexedDB database named after its mount point. */
const idbName = (name: string) => `/pglite/${name}`;

export type StorageKind = 'opfs-ahp' | 'idb';

export type TabletPGlite = PGlite & PGliteWithSync & Partial<WritesBack>;

export interface OpenedDatabase {
  pg: TabletPGlite;
  storage: StorageKind;
}

/**
 * Opens the tablet's database in the leader's worker (DESIGN.md §5, storage):
 *
 * - **OPFS** (`opfs-ahp://`, Chromium and Android tablets): PGlite writes each file through a
 *   synchronous access handle and flushes the WAL when a transaction commits, so a recorded
 *   command is on disk when its transaction answers — a few milliseconds, and nothing to copy.
 * - **IndexedDB** (`idb://`, where a worker has no sync access handles: Safari/iPad): PGlite keeps
 *   the files in memory and copies them to IndexedDB. Copies run in the background
 *   (db/write-back.ts) and what a person did waits for its copy (`persisted`).
 *
 * A new database starts from the ready-made empty cluster (no initdb on the tablet). A tablet that
 * still has a database in IndexedDB from before OPFS carries its own rows (outbox, refusals,
 * device id, session) into the new one, then deletes the old.
 */
export async function openTabletDatabase(origin: string, yard: Yard): Promise<OpenedDatabase> {
  const name = DATABASE_NAMES[yard];
  const storage: StorageKind = hasSyncAccessHandles() ? 'opfs-ahp' : 'idb';
  const exists = storage === 'opfs-ahp' ? await opfsDatabaseExists(name) : await idbDatabaseExists(name);
  const cluster = exists ? undefined : await fetchReadyMadeCluster(origin);
  const pg = await openWithRetry(() =>
    PGlite.create({
      ...(storage === 'opfs-ahp'
        ? { fs: new OpfsAhpFS(name, { maintainedPoolSize: OPFS_FREE_FILES }) }
        : { dataDir: `idb://${name}`, relaxedDurability: true }),
      ...(cluster ? { loadDataDir: cluster } : { initDbStartParams: [...CLUSTER_INITDB_ARGS] }),
      extensions: { sync: electricSync(), ...LOCAL_EXTENSIONS },
      serializers: JSON_PARAMETERS,
    } satisfies PGliteOptions),
  );
  markStartup('pgliteOpen');
  const db: TabletPGlite = storage === 'idb' ? withWriteBack(pg, queueWriteBacks(pg)) : pg;
  await prepareLocalDatabase(db);
  markStartup('schemaReady');
  if (storage === 'opfs-ahp' && !exists && (await idbDatabaseExists(name))) await moveFromIndexedDb(db, name);
  return { pg: db, storage };
}

/**
 * OPFS sync access handles exist in workers of Chromium-based browsers (and Firefox); Safari has
 * OPFS but its PGlite pool is unproven there, so it keeps IndexedDB.
 */
function hasSyncAccessHandles(): boolean {
  return (
    typeof FileSystemFileHandle !== 'undefined' &&
    'createSyncAccessHandle' in FileSystemFileHandle.prototype &&
    typeof navigator.storage?.getDirectory === 'function' &&
    !/^((?!chrome|android).)*safari/i.test(navigator.userAgent)
  );
}

/** PGlite's OPFS pool keeps its directory tree in `<name>/state.txt`. */
async function opfsDatabaseExists(name: string): Promise<boolean> {
  try {
    const root = await navigator.storage.getDirectory();
    const directory = await root.getDirectoryHandle(name);
    const state = await (await directory.getFileHandle('state.txt')).getFile();
    return state.size > 0;
  } catch {
    return false;
  }
}

async function idbDatabaseExists(name: string): Promise<boolean> {
  try {
    return (await indexedDB.databases()).some((database) => database.name === idbName(name));
  } catch {
    return false;
  }
}

/**
 * A new leader may start while the old one's worker is still being torn down, holding the OPFS
 * access handles for a moment: try again a few times before giving up.
 */
async function openWithRetry<T>(open: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await open();
    } catch (error) {
      if (attempt >= 5 || (error as Error).name !== 'NoModificationAllowedError') throw error;
      await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
    }
  }
}

/** Carries the tablet's own rows from the IndexedDB database of an earlier version, then deletes it. */
async function moveFromIndexedDb(target: PGlite, name: string): Promise<void> {
  const old = await PGlite.create({ dataDir: `idb://${name}`, serializers: JSON_PARAMETERS });
  try {
    await carryOver(old, target);
  } finally {
    await old.close();
  }
  await new Promise<void>((resolve) => {
    const request = indexedDB.deleteDatabase(idbName(name));
    request.onsuccess = request.onerror = request.onblocked = () => resolve();
  });
}
