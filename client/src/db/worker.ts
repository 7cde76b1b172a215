/// <reference lib="webworker" />
/**
 * The PGlite worker (DESIGN.md §5). Every tab starts one; PGlite elects a leader among them and
 * only the leader runs `init`: it opens the database in IndexedDB, brings the local schema up to
 * date, and starts the sync and the uploader — so one tablet syncs and uploads once, however many
 * tabs are open. The other tabs' queries are forwarded to the leader.
 */
import { PGlite } from '@electric-sql/pglite';
import { worker } from '@electric-sql/pglite/worker';
import { electricSync } from '@electric-sql/pglite-sync';
import { startLeader } from '../leader/leader.ts';
import { JSON_PARAMETERS } from './json-parameters.ts';
import { prepareLocalDatabase } from './prepare-database.ts';
import { readyMadeCluster } from './ready-made-cluster.ts';

void worker({
  async init(options) {
    const dataDir = options.dataDir ?? '';
    const loadDataDir = await readyMadeCluster(dataDir, self.location.origin);
    const pg = await PGlite.create({
      dataDir,
      ...(loadDataDir && { loadDataDir }),
      extensions: { sync: electricSync() },
      serializers: JSON_PARAMETERS,
    });
    await prepareLocalDatabase(pg);
    // The tab can show its screens meanwhile: the leader's work is reflected in sync_state.
    void startLeader({ pg, baseUrl: self.location.origin }).catch((error: unknown) => console.error('The sync could not start', error));
    return pg;
  },
});
