/**
 * The raw-PGlite worker of `bench:client` (bundled by raw-pglite.ts with esbuild, run in a
 * dedicated module worker as the app runs its database): PGlite 0.5.1 with pg_trgm and nothing
 * else, answering one message per operation (raw-pglite-protocol.ts) and timing each inside.
 *
 * PGlite is opened with `relaxedDurability: false`, but its automatic flush after every query is
 * switched off: the bench flushes where it measures durability (`durable`, `copy`) and times the
 * flush apart, and a read (`select 1`, a search) waits for no flush, as in an app that keeps
 * writes durable without flushing after its reads.
 */
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import type { DurableResult, OpenResult, QueryResult, RawReply, RawRequest, SearchResultRaw } from './raw-pglite-protocol.ts';

/** What this file uses of a dedicated worker's global scope (the bench's tsconfig has no DOM lib). */
interface WorkerScope {
  onmessage: ((event: { data: { id: number } & RawRequest }) => void) | null;
  postMessage(message: RawReply): void;
}

const scope = globalThis as unknown as WorkerScope;
let db: PGlite | undefined;
/** PGlite's own flush (its lock, then the file system's syncToFs with relaxedDurability: false). */
let flush: () => Promise<void> = async () => {};

function open(): PGlite {
  if (!db) throw new Error('no database open');
  return db;
}

async function handle(request: RawRequest): Promise<unknown> {
  switch (request.op) {
    case 'echo':
      return null;
    case 'open': {
      if (db) throw new Error('a database is open already');
      const started = performance.now();
      const created = await PGlite.create({
        dataDir: request.dataDir,
        relaxedDurability: false,
        extensions: { pg_trgm },
        initDbStartParams: request.initdbArgs,
      });
      const createMs = performance.now() - started;
      const ownFlush = created.syncToFs.bind(created);
      flush = ownFlush;
      // PGlite calls this after every query outside a transaction; the bench flushes itself.
      created.syncToFs = async () => {};
      await created.query('select 1');
      db = created;
      return { createMs, firstQueryMs: performance.now() - started } satisfies OpenResult;
    }
    case 'selectLoop': {
      const out: number[] = [];
      for (let i = 0; i < request.n; i++) {
        const started = performance.now();
        await open().query('select 1');
        out.push(performance.now() - started);
      }
      return out;
    }
    case 'exec': {
      const started = performance.now();
      await open().exec(request.sql);
      const stated = performance.now();
      await flush();
      return { statementMs: stated - started, flushMs: performance.now() - stated, rows: 0 } satisfies DurableResult;
    }
    case 'query': {
      const started = performance.now();
      const { rows } = await open().query<Record<string, unknown>>(request.sql, request.params ?? []);
      return { ms: performance.now() - started, rows } satisfies QueryResult;
    }
    case 'durable': {
      const started = performance.now();
      const result = await open().query(request.sql, request.params ?? []);
      const stated = performance.now();
      await flush();
      return { statementMs: stated - started, flushMs: performance.now() - stated, rows: result.affectedRows ?? 0 } satisfies DurableResult;
    }
    case 'copy': {
      const blob = new Blob([request.csv]);
      const columns = request.columns.map((c) => `"${c}"`).join(', ');
      const started = performance.now();
      const result = await open().query(`copy "${request.table}" (${columns}) from '/dev/blob' with (format csv)`, [], { blob });
      const stated = performance.now();
      await flush();
      return { statementMs: stated - started, flushMs: performance.now() - stated, rows: result.affectedRows ?? 0 } satisfies DurableResult;
    }
    case 'search': {
      const started = performance.now();
      const rows = await open().query(request.rowsSql, [request.pattern]);
      const count = await open().query<{ n: number }>(request.countSql, [request.pattern]);
      return { ms: performance.now() - started, rows: rows.rows.length, count: count.rows[0]?.n ?? 0 } satisfies SearchResultRaw;
    }
    case 'close': {
      const started = performance.now();
      const closing = open();
      db = undefined;
      await closing.close();
      return performance.now() - started;
    }
  }
}

scope.onmessage = (event) => {
  const { id, ...request } = event.data;
  handle(request as RawRequest).then(
    (result) => scope.postMessage({ id, ok: true, result }),
    (error: unknown) => scope.postMessage({ id, ok: false, error: error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error) }),
  );
};
