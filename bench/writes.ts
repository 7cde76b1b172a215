/**
 * `npm run bench:writes`: how many commands a second the write path (POST /api/mutations)
 * applies, beside the same transactions sent as raw SQL, and what it costs.
 *
 *   1. stock.adjust and task.update (a field edit with base values), at batch sizes 1, 10 and 100,
 *      with 50 tablets (50 users, each signed in on its own device) posting back-to-back;
 *   2. the same commands as raw SQL through pg — the processor's transaction, statement for
 *      statement — on 50 connections: the ratio is what HTTP, validation and the server's
 *      process cost on top of PostgreSQL;
 *   3. latency per batch (p50, p99), the server's CPU and peak RSS per run (a separate process, as in
 *      production), PostgreSQL's backends by state (where the time goes).
 *
 * It prints figures and asserts nothing. Everything runs in temporary folders (an embedded
 * PostgreSQL, the server's DATA_DIR) removed at the end, also after a failure or Ctrl+C.
 */
import { MAX_COMMANDS_PER_BATCH } from '@cimco/contract';
import pg from 'pg';
import { SESSION_OPTIONS } from '../sync-server/src/db/database.ts';
import { PUBLISHER_LOCK_KEY } from '../sync-server/src/shapes/publisher.ts';
import { Environment, seedYard, waitForFeedPublished } from './lib/environment.ts';
import { int } from './lib/format.ts';
import { readOptions } from './lib/options.ts';
import { CostMeter, machineInfo, processCpu } from './lib/proc.ts';
import { ActivitySampler, BackendCpu, RAW_APPLICATION_NAME } from './lib/writes-activity.ts';
import { httpTransport, rawTransport, reloadTasks, runLoad, Workload, type Transport, type WriteCommand } from './lib/writes-load.ts';
import { renderWriteReport, runLabel, type CaptureMode, type WriteResults, type WriteRun } from './lib/writes-render.ts';
import { createTabletUsers, postgresSettings, prepareWorkingSet, signInTablets, waitForOtherBenchmarks } from './lib/writes-setup.ts';
import { runBench } from './lib/run-bench.ts';

const USAGE = `npm run bench:writes [-- options]

  --devices N         tablets posting at once (one user and device each)          (default 50)
  --commands N        commands per configuration, over all tablets                (default 2000)
  --min-batches N     at least this many batches per tablet in each run, so the
                      large batch sizes run more commands than --commands        (default 2)
  --batches L         batch sizes                                                 (default 1,10,100)
  --commands-to-run L stock.adjust, task.update or both                           (default both)
  --raw-connections L connection counts for raw SQL runs; the first is the one the
                      HTTP/raw ratio uses                     (default: --devices, then 10,
                                                              the server's pool size)
  --working-set N     parts and tasks the commands pick from                      (default 500)
  --parts N           parts in the generated yard                                 (default 10000)
  --warmup N          commands of each kind per path before measuring             (default 500)
  --capture L         notify (the capture trigger with the NOTIFY it had before
                      migration 0008), woken (the current one), or both, in order  (default notify,woken)
  --profile-server D  write a V8 CPU profile of the server into folder D`;

/** The server's pool size (createPool's default, used by openDatabase). */
const SERVER_POOL_SIZE = 10;

interface Options {
  devices: number;
  commands: number;
  minBatches: number;
  batches: number[];
  kinds: WriteCommand[];
  rawConnections: number[];
  workingSet: number;
  parts: number;
  warmup: number;
  captures: CaptureMode[];
  profileServer: string | undefined;
}

