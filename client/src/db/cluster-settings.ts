/** Where the app serves an empty PGlite cluster (client/build/ready-made-cluster.ts makes it). */
export const READY_MADE_CLUSTER_PATH = '/pglite-cluster.tar.gz';

/**
 * How the tablet's cluster is made, whether by the build (the ready-made one) or by initdb in the
 * browser. WAL segments of 1 MB instead of PostgreSQL's 16 MB: PGlite writes a changed file back to
 * IndexedDB whole, and every recorded command changes the current WAL segment, so each write-back
 * copied 16 MB — most of what a recorded command cost (measured: 16.9 MB → 1.2 MB written back).
 */
export const CLUSTER_INITDB_ARGS: readonly string[] = ['--wal-segsize=1'];
