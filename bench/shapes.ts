/**
 * `npm run bench:shapes`: how fast the embedded shape service syncs, and what it costs.
 *
 *   1. initial sync of N parts into pglite-sync, beside PGlite's own COPY of the same rows, and
 *      the server's snapshot response on its own;
 *   2. write → client latency with many live ShapeStreams on one shape;
 *   3. the server's CPU and peak RSS in each phase (it runs as a separate process, as in
 *      production), with PostgreSQL's and the bench process's CPU beside it.
 *
 * It prints figures and asserts nothing. Everything runs in temporary folders (an embedded
 * PostgreSQL, the server's DATA_DIR) removed at the end, also after a failure or Ctrl+C.
 */
import type { InitialInsertMethod } from '@electric-sql/pglite-sync';
import { Environment, seedYard, signIn, waitForFeedPublished } from './lib/environment.ts';
import { fanOut, type FanOutResult } from './lib/fanout.ts';
import { localPartsDdl, partsCsv, timeCopy, timePgliteSync, timeSnapshotFetch, type SyncRun } from './lib/initial-sync.ts';
import { CostMeter, machineInfo } from './lib/proc.ts';
import { int } from './lib/format.ts';
import { readOptions } from './lib/options.ts';
import { renderReport, type Results } from './lib/render.ts';
import { runBench } from './lib/run-bench.ts';

const USAGE = `npm run bench:shapes [-- options]

  --parts N           parts to generate and sync                      (default 50000)
  --clients A,B       live clients per fan-out round                  (default 50,200)
  --live L            live modes, a round each per client count: long-poll, sse
                                                                      (default long-poll,sse)
  --writes N          single-row updates per round                    (default 30)
  --interval-ms N     time between two writes                         (default 200)
  --idle-seconds N    idle measurement per round (long-polls parked)  (default 20)
  --insert-methods L  pglite-sync initialInsertMethods to compare once the snapshot is
                      cached on the server; "" for none                (default insert,csv,json)
  --profile-server D  write a V8 CPU profile of the server into folder D (open it in
                      Chrome DevTools or speedscope)`;

interface Options {
  parts: number;
  clients: number[];
  live: ('long-poll' | 'sse')[];
  writes: number;
  intervalMs: number;
  idleSeconds: number;
  insertMethods: InitialInsertMethod[];
  profileServer: string | undefined;
}

function parseOptions(argv: string[]): Options {
  const read = readOptions('bench:shapes', USAGE, argv, {
    texts: ['parts', 'clients', 'live', 'writes', 'interval-ms', 'idle-seconds', 'insert-methods', 'profile-server'],
  });
  const options = {
    insertMethods: read.choices<InitialInsertMethod>('insert-methods', 'insert,csv,json', ['insert', 'csv', 'json'], { noneAllowed: true }),
    profileServer: read.text('profile-server'),
    parts: read.whole('parts', 50_000, 1, 2_000_000),
    clients: read.wholeList('clients', '50,200', 1, 2000),
    live: read.choices<'long-poll' | 'sse'>('live', 'long-poll,sse', ['long-poll', 'sse']),
    writes: read.whole('writes', 30, 1, 10_000),
    intervalMs: read.whole('interval-ms', 200, 0, 60_000),
    idleSeconds: read.whole('idle-seconds', 20, 0, 600),
  };
  // Fan-out round k uses the parts numbered k00…k99: they must exist.
  const rounds = options.clients.length * options.live.length;
  const needed = (rounds + 1) * 100;
  if (options.parts < needed) read.fail(`--parts must be at least ${needed} for ${rounds} fan-out round(s)`);
  return options;
}

const progress = (message: string) => console.error(`· ${message}`);

