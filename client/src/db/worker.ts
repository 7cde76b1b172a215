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

void worker({
  async init(options) {
    const pg = await PGlite.create({
      dataDir: options.dataDir,
      extensions: { sync: electricSync() },
      serializers: JSON_PARAMETERS,
    });
    await prepareLocalDatabase(pg);
    await startLeader({ pg, baseUrl: self.location.origin });
    return pg;
  },
});