function parseOptions(argv: string[]): Options {
  const read = readOptions('bench:writes', USAGE, argv, {
    texts: ['devices', 'commands', 'min-batches', 'batches', 'commands-to-run', 'raw-connections', 'working-set', 'parts', 'warmup', 'capture', 'profile-server'],
  });
  const devices = read.whole('devices', 50, 1, 500);
  // PostgreSQL's max_connections is 100: the server's pool, its feed connections and the bench's take ~20.
  const rawConnections = [...new Set(read.wholeList('raw-connections', `${devices},${SERVER_POOL_SIZE}`, 1, 75))];
  if (rawConnections.reduce((a, c) => a + c, 0) > 75) {
    read.fail(`--raw-connections must add up to at most 75, not ${rawConnections.join(',')}`);
  }
  const options: Options = {
    devices,
    commands: read.whole('commands', 2000, 1, 10_000_000),
    minBatches: read.whole('min-batches', 2, 1, 1000),
    batches: read.wholeList('batches', '1,10,100', 1, MAX_COMMANDS_PER_BATCH),
    kinds: read.choices<WriteCommand>('commands-to-run', 'stock.adjust,task.update', ['stock.adjust', 'task.update']),
    rawConnections,
    workingSet: read.whole('working-set', 500, 1, 100_000),
    parts: read.whole('parts', 10_000, 1, 2_000_000),
    warmup: read.whole('warmup', 500, 0, 1_000_000),
    captures: read.choices<CaptureMode>('capture', 'notify,woken', ['notify', 'woken']),
    profileServer: read.text('profile-server'),
  };
  if (options.parts < options.workingSet) read.fail('--parts must be at least --working-set');
  return options;
}

const progress = (message: string) => console.error(`· ${message}`);

/**
 * Puts the capture trigger of `mode` in place (the server and raw SQL use it from their next
 * statement): the current one (migrations/0008), or the same with the NOTIFY every writing
 * transaction sent before it — the "before" of the same run.
 */
async function useCaptureTrigger(pool: pg.Pool, mode: CaptureMode): Promise<void> {
  const { rows } = await pool.query<{ def: string }>(`select pg_get_functiondef('capture_shape_change'::regproc) as def`);
  const current = rows[0]!.def.replace(/\n\s*perform pg_notify\('shape_changes', ''\);/, '');
  const wanted = mode === 'woken' ? current : current.replace(/\n(\s*)return null;/, "\n$1perform pg_notify('shape_changes', '');\n$1return null;");
  if (wanted === current && mode === 'notify') throw new Error('capture_shape_change has no "return null;" to put the NOTIFY before');
  await pool.query(wanted);
}

