import { PGlite } from '@electric-sql/pglite';
import type { Plugin } from 'vite';
import { CLUSTER_INITDB_ARGS, READY_MADE_CLUSTER_PATH } from '../src/db/cluster-settings.ts';

/**
 * Serves and emits an empty PGlite cluster (what initdb makes), built with this very PGlite in
 * Node. A tablet's first start loads it instead of running initdb, which takes seconds in a
 * browser (src/db/ready-made-cluster.ts). It holds no data of ours: no two tablets share anything
 * but PostgreSQL's own catalog.
 */
export function readyMadeCluster(): Plugin {
  let cluster: Promise<Uint8Array> | undefined;
  const make = () => (cluster ??= dumpEmptyCluster());
  return {
    name: 'cimco-ready-made-cluster',
    configureServer(server) {
      server.middlewares.use(READY_MADE_CLUSTER_PATH, (_request, response, next) => {
        make().then((bytes) => {
          response.setHeader('content-type', 'application/gzip');
          response.end(bytes);
        }, next);
      });
    },
    async generateBundle() {
      this.emitFile({ type: 'asset', fileName: READY_MADE_CLUSTER_PATH.slice(1), source: await make() });
    },
  };
}

/**
 * An empty cluster made by initdb with the tablet's arguments, as a gzipped tarball, without the
 * template databases. PGlite works in `postgres` and the tablet never runs CREATE DATABASE, so
 * `template0` and `template1` are two thirds of the cluster's files (1,004 → about 400) that only
 * cost: on OPFS every file is a pooled access handle, made on the first start and opened on
 * every start after (a first start in headless Chromium took 7.8 s to open PGlite with them).
 */
export async function dumpEmptyCluster(): Promise<Uint8Array> {
  const pg = await PGlite.create({ initDbStartParams: [...CLUSTER_INITDB_ARGS] });
  try {
    await pg.exec(`update pg_database set datistemplate = false where datname in ('template0', 'template1')`);
    await pg.exec('drop database template0');
    await pg.exec('drop database template1');
    await pg.exec('checkpoint');
    return new Uint8Array(await (await pg.dumpDataDir('gzip')).arrayBuffer());
  } finally {
    await pg.close();
  }
}
