/// <reference lib="webworker" />
/**
 * The PGlite worker (DESIGN.md §5). Every tab starts one; PGlite elects a leader among them and
 * only the leader runs `init`: it opens the database in IndexedDB (written back in the background,
 * see write-back.ts), brings the local schema up to date, and starts the sync and the uploader — so
 * one tablet syncs and uploads once, however many tabs are open. The other tabs' queries are
 * forwarded to the leader.
 */
import { PGlite } from '@electric-sql/pglite';
import { worker } from '@electric-sql/pglite/worker';
import { electricSync } from '@electric-sql/pglite-sync';
import { startLeader, type Leader } from '../leader/leader.ts';
import { JSON_PARAMETERS } from './json-parameters.ts';
import { prepareLocalDatabase } from './prepare-database.ts';
import { CLUSTER_INITDB_ARGS } from './cluster-settings.ts';
import { readyMadeCluster } from './ready-made-cluster.ts';
import { queueWriteBacks, withWriteBack } from './write-back.ts';

let leader: Leader | undefined;

// @electric-sql/client 1.0.14 (inside pglite-sync) rejects an internal promise with no value when
// a shape stream is stopped while it waits for its next tick, and nobody awaits it. The uploader
// stops the sync whenever it posts, so these are expected.
// pglite-sync 0.6.1 does not await its commits either: when one fails (a synced row the local
// schema refuses), it has already dropped those changes from memory, and its next commit stores
// offsets past them — the tablet would never see them. Any other rejection is therefore taken as a
// broken sync: the leader stops it and starts it again from what was committed, which fetches the
// lost changes again (the error still shows in the console).
self.addEventListener('unhandledrejection', (event) => {
  if (event.reason === undefined) event.preventDefault();
  else leader?.restartSync(event.reason);
});

void worker({
  async init(options) {
    const dataDir = options.dataDir ?? '';
    const loadDataDir = await readyMadeCluster(dataDir, self.location.origin);
    const pg = await PGlite.create({
      dataDir,
      relaxedDurability: true,
      ...(loadDataDir ? { loadDataDir } : { initDbStartParams: [...CLUSTER_INITDB_ARGS] }),
      extensions: { sync: electricSync() },
      serializers: JSON_PARAMETERS,
    });
    const db = withWriteBack(pg, queueWriteBacks(pg));
    await prepareLocalDatabase(db);
    // The tab can show its screens meanwhile: the leader's work is reflected in sync_state.
    void startLeader({ pg: db, baseUrl: self.location.origin })
      .then((started) => (leader = started))
      .catch((error: unknown) => console.error('The sync could not start', error));
    return db;
  },
});