async function measure(options: Options, env: Environment): Promise<WriteResults> {
  const setupStarted = performance.now();
  progress('starting an embedded PostgreSQL');
  const db = await env.startPostgres();
  progress(`generating a yard of ${int(options.parts)} parts; ${options.devices} technicians; ${options.workingSet} tasks`);
  const yard = await seedYard(db.pool, options.parts);
  const { rows: author } = await db.pool.query<{ id: string }>('select id from users where username = $1', [yard.username]);
  const users = await createTabletUsers(db.pool, yard.siteId, options.devices);
  const set = await prepareWorkingSet(db.pool, yard.siteId, author[0]!.id, options.workingSet);
  await db.pool.query('vacuum analyze');
  const postgres = await postgresSettings(db.pool);

  progress('starting the server (node --import tsx sync-server/src/main.ts)');
  const server = await env.startServer(db.url, options.profileServer);
  await waitForFeedPublished(db.pool);
  progress(`signing ${options.devices} tablets in`);
  let tablets = await signInTablets(server.url, users);
  let signedInAt = performance.now();

  const rawPools = new Map<number, pg.Pool>();
  for (const connections of options.rawConnections) {
    const pool = new pg.Pool({
      connectionString: db.url,
      max: connections,
      idleTimeoutMillis: 0, // keep them open between runs
      options: SESSION_OPTIONS,
      application_name: RAW_APPLICATION_NAME,
    });
    pool.on('error', () => {}); // an idle connection closed at shutdown
    env.onCleanUp(`close the raw SQL pool (${connections})`, () => pool.end());
    // Open every connection now, so no run pays for connecting.
    const clients = await Promise.all(Array.from({ length: connections }, () => pool.connect()));
    clients.forEach((c) => c.release());
    rawPools.set(connections, pool);
  }
  const sampler = await ActivitySampler.connect(db.url, BigInt(PUBLISHER_LOCK_KEY));
  env.onCleanUp('close the activity sampler', () => sampler.close());
  const backends = new BackendCpu(sampler.client, BigInt(PUBLISHER_LOCK_KEY), processCpu);
  const setupSeconds = (performance.now() - setupStarted) / 1000;

  const paths: { path: WriteRun['path']; connections: number; transport: Transport }[] = [
    { path: 'HTTP', connections: SERVER_POOL_SIZE, transport: httpTransport(server.url) },
    ...options.rawConnections.map((connections) => ({ path: 'raw SQL' as const, connections, transport: rawTransport(rawPools.get(connections)!) })),
  ];
  /** Between runs: the feed published, a checkpoint, the tablets' view of the tasks refreshed. */
  const settle = async (): Promise<number> => {
    const started = performance.now();
    await waitForFeedPublished(db.pool);
    const lag = (performance.now() - started) / 1000;
    await db.pool.query('checkpoint');
    await reloadTasks(db.pool, set);
    return lag;
  };

  const meter = new CostMeter(server.pid, db.postmasterPid);
  const runs: WriteRun[] = [];
  try {
    for (const capture of options.captures) {
      progress(`capture trigger: ${capture === 'notify' ? 'with a NOTIFY in every writing transaction (before migration 0008)' : 'as it is (the publisher woken after commit)'}`);
      await useCaptureTrigger(db.pool, capture);
      for (const [k, command] of options.kinds.entries()) {
        if (options.warmup > 0) {
          progress(`${command}: warming up (${int(options.warmup)} commands per path, batches of 10)`);
          const perDevice = Math.max(1, Math.ceil(options.warmup / options.devices));
          for (const { transport } of paths) {
            await runLoad(tablets, new Workload(command, set, options.devices, 1000 + k), perDevice, 10, transport);
            await settle();
          }
        }
        for (const [b, batch] of options.batches.entries()) {
          const perDevice = Math.max(Math.ceil(options.commands / options.devices), batch * options.minBatches);
          for (const { path, connections, transport } of paths) {
            const waitedSeconds = await waitForOtherBenchmarks(progress);
            if (performance.now() - signedInAt > 10 * 60_000) {
              // Access tokens last 15 minutes: the same tablets sign in again.
              tablets = await signInTablets(server.url, users, tablets);
              signedInAt = performance.now();
            }
            const name = runLabel({ command, batch, path, connections, capture });
            progress(`${name}: ${options.devices} tablets × ${int(perDevice)} commands`);
            // The same seed for both paths: the same rows picked in the same order.
            const workload = new Workload(command, set, options.devices, 1 + 100 * k + b);
            await backends.start();
            meter.start(name);
            sampler.start();
            const load = await runLoad(tablets, workload, perDevice, batch, transport);
            const activity = await sampler.stop();
            const cost = meter.end(name);
            const backendCpu = await backends.end();
            const feedLagSeconds = await settle();
            runs.push({ command, batch, path, connections, capture, perDevice, load, cost, activity, backendCpu, feedLagSeconds, waitedSeconds });
          }
        }
      }
    }
    await useCaptureTrigger(db.pool, 'woken');
  } finally {
    meter.stop();
  }

  return {
    machine: machineInfo(),
    postgres,
    serverPid: server.pid,
    serverPoolSize: SERVER_POOL_SIZE,
    devices: options.devices,
    rawConnections: options.rawConnections,
    parts: yard.parts,
    workingSet: options.workingSet,
    warmupCommands: options.warmup > 0 ? Math.max(1, Math.ceil(options.warmup / options.devices)) * options.devices : 0,
    setupSeconds,
    runs,
    serverProblems: server.problems(),
  };
}

const options = parseOptions(process.argv.slice(2));
const env = new Environment();
await runBench('bench:writes', env, async () => renderWriteReport(await measure(options, env)));