async function measure(options: Options, env: Environment): Promise<Results> {
  progress('starting an embedded PostgreSQL');
  const db = await env.startPostgres();
  progress(`generating ${int(options.parts)} parts and 200 machines`);
  const yard = await seedYard(db.pool, options.parts);
  const { rows: version } = await db.pool.query<{ v: string }>(`select current_setting('server_version') as v`);
  progress('starting the server (node --import tsx sync-server/src/main.ts)');
  const server = await env.startServer(db.url, options.profileServer);
  await waitForFeedPublished(db.pool);
  const token = await signIn(server.url, yard.username, yard.password);

  const meter = new CostMeter(server.pid, db.postmasterPid);
  try {
    // 1. Initial sync: pglite-sync with the server computing the snapshot, the snapshot response
    // alone, pglite-sync again with it cached, and PGlite's own COPY of the same rows.
    const ddl = await localPartsDdl(db.pool);
    progress(`pglite-sync: initial sync of ${int(yard.parts)} parts`);
    const sync = await timePgliteSync(server.url, token, ddl, 'insert', {
      onStart: () => meter.start('initial sync (pglite-sync)'),
      onInitialSync: () => meter.end('initial sync (pglite-sync)'),
    });

    progress('HTTP snapshot alone');
    // replica=full: a shape definition no one asked for yet (so a new handle and a snapshot
    // computed now), whose snapshot is the same rows as the synced one.
    const snapshotQuery = 'table=parts&offset=-1&replica=full';
    meter.start('one snapshot GET (new handle)');
    const coldSnapshot = await timeSnapshotFetch(server.url, token, snapshotQuery);
    meter.end('one snapshot GET (new handle)');
    const cachedSnapshot = await timeSnapshotFetch(server.url, token, snapshotQuery);

    const cachedSyncs: SyncRun[] = [];
    for (const method of options.insertMethods) {
      progress(`pglite-sync again, initialInsertMethod '${method}', snapshot cached on the server`);
      const phase = `sync, snapshot cached ('${method}')`;
      cachedSyncs.push(
        await timePgliteSync(server.url, token, ddl, method, {
          onStart: () => meter.start(phase),
          onInitialSync: () => meter.end(phase),
        }),
      );
    }

    progress('PGlite COPY of the same rows');
    const { csv, rows: csvRows } = await partsCsv(db.pool, yard.siteId);
    const copy = { ...(await timeCopy(ddl, csv)), csvRows, csvBytes: Buffer.byteLength(csv) };

    // 2. Fan-out, one round (and one shape) per client count.
    const rounds: FanOutResult[] = [];
    const plan = options.clients.flatMap((clients) => options.live.map((live) => ({ clients, sse: live === 'sse' })));
    for (const [k, { clients, sse }] of plan.entries()) {
      progress(`${clients} live clients (${sse ? 'SSE' : 'long-poll'}): connecting, ${options.idleSeconds} s idle, ${options.writes} writes`);
      rounds.push(
        await fanOut({
          serverUrl: server.url,
          serverPort: server.port,
          token,
          pool: db.pool,
          siteId: yard.siteId,
          clients,
          writes: options.writes,
          intervalMs: options.intervalMs,
          idleSeconds: options.idleSeconds,
          sse,
          block: k + 1,
          meter,
          signal: stopClients.signal,
        }),
      );
    }

    return {
      machine: machineInfo(),
      yard,
      postgresVersion: version[0]!.v,
      serverPid: server.pid,
      sync,
      coldSnapshot,
      cachedSnapshot,
      cachedSyncs,
      copy,
      writes: options.writes,
      intervalMs: options.intervalMs,
      rounds,
      phases: meter.phases,
      serverProblems: server.problems(),
    };
  } finally {
    meter.stop();
  }
}

const options = parseOptions(process.argv.slice(2));
const env = new Environment();
const stopClients = new AbortController();
await runBench('bench:shapes', env, async () => renderReport(await measure(options, env)), async () => {
  // Clients first: the server stops slowly while long-polls are still open.
  stopClients.abort();
  await new Promise((resolve) => setTimeout(resolve, 200));
});
